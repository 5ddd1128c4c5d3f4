/**
 * Malformed and hostile BTF: every failure is a BtfError that says where it
 * happened (an offset or a type id), never a TypeError/RangeError, a hang or a
 * huge allocation. Ends with a mutation fuzzer over real and synthetic blobs.
 */
import fs from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Btf, MAX_NESTING_DEPTH } from "../../src/btf/btf.js";
import { BtfBuilder, reencode } from "../../src/btf/builder.js";
import { dumpRaw } from "../../src/btf/dump-raw.js";
import {
  BTF_KIND_ARRAY,
  BTF_KIND_CONST,
  BTF_KIND_ENUM,
  BTF_KIND_FUNC_PROTO,
  BTF_KIND_INT,
  BTF_KIND_PTR,
  BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF,
  BTF_KIND_VOLATILE,
  makeInfo,
} from "../../src/btf/kinds.js";
import type { BtfType } from "../../src/btf/types.js";
import { BtfError } from "../../src/errors.js";
import { basePath, modulePath, vmlinuxPath } from "../helpers/env.js";

// --- hand-made blobs ---------------------------------------------------------

interface RawBlob {
  /** The type section as 32-bit words. */
  types?: number[];
  /** The string section; the default holds "" and "int". */
  strings?: Uint8Array | string;
  layout?: Uint8Array;
  le?: boolean;
  /** Header fields to overwrite after the consistent ones are filled in. */
  hdr?: Partial<Record<"magic" | "hdrLen" | "typeOff" | "typeLen" | "strOff" | "strLen" | "layoutOff" | "layoutLen", number>>;
}

/** Header, types, layout, strings: the layout libbpf writes. */
function blob(r: RawBlob = {}): Uint8Array {
  const le = r.le ?? true;
  const types = r.types ?? [];
  const strings = typeof r.strings === "string" || r.strings === undefined ? new TextEncoder().encode(r.strings ?? "\0int\0") : r.strings;
  const layout = r.layout ?? new Uint8Array(0);
  const hdrLen = r.layout ? 32 : 24;
  const typeLen = 4 * types.length;
  const out = new Uint8Array(hdrLen + typeLen + layout.length + strings.length);
  const v = new DataView(out.buffer);
  const h = {
    magic: 0xeb9f,
    hdrLen,
    typeOff: 0,
    typeLen,
    strOff: typeLen + layout.length,
    strLen: strings.length,
    layoutOff: typeLen,
    layoutLen: layout.length,
    ...r.hdr,
  };
  v.setUint16(0, h.magic, le);
  out[2] = 1;
  [h.hdrLen, h.typeOff, h.typeLen, h.strOff, h.strLen].forEach((x, i) => v.setUint32(4 + 4 * i, x, le));
  if (hdrLen === 32) {
    v.setUint32(24, h.layoutOff, le);
    v.setUint32(28, h.layoutLen, le);
  }
  types.forEach((w, i) => v.setUint32(hdrLen + 4 * i, w >>> 0, le));
  out.set(layout, hdrLen + typeLen);
  out.set(strings, hdrLen + typeLen + layout.length);
  return out;
}

/** The common 12 bytes of a record, as words. */
const rec = (nameOff: number, kind: number, vlen: number, third: number, kflag = false) => [nameOff, makeInfo(kind, vlen, kflag), third];
/** `int` (name at offset 1 of the default strings), 4 bytes, signed. */
const INT = [...rec(1, BTF_KIND_INT, 0, 4), (1 << 24) | 32];

/** Layout records for kinds 0..19 as Linux 7.1 writes them. */
const LAYOUT_7_1 = Btf.parse(new Uint8Array(fs.readFileSync(vmlinuxPath("linux-7.1-layout.btf")))).layoutBytes()!.slice();

/** A BtfError whose message points at an offset or a type id. */
const LOCATED = /offset 0x[0-9a-f]+|type \[[^\]]+\]/;

function expectBtfError(fn: () => unknown, where: RegExp = LOCATED): BtfError {
  expect(fn).toThrow(BtfError);
  try {
    fn();
  } catch (e) {
    expect((e as Error).message).toMatch(where);
    return e as BtfError;
  }
  throw new Error("unreachable");
}

const parse = (bytes: Uint8Array, base?: Btf) => () => Btf.parse(bytes, { base });

describe("sanity of the hand-made blobs", () => {
  it("a well-formed blob parses and round-trips", () => {
    for (const le of [true, false]) {
      const bytes = blob({ le, types: [...INT, ...rec(0, BTF_KIND_PTR, 0, 1)] });
      const btf = Btf.parse(bytes);
      expect(btf.type(1)).toEqual({ kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 });
      expect(reencode(btf)).toEqual(bytes);
    }
  });
});

describe("header", () => {
  const good = blob({ types: INT });

  it("truncated headers", () => {
    for (const n of [0, 1, 3, 4, 8, 23]) expectBtfError(parse(good.subarray(0, n)), /offset 0x0/);
  });

  it("bad magic", () => {
    for (const magic of [0, 0xeb9e, 0x9fec, 0xffff]) {
      const b = good.slice();
      new DataView(b.buffer).setUint16(0, magic, true);
      expectBtfError(parse(b), /magic.*offset 0x0/);
    }
  });

  it("hdr_len too small or larger than the data", () => {
    for (const hdrLen of [0, 4, 23, good.length + 1, 0x7fffffff, 0xffffffff]) {
      expectBtfError(parse(blob({ types: INT, hdr: { hdrLen } })), /header length.*offset 0x4/);
    }
  });

  it("type and string sections out of range", () => {
    const cases: RawBlob["hdr"][] = [
      { typeLen: 0xfffffff0 },
      { typeOff: 0xfffffffc },
      { strLen: 0xffffffff },
      { strOff: 0xffffffff },
      { strLen: 6 },
      { strOff: 13 },
    ];
    for (const hdr of cases) expectBtfError(parse(blob({ types: INT, hdr })), /section header, offset 0x(8|10)/);
  });

  it("type and string sections overlapping or out of order", () => {
    // Types running into the strings; strings placed before the types.
    expectBtfError(parse(blob({ types: INT, hdr: { typeLen: 20 } })), /overlaps/);
    const swapped = blob({ types: INT, strings: "\0int\0\0\0\0", hdr: { typeOff: 8, strOff: 0, strLen: 8 } });
    expectBtfError(parse(swapped), /overlaps or follows/);
  });

  it("layout section out of range, misaligned, or not between the type and string sections", () => {
    const layout = LAYOUT_7_1;
    const cases: RawBlob["hdr"][] = [
      { layoutLen: 0xfffffffc },
      { layoutOff: 0xfffffffc },
      { layoutOff: 18 },
      // On top of the type section, and on top of the string section.
      { layoutOff: 0 },
      { layoutOff: 20, layoutLen: 80 },
    ];
    for (const hdr of cases) expectBtfError(parse(blob({ types: INT, layout, hdr })), /layout.*offset 0x18/);
    expectBtfError(parse(blob({ types: INT, layout, hdr: { layoutLen: 78 } })), /layout.*multiple of 4.*offset 0x1c/);
  });

  it("type_off not 4-byte aligned", () => {
    const b = blob({ types: [0, ...INT], hdr: { typeOff: 2, typeLen: 16 } });
    expectBtfError(parse(b), /aligned.*offset 0x8/);
  });
});

describe("string section", () => {
  it("not NUL-terminated", () => {
    expectBtfError(parse(blob({ types: INT, strings: "\0int" })), /NUL.*section strings/);
  });

  it("not starting with the empty string", () => {
    expectBtfError(parse(blob({ types: INT, strings: "int\0" })), /empty string.*section strings/);
  });

  it("empty in base BTF", () => {
    expectBtfError(parse(blob({ types: [], strings: "" })), /section strings/);
  });

  it("not NUL-terminated in split BTF", () => {
    const base = Btf.parse(blob({ types: INT }));
    expectBtfError(parse(blob({ types: [], strings: "abc" }), base), /NUL.*section strings/);
  });
});

describe("type section", () => {
  it("a record running past the section", () => {
    const member = [1, 1, 0];
    for (const types of [
      [...INT, ...rec(0, BTF_KIND_STRUCT, 2, 8), ...member],
      [...INT, ...rec(0, BTF_KIND_ENUM, 1, 4)],
      [...rec(1, BTF_KIND_INT, 0, 4)],
      [...INT, ...rec(0, BTF_KIND_ARRAY, 0, 0), 1, 1],
    ]) {
      expectBtfError(parse(blob({ types })), /runs past.*type \[\d\].*offset/);
    }
  });

  it("leftover bytes after the last record", () => {
    for (const extra of [[0], [0, 0], [1, 2]]) expectBtfError(parse(blob({ types: [...INT, ...extra] })), /leftover.*type \[2\]/);
  });

  it("unknown kind without a layout section", () => {
    for (const kind of [20, 21, 64, 127]) {
      expectBtfError(parse(blob({ types: [...INT, ...rec(0, kind, 0, 0)] })), /unknown BTF kind.*type \[2\]/);
      // The 7.1 layout only describes kinds up to 19.
      expectBtfError(parse(blob({ types: [...INT, ...rec(0, kind, 0, 0)], layout: LAYOUT_7_1 })), /unknown BTF kind.*type \[2\]/);
    }
  });

  it("a layout describing records that are not whole words", () => {
    const layout = new Uint8Array([...LAYOUT_7_1, 2, 0, 0, 0]);
    expectBtfError(parse(blob({ types: [...rec(0, 20, 0, 0), 0], layout })), /multiple of 4.*type \[1\]/);
    // As libbpf 1.8: each size on its own, even where a record's total would be whole words.
    const halves = new Uint8Array([...LAYOUT_7_1, 2, 2, 0, 0]);
    expectBtfError(parse(blob({ types: [...rec(0, 20, 1, 0), 0], layout: halves })), /multiple of 4.*type \[1\]/);
  });

  it("kind 0", () => {
    expectBtfError(parse(blob({ types: [...INT, ...rec(0, 0, 0, 0)] })), /kind 0.*type \[2\]/);
    // Not even a layout section can describe it.
    const layout = LAYOUT_7_1.slice();
    layout[1] = 4;
    expectBtfError(parse(blob({ types: [...rec(0, 0, 1, 0), 0], layout })), /kind 0.*type \[1\]/);
  });

  it("huge vlen claims fail fast without allocating", () => {
    for (const kind of [BTF_KIND_STRUCT, BTF_KIND_ENUM, BTF_KIND_FUNC_PROTO, 19, 15]) {
      const bytes = blob({ types: rec(0, kind, 0xffffff, 0), strings: "\0\0\0\0" });
      expect(bytes.length).toBe(40);
      const t0 = performance.now();
      expectBtfError(parse(bytes), /runs past.*type \[1\]/);
      expect(performance.now() - t0).toBeLessThan(50);
    }
  });
});

describe("names and ids", () => {
  // libbpf 1.8's btf_sanity_check: refused at parse, naming the type and the word.
  it("a name offset outside the string section names the type", () => {
    const e = expectBtfError(parse(blob({ types: [...INT, ...rec(9999, BTF_KIND_TYPEDEF, 0, 1)] })), /invalid type name \(string offset 9999\).*type \[2\]/);
    expect(e.where.offset).toBe(24 + 16);
  });

  it("member, enumerator and parameter names outside the string section", () => {
    const cases: Array<[number[], RegExp]> = [
      [[...rec(0, BTF_KIND_STRUCT, 2, 8), ...[1, 1, 0], ...[500, 1, 32]], /invalid field name \(string offset 500\)/],
      [rec(1, BTF_KIND_ENUM, 1, 4).concat([0x7fffffff, 3]), /invalid enum name \(string offset 2147483647\)/],
      [rec(0, BTF_KIND_FUNC_PROTO, 1, 1).concat([0xffffffff, 1]), /invalid param name \(string offset 4294967295\)/],
    ];
    for (const [types, re] of cases) expectBtfError(parse(blob({ types: [...INT, ...types] })), new RegExp(`${re.source}.*type \\[2\\]`));
  });

  it("name offsets past a split blob's own strings", () => {
    const base = Btf.parse(blob({ types: INT }));
    // The split's own strings take offsets 5..8, after the base's five bytes.
    expectBtfError(parse(blob({ types: rec(9, BTF_KIND_TYPEDEF, 0, 1), strings: "abc\0" }), base), /string offset 9.*type \[2\]/);
    expect(Btf.parse(blob({ types: rec(8, BTF_KIND_TYPEDEF, 0, 1), strings: "abc\0" }), { base }).name(2)).toBe("");
  });

  it("type ids out of range", () => {
    const btf = Btf.parse(blob({ types: [...INT, ...rec(0, BTF_KIND_PTR, 0, 1)] }));
    for (const id of [99999, 3, -1, 0.5, 1.5, NaN, 2 ** 32]) {
      expectBtfError(() => btf.type(id));
      for (const f of [btf.kind, btf.info, btf.sizeof, btf.alignof, btf.resolve, btf.nameOff] as Array<(this: Btf, id: number) => unknown>) expectBtfError(() => f.call(btf, id));
    }
    // Void has no record.
    expectBtfError(() => btf.type(0), /type \[0\]/);
    const split = Btf.parse(blob({ types: rec(0, BTF_KIND_PTR, 0, 1), strings: "" }), { base: btf });
    expect(split.type(3)).toEqual({ kind: "ptr", type: 1 });
    for (const id of [4, 99999]) expectBtfError(() => split.type(id));
  });

  it("references to ids out of range", () => {
    expectBtfError(parse(blob({ types: [...rec(1, BTF_KIND_TYPEDEF, 0, 99999)] })), /invalid referenced type ID 99999.*type \[1\]/);
    expectBtfError(parse(blob({ types: [...INT, ...rec(0, BTF_KIND_ARRAY, 0, 0), 12345, 1, 4] })), /ID 12345.*type \[2\]/);
    expectBtfError(parse(blob({ types: [...INT, ...rec(0, BTF_KIND_ARRAY, 0, 0), 1, 3, 4] })), /ID 3.*type \[2\]/);
  });
});

describe("cycles and arithmetic", () => {
  it("typedef A -> const B -> typedef A", () => {
    const btf = Btf.parse(blob({ types: [...rec(1, BTF_KIND_TYPEDEF, 0, 2), ...rec(0, BTF_KIND_CONST, 0, 1)] }));
    for (const id of [1, 2]) {
      for (const f of [btf.resolve, btf.sizeof, btf.alignof]) expectBtfError(() => f.call(btf, id), /type \[\d\]/);
    }
    // Decoding does not follow references, so cycles are no obstacle.
    expect(btf.type(1)).toEqual({ kind: "typedef", name: "int", type: 2 });
  });

  it("modifier and self cycles", () => {
    const btf = Btf.parse(
      blob({ types: [...rec(0, BTF_KIND_VOLATILE, 0, 2), ...rec(0, BTF_KIND_CONST, 0, 1), ...rec(1, BTF_KIND_TYPEDEF, 0, 3)] }),
    );
    for (const f of [btf.resolve, btf.skipModifiers, btf.sizeof, btf.alignof]) expectBtfError(() => f.call(btf, 1), /type \[\d\]/);
    for (const f of [btf.resolve, btf.sizeof, btf.alignof]) expectBtfError(() => f.call(btf, 3), /type \[3\]/);
  });

  it("a struct containing itself by value", () => {
    const btf = Btf.parse(
      blob({
        types: [
          ...INT,
          // [2] struct { [3] arr[2] } where [3] is an array of [2].
          ...rec(0, BTF_KIND_STRUCT, 1, 16), ...[0, 3, 0],
          ...rec(0, BTF_KIND_ARRAY, 0, 0), ...[2, 1, 2],
          // [4] struct { [4] self }, [5] struct { [6] b }, [6] struct { typedef -> [5] }.
          ...rec(0, BTF_KIND_STRUCT, 1, 4), ...[0, 4, 0],
          ...rec(0, BTF_KIND_STRUCT, 1, 4), ...[0, 6, 0],
          ...rec(0, BTF_KIND_STRUCT, 1, 4), ...[0, 7, 0],
          ...rec(1, BTF_KIND_TYPEDEF, 0, 5),
        ],
      }),
    );
    // sizeof reads a struct's own size and never looks inside it.
    expect(btf.sizeof(2)).toBe(16);
    expect(btf.sizeof(3)).toBe(32);
    for (const id of [2, 3, 4, 5, 6, 7]) expectBtfError(() => btf.alignof(id), /type \[\d\]/);
    // A failed attempt leaves nothing behind that changes the next answer.
    expectBtfError(() => btf.alignof(2), /type \[\d\]/);
    expect(btf.alignof(1)).toBe(4);
  });

  it("chains deeper than 32 hops", () => {
    const chain = (n: number, kind: number) => {
      const types = [...INT];
      for (let i = 0; i < n; i++) types.push(...(kind === BTF_KIND_ARRAY ? [...rec(0, kind, 0, 0), i + 1, 1, 1] : rec(1, kind, 0, i + 1)));
      return Btf.parse(blob({ types }));
    };
    for (const kind of [BTF_KIND_TYPEDEF, BTF_KIND_ARRAY]) {
      expect(chain(30, kind).sizeof(31)).toBe(4);
      expectBtfError(() => chain(40, kind).sizeof(41), /deeper than 32.*type \[41\]/);
    }
    // An array of itself.
    const self = Btf.parse(blob({ types: [...INT, ...rec(0, BTF_KIND_ARRAY, 0, 0), 2, 1, 1] }));
    expectBtfError(() => self.sizeof(2), /type \[2\]/);
    expectBtfError(() => self.alignof(2), /type \[2\]/);
  });

  it("structs nested far deeper than any real type", () => {
    /** [2] holds [3] holds ... [n + 1] holds an int. */
    const nest = (n: number) => {
      const types = [...INT];
      for (let i = 0; i < n; i++) types.push(...rec(0, BTF_KIND_STRUCT, 1, 4), 0, i < n - 1 ? i + 3 : 1, 0);
      return Btf.parse(blob({ types }));
    };
    expect(nest(MAX_NESTING_DEPTH).alignof(2)).toBe(4);
    const deep = nest(20000);
    expectBtfError(() => deep.alignof(2), /nested deeper.*type \[\d+\]/);
    expect(deep.alignof(20001)).toBe(4);
  });

  it("alignof follows the pointer size given at parse time", () => {
    const bytes = blob({ types: [...rec(0, BTF_KIND_PTR, 0, 0), ...rec(0, BTF_KIND_STRUCT, 1, 8), 0, 1, 0] });
    expect(Btf.parse(bytes).alignof(2)).toBe(8);
    expect(Btf.parse(bytes, { pointerSize: 4 }).alignof(2)).toBe(4);
  });

  it("a wide DAG of nested structs aligns in linear time", () => {
    // Level k is a struct of two level k+1 structs: 2^30 paths through 30 structs.
    const depth = 30;
    const types = [...INT];
    for (let k = 0; k < depth; k++) {
      const child = k < depth - 1 ? k + 3 : 1;
      types.push(...rec(0, BTF_KIND_STRUCT, 2, 8), ...[0, child, 0], ...[0, child, 0]);
    }
    const btf = Btf.parse(blob({ types }));
    const t0 = performance.now();
    expect(btf.alignof(2)).toBe(4);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("array sizes overflowing 32 bits", () => {
    const char = [...rec(1, BTF_KIND_INT, 0, 1), 8];
    const btf = Btf.parse(
      blob({
        types: [
          ...INT,
          ...char,
          ...rec(0, BTF_KIND_ARRAY, 0, 0), ...[1, 1, 0x80000000],
          ...rec(0, BTF_KIND_ARRAY, 0, 0), ...[2, 1, 0x10000],
          ...rec(0, BTF_KIND_ARRAY, 0, 0), ...[4, 1, 0x10000],
          ...rec(0, BTF_KIND_ARRAY, 0, 0), ...[2, 1, 0xffffffff],
          ...rec(0, BTF_KIND_ARRAY, 0, 0), ...[6, 1, 0xffffffff],
          ...rec(1, BTF_KIND_TYPEDEF, 0, 3),
        ],
      }),
    );
    for (const id of [3, 5, 7, 8]) expectBtfError(() => btf.sizeof(id), /overflows 32 bits.*type \[\d\]/);
    expect(btf.sizeof(4)).toBe(0x10000);
    expect(btf.sizeof(6)).toBe(0xffffffff);
  });

  it("a name far longer than any identifier", () => {
    const long = "x".repeat(300_000);
    const btf = Btf.parse(blob({ types: [...rec(1, BTF_KIND_INT, 0, 4), 32], strings: `\0${long}\0` }));
    expect(btf.name(1)).toBe(long);
    expect(btf.type(1)).toMatchObject({ name: long });
    expect(btf.idsByName(long)).toEqual([1]);
    expect(reencode(btf).length).toBe(24 + 16 + long.length + 2);
  });
});

// --- mutation fuzzing ----------------------------------------------------------

/** One of each kind, every name from a small pool. */
function syntheticTypes(): BtfType[] {
  return [
    { kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 },
    { kind: "int", name: "long", size: 8, encoding: 1, bitOffset: 0, bits: 64 },
    { kind: "ptr", type: 4 },
    {
      kind: "struct",
      name: "node",
      size: 24,
      kflag: true,
      members: [
        { name: "next", type: 3, bitOffset: 0, bitfieldSize: 0 },
        { name: "v", type: 1, bitOffset: 64, bitfieldSize: 3 },
        { name: "", type: 6, bitOffset: 128, bitfieldSize: 0 },
      ],
    },
    { kind: "array", type: 1, indexType: 1, nelems: 2 },
    { kind: "union", name: "", size: 8, kflag: false, members: [{ name: "a", type: 5, bitOffset: 0, bitfieldSize: 0 }] },
    { kind: "enum", name: "e", size: 4, signed: true, values: [{ name: "A", value: -1 }, { name: "B", value: 0x7fffffff }] },
    { kind: "enum64", name: "e64", size: 8, signed: false, values: [{ name: "X", value: 2n ** 64n - 1n }] },
    { kind: "fwd", name: "fw", union: true },
    { kind: "typedef", name: "node_t", type: 4 },
    { kind: "volatile", name: "", type: 10 },
    { kind: "const", name: "", type: 11 },
    { kind: "restrict", name: "", type: 3 },
    { kind: "type_tag", name: "user", type: 1, kflag: true },
    { kind: "func_proto", returnType: 1, params: [{ name: "n", type: 13 }, { name: "", type: 0 }] },
    { kind: "func", name: "f", type: 15, linkage: 1 },
    { kind: "var", name: "v", type: 12, linkage: 1 },
    { kind: "datasec", name: ".data", size: 24, vars: [{ type: 17, offset: 0, size: 24 }] },
    { kind: "float", name: "double", size: 8 },
    { kind: "decl_tag", name: "tag", type: 4, componentIdx: 1, kflag: false },
    { kind: "decl_tag", name: "tag", type: 16, componentIdx: -1, kflag: true },
  ];
}

function build(types: BtfType[], base?: Btf, le = true, layout?: Uint8Array): Uint8Array {
  const b = new BtfBuilder({ base });
  for (const t of types) b.add(t);
  return b.encode({ littleEndian: le, layout });
}

/** Catches BtfError only: anything else escapes and fails the property. */
function tolerate(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof BtfError)) throw e;
  }
}

/** Drives every read path over every own id. */
function exercise(btf: Btf, roundTrip: boolean): void {
  for (const id of btf.ownIds()) {
    tolerate(() => btf.type(id));
    tolerate(() => btf.sizeof(id));
    tolerate(() => btf.alignof(id));
    tolerate(() => btf.resolve(id));
    tolerate(() => btf.skipModifiers(id));
    tolerate(() => btf.idsByName(btf.name(id)));
  }
  dumpRaw(btf);
  if (!roundTrip) return;
  // Whatever decodes can be written back, and what is written back parses.
  let again: Uint8Array | undefined;
  tolerate(() => (again = reencode(btf)));
  if (again) Btf.parse(again, { base: btf.base });
}

type Mutation =
  | { op: "flip"; at: number; bit: number }
  | { op: "byte"; at: number; value: number }
  | { op: "truncate"; at: number }
  | { op: "u32"; word: number; value: number };

const bigU32 = fc.oneof(
  fc.constantFrom(0, 1, 0xff, 0xffff, 0xffffff, 0x1000000, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff),
  fc.nat({ max: 0xffffffff }),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ op: fc.constant("byte" as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  // Header words 1..7 (hdr_len .. layout_len) and record words alike.
  fc.record({ op: fc.constant("u32" as const), word: fc.oneof(fc.integer({ min: 1, max: 7 }), fc.nat()), value: bigU32 }),
);

function mutate(bytes: Uint8Array, muts: Mutation[], le: boolean): Uint8Array {
  let b = bytes.slice();
  for (const m of muts) {
    if (b.length === 0) break;
    switch (m.op) {
      case "flip":
        b[m.at % b.length] ^= 1 << m.bit;
        break;
      case "byte":
        b[m.at % b.length] = m.value;
        break;
      case "truncate":
        b = b.slice(0, m.at % b.length);
        break;
      case "u32": {
        const words = b.length >>> 2;
        if (words) new DataView(b.buffer).setUint32(4 * (m.word % words), m.value, le);
        break;
      }
    }
  }
  return b;
}

function fuzz(bytes: Uint8Array, opts: { base?: Btf; le: boolean; roundTrip: boolean; runs: number }): void {
  // The unmutated blob must pass, or the property would be vacuous.
  exercise(Btf.parse(bytes, { base: opts.base }), opts.roundTrip);
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (muts) => {
      const t0 = performance.now();
      let btf: Btf | undefined;
      tolerate(() => (btf = Btf.parse(mutate(bytes, muts, opts.le), { base: opts.base })));
      if (btf) exercise(btf, opts.roundTrip);
      expect(performance.now() - t0).toBeLessThan(1000);
    }),
    { numRuns: opts.runs },
  );
}

describe("random mutations either parse or throw BtfError", () => {
  it("crc8.btf on its vmlinux base", () => {
    const base = Btf.parse(new Uint8Array(fs.readFileSync(basePath("linux-6.1.0-56-amd64.btf"))));
    const bytes = new Uint8Array(fs.readFileSync(modulePath("crc8.btf")));
    // Re-encoding split BTF indexes the whole vmlinux string table, too slow per run.
    fuzz(bytes, { base, le: true, roundTrip: false, runs: 1500 });
  });

  for (const le of [true, false]) {
    it(`synthetic base blob, ${le ? "LE" : "BE"}`, () => {
      fuzz(build(syntheticTypes(), undefined, le), { le, roundTrip: true, runs: 4000 });
    });
  }

  it("synthetic split blob on a synthetic base", () => {
    const base = Btf.parse(build(syntheticTypes().slice(0, 8)));
    // Split ids continue after the base's, so the references stay as they were.
    fuzz(build(syntheticTypes().slice(8), base), { base, le: true, roundTrip: true, runs: 3000 });
  });

  it("synthetic 7.1 blob with a layout-described unknown kind", () => {
    const layout = new Uint8Array([...LAYOUT_7_1, 4, 8, 0, 0]);
    const types: BtfType[] = [
      ...syntheticTypes().slice(0, 6),
      { kind: "unknown", kindNumber: 20, name: "new", info: makeInfo(20, 2, true), sizeOrType: 1, data: new Uint8Array(20).fill(7) },
    ];
    fuzz(build(types, undefined, true, layout), { le: true, roundTrip: true, runs: 3000 });
  });
});
