/**
 * Model -> bytes. Writes the header, the type records and the string section
 * (and the 7.1 layout section when one is given) in the canonical layout
 * libbpf writes: types at offset 0, then layout, then strings.
 */
import { BtfError } from "../errors.js";
import { BTF_HEADER_LEN, BTF_HEADER_LEN_LAYOUT, BTF_MAGIC, HOST_LITTLE_ENDIAN } from "./btf.js";
import {
  BTF_KIND_ARRAY,
  BTF_KIND_DATASEC,
  BTF_KIND_DECL_TAG,
  BTF_KIND_ENUM,
  BTF_KIND_ENUM64,
  BTF_KIND_FLOAT,
  BTF_KIND_FUNC,
  BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD,
  BTF_KIND_INT,
  BTF_KIND_PTR,
  BTF_KIND_STRUCT,
  BTF_KIND_TYPE_TAG,
  BTF_KIND_UNION,
  BTF_KIND_VAR,
  kindNumber,
  makeInfo,
  recordWords,
} from "./kinds.js";
import type { StringTable } from "./strings.js";
import type { BtfType } from "./types.js";

/** How to encode BTF: byte order, header length, layout section, version and flags. */
export interface EncodeOptions {
  /** Output byte order; little-endian by default. */
  littleEndian?: boolean;
  /** Layout section (7.1+): when present the header is 32 bytes. */
  layout?: Uint8Array;
  /** 24, or 32 for the 7.1 header (implied by `layout`; without one, layout_off/len are 0). */
  headerLength?: 24 | 32;
  version?: number;
  flags?: number;
}

/** Size in bytes of a type's record. */
export function recordSize(t: BtfType): number {
  return t.kind === "unknown" ? 12 + t.data.length : 4 * recordWords(kindNumber(t.kind), elementCount(t));
}

/** The vlen of a decoded type: how many members, values, parameters or section variables it lists. */
function elementCount(t: BtfType): number {
  switch (t.kind) {
    case "struct":
    case "union":
      return t.members.length;
    case "enum":
    case "enum64":
      return t.values.length;
    case "func_proto":
      return t.params.length;
    case "datasec":
      return t.vars.length;
    default:
      return 0;
  }
}

class Writer {
  private p = 0;
  constructor(
    private readonly view: DataView,
    private readonly le: boolean,
  ) {}
  u32(v: number): void {
    this.view.setUint32(this.p, v >>> 0, this.le);
    this.p += 4;
  }
  common(nameOff: number, info: number, third: number): void {
    this.u32(nameOff);
    this.u32(info);
    this.u32(third);
  }
  bytes(b: Uint8Array): void {
    new Uint8Array(this.view.buffer, this.view.byteOffset + this.p, b.length).set(b);
    this.p += b.length;
  }
  get pos(): number {
    return this.p;
  }
}

function checkU32(v: number, what: string, index: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new BtfError(`${what} ${v} does not fit in 32 bits`, { record: index });
  }
}

function writeType(w: Writer, t: BtfType, strings: StringTable, index: number): void {
  const name = (s: string) => strings.add(s);
  switch (t.kind) {
    case "int":
      w.common(name(t.name), makeInfo(BTF_KIND_INT, 0, false), t.size);
      w.u32(((t.encoding & 0x0f) << 24) | ((t.bitOffset & 0xff) << 16) | (t.bits & 0xff));
      return;
    case "ptr":
      w.common(0, makeInfo(BTF_KIND_PTR, 0, false), t.type);
      return;
    case "array":
      w.common(0, makeInfo(BTF_KIND_ARRAY, 0, false), 0);
      w.u32(t.type);
      w.u32(t.indexType);
      w.u32(t.nelems);
      return;
    case "struct":
    case "union": {
      const kind = t.kind === "struct" ? BTF_KIND_STRUCT : BTF_KIND_UNION;
      w.common(name(t.name), makeInfo(kind, t.members.length, t.kflag), t.size);
      for (const m of t.members) {
        w.u32(name(m.name));
        w.u32(m.type);
        if (t.kflag) {
          if (m.bitOffset > 0xffffff || m.bitfieldSize > 0xff) {
            throw new BtfError(`member '${m.name}' bit offset/size does not fit the kflag encoding`, { record: index });
          }
          w.u32(((m.bitfieldSize << 24) | m.bitOffset) >>> 0);
        } else {
          if (m.bitfieldSize) throw new BtfError(`member '${m.name}' is a bitfield but kflag is clear`, { record: index });
          checkU32(m.bitOffset, "member bit offset", index);
          w.u32(m.bitOffset);
        }
      }
      return;
    }
    case "enum":
      w.common(name(t.name), makeInfo(BTF_KIND_ENUM, t.values.length, t.signed), t.size);
      for (const v of t.values) {
        w.u32(name(v.name));
        w.u32(v.value);
      }
      return;
    case "enum64":
      w.common(name(t.name), makeInfo(BTF_KIND_ENUM64, t.values.length, t.signed), t.size);
      for (const v of t.values) {
        const u = BigInt.asUintN(64, v.value);
        w.u32(name(v.name));
        w.u32(Number(u & 0xffffffffn));
        w.u32(Number(u >> 32n));
      }
      return;
    case "fwd":
      w.common(name(t.name), makeInfo(BTF_KIND_FWD, 0, t.union), 0);
      return;
    case "typedef":
    case "volatile":
    case "const":
    case "restrict":
      w.common(name(t.name), makeInfo(kindNumber(t.kind), 0, false), t.type);
      return;
    case "type_tag":
      w.common(name(t.name), makeInfo(BTF_KIND_TYPE_TAG, 0, t.kflag), t.type);
      return;
    case "func":
      w.common(name(t.name), makeInfo(BTF_KIND_FUNC, t.linkage, false), t.type);
      return;
    case "func_proto":
      w.common(0, makeInfo(BTF_KIND_FUNC_PROTO, t.params.length, false), t.returnType);
      for (const p of t.params) {
        w.u32(name(p.name));
        w.u32(p.type);
      }
      return;
    case "var":
      w.common(name(t.name), makeInfo(BTF_KIND_VAR, 0, false), t.type);
      w.u32(t.linkage);
      return;
    case "datasec":
      w.common(name(t.name), makeInfo(BTF_KIND_DATASEC, t.vars.length, false), t.size);
      for (const v of t.vars) {
        w.u32(v.type);
        w.u32(v.offset);
        w.u32(v.size);
      }
      return;
    case "float":
      w.common(name(t.name), makeInfo(BTF_KIND_FLOAT, 0, false), t.size);
      return;
    case "decl_tag":
      w.common(name(t.name), makeInfo(BTF_KIND_DECL_TAG, 0, t.kflag), t.type);
      w.u32(t.componentIdx);
      return;
    case "unknown":
      // Records are whole 32-bit words; anything else would misalign every later section.
      if (t.data.length % 4 !== 0) {
        throw new BtfError(`kind ${t.kindNumber} record data is ${t.data.length} bytes, not a multiple of 4`, { record: index });
      }
      w.common(name(t.name), t.info, t.sizeOrType);
      w.bytes(t.data);
      return;
  }
}

/**
 * Encodes types (ids `startId`, `startId + 1`, ...) and their strings. Names
 * are added to `strings` as they are met, so new strings land in libbpf's
 * order and existing ones keep their offsets.
 */
export function encodeBtf(types: readonly BtfType[], strings: StringTable, opts: EncodeOptions = {}): Uint8Array {
  const le = opts.littleEndian ?? true;
  let typeLen = 0;
  for (const t of types) typeLen += recordSize(t);
  const typeBuf = new Uint8Array(typeLen);
  const tw = new Writer(new DataView(typeBuf.buffer), le);
  types.forEach((t, i) => writeType(tw, t, strings, i));

  const str = strings.bytes();
  const layout = opts.layout;
  const hdrLen = layout || opts.headerLength === BTF_HEADER_LEN_LAYOUT ? BTF_HEADER_LEN_LAYOUT : BTF_HEADER_LEN;
  const layoutLen = layout?.length ?? 0;
  const out = new Uint8Array(hdrLen + typeLen + layoutLen + str.length);
  writeHeader(out, { littleEndian: le, hdrLen, version: opts.version ?? 1, flags: opts.flags ?? 0 }, typeLen, layoutLen, str.length, !!layout);
  out.set(typeBuf, hdrLen);
  if (layout) out.set(layout, hdrLen + typeLen);
  out.set(str, hdrLen + typeLen + layoutLen);
  return out;
}

/** Header fields of a blob written from words: libbpf keeps the input's header length, version and flags. */
export interface WordsHeader {
  littleEndian: boolean;
  /** 24, 32 (its layout words zero), or any longer length a source blob had. */
  hdrLen: number;
  version: number;
  flags: number;
}

/**
 * A blob from a type section of host-order words (records already final)
 * and a string section, for passes that rewrite records in place (dedup,
 * module merge).
 */
export function encodeWords(words: Int32Array | Uint32Array, strings: Uint8Array, header: WordsHeader): Uint8Array {
  const { littleEndian, hdrLen } = header;
  const typeLen = 4 * words.length;
  const out = new Uint8Array(hdrLen + typeLen + strings.length);
  writeHeader(out, header, typeLen, 0, strings.length, false);
  if (littleEndian === HOST_LITTLE_ENDIAN) out.set(new Uint8Array(words.buffer, words.byteOffset, typeLen), hdrLen);
  else {
    const view = new DataView(out.buffer);
    for (let k = 0; k < words.length; k++) view.setUint32(hdrLen + 4 * k, words[k], littleEndian);
  }
  out.set(strings, hdrLen + typeLen);
  return out;
}

/** Magic, version, flags and section offsets: types first, then the layout section if any, then strings. */
function writeHeader(out: Uint8Array, h: WordsHeader, typeLen: number, layoutLen: number, strLen: number, hasLayout: boolean): void {
  const view = new DataView(out.buffer, out.byteOffset);
  view.setUint16(0, BTF_MAGIC, h.littleEndian);
  out[2] = h.version;
  out[3] = h.flags;
  const fields = [h.hdrLen, 0, typeLen, typeLen + layoutLen, strLen];
  if (h.hdrLen >= BTF_HEADER_LEN_LAYOUT) fields.push(hasLayout ? typeLen : 0, layoutLen);
  fields.forEach((v, i) => view.setUint32(4 + 4 * i, v, h.littleEndian));
}
