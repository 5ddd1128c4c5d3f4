/**
 * .BTF.ext codec: the per-instruction function, line and CO-RE relocation
 * records clang attaches to BPF programs.
 *
 * Layout: a header (magic 0xeb9f, version 1, flags 0, hdr_len, then offset and
 * length pairs for func_info, line_info and, when hdr_len >= 32, core_relo,
 * all relative to the end of the header). Each non-empty subsection is a u32
 * record size followed by blocks {sec_name_off, num_info, records} that use
 * its length up exactly.
 *
 * Decoding validates as libbpf does, with one difference: either byte order is
 * accepted (detected from the magic), whereas libbpf 1.1 refuses .BTF.ext not
 * in host order. Encoding reproduces clang's output byte for byte.
 */
import { BtfExtError, type Where } from "../errors.js";
import { plainBytes } from "../elf/bytes.js";
import type { Btf } from "./btf.js";

/** `.BTF.ext` magic number. */
export const BTF_EXT_MAGIC = 0xeb9f;
/** The only `.BTF.ext` version. */
export const BTF_EXT_VERSION = 1;
/** Header up to line_info_len: the shortest libbpf accepts. */
export const BTF_EXT_HEADER_LEN_MIN = 24;
/** Header with core_relo_off and core_relo_len, as clang writes it. */
export const BTF_EXT_HEADER_LEN = 32;
/** Size of a func_info record: insn_off, type_id. */
export const FUNC_INFO_MIN_REC_SIZE = 8;
/** Size of a line_info record: insn_off, file_name_off, line_off, line_col. */
export const LINE_INFO_MIN_REC_SIZE = 16;
/** Size of a core_relo record: insn_off, type_id, access_str_off, kind. */
export const CORE_RELO_MIN_REC_SIZE = 16;
/** libbpf's limit on the components of an access spec, local or target (BPF_CORE_SPEC_MAX_LEN). */
export const CORE_SPEC_MAX_LEN = 64;

/** Records for one ELF section (a BPF program's code section). */
export interface BtfExtInfoSection<R> {
  /** Offset of the ELF section's name in the .BTF string table. */
  secNameOff: number;
  records: R[];
}

interface ExtraBytes {
  /** Bytes past the known fields when the record size is larger than the minimum; zero-filled on encode when absent. */
  extra?: Uint8Array;
}

/** A func_info record: the BTF FUNC of the function starting at an instruction. */
export interface FuncInfo extends ExtraBytes {
  /** Byte offset of the function's first instruction in its ELF section. */
  insnOff: number;
  /** BTF id of the FUNC type. */
  typeId: number;
}

/** A line_info record: the source line of an instruction. */
export interface LineInfo extends ExtraBytes {
  insnOff: number;
  fileNameOff: number;
  lineOff: number;
  /** Line number << 10 | column; see lineInfoLine and lineInfoColumn. */
  lineCol: number;
}

/** A CO-RE relocation record: an instruction to adjust to the target kernel's types. */
export interface CoreRelo extends ExtraBytes {
  insnOff: number;
  /** BTF id of the root type the access string starts from. */
  typeId: number;
  /** Offset of the access string ("0:1:2") in the .BTF string table. */
  accessStrOff: number;
  /** A CoreReloKind value. */
  kind: number;
}

/**
 * Where the subsections sat, relative to the end of the header, when that
 * differs from the layout clang writes (order, gaps, trailing bytes, offsets
 * of empty subsections, which libbpf never checks). Bytes outside the
 * header's known fields and the subsections are not kept: they encode as
 * zeros, which is what every known producer writes. Overlapping subsections,
 * which libbpf also tolerates, decode but are refused by the encoder.
 */
export interface BtfExtLayout {
  funcInfoOff: number;
  lineInfoOff: number;
  /** Ignored when hdrLen < 32. */
  coreReloOff: number;
  /** Total byte length of the section. */
  size: number;
}

/** A decoded `.BTF.ext` section. */
export interface BtfExt {
  littleEndian: boolean;
  /** Header length: 32 from clang; 24 means no core_relo fields. Bytes past the known fields are zero. */
  hdrLen: number;
  /** Record sizes; the minimum for a subsection that is absent. */
  funcRecSize: number;
  lineRecSize: number;
  coreRecSize: number;
  funcInfo: BtfExtInfoSection<FuncInfo>[];
  lineInfo: BtfExtInfoSection<LineInfo>[];
  coreRelos: BtfExtInfoSection<CoreRelo>[];
  /** Present only for layouts other than clang's; drop it after changing records to get the canonical layout. */
  layout?: BtfExtLayout;
}

/** CO-RE relocation kinds (enum bpf_core_relo_kind). */
export const CoreReloKind = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;

/** The short names libbpf prints in its CO-RE logs, so our messages read the same. */
const KIND_NAMES = [
  "byte_off",
  "byte_sz",
  "field_exists",
  "signed",
  "lshift_u64",
  "rshift_u64",
  "local_type_id",
  "target_type_id",
  "type_exists",
  "type_size",
  "enumval_exists",
  "enumval_value",
  "type_matches",
];

/** A relocation kind's name as libbpf logs it, e.g. `byte_off`. */
export function coreReloKindName(kind: number): string {
  return KIND_NAMES[kind] ?? `unknown(${kind})`;
}

/** Line number of a line_info `lineCol`. */
export function lineInfoLine(lineCol: number): number {
  return lineCol >>> 10;
}

/** Column of a line_info `lineCol`. */
export function lineInfoColumn(lineCol: number): number {
  return lineCol & 0x3ff;
}

const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

/** C's isspace() characters, which scanf skips before a number. */
const C_SPACE = " \t\n\v\f\r";

/**
 * Split a CO-RE access string ("0:1:0:5") into indices by libbpf's rules
 * (bpf_core_parse_spec): not empty, not starting with ':', at most
 * CORE_SPEC_MAX_LEN components. Each is read where the previous one ended,
 * past at most one ':', as glibc's sscanf("%d") reads it: leading white space
 * and a sign allowed (so "1-2" is [1, -2]), a value outside a long saturated
 * and then cut to its low 32 bits. Whether an index fits the type it walks is
 * the relocation's business.
 */
export function parseAccessString(s: string, where: Where = {}): number[] {
  if (s === "") throw new BtfExtError("empty CO-RE access string", where);
  if (s.startsWith(":")) throw new BtfExtError(`CO-RE access string "${s}" starts with ':'`, where);
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] === ":") i++;
    const start = i;
    while (i < s.length && C_SPACE.includes(s[i])) i++;
    const sign = s[i] === "-" || s[i] === "+" ? s[i++] : "";
    const digits = i;
    while (i < s.length && s[i] >= "0" && s[i] <= "9") i++;
    if (i === digits) {
      const end = s.indexOf(":", start);
      const text = s.slice(start, end < 0 ? s.length : end);
      throw new BtfExtError(`CO-RE access string "${s}": component ${out.length} ("${text}") is not a decimal index`, where);
    }
    if (out.length === CORE_SPEC_MAX_LEN) {
      throw new BtfExtError(`CO-RE access string has ${s.split(":").length} components, more than ${CORE_SPEC_MAX_LEN}`, where);
    }
    // Up to 15 digits are exact as a double; longer ones go through the saturating long.
    const text = sign + s.slice(digits, i);
    if (i - digits <= 15) out.push(Number(text) | 0);
    else {
      const v = BigInt(text);
      out.push(Number(BigInt.asIntN(32, v < LONG_MIN ? LONG_MIN : v > LONG_MAX ? LONG_MAX : v)));
    }
  }
  return out;
}

type Kind = "func_info" | "line_info" | "core_relo";

interface RecordCodec<R> {
  kind: Kind;
  minSize: number;
  read(v: DataView, off: number, le: boolean): R;
  /** The known fields, in file order. */
  fields(r: R): number[];
}

const FUNC: RecordCodec<FuncInfo> = {
  kind: "func_info",
  minSize: FUNC_INFO_MIN_REC_SIZE,
  read: (v, o, le) => ({ insnOff: v.getUint32(o, le), typeId: v.getUint32(o + 4, le) }),
  fields: (r) => [r.insnOff, r.typeId],
};

const LINE: RecordCodec<LineInfo> = {
  kind: "line_info",
  minSize: LINE_INFO_MIN_REC_SIZE,
  read: (v, o, le) => ({
    insnOff: v.getUint32(o, le),
    fileNameOff: v.getUint32(o + 4, le),
    lineOff: v.getUint32(o + 8, le),
    lineCol: v.getUint32(o + 12, le),
  }),
  fields: (r) => [r.insnOff, r.fileNameOff, r.lineOff, r.lineCol],
};

const CORE: RecordCodec<CoreRelo> = {
  kind: "core_relo",
  minSize: CORE_RELO_MIN_REC_SIZE,
  read: (v, o, le) => ({
    insnOff: v.getUint32(o, le),
    typeId: v.getUint32(o + 4, le),
    accessStrOff: v.getUint32(o + 8, le),
    kind: v.getUint32(o + 12, le),
  }),
  fields: (r) => [r.insnOff, r.typeId, r.accessStrOff, r.kind],
};

interface Decoded<R> {
  recSize: number;
  sections: BtfExtInfoSection<R>[];
}

/** Decodes a `.BTF.ext` section, validating it as libbpf does (see the module comment). */
export function decodeBtfExt(bytes: Uint8Array): BtfExt {
  bytes = plainBytes(bytes);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = (msg: string, offset: number) => new BtfExtError(msg, { section: "header", offset });
  if (bytes.length < 8) throw header(`.BTF.ext is ${bytes.length} bytes, too short for a header`, 0);
  const magic = v.getUint16(0, true);
  let le: boolean;
  if (magic === BTF_EXT_MAGIC) le = true;
  else if (magic === 0x9feb) le = false;
  else throw header(`bad .BTF.ext magic 0x${magic.toString(16).padStart(4, "0")} (want 0xeb9f in either byte order)`, 0);
  if (bytes[2] !== BTF_EXT_VERSION) throw header(`unsupported .BTF.ext version ${bytes[2]}`, 2);
  if (bytes[3] !== 0) throw header(`unsupported .BTF.ext flags 0x${bytes[3].toString(16)}`, 3);
  const hdrLen = v.getUint32(4, le);
  if (hdrLen < BTF_EXT_HEADER_LEN_MIN) throw header(`hdr_len ${hdrLen} is shorter than ${BTF_EXT_HEADER_LEN_MIN}`, 4);
  if (hdrLen > bytes.length) throw header(`hdr_len ${hdrLen} is past the end of the ${bytes.length}-byte section`, 4);
  if (hdrLen === bytes.length) throw header(".BTF.ext has a header but no data", 4);
  const hasCore = hdrLen >= BTF_EXT_HEADER_LEN;
  const funcOff = v.getUint32(8, le);
  const funcLen = v.getUint32(12, le);
  const lineOff = v.getUint32(16, le);
  const lineLen = v.getUint32(20, le);
  const coreOff = hasCore ? v.getUint32(24, le) : funcLen + lineLen;
  const coreLen = hasCore ? v.getUint32(28, le) : 0;

  const ctx = { v, le, hdrLen, size: bytes.length };
  const func = decodeSubsection(ctx, FUNC, funcOff, funcLen, 8);
  const line = decodeSubsection(ctx, LINE, lineOff, lineLen, 16);
  const core = decodeSubsection(ctx, CORE, coreOff, coreLen, 24);
  const ext: BtfExt = {
    littleEndian: le,
    hdrLen,
    funcRecSize: func.recSize,
    lineRecSize: line.recSize,
    coreRecSize: core.recSize,
    funcInfo: func.sections,
    lineInfo: line.sections,
    coreRelos: core.sections,
  };
  const layout = { funcInfoOff: funcOff, lineInfoOff: lineOff, coreReloOff: coreOff, size: bytes.length };
  if (!sameLayout(layout, canonicalLayout(hdrLen, funcLen, lineLen, coreLen))) ext.layout = layout;
  return ext;
}

function decodeSubsection<R extends ExtraBytes>(
  ctx: { v: DataView; le: boolean; hdrLen: number; size: number },
  codec: RecordCodec<R>,
  off: number,
  len: number,
  /** Where the header states `off`, for errors about the placement. */
  offField: number,
): Decoded<R> {
  if (len === 0) return { recSize: codec.minSize, sections: [] };
  const { v, le, hdrLen, size } = ctx;
  const start = hdrLen + off;
  const fail = (msg: string, offset: number) => new BtfExtError(`${codec.kind}: ${msg}`, { section: codec.kind, offset });
  if (off % 4 !== 0) throw fail(`offset ${off} is not a multiple of 4`, offField);
  if (start + len > size) {
    throw fail(`subsection (off ${off}, len ${len}) extends past the end of the ${size}-byte section`, offField);
  }
  if (len < 4) throw fail(`length ${len} has no room for the record size`, start);
  const recSize = v.getUint32(start, le);
  if (recSize < codec.minSize || recSize % 4 !== 0) {
    throw fail(`record size ${recSize} is not a multiple of 4 of at least ${codec.minSize}`, start);
  }
  if (len === 4) throw fail("subsection has a record size but no records", start);
  const end = start + len;
  const sections: BtfExtInfoSection<R>[] = [];
  for (let p = start + 4; p < end; ) {
    const block = sections.length;
    if (end - p < 8) throw fail(`block #${block} header is truncated (${end - p} bytes left)`, p);
    const secNameOff = v.getUint32(p, le);
    const num = v.getUint32(p + 4, le);
    if (num === 0) throw fail(`block #${block} has num_info 0`, p + 4);
    // Checked before the loop so a huge num_info cannot drive allocation.
    if (num * recSize > end - p - 8) {
      throw fail(`block #${block}: ${num} records of ${recSize} bytes exceed the ${end - p - 8} bytes left`, p + 4);
    }
    const records: R[] = [];
    for (let i = 0; i < num; i++) {
      const o = p + 8 + i * recSize;
      const r = codec.read(v, o, le);
      if (recSize > codec.minSize) r.extra = new Uint8Array(v.buffer, v.byteOffset + o + codec.minSize, recSize - codec.minSize).slice();
      records.push(r);
    }
    sections.push({ secNameOff, records });
    p += 8 + num * recSize;
  }
  return { recSize, sections };
}

function subsectionLen<R>(sections: BtfExtInfoSection<R>[], recSize: number): number {
  if (sections.length === 0) return 0;
  let len = 4;
  for (const s of sections) len += 8 + s.records.length * recSize;
  return len;
}

/** clang's layout: func_info, line_info, core_relo back to back from the end of the header. */
function canonicalLayout(hdrLen: number, funcLen: number, lineLen: number, coreLen: number): BtfExtLayout {
  return {
    funcInfoOff: 0,
    lineInfoOff: funcLen,
    coreReloOff: funcLen + lineLen,
    size: hdrLen + funcLen + lineLen + coreLen,
  };
}

function sameLayout(a: BtfExtLayout, b: BtfExtLayout): boolean {
  return a.funcInfoOff === b.funcInfoOff && a.lineInfoOff === b.lineInfoOff && a.coreReloOff === b.coreReloOff && a.size === b.size;
}

/** Encodes a `.BTF.ext` section: clang's layout, or `ext.layout` when set. */
export function encodeBtfExt(ext: BtfExt): Uint8Array {
  const hasCore = ext.hdrLen >= BTF_EXT_HEADER_LEN;
  checkU32(ext.hdrLen, "hdrLen", { section: "header" });
  if (ext.hdrLen < BTF_EXT_HEADER_LEN_MIN) {
    throw new BtfExtError(`hdrLen ${ext.hdrLen} is shorter than ${BTF_EXT_HEADER_LEN_MIN}`, { section: "header" });
  }
  if (!hasCore && ext.coreRelos.length > 0) {
    throw new BtfExtError(`hdrLen ${ext.hdrLen} has no core_relo fields but there are CO-RE relocations`, {
      section: "core_relo",
    });
  }
  const subs = [
    plan(FUNC, ext.funcRecSize, ext.funcInfo),
    plan(LINE, ext.lineRecSize, ext.lineInfo),
    plan(CORE, ext.coreRecSize, ext.coreRelos),
  ];
  const [func, line, core] = subs;
  const layout = ext.layout ?? canonicalLayout(ext.hdrLen, func.len, line.len, core.len);
  const offs = [layout.funcInfoOff, layout.lineInfoOff, hasCore ? layout.coreReloOff : 0];
  const placed: Array<{ kind: Kind; from: number; to: number }> = [];
  subs.forEach((s, i) => {
    const where = { section: s.kind };
    checkU32(offs[i], `${s.kind} offset`, where);
    if (s.len === 0) return;
    if (offs[i] % 4 !== 0) throw new BtfExtError(`${s.kind}: layout offset ${offs[i]} is not a multiple of 4`, where);
    const from = ext.hdrLen + offs[i];
    const other = placed.find((q) => from < q.to && q.from < from + s.len);
    if (other) throw new BtfExtError(`${s.kind}: layout overlaps ${other.kind}`, where);
    placed.push({ kind: s.kind, from, to: from + s.len });
  });
  const needed = Math.max(ext.hdrLen, ...placed.map((q) => q.to));
  const size = ext.layout?.size ?? needed;
  if (size < needed) throw new BtfExtError(`layout size ${size} is smaller than the ${needed} bytes needed`);
  // libbpf rejects a header with nothing after it, so we never write one.
  if (size === ext.hdrLen) throw new BtfExtError("nothing to encode: .BTF.ext needs at least one record");

  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  const le = ext.littleEndian;
  v.setUint16(0, BTF_EXT_MAGIC, le);
  out[2] = BTF_EXT_VERSION;
  v.setUint32(4, ext.hdrLen, le);
  v.setUint32(8, offs[0], le);
  v.setUint32(12, func.len, le);
  v.setUint32(16, offs[1], le);
  v.setUint32(20, line.len, le);
  if (hasCore) {
    v.setUint32(24, offs[2], le);
    v.setUint32(28, core.len, le);
  }
  subs.forEach((s, i) => s.write(out, v, ext.hdrLen + offs[i], le));
  return out;
}

interface Planned {
  kind: Kind;
  /** Subsection length in bytes; 0 when it has no blocks. */
  len: number;
  write(out: Uint8Array, v: DataView, at: number, le: boolean): void;
}

/** Validate a subsection before anything is allocated, and size it. */
function plan<R extends ExtraBytes>(codec: RecordCodec<R>, recSize: number, sections: BtfExtInfoSection<R>[]): Planned {
  const kind = codec.kind;
  const len = subsectionLen(sections, recSize);
  if (len === 0) return { kind, len, write: () => {} };
  if (!Number.isInteger(recSize) || recSize < codec.minSize || recSize % 4 !== 0 || recSize > 0xffffffff) {
    throw new BtfExtError(`${kind}: record size ${recSize} is not a multiple of 4 of at least ${codec.minSize}`, {
      section: kind,
    });
  }
  checkU32(len, `${kind} length`, { section: kind });
  const room = recSize - codec.minSize;
  const fields: number[][] = [];
  sections.forEach((sec, block) => {
    if (sec.records.length === 0) throw new BtfExtError(`${kind}: block #${block} has no records`, { section: kind });
    checkU32(sec.secNameOff, `${kind} block #${block} sec_name_off`, { section: kind });
    sec.records.forEach((r, record) => {
      const where = { section: kind, record };
      const f = codec.fields(r);
      f.forEach((n, k) => checkU32(n, `${kind} block #${block} field ${k}`, where));
      if (r.extra && r.extra.length !== room) {
        throw new BtfExtError(`${kind} block #${block}: ${r.extra.length} extra bytes, record size leaves ${room}`, where);
      }
      fields.push(f);
    });
  });
  const write = (out: Uint8Array, v: DataView, at: number, le: boolean) => {
    v.setUint32(at, recSize, le);
    let p = at + 4;
    let n = 0;
    for (const sec of sections) {
      v.setUint32(p, sec.secNameOff, le);
      v.setUint32(p + 4, sec.records.length, le);
      p += 8;
      for (const r of sec.records) {
        fields[n++].forEach((f, k) => v.setUint32(p + 4 * k, f, le));
        if (r.extra) out.set(r.extra, p + codec.minSize);
        p += recSize;
      }
    }
  };
  return { kind, len, write };
}

function checkU32(n: number, what: string, where: Where): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new BtfExtError(`${what} ${n} is not a u32`, where);
}

/**
 * Where the CO-RE subsection of the encoded `.BTF.ext` starts, and the byte
 * offset of each of its records, per block.
 */
export function coreRecordOffsets(ext: BtfExt): { start: number; records: number[][] } {
  // The subsections lie back to back after the header unless the decoded layout says otherwise.
  const length = (blocks: ReadonlyArray<{ records: unknown[] }>, recSize: number) =>
    blocks.length ? blocks.reduce((n, b) => n + 8 + b.records.length * recSize, 4) : 0;
  const coreOff = ext.layout?.coreReloOff ?? length(ext.funcInfo, ext.funcRecSize) + length(ext.lineInfo, ext.lineRecSize);
  const start = ext.hdrLen + coreOff;
  let p = start + 4; // past the rec_size word
  const records = ext.coreRelos.map((block) => {
    p += 8; // sec_name_off, num_info
    return block.records.map(() => {
      const at = p;
      p += ext.coreRecSize;
      return at;
    });
  });
  return { start, records };
}

/**
 * Refuses records that name a type id or string offset `btf` does not have,
 * as libbpf's `.BTF.ext` remapping fails on them, before anything (dedup's
 * id and string maps) follows them.
 */
export function checkExtReferences(ext: BtfExt, btf: Btf): void {
  const check = (kind: Kind, block: number, record: number | undefined, field: string, value: number, isType: boolean) => {
    const ok = isType ? value < btf.count : btf.strSource(value) !== undefined;
    if (ok) return;
    const what = isType ? `type id ${value}, past the last id ${btf.count - 1}` : `string offset ${value}, outside the string section`;
    const rec = record === undefined ? "" : ` record #${record}`;
    throw new BtfExtError(`${kind} block #${block}${rec}: ${field} is ${what}`, { section: kind, record });
  };
  const blocks = <R>(kind: Kind, sections: BtfExtInfoSection<R>[], each: (r: R, block: number, record: number) => void) =>
    sections.forEach((sec, block) => {
      check(kind, block, undefined, "sec_name_off", sec.secNameOff, false);
      sec.records.forEach((r, record) => each(r, block, record));
    });
  blocks(FUNC.kind, ext.funcInfo, (r, b, i) => check(FUNC.kind, b, i, "type_id", r.typeId, true));
  blocks(LINE.kind, ext.lineInfo, (r, b, i) => {
    check(LINE.kind, b, i, "file_name_off", r.fileNameOff, false);
    check(LINE.kind, b, i, "line_off", r.lineOff, false);
  });
  blocks(CORE.kind, ext.coreRelos, (r, b, i) => {
    check(CORE.kind, b, i, "type_id", r.typeId, true);
    check(CORE.kind, b, i, "access_str_off", r.accessStrOff, false);
  });
}
