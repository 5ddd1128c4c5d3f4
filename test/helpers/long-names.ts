/**
 * Inputs whose names are huge once decoded: many section headers, symbols or
 * BTF members naming one long string, at its start (`tails: false`) or at
 * distinct offsets inside it (`tails: true`). Small to build, a few MB each.
 */
import { spawnSync } from "node:child_process";
import { BtfBuilder } from "../../src/btf/builder.js";
import { SHT_PROGBITS, SHT_STRTAB, SHT_SYMTAB } from "../../src/elf/constants.js";
import { buildElf, symbolTable } from "./elf-builder.js";

export interface LongNameOptions {
  /** How many records name the long string. */
  count: number;
  /** Its length in bytes. */
  length: number;
  /** Point record k at byte k (mod length) of the string instead of its start. */
  tails?: boolean;
  /** Fill the string with "é" (2 bytes each) instead of ASCII. */
  nonAscii?: boolean;
}

/** The long string's bytes: ASCII letters, or "é" repeated (an odd length ends on a lone lead byte). */
export function longNameBytes(length: number, nonAscii = false): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = nonAscii ? (i % 2 === 0 ? 0xc3 : 0xa9) : 0x61 + (i % 26);
  return out;
}

/** Name offset of record `k`: the string's start, or byte k of it. */
const nameOffset = (start: number, k: number, o: LongNameOptions) => (o.tails ? start + (k % o.length) : start);

/** An ELF64 whose `count` section headers (beside the long-named one) all name the long string. */
export function sharedSectionNamesElf(o: LongNameOptions): Uint8Array {
  const long = new TextDecoder().decode(longNameBytes(o.length, o.nonAscii));
  const sections = [
    { name: long, type: SHT_PROGBITS, data: new Uint8Array(0) },
    ...Array.from({ length: o.count }, () => ({ name: "", type: SHT_PROGBITS, data: new Uint8Array(0) })),
  ];
  const elf = buildElf({ is64: true, le: true, sections });
  const v = new DataView(elf.bytes.buffer);
  // Section 1 names the long string at offset 1 of .shstrtab; point the others at it.
  const start = v.getUint32(elf.shoff + elf.shentsize, true);
  for (let k = 0; k < o.count; k++) v.setUint32(elf.shoff + (k + 2) * elf.shentsize, nameOffset(start, k, o), true);
  return elf.bytes;
}

/** An ELF64 with one symbol table of `count` symbols all named by the long string. */
export function sharedSymbolNamesElf(o: LongNameOptions): Uint8Array {
  const strtab = new Uint8Array(o.length + 2);
  strtab.set(longNameBytes(o.length, o.nonAscii), 1);
  const syms = Array.from({ length: o.count }, (_, k) => ({ nameOff: nameOffset(1, k, o) }));
  return buildElf({
    is64: true,
    le: true,
    sections: [
      { name: ".symtab", type: SHT_SYMTAB, data: symbolTable(true, true, [{ nameOff: 0 }, ...syms]), link: 2, entsize: 24 },
      { name: ".strtab", type: SHT_STRTAB, data: strtab },
    ],
  }).bytes;
}

/** Raw little-endian BTF: the 24-byte header, then the type section and the string section as given. */
export function rawBtf(types: Uint8Array, strings: Uint8Array): Uint8Array {
  const out = new Uint8Array(24 + types.length + strings.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xeb9f, true);
  out[2] = 1;
  v.setUint32(4, 24, true);
  v.setUint32(12, types.length, true);
  v.setUint32(16, types.length, true);
  v.setUint32(20, strings.length, true);
  out.set(types, 24);
  out.set(strings, 24 + types.length);
  return out;
}

/** Raw BTF: `int`, then a struct of `count` int members all named by the long string. */
export function sharedMemberNamesBtf(o: LongNameOptions): Uint8Array {
  const strings = new Uint8Array(5 + o.length + 1);
  strings.set([0, 0x69, 0x6e, 0x74, 0], 0);
  strings.set(longNameBytes(o.length, o.nonAscii), 5);
  const words = [1, 1 << 24, 4, 0x01000020, 0, (4 << 24) | o.count, 4];
  for (let k = 0; k < o.count; k++) words.push(nameOffset(5, k, o), 1, 0);
  const types = new Uint8Array(4 * words.length);
  const v = new DataView(types.buffer);
  words.forEach((w, i) => v.setUint32(4 * i, w >>> 0, true));
  return rawBtf(types, strings);
}

/** One line per input the child printed: a checksum of what it read, or the error it got. */
export interface ChildResult {
  label: string;
  total?: number;
  error?: string;
  message?: string;
}

/**
 * Runs `script` (an ES module body, with `ROOT` bound to the repository) in
 * a child Node under a `heapMiB` heap, with tsx for the TypeScript sources.
 * Each line it prints is one `ChildResult`. A heap overflow shows as a
 * signal or a non-zero status with V8's message on stderr.
 */
export function runUnderHeapLimit(root: string, script: string, heapMiB: number): { results: ChildResult[]; signal: string | null; status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMiB}`, "--import", "tsx", "--input-type=module", "-e", `const ROOT = ${JSON.stringify(root)};\n${script}`], {
    cwd: root,
    encoding: "utf8",
    timeout: 240_000,
    killSignal: "SIGKILL",
    maxBuffer: 16 << 20,
  });
  const results = r.stdout
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as ChildResult);
  return { results, signal: r.signal, status: r.status, stderr: r.stderr };
}

/**
 * The child's results, one per label in order; throws (failing the test)
 * when it did not run to its end under the heap limit. No vitest here: the
 * children import this module too.
 */
export function completedResults(r: ReturnType<typeof runUnderHeapLimit>, labels: string[]): ChildResult[] {
  if (r.signal !== null || r.status !== 0) throw new Error(`child ended by ${r.signal ?? `status ${r.status}`}: ${r.stderr.slice(-2000)}`);
  const got = r.results.map((x) => x.label);
  if (got.join("\n") !== labels.join("\n")) throw new Error(`child printed results for [${got.join(", ")}], want [${labels.join(", ")}]`);
  return r.results;
}

/**
 * A CO-RE target with `candidates` flavors `task_struct___N` of `members`
 * members each, named `pid` + a `length`-byte tail that differs per member
 * only in its last bytes, then the real `task_struct { int x; int pid; }`;
 * and a local `task_struct { int pid; }`. Names are whole strings shared by
 * offset, so the target stays small while each member name is long.
 */
export function longMemberNamesCore(candidates: number, members: number, length: number): { local: Uint8Array; target: Uint8Array } {
  const int = { kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 } as const;
  const target = new BtfBuilder();
  const i = target.add(int);
  const names = Array.from({ length: members }, (_, k) => `pid${"_".repeat(length)}${k}`);
  const flavorMembers = names.map((name) => ({ name, type: i, bitOffset: 0, bitfieldSize: 0 }));
  for (let c = 0; c < candidates; c++) target.add({ kind: "struct", name: `task_struct___${c}`, size: 4, kflag: false, members: flavorMembers });
  const pid = (bitOffset: number) => ({ name: "pid", type: i, bitOffset, bitfieldSize: 0 });
  target.add({ kind: "struct", name: "task_struct", size: 8, kflag: false, members: [{ ...pid(0), name: "x" }, pid(32)] });
  const local = new BtfBuilder();
  local.add(int);
  local.add({ kind: "struct", name: "task_struct", size: 4, kflag: false, members: [pid(0)] });
  return { local: local.encode(), target: target.encode() };
}
