/**
 * ELF editor and writer: identity rewrites of every clang-built object
 * (byte-identical, and unchanged for readelf, llvm-readelf, llvm-objdump and
 * bpftool), each kind of edit checked with our reader and the real tools, a
 * rewritten object loaded by the kernel verifier, hand-built ELF32/ELF64 files
 * in both byte orders, extended section numbering, typed errors for bad edits,
 * and random edit sequences that must stay readable and consistent.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  ElfEditor,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_INFO_LINK,
  SHF_WRITE,
  SHN_ABS,
  SHN_UNDEF,
  SHT_LLVM_ADDRSIG,
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
  STT_NOTYPE,
  STT_OBJECT,
  STT_SECTION,
  STV_HIDDEN,
  parseElf,
  type EditSection,
  type EditSymbol,
  type ElfFile,
} from "../../src/elf/index.js";
import { ElfError } from "../../src/errors.js";
import { bpfObjects, moduleObjects } from "../helpers/corpus.js";
import { buildElf, relocTable, strtab, symbolTable } from "../helpers/elf-builder.js";
import { CACHE, ROOT, clangBpf, oracle, run } from "../helpers/env.js";
import { readelf } from "../helpers/readelf.js";

const read = (p: string) => new Uint8Array(fs.readFileSync(p));
const rewrite = (bytes: Uint8Array) => ElfEditor.from(parseElf(bytes)).write();

const OUT_DIR = path.join(CACHE, "elf-write");
fs.mkdirSync(OUT_DIR, { recursive: true });
const written: string[] = [];
afterAll(() => {
  for (const f of written) fs.rmSync(f, { force: true });
});

/** Put bytes in a file for the external tools. */
function tmpFile(label: string, bytes: Uint8Array): string {
  const f = path.join(OUT_DIR, `${process.pid}-${label.replace(/[^A-Za-z0-9_.-]+/g, "_")}.o`);
  fs.writeFileSync(f, bytes);
  written.push(f);
  return f;
}

const XDP_SOURCE = fs.readFileSync(path.join(ROOT, "test/corpus/elf/xdp_pass.c"), "utf8");
const xdpObject = (target: "bpfel" | "bpfeb") => read(clangBpf(XDP_SOURCE, { flags: ["-target", target] }));
const hostTarget = os.endianness() === "LE" ? "bpfel" : "bpfeb";

// ---------------------------------------------------------------------------
// Snapshots: a file's content in index-free terms our reader and the editor
// can both produce, so "re-reads to the same thing" is one toEqual.

/** Sections whose bytes the editor generates; compared through symbols and relocations instead. */
const GENERATED = new Set([SHT_SYMTAB, SHT_STRTAB, SHT_REL, SHT_RELA, SHT_SYMTAB_SHNDX, SHT_LLVM_ADDRSIG]);
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

interface Snapshot {
  sections: object[];
  symbols: object[];
  relocs: Record<string, object[]>;
}

function snapshot(elf: ElfFile, opts: { allData?: boolean } = {}): Snapshot {
  const name = (i: number) => elf.sections[i]?.name ?? `#${i}`;
  const syms = elf.symbols();
  const sections = elf.sections.slice(1).map((s) => ({
    name: s.name,
    type: s.type,
    flags: s.flags,
    addr: s.addr,
    addralign: s.addralign,
    entsize: s.entsize,
    size: s.type === SHT_NOBITS ? s.size : undefined,
    link: s.link === 0 ? 0 : name(s.link),
    info: s.type === SHT_REL || s.type === SHT_RELA || (s.flags & SHF_INFO_LINK) !== 0n ? name(s.info) : s.info,
    data: opts.allData || !GENERATED.has(s.type) ? hex(s.data) : undefined,
  }));
  const symbols = syms.slice(1).map((s) => ({
    name: s.name,
    value: s.value,
    size: s.size,
    bind: s.bind,
    type: s.type,
    visibility: s.visibility,
    section: s.shndx === SHN_UNDEF || s.shndx >= elf.sections.length ? s.shndx : name(s.shndx),
  }));
  const relocs: Record<string, object[]> = {};
  for (const s of elf.sections) {
    if (s.type !== SHT_REL && s.type !== SHT_RELA) continue;
    relocs[s.name] = elf.relocations(s).map((r) => ({
      offset: r.offset,
      type: r.type,
      addend: r.addend,
      symbol: r.symbol === 0 ? null : `${r.symbol}:${syms[r.symbol].name}`,
    }));
  }
  return { sections, symbols, relocs };
}

/** What the editor should write, in snapshot terms (locals first, as the writer orders them). */
function expected(ed: ElfEditor): Snapshot {
  const ref = (x: EditSection | number) => (typeof x === "number" ? x : x.name);
  const ordered = [...ed.symbols.filter((s) => s.bind === STB_LOCAL), ...ed.symbols.filter((s) => s.bind !== STB_LOCAL)];
  const index = new Map(ordered.map((s, i) => [s, i + 1]));
  const sections = ed.sections.map((s) => ({
    name: s.name,
    type: s.type,
    flags: s.flags,
    addr: s.addr,
    addralign: s.addralign,
    entsize: s.entsize,
    size: s.type === SHT_NOBITS ? s.size : undefined,
    link: ref(s.link),
    info: s === ed.symtab ? 1 + ordered.filter((x) => x.bind === STB_LOCAL).length : ref(s.info as EditSection | number),
    data: GENERATED.has(s.type) ? undefined : hex(s.data),
  }));
  const symbols = ordered.map((s) => ({
    name: s.name,
    value: s.value,
    size: s.size,
    bind: s.bind,
    type: s.type,
    visibility: s.other & 3,
    section: ref(s.section),
  }));
  const relocs: Record<string, object[]> = {};
  for (const s of ed.sections) {
    if (s.type !== SHT_REL && s.type !== SHT_RELA) continue;
    relocs[s.name] = (s.relocations ?? []).map((r) => ({
      offset: r.offset,
      type: r.type,
      addend: s.type === SHT_RELA ? r.addend : 0n,
      symbol: r.symbol ? `${index.get(r.symbol)}:${r.symbol.name}` : null,
    }));
  }
  return { sections, symbols, relocs };
}

/** Every section at its alignment, inside the file, not overlapping another; header table aligned after them. */
function expectSaneLayout(bytes: Uint8Array): void {
  const elf = parseElf(bytes);
  const spans = elf.sections
    .filter((s) => s.index > 0)
    .map((s) => {
      if (s.addralign > 1) expect(s.offset % s.addralign, `${s.name} alignment`).toBe(0);
      return [s.offset, s.offset + (s.type === SHT_NOBITS ? 0 : s.size), s.name] as const;
    })
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < spans.length; i++) expect(spans[i][0], `${spans[i][2]} overlaps ${spans[i - 1][2]}`).toBeGreaterThanOrEqual(spans[i - 1][1]);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = elf.is64 ? Number(v.getBigUint64(40, elf.littleEndian)) : v.getUint32(32, elf.littleEndian);
  expect(shoff % (elf.is64 ? 8 : 4)).toBe(0);
  expect(shoff).toBeGreaterThanOrEqual(Math.max(0, ...spans.map((s) => s[1])));
  expect(elf.header.phnum).toBe(0);
  expect(elf.header.phoff).toBe(0n);
}

// ---------------------------------------------------------------------------
// External tools.

function tool(cmd: string, args: string[]): { out: string; err: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { out: r.stdout, err: r.stderr };
}

/** Warnings GNU readelf -a and llvm-readelf -a print for a file, without its path. */
function warnings(file: string): string[] {
  const lines: string[] = [];
  for (const [cmd, args] of [["readelf", ["-a", "-W", file]], ["llvm-readelf", ["-a", file]]] as const) {
    const r = tool(cmd, [...args]);
    for (const l of `${r.out}\n${r.err}`.split("\n")) if (/warning/i.test(l)) lines.push(`${cmd}: ${l.split(file).join("FILE")}`);
  }
  return lines;
}

const disasm = (file: string) => tool("llvm-objdump", ["-d", file]).out.split(file).join("FILE");
const btfDump = (file: string) => tool("bpftool", ["btf", "dump", "file", file]).out;

const HAVE_TOOLS = oracle("clang") && oracle("readelf") && oracle("llvm-readelf") && oracle("llvm-objdump") && oracle("bpftool");

/** The tools see the rewritten file as they see the original: no new warnings, same code, same BTF. */
function expectToolsAgree(original: string, rewritten: string, opts: { btf?: boolean } = {}): void {
  expect(warnings(rewritten)).toEqual(warnings(original));
  expect(disasm(rewritten)).toBe(disasm(original));
  if (opts.btf) expect(btfDump(rewritten)).toBe(btfDump(original));
}

// ---------------------------------------------------------------------------

describe.skipIf(!HAVE_TOOLS)("identity rewrite of clang-built objects", () => {
  for (const obj of bpfObjects()) {
    it(obj.label, () => {
      const bytes = read(obj.path);
      const out = rewrite(bytes);
      // clang lays objects out canonically, so nothing moves.
      expect(Buffer.compare(Buffer.from(out), Buffer.from(bytes))).toBe(0);
      expect(snapshot(parseElf(out), { allData: true })).toEqual(snapshot(parseElf(bytes), { allData: true }));
      const file = tmpFile(`id-${obj.label}`, out);
      expect(warnings(obj.path)).toEqual([]);
      expectToolsAgree(obj.path, file, { btf: true });
    });
  }
  for (const obj of moduleObjects()) {
    it(obj.label, () => {
      const bytes = read(obj.path);
      const out = rewrite(bytes);
      expect(Buffer.compare(Buffer.from(out), Buffer.from(bytes))).toBe(0);
      expectToolsAgree(obj.path, tmpFile(`id-${obj.label}`, out));
    });
  }
});

describe.skipIf(!HAVE_TOOLS)("edits", () => {
  for (const target of ["bpfel", "bpfeb"] as const) {
    const original = () => {
      const bytes = xdpObject(target);
      return { bytes, path: tmpFile(`xdp-${target}`, bytes), ed: ElfEditor.from(parseElf(bytes)) };
    };
    /** Write, then check the result with our reader (against the editor's state), readelf and layout. */
    const check = (ed: ElfEditor, label: string): { elf: ElfFile; file: string } => {
      const out = ed.write();
      const elf = parseElf(out);
      expect(snapshot(elf)).toEqual(expected(ed));
      expectSaneLayout(out);
      // Writing our own output again changes nothing.
      expect(Buffer.compare(Buffer.from(rewrite(out)), Buffer.from(out))).toBe(0);
      return { elf, file: tmpFile(`${label}-${target}`, out) };
    };
    const relocNames = (file: string, sec: string) => readelf(file).relocs.get(sec)?.map((r) => `${r.offset}:${r.symbol}`);

    it(`${target}: replaces section data with a different size`, () => {
      const o = original();
      o.ed.setData("license", new TextEncoder().encode("Dual BSD/GPL\0"));
      const btf = o.ed.get(".BTF");
      o.ed.setData(btf, btf.data.slice());
      const { elf, file } = check(o.ed, "setdata");
      expect(new TextDecoder().decode(elf.section("license")!.data)).toBe("Dual BSD/GPL\0");
      expectToolsAgree(o.path, file, { btf: true });
      expect(relocNames(file, ".rel.BTF")).toEqual(relocNames(o.path, ".rel.BTF"));
    });

    it(`${target}: adds a PROGBITS section with a symbol in it`, () => {
      const o = original();
      const sec = o.ed.addSection(
        { name: ".rodata.extra", type: SHT_PROGBITS, flags: SHF_ALLOC, addralign: 8, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) },
        { after: ".rodata" },
      );
      o.ed.addSymbol({ name: "extra_value", value: 4n, size: 4n, bind: STB_GLOBAL, type: STT_OBJECT, other: 0, section: sec });
      const { elf, file } = check(o.ed, "addsec");
      const idx = elf.section(".rodata.extra")!.index;
      expect(elf.sections[idx - 1].name).toBe(".rodata");
      expect(elf.symbols().find((s) => s.name === "extra_value")).toMatchObject({ shndx: idx, value: 4n, size: 4n, type: STT_OBJECT });
      expectToolsAgree(o.path, file, { btf: true });
      const re = readelf(file);
      expect(re.symbols.find((s) => s.name === "extra_value")?.ndx).toBe(String(idx));
      // Every later section moved up by one; relocations still name the same symbols.
      expect(relocNames(file, ".relxdp")).toEqual(relocNames(o.path, ".relxdp"));
      expect(re.sections.find((s) => s.nameAndType === ".relxdp REL")?.info).toBe(elf.section("xdp")!.index);
    });

    it(`${target}: removes a section and its relocation section`, () => {
      const o = original();
      o.ed.removeSection(".BTF.ext");
      expect(o.ed.section(".rel.BTF.ext")).toBeUndefined();
      const { elf, file } = check(o.ed, "rmsec");
      expect(elf.section(".BTF.ext")).toBeUndefined();
      expect(elf.section(".rel.BTF.ext")).toBeUndefined();
      expect(readelf(file).relocs.has(".rel.BTF.ext")).toBe(false);
      expectToolsAgree(o.path, file, { btf: true });
    });

    it(`${target}: removes every debug section (with their symbols and relocations)`, () => {
      const o = original();
      for (const s of o.ed.sections.filter((s) => s.name.startsWith(".debug_"))) if (o.ed.sections.includes(s)) o.ed.removeSection(s);
      const { elf, file } = check(o.ed, "nodebug");
      expect(elf.sections.some((s) => s.name.includes("debug"))).toBe(false);
      expectToolsAgree(o.path, file, { btf: true });
    });

    it(`${target}: turns an undefined extern into a defined object in a new section`, () => {
      const o = original();
      const before = relocNames(o.path, ".relxdp");
      const kconfig = o.ed.addSection({ name: ".rodata.kconfig", type: SHT_PROGBITS, flags: SHF_ALLOC, addralign: 8, data: new Uint8Array(8) });
      const ext = o.ed.symbol("LINUX_KERNEL_VERSION")!;
      expect(ext.section).toBe(SHN_UNDEF);
      Object.assign(ext, { section: kconfig, bind: STB_GLOBAL, type: STT_OBJECT, value: 0n, size: 4n });
      const { elf, file } = check(o.ed, "extern");
      const sym = elf.symbols().find((s) => s.name === "LINUX_KERNEL_VERSION")!;
      expect(sym).toMatchObject({ shndx: elf.section(".rodata.kconfig")!.index, bind: STB_GLOBAL, type: STT_OBJECT, size: 4n });
      expect(relocNames(file, ".relxdp")).toEqual(before);
      expect(readelf(file).symbols.find((s) => s.name === "LINUX_KERNEL_VERSION")).toMatchObject({ type: "OBJECT", bind: "GLOBAL", size: 4n });
      expectToolsAgree(o.path, file, { btf: true });
    });

    it(`${target}: rewrites relocation sections when symbol indices move and drops entries`, () => {
      const o = original();
      // New locals go before every global, so every global's index moves.
      o.ed.symbols.unshift(
        // In a data section, so llvm-objdump's listing of the code stays the same.
        { name: "marker_a", value: 0n, size: 0n, bind: STB_LOCAL, type: STT_NOTYPE, other: 0, section: o.ed.get(".data") },
        { name: "marker_b", value: 2n, size: 0n, bind: STB_LOCAL, type: STT_NOTYPE, other: 0, section: o.ed.get(".data") },
      );
      o.ed.symbols.reverse();
      const ext = o.ed.relocations(".rel.BTF.ext");
      o.ed.setRelocations(".rel.BTF.ext", ext.filter((_r, i) => i % 2 === 0));
      const { elf, file } = check(o.ed, "relmove");
      const syms = elf.symbols();
      const firstGlobal = syms.findIndex((s) => s.bind !== STB_LOCAL);
      expect(elf.section(".symtab")!.info).toBe(firstGlobal);
      expect(syms.slice(firstGlobal).every((s) => s.bind !== STB_LOCAL)).toBe(true);
      expect(relocNames(file, ".relxdp")).toEqual(relocNames(o.path, ".relxdp"));
      expect(relocNames(file, ".rel.BTF")).toEqual(relocNames(o.path, ".rel.BTF"));
      expect(relocNames(file, ".rel.BTF.ext")).toEqual(relocNames(o.path, ".rel.BTF.ext")!.filter((_r, i) => i % 2 === 0));
      expectToolsAgree(o.path, file, { btf: true });
    });
  }
});

describe.skipIf(!oracle("clang") || !oracle("bpftool"))("the kernel loads a rewritten object", () => {
  const pins: string[] = [];
  afterAll(() => {
    for (const p of pins) fs.rmSync(p, { recursive: true, force: true });
  });

  const load = (label: string, bytes: Uint8Array): string[] => {
    const pin = `/sys/fs/bpf/btfkit-elfw-${process.pid}-${Date.now()}-${label}`;
    pins.push(pin);
    try {
      run("bpftool", ["prog", "loadall", tmpFile(`load-${label}`, bytes), pin]);
      return fs.readdirSync(pin);
    } finally {
      fs.rmSync(pin, { recursive: true, force: true });
    }
  };

  it("identity rewrite", () => {
    const bytes = xdpObject(hostTarget);
    expect(load("identity", rewrite(bytes))).toEqual(["xdp_pass"]);
  });

  it("after moving every symbol index and stripping debug sections", () => {
    const ed = ElfEditor.from(parseElf(xdpObject(hostTarget)));
    for (const s of ed.sections.filter((s) => s.name.startsWith(".debug_"))) if (ed.sections.includes(s)) ed.removeSection(s);
    ed.symbols.unshift({ name: "pad", value: 0n, size: 0n, bind: STB_LOCAL, type: STT_NOTYPE, other: 0, section: ed.get("xdp") });
    ed.symbols.reverse();
    expect(load("moved", ed.write())).toEqual(["xdp_pass"]);
  });
});

// ---------------------------------------------------------------------------
// Hand-built files: ELF32 and ELF64 in both byte orders, REL and RELA.

function sample(is64: boolean, le: boolean): Uint8Array {
  const names = strtab(["prog", "counter", "weak_fn", "ext", "abs"]);
  const syms = symbolTable(is64, le, [
    { nameOff: 0 },
    { nameOff: 0, info: (STB_LOCAL << 4) | STT_SECTION, shndx: 1 },
    { nameOff: names.offsets[0], info: (STB_GLOBAL << 4) | STT_FUNC, shndx: 1, value: 8n, size: 16n },
    { nameOff: names.offsets[1], info: (STB_GLOBAL << 4) | STT_OBJECT, other: STV_HIDDEN | 0x40, shndx: 2, size: 4n },
    { nameOff: names.offsets[2], info: (STB_WEAK << 4) | STT_FUNC, shndx: 1, value: 0x7fffffffn },
    { nameOff: names.offsets[3], info: STB_GLOBAL << 4, shndx: SHN_UNDEF },
    { nameOff: names.offsets[4], info: STB_GLOBAL << 4, shndx: SHN_ABS, value: 0xfffffff0n },
  ]);
  return buildElf({
    is64,
    le,
    machine: is64 ? 62 : 3,
    sections: [
      { name: ".text", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, data: new Uint8Array(40).fill(0xaa), addralign: 16 },
      { name: ".data", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), addralign: 4 },
      { name: ".bss", type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, size: 4096, addralign: 32 },
      { name: ".symtab", type: SHT_SYMTAB, data: syms, link: 5, info: 2, entsize: is64 ? 24 : 16, addralign: 8 },
      { name: ".strtab", type: SHT_STRTAB, data: names.data, addralign: 1 },
      {
        name: ".rel.text",
        type: SHT_REL,
        flags: SHF_INFO_LINK,
        link: 4,
        info: 1,
        entsize: is64 ? 16 : 8,
        data: relocTable(is64, le, false, [
          { offset: 0n, symbol: 5, type: 10 },
          { offset: 0x18n, symbol: 1, type: 1 },
          { offset: 0x20n, symbol: 0, type: 0 },
        ]),
      },
      {
        name: ".rela.data",
        type: SHT_RELA,
        flags: SHF_INFO_LINK,
        link: 4,
        info: 2,
        entsize: is64 ? 24 : 12,
        data: relocTable(is64, le, true, [
          { offset: 4n, symbol: 3, type: 2, addend: -4n },
          { offset: 8n, symbol: 2, type: 3, addend: 0x7fffffffn },
        ]),
      },
    ],
  }).bytes;
}

const VARIANTS = [
  [true, true],
  [true, false],
  [false, true],
  [false, false],
] as const;

describe("hand-built ELF32 and ELF64 files", () => {
  for (const [is64, le] of VARIANTS) {
    const tag = `ELF${is64 ? 64 : 32} ${le ? "LE" : "BE"}`;
    it(`${tag}: identity keeps every field, then edits re-read consistently`, () => {
      const bytes = sample(is64, le);
      const out = rewrite(bytes);
      expect(snapshot(parseElf(out), { allData: true })).toEqual(snapshot(parseElf(bytes), { allData: true }));
      expectSaneLayout(out);
      const elf = parseElf(out);
      expect(elf.is64).toBe(is64);
      expect(elf.littleEndian).toBe(le);
      expect(elf.machine).toBe(is64 ? 62 : 3);
      // st_other bits beyond visibility survive.
      const ed = ElfEditor.from(elf);
      expect(ed.symbol("counter")!.other).toBe(STV_HIDDEN | 0x40);
      expect(ElfEditor.from(parseElf(out)).write()).toEqual(out);

      const text = ed.get(".text");
      ed.setData(text, new Uint8Array(100).fill(0x90));
      ed.setData(".bss", 12);
      const extra = ed.addSection({ name: ".data.more", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, addralign: 8, data: new Uint8Array(3) }, { after: text });
      const local = ed.addSymbol({ name: "lcl", value: 1n, size: 2n, bind: STB_LOCAL, type: STT_OBJECT, other: 0, section: extra });
      ed.relocations(".rela.data").push({ offset: 0n, symbol: local, type: 1, addend: -9n });
      ed.removeSection(".text");
      // .rel.text went with .text; so did the section symbol and prog, weak_fn.
      expect(ed.section(".rel.text")).toBeUndefined();
      ed.setRelocations(".rela.data", ed.relocations(".rela.data").filter((r) => !r.symbol || ed.symbols.includes(r.symbol)));
      const edited = ed.write();
      expect(snapshot(parseElf(edited))).toEqual(expected(ed));
      expectSaneLayout(edited);
      const again = parseElf(edited);
      expect(again.sections.map((s) => s.name)).toEqual(["", ".data.more", ".data", ".bss", ".symtab", ".strtab", ".rela.data", ".shstrtab"]);
      expect(again.symbols().map((s) => s.name)).toEqual(["", "lcl", "counter", "ext", "abs"]);
      expect(again.relocations(again.section(".rela.data")!).map((r) => [r.symbol, r.addend])).toEqual([
        [2, -4n],
        [1, -9n],
      ]);
      expect(again.symbols()[4].shndx).toBe(SHN_ABS);
    });
  }
});

describe.skipIf(!oracle("clang") || !oracle("readelf"))("extended section numbering", () => {
  it("rewrites a 65,305-section object byte for byte and keeps SHN_XINDEX symbols right after removing a section", () => {
    // The same object the reader test builds (shared through the cache).
    const count = 65300;
    let asm = "";
    for (let i = 0; i < count; i++) asm += `.section .s${i},"a"\n.globl sym${i}\nsym${i}:\n.byte ${i & 0xff}\n`;
    const key = createHash("sha256").update(asm).digest("hex").slice(0, 16);
    const obj = path.join(CACHE, "objects", `${key}.o`);
    if (!fs.existsSync(obj)) {
      fs.mkdirSync(path.dirname(obj), { recursive: true });
      fs.writeFileSync(path.join(CACHE, "objects", `${key}.s`), asm);
      run("clang", ["-target", "x86_64-linux-gnu", "-c", path.join(CACHE, "objects", `${key}.s`), "-o", `${obj}.${process.pid}.tmp`]);
      fs.renameSync(`${obj}.${process.pid}.tmp`, obj);
    }
    const bytes = read(obj);
    expect(Buffer.compare(Buffer.from(rewrite(bytes)), Buffer.from(bytes))).toBe(0);

    const ed = ElfEditor.from(parseElf(bytes));
    ed.removeSection(".s0");
    ed.removeSection(".s1");
    const out = ed.write();
    const elf = parseElf(out);
    const last = elf.symbols().find((s) => s.name === `sym${count - 1}`)!;
    expect(elf.sections[last.shndx].name).toBe(`.s${count - 1}`);
    expect(elf.symbols().find((s) => s.name === "sym1")).toBeUndefined();
    const file = tmpFile("xindex", out);
    const re = readelf(file);
    expect(re.sections.length).toBe(elf.sections.length);
    expect(re.symbols.find((s) => s.name === `sym${count - 1}`)?.ndx).toBe(String(last.shndx));
  });

  it("adds a SHT_SYMTAB_SHNDX table when a symbol's section index passes 0xfeff", () => {
    const ed = ElfEditor.from(parseElf(sample(true, true)));
    let last: EditSection | undefined;
    for (let i = 0; i < 0xff10; i++) last = ed.addSection({ name: `.p${i}`, type: SHT_PROGBITS, flags: SHF_ALLOC, data: new Uint8Array([i & 0xff]) });
    ed.addSymbol({ name: "far", value: 0n, size: 1n, bind: STB_GLOBAL, type: STT_OBJECT, other: 0, section: last! });
    const elf = parseElf(ed.write());
    expect(elf.sections.at(-1)!.type).toBe(SHT_SYMTAB_SHNDX);
    const far = elf.symbols().find((s) => s.name === "far")!;
    expect(far.shndx).toBeGreaterThan(0xff00);
    expect(elf.sections[far.shndx].name).toBe(".p65295");
  });
});

// ---------------------------------------------------------------------------

function expectElfError(f: () => unknown, message: RegExp, section?: string): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ElfError);
  expect((caught as ElfError).message).toMatch(message);
  if (section !== undefined) expect((caught as ElfError).where.section).toBe(section);
}

describe("bad edits are ElfErrors naming the section", () => {
  const fresh = () => ElfEditor.from(parseElf(sample(true, true)));
  const ghost: EditSymbol = { name: "ghost", value: 0n, size: 0n, bind: STB_GLOBAL, type: STT_NOTYPE, other: 0, section: SHN_UNDEF };

  it("a relocation against a symbol that is not in the table", () => {
    const ed = fresh();
    ed.relocations(".rel.text").push({ offset: 0n, symbol: ghost, type: 1, addend: 0n });
    expectElfError(() => ed.write(), /symbol 'ghost'.*not in the symbol table.*section \.rel\.text, record #3/, ".rel.text");
  });

  it("a relocation against a symbol whose section was removed", () => {
    const ed = fresh();
    ed.removeSection(".text");
    expectElfError(() => ed.write(), /symbol 'prog'/, ".rela.data");
  });

  it("a link to a removed section", () => {
    const ed = fresh();
    const a = ed.addSection({ name: ".a", type: SHT_PROGBITS });
    ed.addSection({ name: ".b", type: SHT_PROGBITS, link: a });
    ed.removeSection(a);
    expectElfError(() => ed.write(), /sh_link names section '\.a', which is not in the file/, ".b");
  });

  it("a relocation section whose target was dropped from the list by hand", () => {
    const ed = fresh();
    const data = ed.get(".data");
    ed.sections.splice(ed.sections.indexOf(data), 1);
    ed.symbols = ed.symbols.filter((s) => s.section !== data);
    ed.setRelocations(".rela.data", []);
    expectElfError(() => ed.write(), /sh_info names section '\.data'/, ".rela.data");
  });

  it("a symbol in a section that is not in the file, or given by raw index", () => {
    const ed = fresh();
    const loose: EditSection = { ...ed.get(".data"), name: ".loose" };
    ed.addSymbol({ ...ghost, section: loose });
    expectElfError(() => ed.write(), /symbol 'ghost' is defined in section '\.loose', which is not in the file/, ".symtab");
    const ed2 = fresh();
    ed2.addSymbol({ ...ghost, section: 3 });
    expectElfError(() => ed2.write(), /gives section index 3/, ".symtab");
  });

  it("values that do not fit ELF32, unknown sections, NOBITS data, program headers", () => {
    const ed = ElfEditor.from(parseElf(sample(false, true)));
    ed.symbol("counter")!.value = 1n << 40n;
    expectElfError(() => ed.write(), /does not fit ELF32/, ".symtab");
    expectElfError(() => fresh().get(".nope"), /no such section/, ".nope");
    expectElfError(() => fresh().setData(".bss", new Uint8Array(1)), /NOBITS/, ".bss");
    expectElfError(() => fresh().relocations(".data"), /not a relocation section/, ".data");
    const withPhdrs = sample(true, true);
    new DataView(withPhdrs.buffer).setUint16(56, 1, true);
    expectElfError(() => ElfEditor.from(parseElf(withPhdrs)), /program headers/);
  });

  it("an input sh_link out of range", () => {
    const bytes = sample(true, true);
    const v = new DataView(bytes.buffer);
    const shoff = Number(v.getBigUint64(40, true));
    v.setUint32(shoff + 2 * 64 + 40, 99, true); // .data's sh_link
    expectElfError(() => ElfEditor.from(parseElf(bytes)), /sh_link 99 does not name a section/, ".data");
  });
});

// ---------------------------------------------------------------------------
// Random edit sequences on real objects.

type Op =
  | { kind: "setData"; pick: number; len: number; fill: number }
  | { kind: "addSection"; pick: number; len: number; align: number; nobits: boolean }
  | { kind: "addSymbol"; pick: number; local: boolean; value: number }
  | { kind: "removeSymbol"; pick: number }
  | { kind: "removeSection"; pick: number }
  | { kind: "dropRelocation"; pick: number; entry: number }
  | { kind: "reorderSymbols"; rotate: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("setData" as const), pick: fc.nat(), len: fc.nat(200), fill: fc.nat(255) }),
  fc.record({ kind: fc.constant("addSection" as const), pick: fc.nat(), len: fc.nat(64), align: fc.constantFrom(0, 1, 2, 4, 8, 16, 64), nobits: fc.boolean() }),
  fc.record({ kind: fc.constant("addSymbol" as const), pick: fc.nat(), local: fc.boolean(), value: fc.nat(64) }),
  fc.record({ kind: fc.constant("removeSymbol" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("removeSection" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("dropRelocation" as const), pick: fc.nat(), entry: fc.nat() }),
  fc.record({ kind: fc.constant("reorderSymbols" as const), rotate: fc.nat() }),
);

/** Sections holding plain bytes (not tables the editor generates). */
const plain = (ed: ElfEditor) => ed.sections.filter((s) => !GENERATED.has(s.type) && s !== ed.shstrtab);

let added = 0;
function apply(ed: ElfEditor, op: Op): void {
  const pickOf = <T>(xs: T[], n: number): T | undefined => (xs.length ? xs[n % xs.length] : undefined);
  switch (op.kind) {
    case "setData": {
      const s = pickOf(plain(ed).filter((s) => s.type !== SHT_NOBITS), op.pick);
      if (s) {
        ed.setData(s, new Uint8Array(op.len).fill(op.fill));
        // A caller shrinking a section also drops relocations that no longer land inside it.
        for (const r of ed.sections) if (r.info === s && r.relocations) r.relocations = r.relocations.filter((x) => x.offset + 8n <= BigInt(op.len));
      }
      break;
    }
    case "addSection": {
      const after = pickOf(ed.sections, op.pick);
      const spec = op.nobits
        ? { name: `.bss.n${added++}`, type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, addralign: op.align, size: op.len }
        : { name: `.data.n${added++}`, type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, addralign: op.align, data: new Uint8Array(op.len).fill(0x5a) };
      ed.addSection(spec, { after });
      break;
    }
    case "addSymbol": {
      const sec = pickOf(plain(ed), op.pick);
      if (sec) ed.addSymbol({ name: `s${added++}`, value: BigInt(op.value), size: 1n, bind: op.local ? STB_LOCAL : STB_GLOBAL, type: STT_OBJECT, other: 0, section: sec });
      break;
    }
    case "removeSymbol": {
      const sym = pickOf(ed.symbols, op.pick);
      if (sym) {
        ed.symbols = ed.symbols.filter((s) => s !== sym);
        dropDangling(ed);
      }
      break;
    }
    case "removeSection": {
      const s = pickOf(plain(ed), op.pick);
      if (s) {
        ed.removeSection(s);
        dropDangling(ed);
      }
      break;
    }
    case "dropRelocation": {
      const s = pickOf(ed.sections.filter((s) => s.relocations && s.relocations.length > 0), op.pick);
      if (s) s.relocations!.splice(op.entry % s.relocations!.length, 1);
      break;
    }
    case "reorderSymbols": {
      const n = ed.symbols.length;
      if (n) ed.symbols = [...ed.symbols.slice(op.rotate % n), ...ed.symbols.slice(0, op.rotate % n)];
      break;
    }
  }
}

/** What a caller does after removing things: drop sections linked to removed ones and relocations against symbols that are gone. */
function dropDangling(ed: ElfEditor): void {
  for (let again = true; again; ) {
    again = false;
    for (const s of ed.sections) {
      const gone = (x: unknown) => typeof x === "object" && x !== null && "data" in x && !ed.sections.includes(x as EditSection);
      if (gone(s.link) || gone(s.info)) {
        ed.removeSection(s);
        again = true;
        break;
      }
    }
  }
  const live = new Set(ed.symbols);
  for (const s of ed.sections) if (s.relocations) s.relocations = s.relocations.filter((r) => !r.symbol || live.has(r.symbol));
}

describe.skipIf(!oracle("clang") || !oracle("readelf") || !oracle("llvm-readelf"))("random edit sequences", () => {
  const objects = [
    { label: "xdp_pass (bpfel)", bpf: true, bytes: () => xdpObject("bpfel") },
    { label: "xdp_pass (bpfeb)", bpf: true, bytes: () => xdpObject("bpfeb") },
    ...moduleObjects()
      .filter((o) => /i386|s390x|armeb/.test(o.label))
      .map((o) => ({ label: o.label, bpf: false, bytes: () => read(o.path) })),
  ];
  for (const obj of objects) {
    it(`${obj.label}: stay readable and consistent`, () => {
      const bytes = obj.bytes();
      let runs = 0;
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 12 }), (ops) => {
          const ed = ElfEditor.from(parseElf(bytes));
          for (const op of ops) apply(ed, op);
          const out = ed.write();
          const elf = parseElf(out);
          expect(snapshot(elf)).toEqual(expected(ed));
          expectSaneLayout(out);
          // Rewriting our own output keeps everything. Not always byte for byte: two empty sections at
          // one offset come back in index order, which can move alignment padding between them.
          expect(snapshot(parseElf(rewrite(out)), { allData: true })).toEqual(snapshot(elf, { allData: true }));
          // GNU readelf agrees on a share of the runs (it costs a process each).
          if (runs++ % 5 === 0) {
            const file = tmpFile(`prop-${obj.label}`, out);
            const re = readelf(file);
            expect(re.sections.length).toBe(elf.sections.length);
            expect(re.symbols.length).toBe(elf.symbols().length);
            // Random bytes in .eh_frame or .ARM.attributes upset readelf -a on module objects; on BPF objects nothing may.
            if (obj.bpf) expect(warnings(file)).toEqual([]);
          }
        }),
        { numRuns: Number(process.env.ELFW_RUNS ?? 60) },
      );
    });
  }
});
