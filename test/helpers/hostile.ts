/**
 * Generators of hostile inputs: small on disk, huge once decoded or slow to
 * process. Each class of issue 13's audit has one generator; the test
 * (test/cli/hostile.test.ts) runs every input through every command and
 * library entry point under memory and time limits, and `npm run bench`
 * measures peak memory and time per command beside bpftool. `scale` shrinks
 * the sizes (1 = the sizes the audit reported).
 */
import zlib from "node:zlib";
import { BtfBuilder } from "../../src/btf/builder.js";
import type { BtfType, Member } from "../../src/btf/types.js";
import { EM_X86_64, ET_EXEC, SHT_PROGBITS, SHT_STRTAB, SHT_SYMTAB } from "../../src/elf/constants.js";
import { buildElf, symbolTable } from "./elf-builder.js";
import { sharedMemberNamesBtf } from "./long-names.js";

/** What one input is made of and which command families apply to it. */
export interface HostileInput {
  /** Short unique name, also the file name stem. */
  name: string;
  /** The audit class it belongs to. */
  what: string;
  /** The input file's bytes. */
  bytes: Uint8Array;
  /** Raw BTF, an ELF object with .BTF, or a kernel config. */
  form: "btf" | "elf" | "config";
  /** The result every command must give; `typed-error` means exit 3 or 4 with one `btfkit: ...` line naming a file. */
  expect?: "ok" | "typed-error";
  /** The result of commands that open the input as a BPF object (core explain and reloc), where it differs. */
  asObject?: "ok" | "typed-error";
}

const int = (): BtfType => ({ kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 });
const u64 = (): BtfType => ({ kind: "int", name: "long long unsigned int", size: 8, encoding: 0, bitOffset: 0, bits: 64 });
const member = (name: string, type: number, bitOffset = 0): Member => ({ name, type, bitOffset, bitfieldSize: 0 });
const struct = (name: string, size: number, members: Member[]): BtfType => ({ kind: "struct", name, size, kflag: false, members });

/** A string of `len` bytes; distinct `seed`s give names that differ only in their last characters. */
export function longName(len: number, seed = 0): string {
  const tail = `_${seed}`;
  return "n".repeat(Math.max(1, len - tail.length)) + tail;
}

/** A minimal valid BTF blob (one int), for ELF files whose hostility lies elsewhere. */
function tinyBtf(): Uint8Array {
  const b = new BtfBuilder();
  b.add(int());
  return b.encode();
}

/** 16,000 section headers all naming one 1 MB string in .shstrtab. */
export function sharedSectionNames(scale: number): HostileInput {
  const n = Math.round(16_000 * scale);
  const long = longName(Math.round((1 << 20) * scale));
  const sections = [
    { name: ".BTF", type: SHT_PROGBITS, data: tinyBtf(), addralign: 4 },
    { name: long, type: SHT_PROGBITS, data: new Uint8Array(0), addralign: 1 },
    ...Array.from({ length: n }, () => ({ name: "x", type: SHT_PROGBITS, data: new Uint8Array(0), addralign: 1 })),
  ];
  const elf = buildElf({ is64: true, le: true, sections });
  const v = new DataView(elf.bytes.buffer);
  const longOff = v.getUint32(elf.shoff + 2 * elf.shentsize, true);
  for (let i = 3; i < 3 + n; i++) v.setUint32(elf.shoff + i * elf.shentsize, longOff, true);
  return { name: "elf-shared-section-names", what: "shared names", bytes: elf.bytes, form: "elf" };
}

/** 40,000 symbols sharing one 1 MB name. */
export function sharedSymbolNames(scale: number): HostileInput {
  const n = Math.round(40_000 * scale);
  const long = new TextEncoder().encode(`\0${longName(Math.round((1 << 20) * scale))}\0`);
  const syms = [{ nameOff: 0 }, ...Array.from({ length: n }, () => ({ nameOff: 1, info: 0x10 }))];
  const sections = [
    { name: ".BTF", type: SHT_PROGBITS, data: tinyBtf(), addralign: 4 },
    { name: ".strtab", type: SHT_STRTAB, data: long, addralign: 1 },
    { name: ".symtab", type: SHT_SYMTAB, data: symbolTable(true, true, syms), link: 2, info: 1, entsize: 24, addralign: 8 },
  ];
  return { name: "elf-shared-symbol-names", what: "shared names", bytes: buildElf({ is64: true, le: true, sections }).bytes, form: "elf" };
}

/** A struct whose 20,000 members share one 1 MB name. */
export function sharedMemberNames(scale: number): HostileInput {
  const bytes = sharedMemberNamesBtf({ count: Math.round(20_000 * scale), length: Math.round((1 << 20) * scale) });
  return { name: "btf-shared-member-names", what: "shared names", bytes, form: "btf" };
}

/** As {@link sharedMemberNames}, but each member names a different tail of the one long string. */
export function tailMemberNames(scale: number): HostileInput {
  const bytes = sharedMemberNamesBtf({ count: Math.round(20_000 * scale), length: Math.round((1 << 20) * scale), tails: true });
  return { name: "btf-tail-member-names", what: "shared names", bytes, form: "btf" };
}

/**
 * Anonymous structs nested `depth` deep, every level one member at offset 0
 * and size 4: all hash alike, so dedup compares each with every earlier one.
 */
export function deepAnonNesting(depth: number): HostileInput {
  const b = new BtfBuilder();
  let inner = b.add(int());
  for (let d = 0; d < depth; d++) {
    inner = b.add(struct("", 4, [member("a", inner)]));
  }
  b.add(struct("deep", 4, [member("a", inner)]));
  return { name: `btf-deep-anon-${depth}`, what: "deep nesting", bytes: b.encode(), form: "btf" };
}

/**
 * A CO-RE target whose `task_struct` candidates (flavors `task_struct___N`)
 * have long member names that share the local names' first bytes, so a
 * comparison that decodes whole names does far more work than one over bytes.
 */
export function longMemberNames(scale: number): HostileInput {
  const candidates = Math.max(2, Math.round(1_000 * scale));
  const perStruct = 100;
  const b = new BtfBuilder();
  const i = b.add(int());
  const names = Array.from({ length: perStruct }, (_, k) => `pid${longName(1_000, k)}`);
  for (let c = 0; c < candidates; c++) b.add(struct(`task_struct___${c}`, 4, names.map((name) => member(name, i))));
  addTaskStruct(b, i);
  return { name: "btf-long-member-names", what: "long names", bytes: b.encode(), form: "btf" };
}

/** 400,000 identical pointer types (valid BTF): the JSON dump's memory on extreme input. */
export function manyPointers(scale: number): HostileInput {
  const b = new BtfBuilder();
  const i = b.add(int());
  for (let k = Math.round(400_000 * scale); k > 0; k--) b.add({ kind: "ptr", type: i });
  return { name: "btf-many-pointers", what: "extreme valid input", bytes: b.encode(), form: "btf", expect: "ok" };
}

/** A pointer to a type id past the end, and a FUNC whose type is not a FUNC_PROTO: libbpf 1.8 refuses both. */
export function invalidReferences(): HostileInput[] {
  const ptr = new BtfBuilder();
  ptr.add(int());
  ptr.add({ kind: "ptr", type: 1_000 });
  const func = new BtfBuilder();
  const i = func.add(int());
  func.add({ kind: "func", name: "f", type: i, linkage: 0 });
  return [
    { name: "btf-ptr-out-of-range", what: "invalid references", bytes: ptr.encode(), form: "btf", expect: "typed-error" },
    { name: "btf-func-not-proto", what: "invalid references", bytes: func.encode(), form: "btf", expect: "typed-error" },
  ];
}

/** An x86-64 ET_EXEC file carrying a BPF object's sections: not a BPF object, whatever it holds. */
export function wrongObjectType(object: Uint8Array): HostileInput {
  const bytes = object.slice();
  const v = new DataView(bytes.buffer);
  v.setUint16(16, ET_EXEC, true);
  v.setUint16(18, EM_X86_64, true);
  // Its .BTF still dumps (btf__parse_elf checks neither); bpf_object__open refuses it.
  return { name: "elf-exec-x86-64", what: "wrong object type", bytes, form: "elf", expect: "ok", asObject: "typed-error" };
}

/** A kernel config with one `len`-byte comment line between real options. */
export function longConfigLine(scale: number): HostileInput {
  const len = Math.round((16 << 20) * scale);
  const text = `CONFIG_HZ=250\n# ${"x".repeat(len)}\nCONFIG_BPF_SYSCALL=y\nCONFIG_SMP=y\n`;
  return { name: "config-long-line", what: "long lines", bytes: new TextEncoder().encode(text), form: "config", expect: "ok" };
}

/**
 * A gzip "bomb": concatenated gzip members (gunzip reads them all), each 16
 * MiB of zeros, `outMiB` MiB once inflated from a few KB per member.
 */
export function gzipBomb(outMiB: number): HostileInput {
  const member = zlib.gzipSync(new Uint8Array(16 << 20), { level: 9 });
  const count = Math.max(1, Math.round(outMiB / 16));
  const bytes = new Uint8Array(member.length * count);
  for (let k = 0; k < count; k++) bytes.set(member, k * member.length);
  return { name: `config-gzip-bomb-${outMiB}m`, what: "decompression bomb", bytes, form: "config", expect: "typed-error" };
}

/** A gzip header followed by garbage. */
export function corruptGzip(): HostileInput {
  const bytes = zlib.gzipSync(new TextEncoder().encode("CONFIG_HZ=250\n".repeat(100)));
  bytes.fill(0xa5, 12, bytes.length - 8);
  return { name: "config-corrupt-gzip", what: "decompression bomb", bytes, form: "config", expect: "typed-error" };
}

/** Every generator at `scale`, given a clang-built BPF object (for the wrong-object-type input). */
export function hostileInputs(scale: number, object: Uint8Array): HostileInput[] {
  return [
    sharedSectionNames(scale),
    sharedSymbolNames(scale),
    sharedMemberNames(scale),
    tailMemberNames(scale),
    deepAnonNesting(Math.round(1_000 * scale)),
    longMemberNames(scale),
    manyPointers(scale),
    ...invalidReferences(),
    wrongObjectType(object),
    longConfigLine(scale),
    gzipBomb(Math.round(3_200 * scale)),
    corruptGzip(),
  ];
}

/** `struct task_struct { int pid; u64 utime; }`, what the test/corpus/core objects relocate against. */
function addTaskStruct(b: BtfBuilder, intId: number): void {
  const u = b.add(u64());
  b.add(struct("task_struct", 16, [member("pid", intId), member("utime", u, 64)]));
}

/** A small CO-RE target for objects built from test/corpus/core. */
export function smallTarget(): Uint8Array {
  const b = new BtfBuilder();
  addTaskStruct(b, b.add(int()));
  return b.encode();
}

/** One command over a hostile input: btfkit's arguments, and bpftool's where it takes the same input. */
export interface HostileCommand {
  /** The command's name in reports, e.g. `btf dump -j`. */
  label: string;
  args: string[];
  /** Overrides the input's expectation for this command. */
  expect?: "ok" | "typed-error";
  bpftool?: string[];
}

/** Files the commands need beside the input, as paths. */
export interface HostileCompanions {
  /** A BPF object with CO-RE relocations and `.kconfig` externs. */
  kconfigObject: string;
  /** A BPF object with CO-RE relocations and no `.kconfig` externs. */
  plainObject: string;
  /** A CO-RE target both objects relocate against. */
  target: string;
  /** A small plain kernel config. */
  config: string;
}

/** Every command that takes `input` (found at path `f`), `-o` writing `out`. */
export function hostileCommands(input: HostileInput, f: string, c: HostileCompanions, out: string): HostileCommand[] {
  const dumps: HostileCommand[] = [
    { label: "btf dump", args: ["btf", "dump", "file", f], bpftool: ["btf", "dump", "file", f] },
    { label: "btf dump -j", args: ["-j", "btf", "dump", "file", f], bpftool: ["-j", "btf", "dump", "file", f] },
    { label: "btf dump format c", args: ["btf", "dump", "file", f, "format", "c"], bpftool: ["btf", "dump", "file", f, "format", "c"] },
    { label: "btf dedup", args: ["btf", "dedup", f, "-o", out] },
  ];
  switch (input.form) {
    case "btf":
      return [
        ...dumps,
        { label: "core explain", args: ["core", "explain", c.kconfigObject, "--btf", f] },
        { label: "core reloc", args: ["core", "reloc", c.kconfigObject, "--btf", f, "--kconfig", c.config, "-o", out] },
      ];
    case "elf":
      return [
        ...dumps,
        { label: "core explain", args: ["core", "explain", f, "--btf", c.target], expect: input.asObject },
        { label: "core reloc", args: ["core", "reloc", f, "--btf", c.target, "--kconfig", c.config, "-o", out], expect: input.asObject },
      ];
    case "config":
      return [
        { label: "core reloc", args: ["core", "reloc", c.kconfigObject, "--btf", c.target, "--kconfig", f, "-o", out] },
        // An object without kconfig externs never reads the config, bomb or not.
        {
          label: "core reloc (no kconfig externs)",
          args: ["core", "reloc", c.plainObject, "--btf", c.target, "--kconfig", f, "-o", out],
          expect: "ok",
        },
      ];
  }
}
