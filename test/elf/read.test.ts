/**
 * ELF reader: agreement with GNU readelf on clang-built objects (BPF in both
 * byte orders, module-like objects for nine architectures, extended section
 * numbering), exact decoding of hand-built ELF32/ELF64 files, and typed errors
 * for every kind of malformed input.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBtfExt } from "../../src/btf/ext.js";
import {
  EM_BPF,
  ET_REL,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHN_ABS,
  SHN_COMMON,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_PROGBITS,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
  STB_GLOBAL,
  STB_LOCAL,
  STB_WEAK,
  STT_FUNC,
  STT_OBJECT,
  STT_SECTION,
  STV_HIDDEN,
  isElf,
  parseElf,
  type ElfFile,
} from "../../src/elf/index.js";
import { BtfExtError, ElfError } from "../../src/errors.js";
import { bpfObjects, moduleObjects } from "../helpers/corpus.js";
import { buildElf, relocTable, strtab, symbolTable, type BuiltElf } from "../helpers/elf-builder.js";
import { CACHE, oracle, run } from "../helpers/env.js";
import { readelf } from "../helpers/readelf.js";

const read = (p: string) => new Uint8Array(fs.readFileSync(p));

// ---------------------------------------------------------------------------
// Differential: our view of an object rendered in readelf's terms.

const SECTION_TYPES: Record<number, string> = {
  0: "NULL",
  1: "PROGBITS",
  2: "SYMTAB",
  3: "STRTAB",
  4: "RELA",
  5: "HASH",
  6: "DYNAMIC",
  7: "NOTE",
  8: "NOBITS",
  9: "REL",
  11: "DYNSYM",
  14: "INIT_ARRAY",
  15: "FINI_ARRAY",
  17: "GROUP",
  18: "SYMTAB SECTION INDICES",
};

/** Processor-specific section type names, by `${e_machine}:${sh_type}`. */
const PROC_SECTION_TYPES: Record<string, string> = {
  "62:1879048193": "X86_64_UNWIND",
  "40:1879048193": "ARM_EXIDX",
  "40:1879048195": "ARM_ATTRIBUTES",
  "243:1879048195": "RISCV_ATTRIBUTES",
  "8:1879048198": "MIPS_REGINFO",
  "8:1879048222": "MIPS_DWARF",
  "8:1879048234": "MIPS_ABIFLAGS",
};

function typeName(type: number, machine: number): string {
  const known = SECTION_TYPES[type] ?? PROC_SECTION_TYPES[`${machine}:${type}`];
  if (known) return known;
  if (type >= 0x60000000 && type < 0x70000000) return `LOOS+0x${(type - 0x60000000).toString(16)}`;
  return `<unknown ${type}>`;
}

const FLAG_LETTERS: Array<[bigint, string]> = [
  [0x1n, "W"],
  [0x2n, "A"],
  [0x4n, "X"],
  [0x10n, "M"],
  [0x20n, "S"],
  [0x40n, "I"],
  [0x80n, "L"],
  [0x100n, "O"],
  [0x200n, "G"],
  [0x400n, "T"],
  [0x800n, "C"],
  [0x80000000n, "E"],
];

function flagLetters(flags: bigint): string {
  let out = "";
  let rest = flags;
  for (const [bit, letter] of FLAG_LETTERS) {
    if (flags & bit) out += letter;
    rest &= ~bit;
  }
  return rest ? `${out}?${rest.toString(16)}` : out;
}

const SYM_TYPES = ["NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE", "COMMON", "TLS"];
const SYM_BINDS = ["LOCAL", "GLOBAL", "WEAK"];
const SYM_VIS = ["DEFAULT", "INTERNAL", "HIDDEN", "PROTECTED"];

function ndxName(shndx: number): string {
  if (shndx === SHN_UNDEF) return "UND";
  if (shndx === SHN_ABS) return "ABS";
  if (shndx === SHN_COMMON) return "COM";
  return String(shndx);
}

/** Symbol name as readelf prints it: section symbols borrow their section's name. */
function displayName(elf: ElfFile, index: number, table = elf.symbols()): string {
  const s = table[index];
  return s.type === STT_SECTION && s.name === "" ? elf.sections[s.shndx].name : s.name;
}

const rowKey = (row: object) => JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? `${v}n` : v));

/** Row-by-row equality that stays fast for 65k-row tables and reports the first differing row. */
function expectSameRows(ours: object[], theirs: object[] | undefined, what: string): void {
  expect(theirs, what).toBeDefined();
  const n = Math.max(ours.length, theirs!.length);
  for (let i = 0; i < n; i++) {
    if (rowKey(ours[i] ?? {}) !== rowKey(theirs![i] ?? {})) expect(ours[i], `${what} row ${i}`).toEqual(theirs![i]);
  }
}

function compareWithReadelf(file: string): { sections: number; symbols: number; relocs: number } {
  const elf = parseElf(read(file));
  const re = readelf(file);

  expectSameRows(elf.sections.map((s) => ({
    index: s.index,
    nameAndType: [s.name, typeName(s.type, elf.machine)].filter(Boolean).join(" "),
    addr: s.addr,
    offset: s.offset,
    size: s.size,
    entsize: s.entsize,
    flags: flagLetters(s.flags),
    link: s.link,
    info: s.info,
    align: s.addralign,
  })), re.sections, "sections");

  const syms = elf.symbols();
  expectSameRows(syms.map((s) => ({
    index: s.index,
    value: s.value,
    size: s.size,
    type: SYM_TYPES[s.type],
    bind: SYM_BINDS[s.bind],
    vis: SYM_VIS[s.visibility],
    ndx: ndxName(s.shndx),
    name: displayName(elf, s.index),
  })), re.symbols, "symbols");

  let relocs = 0;
  const relSections = elf.sections.filter((s) => s.type === SHT_REL || s.type === SHT_RELA);
  expect(relSections.map((s) => s.name).sort()).toEqual([...re.relocs.keys()].sort());
  for (const sec of relSections) {
    const table = elf.symbols(elf.sections[sec.link]);
    const ours = elf.relocations(sec).map((r) => {
      const info = elf.is64 ? (BigInt(r.symbol) << 32n) | BigInt(r.type) : BigInt(((r.symbol << 8) | r.type) >>> 0);
      return {
        offset: r.offset,
        info,
        // readelf shows a nameless, non-section symbol as "<null>" here.
        ...(r.symbol !== 0 ? { symbol: displayName(elf, r.symbol, table) || "<null>" } : {}),
        ...(sec.type === SHT_RELA ? { addend: r.addend } : {}),
      };
    });
    expectSameRows(ours, re.relocs.get(sec.name), sec.name);
    relocs += ours.length;
  }
  return { sections: elf.sections.length, symbols: syms.length, relocs };
}

describe.skipIf(!oracle("clang") || !oracle("readelf"))("parseElf agrees with readelf", () => {
  for (const obj of bpfObjects()) {
    it(obj.label, () => {
      const n = compareWithReadelf(obj.path);
      expect(n.relocs).toBeGreaterThan(0);
      const elf = parseElf(read(obj.path));
      expect(elf.machine).toBe(EM_BPF);
      expect(elf.type).toBe(ET_REL);
      expect(elf.section(".BTF")?.type).toBe(SHT_PROGBITS);
      expect(elf.littleEndian).toBe(obj.label.includes("bpfel"));
    });
  }
  for (const obj of moduleObjects()) {
    it(obj.label, () => {
      const n = compareWithReadelf(obj.path);
      expect(n.symbols).toBeGreaterThan(10);
      expect(n.relocs).toBeGreaterThan(5);
    });
  }

  it("covers ELF32 and ELF64 in both byte orders, REL and RELA", () => {
    const kinds = new Set<string>();
    for (const obj of moduleObjects()) {
      const elf = parseElf(read(obj.path));
      const rel = elf.sections.find((s) => s.type === SHT_REL || s.type === SHT_RELA)!;
      kinds.add(`${elf.is64 ? 64 : 32}${elf.littleEndian ? "le" : "be"}-${rel.type === SHT_RELA ? "rela" : "rel"}`);
    }
    expect([...kinds].sort()).toEqual(["32be-rel", "32be-rela", "32le-rel", "64be-rela", "64le-rela"]);
  });

  it("reads extended section numbering (65,305 sections, SHN_XINDEX symbols)", () => {
    const count = 65300;
    let asm = "";
    for (let i = 0; i < count; i++) asm += `.section .s${i},"a"\n.globl sym${i}\nsym${i}:\n.byte ${i & 0xff}\n`;
    const key = createHash("sha256").update(asm).digest("hex").slice(0, 16);
    const dir = path.join(CACHE, "objects");
    const obj = path.join(dir, `${key}.o`);
    if (!fs.existsSync(obj)) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${key}.s`), asm);
      run("clang", ["-target", "x86_64-linux-gnu", "-c", path.join(dir, `${key}.s`), "-o", `${obj}.${process.pid}.tmp`]);
      fs.renameSync(`${obj}.${process.pid}.tmp`, obj);
    }
    const bytes = read(obj);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint16(60, true)).toBe(0); // e_shnum escaped
    const elf = parseElf(bytes);
    expect(elf.sections.length).toBeGreaterThan(0xff00);
    expect(elf.sections.some((s) => s.type === SHT_SYMTAB_SHNDX)).toBe(true);
    const last = elf.symbols().find((s) => s.name === `sym${count - 1}`)!;
    expect(elf.sections[last.shndx].name).toBe(`.s${count - 1}`);
    expect(elf.sections[last.shndx].data).toEqual(new Uint8Array([(count - 1) & 0xff]));
    compareWithReadelf(obj);
  });
});

// ---------------------------------------------------------------------------
// Hand-built files: exact field decoding without a compiler.

interface Sample {
  built: BuiltElf;
  is64: boolean;
  le: boolean;
}

/** .text, .data, .bss, .symtab, .strtab, .rel.text and .rela.data, with known contents. */
function sample(is64: boolean, le: boolean): Sample {
  const names = strtab(["prog", "counter", "weak_fn", "ext"]);
  const syms = symbolTable(is64, le, [
    { nameOff: 0 },
    { nameOff: 0, info: (STB_LOCAL << 4) | STT_SECTION, shndx: 1 },
    { nameOff: names.offsets[0], info: (STB_GLOBAL << 4) | STT_FUNC, shndx: 1, value: 8n, size: 16n },
    { nameOff: names.offsets[1], info: (STB_GLOBAL << 4) | STT_OBJECT, other: STV_HIDDEN, shndx: 2, size: 4n },
    { nameOff: names.offsets[2], info: (STB_WEAK << 4) | STT_FUNC, shndx: 1, value: 0x7fffffffn },
    { nameOff: names.offsets[3], info: STB_GLOBAL << 4, shndx: SHN_UNDEF },
    { nameOff: 0, shndx: SHN_ABS, value: 0xfffffff0n },
  ]);
  const symSize = is64 ? 24 : 16;
  const rel = relocTable(is64, le, false, [
    { offset: 0n, symbol: 5, type: 10 },
    { offset: 0x18n, symbol: 1, type: 1 },
    { offset: 0x20n, symbol: 0, type: 0 },
  ]);
  const rela = relocTable(is64, le, true, [
    { offset: 4n, symbol: 3, type: 2, addend: -4n },
    { offset: 8n, symbol: 2, type: 3, addend: 0x7fffffffn },
  ]);
  const built = buildElf({
    is64,
    le,
    sections: [
      { name: ".text", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, data: new Uint8Array(40).fill(0xaa), addralign: 8 },
      { name: ".data", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), addralign: 4 },
      { name: ".bss", type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, size: 4096, addralign: 8 },
      { name: ".symtab", type: SHT_SYMTAB, data: syms, link: 5, info: 2, entsize: symSize, addralign: 8 },
      { name: ".strtab", type: SHT_STRTAB, data: names.data, addralign: 1 },
      { name: ".rel.text", type: SHT_REL, data: rel, link: 4, info: 1, entsize: is64 ? 16 : 8 },
      { name: ".rela.data", type: SHT_RELA, data: rela, link: 4, info: 2, entsize: is64 ? 24 : 12 },
    ],
  });
  return { built, is64, le };
}

const VARIANTS = [
  [true, true],
  [true, false],
  [false, true],
  [false, false],
] as const;

describe("hand-built ELF files", () => {
  for (const [is64, le] of VARIANTS) {
    it(`decodes ELF${is64 ? 64 : 32} ${le ? "little" : "big"}-endian exactly`, () => {
      const { built } = sample(is64, le);
      expect(isElf(built.bytes)).toBe(true);
      const elf = parseElf(built.bytes);
      expect(elf.is64).toBe(is64);
      expect(elf.littleEndian).toBe(le);
      expect(elf.type).toBe(ET_REL);
      expect(elf.machine).toBe(EM_BPF);
      expect(elf.sections.map((s) => s.name)).toEqual(["", ".text", ".data", ".bss", ".symtab", ".strtab", ".rel.text", ".rela.data", ".shstrtab"]);
      const text = elf.section(".text")!;
      expect(text).toMatchObject({ index: 1, type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, size: 40, addralign: 8, offset: built.dataOff[1] });
      expect(text.data).toEqual(new Uint8Array(40).fill(0xaa));
      expect(text.data.buffer).toBe(built.bytes.buffer); // a view, not a copy
      const bss = elf.section(".bss")!;
      expect(bss.size).toBe(4096);
      expect(bss.data.length).toBe(0);
      expect(elf.section(".nope")).toBeUndefined();

      expect(elf.symbols()).toEqual([
        { index: 0, name: "", value: 0n, size: 0n, bind: 0, type: 0, visibility: 0, shndx: 0 },
        { index: 1, name: "", value: 0n, size: 0n, bind: STB_LOCAL, type: STT_SECTION, visibility: 0, shndx: 1 },
        { index: 2, name: "prog", value: 8n, size: 16n, bind: STB_GLOBAL, type: STT_FUNC, visibility: 0, shndx: 1 },
        { index: 3, name: "counter", value: 0n, size: 4n, bind: STB_GLOBAL, type: STT_OBJECT, visibility: STV_HIDDEN, shndx: 2 },
        { index: 4, name: "weak_fn", value: 0x7fffffffn, size: 0n, bind: STB_WEAK, type: STT_FUNC, visibility: 0, shndx: 1 },
        { index: 5, name: "ext", value: 0n, size: 0n, bind: STB_GLOBAL, type: 0, visibility: 0, shndx: SHN_UNDEF },
        { index: 6, name: "", value: 0xfffffff0n, size: 0n, bind: 0, type: 0, visibility: 0, shndx: SHN_ABS },
      ]);
      expect(elf.symbols()).toBe(elf.symbols()); // decoded once

      expect(elf.relocations(elf.section(".rel.text")!)).toEqual([
        { offset: 0n, symbol: 5, type: 10, addend: 0n },
        { offset: 0x18n, symbol: 1, type: 1, addend: 0n },
        { offset: 0x20n, symbol: 0, type: 0, addend: 0n },
      ]);
      expect(elf.relocations(elf.section(".rela.data")!)).toEqual([
        { offset: 4n, symbol: 3, type: 2, addend: -4n },
        { offset: 8n, symbol: 2, type: 3, addend: 0x7fffffffn },
      ]);
    });
  }

  it("splits ELF32 r_info as sym >> 8, type & 0xff and ELF64 as sym >> 32, type & 0xffffffff", () => {
    for (const is64 of [false, true]) {
      const rel = relocTable(is64, true, false, [{ offset: 0n, symbol: 0, type: is64 ? 0xfedcba98 : 0xfe }]);
      const built = buildElf({
        is64,
        le: true,
        sections: [{ name: ".rel.x", type: SHT_REL, data: rel }],
      });
      expect(parseElf(built.bytes).relocations(parseElf(built.bytes).sections[1])).toEqual([
        { offset: 0n, symbol: 0, type: is64 ? 0xfedcba98 : 0xfe, addend: 0n },
      ]);
    }
  });

  it("resolves SHN_XINDEX symbols and e_shstrndx through the escape", () => {
    const names = strtab(["far"]);
    const syms = symbolTable(true, false, [{ nameOff: 0 }, { nameOff: names.offsets[0], shndx: SHN_XINDEX }]);
    const xindex = new Uint8Array(8);
    new DataView(xindex.buffer).setUint32(4, 2, false);
    const built = buildElf({
      is64: true,
      le: false,
      sections: [
        { name: ".symtab", type: SHT_SYMTAB, data: syms, link: 2, entsize: 24 },
        { name: ".strtab", type: SHT_STRTAB, data: names.data },
        { name: ".symtab_shndx", type: SHT_SYMTAB_SHNDX, data: xindex, link: 1, entsize: 4 },
      ],
    });
    const v = new DataView(built.bytes.buffer);
    // Move e_shnum and e_shstrndx into section 0, as for files with over 0xff00 sections.
    v.setUint16(60, 0, false);
    v.setUint16(62, SHN_XINDEX, false);
    v.setBigUint64(built.shoff + 32, 5n, false);
    v.setUint32(built.shoff + 40, built.shstrndx, false);
    const elf = parseElf(built.bytes);
    expect(elf.sections.map((s) => s.name)).toEqual(["", ".symtab", ".strtab", ".symtab_shndx", ".shstrtab"]);
    expect(elf.sections[0].data.length).toBe(0);
    expect(elf.symbols()[1]).toMatchObject({ name: "far", shndx: 2 });
  });

  it("reads a file with no section header table", () => {
    const { built } = sample(true, true);
    new DataView(built.bytes.buffer).setBigUint64(40, 0n, true);
    const elf = parseElf(built.bytes);
    expect(elf.sections).toEqual([]);
    expect(elf.symbols()).toEqual([]);
  });

  it("reads section names as empty when e_shstrndx is SHN_UNDEF", () => {
    const { built } = sample(false, true);
    new DataView(built.bytes.buffer).setUint16(50, 0, true);
    const elf = parseElf(built.bytes);
    expect(elf.sections.every((s) => s.name === "")).toBe(true);
  });

  it("reads symbols of a given table", () => {
    const { built } = sample(true, true);
    const elf = parseElf(built.bytes);
    expect(elf.symbols(elf.section(".symtab"))).toBe(elf.symbols());
    expect(() => elf.symbols(elf.section(".text"))).toThrow(ElfError);
    expect(() => elf.relocations(elf.section(".text")!)).toThrow(/not a relocation section/);
  });
});

// ---------------------------------------------------------------------------
// Malformed input: always an ElfError, never a RangeError or TypeError.

/** Run every decoder the reader offers; rethrow anything but our typed errors. */
function exercise(bytes: Uint8Array): "ok" | "ElfError" | "BtfExtError" {
  try {
    const elf = parseElf(bytes);
    for (const s of elf.sections) {
      if (s.type === SHT_REL || s.type === SHT_RELA) elf.relocations(s);
      if (s.type === SHT_SYMTAB) elf.symbols(s);
    }
    const ext = elf.section(".BTF.ext");
    if (ext) decodeBtfExt(ext.data);
    return "ok";
  } catch (e) {
    if (e instanceof ElfError) return "ElfError";
    if (e instanceof BtfExtError) return "BtfExtError";
    throw e;
  }
}

function expectElfError(bytes: Uint8Array, message: RegExp): ElfError {
  let caught: unknown;
  try {
    const elf = parseElf(bytes);
    for (const s of elf.sections) {
      if (s.type === SHT_REL || s.type === SHT_RELA) elf.relocations(s);
    }
    elf.symbols();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ElfError);
  expect((caught as ElfError).message).toMatch(message);
  return caught as ElfError;
}

function patched(s: Sample, edit: (v: DataView, b: BuiltElf) => void): Uint8Array {
  const bytes = s.built.bytes.slice();
  edit(new DataView(bytes.buffer), { ...s.built, bytes });
  return bytes;
}

/** Offset of a field in section header `i`. */
function shdr(s: Sample, i: number, field: "name" | "type" | "offset" | "size" | "link" | "entsize"): number {
  const f64 = { name: 0, type: 4, offset: 24, size: 32, link: 40, entsize: 56 };
  const f32 = { name: 0, type: 4, offset: 16, size: 20, link: 24, entsize: 36 };
  return s.built.shoff + i * s.built.shentsize + (s.is64 ? f64 : f32)[field];
}

function setWord(s: Sample, v: DataView, off: number, value: bigint): void {
  if (s.is64) v.setBigUint64(off, value, s.le);
  else v.setUint32(off, Number(value & 0xffffffffn), s.le);
}

describe("malformed ELF input", () => {
  it("rejects non-ELF and truncated headers", () => {
    expectElfError(new Uint8Array(0), /bad magic/);
    expectElfError(new TextEncoder().encode("#!/bin/sh\necho hi\n"), /bad magic/);
    expectElfError(new Uint8Array([0x7f, 0x45, 0x4c, 0x46]), /shorter than e_ident/);
    const { built } = sample(true, true);
    expectElfError(built.bytes.subarray(0, 40), /shorter than the 64-byte ELF header/);
    for (const [off, value, msg] of [
      [4, 3, /unknown ELF class 3/],
      [5, 0, /unknown ELF data encoding 0/],
      [6, 2, /unknown ELF version 2/],
    ] as const) {
      const b = built.bytes.slice();
      b[off] = value;
      expect(expectElfError(b, msg).where.offset).toBe(off);
    }
  });

  for (const [is64, le] of VARIANTS) {
    const s = sample(is64, le);
    const tag = `ELF${is64 ? 64 : 32}${le ? "le" : "be"}`;

    it(`${tag}: every truncation is an ElfError`, () => {
      // The section header table is last, so any prefix loses part of it.
      for (let n = 0; n < s.built.bytes.length; n++) {
        expect(() => parseElf(s.built.bytes.subarray(0, n)), `length ${n}`).toThrow(ElfError);
      }
    });

    it(`${tag}: header table offsets and counts`, () => {
      const shoffAt = is64 ? 40 : 32;
      const shnumAt = is64 ? 60 : 48;
      const shstrndxAt = is64 ? 62 : 50;
      const e = expectElfError(patched(s, (v) => setWord(s, v, shoffAt, 0xfffffff0n)), /section header table at 0xfffffff0 is past the end/);
      expect(e.where.offset).toBe(shoffAt);
      expectElfError(patched(s, (v) => v.setUint16(shnumAt, 0xfeff, le)), /section header table \(65279 entries of \d+ bytes\) extends past end of file \(offset 0x/);
      expectElfError(patched(s, (v) => v.setUint16(is64 ? 58 : 46, 8, le)), /e_shentsize 8 is smaller/);
      expectElfError(patched(s, (v) => v.setUint16(shstrndxAt, 200, le)), /section name table index 200 is out of range/);
      // Extended numbering with an absurd count in section 0: rejected before anything is allocated.
      expectElfError(
        patched(s, (v) => {
          v.setUint16(shnumAt, 0, le);
          setWord(s, v, shdr(s, 0, "size"), is64 ? 0xffffffffffffn : 0xffffffffn);
        }),
        /extends past end of file/,
      );
      expectElfError(
        patched(s, (v) => {
          v.setUint16(shstrndxAt, SHN_XINDEX, le);
          v.setUint32(shdr(s, 0, "link"), 1000, le);
        }),
        /section name table index 1000/,
      );
    });

    it(`${tag}: section data and names`, () => {
      const e = expectElfError(patched(s, (v) => setWord(s, v, shdr(s, 1, "size"), 0x100000n)), /section data \(0x100000 bytes\) extends past end of file/);
      expect(e.where.section).toBe(".text");
      expectElfError(patched(s, (v) => setWord(s, v, shdr(s, 2, "offset"), 0xffffff00n)), /extends past end of file/);
      if (is64) {
        expectElfError(patched(s, (v) => setWord(s, v, shdr(s, 3, "offset"), 1n << 60n)), /sh_offset 0x1000000000000000 is too large/);
      }
      expectElfError(patched(s, (v) => v.setUint32(shdr(s, 1, "name"), 5000, le)), /name offset 5000 is outside the \d+-byte string table/);
      expectElfError(
        patched(s, (v, b) => {
          // Overwrite the shstrtab's final NUL so the last name runs off the end.
          const shstr = b.dataOff[b.shstrndx];
          const size = Number(is64 ? v.getBigUint64(shdr(s, b.shstrndx, "size"), le) : v.getUint32(shdr(s, b.shstrndx, "size"), le));
          b.bytes[shstr + size - 1] = 0x41;
        }),
        /not NUL-terminated/,
      );
      expectElfError(patched(s, (v, b) => v.setUint32(shdr(s, b.shstrndx, "type"), SHT_NOBITS, le)), /outside the 0-byte string table/);
    });

    it(`${tag}: symbol and relocation tables`, () => {
      expectElfError(patched(s, (v) => setWord(s, v, shdr(s, 4, "entsize"), 7n)), /sh_entsize 7 does not match/);
      expectElfError(patched(s, (v) => setWord(s, v, shdr(s, 4, "size"), BigInt((is64 ? 24 : 16) * 7 - 1))), /is not a multiple of the/);
      expectElfError(patched(s, (v) => v.setUint32(shdr(s, 4, "link"), 99, le)), /sh_link 99 does not name a string table/);
      const sym = (b: BuiltElf, i: number) => b.dataOff[4] + i * (is64 ? 24 : 16);
      expect(expectElfError(patched(s, (v, b) => v.setUint32(sym(b, 2), 0xffff, le)), /name offset 65535 is outside/).where.record).toBe(2);
      expectElfError(patched(s, (v, b) => v.setUint16(sym(b, 3) + (is64 ? 6 : 14), SHN_XINDEX, le)), /no SHT_SYMTAB_SHNDX section/);
      // Symbol index past the linked table.
      const e = expectElfError(
        patched(s, (v, b) => {
          const at = b.dataOff[6] + (is64 ? 8 : 4);
          if (is64) v.setUint32(at + (le ? 4 : 0), 7, le);
          else v.setUint32(at, (7 << 8) | 10, le);
        }),
        /refers to symbol 7 but the symbol table has 7 entries/,
      );
      expect(e.where).toMatchObject({ section: ".rel.text", record: 0 });
      expectElfError(patched(s, (v) => v.setUint32(shdr(s, 6, "link"), 1, le)), /names section type 1, not a symbol table/);
      expectElfError(patched(s, (v) => setWord(s, v, shdr(s, 7, "entsize"), 16n)), /does not match/);
    });
  }

  it("arbitrary mutations of a hand-built file parse or throw ElfError", () => {
    for (const [is64, le] of VARIANTS) {
      const base = sample(is64, le).built;
      fc.assert(
        fc.property(mutations(base.bytes.length, [[base.shoff, base.bytes.length]]), (muts) => {
          expect(exercise(mutate(base.bytes, muts, le))).not.toBe("BtfExtError");
        }),
        { numRuns: 500 },
      );
    }
  });
});

interface Mutation {
  at: number;
  value: number;
  width: 1 | 2 | 4;
}

/**
 * Byte, u16 and u32 overwrites with boundary values, biased to the ELF header
 * and to `hot` byte ranges (the section header table, .BTF.ext).
 */
function mutations(length: number, hot: Array<[number, number]>): fc.Arbitrary<{ muts: Mutation[]; truncate: number }> {
  const at = fc.oneof(
    fc.integer({ min: 0, max: 63 }),
    ...hot.map(([from, to]) => fc.integer({ min: from, max: to - 1 })),
    fc.integer({ min: 0, max: length - 1 }),
  );
  const value = fc.oneof(
    fc.constantFrom(0, 1, 4, 0xff, 0xffff, 0xff00, 0x7fffffff, 0xffffffff, length, length - 1, length + 1, ...hot.flat()),
    fc.nat(),
  );
  const mut = fc.record({ at, value, width: fc.constantFrom<1 | 2 | 4>(1, 2, 4) });
  const truncate = fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.nat({ max: length }), weight: 1 });
  return fc.record({ muts: fc.array(mut, { minLength: 1, maxLength: 6 }), truncate });
}

function mutate(bytes: Uint8Array, m: { muts: Mutation[]; truncate: number }, le: boolean): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  for (const { at, value, width } of m.muts) {
    if (at + width > out.length) continue;
    if (width === 1) v.setUint8(at, value & 0xff);
    else if (width === 2) v.setUint16(at, value & 0xffff, le);
    else v.setUint32(at, value >>> 0, le);
  }
  return m.truncate > 0 ? out.subarray(0, m.truncate) : out;
}

describe.skipIf(!oracle("clang"))("mutated clang objects", () => {
  for (const obj of bpfObjects().filter((o) => o.label.startsWith("ext/core_fields.c (clang,"))) {
    it(`${obj.label}: parse or throw ElfError/BtfExtError only`, () => {
      const bytes = read(obj.path);
      const elf = parseElf(bytes);
      const shoff = Number(new DataView(bytes.buffer).getBigUint64(40, elf.littleEndian));
      const ext = elf.section(".BTF.ext")!;
      const hot: Array<[number, number]> = [
        [shoff, bytes.length],
        [ext.offset, ext.offset + ext.size],
      ];
      const outcomes = new Set<string>();
      fc.assert(
        fc.property(mutations(bytes.length, hot), (m) => {
          outcomes.add(exercise(mutate(bytes, m, elf.littleEndian)));
        }),
        { numRuns: 1000 },
      );
      expect(outcomes).toEqual(new Set(["ok", "ElfError", "BtfExtError"]));
    });
  }
});
