/**
 * A listing of an object's `.BTF.ext`: per ELF section, its func_info,
 * line_info and CO-RE relocation records, with the names, file names, source
 * lines and access strings they point at in `.BTF` resolved. Instruction
 * offsets, stored in bytes, are shown as instruction indexes as bpftool shows
 * them. Text for people, JSON for tools; strings are copied out of the string
 * section undecoded, as the other dumps copy them.
 */
import { BtfExtError } from "../errors.js";
import type { Btf } from "./btf.js";
import { displayName } from "./dump-raw.js";
import { checkExtReferences, coreReloKindName, lineInfoColumn, lineInfoLine, type BtfExt, type CoreRelo, type FuncInfo, type LineInfo } from "./ext.js";
import { JsonWriter } from "./json-writer.js";
import { kindName } from "./kinds.js";
import { BPF_INSN_SIZE, type BpfObject } from "./object.js";
import { collectDump, streamDump, type ByteSink } from "./sink.js";

/** Options of {@link dumpExt}. */
export interface ExtDumpOptions {
  /** `"text"` (the default) or `"json"`. */
  format?: "text" | "json";
  /** With `format: "json"`: indented, as bpftool's `-p`. */
  pretty?: boolean;
}

/** The records of one ELF section, from every block that names it. */
interface SectionRecords {
  nameOff: number;
  funcInfo: FuncInfo[];
  lineInfo: LineInfo[];
  coreRelos: CoreRelo[];
}

/**
 * Groups the blocks of the three subsections by section name offset, in the
 * order sections first appear, so each program's records read together.
 */
function bySection(ext: BtfExt): SectionRecords[] {
  const sections = new Map<number, SectionRecords>();
  const get = (nameOff: number) => {
    let s = sections.get(nameOff);
    if (!s) sections.set(nameOff, (s = { nameOff, funcInfo: [], lineInfo: [], coreRelos: [] }));
    return s;
  };
  for (const b of ext.funcInfo) get(b.secNameOff).funcInfo.push(...b.records);
  for (const b of ext.lineInfo) get(b.secNameOff).lineInfo.push(...b.records);
  for (const b of ext.coreRelos) get(b.secNameOff).coreRelos.push(...b.records);
  return [...sections.values()];
}

/**
 * The object's decoded `.BTF.ext`, refused when a record points outside
 * `.BTF` or between instructions (a load would fail on either), so that
 * every record printed has a name and an instruction index.
 */
function checkedExt(obj: BpfObject): BtfExt {
  const ext = obj.ext;
  if (!ext) throw new BtfExtError("object has no .BTF.ext section (clang writes one for BPF programs built with -g)", { section: ".BTF.ext" });
  checkExtReferences(ext, obj.btf);
  const aligned = (kind: string, blocks: ReadonlyArray<{ records: ReadonlyArray<{ insnOff: number }> }>) =>
    blocks.forEach((b, block) =>
      b.records.forEach((r, record) => {
        if (r.insnOff % BPF_INSN_SIZE === 0) return;
        throw new BtfExtError(`${kind} block #${block} record #${record}: insn_off ${r.insnOff} is not a multiple of the ${BPF_INSN_SIZE}-byte instruction size`, { section: kind, record });
      }),
    );
  aligned("func_info", ext.funcInfo);
  aligned("line_info", ext.lineInfo);
  aligned("core_relo", ext.coreRelos);
  return ext;
}

/** `pos` moved past leading C whitespace (isspace), which bpftool trims from source lines. */
function trimmedPos(src: Uint8Array, pos: number): number {
  while (pos < src.length && (src[pos] === 0x20 || (src[pos] >= 0x09 && src[pos] <= 0x0d))) pos++;
  return pos;
}

// --- text ----------------------------------------------------------------------------

/** `'name'`, copied undecoded; `(anon)` / `(invalid)` as the raw dump prints them. */
function writeQuoted(btf: Btf, off: number, out: ByteSink): void {
  out.byte(0x27);
  if (off === 0 || !btf.writeStr(off, out)) out.text(displayName(btf, off));
  out.byte(0x27);
}

/** `[id] KIND 'name'`, as the raw dump starts a type's line. */
function writeTypeRef(btf: Btf, id: number, out: ByteSink): void {
  out.byte(0x5b);
  out.uint(id);
  out.text("] ");
  out.text(kindName(btf.kindNumber(id)));
  out.byte(0x20);
  writeQuoted(btf, btf.nameOff(id), out);
}

function writeInsn(insnOff: number, out: ByteSink): void {
  out.text("    insn #");
  out.uint(insnOff / BPF_INSN_SIZE);
  out.text(": ");
}

function writeText(btf: Btf, ext: BtfExt, out: ByteSink): void {
  bySection(ext).forEach((sec, i) => {
    if (i > 0) out.byte(0x0a);
    out.text("section ");
    writeQuoted(btf, sec.nameOff, out);
    out.text(":\n");
    if (sec.funcInfo.length) out.text("  func_info:\n");
    for (const r of sec.funcInfo) {
      writeInsn(r.insnOff, out);
      writeTypeRef(btf, r.typeId, out);
      out.byte(0x0a);
    }
    if (sec.lineInfo.length) out.text("  line_info:\n");
    for (const r of sec.lineInfo) {
      // bpftool prog dump's linum style: `; source [file:F line_num:L line_col:C]`.
      writeInsn(r.insnOff, out);
      out.text("; ");
      const src = btf.strSource(r.lineOff)!;
      out.cstr(src, trimmedPos(src, btf.strPos(r.lineOff)));
      out.text(" [file:");
      btf.writeStr(r.fileNameOff, out);
      out.text(" line_num:");
      out.uint(lineInfoLine(r.lineCol));
      out.text(" line_col:");
      out.uint(lineInfoColumn(r.lineCol));
      out.text("]\n");
    }
    if (sec.coreRelos.length) out.text("  core_relo:\n");
    for (const r of sec.coreRelos) {
      writeInsn(r.insnOff, out);
      out.text(coreReloKindName(r.kind));
      out.byte(0x20);
      writeTypeRef(btf, r.typeId, out);
      out.text(' access "');
      btf.writeStr(r.accessStrOff, out);
      out.text('"\n');
    }
  });
}

// --- JSON ----------------------------------------------------------------------------

/** A string of `.BTF` (its offset checked by checkedExt), copied undecoded. */
function stringField(w: JsonWriter, btf: Btf, key: string, off: number, trim = false): void {
  w.name(key);
  const src = btf.strSource(off)!;
  const pos = btf.strPos(off);
  w.stringAt(src, trim ? trimmedPos(src, pos) : pos);
}

/** A name as the text shows it: `(anon)` for offset 0. */
function nameField(w: JsonWriter, btf: Btf, key: string, off: number): void {
  if (off === 0 || !btf.strSource(off)) w.stringField(key, displayName(btf, off));
  else stringField(w, btf, key, off);
}

function typeFields(w: JsonWriter, btf: Btf, id: number): void {
  w.numberField("type_id", id);
  w.stringField("type_kind", kindName(btf.kindNumber(id)));
  nameField(w, btf, "type_name", btf.nameOff(id));
}

function records<R extends { insnOff: number }>(w: JsonWriter, key: string, recs: R[], fields: (r: R) => void): void {
  w.name(key);
  w.startArray();
  for (const r of recs) {
    w.startObject();
    w.numberField("insn", r.insnOff / BPF_INSN_SIZE);
    fields(r);
    w.endObject();
  }
  w.endArray();
}

function writeJson(btf: Btf, ext: BtfExt, pretty: boolean, out: ByteSink): void {
  const w = new JsonWriter(out, pretty, "json");
  w.startObject();
  w.name("sections");
  w.startArray();
  for (const sec of bySection(ext)) {
    w.startObject();
    nameField(w, btf, "name", sec.nameOff);
    records(w, "func_info", sec.funcInfo, (r) => typeFields(w, btf, r.typeId));
    records(w, "line_info", sec.lineInfo, (r) => {
      stringField(w, btf, "file", r.fileNameOff);
      w.numberField("line_num", lineInfoLine(r.lineCol));
      w.numberField("line_col", lineInfoColumn(r.lineCol));
      stringField(w, btf, "src", r.lineOff, true);
    });
    records(w, "core_relo", sec.coreRelos, (r) => {
      w.stringField("kind", coreReloKindName(r.kind));
      typeFields(w, btf, r.typeId);
      stringField(w, btf, "access", r.accessStrOff);
    });
    w.endObject();
  }
  w.endArray();
  w.endObject();
  w.finish();
}

// --- entry points --------------------------------------------------------------------

/** What to write, and the input the output limit is reckoned from: `.BTF.ext` and `.BTF`, as each record can quote a whole source line. */
function plan(obj: BpfObject, opts: ExtDumpOptions): { input: Parameters<typeof collectDump>[0]; write: (out: ByteSink) => void } {
  const ext = checkedExt(obj);
  const input = { bytes: obj.elf.section(".BTF.ext")!.data, base: obj.btf };
  const write = opts.format === "json" ? (out: ByteSink) => writeJson(obj.btf, ext, opts.pretty ?? false, out) : (out: ByteSink) => writeText(obj.btf, ext, out);
  return { input, write };
}

/**
 * The `.BTF.ext` listing of {@link dumpExt}, handed to `write` as UTF-8 in
 * chunks as it is produced (a chunk is valid only until `write` returns), so
 * a large object's listing is never held whole. Throws as dumpExt does.
 */
export function dumpExtChunks(obj: BpfObject, opts: ExtDumpOptions, write: (chunk: Uint8Array) => void): void {
  const p = plan(obj, opts);
  streamDump(p.input, write, p.write);
}

/**
 * Lists the func_info, line_info and CO-RE relocation records of an object's
 * `.BTF.ext`, per ELF section, with instruction indexes (byte offset / 8).
 *
 * Text (the default), one line per record:
 * ```text
 * section 'kprobe/sys_foo':
 *   func_info:
 *     insn #0: [5] FUNC 'sys_foo'
 *   line_info:
 *     insn #0: ; int pid = t->pid; [file:/src/prog.bpf.c line_num:12 line_col:12]
 *   core_relo:
 *     insn #1: byte_off [6] STRUCT 'task_struct' access "0:1"
 * ```
 * line_info is in bpftool prog dump's `linum` style (the source line, leading
 * whitespace trimmed, then file, line and column); CO-RE kinds have libbpf's
 * log names. With `format: "json"`: `{"sections":[{"name", "func_info":
 * [{"insn", "type_id", "type_kind", "type_name"}], "line_info": [{"insn",
 * "file", "line_num", "line_col", "src"}], "core_relo": [{"insn", "kind",
 * "type_id", "type_kind", "type_name", "access"}]}]}`, in standard JSON
 * (unlike the bpftool-compatible dumps, a backslash is `\\`).
 *
 * @throws BtfExtError when the object has no `.BTF.ext`, when the section is
 *   malformed, or when a record names a type or string `.BTF` lacks or an
 *   offset between instructions.
 * @throws BtfError when the listing would exceed the output limit of every
 *   dump (a hostile section asking for far more output than its size).
 */
export function dumpExt(obj: BpfObject, opts: ExtDumpOptions = {}): string {
  const p = plan(obj, opts);
  // A 16-byte line_info record lists as about 80 bytes of text.
  return new TextDecoder().decode(collectDump(p.input, p.input.bytes.length * 8, p.write));
}
