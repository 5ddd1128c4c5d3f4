/**
 * Seeded inputs for the accept/reject comparison with bpftool 7.8 (libbpf
 * 1.8): BTF blobs with one targeted corruption each (header fields, version,
 * flags, hdr_len and unknown header bytes, layout offsets and entry sizes,
 * the type id in every kind of referencing slot, name offsets, FUNC targets,
 * kinds and vlens, split BTF on three bases) plus some generic fuzz
 * mutations, and hand-built BPF objects over every combination of ELF class,
 * e_type, e_machine and symbol-table count. Everything is built here from the
 * seed and the fixtures, so the committed verdicts (fixtures/golden-7.8/
 * validate-verdicts.json.br) carry a hash of each input: a change here makes
 * the comparison fail instead of silently comparing other inputs.
 *
 * Regenerating the verdicts (needs a bpftool 7.8 built from source):
 *   BPFTOOL78=/path/to/bpftool node --import tsx test/btf/mutate-validate.ts
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { Btf } from "../../src/btf/btf.js";
import { encodeBtf } from "../../src/btf/encode.js";
import {
  BTF_KIND_FUNC,
  BTF_KIND_FUNC_PROTO,
  KIND_DESCRIPTORS,
  makeInfo,
  nameSlots,
  typeIdSlots,
} from "../../src/btf/kinds.js";
import { StringTable } from "../../src/btf/strings.js";
import type { BtfType } from "../../src/btf/types.js";
import { EM_386, EM_AARCH64, EM_BPF, EM_NONE, EM_X86_64, ET_CORE, ET_DYN, ET_EXEC, ET_NONE, ET_REL, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_PROGBITS, SHT_STRTAB, SHT_SYMTAB, STB_GLOBAL, STT_FUNC } from "../../src/elf/constants.js";
import { Rng, mutate } from "../fuzz/mutate.js";
import { btfRegions } from "../fuzz/targets.js";
import { buildElf, strtab, symbolTable } from "../helpers/elf-builder.js";
import { FIXTURES, fixtureBytes, vmlinuxPath } from "../helpers/env.js";

export const VALIDATE_SEED = 13;
export const BTF_INPUTS = 3000;
export const GOLDEN_FILE = path.join(FIXTURES, "golden-7.8/validate-verdicts.json.br");

/** Bases split inputs are parsed on (names of files the oracle gets with -B). */
export type BaseLabel = "linux-6.1.0-56-amd64" | "bpf_testmod-7.1-distilled" | "small-layout";

export interface ValidateInput {
  index: number;
  /** "btf": a raw blob (on `base` when set); "object": an ELF for bpf_object__open / openBpfObject. */
  kind: "btf" | "object";
  base?: BaseLabel;
  /** What was done to the seed, for messages. */
  what: string;
  bytes: Uint8Array;
}

// --- seeds -----------------------------------------------------------------------------------

/** A 7.1-style layout section for kinds 0..19 from the descriptors, plus kind 20 with 4-byte info and elements. */
export function layoutWithKind20(le: boolean): Uint8Array {
  const out = new Uint8Array(4 * 21);
  const v = new DataView(out.buffer);
  KIND_DESCRIPTORS.forEach((d, k) => {
    out[4 * k] = 4 * d.infoWords;
    out[4 * k + 1] = 4 * d.elemWords;
  });
  out[80] = 4;
  out[81] = 4;
  v.setUint16(82, 0, le);
  return out;
}

/** Every kind, each referring to others, FUNC on FUNC_PROTO; ids start at `first`. */
export function everyKind(first: number): BtfType[] {
  const id = (k: number) => first + k;
  return [
    { kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 },
    { kind: "ptr", type: id(0) },
    { kind: "array", type: id(0), indexType: id(0), nelems: 4 },
    { kind: "struct", name: "s", size: 24, kflag: false, members: [{ name: "a", type: id(0), bitOffset: 0, bitfieldSize: 0 }, { name: "b", type: id(2), bitOffset: 32, bitfieldSize: 0 }] },
    { kind: "union", name: "u", size: 8, kflag: false, members: [{ name: "p", type: id(1), bitOffset: 0, bitfieldSize: 0 }] },
    { kind: "enum", name: "e", size: 4, signed: false, values: [{ name: "E1", value: 1 }, { name: "E2", value: 2 }] },
    { kind: "fwd", name: "f", union: false },
    { kind: "typedef", name: "t", type: id(3) },
    { kind: "volatile", name: "", type: id(0) },
    { kind: "const", name: "", type: id(8) },
    { kind: "restrict", name: "", type: id(1) },
    { kind: "func_proto", returnType: id(0), params: [{ name: "x", type: id(1) }, { name: "y", type: id(0) }] },
    { kind: "func", name: "fn", type: id(11), linkage: 1 },
    { kind: "var", name: "v", type: id(0), linkage: 1 },
    { kind: "datasec", name: ".data", size: 8, vars: [{ type: id(13), offset: 0, size: 4 }] },
    { kind: "float", name: "float", size: 4 },
    { kind: "decl_tag", name: "tag", type: id(12), componentIdx: -1, kflag: false },
    { kind: "type_tag", name: "user", type: id(0), kflag: false },
    { kind: "enum64", name: "e64", size: 8, signed: false, values: [{ name: "BIG", value: 1n << 40n }] },
  ];
}

export const unknown20 = (name: string): BtfType => ({ kind: "unknown", kindNumber: 20, name, info: makeInfo(20, 2, false), sizeOrType: 0, data: new Uint8Array(12) });

interface Seed {
  label: string;
  bytes: Uint8Array;
  base?: BaseLabel;
  weight: number;
}

function bases(): Record<BaseLabel, Uint8Array> {
  return {
    "linux-6.1.0-56-amd64": new Uint8Array(fs.readFileSync(vmlinuxPath("linux-6.1.0-56-amd64.btf"))),
    "bpf_testmod-7.1-distilled": fixtureBytes("modules/bpf_testmod-7.1.distilled-base.btf"),
    "small-layout": encodeBtf([...everyKind(1), unknown20("k20")], StringTable.create(), { layout: layoutWithKind20(true) }),
  };
}

let parsedBases: Record<BaseLabel, Btf> | undefined;

/** The bases, parsed once. */
export function baseBtfs(): Record<BaseLabel, Btf> {
  if (!parsedBases) {
    const b = bases();
    parsedBases = {
      "linux-6.1.0-56-amd64": Btf.parse(b["linux-6.1.0-56-amd64"]),
      "bpf_testmod-7.1-distilled": Btf.parse(b["bpf_testmod-7.1-distilled"]),
      "small-layout": Btf.parse(b["small-layout"]),
    };
  }
  return parsedBases;
}

function seeds(): Seed[] {
  const small = baseBtfs()["small-layout"];
  const splitTypes = (first: number): BtfType[] => [...everyKind(first), { kind: "typedef", name: "on_base", type: 3 }];
  return [
    { label: "every kind, LE", bytes: encodeBtf(everyKind(1), StringTable.create()), weight: 3 },
    { label: "every kind, BE", bytes: encodeBtf(everyKind(1), StringTable.create(), { littleEndian: false }), weight: 2 },
    { label: "every kind + kind 20, layout", bytes: small.bytes, weight: 3 },
    { label: "every kind, BE, 32-byte header", bytes: encodeBtf(everyKind(1), StringTable.create(), { littleEndian: false, headerLength: 32 }), weight: 1 },
    { label: "distilled base", bytes: fixtureBytes("modules/bpf_testmod-7.1.distilled-base.btf"), weight: 1 },
    { label: "crc8 on 6.1", bytes: fixtureBytes("modules/crc8.btf"), base: "linux-6.1.0-56-amd64", weight: 2 },
    { label: "bpf_testmod on distilled", bytes: fixtureBytes("modules/bpf_testmod-7.1.btf"), base: "bpf_testmod-7.1-distilled", weight: 1 },
    {
      label: "split kind 20 on a base's layout",
      bytes: encodeBtf([...splitTypes(small.count), unknown20("k20s")], StringTable.create(), { headerLength: 32 }),
      base: "small-layout",
      weight: 3,
    },
  ];
}

// --- targeted corruptions -------------------------------------------------------------------

const HEADER_FIELDS = { type_off: 8, type_len: 12, str_off: 16, str_len: 20, layout_off: 24, layout_len: 28 } as const;

interface Ctx {
  rng: Rng;
  bytes: Uint8Array;
  view: DataView;
  le: boolean;
  btf: Btf;
}

const u32 = (c: Ctx, at: number) => c.view.getUint32(at, c.le);
const set32 = (c: Ctx, at: number, v: number) => c.view.setUint32(at, v >>> 0, c.le);

/** Byte offset of an own record word. */
function wordAt(c: Ctx, word: number): number {
  return c.btf.header.hdrLen + c.btf.header.typeOff + 4 * word;
}

function randomRecord(c: Ctx): { id: number; p: number; kind: number; vlen: number } {
  const { offsets, words } = c.btf.ownRecords();
  const i = c.rng.below(offsets.length);
  const info = words[offsets[i] + 1];
  return { id: c.btf.startId + i, p: offsets[i], kind: (info >>> 24) & 0x7f, vlen: info & 0xffffff };
}

type Op = (c: Ctx) => string;

const OPS: Array<{ weight: number; name: string; op: Op }> = [
  {
    weight: 2,
    name: "version/flags",
    op: (c) => {
      const flags = c.rng.chance(0.5);
      const v = c.rng.pick(flags ? [1, 2, 0x80, 0xff] : [0, 2, 3, 0xff]);
      c.bytes[flags ? 3 : 2] = v;
      return `${flags ? "flags" : "version"}=${v}`;
    },
  },
  {
    weight: 2,
    name: "hdr_len",
    op: (c) => {
      const v = c.rng.pick([0, 4, 8, 16, 20, 23, 24, 25, 28, 31, 32, 33, 36, 40, 48, 0xffffffff]);
      set32(c, 4, v);
      return `hdr_len=${v}`;
    },
  },
  {
    weight: 3,
    name: "section field",
    op: (c) => {
      const [field, at] = c.rng.pick(Object.entries(HEADER_FIELDS));
      if (at + 4 > c.btf.header.hdrLen) return "no-op (short header)";
      const h = c.btf.header;
      const old = u32(c, at);
      const v = c.rng.pick([
        old + c.rng.pick([-12, -8, -4, -2, -1, 1, 2, 4, 8, 12]),
        0,
        0xffffffff,
        0x80000000,
        h.typeOff + h.typeLen,
        h.strOff,
        h.strOff + h.strLen,
        h.typeOff + h.typeLen - 4,
        c.rng.below(c.bytes.length + 16),
      ]);
      set32(c, at, v);
      return `${field}=${v >>> 0}`;
    },
  },
  {
    weight: 1,
    name: "layout entry",
    op: (c) => {
      const h = c.btf.header;
      if (!h.layoutLen) return "no-op (no layout)";
      const k = c.rng.pick([20, 20, 20, c.rng.below(h.layoutLen / 4)]);
      if (4 * k >= h.layoutLen) return "no-op (kind beyond layout)";
      const at = h.hdrLen + h.layoutOff! + 4 * k + c.rng.below(2);
      const v = c.rng.pick([0, 1, 2, 3, 4, 5, 6, 8, 12, 255]);
      c.bytes[at] = v;
      return `layout[${k}] byte ${at - h.hdrLen - h.layoutOff! - 4 * k} = ${v}`;
    },
  },
  {
    weight: 2,
    name: "extra header bytes",
    op: (c) => {
      // Grow the header by n bytes, zero or with one non-zero byte past the known 32.
      const h = c.btf.header;
      const n = c.rng.pick([4, 8, 16]);
      const out = new Uint8Array(c.bytes.length + n);
      out.set(c.bytes.subarray(0, h.hdrLen));
      out.set(c.bytes.subarray(h.hdrLen), h.hdrLen + n);
      const dirty = c.rng.chance(0.5);
      if (dirty) out[h.hdrLen + c.rng.below(n)] = 1 + c.rng.below(255);
      c.bytes = out;
      c.view = new DataView(out.buffer);
      set32(c, 4, h.hdrLen + n);
      return `hdr_len +${n} ${dirty ? "non-zero" : "zero"}`;
    },
  },
  {
    weight: 6,
    name: "type id slot",
    op: (c) => {
      const r = randomRecord(c);
      const slots = new Int32Array(r.vlen + 3);
      const n = typeIdSlots(r.kind, r.vlen, r.p, slots);
      if (n === 0) return "no-op (no id slot)";
      const slot = slots[c.rng.below(n)];
      const count = c.btf.count;
      const v = c.rng.pick([count - 1, count, count + 1, c.btf.startId - 1, c.btf.startId, 0, 0x7fffffff, 0xffffffff, c.rng.below(count)]);
      set32(c, wordAt(c, slot), v);
      return `[${r.id}] ${KIND_DESCRIPTORS[r.kind]?.name ?? r.kind} id word ${slot - r.p} = ${v >>> 0}`;
    },
  },
  {
    weight: 5,
    name: "name slot",
    op: (c) => {
      const r = randomRecord(c);
      const slots = new Int32Array(r.vlen + 2);
      const n = nameSlots(r.kind, r.vlen, r.p, slots);
      const slot = slots[c.rng.below(n)];
      const end = c.btf.startStrOff + c.btf.header.strLen;
      const v = c.rng.pick([end - 1, end, end + 1, c.btf.startStrOff - 1, c.btf.startStrOff, 0x7fffffff, 0xffffffff, c.rng.below(end)]);
      set32(c, wordAt(c, slot), v);
      return `[${r.id}] ${KIND_DESCRIPTORS[r.kind]?.name ?? r.kind} name word ${slot - r.p} = ${v >>> 0}`;
    },
  },
  {
    weight: 3,
    name: "func target",
    op: (c) => {
      const { offsets, words } = c.btf.ownRecords();
      const funcs: number[] = [];
      for (let i = 0; i < offsets.length && funcs.length < 64; i++) if (((words[offsets[i] + 1] >>> 24) & 0x7f) === BTF_KIND_FUNC) funcs.push(i);
      if (funcs.length === 0) return "no-op (no FUNC)";
      const i = c.rng.pick(funcs);
      const v = c.rng.below(c.btf.count);
      set32(c, wordAt(c, offsets[i] + 2), v);
      const k = v === 0 ? "void" : (KIND_DESCRIPTORS[c.btf.kindNumber(v)]?.name ?? "unknown");
      return `[${c.btf.startId + i}] FUNC -> [${v}] ${k}${k === "func_proto" ? "" : " (not FUNC_PROTO)"}`;
    },
  },
  {
    weight: 1,
    name: "size/type word",
    op: (c) => {
      const r = randomRecord(c);
      set32(c, wordAt(c, r.p + 2), c.rng.pick([0x7fffffff, 0xffffffff, c.btf.count]));
      return `[${r.id}] word 2 of a ${KIND_DESCRIPTORS[r.kind]?.name ?? r.kind}`;
    },
  },
  {
    weight: 2,
    name: "kind",
    op: (c) => {
      const r = randomRecord(c);
      const k = c.rng.pick([0, 20, 21, 31, 127, BTF_KIND_FUNC_PROTO, BTF_KIND_FUNC, 1 + c.rng.below(19)]);
      const at = wordAt(c, r.p + 1);
      set32(c, at, ((u32(c, at) & 0x80ffffff) | (k << 24)) >>> 0);
      return `[${r.id}] kind ${r.kind} -> ${k}`;
    },
  },
  {
    weight: 1,
    name: "vlen",
    op: (c) => {
      const r = randomRecord(c);
      const v = c.rng.pick([r.vlen + 1, r.vlen - 1, 0, 0xffffff]) & 0xffffff;
      const at = wordAt(c, r.p + 1);
      set32(c, at, ((u32(c, at) & 0xff000000) | v) >>> 0);
      return `[${r.id}] vlen ${r.vlen} -> ${v}`;
    },
  },
];
const OPS_WEIGHT = OPS.reduce((n, o) => n + o.weight, 0);

/** The BTF inputs, a function of the seed only (and the fixtures, whose hashes fixtures/README.md pins). */
export function btfInputs(seed = VALIDATE_SEED, count = BTF_INPUTS): ValidateInput[] {
  const all = seeds();
  const total = all.reduce((n, s) => n + s.weight, 0);
  const based = baseBtfs();
  const out: ValidateInput[] = [];
  for (let index = 0; index < count; index++) {
    const rng = new Rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
    const s = rng.pickWeighted(all, total);
    const base = s.base && based[s.base];
    const btf = Btf.parse(s.bytes, { base });
    const bytes = s.bytes.slice();
    let what: string;
    if (rng.chance(0.12)) {
      what = "fuzz mutation";
      out.push({ index, kind: "btf", base: s.base, what: `${s.label}: ${what}`, bytes: mutate(rng, bytes, btfRegions(bytes, base), btf.littleEndian) });
      continue;
    }
    const c: Ctx = { rng, bytes, view: new DataView(bytes.buffer), le: btf.littleEndian, btf };
    const steps: string[] = [];
    for (let n = rng.chance(0.2) ? 2 : 1; n > 0; n--) {
      const o = rng.pickWeighted(OPS, OPS_WEIGHT);
      steps.push(o.op(c));
    }
    out.push({ index, kind: "btf", base: s.base, what: `${s.label}: ${steps.join("; ")}`, bytes: c.bytes });
  }
  return out;
}

// --- objects --------------------------------------------------------------------------------

const E_TYPES = [ET_NONE, ET_REL, ET_EXEC, ET_DYN, ET_CORE];
const E_MACHINES = [EM_NONE, EM_BPF, EM_X86_64, EM_AARCH64, EM_386];

/** A one-program BPF object: `symtabs` symbol tables (0, 1 or 2), with BTF for the program. */
export function bpfObject(is64: boolean, type: number, machine: number, symtabs: number): Uint8Array {
  const btf = encodeBtf(
    [
      { kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 },
      { kind: "func_proto", returnType: 1, params: [] },
      { kind: "func", name: "prog", type: 2, linkage: 1 },
    ],
    StringTable.create(),
  );
  // r0 = 0; exit
  const code = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
  const names = strtab(["prog"]);
  const syms = symbolTable(is64, true, [{ nameOff: 0 }, { nameOff: names.offsets[0], info: (STB_GLOBAL << 4) | STT_FUNC, shndx: 1, size: 16n }]);
  const symtab = (name: string) => ({ name, type: SHT_SYMTAB, data: syms, link: 3, info: 1, entsize: is64 ? 24 : 16, addralign: 8 });
  return buildElf({
    is64,
    le: true,
    type,
    machine,
    sections: [
      { name: "xdp", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, data: code, addralign: 8 },
      { name: "license", type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, data: new TextEncoder().encode("GPL\0"), addralign: 1 },
      { name: ".strtab", type: SHT_STRTAB, data: names.data, addralign: 1 },
      { name: ".BTF", type: SHT_PROGBITS, data: btf, addralign: 4 },
      ...(symtabs > 0 ? [symtab(".symtab")] : []),
      ...(symtabs > 1 ? [symtab(".symtab2")] : []),
    ],
  }).bytes;
}

/** Every combination of class, e_type, e_machine and symbol-table count; indexes follow the BTF inputs. */
export function objectInputs(first = BTF_INPUTS): ValidateInput[] {
  const out: ValidateInput[] = [];
  for (const is64 of [true, false]) {
    for (const type of E_TYPES) {
      for (const machine of E_MACHINES) {
        for (const symtabs of [1, 0, 2]) {
          out.push({
            index: first + out.length,
            kind: "object",
            what: `ELF${is64 ? 64 : 32} e_type ${type} e_machine ${machine}, ${symtabs} symbol tables`,
            bytes: bpfObject(is64, type, machine, symtabs),
          });
        }
      }
    }
  }
  return out;
}

/** All inputs in index order. */
export function validateInputs(): ValidateInput[] {
  return [...btfInputs(), ...objectInputs()];
}

/** First 12 hex digits of the input's sha256: enough to notice any change to the generator. */
export function inputHash(input: ValidateInput): string {
  return createHash("sha256").update(input.kind).update(input.base ?? "").update(input.bytes).digest("hex").slice(0, 12);
}

// --- the oracle -----------------------------------------------------------------------------

/** Writes the bases to `dir` for -B. */
export function writeBases(dir: string): Record<BaseLabel, string> {
  const b = bases();
  const out = {} as Record<BaseLabel, string>;
  for (const [label, bytes] of Object.entries(b) as Array<[BaseLabel, Uint8Array]>) {
    out[label] = path.join(dir, `${label}.btf`);
    fs.writeFileSync(out[label], bytes);
  }
  return out;
}

/**
 * bpftool's verdict on an input: `btf dump file` (on `-B base` for split
 * BTF) runs btf__parse; `gen skeleton` runs bpf_object__open without the kernel.
 */
export function bpftoolAccepts(bpftool: string, input: ValidateInput, dir: string, basePaths: Record<BaseLabel, string>): boolean {
  const file = path.join(dir, input.kind === "object" ? "input.o" : "input.btf");
  fs.writeFileSync(file, input.bytes);
  const args =
    input.kind === "object"
      ? ["gen", "skeleton", file, "name", "x"]
      : [...(input.base ? ["-B", basePaths[input.base]] : []), "btf", "dump", "file", file];
  const r = spawnSync(bpftool, args, { stdio: ["ignore", "ignore", "ignore"], timeout: 60_000 });
  if (r.status === null) throw new Error(`${bpftool} ${args.join(" ")}: ${r.signal ?? r.error}`);
  return r.status === 0;
}

/** The committed verdicts of bpftool 7.8. */
export interface GoldenVerdicts {
  seed: number;
  bpftool: string;
  bpftoolCommit: string;
  libbpfCommit: string;
  generator: string;
  /** Per input index: its hash, then "A" (accepted) or "R" (rejected). */
  verdicts: string[];
}

export function readGolden(): GoldenVerdicts {
  return JSON.parse(zlib.brotliDecompressSync(fs.readFileSync(GOLDEN_FILE)).toString("utf8")) as GoldenVerdicts;
}

function writeGolden(bpftool: string): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-validate-"));
  try {
    const basePaths = writeBases(dir);
    const version = spawnSync(bpftool, ["version"], { encoding: "utf8" }).stdout.split("\n").slice(0, 2).join(" / ");
    const verdicts = validateInputs().map((input) => inputHash(input) + (bpftoolAccepts(bpftool, input, dir, basePaths) ? "A" : "R"));
    const golden: GoldenVerdicts = {
      seed: VALIDATE_SEED,
      bpftool: version,
      bpftoolCommit: process.env.BPFTOOL78_COMMIT ?? "0ffb9862c79c7e4b1586c6a4629c5e2cf795263d",
      libbpfCommit: process.env.LIBBPF18_COMMIT ?? "34e3ebf0f062cf81882c51ac95dce720101ca5cc",
      generator: "test/btf/mutate-validate.ts",
      verdicts,
    };
    const json = JSON.stringify(golden, null, 0).replace(/","/g, '",\n"');
    fs.writeFileSync(GOLDEN_FILE, zlib.brotliCompressSync(Buffer.from(json), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
    const accepted = verdicts.filter((v) => v.endsWith("A")).length;
    console.log(`${verdicts.length} inputs: ${accepted} accepted, ${verdicts.length - accepted} rejected by ${version}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bpftool = process.env.BPFTOOL78;
  if (!bpftool) throw new Error("set BPFTOOL78 to a bpftool 7.8 binary");
  writeGolden(bpftool);
}
