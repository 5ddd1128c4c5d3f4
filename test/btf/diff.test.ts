/**
 * `btf diff` (diffBtf): member offsets against bpftool's raw dump of every
 * fixture kernel pair, no diff for a blob against itself, renumbered or
 * byte-swapped, exact results for hand-made cases, and random struct edits
 * reported exactly.
 */
import fc from "fast-check";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { Btf, BtfBuilder, BtfError, dumpRaw, loadBtf, type BtfType } from "../../src/index.js";
import { diffBtf, diffJson, diffText, type BtfDiff, type MemberChange, type TypeChange } from "../../src/btf/diff.js";
import { VMLINUX_FIXTURES, oracle, run, vmlinuxPath } from "../helpers/env.js";
import { parseRaw, rawPaths, type RawType } from "../helpers/raw-listing.js";
import { shuffle } from "../helpers/shuffle.js";

const blobs = new Map<string, Btf>();
function kernel(name: string): Btf {
  let b = blobs.get(name);
  if (!b) blobs.set(name, (b = loadBtf(new Uint8Array(fs.readFileSync(vmlinuxPath(name))))));
  return b;
}

// --- raw dump oracle ---------------------------------------------------------------

const raws = new Map<string, Map<number, RawType>>();
/** bpftool's raw dump (the oracle; our dumpRaw, byte-identical to it, when bpftool is absent and not required). */
function rawOf(name: string): Map<number, RawType> {
  let r = raws.get(name);
  if (!r) {
    const text = oracle("bpftool") ? run("bpftool", ["btf", "dump", "file", vmlinuxPath(name)]).toString("utf8") : dumpRaw(kernel(name));
    raws.set(name, (r = parseRaw(text)));
  }
  return r;
}

function rawStruct(types: Map<number, RawType>, name: string): number | undefined {
  const ids = [...types].filter(([, t]) => t.kind === "STRUCT" && t.name === name).map(([id]) => id);
  expect(ids.length, `struct ${name} is defined ${ids.length} times`).toBeLessThanOrEqual(1);
  return ids[0];
}

const WELL_KNOWN = ["task_struct", "sk_buff", "file", "inode", "mm_struct", "sock", "pt_regs"];

function pairs(names: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const a of names) for (const b of names) if (a !== b) out.push([a, b]);
  return out;
}

describe("member offsets agree with the raw dump of each kernel, for every ordered pair of fixture kernels", () => {
  for (const [a, b] of pairs(VMLINUX_FIXTURES)) {
    it(`${a} -> ${b}`, () => {
      const d = diffBtf(kernel(a), kernel(b), { roots: WELL_KNOWN });
      const ra = rawOf(a);
      const rb = rawOf(b);
      let checked = 0;
      for (const name of WELL_KNOWN) {
        const oid = rawStruct(ra, name);
        const nid = rawStruct(rb, name);
        const c = d.changed.find((x) => x.kind === "struct" && x.name === name);
        if (oid === undefined || nid === undefined) {
          expect(c).toBeUndefined();
          if (oid !== undefined) expect(d.removed).toContainEqual({ name, kind: "struct" });
          if (nid !== undefined) expect(d.added).toContainEqual({ name, kind: "struct" });
          continue;
        }
        const o = rawPaths(ra, oid);
        const n = rawPaths(rb, nid);
        const members = c?.members ?? [];
        const label = `struct ${name}`;
        if (!c) expect(ra.get(oid)!.size, label).toBe(rb.get(nid)!.size);
        else expect(c.size, label).toEqual([ra.get(oid)!.size, rb.get(nid)!.size]);
        // Every offset reported is the raw dump's.
        for (const m of members) {
          checked++;
          if (m.old) expect(m.old.bitOffset, `${label} ${m.change} ${m.oldName ?? m.name} (old)`).toBe(o.get(m.oldName ?? m.name));
          if (m.new) expect(m.new.bitOffset, `${label} ${m.change} ${m.name} (new)`).toBe(n.get(m.name));
        }
        // And every move, addition and removal the raw dumps show is reported.
        const moved = new Set(members.filter((m) => m.change === "moved").map((m) => m.name));
        const renamedFrom = new Set(members.filter((m) => m.change === "renamed").map((m) => m.oldName));
        const renamedTo = new Set(members.filter((m) => m.change === "renamed").map((m) => m.name));
        const removed = new Set(members.filter((m) => m.change === "removed").map((m) => m.name));
        const added = new Set(members.filter((m) => m.change === "added").map((m) => m.name));
        for (const [path, off] of o) {
          const now = n.get(path);
          if (now === undefined) expect(removed.has(path) || renamedFrom.has(path), `${label}: ${path} gone`).toBe(true);
          else expect(moved.has(path), `${label}: ${path} ${off} -> ${now}`).toBe(off !== now);
        }
        for (const path of n.keys()) if (!o.has(path)) expect(added.has(path) || renamedTo.has(path), `${label}: ${path} new`).toBe(true);
        for (const path of removed) expect(n.has(path)).toBe(false);
        for (const path of added) expect(o.has(path)).toBe(false);
      }
      // Any two of these kernels differ somewhere in these structs: the checks above ran on something.
      expect(checked).toBeGreaterThan(0);
    });
  }
});

describe("no differences where there are none", () => {
  for (const name of VMLINUX_FIXTURES) {
    it(`${name}: against itself and against itself renumbered`, () => {
      const btf = kernel(name);
      const none: BtfDiff = { added: [], removed: [], changed: [] };
      expect(diffBtf(btf, btf)).toEqual(none);
      const shuffled = shuffle(btf, 0x5eed + name.length);
      expect(diffBtf(btf, shuffled)).toEqual(none);
      expect(diffBtf(shuffled, btf, { roots: WELL_KNOWN })).toEqual(none);
      expect(diffText(diffBtf(btf, shuffled))).toBe("");
    });
  }
  it("against itself in the other byte order (s390x, big-endian)", () => {
    const btf = kernel("linux-6.12.95+deb12-s390x.btf");
    const swapped = BtfBuilder.from(btf).build({ littleEndian: !btf.littleEndian });
    expect(swapped.littleEndian).toBe(true);
    expect(diffBtf(btf, swapped)).toEqual({ added: [], removed: [], changed: [] });
  });
});

// --- hand-made cases -----------------------------------------------------------------

/** A blob from types (ids from 1 in order); `le` picks the byte order. */
function blob(types: BtfType[], le = true): Btf {
  const b = new BtfBuilder();
  for (const t of types) b.add(t);
  return b.build({ littleEndian: le });
}

const INT: BtfType = { kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 };
const UINT: BtfType = { kind: "int", name: "unsigned int", size: 4, encoding: 0, bitOffset: 0, bits: 32 };
const CHAR: BtfType = { kind: "int", name: "char", size: 1, encoding: 2, bitOffset: 0, bits: 8 };

function struct(name: string, size: number, members: Array<[string, number, number, number?]>, kind: "struct" | "union" = "struct"): BtfType {
  return {
    kind,
    name,
    size,
    kflag: members.some((m) => m[3]),
    members: members.map(([n, type, bitOffset, bitfieldSize]) => ({ name: n, type, bitOffset, bitfieldSize: bitfieldSize ?? 0 })),
  };
}

function only(d: BtfDiff): TypeChange {
  expect(d.added).toEqual([]);
  expect(d.removed).toEqual([]);
  expect(d.changed).toHaveLength(1);
  return d.changed[0];
}

describe("struct and union members", () => {
  it("flattens anonymous members and prefixes fields of named members of anonymous type", () => {
    // 1 int, 2 unsigned int, 3 union { int a; unsigned int b; }, 4 struct { int x; int y; }, 5 struct outer
    const base = [INT, UINT, struct("", 4, [["a", 1, 0], ["b", 2, 0]], "union")];
    const old = blob([...base, struct("", 8, [["x", 1, 0], ["y", 1, 32]]), struct("outer", 24, [["", 3, 0], ["s", 4, 64], ["z", 1, 128]])]);
    const now = blob([...base, struct("", 12, [["x", 1, 0], ["y", 1, 64]]), struct("outer", 28, [["", 3, 0], ["s", 4, 64], ["z", 1, 192]])]);
    const c = only(diffBtf(old, now));
    expect(c).toEqual({
      name: "outer",
      kind: "struct",
      size: [24, 28],
      members: [
        { name: "s", change: "resized", old: { bitOffset: 64, type: "struct {...}", bits: 64 }, new: { bitOffset: 64, type: "struct {...}", bits: 96 } },
        { name: "s.y", change: "moved", old: { bitOffset: 96, type: "int", bits: 32 }, new: { bitOffset: 128, type: "int", bits: 32 } },
        { name: "z", change: "moved", old: { bitOffset: 128, type: "int", bits: 32 }, new: { bitOffset: 192, type: "int", bits: 32 } },
      ],
    });
  });

  it("pairs a removed and an added member at the same offset as a rename, retyped too when the type differs", () => {
    const old = blob([INT, UINT, struct("s", 8, [["a", 1, 0], ["b", 1, 32]])]);
    const now = blob([INT, UINT, struct("s", 8, [["a2", 1, 0], ["b2", 2, 32]])]);
    const b = { old: { bitOffset: 32, type: "int", bits: 32 }, new: { bitOffset: 32, type: "unsigned int", bits: 32 } };
    expect(only(diffBtf(old, now)).members).toEqual([
      { name: "a2", change: "renamed", oldName: "a", old: { bitOffset: 0, type: "int", bits: 32 }, new: { bitOffset: 0, type: "int", bits: 32 } },
      { name: "b2", change: "renamed", oldName: "b", ...b },
      { name: "b2", change: "retyped", oldName: "b", ...b },
    ]);
  });

  it("reports bitfield widths as resized and reads the pre-kflag INT encoding as the same layout", () => {
    const kflag = blob([UINT, struct("s", 4, [["f", 1, 0, 3], ["g", 1, 3, 5]])]);
    // kflag 0: a bitfield is an INT of its width.
    const legacy = blob([
      UINT,
      { kind: "int", name: "unsigned int", size: 4, encoding: 0, bitOffset: 0, bits: 3 },
      { kind: "int", name: "unsigned int", size: 4, encoding: 0, bitOffset: 0, bits: 5 },
      struct("s", 4, [["f", 2, 0], ["g", 3, 3]]),
    ]);
    expect(diffBtf(kflag, legacy)).toEqual({ added: [], removed: [], changed: [] });
    const wider = blob([UINT, struct("s", 4, [["f", 1, 0, 4], ["g", 1, 4, 5]])]);
    expect(only(diffBtf(kflag, wider)).members).toEqual([
      { name: "f", change: "resized", old: { bitOffset: 0, type: "unsigned int", bits: 3, bitfield: true }, new: { bitOffset: 0, type: "unsigned int", bits: 4, bitfield: true } },
      { name: "g", change: "moved", old: { bitOffset: 3, type: "unsigned int", bits: 5, bitfield: true }, new: { bitOffset: 4, type: "unsigned int", bits: 5, bitfield: true } },
    ]);
  });

  it("shows a smaller pointer size as resized and moved members", () => {
    const layout = (long: number) =>
      blob([
        { kind: "int", name: "long int", size: long, encoding: 1, bitOffset: 0, bits: 8 * long },
        { kind: "ptr", type: 0 },
        INT,
        struct("p", 3 * long, [["a", 1, 0], ["p", 2, 8 * long], ["b", 3, 16 * long]]),
      ]);
    const d = diffBtf(layout(8), layout(4));
    expect(only(d).size).toEqual([24, 12]);
    expect(only(d).members!.map((m) => `${m.change} ${m.name} ${m.old!.bitOffset}/${m.old!.bits} -> ${m.new!.bitOffset}/${m.new!.bits}`)).toEqual([
      "resized a 0/64 -> 0/32",
      "moved p 64/64 -> 32/32",
      "resized p 64/64 -> 32/32",
      "moved b 128/32 -> 64/32",
    ]);
  });

  it("writes member types as C does, without ids", () => {
    // Ids: 1 int, 2 char, 3 char[16], 4 struct sock, 5 struct sock *, 6 proto int(struct sock *), 7 ptr to it,
    // 8 const char, 9 const char *, 10 char *, 11 const (char *), 12 int[4], 13 ptr to it, 14 int[3], 15 int[2][3],
    // 16 proto void(int, ...), 17 ptr to it, 18 anon struct, 19 ptr to it, 20 fwd union u, 21 ptr to it,
    // 22 anon enum, 23 type tag rcu on struct sock, 24 ptr to it, 25 volatile int, 26 typedef u32 -> int, 27 the struct
    const types: BtfType[] = [
      INT,
      CHAR,
      { kind: "array", type: 2, indexType: 1, nelems: 16 },
      struct("sock", 0, []),
      { kind: "ptr", type: 4 },
      { kind: "func_proto", returnType: 1, params: [{ name: "sk", type: 5 }] },
      { kind: "ptr", type: 6 },
      { kind: "const", name: "", type: 2 },
      { kind: "ptr", type: 8 },
      { kind: "ptr", type: 2 },
      { kind: "const", name: "", type: 10 },
      { kind: "array", type: 1, indexType: 1, nelems: 4 },
      { kind: "ptr", type: 12 },
      { kind: "array", type: 1, indexType: 1, nelems: 3 },
      { kind: "array", type: 14, indexType: 1, nelems: 2 },
      { kind: "func_proto", returnType: 0, params: [{ name: "", type: 1 }, { name: "", type: 0 }] },
      { kind: "ptr", type: 16 },
      struct("", 4, [["x", 1, 0]]),
      { kind: "ptr", type: 18 },
      { kind: "fwd", name: "u", union: true },
      { kind: "ptr", type: 20 },
      { kind: "enum", name: "", size: 4, signed: false, values: [{ name: "E", value: 1 }] },
      { kind: "type_tag", name: "rcu", type: 4, kflag: false },
      { kind: "ptr", type: 23 },
      { kind: "volatile", name: "", type: 1 },
      { kind: "typedef", name: "u32", type: 1 },
    ];
    const members = [3, 7, 9, 10, 11, 13, 15, 17, 19, 21, 22, 24, 25, 26];
    const s = (types: number[]) => struct("s", 8 * members.length, types.map((t, i) => [`m${i}`, t, 64 * i] as [string, number, number]));
    const old = blob([...types, s(members)]);
    const now = blob([...types, s(members.map(() => 1))]);
    const texts = (d: BtfDiff) => only(d).members!.filter((m) => m.change === "retyped").map((m) => m.old!.type);
    const expected = [
      "char [16]",
      "int (*)(struct sock *)",
      "const char *",
      "char *",
      "char *const",
      "int (*)[4]",
      "int [2][3]",
      "void (*)(int, ...)",
      "struct {...} *",
      "union u *",
      "enum {...}",
      "struct sock *",
      "volatile int",
      "u32",
    ];
    expect(texts(diffBtf(old, now))).toEqual(expected);
    expected[11] = 'struct sock __attribute__((btf_type_tag("rcu"))) *';
    expect(texts(diffBtf(old, now, { typeTags: true }))).toEqual(expected);
  });
});

describe("enums, typedefs and funcs", () => {
  it("reports enumerators added, removed and changed, ENUM and ENUM64 as one kind", () => {
    const old = blob([{ kind: "enum", name: "e", size: 4, signed: false, values: [{ name: "A", value: 0 }, { name: "B", value: 1 }, { name: "C", value: 2 }] }]);
    const now = blob([{ kind: "enum64", name: "e", size: 8, signed: false, values: [{ name: "A", value: 0n }, { name: "C", value: 3n }, { name: "D", value: 1n << 40n }] }]);
    const c = only(diffBtf(old, now));
    expect(c).toEqual({
      name: "e",
      kind: "enum",
      size: [4, 8],
      values: [
        { name: "C", change: "changed", old: 2, new: 3n },
        { name: "D", change: "added", new: 1n << 40n },
        { name: "B", change: "removed", old: 1 },
      ],
    });
    const same64 = blob([{ kind: "enum64", name: "e", size: 4, signed: false, values: [{ name: "A", value: 0n }, { name: "B", value: 1n }, { name: "C", value: 2n }] }]);
    expect(diffBtf(old, same64).changed).toEqual([]);
    expect(JSON.parse(diffJson(diffBtf(old, now))).changed[0].values[1]).toEqual({ name: "D", change: "added", new: "1099511627776" });
  });

  it("reports a retargeted typedef, and the layout behind a typedef of an anonymous struct", () => {
    const old = blob([INT, UINT, { kind: "typedef", name: "t", type: 1 }, struct("", 4, [["counter", 1, 0]]), { kind: "typedef", name: "atomic_t", type: 4 }]);
    const now = blob([INT, UINT, { kind: "typedef", name: "t", type: 2 }, struct("", 8, [["counter", 1, 32]]), { kind: "typedef", name: "atomic_t", type: 4 }]);
    const d = diffBtf(old, now);
    expect(d.changed).toEqual([
      {
        name: "atomic_t",
        kind: "typedef",
        size: [4, 8],
        members: [{ name: "counter", change: "moved", old: { bitOffset: 0, type: "int", bits: 32 }, new: { bitOffset: 32, type: "int", bits: 32 } }],
      },
      { name: "t", kind: "typedef", type: ["int", "unsigned int"] },
    ]);
  });

  it("reports prototypes by parameter position, and linkage", () => {
    const proto = (ret: number, params: Array<[string, number]>) => ({ kind: "func_proto", returnType: ret, params: params.map(([name, type]) => ({ name, type })) }) as BtfType;
    const old = blob([INT, UINT, proto(1, [["a", 1], ["b", 1], ["c", 2]]), { kind: "func", name: "f", type: 3, linkage: 0 }]);
    const now = blob([INT, UINT, proto(2, [["x", 1], ["b", 2]]), { kind: "func", name: "f", type: 3, linkage: 1 }]);
    expect(only(diffBtf(old, now))).toEqual({
      name: "f",
      kind: "func",
      return: ["int", "unsigned int"],
      params: [
        { index: 0, change: "renamed", old: { name: "a", type: "int" }, new: { name: "x", type: "int" } },
        { index: 1, change: "retyped", old: { name: "b", type: "int" }, new: { name: "b", type: "unsigned int" } },
        { index: 2, change: "removed", old: { name: "c", type: "unsigned int" } },
      ],
      linkage: ["static", "global"],
    });
    const variadic = blob([INT, UINT, proto(1, [["a", 1], ["b", 1], ["c", 2], ["", 0]]), { kind: "func", name: "f", type: 3, linkage: 0 }]);
    expect(only(diffBtf(old, variadic)).params).toEqual([{ index: 3, change: "added", new: { name: "", type: "..." } }]);
  });

  it("matches by kind class and name: a struct that became a union is removed and added", () => {
    const old = blob([INT, struct("x", 4, [["a", 1, 0]]), struct("gone", 4, [["a", 1, 0]])]);
    const now = blob([INT, struct("x", 4, [["a", 1, 0]], "union"), struct("new", 4, [["a", 1, 0]])]);
    expect(diffBtf(old, now)).toEqual({
      added: [{ name: "new", kind: "struct" }, { name: "x", kind: "union" }],
      removed: [{ name: "gone", kind: "struct" }, { name: "x", kind: "struct" }],
      changed: [],
    });
  });

  it("pairs types that share a name by fewest differences", () => {
    const a = struct("dup", 4, [["a", 1, 0]]);
    const b = struct("dup", 8, [["b", 1, 0], ["c", 1, 32]]);
    const b2 = struct("dup", 8, [["b", 1, 0], ["c", 1, 32], ["d", 1, 32]]);
    const old = blob([INT, a, b]);
    expect(diffBtf(old, blob([INT, b, a]))).toEqual({ added: [], removed: [], changed: [] });
    const d = diffBtf(old, blob([INT, b2, a, struct("dup", 4, [["z", 1, 0]])]));
    expect(d.added).toEqual([{ name: "dup", kind: "struct" }]);
    expect(d.changed).toEqual([{ name: "dup", kind: "struct", size: [8, 8], members: [{ name: "d", change: "added", new: { bitOffset: 32, type: "int", bits: 32 } }] }]);
  });
});

describe("malformed BTF", () => {
  it("a modifier cycle or an anonymous struct holding itself is a BtfError, not a stack overflow", () => {
    const ok = blob([INT, struct("s", 4, [["a", 1, 0]])]);
    // 2 const -> 3 volatile -> 2: a member of that type has no C text.
    const cycle = blob([INT, { kind: "const", name: "", type: 3 }, { kind: "volatile", name: "", type: 2 }, struct("s", 4, [["a", 2, 0]])]);
    expect(() => diffBtf(ok, cycle)).toThrow(BtfError);
    // 2 is an anonymous struct whose unnamed member is itself: flattening would never end.
    const nested = blob([INT, struct("", 4, [["", 2, 0]]), struct("s", 4, [["", 2, 0]])]);
    expect(() => diffBtf(ok, nested)).toThrow(BtfError);
  });
});

describe("roots", () => {
  const old = blob([INT, struct("task_struct", 4, [["a", 1, 0]]), struct("task_info", 4, [["a", 1, 0]]), struct("other", 4, [["a", 1, 0]])]);
  const now = blob([INT, struct("task_struct", 8, [["a", 1, 0]]), struct("task_info", 8, [["a", 1, 0]]), struct("other", 8, [["a", 1, 0]])]);
  const names = (d: BtfDiff) => d.changed.map((c) => c.name);
  it("by name and by glob", () => {
    expect(names(diffBtf(old, now))).toEqual(["other", "task_info", "task_struct"]);
    expect(names(diffBtf(old, now, { roots: ["task_struct"] }))).toEqual(["task_struct"]);
    expect(names(diffBtf(old, now, { roots: ["task_*", "other"] }))).toEqual(["other", "task_info", "task_struct"]);
    expect(names(diffBtf(old, blob([INT]), { roots: ["other"] }))).toEqual([]);
    expect(diffBtf(old, blob([INT]), { roots: ["other"] }).removed).toEqual([{ name: "other", kind: "struct" }]);
  });
  it("refuses a spec that matches nothing, and type ids", () => {
    expect(() => diffBtf(old, now, { roots: ["task_strcut"] })).toThrow(BtfError);
    expect(() => diffBtf(old, now, { roots: ["nope*"] })).toThrow(/no struct, union, enum, typedef or func matches 'nope\*'/);
    expect(() => diffBtf(old, now, { roots: ["2"] })).toThrow(/type names, not ids/);
  });
});

describe("text and JSON", () => {
  const old = blob([
    INT,
    CHAR,
    { kind: "array", type: 2, indexType: 1, nelems: 16 },
    struct("s", 24, [["comm", 3, 0], ["pid", 1, 128], ["old", 1, 160]]),
    { kind: "enum", name: "e", size: 4, signed: false, values: [{ name: "A", value: 1 }] },
    struct("gone", 4, []),
  ]);
  const now = blob([
    INT,
    CHAR,
    { kind: "array", type: 2, indexType: 1, nelems: 32 },
    struct("s", 48, [["comm", 3, 0], ["pid", 1, 256], ["new", 1, 160], ["flags", 1, 288, 3]]),
    { kind: "enum", name: "e", size: 4, signed: false, values: [{ name: "A", value: 2 }] },
    struct("added", 4, []),
  ]);
  const d = diffBtf(old, now);
  it("text", () => {
    expect(diffText(d)).toBe(
      [
        "added struct added",
        "removed struct gone",
        "changed struct s: size 24 -> 48",
        "  retyped  comm: char [16] -> char [32]",
        "  renamed  old -> new @20",
        "  moved    pid: @16 -> @32",
        "  added    flags: int @36 :3",
        "changed enum e",
        "  changed  A: 1 -> 2",
        "",
      ].join("\n"),
    );
    expect(diffText({ added: [], removed: [], changed: [] })).toBe("");
  });
  it("JSON in the issue's shape", () => {
    const j = JSON.parse(diffJson(d));
    expect(j).toEqual({
      added: [{ name: "added", kind: "struct" }],
      removed: [{ name: "gone", kind: "struct" }],
      changed: [
        {
          name: "s",
          kind: "struct",
          size: [24, 48],
          members: [
            { name: "comm", change: "retyped", old: { bit_offset: 0, type: "char [16]", bits: 128 }, new: { bit_offset: 0, type: "char [32]", bits: 256 } },
            { name: "new", change: "renamed", old_name: "old", old: { bit_offset: 160, type: "int", bits: 32 }, new: { bit_offset: 160, type: "int", bits: 32 } },
            { name: "pid", change: "moved", old: { bit_offset: 128, type: "int", bits: 32 }, new: { bit_offset: 256, type: "int", bits: 32 } },
            { name: "flags", change: "added", new: { bit_offset: 288, type: "int", bits: 3, bitfield: true } },
          ],
        },
        { name: "e", kind: "enum", size: [4, 4], values: [{ name: "A", change: "changed", old: 1, new: 2 }] },
      ],
    });
    expect(diffJson(d, { pretty: true })).toBe(`${JSON.stringify(j, null, 4)}\n`);
    expect(diffJson({ added: [], removed: [], changed: [] })).toBe('{"added":[],"removed":[],"changed":[]}\n');
  });
});

// --- random edits ----------------------------------------------------------------------

/** Member types the generator draws from: their ids in `POOL_TYPES`, C texts and sizes in bits. */
const POOL_TYPES: BtfType[] = [
  INT, // 1
  UINT, // 2
  CHAR, // 3
  { kind: "int", name: "long int", size: 8, encoding: 1, bitOffset: 0, bits: 64 }, // 4
  { kind: "typedef", name: "u32", type: 2 }, // 5
  { kind: "ptr", type: 0 }, // 6
  { kind: "array", type: 3, indexType: 1, nelems: 16 }, // 7
  struct("list_head", 16, [["next", 9, 0], ["prev", 9, 64]]), // 8
  { kind: "ptr", type: 8 }, // 9
  { kind: "func_proto", returnType: 1, params: [{ name: "x", type: 1 }] }, // 10
  { kind: "ptr", type: 10 }, // 11
];
const POOL: Array<{ id: number; text: string; bits: number }> = [
  { id: 1, text: "int", bits: 32 },
  { id: 2, text: "unsigned int", bits: 32 },
  { id: 3, text: "char", bits: 8 },
  { id: 4, text: "long int", bits: 64 },
  { id: 5, text: "u32", bits: 32 },
  { id: 6, text: "void *", bits: 64 },
  { id: 7, text: "char [16]", bits: 128 },
  { id: 8, text: "struct list_head", bits: 128 },
  { id: 11, text: "int (*)(int)", bits: 64 },
];
/** Bitfields are `unsigned int` (pool entry 1). */
const BITFIELD_TYPE = 1;
/** Each member sits in its own 128-bit slot; fresh slots (moves, additions) come from beyond the old ones. */
const SLOT = 128;
const SLOTS = 64;

interface GenMember {
  name: string;
  slot: number;
  type: number;
  bits: number;
}
type Edit =
  | { op: "keep" }
  | { op: "remove" }
  | { op: "move"; slot: number }
  | { op: "retype"; type: number }
  | { op: "rename" }
  | { op: "resize"; bits: number };

const genStruct = fc
  .record({
    members: fc.uniqueArray(fc.record({ slot: fc.integer({ min: 0, max: SLOTS / 2 - 1 }), type: fc.nat(POOL.length - 1), bits: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 31 })) }), {
      selector: (m) => m.slot,
      maxLength: 10,
    }),
    edits: fc.array(
      fc.oneof(
        fc.constant<Edit>({ op: "keep" }),
        fc.constant<Edit>({ op: "remove" }),
        fc.constant<Edit>({ op: "rename" }),
        fc.nat(SLOTS / 2 - 1).map<Edit>((s) => ({ op: "move", slot: SLOTS / 2 + s })),
        fc.nat(POOL.length - 1).map<Edit>((type) => ({ op: "retype", type })),
        fc.integer({ min: 1, max: 31 }).map<Edit>((bits) => ({ op: "resize", bits })),
      ),
      { minLength: 10, maxLength: 10 },
    ),
    adds: fc.uniqueArray(fc.nat(SLOTS / 2 - 1), { maxLength: 3 }),
    fate: fc.constantFrom("keep", "keep", "keep", "remove"),
  })
  .map(({ members, edits, adds, fate }) => ({
    old: members.map((m, i): GenMember => ({ name: `m${i}`, slot: m.slot, type: m.bits ? BITFIELD_TYPE : m.type, bits: m.bits })),
    edits,
    adds,
    fate,
  }));

function memberState(m: GenMember) {
  const p = POOL[m.type];
  return m.bits ? { bitOffset: m.slot * SLOT, type: p.text, bits: m.bits, bitfield: true } : { bitOffset: m.slot * SLOT, type: p.text, bits: p.bits };
}

function structType(name: string, members: GenMember[]): BtfType {
  return {
    kind: "struct",
    name,
    size: (SLOTS * SLOT) / 8,
    kflag: members.some((m) => m.bits > 0),
    members: members.map((m) => ({ name: m.name, type: POOL[m.type].id, bitOffset: m.slot * SLOT, bitfieldSize: m.bits })),
  };
}

/** A member list in a canonical order, so the diff's own order does not matter. */
const KEYS = ["name", "change", "oldName", "old", "new", "bitOffset", "type", "bits", "bitfield"];
function canonical(ms: MemberChange[]): string[] {
  return ms.map((m) => JSON.stringify(m, KEYS)).sort();
}

describe("random struct edits are reported exactly", () => {
  it("move, add, remove, retype, rename and resize members; add and remove structs (seeded, 300 runs)", () => {
    fc.assert(
      fc.property(fc.array(genStruct, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 3 }), fc.nat(), fc.boolean(), (structs, newStructs, seed, le) => {
        const oldTypes = [...POOL_TYPES];
        const newTypes = [...POOL_TYPES];
        const expected: BtfDiff = { added: [], removed: [], changed: [] };
        structs.forEach((s, k) => {
          const name = `s${k}`;
          oldTypes.push(structType(name, s.old));
          if (s.fate === "remove") {
            expected.removed.push({ name, kind: "struct" });
            return;
          }
          const now: GenMember[] = [];
          const changes: MemberChange[] = [];
          const usedSlots = new Set<number>();
          s.old.forEach((m, i) => {
            let e = s.edits[i];
            // An edit that would not change anything (or does not apply) keeps the member.
            if (e.op === "retype" && (m.bits || POOL[e.type].text === POOL[m.type].text)) e = { op: "keep" };
            if (e.op === "resize" && (!m.bits || e.bits === m.bits)) e = { op: "keep" };
            if (e.op === "move" && usedSlots.has(e.slot)) e = { op: "keep" };
            const old = memberState(m);
            switch (e.op) {
              case "keep":
                now.push(m);
                break;
              case "remove":
                changes.push({ name: m.name, change: "removed", old });
                break;
              case "rename": {
                const r = { ...m, name: `r${i}` };
                now.push(r);
                changes.push({ name: r.name, change: "renamed", oldName: m.name, old, new: memberState(r) });
                break;
              }
              case "move": {
                usedSlots.add(e.slot);
                const r = { ...m, slot: e.slot };
                now.push(r);
                changes.push({ name: m.name, change: "moved", old, new: memberState(r) });
                break;
              }
              case "retype": {
                const r = { ...m, type: e.type };
                now.push(r);
                changes.push({ name: m.name, change: "retyped", old, new: memberState(r) });
                break;
              }
              case "resize": {
                const r = { ...m, bits: e.bits };
                now.push(r);
                changes.push({ name: m.name, change: "resized", old, new: memberState(r) });
                break;
              }
            }
          });
          s.adds.forEach((a, i) => {
            const slot = SLOTS / 2 + a;
            if (usedSlots.has(slot)) return;
            usedSlots.add(slot);
            const m: GenMember = { name: `n${i}`, slot, type: (a + i) % POOL.length, bits: 0 };
            now.push(m);
            changes.push({ name: m.name, change: "added", new: memberState(m) });
          });
          // Declaration order is not layout: the new struct lists its members in another order.
          now.sort((x, y) => ((x.slot * 7919 + seed) % 101) - ((y.slot * 7919 + seed) % 101) || x.slot - y.slot);
          newTypes.push(structType(name, now));
          if (changes.length) expected.changed.push({ name, kind: "struct", size: [(SLOTS * SLOT) / 8, (SLOTS * SLOT) / 8], members: changes });
        });
        for (let k = 0; k < newStructs; k++) {
          newTypes.push(structType(`added${k}`, []));
          expected.added.push({ name: `added${k}`, kind: "struct" });
        }
        // The new blob under shuffled ids, in either byte order.
        const newBtf = shuffle(blob(newTypes, le), seed);
        const d = diffBtf(blob(oldTypes), newBtf);
        expect(d.added).toEqual(expected.added);
        expect(d.removed).toEqual(expected.removed);
        expect(d.changed.map((c) => ({ ...c, members: canonical(c.members!) }))).toEqual(
          expected.changed.map((c) => ({ ...c, members: canonical(c.members!) })),
        );
      }),
      { numRuns: 300, seed: 17 },
    );
  });
});
