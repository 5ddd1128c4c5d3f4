/**
 * The `.BTF.ext` listing: every record of the CO-RE corpus checked against
 * clang's own assembly listing of the section (instruction offsets from the
 * assembler's labels), text and JSON listing the same records over arbitrary
 * sections, and typed, bounded failures on corrupt or hostile input.
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BtfBuilder } from "../../src/btf/builder.js";
import { dumpExt, dumpExtChunks, type ExtDumpOptions } from "../../src/btf/dump-ext.js";
import { coreReloKindName, encodeBtfExt, type BtfExt, type BtfExtInfoSection } from "../../src/btf/ext.js";
import { BpfObject } from "../../src/btf/object.js";
import { outputLimit } from "../../src/btf/sink.js";
import { SHT_PROGBITS } from "../../src/elf/constants.js";
import { BtfError, BtfExtError, BtfkitError } from "../../src/errors.js";
import { coreObjects } from "../helpers/core-oracle.js";
import { buildElf } from "../helpers/elf-builder.js";
import { CACHE, oracle, run, writeCacheFile } from "../helpers/env.js";

type Sub = "func_info" | "line_info" | "core_relo";
/** One listed record, with the fields the JSON gives it (the text parsed into the same names). */
type Rec = { section: string; sub: Sub } & Record<string, string | number>;

function fromJson(json: string): Rec[] {
  const doc = JSON.parse(json) as { sections: Array<{ name: string } & Record<Sub, Array<Record<string, string | number>>>> };
  return doc.sections.flatMap((s) =>
    (["func_info", "line_info", "core_relo"] as const).flatMap((sub) => s[sub].map((r) => ({ section: s.name, sub, ...r }))),
  );
}

const TEXT_RECORD: Record<Sub, { re: RegExp; fields: string[] }> = {
  func_info: { re: /^ {4}insn #(\d+): \[(\d+)\] (\S+) '(.*)'$/, fields: ["insn", "type_id", "type_kind", "type_name"] },
  line_info: {
    re: /^ {4}insn #(\d+): ; (.*) \[file:(.*) line_num:(\d+) line_col:(\d+)\]$/,
    fields: ["insn", "src", "file", "line_num", "line_col"],
  },
  core_relo: {
    re: /^ {4}insn #(\d+): (\S+) \[(\d+)\] (\S+) '(.*)' access "(.*)"$/,
    fields: ["insn", "kind", "type_id", "type_kind", "type_name", "access"],
  },
};
const NUMERIC = new Set(["insn", "type_id", "line_num", "line_col"]);

/** Parses the text listing; throws on any line that is not part of its grammar. */
function fromText(text: string): Rec[] {
  const out: Rec[] = [];
  let section: string | undefined;
  let sub: Sub | undefined;
  const lines = text.split("\n");
  expect(lines.pop()).toBe("");
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if (line === "") sub = undefined;
    else if ((m = /^section '(.*)':$/.exec(line))) [section, sub] = [m[1], undefined];
    else if ((m = /^ {2}(func_info|line_info|core_relo):$/.exec(line))) sub = m[1] as Sub;
    else if (section !== undefined && sub && (m = TEXT_RECORD[sub].re.exec(line))) {
      const rec: Rec = { section, sub };
      TEXT_RECORD[sub].fields.forEach((f, i) => (rec[f] = NUMERIC.has(f) ? Number(m![i + 1]) : m![i + 1]));
      out.push(rec);
    } else throw new Error(`unexpected listing line: ${JSON.stringify(line)}`);
  }
  return out;
}

/** Records by section and subsection, order kept within each: the listing groups blocks by section. */
function grouped(recs: Rec[]): Record<string, Rec[]> {
  const out: Record<string, Rec[]> = {};
  for (const r of recs) (out[`${r.section} ${r.sub}`] ??= []).push(r);
  return out;
}

/** C's isspace(), which bpftool trims from the front of a source line. */
const ltrim = (s: string) => s.replace(/^[ \t\n\v\f\r]+/, "");

// ---------------------------------------------------------------------------
// Oracle: clang -S writes .BTF.ext as directives with comments naming each
// subsection, section string offset and line/column; .BTF's strings and type
// kinds are commented too. Instruction offsets are labels, whose addresses
// the assembler (llvm-mc, keeping temporary labels) gives.

interface AsmListing {
  strings: Map<number, string>;
  types: Map<number, { kind: string; nameOff: number }>;
  /** Records in file order, insn offsets still labels. */
  records: Array<{ sub: Sub; secOff: number; label: string; values: number[]; comment?: string }>;
}

/** Bytes of an assembler string literal (LLVM writes \\, \", \b \f \n \r \t and octal escapes). */
function asmString(line: string): string {
  const start = line.indexOf('"');
  const end = line.lastIndexOf('"');
  if (start < 0 || end === start) throw new Error(`no string literal in ${JSON.stringify(line)}`);
  const bytes: number[] = [];
  for (let i = start + 1; i < end; i++) {
    if (line[i] !== "\\") {
      bytes.push(line.charCodeAt(i));
      continue;
    }
    const c = line[++i];
    const oct = /^[0-7]{1,3}/.exec(line.slice(i));
    if (oct) {
      bytes.push(parseInt(oct[0], 8));
      i += oct[0].length - 1;
    } else bytes.push(({ b: 8, f: 12, n: 10, r: 13, t: 9 } as Record<string, number>)[c] ?? c.charCodeAt(0));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function parseAsm(asm: string): AsmListing {
  const listing: AsmListing = { strings: new Map(), types: new Map(), records: [] };
  const ext: Array<{ value: string; comment?: string }> = [];
  let section = "";
  for (const line of asm.split("\n")) {
    const sec = /^\s*\.(section\s+"?([^",\s]+)|text$|data$|bss$)/.exec(line);
    if (sec) {
      section = sec[2] ?? `.${sec[1]}`;
      continue;
    }
    const comment = /#\s*(.*?)\s*$/.exec(line)?.[1];
    if (section === ".BTF" && comment) {
      const str = /^string offset=(\d+)$/.exec(comment);
      // A one-byte string is written as `.byte C` (the empty string as `.byte 0`), longer ones as `.ascii`.
      const byte = /^\s*\.byte\s+(\d+)/.exec(line);
      if (str) listing.strings.set(Number(str[1]), byte ? (byte[1] === "0" ? "" : String.fromCharCode(Number(byte[1]))) : asmString(line));
      const type = /^BTF_KIND_(\w+)\(id = (\d+)\)$/.exec(comment);
      if (type) listing.types.set(Number(type[2]), { kind: type[1], nameOff: Number(/\.long\s+(\d+)/.exec(line)![1]) });
    }
    const dir = /^\s*\.(?:short|byte|long)\s+(\S+)/.exec(line);
    if (section === ".BTF.ext" && dir) ext.push({ value: dir[1], comment });
  }
  const widths: Record<Sub, number> = { func_info: 2, line_info: 4, core_relo: 4 };
  for (let i = 0; i < ext.length; i++) {
    const block = /^(FuncInfo|LineInfo|Field reloc) section string offset=(\d+)$/.exec(ext[i].comment ?? "");
    if (!block) continue;
    const sub: Sub = block[1] === "FuncInfo" ? "func_info" : block[1] === "LineInfo" ? "line_info" : "core_relo";
    const n = Number(ext[i + 1].value);
    const w = widths[sub];
    for (let k = 0; k < n; k++) {
      const rec = ext.slice(i + 2 + k * w, i + 2 + (k + 1) * w);
      listing.records.push({ sub, secOff: Number(block[2]), label: rec[0].value, values: rec.slice(1).map((t) => Number(t.value)), comment: rec[w - 1].comment });
    }
    i += 1 + n * w;
  }
  return listing;
}

/** `clang -S` of the object's source (clangBpf leaves it beside the object) and the labels' sections and addresses, cached beside it. */
function assembly(obj: { path: string; clang: string }): { asm: string; labels: Map<string, { section: string; addr: number }> } {
  const key = path.join(CACHE, "ext-asm", path.basename(obj.path, ".o"));
  if (!fs.existsSync(`${key}.syms`)) {
    const asm = run(obj.clang, ["-g", "-O2", "-target", "bpf", "-target", "bpfel", "-S", obj.path.replace(/\.o$/, ".c"), "-o", "-"]);
    writeCacheFile(`${key}.s`, asm);
    const mc = obj.clang === "clang-16" ? "llvm-mc-16" : "llvm-mc";
    run(mc, ["-triple", "bpfel", "-filetype=obj", "--save-temp-labels", `${key}.s`, "-o", `${key}.o`]);
    writeCacheFile(`${key}.syms`, run("llvm-objdump", ["-t", `${key}.o`]));
  }
  const labels = new Map<string, { section: string; addr: number }>();
  for (const line of fs.readFileSync(`${key}.syms`, "utf8").split("\n")) {
    const m = /^([0-9a-f]+) .{7} (\S+)\t[0-9a-f]+ (\S+)$/.exec(line);
    if (m) labels.set(m[3], { section: m[2], addr: parseInt(m[1], 16) });
  }
  return { asm: fs.readFileSync(`${key}.s`, "utf8"), labels };
}

/** What the listing must say of each record, from the assembly alone (kind names aside: libbpf's names of the kind numbers). */
function expectedRecords(obj: { path: string; clang: string }): Rec[] {
  const { asm, labels } = assembly(obj);
  const { strings, types, records } = parseAsm(asm);
  const str = (off: number) => {
    expect(strings.has(off), `string offset ${off}`).toBe(true);
    return strings.get(off)!;
  };
  const type = (id: number) => ({ type_id: id, type_kind: types.get(id)!.kind, type_name: str(types.get(id)!.nameOff) || "(anon)" });
  return records.map(({ sub, secOff, label, values, comment }) => {
    const section = str(secOff);
    const at = labels.get(label)!;
    expect(at.section, `${label} of ${sub}`).toBe(section);
    expect(at.addr % 8).toBe(0);
    const head = { section, sub, insn: at.addr / 8 };
    if (sub === "func_info") return { ...head, ...type(values[0]) };
    if (sub === "core_relo") return { ...head, kind: coreReloKindName(values[2]), ...type(values[0]), access: str(values[1]) };
    const [, line, col] = /^Line (\d+) Col (\d+)$/.exec(comment!)!;
    return { ...head, file: str(values[0]), line_num: Number(line), line_col: Number(col), src: ltrim(str(values[1])) };
  });
}

const haveAsmOracle = oracle("clang") && oracle("llvm-mc") && oracle("llvm-objdump") && (!oracle("clang-16") || oracle("llvm-mc-16"));

describe.skipIf(!haveAsmOracle)("every record agrees with clang's assembly listing", () => {
  const objects = coreObjects();
  it("the corpus has func_info, line_info and CO-RE records", () => {
    const all = objects.flatMap((o) => expectedRecords(o));
    for (const sub of ["func_info", "line_info", "core_relo"]) expect(all.filter((r) => r.sub === sub).length).toBeGreaterThan(100);
  });
  for (const obj of objects) {
    it(obj.label, () => {
      const o = BpfObject.open(new Uint8Array(fs.readFileSync(obj.path)));
      const want = grouped(expectedRecords(obj));
      expect(grouped(fromJson(dumpExt(o, { format: "json" })))).toEqual(want);
      expect(grouped(fromText(dumpExt(o)))).toEqual(want);
    });
  }
});

// ---------------------------------------------------------------------------
// Arbitrary objects.

/** Printable ASCII with a backslash, a tab and other control bytes, which the JSON listing escapes as standard JSON does. */
const text = (minLength = 0) =>
  fc.string({ unit: fc.constantFrom(..."\t\x01\x1f\\ !\"#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~ abcxyz"), minLength, maxLength: 16 });
const ident = fc.stringMatching(/^[a-z_][a-z0-9_]{0,7}$/);
const insn = fc.nat(1 << 20);

const sectionArb = fc.record({
  name: text(1),
  func: fc.array(fc.record({ insn, type: fc.nat() }), { maxLength: 4 }),
  line: fc.array(fc.record({ insn, file: text(), src: text(), line: fc.nat((1 << 22) - 1), col: fc.nat(1023) }), { maxLength: 4 }),
  core: fc.array(fc.record({ insn, type: fc.nat(), access: text(), kind: fc.nat(14) }), { maxLength: 4 }),
});
type SectionModel = typeof sectionArb extends fc.Arbitrary<infer T> ? T : never;
const modelArb = fc.record({ sections: fc.array(sectionArb, { minLength: 1, maxLength: 3 }), typeNames: fc.array(ident, { minLength: 1, maxLength: 4 }) });

/** An ELF with `.BTF` (an int, a prototype, then FUNCs and STRUCTs of the given names) and, unless `ext` is null, `.BTF.ext`. */
function objectBytes(b: BtfBuilder, ext: Uint8Array | null): { bytes: Uint8Array; extAt: number } {
  const sections = [{ name: ".BTF", type: SHT_PROGBITS, data: b.encode() }];
  if (ext) sections.push({ name: ".BTF.ext", type: SHT_PROGBITS, data: ext });
  const elf = buildElf({ is64: true, le: true, sections });
  return { bytes: elf.bytes, extAt: elf.dataOff[2] };
}

function buildModel(m: { sections: SectionModel[]; typeNames: string[] }): { b: BtfBuilder; ext: BtfExt } {
  const b = new BtfBuilder();
  const int = b.add({ kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 });
  const proto = b.add({ kind: "func_proto", returnType: int, params: [] });
  m.typeNames.forEach((name, i) =>
    b.add(i % 2 ? { kind: "struct", name, size: 4, kflag: false, members: [{ name: "x", type: int, bitOffset: 0, bitfieldSize: 0 }] } : { kind: "func", name, type: proto, linkage: 1 }),
  );
  const count = b.nextId;
  const blocks = <R>(pick: (s: SectionModel) => R[]): BtfExtInfoSection<R>[] =>
    m.sections.filter((s) => pick(s).length).map((s) => ({ secNameOff: b.addString(s.name), records: pick(s) }));
  const ext: BtfExt = {
    littleEndian: true,
    hdrLen: 32,
    funcRecSize: 8,
    lineRecSize: 16,
    coreRecSize: 16,
    funcInfo: blocks((s) => s.func.map((r) => ({ insnOff: r.insn * 8, typeId: r.type % count }))),
    lineInfo: blocks((s) => s.line.map((r) => ({ insnOff: r.insn * 8, fileNameOff: b.addString(r.file), lineOff: b.addString(r.src), lineCol: r.line * 1024 + r.col }))),
    coreRelos: blocks((s) => s.core.map((r) => ({ insnOff: r.insn * 8, typeId: r.type % count, accessStrOff: b.addString(r.access), kind: r.kind }))),
  };
  return { b, ext };
}

const nonEmpty = (m: { sections: SectionModel[] }) => m.sections.some((s) => s.func.length + s.line.length + s.core.length > 0);

/** A dump as text, streamed through dumpExtChunks, checked against dumpExt. */
function streamed(o: BpfObject, opts: ExtDumpOptions): string {
  const chunks: Buffer[] = [];
  dumpExtChunks(o, opts, (c) => chunks.push(Buffer.from(c)));
  const s = Buffer.concat(chunks).toString("utf8");
  expect(s).toBe(dumpExt(o, opts));
  return s;
}

describe("text and JSON list the same records", () => {
  it("over arbitrary sections, names, lines and access strings", () => {
    fc.assert(
      fc.property(modelArb.filter(nonEmpty), (m) => {
        const { b, ext } = buildModel(m);
        const o = BpfObject.open(objectBytes(b, encodeBtfExt(ext)).bytes);
        const json = fromJson(streamed(o, { format: "json" }));
        expect(fromText(streamed(o, {}))).toEqual(json);
        expect(fromJson(dumpExt(o, { format: "json", pretty: true }))).toEqual(json);
        // And they are the model's records, with the referenced types named.
        const types = [undefined, "int", undefined, ...m.typeNames];
        const want = m.sections.flatMap((s) => [
          ...s.func.map((r) => ({ section: s.name, sub: "func_info", insn: r.insn, type_id: r.type % types.length, type_name: types[r.type % types.length] ?? "(anon)" })),
          ...s.line.map((r) => ({ section: s.name, sub: "line_info", insn: r.insn, file: r.file, src: ltrim(r.src), line_num: r.line, line_col: r.col })),
          ...s.core.map((r) => ({ section: s.name, sub: "core_relo", insn: r.insn, kind: coreReloKindName(r.kind), type_id: r.type % types.length, type_name: types[r.type % types.length] ?? "(anon)", access: r.access })),
        ]);
        const got = json.map(({ type_kind: _k, ...r }) => r);
        expect(grouped(got as Rec[])).toEqual(grouped(want as Rec[]));
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------
// Corrupt and hostile input.

const sample = fc.sample(modelArb.filter((m) => m.sections.every((s) => s.func.length && s.line.length && s.core.length)), { numRuns: 1, seed: 14 })[0];

/** Runs both formats; a failure must be a typed error, and output stays within the dumps' limit. */
function dumpsTypedOrOk(bytes: Uint8Array): void {
  for (const format of ["text", "json"] as const) {
    try {
      const o = BpfObject.open(bytes);
      const out = dumpExt(o, { format });
      expect(out.length).toBeLessThanOrEqual(outputLimit({ bytes, base: o.btf }));
    } catch (e) {
      if (!(e instanceof BtfkitError)) throw e;
    }
  }
}

describe("corrupt .BTF.ext", () => {
  const { b, ext } = buildModel(sample);
  const data = encodeBtfExt(ext);

  it("a byte changed anywhere gives a listing or a typed error", () => {
    const { bytes, extAt } = objectBytes(b, data);
    fc.assert(
      fc.property(fc.nat(data.length - 1), fc.nat(255), (i, v) => {
        const mutated = bytes.slice();
        mutated[extAt + i] = v;
        dumpsTypedOrOk(mutated);
      }),
      { numRuns: 300 },
    );
  });

  it("a truncated section gives a listing or a typed error", () => {
    for (let n = 0; n < data.length; n++) dumpsTypedOrOk(objectBytes(b, data.subarray(0, n)).bytes);
  });

  const fails = (e: BtfExt | null, message: RegExp) => {
    const o = BpfObject.open(objectBytes(b, e && encodeBtfExt(e)).bytes);
    for (const format of ["text", "json"] as const) {
      expect(() => dumpExt(o, { format })).toThrow(BtfExtError);
      expect(() => dumpExtChunks(o, { format }, () => {})).toThrow(message);
    }
  };
  const withCore = (patch: Partial<BtfExt["coreRelos"][0]["records"][0]>): BtfExt => ({
    ...ext,
    coreRelos: ext.coreRelos.map((s) => ({ ...s, records: s.records.map((r, i) => (i ? r : { ...r, ...patch })) })),
  });

  it("no .BTF.ext", () => fails(null, /object has no \.BTF\.ext section/));
  it("a type id past the last type", () => fails(withCore({ typeId: 999 }), /core_relo block #0 record #0: type_id is type id 999, past the last id/));
  it("a string offset outside .BTF", () => fails(withCore({ accessStrOff: 1 << 20 }), /access_str_off is string offset 1048576, outside the string section/));
  it("an insn_off between instructions", () => fails(withCore({ insnOff: 12 }), /core_relo block #0 record #0: insn_off 12 is not a multiple of the 8-byte instruction size/));
});

describe("output is bounded", () => {
  it("records quoting one long source line hit the dumps' output limit, in bounded chunks", () => {
    const b = new BtfBuilder();
    const lineOff = b.addString("x".repeat(1 << 16));
    const file = b.addString("f.c");
    const records = Array.from({ length: 4096 }, (_, i) => ({ insnOff: i * 8, fileNameOff: file, lineOff, lineCol: 1024 }));
    const data = encodeBtfExt({ littleEndian: true, hdrLen: 32, funcRecSize: 8, lineRecSize: 16, coreRecSize: 16, funcInfo: [], lineInfo: [{ secNameOff: file, records }], coreRelos: [] });
    const o = BpfObject.open(objectBytes(b, data).bytes);
    const limit = outputLimit({ bytes: data, base: o.btf });
    // 4096 quotes of 64 KiB would be 256 MiB: far past the limit.
    expect(4096 << 16).toBeGreaterThan(limit);
    for (const format of ["text", "json"] as const) {
      let written = 0;
      let largest = 0;
      expect(() =>
        dumpExtChunks(o, { format }, (c) => {
          written += c.length;
          largest = Math.max(largest, c.length);
        }),
      ).toThrow(BtfError);
      expect(() => dumpExt(o, { format })).toThrow(/the dump would exceed/);
      expect(written).toBeLessThanOrEqual(limit);
      expect(largest).toBeLessThanOrEqual(2 << 20);
    }
  });
});
