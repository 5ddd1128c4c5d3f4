/**
 * `format pahole` and layoutOf, against live pahole 1.24 (Debian):
 * - every struct and union of every vmlinux fixture: our whole dump equals
 *   `pahole -F btf FILE` byte for byte (one pahole run per blob, cached);
 * - `pahole -F btf -C NAME FILE` (one process per name, as users run it) on a
 *   seeded sample per blob plus task_struct, sk_buff, file, inode, mm_struct,
 *   sock and pt_regs; the full -C sweep is scripts/pahole-sweep.ts;
 * - split BTF (two modules on their bases: pahole lists the base's structs too);
 * - generated BTF (C-like layouts with bitfields, packing, forced alignment,
 *   nested anonymous types, multi-dimensional arrays, function pointers, and
 *   some arbitrary offsets) against both pahole forms: 60 fast-check runs,
 *   LAYOUT_RUNS=N LAYOUT_SEED=S for more or others;
 * - multi-dimensional arrays: pahole 1.24 prints `int m[2][3]` as
 *   `int m[3][2]`; our default prints C order, so those comparisons reverse
 *   each run of `[N]` groups in pahole's text and nothing else;
 * - layoutOf's values against the numbers in pahole's comments, and the
 *   accounting identity size = members + holes + padding.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { Btf } from "../../src/btf/btf.js";
import { BtfBuilder } from "../../src/btf/builder.js";
import {
  dumpPahole,
  dumpPaholeChunks,
  layoutOf,
  layoutsOf,
  paholeFind,
  paholeStructIds,
  type StructLayout,
} from "../../src/btf/layout.js";
import { BtfError } from "../../src/errors.js";
import { paholeByName, paholeCRoots, paholeWholeFile, splitLayouts } from "../../scripts/pahole-sweep.js";
import { MODULE_FIXTURES, VMLINUX_FIXTURES, basePath, expectSameText, modulePath, oracle, run, vmlinuxPath } from "../helpers/env.js";

const HAVE_PAHOLE = oracle("pahole");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-layout-"));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

const IMPORTANT = ["task_struct", "sk_buff", "file", "inode", "mm_struct", "sock", "pt_regs"];
/** -C NAME comparisons per blob in CI (each a pahole process of ~0.1 s, cached by blob hash). */
const SAMPLE_PER_BLOB = 12;

const blobs = new Map<string, Btf>();
function blob(name: string): Btf {
  let b = blobs.get(name);
  if (!b) blobs.set(name, (b = Btf.parse(new Uint8Array(fs.readFileSync(vmlinuxPath(name))))));
  return b;
}

/** pahole's text with every run of two or more `[N]` groups reversed: multi-dimensional arrays in C order. */
function cOrderArrays(text: string): string {
  return text.replace(/(?:\[\d*\]){2,}/g, (run) => (run.match(/\[\d*\]/g) ?? []).reverse().join(""));
}

/** A seeded generator (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}

interface TypeInfo {
  size: number;
  align: number;
  /** An integer or enum, so it can be a bitfield. */
  integral: boolean;
}

/**
 * BTF with C-like struct and union layouts: natural alignment, bitfields
 * packed into storage units, optional `__packed__`, forced alignments, tail
 * padding, nested anonymous and named types, arrays (some multi-dimensional,
 * some of length 0 at the end), function pointers; and now and then a member
 * at an arbitrary offset. Named composites are `sN` (unique names).
 */
function randomLayouts(seed: number): Uint8Array {
  const r = rng(seed);
  const b = new BtfBuilder();
  const info = new Map<number, TypeInfo>();
  const leaf: number[] = [];
  const addInt = (name: string, size: number, encoding: number) => {
    const id = b.add({ kind: "int", name, size, encoding, bitOffset: 0, bits: size * 8 });
    info.set(id, { size, align: size, integral: true });
    leaf.push(id);
    return id;
  };
  addInt("char", 1, 1);
  const uchar = addInt("unsigned char", 1, 0);
  addInt("short int", 2, 1);
  addInt("short unsigned int", 2, 0);
  const int = addInt("int", 4, 1);
  const uint = addInt("unsigned int", 4, 0);
  addInt("long int", 8, 1);
  const ulong = addInt("long unsigned int", 8, 0);
  addInt("_Bool", 1, 4);
  if (r.chance(0.3)) addInt("__int128", 16, 1);
  const dbl = b.add({ kind: "float", name: "double", size: 8 });
  info.set(dbl, { size: 8, align: 8, integral: false });
  leaf.push(dbl);
  for (const [name, t] of [
    ["u8", uchar],
    ["u32", uint],
    ["u64", ulong],
  ] as const) {
    const id = b.add({ kind: "typedef", name, type: t });
    info.set(id, { ...info.get(t)! });
    leaf.push(id);
  }
  const enums = r.int(0, 3);
  for (let e = 0; e < enums; e++) {
    const size = r.pick([1, 2, 4, 4, 8]);
    const n = r.int(0, 4);
    const name = r.chance(0.5) ? `e${e}` : "";
    const id =
      size === 8 && r.chance(0.5)
        ? b.add({ kind: "enum64", name, size, signed: false, values: Array.from({ length: n }, (_, k) => ({ name: `E${e}_V${k}`, value: BigInt(r.int(0, 1e6)) * 1000003n })) })
        : b.add({ kind: "enum", name, size, signed: r.chance(0.5), values: Array.from({ length: n }, (_, k) => ({ name: `E${e}_VALUE_${"X".repeat(k)}`, value: r.int(-5, 300) })) });
    info.set(id, { size, align: size, integral: true });
    leaf.push(id);
  }
  const ptr = (t: number) => {
    const id = b.add({ kind: "ptr", type: t });
    info.set(id, { size: 8, align: 8, integral: false });
    return id;
  };
  leaf.push(ptr(0), ptr(int));
  const cint = b.add({ kind: "const", name: "", type: int });
  info.set(cint, { size: 4, align: 4, integral: true });
  leaf.push(ptr(cint));
  const vptr = b.add({ kind: "volatile", name: "", type: ptr(uint) });
  info.set(vptr, { size: 8, align: 8, integral: false });
  leaf.push(vptr);
  const fwd = b.add({ kind: "fwd", name: "opaque", union: r.chance(0.3) });
  leaf.push(ptr(fwd));
  const protos = r.int(1, 3);
  for (let k = 0; k < protos; k++) {
    const params = Array.from({ length: r.int(0, 3) }, () => ({ name: r.chance(0.3) ? "arg" : "", type: r.pick(leaf) }));
    if (r.chance(0.3)) params.push({ name: "", type: 0 });
    const proto = b.add({ kind: "func_proto", returnType: r.chance(0.4) ? 0 : r.pick(leaf), params });
    leaf.push(ptr(proto));
  }
  const array = (elem: number, n: number) => {
    const e = info.get(elem)!;
    const id = b.add({ kind: "array", type: elem, indexType: int, nelems: n });
    info.set(id, { size: e.size * n, align: e.align, integral: false });
    return id;
  };

  let named = 0;
  const composite = (depth: number, name: string): number => {
    const isUnion = r.chance(0.25);
    const packed = r.chance(0.15);
    const n = r.int(depth > 2 ? 1 : 0, depth > 2 ? 3 : 7);
    const members: { name: string; type: number; bitOffset: number; bitfieldSize: number }[] = [];
    let bit = 0;
    let maxAlign = 1;
    let end = 0;
    let kflag = false;
    for (let m = 0; m < n; m++) {
      let type: number;
      const roll = r.next();
      if (roll < 0.12 && depth < 4) type = composite(depth + 1, "");
      else if (roll < 0.18 && depth < 4) type = composite(depth + 1, `s${named++}`);
      else if (roll < 0.21 && depth < 4) type = ptr(composite(depth + 1, ""));
      else if (roll < 0.3) {
        const elem = r.pick(leaf);
        type = r.chance(0.3) ? array(array(elem, r.int(1, 3)), r.int(1, 4)) : array(elem, m === n - 1 && r.chance(0.4) ? 0 : r.int(1, 5));
      } else type = r.pick(leaf);
      const t = info.get(type)!;
      const align = packed ? 1 : t.align;
      let bitfieldSize = 0;
      if (t.integral && !isUnion && r.chance(0.35)) {
        bitfieldSize = r.int(1, Math.min(t.size * 8, 64));
        kflag = true;
      } else if (t.integral && isUnion && r.chance(0.1)) {
        bitfieldSize = r.int(1, t.size * 8);
        kflag = true;
      }
      let at: number;
      if (isUnion) at = 0;
      else if (bitfieldSize) {
        const unit = t.size * 8;
        at = packed || Math.floor(bit / unit) === Math.floor((bit + bitfieldSize - 1) / unit) ? bit : Math.ceil(bit / unit) * unit;
      } else {
        at = Math.ceil(bit / (align * 8)) * align * 8;
        if (r.chance(0.08)) {
          const forced = r.pick([16, 32, 64]);
          at = Math.ceil(at / (forced * 8)) * forced * 8;
          maxAlign = Math.max(maxAlign, forced);
        }
      }
      if (r.chance(0.04)) at = r.int(0, Math.max(8, bit + 64));
      const size = bitfieldSize || t.size * 8;
      members.push({ name: r.chance(0.9) || !(info.get(type)!.align > 0) ? `m${m}` : "", type, bitOffset: at, bitfieldSize });
      bit = at + size;
      end = Math.max(end, bit);
      maxAlign = Math.max(maxAlign, align);
    }
    let size = Math.ceil(end / 8);
    size = Math.ceil(size / maxAlign) * maxAlign;
    if (r.chance(0.1)) size += r.int(1, 12);
    if (!kflag) for (const m of members) m.bitfieldSize = 0;
    const id = b.add({ kind: isUnion ? "union" : "struct", name, size, kflag, members });
    info.set(id, { size, align: maxAlign, integral: false });
    return id;
  };
  const roots = r.int(1, 4);
  for (let k = 0; k < roots; k++) {
    const id = composite(0, `s${named++}`);
    if (r.chance(0.3)) leaf.push(ptr(id));
  }
  return b.encode();
}

function writeTemp(name: string, bytes: Uint8Array): string {
  const file = path.join(TMP, name);
  fs.writeFileSync(file, bytes);
  return file;
}

const stateDependents = new Map<string, number[]>();
/** Indexes (into paholeStructIds) of the layouts whose whole-file text differs from their text alone. */
function stateDependent(name: string): number[] {
  let out = stateDependents.get(name);
  if (!out) {
    const btf = blob(name);
    const shared = splitLayouts(dumpPahole(btf, { sharedState: true }));
    const fresh = splitLayouts(dumpPahole(btf));
    out = [];
    for (let i = 0; i < shared.length; i++) if (shared[i] !== fresh[i]) out.push(i);
    stateDependents.set(name, out);
  }
  return out;
}

const paholeText = (file: string, ...args: string[]) =>
  run("pahole", ["-F", "btf", ...args, file]).toString();

describe.skipIf(!HAVE_PAHOLE)("against pahole 1.24 on the vmlinux fixtures", () => {
  for (const name of VMLINUX_FIXTURES) {
    it(`${name}: every struct and union, as one 'pahole -F btf FILE' run prints them`, () => {
      const btf = blob(name);
      const expected = paholeWholeFile(vmlinuxPath(name));
      const ours = dumpPahole(btf, { sharedState: true, paholeArrayOrder: true });
      const e = splitLayouts(expected);
      const o = splitLayouts(ours);
      const differing = e.filter((text, i) => text !== o[i]).map((text) => text.split("\n", 1)[0]);
      expect(differing.slice(0, 10)).toEqual([]);
      expect(o.length).toBe(e.length);
      expect(e.length).toBeGreaterThan(5000);
      expectSameText(expected, ours);
      // Each layout afresh (the default, as `pahole -C NAME`) and in C array order (no kernel here has a
      // multi-dimensional array): the same text but where a whole-file run had already marked the struct
      // packed while printing an earlier one. Those are checked against `pahole -C NAME` below.
      const fresh = splitLayouts(dumpPahole(btf));
      const c = splitLayouts(cOrderArrays(expected));
      expect(fresh.length).toBe(c.length);
      for (const i of stateDependent(name)) {
        expect(c[i].replace(/^} __attribute__\(\(__packed__\)\);$/m, "};")).toBe(fresh[i]);
        c[i] = fresh[i];
      }
      expectSameText(c.join(""), fresh.join(""));
    });

    it(`${name}: 'pahole -F btf -C NAME FILE' for the important structs and a seeded sample`, async () => {
      const btf = blob(name);
      const roots = paholeCRoots(btf);
      const r = rng(0x5eed ^ roots.length);
      const pick = new Set<number>();
      for (const n of IMPORTANT) {
        const id = paholeFind(btf, n);
        if (id !== undefined) pick.add(id);
      }
      expect(pick.size).toBeGreaterThanOrEqual(6); // pt_regs... every blob has all but, at most, one of them
      // Those whose whole-file text depends on what pahole printed before them.
      for (const i of stateDependent(name).slice(0, 5)) pick.add(paholeStructIds(btf)[i]);
      while (pick.size < IMPORTANT.length + SAMPLE_PER_BLOB) pick.add(r.pick(roots));
      const ids = [...pick];
      const outputs = await paholeByName(
        vmlinuxPath(name),
        ids.map((id) => btf.name(id)),
        2,
      );
      for (const id of ids) {
        const expected = outputs.get(btf.name(id))!;
        expect(expected.length).toBeGreaterThan(20);
        expectSameText(expected, dumpPahole(btf, { roots: [id], paholeArrayOrder: true }));
        expectSameText(cOrderArrays(expected), dumpPahole(btf, { roots: [id] }));
      }
    });
  }
});

const FEATURES: [string, RegExp][] = [
  ["inline enum", /\tenum \{/],
  ["pointer to inline struct", /\} \* m\d+;/],
  ["force alignment", /Force alignment/],
  ["combined prev", /Bitfield combined with previous/],
  ["combined next", /Bitfield combined with next/],
  ["brain fart", /BRAIN FART/],
  ["bit hole", /bits? hole/],
  ["last struct padding", /last struct has/],
  ["bit_padding", /bit_padding/],
  ["cacheline", /--- cacheline/],
  ["flexible", /\[\];/],
  ["varargs", /\.\.\.\)/],
  ["nested union", /\tunion \{/],
  ["anon member", /\t\};/],
  ["big hole", /XXX \d{4,} bytes hole/],
];

describe.skipIf(!HAVE_PAHOLE)("against pahole 1.24 on split BTF", () => {
  // pahole lists the base's structs too. Two modules here (a big one, and one on a distilled base);
  // the other module fixtures give the same result.
  for (const { name, base } of MODULE_FIXTURES.filter((m) => m.name === "ext4.btf" || m.name === "bpf_testmod-7.1.btf")) {
    it(`${name} on ${base}: 'pahole -F btf --btf_base BASE FILE'`, () => {
      const baseBtf = Btf.parse(new Uint8Array(fs.readFileSync(basePath(base))));
      const btf = Btf.parse(new Uint8Array(fs.readFileSync(modulePath(name))), { base: baseBtf });
      expectSameText(paholeWholeFile(modulePath(name), basePath(base)), dumpPahole(btf, { sharedState: true, paholeArrayOrder: true }));
    });
  }
});

describe.skipIf(!HAVE_PAHOLE)("against pahole 1.24 on generated layouts", () => {
  it("whole file and -C NAME, byte for byte (fast-check seeds)", () => {
    let multiDim = 0;
    let bitfields = 0;
    let packed = 0;
    let aligned = 0;
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const bytes = randomLayouts(seed);
        const file = writeTemp(`gen-${seed >>> 0}.btf`, bytes);
        const btf = Btf.parse(bytes);
        const expected = paholeText(file);
        expectSameText(expected, dumpPahole(btf, { sharedState: true, paholeArrayOrder: true }));
        expectSameText(cOrderArrays(expected), dumpPahole(btf, { sharedState: true }));
        if (/\]\[/.test(expected)) multiDim++;
        if (/:\d+;/.test(expected)) bitfields++;
        if (expected.includes("__packed__")) packed++;
        if (expected.includes("__aligned__")) aligned++;
        for (const [k, re] of FEATURES) if (re.test(expected)) seen.set(k, (seen.get(k) ?? 0) + 1);
        const names = paholeStructIds(btf).map((id) => btf.name(id));
        for (const n of names) {
          const id = paholeFind(btf, n)!;
          expectSameText(paholeText(file, "-C", n), dumpPahole(btf, { roots: [id], paholeArrayOrder: true }));
        }
      }),
      { numRuns: Number(process.env.LAYOUT_RUNS ?? 60), seed: Number(process.env.LAYOUT_SEED ?? 17) },
    );
    // The generator reaches the cases it is for (LAYOUT_RUNS and LAYOUT_SEED run more or other seeds).
    expect(multiDim).toBeGreaterThan(3);
    expect(bitfields).toBeGreaterThan(10);
    expect(packed).toBeGreaterThan(3);
    expect(aligned).toBeGreaterThan(3);
    expect(FEATURES.filter(([k]) => !seen.has(k)).map(([k]) => k)).toEqual([]);
  });

  it("pointers to types pahole does not load, void members, deep nesting, long names", () => {
    const b = new BtfBuilder();
    const int = b.add({ kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 });
    const uint = b.add({ kind: "int", name: "unsigned int", size: 4, encoding: 0, bitOffset: 0, bits: 32 });
    b.add({ kind: "int", name: "long", size: 8, encoding: 1, bitOffset: 0, bits: 64 });
    const tag = b.add({ kind: "type_tag", name: "rcu", type: int, kflag: false });
    const ptag = b.add({ kind: "ptr", type: tag });
    const fn = b.add({ kind: "func_proto", returnType: 0, params: [{ name: "", type: ptag }] });
    const pfn = b.add({ kind: "ptr", type: fn });
    const ppfn = b.add({ kind: "ptr", type: pfn });
    const variable = b.add({ kind: "var", name: "v", type: int, linkage: 0 });
    let inner = b.add({ kind: "struct", name: "", size: 4, kflag: false, members: [{ name: "x", type: int, bitOffset: 0, bitfieldSize: 0 }] });
    for (let d = 0; d < 6; d++) {
      inner = b.add({
        kind: d % 2 ? "struct" : "union",
        name: "",
        size: 4,
        kflag: false,
        members: [
          { name: `lvl${d}`, type: inner, bitOffset: 0, bitfieldSize: 0 },
          { name: "", type: int, bitOffset: 0, bitfieldSize: 0 },
        ],
      });
    }
    const long = "a_type_name_long_enough_to_overflow_the_buffers_pahole_prints_type_names_into_".repeat(2);
    const longStruct = b.add({ kind: "struct", name: long, size: 4, kflag: false, members: [{ name: "y", type: uint, bitOffset: 0, bitfieldSize: 0 }] });
    const cLong = b.add({ kind: "const", name: "", type: longStruct });
    const pcLong = b.add({ kind: "ptr", type: cLong });
    b.add({
      kind: "struct",
      name: "edges",
      size: 96,
      kflag: false,
      members: [
        { name: "p", type: ptag, bitOffset: 0, bitfieldSize: 0 },
        { name: "f", type: pfn, bitOffset: 64, bitfieldSize: 0 },
        { name: "ff", type: ppfn, bitOffset: 128, bitfieldSize: 0 },
        { name: "t", type: tag, bitOffset: 192, bitfieldSize: 0 },
        { name: "v", type: variable, bitOffset: 256, bitfieldSize: 0 },
        { name: "deep", type: inner, bitOffset: 320, bitfieldSize: 0 },
        { name: "l", type: pcLong, bitOffset: 384, bitfieldSize: 0 },
        { name: "cl", type: cLong, bitOffset: 448, bitfieldSize: 0 },
        { name: "", type: int, bitOffset: 480, bitfieldSize: 0 },
      ],
    });
    // Every place pahole reports a type it did not load (its messages carry pahole's source lines).
    const pptag = b.add({ kind: "ptr", type: ptag });
    const ctag = b.add({ kind: "const", name: "", type: tag });
    const atag = b.add({ kind: "array", type: tag, indexType: int, nelems: 2 });
    b.add({
      kind: "union",
      name: "u",
      size: 8,
      kflag: false,
      members: [
        // (A member of a type pahole did not load would crash pahole 1.24 in a union.)
        { name: "a", type: ptag, bitOffset: 0, bitfieldSize: 0 },
        { name: "b", type: int, bitOffset: 0, bitfieldSize: 0 },
      ],
    });
    b.add({
      kind: "struct",
      name: "missing",
      size: 64,
      kflag: true,
      members: [
        { name: "pp", type: pptag, bitOffset: 0, bitfieldSize: 0 },
        { name: "pc", type: b.add({ kind: "ptr", type: ctag }), bitOffset: 64, bitfieldSize: 0 },
        { name: "arr", type: atag, bitOffset: 128, bitfieldSize: 0 },
        { name: "pa", type: b.add({ kind: "ptr", type: atag }), bitOffset: 192, bitfieldSize: 0 },
        { name: "x", type: int, bitOffset: 256, bitfieldSize: 3 },
        { name: "y", type: tag, bitOffset: 264, bitfieldSize: 3 },
        { name: "z", type: int, bitOffset: 320, bitfieldSize: 0 },
      ],
    });
    const bytes = b.encode();
    const file = writeTemp("edges.btf", bytes);
    const btf = Btf.parse(bytes);
    const expected = paholeText(file);
    for (const site of ["tag__ptr_name:496", "__tag__name:572", "__tag__name:590", "array_type__fprintf:238", "ftype__fprintf_parms:1142", "__class__fprintf:1546", "__class__fprintf:1609"]) {
      expect(expected).toContain(`<ERROR(${site}): `);
    }
    expectSameText(expected, dumpPahole(btf, { paholeArrayOrder: true }));
    expectSameText(paholeText(file, "-C", "edges"), dumpPahole(btf, { roots: [btf.findByName("edges")!] }));
  });

  it("multi-dimensional arrays: C order by default, pahole's reversed order on request", () => {
    const b = new BtfBuilder();
    const int = b.add({ kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 });
    const a3 = b.add({ kind: "array", type: int, indexType: int, nelems: 3 });
    const a23 = b.add({ kind: "array", type: a3, indexType: int, nelems: 2 });
    const a423 = b.add({ kind: "array", type: a23, indexType: int, nelems: 4 });
    const flex = b.add({ kind: "array", type: a3, indexType: int, nelems: 0 });
    b.add({
      kind: "struct",
      name: "grid",
      size: 24 + 96,
      kflag: false,
      members: [
        { name: "m", type: a23, bitOffset: 0, bitfieldSize: 0 },
        { name: "cube", type: a423, bitOffset: 192, bitfieldSize: 0 },
        { name: "rows", type: flex, bitOffset: 960, bitfieldSize: 0 },
      ],
    });
    const bytes = b.encode();
    const btf = Btf.parse(bytes);
    const ours = dumpPahole(btf);
    expect(ours).toContain("int                        m[2][3];");
    expect(ours).toContain("int                        cube[4][2][3];");
    expect(ours).toContain("int                        rows[][3];");
    const expected = paholeText(writeTemp("grid.btf", bytes));
    expect(expected).toContain(" m[3][2];");
    expect(expected).toContain(" cube[3][2][4];");
    expectSameText(expected, dumpPahole(btf, { paholeArrayOrder: true }));
    expectSameText(cOrderArrays(expected), ours);
  });
});

/** The numbers in pahole's closing comments of one layout. */
function summary(text: string) {
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const size = /\n\t\/\* size: (\d+), cachelines: (\d+), members: (\d+) \*\/\n/.exec(text);
  return {
    size: size && Number(size[1]),
    cachelines: size && Number(size[2]),
    members: size && Number(size[3]),
    sumMembers: num(/^\t\/\* sum members: (\d+)/m),
    holes: num(/^\t\/\* sum members: \d+, holes: (\d+)/m),
    sumHoles: num(/^\t\/\* sum members: .*sum holes: (\d+)/m),
    sumBits: num(/^\t\/\* sum bitfield members: (\d+) bits/m),
    bitHoles: num(/^\t\/\* sum bitfield members: .*, bit holes: (\d+)/m),
    sumBitHoles: num(/^\t\/\* sum bitfield members: .*sum bit holes: (\d+)/m),
    padding: num(/^\t\/\* padding: (\d+) \*\//m),
    paddings: num(/^\t\/\* paddings: (\d+)/m),
    sumPaddings: num(/^\t\/\* paddings: \d+, sum paddings: (\d+)/m),
    bitPadding: num(/^\t\/\* bit_padding: (\d+) bits/m),
    forced: num(/^\t\/\* forced alignments: (\d+)/m),
    forcedHoles: num(/^\t\/\* forced alignments: \d+, forced holes: (\d+)/m),
    sumForcedHoles: num(/^\t\/\* forced alignments: .*sum forced holes: (\d+)/m),
    lastCacheline: num(/^\t\/\* last cacheline: (\d+) bytes/m),
    packed: /^}.* __attribute__\(\(__packed__\)\);$/m.test(text),
    aligned: num(/^}.* __attribute__\(\(__aligned__\((\d+)\)\)\);$/m),
  };
}

/** Where layoutOf's values and the numbers in pahole's text of the same layout disagree (none expected). */
function mismatches(l: StructLayout, text: string): string[] {
  const s = summary(text);
  const bad: string[] = [];
  const eq = (what: string, shown: number | boolean | null | undefined, value: number | boolean) => {
    if (shown !== value) bad.push(`${l.kind} ${l.name}: ${what} shown ${shown}, layoutOf ${value}`);
  };
  eq("packed", s.packed, l.packed);
  // pahole prints no attribute after a union, nor its summary.
  if (l.kind === "union") return bad;
  eq("aligned", s.aligned ?? 0, l.packed ? 0 : l.alignment);
  eq("size", s.size, l.size);
  eq("cachelines", s.cachelines, l.cachelines);
  eq("members", s.members, l.members.length);
  eq("last cacheline", s.lastCacheline ?? 0, l.lastCacheline);
  eq("padding", s.padding ?? 0, l.padding);
  eq("bit padding", s.bitPadding ?? 0, l.bitPadding);
  eq("paddings", s.paddings ?? 0, l.paddedMembers);
  eq("sum paddings", s.sumPaddings ?? 0, l.sumPaddings);
  eq("forced alignments", s.forced ?? 0, l.forcedAlignments);
  eq("forced holes", s.forcedHoles ?? 0, l.forcedHoles);
  eq("sum forced holes", s.sumForcedHoles ?? 0, l.sumForcedHoles);
  if (l.sumHoles > 0 || l.sumBitHoles > 0) {
    // pahole prints the sums only when there is a hole.
    if (l.sumMembers > 0) eq("sum members", s.sumMembers, l.sumMembers);
    if (l.sumHoles > 0) {
      eq("holes", s.holes, l.holes);
      eq("sum holes", s.sumHoles, l.sumHoles);
    }
    if (l.sumBitfieldBits > 0) eq("sum bitfield members", s.sumBits, l.sumBitfieldBits);
    if (l.sumBitHoles > 0) {
      eq("bit holes", s.bitHoles, l.bitHoles);
      eq("sum bit holes", s.sumBitHoles, l.sumBitHoles);
    }
  }
  return bad;
}

/** The accounting pahole checks (its "BRAIN FART" line) and the relations between layoutOf's values. */
function inconsistencies(l: StructLayout): string[] {
  const bad: string[] = [];
  const eq = (what: string, a: number, b: number) => {
    if (a !== b) bad.push(`${l.kind} ${l.name}: ${what}: ${a} != ${b}`);
  };
  if (l.kind === "union") {
    eq("union padding = size - largest member", l.padding, l.size - Math.max(0, ...l.members.map((x) => x.size)));
    return bad;
  }
  // Every bit is a member, a hole or padding.
  eq("bits", l.sumMembers * 8 + l.sumBitfieldBits + l.sumHoles * 8 + l.sumBitHoles + l.padding * 8 + l.bitPadding, l.size * 8);
  eq("sum holes", l.sumHoles, l.leadingHole + l.members.reduce((a, x) => a + x.hole, 0));
  eq("holes", l.holes, (l.leadingHole ? 1 : 0) + l.members.filter((x) => x.hole).length);
  if (!l.sumBitfieldBits && !l.bitPadding) eq("holes = size - members - padding", l.sumHoles, l.size - l.sumMembers - l.padding);
  eq("cachelines", l.cachelines, Math.ceil(l.size / 64) - (l.size === 1 && l.members.length === 0 ? 1 : 0));
  // A hole between two plain members ends where the next one starts.
  for (let k = 0; k + 1 < l.members.length; k++) {
    const a = l.members[k];
    const b = l.members[k + 1];
    if (a.hole && !a.bitfieldSize && !b.bitfieldSize) eq(`hole after ${a.name}`, a.offset + a.size + a.hole, b.offset);
  }
  return bad;
}

describe("layoutOf", () => {
  it("task_struct on 6.18: the values pahole's comments show", () => {
    const btf = blob("linux-6.18.44-fc-v657.btf");
    const l = layoutOf(btf, btf.findByName("task_struct", "struct")!);
    expect(l.kind).toBe("struct");
    const m = (n: string) => l.members.find((x) => x.name === n)!;
    expect(m("wakee_flips")).toMatchObject({ offset: 72, size: 4, hole: 4, type: "unsigned int" });
    expect(m("preempt_notifiers")).toMatchObject({ offset: 768, alignment: 64, type: "struct hlist_head" });
    expect(m("sched_task_hot")).toMatchObject({ offset: 1188, size: 4, bitfieldOffset: 3, bitfieldSize: 1, bitHole: 28 });
    expect(m("sched_class").type).toBe("const struct sched_class *");
    expect(m("stack").type).toBe("void *");
    expect(m("comm").type).toBe("char[16]");
    const text = dumpPahole(btf, { roots: [l.id] });
    expect(mismatches(l, text)).toEqual([]);
    expect(inconsistencies(l)).toEqual([]);
    // The comparisons can fail: a layout with one value changed disagrees with the text and with itself.
    const tampered = { ...l, padding: l.padding + 1, sumHoles: l.sumHoles + 2 };
    expect(mismatches(tampered, text).length).toBeGreaterThan(0);
    expect(inconsistencies(tampered).length).toBeGreaterThan(0);
  });

  it("types of members: function pointers, anonymous types, arrays", () => {
    const btf = blob("linux-6.18.44-fc-v657.btf");
    const cb = layoutOf(btf, btf.findByName("callback_head", "struct")!);
    expect(cb.members.map((x) => x.type)).toEqual(["struct callback_head *", "void (*)(struct callback_head *)"]);
    const rcu = layoutOf(btf, btf.findByName("rcu_special", "union")!);
    expect(rcu).toMatchObject({ kind: "union", size: 4, holes: 0, padding: 0 });
    expect(rcu.members.map((x) => [x.name, x.type, x.offset, x.size])).toEqual([
      ["b", "struct {...}", 0, 4],
      ["s", "u32", 0, 4],
    ]);
  });

  for (const name of VMLINUX_FIXTURES) {
    it(`${name}: every layout's values match its text, and its bytes add up`, () => {
      const btf = blob(name);
      const ids = paholeStructIds(btf);
      const layouts = layoutsOf(btf);
      expect(layouts.length).toBe(ids.length);
      const texts = splitLayouts(dumpPahole(btf));
      let holes = 0;
      const bad: string[] = [];
      for (let i = 0; i < layouts.length; i++) {
        const l = layouts[i];
        if (l.id !== ids[i]) bad.push(`layout ${i} is of [${l.id}], not [${ids[i]}]`);
        bad.push(...mismatches(l, texts[i]), ...inconsistencies(l));
        holes += l.holes;
      }
      expect(bad.slice(0, 10)).toEqual([]);
      expect(holes).toBeGreaterThan(1000);
    });
  }

  it("cacheline size is an option; other values are refused", () => {
    const btf = blob("linux-6.1.0-56-amd64.btf");
    const id = btf.findByName("task_struct", "struct")!;
    const l128 = layoutOf(btf, id, { cachelineSize: 128 });
    expect(l128.cachelines).toBe(Math.ceil(l128.size / 128));
    expect(dumpPahole(btf, { roots: [id], cachelineSize: 128 })).toContain("/* --- cacheline 1 boundary (128 bytes)");
    if (HAVE_PAHOLE) {
      for (const cl of [32, 128]) {
        for (const n of ["task_struct", "sk_buff"]) {
          const expected = paholeText(vmlinuxPath("linux-6.1.0-56-amd64.btf"), "-c", String(cl), "-C", n);
          expectSameText(expected, dumpPahole(btf, { roots: [paholeFind(btf, n)!], cachelineSize: cl }));
        }
      }
    }
    expect(() => layoutOf(btf, id, { cachelineSize: 0 })).toThrow(BtfError);
    expect(() => layoutOf(btf, btf.findByName("pid_t")!)).toThrow(/not a struct or union/);
    expect(() => layoutOf(btf, btf.count)).toThrow(/out of range/);
    expect(() => dumpPahole(btf, { roots: [0] })).toThrow(BtfError);
  });

  it("the chunked dump is the same bytes", () => {
    const btf = blob("linux-6.12.95+deb12-s390x.btf");
    const chunks: Uint8Array[] = [];
    dumpPaholeChunks(btf, {}, (c) => chunks.push(c.slice()));
    expect(Buffer.concat(chunks).toString()).toBe(dumpPahole(btf));
  });

  it("a cyclic type graph is refused, not a stack overflow", () => {
    const b = new BtfBuilder();
    // 1: typedef -> 2, 2: const -> 1; struct 3 has a member of type 1.
    b.add({ kind: "typedef", name: "loop", type: 2 });
    b.add({ kind: "const", name: "", type: 1 });
    b.add({ kind: "struct", name: "s", size: 4, kflag: false, members: [{ name: "x", type: 1, bitOffset: 0, bitfieldSize: 0 }] });
    const btf = b.build();
    expect(() => dumpPahole(btf)).toThrow(BtfError);
    expect(() => layoutOf(btf, 3)).toThrow(BtfError);
  });

  it("types nested 20,000 deep are refused, not a stack overflow", () => {
    for (const mode of ["pointers", "inline structs", "named structs"]) {
      const b = new BtfBuilder();
      let t = b.add({ kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 });
      for (let i = 0; i < 20000; i++) {
        t =
          mode === "pointers"
            ? b.add({ kind: "ptr", type: t })
            : b.add({ kind: "struct", name: mode === "named structs" ? `s${i}` : "", size: 4, kflag: false, members: [{ name: "x", type: t, bitOffset: 0, bitfieldSize: 0 }] });
      }
      const root = b.add({ kind: "struct", name: "root", size: 8, kflag: false, members: [{ name: "x", type: t, bitOffset: 0, bitfieldSize: 0 }] });
      const btf = b.build();
      expect(() => dumpPahole(btf, { roots: [root] }), mode).toThrow(/nested deeper than/);
      expect(() => layoutOf(btf, root), mode).toThrow(BtfError);
    }
  });
});
