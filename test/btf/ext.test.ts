/**
 * .BTF.ext codec: byte-identical round trips of clang and libbpf-linker
 * output, records checked against clang's own assembly listing, ELF
 * relocations, symbols and source lines, properties over arbitrary models and
 * layouts, and typed errors for malformed input.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Btf } from "../../src/btf/btf.js";
import {
  BTF_EXT_HEADER_LEN,
  CORE_RELO_MIN_REC_SIZE,
  CoreReloKind,
  FUNC_INFO_MIN_REC_SIZE,
  LINE_INFO_MIN_REC_SIZE,
  coreReloKindName,
  decodeBtfExt,
  encodeBtfExt,
  lineInfoColumn,
  lineInfoLine,
  parseAccessString,
  type BtfExt,
  type BtfExtInfoSection,
  type BtfExtLayout,
  type CoreRelo,
  type FuncInfo,
  type LineInfo,
} from "../../src/btf/ext.js";
import { BTF_KIND_FUNC, BTF_KIND_TYPEDEF } from "../../src/btf/kinds.js";
import { SHT_REL, STT_FUNC, parseElf, type ElfFile } from "../../src/elf/index.js";
import { BtfExtError } from "../../src/errors.js";
import { bpfObjects, bpfSources } from "../helpers/corpus.js";
import { CACHE, clangBpf, oracle, run } from "../helpers/env.js";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const read = (p: string) => new Uint8Array(fs.readFileSync(p));

interface Loaded {
  elf: ElfFile;
  btf: Btf;
  data: Uint8Array;
  ext: BtfExt;
}

function load(file: string): Loaded | undefined {
  const elf = parseElf(read(file));
  const sec = elf.section(".BTF.ext");
  if (!sec) return undefined;
  return { elf, btf: Btf.parse(elf.section(".BTF")!.data), data: sec.data, ext: decodeBtfExt(sec.data) };
}

const totalRecords = <R>(secs: BtfExtInfoSection<R>[]) => secs.reduce((n, s) => n + s.records.length, 0);

/** File offset, within .BTF.ext, of every record's insn_off field, with its block's section name offset. */
function insnOffFields(ext: BtfExt): Array<{ at: number; secNameOff: number }> {
  const out: Array<{ at: number; secNameOff: number }> = [];
  let p = ext.hdrLen;
  const walk = <R>(secs: BtfExtInfoSection<R>[], recSize: number) => {
    if (secs.length === 0) return;
    p += 4;
    for (const s of secs) {
      p += 8;
      for (let i = 0; i < s.records.length; i++, p += recSize) out.push({ at: p, secNameOff: s.secNameOff });
    }
  };
  walk(ext.funcInfo, ext.funcRecSize);
  walk(ext.lineInfo, ext.lineRecSize);
  walk(ext.coreRelos, ext.coreRecSize);
  return out;
}

// ---------------------------------------------------------------------------
// clang's assembly listing of .BTF.ext as an independent oracle.

type Token = number | "label";

interface AsmExt {
  tokens: Token[];
  /** "Line L Col C" comments clang writes next to each line_col value. */
  lineCols: Array<{ value: number; line: number; col: number }>;
}

/** The .BTF.ext directives of `clang -S` for the source an object was built from. */
function clangAsmExt(objPath: string, clang: string, target: string): AsmExt {
  // clangBpf leaves the source next to the object; compiling that same path keeps file-name string offsets equal.
  const src = objPath.replace(/\.o$/, ".c");
  const asm = run(clang, ["-g", "-O2", "-target", "bpf", "-target", target, "-S", src, "-o", "-"]).toString("utf8");
  const tokens: Token[] = [];
  const lineCols: AsmExt["lineCols"] = [];
  let inExt = false;
  for (const line of asm.split("\n")) {
    if (/^\s*\.section\s/.test(line) || /^\s*\.addrsig/.test(line)) {
      inExt = /^\s*\.section\s+\.BTF\.ext,/.test(line);
      continue;
    }
    if (!inExt) continue;
    const m = /^\s*\.(short|byte|long)\s+(\S+)(?:\s+#\s*(.*))?$/.exec(line);
    if (!m) continue;
    const value: Token = /^\d+$/.test(m[2]) ? Number(m[2]) : "label";
    tokens.push(value);
    const lc = m[3] && /^Line (\d+) Col (\d+)$/.exec(m[3]);
    if (lc && typeof value === "number") lineCols.push({ value, line: Number(lc[1]), col: Number(lc[2]) });
  }
  return { tokens, lineCols };
}

/** Our decoded model as the same token stream: header from the raw bytes, records from the model. */
function tokensOf(ext: BtfExt, data: Uint8Array): Token[] {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = ext.littleEndian;
  const out: Token[] = [v.getUint16(0, le), data[2], data[3]];
  for (let o = 4; o < ext.hdrLen; o += 4) out.push(v.getUint32(o, le));
  const sub = <R>(recSize: number, secs: BtfExtInfoSection<R>[], fields: (r: R) => number[], always: boolean) => {
    if (secs.length === 0 && !always) return;
    out.push(recSize);
    for (const s of secs) {
      out.push(s.secNameOff, s.records.length);
      for (const r of s.records) out.push("label", ...fields(r));
    }
  };
  // clang writes the func_info and line_info record sizes even with no records; core_relo only with some.
  sub(ext.funcRecSize, ext.funcInfo, (r: FuncInfo) => [r.typeId], true);
  sub(ext.lineRecSize, ext.lineInfo, (r: LineInfo) => [r.fileNameOff, r.lineOff, r.lineCol], true);
  sub(ext.coreRecSize, ext.coreRelos, (r: CoreRelo) => [r.typeId, r.accessStrOff, r.kind], false);
  return out;
}

describe.skipIf(!oracle("clang"))("clang-built .BTF.ext", () => {
  const objects = bpfObjects();
  const withExt = objects.filter((o) => load(o.path));

  it("most corpus objects carry .BTF.ext", () => {
    expect(withExt.length).toBeGreaterThanOrEqual(16);
  });

  for (const obj of withExt) {
    describe(obj.label, () => {
      const { elf, btf, data, ext } = load(obj.path)!;

      it("re-encodes byte for byte", () => {
        expect(ext.layout).toBeUndefined();
        expect(ext.hdrLen).toBe(BTF_EXT_HEADER_LEN);
        expect(ext.littleEndian).toBe(obj.label.includes("bpfel"));
        expect([ext.funcRecSize, ext.lineRecSize, ext.coreRecSize]).toEqual([FUNC_INFO_MIN_REC_SIZE, LINE_INFO_MIN_REC_SIZE, CORE_RELO_MIN_REC_SIZE]);
        expect(sha256(encodeBtfExt(ext))).toBe(sha256(data));
      });

      it("matches clang's assembly listing", () => {
        const [, clang, target] = /\((\S+), (\S+)\)$/.exec(obj.label)!;
        const asm = clangAsmExt(obj.path, clang, target);
        expect(tokensOf(ext, data)).toEqual(asm.tokens);
        const ours = ext.lineInfo.flatMap((s) => s.records).map((r) => ({ value: r.lineCol, line: lineInfoLine(r.lineCol), col: lineInfoColumn(r.lineCol) }));
        expect(ours).toEqual(asm.lineCols);
      });

      it("has one R_BPF_64_NODYLD32 relocation per insn_off, against the block's section", () => {
        const relSec = elf.sections.find((s) => s.type === SHT_REL && elf.sections[s.info].name === ".BTF.ext")!;
        const syms = elf.symbols(elf.sections[relSec.link]);
        const relocs = elf.relocations(relSec);
        const fields = insnOffFields(ext);
        expect(relocs.map((r) => Number(r.offset))).toEqual(fields.map((f) => f.at));
        relocs.forEach((r, i) => {
          const target = elf.sections[syms[r.symbol].shndx];
          expect(target.name).toBe(btf.str(fields[i].secNameOff));
        });
      });

      it("points func_info at the functions' symbols and BTF FUNC types", () => {
        for (const block of ext.funcInfo) {
          const sec = elf.section(btf.str(block.secNameOff)!)!;
          const funcs = elf.symbols().filter((s) => s.type === STT_FUNC && s.shndx === sec.index);
          const byOffset = new Map(funcs.map((s) => [Number(s.value), s.name]));
          expect(block.records.map((r) => r.insnOff).sort((a, b) => a - b)).toEqual([...byOffset.keys()].sort((a, b) => a - b));
          for (const r of block.records) {
            expect(btf.kindNumber(r.typeId)).toBe(BTF_KIND_FUNC);
            expect(btf.name(r.typeId)).toBe(byOffset.get(r.insnOff));
          }
        }
      });

      it("line_info names the source file and quotes the source line", () => {
        const lines = fs.readFileSync(obj.path.replace(/\.o$/, ".c"), "utf8").split("\n");
        for (const block of ext.lineInfo) {
          const size = elf.section(btf.str(block.secNameOff)!)!.size;
          for (const r of block.records) {
            expect(r.insnOff % 8).toBe(0);
            expect(r.insnOff).toBeLessThan(size);
            expect(btf.str(r.fileNameOff)).toBe(obj.path.replace(/\.o$/, ".c"));
            expect(btf.str(r.lineOff)).toBe(lines[lineInfoLine(r.lineCol) - 1]);
          }
        }
      });

      it("core_relo access strings parse and name real types", () => {
        for (const block of ext.coreRelos) {
          const size = elf.section(btf.str(block.secNameOff)!)!.size;
          for (const r of block.records) {
            expect(r.insnOff % 8).toBe(0);
            expect(r.insnOff).toBeLessThan(size);
            expect(btf.hasType(r.typeId)).toBe(true);
            const spec = parseAccessString(btf.str(r.accessStrOff)!);
            if (r.kind === CoreReloKind.ENUMVAL_EXISTS || r.kind === CoreReloKind.ENUMVAL_VALUE) {
              // The one component is the enumerator's index.
              expect(spec).toHaveLength(1);
              let id = r.typeId;
              while (btf.kindNumber(id) === BTF_KIND_TYPEDEF) id = btf.sizeOrType(id);
              expect(spec[0]).toBeLessThan(btf.vlen(id));
            } else if (r.kind >= CoreReloKind.TYPE_ID_LOCAL) {
              expect(spec).toEqual([0]);
            } else {
              expect(spec[0]).toBe(0);
            }
          }
        }
      });
    });
  }

  it("yields every CO-RE relocation kind the sources ask for", () => {
    const kinds = (name: string, clang = "clang") => {
      const src = bpfSources().find((s) => s.name === name)!.source;
      const { ext } = load(clangBpf(src, { clang, flags: ["-target", "bpfel"] }))!;
      return [...new Set(ext.coreRelos.flatMap((s) => s.records.map((r) => r.kind)))].sort((a, b) => a - b);
    };
    const K = CoreReloKind;
    expect(kinds("ext/core_fields.c")).toEqual([K.FIELD_BYTE_OFFSET, K.FIELD_BYTE_SIZE, K.FIELD_EXISTS, K.FIELD_SIGNED, K.FIELD_LSHIFT_U64, K.FIELD_RSHIFT_U64]);
    expect(kinds("ext/core_types.c")).toEqual([
      K.FIELD_BYTE_OFFSET,
      K.TYPE_ID_LOCAL,
      K.TYPE_ID_TARGET,
      K.TYPE_EXISTS,
      K.TYPE_SIZE,
      K.ENUMVAL_EXISTS,
      K.ENUMVAL_VALUE,
    ]);
    expect(kinds("ext/no_core.c")).toEqual([]);
    if (oracle("clang-16")) expect(kinds("ext/core_match.c", "clang-16")).toEqual([K.FIELD_BYTE_OFFSET, K.TYPE_MATCHES]);
  });

  it("mutated .BTF.ext decodes or throws BtfExtError, and what decodes re-encodes stably", () => {
    for (const target of ["bpfel", "bpfeb"]) {
      const src = bpfSources().find((s) => s.name === "ext/core_fields.c")!.source;
      const { data } = load(clangBpf(src, { flags: ["-target", target] }))!;
      checkMutations(data, target === "bpfel", 1000);
    }
  });
});

describe.skipIf(!oracle("clang") || !oracle("bpftool"))("libbpf linker output (bpftool gen object)", () => {
  it("round-trips and keeps every record of its inputs", () => {
    const names = ["ext/core_fields.c", "ext/no_core.c"];
    // bpftool 7.1 (libbpf 1.1) links only host-endian objects.
    const inputs = names.map((n) => clangBpf(bpfSources().find((s) => s.name === n)!.source, { flags: ["-target", "bpfel"] }));
    const out = path.join(CACHE, "objects", `linked-${sha256(new TextEncoder().encode(inputs.join(":"))).slice(0, 16)}.o`);
    if (!fs.existsSync(out)) run("bpftool", ["gen", "object", out, ...inputs]);
    const linked = load(out)!;
    expect(sha256(encodeBtfExt(linked.ext))).toBe(sha256(linked.data));
    const parts = inputs.map((p) => load(p)!.ext);
    const sum = (f: (e: BtfExt) => BtfExtInfoSection<unknown>[]) => parts.reduce((n, e) => n + totalRecords(f(e)), 0);
    expect(totalRecords(linked.ext.funcInfo)).toBe(sum((e) => e.funcInfo));
    expect(totalRecords(linked.ext.lineInfo)).toBe(sum((e) => e.lineInfo));
    expect(totalRecords(linked.ext.coreRelos)).toBe(sum((e) => e.coreRelos));
    // Both inputs have .text; the linker merges those blocks.
    const secNames = linked.ext.funcInfo.map((s) => linked.btf.str(s.secNameOff));
    expect(new Set(secNames).size).toBe(secNames.length);
    expect(secNames).toContain(".text");
  });
});

// ---------------------------------------------------------------------------
// Properties over arbitrary models.

const u32 = fc.integer({ min: 0, max: 0xffffffff });

function withExtra<T extends object>(fields: fc.Arbitrary<T>, extraLen: number): fc.Arbitrary<T & { extra?: Uint8Array }> {
  if (extraLen === 0) return fields;
  return fc.tuple(fields, fc.uint8Array({ minLength: extraLen, maxLength: extraLen })).map(([f, extra]) => ({ ...f, extra }));
}

/** A subsection: its record size (minimum + 0..12) and blocks of records carrying that many extra bytes. */
function subsection<R extends object>(min: number, fields: fc.Arbitrary<R>, allowEmpty = true) {
  return fc.integer({ min: 0, max: 3 }).chain((k) =>
    fc
      .array(fc.record({ secNameOff: u32, records: fc.array(withExtra(fields, 4 * k), { minLength: 1, maxLength: 4 }) }), {
        minLength: allowEmpty ? 0 : 1,
        maxLength: 3,
      })
      // An absent subsection decodes with the minimum record size.
      .map((sections) => ({ recSize: sections.length ? min + 4 * k : min, sections })),
  );
}

const funcArb = fc.record({ insnOff: u32, typeId: u32 });
const lineArb = fc.record({ insnOff: u32, fileNameOff: u32, lineOff: u32, lineCol: u32 });
const coreArb = fc.record({ insnOff: u32, typeId: u32, accessStrOff: u32, kind: u32 });

const modelArb: fc.Arbitrary<BtfExt> = fc
  .record({
    littleEndian: fc.boolean(),
    hdrLen: fc.constantFrom(24, 28, 32, 32, 36, 64),
    func: subsection(FUNC_INFO_MIN_REC_SIZE, funcArb),
    line: subsection(LINE_INFO_MIN_REC_SIZE, lineArb),
    core: subsection(CORE_RELO_MIN_REC_SIZE, coreArb),
  })
  .map(({ littleEndian, hdrLen, func, line, core }) => {
    const noCore = hdrLen < BTF_EXT_HEADER_LEN;
    return {
      littleEndian,
      hdrLen,
      funcRecSize: func.recSize,
      lineRecSize: line.recSize,
      coreRecSize: noCore ? CORE_RELO_MIN_REC_SIZE : core.recSize,
      funcInfo: func.sections,
      lineInfo: line.sections,
      coreRelos: noCore ? [] : core.sections,
    };
  })
  .filter((m) => m.funcInfo.length + m.lineInfo.length + m.coreRelos.length > 0);

/** Subsection lengths as the header of the canonical encoding states them. */
function lengths(bytes: Uint8Array, le: boolean, hdrLen: number): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  return [v.getUint32(12, le), v.getUint32(20, le), hdrLen >= BTF_EXT_HEADER_LEN ? v.getUint32(28, le) : 0];
}

describe("encode/decode properties", () => {
  it("any model survives encode -> decode unchanged", () => {
    fc.assert(
      fc.property(modelArb, (m) => {
        const bytes = encodeBtfExt(m);
        const back = decodeBtfExt(bytes);
        expect(back).toEqual(m);
        expect(back.layout).toBeUndefined();
        expect(encodeBtfExt(back)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it("any layout (order, gaps, trailing bytes, empty-subsection offsets) is reproduced byte for byte", () => {
    const layoutArb = modelArb.chain((m) =>
      fc.record({
        m: fc.constant(m),
        order: fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
        gaps: fc.array(fc.integer({ min: 0, max: 3 }).map((g) => g * 4), { minLength: 3, maxLength: 3 }),
        emptyOffs: fc.array(u32, { minLength: 3, maxLength: 3 }),
        trailing: fc.integer({ min: 0, max: 9 }),
      }),
    );
    fc.assert(
      fc.property(layoutArb, ({ m, order, gaps, emptyOffs, trailing }) => {
        const len = lengths(encodeBtfExt(m), m.littleEndian, m.hdrLen);
        const offs = [0, 0, 0];
        let pos = 0;
        for (const i of order) {
          if (len[i] === 0) {
            offs[i] = emptyOffs[i];
            continue;
          }
          pos += gaps[i];
          offs[i] = pos;
          pos += len[i];
        }
        const layout: BtfExtLayout = { funcInfoOff: offs[0], lineInfoOff: offs[1], coreReloOff: offs[2], size: m.hdrLen + pos + trailing };
        const bytes = encodeBtfExt({ ...m, layout });
        const back = decodeBtfExt(bytes);
        expect({ ...back, layout: undefined }).toEqual(m);
        expect(encodeBtfExt(back)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it("a decoded model whose records change re-encodes canonically once its layout is dropped", () => {
    const m: BtfExt = {
      ...sampleModel(),
      layout: { funcInfoOff: 200, lineInfoOff: 100, coreReloOff: 0, size: 400 },
    };
    const back = decodeBtfExt(encodeBtfExt(m));
    expect(back.layout).toEqual(m.layout);
    back.funcInfo[0].records.push({ insnOff: 64, typeId: 9 });
    delete back.layout;
    const canonical = decodeBtfExt(encodeBtfExt(back));
    expect(canonical.layout).toBeUndefined();
    expect(canonical.funcInfo[0].records).toHaveLength(3);
  });

  it("mutated synthetic .BTF.ext decodes or throws BtfExtError", () => {
    for (const le of [true, false]) checkMutations(encodeBtfExt({ ...sampleModel(), littleEndian: le }), le, 2000);
  });
});

/**
 * Overwrite u32s and bytes (favouring the header and boundary values), then
 * decode. Success must be stable: re-encoding gives a model that decodes the
 * same, unless its subsections overlap, which the encoder refuses.
 */
function checkMutations(data: Uint8Array, le: boolean, numRuns: number): void {
  const len = data.length;
  const value = fc.oneof(fc.constantFrom(0, 1, 3, 4, 8, 16, 0xffffffff, 0x80000000, len, len - 32, len + 4), u32);
  const mut = fc.record({
    at: fc.oneof(fc.integer({ min: 0, max: 8 }).map((i) => i * 4), fc.integer({ min: 0, max: len - 4 })),
    value,
    byte: fc.boolean(),
  });
  const outcomes = new Set<string>();
  fc.assert(
    fc.property(fc.array(mut, { minLength: 1, maxLength: 4 }), fc.oneof({ arbitrary: fc.constant(len), weight: 4 }, { arbitrary: fc.nat({ max: len }), weight: 1 }), (muts, keep) => {
      const b = data.slice();
      const v = new DataView(b.buffer);
      for (const m of muts) {
        if (m.byte) b[m.at] = m.value & 0xff;
        else v.setUint32(m.at, m.value >>> 0, le);
      }
      let decoded: BtfExt;
      try {
        decoded = decodeBtfExt(b.subarray(0, keep));
      } catch (e) {
        if (!(e instanceof BtfExtError)) throw e;
        outcomes.add("error");
        return;
      }
      outcomes.add("ok");
      let again: Uint8Array;
      try {
        again = encodeBtfExt(decoded);
      } catch (e) {
        if (!(e instanceof BtfExtError) || !/overlaps/.test(e.message)) throw e;
        return;
      }
      expect(decodeBtfExt(again)).toEqual(decoded);
    }),
    { numRuns },
  );
  expect(outcomes).toEqual(new Set(["ok", "error"]));
}

// ---------------------------------------------------------------------------
// Malformed input and invalid models.

/** func_info 1 block x 2, line_info 1 block x 2, core_relo 2 blocks x 1: 156 bytes, offsets listed below. */
function sampleModel(): BtfExt {
  return {
    littleEndian: true,
    hdrLen: 32,
    funcRecSize: 8,
    lineRecSize: 16,
    coreRecSize: 16,
    funcInfo: [{ secNameOff: 1, records: [{ insnOff: 0, typeId: 3 }, { insnOff: 40, typeId: 4 }] }],
    lineInfo: [{ secNameOff: 1, records: [{ insnOff: 0, fileNameOff: 5, lineOff: 9, lineCol: (7 << 10) | 3 }, { insnOff: 8, fileNameOff: 5, lineOff: 20, lineCol: 8 << 10 }] }],
    coreRelos: [
      { secNameOff: 1, records: [{ insnOff: 8, typeId: 2, accessStrOff: 30, kind: 0 }] },
      { secNameOff: 40, records: [{ insnOff: 16, typeId: 2, accessStrOff: 34, kind: 9 }] },
    ],
  };
}

// Byte offsets in encodeBtfExt(sampleModel()).
const AT = {
  funcOff: 8,
  funcLen: 12,
  lineOff: 16,
  lineLen: 20,
  coreOff: 24,
  coreLen: 28,
  funcRecSize: 32,
  funcNum: 40,
  lineRecSize: 60,
  coreRecSize: 104,
  coreNum1: 136,
  end: 156,
};

function expectExtError(bytes: Uint8Array, message: RegExp): BtfExtError {
  let caught: unknown;
  try {
    decodeBtfExt(bytes);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(BtfExtError);
  expect((caught as Error).message).toMatch(message);
  return caught as BtfExtError;
}

function patch(edit: (v: DataView, b: Uint8Array) => void, model = sampleModel()): Uint8Array {
  const b = encodeBtfExt(model);
  edit(new DataView(b.buffer), b);
  return b;
}

describe("decodeBtfExt", () => {
  it("decodes the sample model at the documented offsets", () => {
    const b = encodeBtfExt(sampleModel());
    expect(b.length).toBe(AT.end);
    const v = new DataView(b.buffer);
    expect([v.getUint32(AT.funcOff, true), v.getUint32(AT.funcLen, true), v.getUint32(AT.lineOff, true), v.getUint32(AT.lineLen, true)]).toEqual([0, 28, 28, 44]);
    expect([v.getUint32(AT.coreOff, true), v.getUint32(AT.coreLen, true)]).toEqual([72, 52]);
    expect(v.getUint32(AT.coreNum1, true)).toBe(1);
    expect(decodeBtfExt(b)).toEqual(sampleModel());
  });

  it("reads either byte order", () => {
    const be = encodeBtfExt({ ...sampleModel(), littleEndian: false });
    expect([...be.subarray(0, 8)]).toEqual([0xeb, 0x9f, 1, 0, 0, 0, 0, 32]);
    expect(decodeBtfExt(be)).toEqual({ ...sampleModel(), littleEndian: false });
  });

  it("reads a 24-byte header as having no CO-RE relocations", () => {
    const m = { ...sampleModel(), hdrLen: 24, coreRelos: [] };
    const b = encodeBtfExt(m);
    expect(b.length).toBe(24 + 28 + 44);
    expect(decodeBtfExt(b)).toEqual(m);
  });

  it("keeps extra record bytes", () => {
    const m = sampleModel();
    m.lineRecSize = 24;
    m.lineInfo[0].records.forEach((r, i) => (r.extra = new Uint8Array(8).fill(i + 1)));
    expect(decodeBtfExt(encodeBtfExt(m))).toEqual(m);
    // Absent extra bytes encode as zeros.
    delete m.lineInfo[0].records[0].extra;
    expect(decodeBtfExt(encodeBtfExt(m)).lineInfo[0].records[0].extra).toEqual(new Uint8Array(8));
  });

  it("rejects bad headers", () => {
    const ok = encodeBtfExt(sampleModel());
    expectExtError(ok.subarray(0, 7), /7 bytes, too short for a header/);
    expectExtError(patch((_v, b) => (b[0] = 0x12)), /bad \.BTF\.ext magic/);
    expect(expectExtError(patch((_v, b) => (b[2] = 2)), /unsupported \.BTF\.ext version 2/).where).toEqual({ section: "header", offset: 2 });
    expectExtError(patch((_v, b) => (b[3] = 1)), /unsupported \.BTF\.ext flags 0x1/);
    expectExtError(patch((v) => v.setUint32(4, 20, true)), /hdr_len 20 is shorter than 24/);
    expectExtError(patch((v) => v.setUint32(4, 1000, true)), /hdr_len 1000 is past the end of the 156-byte section/);
    expectExtError(ok.subarray(0, 32), /header but no data/);
  });

  it("rejects bad subsections, naming them", () => {
    const e1 = expectExtError(patch((v) => v.setUint32(AT.funcOff, 2, true)), /^func_info: offset 2 is not a multiple of 4/);
    expect(e1.where).toEqual({ section: "func_info", offset: AT.funcOff });
    expectExtError(patch((v) => v.setUint32(AT.lineLen, 0x10000, true)), /^line_info: subsection \(off 28, len 65536\) extends past the end of the 156-byte section/);
    expectExtError(patch((v) => v.setUint32(AT.coreOff, 0xfffffffc, true)), /^core_relo: subsection .* extends past the end/);
    expectExtError(patch((v) => v.setUint32(AT.funcLen, 2, true)), /^func_info: length 2 has no room for the record size/);
    const e2 = expectExtError(patch((v) => v.setUint32(AT.funcRecSize, 4, true)), /^func_info: record size 4 is not a multiple of 4 of at least 8/);
    expect(e2.where).toEqual({ section: "func_info", offset: AT.funcRecSize });
    expectExtError(patch((v) => v.setUint32(AT.lineRecSize, 18, true)), /^line_info: record size 18/);
    expectExtError(patch((v) => v.setUint32(AT.coreRecSize, 12, true)), /^core_relo: record size 12/);
    expectExtError(patch((v) => v.setUint32(AT.funcLen, 4, true)), /^func_info: subsection has a record size but no records/);
  });

  it("rejects bad blocks, naming the block and offset", () => {
    expectExtError(patch((v) => v.setUint32(AT.funcLen, 8, true)), /^func_info: block #0 header is truncated \(4 bytes left\)/);
    const zero = expectExtError(patch((v) => v.setUint32(AT.funcNum, 0, true)), /^func_info: block #0 has num_info 0/);
    expect(zero.where).toEqual({ section: "func_info", offset: AT.funcNum });
    const huge = expectExtError(patch((v) => v.setUint32(AT.coreNum1, 0xffffffff, true)), /^core_relo: block #1: 4294967295 records of 16 bytes exceed the 16 bytes left/);
    expect(huge.where).toEqual({ section: "core_relo", offset: AT.coreNum1 });
    // Blocks must use the length up exactly: 4 spare bytes are a truncated block header.
    const longer = encodeBtfExt(sampleModel());
    const grown = new Uint8Array(longer.length + 4);
    grown.set(longer);
    new DataView(grown.buffer).setUint32(AT.coreLen, 56, true);
    expectExtError(grown, /^core_relo: block #2 header is truncated \(4 bytes left\)/);
    // Fewer records than the length holds: the spare record is read as the next block's header.
    expectExtError(patch((v) => v.setUint32(AT.funcNum, 1, true)), /^func_info: block #1: 4 records of 8 bytes exceed the 0 bytes left/);
  });

  it("never trusts a count beyond the data", () => {
    for (const n of [0x7fffffff, 0xffffffff, 0x10000000]) {
      expectExtError(patch((v) => v.setUint32(AT.funcNum, n, true)), /exceed the \d+ bytes left/);
    }
  });
});

describe("encodeBtfExt rejects models it cannot write", () => {
  const bad = (edit: (m: BtfExt) => void, message: RegExp) => {
    const m = sampleModel();
    edit(m);
    expect(() => encodeBtfExt(m)).toThrow(BtfExtError);
    expect(() => encodeBtfExt(m)).toThrow(message);
  };

  it("record sizes", () => {
    bad((m) => (m.funcRecSize = 4), /func_info: record size 4/);
    bad((m) => (m.lineRecSize = 18), /line_info: record size 18/);
    bad((m) => (m.coreRecSize = Number.NaN), /core_relo: record size NaN/);
  });

  it("blocks and fields", () => {
    bad((m) => (m.funcInfo[0].records = []), /func_info: block #0 has no records/);
    bad((m) => (m.lineInfo[0].records[1].lineCol = -1), /line_info block #0 field 3 -1 is not a u32/);
    bad((m) => (m.coreRelos[1].records[0].kind = 2 ** 32), /is not a u32/);
    bad((m) => (m.funcInfo[0].records[0].typeId = 1.5), /is not a u32/);
    bad((m) => (m.coreRelos[0].secNameOff = -3), /sec_name_off -3 is not a u32/);
    bad((m) => (m.funcInfo[0].records[0].extra = new Uint8Array(4)), /4 extra bytes, record size leaves 0/);
  });

  it("headers and layouts", () => {
    bad((m) => (m.hdrLen = 20), /hdrLen 20 is shorter than 24/);
    bad((m) => (m.hdrLen = 24), /no core_relo fields but there are CO-RE relocations/);
    bad((m) => {
      m.funcInfo = [];
      m.lineInfo = [];
      m.coreRelos = [];
    }, /nothing to encode/);
    bad((m) => (m.layout = { funcInfoOff: 0, lineInfoOff: 24, coreReloOff: 200, size: 400 }), /line_info: layout overlaps func_info/);
    bad((m) => (m.layout = { funcInfoOff: 2, lineInfoOff: 100, coreReloOff: 200, size: 400 }), /func_info: layout offset 2 is not a multiple of 4/);
    bad((m) => (m.layout = { funcInfoOff: 0, lineInfoOff: 28, coreReloOff: 72, size: 100 }), /layout size 100 is smaller than the 156 bytes needed/);
  });
});

describe("parseAccessString", () => {
  it("splits decimal indices", () => {
    expect(parseAccessString("0")).toEqual([0]);
    expect(parseAccessString("0:1:0:5")).toEqual([0, 1, 0, 5]);
    expect(parseAccessString("12:2147483647")).toEqual([12, 2147483647]);
    expect(parseAccessString(Array(64).fill("1").join(":"))).toHaveLength(64);
  });

  it("reads each component as glibc's sscanf(\"%d\") does, like libbpf", () => {
    expect(parseAccessString("-1")).toEqual([-1]);
    expect(parseAccessString("+1")).toEqual([1]);
    expect(parseAccessString(" 1:\t2")).toEqual([1, 2]);
    // A component starts where the previous one ended: a sign or white space also separates.
    expect(parseAccessString("1-2 3")).toEqual([1, -2, 3]);
    // Out of int range: the low 32 bits of the value, saturated to a long first.
    expect(parseAccessString("2147483648:4294967297")).toEqual([-2147483648, 1]);
    expect(parseAccessString("99999999999999999999:-99999999999999999999")).toEqual([-1, 0]);
  });

  it("rejects what libbpf rejects", () => {
    const where = { section: "core_relo", record: 3 };
    for (const [s, msg] of [
      ["", /empty CO-RE access string/],
      [":0", /starts with ':'/],
      ["0:", /component 1 \(""\) is not a decimal index/],
      ["0::1", /component 1/],
      ["0:a", /component 1 \("a"\)/],
      ["-", /component 0 \("-"\)/],
      ["1 ", /component 1 \(" "\)/],
      ["0x1", /component 1 \("x1"\)/],
      [Array(65).fill("0").join(":"), /65 components, more than 64/],
    ] as const) {
      let caught: unknown;
      try {
        parseAccessString(s, where);
      } catch (e) {
        caught = e;
      }
      expect(caught, JSON.stringify(s)).toBeInstanceOf(BtfExtError);
      expect((caught as Error).message).toMatch(msg);
      expect((caught as BtfExtError).where).toEqual(where);
    }
  });
});

describe("CO-RE relocation kinds", () => {
  it("have libbpf's numbers and names", () => {
    expect(Object.values(CoreReloKind)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Object.values(CoreReloKind).map(coreReloKindName)).toEqual([
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
    ]);
    expect(coreReloKindName(13)).toBe("unknown(13)");
  });

  it("line_col splits into line and column", () => {
    expect(lineInfoLine((123 << 10) | 45)).toBe(123);
    expect(lineInfoColumn((123 << 10) | 45)).toBe(45);
    expect(lineInfoLine(0xffffffff)).toBe(0x3fffff);
  });
});
