/**
 * BTF deduplication, one situation at a time: the situations the kernel's
 * BTF selftests exercise (the dedup tests of prog_tests/btf.c and the split
 * tests of prog_tests/btf_dedup_split.c), restated in our own encoding, plus
 * a few libbpf 1.1 behaviours those tests do not pin down.
 *
 * Each case is a list of compilation units (and, for split BTF, a base) and
 * the raw dump the result must have. It runs two ways:
 * - one blob: the units concatenated into one BTF, then deduplicated
 *   (libbpf: btf__parse + btf__dedup);
 * - merged: each unit its own standalone BTF, appended one by one to an
 *   empty BTF, then deduplicated (libbpf: btf__add_btf each + btf__dedup).
 * Both must give the stated dump, and libbpf 1.1.2 (test/oracle/dedup-oracle.c)
 * must give it too, with output bytes identical to ours.
 */
import { describe, expect, it } from "vitest";
import { Btf } from "../../src/btf/btf.js";
import { BtfBuilder } from "../../src/btf/builder.js";
import { dedupBtf, mergeBtf, type DedupResult } from "../../src/btf/dedup.js";
import { dumpRaw } from "../../src/btf/dump-raw.js";
import type { BtfType, Member } from "../../src/btf/types.js";
import { BtfError } from "../../src/errors.js";
import { dedupOracleAvailable, oracleDedup, oracleMerge } from "../helpers/dedup-oracle.js";
import { expectSameText } from "../helpers/env.js";

// --- building types ----------------------------------------------------------------

const SIGNED = 1;
const CHAR = 2;
const BOOL = 4;

const int = (name: string, size = 4, encoding = SIGNED, bitOffset = 0, bits = size * 8): BtfType => ({
  kind: "int",
  name,
  size,
  encoding,
  bitOffset,
  bits,
});
const float = (name: string, size: number): BtfType => ({ kind: "float", name, size });
const ptr = (type: number): BtfType => ({ kind: "ptr", type });
const constOf = (type: number): BtfType => ({ kind: "const", name: "", type });
const typedef = (name: string, type: number): BtfType => ({ kind: "typedef", name, type });
const array = (type: number, indexType: number, nelems: number): BtfType => ({ kind: "array", type, indexType, nelems });
const fwd = (name: string, union = false): BtfType => ({ kind: "fwd", name, union });
const typeTag = (name: string, type: number): BtfType => ({ kind: "type_tag", name, type, kflag: false });
const declTag = (name: string, type: number, componentIdx = -1): BtfType => ({
  kind: "decl_tag",
  name,
  type,
  componentIdx,
  kflag: false,
});
const func = (name: string, type: number, linkage = 1): BtfType => ({ kind: "func", name, type, linkage });
const proto = (returnType: number, ...params: Array<[string, number]>): BtfType => ({
  kind: "func_proto",
  returnType,
  params: params.map(([name, type]) => ({ name, type })),
});
const variable = (name: string, type: number, linkage = 0): BtfType => ({ kind: "var", name, type, linkage });
const datasec = (name: string, size: number, ...vars: Array<[number, number, number]>): BtfType => ({
  kind: "datasec",
  name,
  size,
  vars: vars.map(([type, offset, sz]) => ({ type, offset, size: sz })),
});
const enum32 = (name: string, values: Array<[string, number]>, size = 4, signed = false): BtfType => ({
  kind: "enum",
  name,
  size,
  signed,
  values: values.map(([n, value]) => ({ name: n, value })),
});
const enum64 = (name: string, values: Array<[string, bigint]>, size = 8, signed = false): BtfType => ({
  kind: "enum64",
  name,
  size,
  signed,
  values: values.map(([n, value]) => ({ name: n, value })),
});
const m = (name: string, type: number, bitOffset = 0, bitfieldSize = 0): Member => ({ name, type, bitOffset, bitfieldSize });
/** A struct; kflag is set when a member is a bitfield, as compilers do. */
const struct = (name: string, size: number, ...members: Member[]): BtfType => ({
  kind: "struct",
  name,
  size,
  kflag: members.some((x) => x.bitfieldSize > 0),
  members,
});
const union = (name: string, size: number, ...members: Member[]): BtfType => ({
  kind: "union",
  name,
  size,
  kflag: members.some((x) => x.bitfieldSize > 0),
  members,
});

// --- cases -------------------------------------------------------------------------

/**
 * One compilation unit: appends its types to `b`, referring to them by the ids
 * `b` hands out (so the same unit works at any position and in any builder).
 */
type Unit = (b: BtfBuilder) => void;

/** `expected` of a case whose result is its input, unchanged. */
const UNCHANGED = Symbol("unchanged");

interface DedupCase {
  name: string;
  /** Base BTF, already deduplicated, for split cases: the units are split on it. */
  base?: Unit;
  units: Unit[];
  /** bpftool's raw dump of the result's own types. */
  expected: string | typeof UNCHANGED;
  /** The result's own string section, string by string (base BTF starts with ""). */
  strings?: string[];
  /** Input id -> result id in the one-blob run. */
  ids?: Record<number, number>;
  /** libbpf 1.1 refuses the input: its error as the harness reports it (`expected` is then ""). Ours must refuse it too. */
  fails?: RegExp;
  /** The units refer to base ids, which standalone units cannot do: no merged run. */
  blobOnly?: boolean;
}

const INT = "INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED";

/**
 * struct node { struct node *next; const int *key; int slots[16]; int count; float weight; },
 * tagged "hot" as a whole and on its second member.
 */
const nodeUnit: Unit = (b) => {
  const i = b.add(int("int"));
  const f = b.add(float("float", 4));
  const node = b.nextId;
  const [nodePtr, constInt, keyPtr, slots] = [node + 1, node + 2, node + 3, node + 4];
  b.add(struct("node", 88, m("next", nodePtr), m("key", keyPtr, 64), m("slots", slots, 128), m("count", i, 640), m("weight", f, 672)));
  b.add(ptr(node));
  b.add(constOf(i));
  b.add(ptr(constInt));
  b.add(array(i, i, 16));
  b.add(declTag("hot", node));
  b.add(declTag("hot", node, 1));
};

/** struct holder { <x> *x; } where <x> is whatever `x` adds (a FWD, a struct or a union). */
const holderUnit =
  (x: BtfType): Unit =>
  (b) => {
    const target = b.add(x);
    const p = b.add(ptr(target));
    b.add(struct("holder", 8, m("x", p)));
  };

/** struct conn { int id; } */
const connUnit = (b: BtfBuilder) => {
  const i = b.nextId + 1;
  b.add(struct("conn", 4, m("id", i)));
  b.add(int("int"));
};

/** A forward declaration of `conn`, used only through `typedef <conn> *conn_ref`. */
const connRefUnit =
  (union = false): Unit =>
  (b) => {
    const f = b.add(fwd("conn", union));
    b.add(typedef("conn_ref", b.add(ptr(f))));
  };

const CASES: DedupCase[] = [
  {
    name: "strings no type uses vanish; the rest are stored once, in order of first use",
    units: [
      (b) => {
        for (const s of ["long", "unused", "int", "also unused"]) b.addString(s);
        b.add(int("int"));
        b.add(int("long", 8));
        b.add(int("int"));
      },
    ],
    expected: `[1] ${INT}
[2] INT 'long' size=8 bits_offset=0 nr_bits=64 encoding=SIGNED`,
    strings: ["", "int", "long"],
    ids: { 1: 1, 2: 2, 3: 1 },
  },
  {
    name: "two units with the same self-referencing struct graph keep the first copy",
    units: [nodeUnit, nodeUnit],
    expected: `[1] ${INT}
[2] FLOAT 'float' size=4
[3] STRUCT 'node' size=88 vlen=5
	'next' type_id=4 bits_offset=0
	'key' type_id=6 bits_offset=64
	'slots' type_id=7 bits_offset=128
	'count' type_id=1 bits_offset=640
	'weight' type_id=2 bits_offset=672
[4] PTR '(anon)' type_id=3
[5] CONST '(anon)' type_id=1
[6] PTR '(anon)' type_id=5
[7] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=16
[8] DECL_TAG 'hot' type_id=3 component_idx=-1
[9] DECL_TAG 'hot' type_id=3 component_idx=1`,
    strings: ["", "int", "float", "node", "next", "key", "slots", "count", "weight", "hot"],
    ids: { 10: 1, 11: 2, 12: 3, 13: 4, 16: 7, 17: 8, 18: 9 },
  },
  {
    name: "a struct FWD in one unit becomes the struct another unit defines",
    units: [holderUnit(fwd("x")), holderUnit(struct("x", 0))],
    // The first holder and its pointer survive; the pointer now targets the second unit's struct.
    expected: `[1] PTR '(anon)' type_id=3
[2] STRUCT 'holder' size=8 vlen=1
	'x' type_id=1 bits_offset=0
[3] STRUCT 'x' size=0 vlen=0`,
    ids: { 1: 3, 2: 1, 3: 2, 4: 3, 5: 1, 6: 2 },
  },
  {
    name: "a union FWD (kflag set) becomes the union another unit defines",
    units: [holderUnit(fwd("x", true)), holderUnit(union("x", 0))],
    expected: `[1] PTR '(anon)' type_id=3
[2] STRUCT 'holder' size=8 vlen=1
	'x' type_id=1 bits_offset=0
[3] UNION 'x' size=0 vlen=0`,
  },
  {
    name: "a union FWD does not match a struct of the same name",
    units: [holderUnit(fwd("x", true)), holderUnit(struct("x", 0))],
    expected: `[1] FWD 'x' fwd_kind=union
[2] PTR '(anon)' type_id=1
[3] STRUCT 'holder' size=8 vlen=1
	'x' type_id=2 bits_offset=0
[4] STRUCT 'x' size=0 vlen=0
[5] PTR '(anon)' type_id=4
[6] STRUCT 'holder' size=8 vlen=1
	'x' type_id=5 bits_offset=0`,
  },
  {
    // Nothing compares the FWD with the struct while structs are matched: the
    // pass that resolves FWDs by name (libbpf >= 1.1) does it afterwards.
    name: "a FWD no struct refers to resolves to the only struct of its name",
    units: [connUnit, connRefUnit()],
    expected: `[1] STRUCT 'conn' size=4 vlen=1
	'id' type_id=2 bits_offset=0
[2] ${INT}
[3] PTR '(anon)' type_id=1
[4] TYPEDEF 'conn_ref' type_id=3`,
    ids: { 3: 1, 4: 3, 5: 4 },
  },
  {
    name: "a union FWD no struct refers to resolves to the only union of its name",
    units: [
      (b) => {
        const i = b.nextId + 1;
        b.add(union("conn", 4, m("id", i)));
        b.add(int("int"));
      },
      connRefUnit(true),
    ],
    expected: `[1] UNION 'conn' size=4 vlen=1
	'id' type_id=2 bits_offset=0
[2] ${INT}
[3] PTR '(anon)' type_id=1
[4] TYPEDEF 'conn_ref' type_id=3`,
  },
  {
    name: "a union FWD is not resolved by name to a struct",
    units: [connUnit, connRefUnit(true)],
    expected: UNCHANGED,
  },
  {
    name: "a FWD whose name two different structs carry stays a FWD",
    units: [
      connUnit,
      connRefUnit(),
      (b) => {
        const i = b.add(int("int"));
        b.add(struct("conn", 8, m("id", i), m("flags", i, 32)));
      },
    ],
    expected: `[1] STRUCT 'conn' size=4 vlen=1
	'id' type_id=2 bits_offset=0
[2] ${INT}
[3] FWD 'conn' fwd_kind=struct
[4] PTR '(anon)' type_id=3
[5] TYPEDEF 'conn_ref' type_id=4
[6] STRUCT 'conn' size=8 vlen=2
	'id' type_id=2 bits_offset=0
	'flags' type_id=2 bits_offset=32`,
  },
  {
    // Structs and unions share one name space when FWDs are resolved by name.
    name: "a struct FWD stays a FWD when a struct and a union share its name",
    units: [
      connUnit,
      (b) => {
        const i = b.add(int("int"));
        b.add(union("conn", 4, m("id", i)));
      },
      connRefUnit(),
    ],
    expected: `[1] STRUCT 'conn' size=4 vlen=1
	'id' type_id=2 bits_offset=0
[2] ${INT}
[3] UNION 'conn' size=4 vlen=1
	'id' type_id=2 bits_offset=0
[4] FWD 'conn' fwd_kind=struct
[5] PTR '(anon)' type_id=4
[6] TYPEDEF 'conn_ref' type_id=5`,
  },
  {
    // Each unit knows one of req and queue fully and the other only by name;
    // together they describe all three structs once.
    name: "two units that each know a different struct only by FWD complete each other",
    units: [
      (b) => {
        const i = b.add(int("int"));
        const req = b.nextId;
        const [reqPtr, sock, sockPtr, queueFwd, queuePtr] = [req + 1, req + 2, req + 3, req + 4, req + 5];
        b.add(struct("req", 24, m("a", i), m("self", reqPtr, 64), m("parent", sockPtr, 128)));
        b.add(ptr(req));
        b.add(struct("sock", 16, m("req", reqPtr), m("queue", queuePtr, 64)));
        b.add(ptr(sock));
        b.add(fwd("queue"));
        b.add(ptr(queueFwd));
      },
      (b) => {
        const i = b.add(int("int"));
        const reqFwd = b.add(fwd("req"));
        const reqPtr = b.add(ptr(reqFwd));
        const queue = b.nextId;
        const [queuePtr, sock, sockPtr] = [queue + 1, queue + 2, queue + 3];
        b.add(struct("queue", 24, m("b", i), m("self", queuePtr, 64), m("parent", sockPtr, 128)));
        b.add(ptr(queue));
        b.add(struct("sock", 16, m("req", reqPtr), m("queue", queuePtr, 64)));
        b.add(ptr(sock));
      },
    ],
    expected: `[1] ${INT}
[2] STRUCT 'req' size=24 vlen=3
	'a' type_id=1 bits_offset=0
	'self' type_id=3 bits_offset=64
	'parent' type_id=5 bits_offset=128
[3] PTR '(anon)' type_id=2
[4] STRUCT 'sock' size=16 vlen=2
	'req' type_id=3 bits_offset=0
	'queue' type_id=6 bits_offset=64
[5] PTR '(anon)' type_id=4
[6] PTR '(anon)' type_id=7
[7] STRUCT 'queue' size=24 vlen=3
	'b' type_id=1 bits_offset=0
	'self' type_id=6 bits_offset=64
	'parent' type_id=5 bits_offset=128`,
  },
  {
    name: "a FWD reached through a function-pointer member is resolved",
    units: [
      (b) => {
        const i = b.add(int("int"));
        const cb = b.add(proto(i, ["arg", b.add(ptr(b.add(fwd("x"))))]));
        b.add(struct("ops", 8, m("cb", b.add(ptr(cb)))));
      },
      (b) => {
        const i = b.add(int("int"));
        const x = b.add(struct("x", 4, m("v", i)));
        const cb = b.add(proto(i, ["arg", b.add(ptr(x))]));
        b.add(struct("ops", 8, m("cb", b.add(ptr(cb)))));
      },
    ],
    expected: `[1] ${INT}
[2] PTR '(anon)' type_id=6
[3] FUNC_PROTO '(anon)' ret_type_id=1 vlen=1
	'arg' type_id=2
[4] PTR '(anon)' type_id=3
[5] STRUCT 'ops' size=8 vlen=1
	'cb' type_id=4 bits_offset=0
[6] STRUCT 'x' size=4 vlen=1
	'v' type_id=1 bits_offset=0`,
  },
  {
    name: "a pointer to void and a pointer to an empty struct are different members",
    units: [
      (b) => {
        const empty = b.add(struct("", 1));
        b.add(struct("s", 8, m("x", b.add(ptr(empty)))));
      },
      (b) => {
        b.add(struct("s", 8, m("x", b.add(ptr(0)))));
      },
    ],
    expected: UNCHANGED,
  },
  {
    name: "a struct pointing to itself through a typedef, and two mutually recursive structs",
    units: [
      (b) => {
        const list = b.nextId;
        b.add(struct("list", 8, m("next", list + 2)));
        b.add(ptr(b.add(typedef("list_t", list))));
        const a = b.nextId;
        b.add(struct("a", 8, m("b", a + 2)));
        b.add(struct("b", 8, m("a", a + 3)));
        b.add(ptr(a + 1));
        b.add(ptr(a));
      },
      // The same types, the pair in the other order.
      (b) => {
        const list = b.nextId;
        b.add(struct("list", 8, m("next", list + 2)));
        b.add(ptr(b.add(typedef("list_t", list))));
        const bb = b.nextId;
        b.add(struct("b", 8, m("a", bb + 2)));
        b.add(struct("a", 8, m("b", bb + 3)));
        b.add(ptr(bb + 1));
        b.add(ptr(bb));
      },
    ],
    expected: `[1] STRUCT 'list' size=8 vlen=1
	'next' type_id=3 bits_offset=0
[2] TYPEDEF 'list_t' type_id=1
[3] PTR '(anon)' type_id=2
[4] STRUCT 'a' size=8 vlen=1
	'b' type_id=6 bits_offset=0
[5] STRUCT 'b' size=8 vlen=1
	'a' type_id=7 bits_offset=0
[6] PTR '(anon)' type_id=5
[7] PTR '(anon)' type_id=4`,
  },
  {
    name: "a typedef cycle through a function prototype, with no struct in it, fails (libbpf 1.1: ELOOP)",
    // Go's `type F func() F`. libbpf learned to dedup it in 1.7; 1.1 gives up.
    units: [
      (b) => {
        const f = b.nextId;
        b.add(typedef("F", f + 1));
        b.add(proto(f));
      },
      (b) => {
        const f = b.nextId;
        b.add(typedef("F", f + 1));
        b.add(proto(f));
      },
    ],
    expected: "",
    fails: /btf__dedup: .*\(-40\)/,
  },
  {
    name: "enum forward declarations join the full enum of their name, before or after it",
    units: [
      (b) => {
        const early = b.add(enum32("e1", []));
        b.add(enum32("e1", [["E1_A", 123]]));
        b.add(enum32("e2", [["E2_A", 456]]));
        b.add(enum32("e2", []));
        // The size of a forward declaration does not matter.
        b.add(enum32("e1", [], 1));
        b.add(typedef("e1_t", early));
      },
    ],
    expected: `[1] ENUM 'e1' encoding=UNSIGNED size=4 vlen=1
	'E1_A' val=123
[2] ENUM 'e2' encoding=UNSIGNED size=4 vlen=1
	'E2_A' val=456
[3] TYPEDEF 'e1_t' type_id=1`,
    ids: { 1: 1, 2: 1, 3: 2, 4: 2, 5: 1, 6: 3 },
  },
  {
    // Every full enum re-points each forward declaration of its name it meets,
    // so a declaration met by two different enums ends at the later one.
    name: "an early enum forward declaration ends at the last full enum of its name",
    units: [
      (b) => {
        const early = b.add(enum32("e1", []));
        b.add(enum32("e1", [["E1_A", 123]]));
        b.add(enum32("e1", [["E1_A", 321]]));
        b.add(typedef("e1_t", early));
      },
    ],
    expected: `[1] ENUM 'e1' encoding=UNSIGNED size=4 vlen=1
	'E1_A' val=123
[2] ENUM 'e1' encoding=UNSIGNED size=4 vlen=1
	'E1_A' val=321
[3] TYPEDEF 'e1_t' type_id=2`,
  },
  {
    name: "enum64 forward declarations join the full enum64 of their name",
    units: [
      (b) => {
        const early = b.add(enum64("e1", []));
        b.add(enum64("e1", [["E1_A", (1n << 32n) | 123n]]));
        b.add(enum64("e2", [["E2_A", -5n]], 8, true));
        b.add(enum64("e2", [], 8, true));
        b.add(typedef("e1_t", early));
      },
    ],
    expected: `[1] ENUM64 'e1' encoding=UNSIGNED size=8 vlen=1
	'E1_A' val=4294967419ULL
[2] ENUM64 'e2' encoding=SIGNED size=8 vlen=1
	'E2_A' val=-5LL
[3] TYPEDEF 'e1_t' type_id=1`,
  },
  {
    name: "a 4-byte enum forward declaration joins a full enum64, and an enum64 one a full enum",
    units: [
      (b) => {
        b.add(enum64("e1", [["E1_A", 1n]]));
        b.add(typedef("e1_t", b.add(enum32("e1", []))));
      },
      (b) => {
        b.add(enum32("e2", [["E2_A", 1]]));
        b.add(typedef("e2_t", b.add(enum64("e2", []))));
      },
    ],
    expected: `[1] ENUM64 'e1' encoding=UNSIGNED size=8 vlen=1
	'E1_A' val=1ULL
[2] TYPEDEF 'e1_t' type_id=1
[3] ENUM 'e2' encoding=UNSIGNED size=4 vlen=1
	'E2_A' val=1
[4] TYPEDEF 'e2_t' type_id=3`,
  },
  {
    name: "full enums merge only with the same kind, size, signedness and values",
    units: [
      (b) => {
        b.add(enum32("e1", [["A", 1]]));
        b.add(enum64("e1", [["A", 1n]]));
        b.add(enum32("e1", [["A", 1]], 2));
        b.add(enum32("e1", [["A", 1]], 4, true));
        b.add(enum32("e1", [["B", 1]]));
        b.add(enum32("e1", [["A", 1]]));
      },
    ],
    expected: `[1] ENUM 'e1' encoding=UNSIGNED size=4 vlen=1
	'A' val=1
[2] ENUM64 'e1' encoding=UNSIGNED size=8 vlen=1
	'A' val=1ULL
[3] ENUM 'e1' encoding=UNSIGNED size=2 vlen=1
	'A' val=1
[4] ENUM 'e1' encoding=SIGNED size=4 vlen=1
	'A' val=1
[5] ENUM 'e1' encoding=UNSIGNED size=4 vlen=1
	'B' val=1`,
    ids: { 6: 1 },
  },
  {
    name: "INTs differing in name, encoding, bit offset, bit count or size stay apart; FLOATs of every size",
    units: [
      (b) => {
        b.add(int("int"));
        b.add(int("int", 4, 0));
        b.add(int("int", 4, CHAR));
        b.add(int("int", 4, BOOL));
        b.add(int("int", 4, SIGNED, 8, 24));
        b.add(int("int", 4, SIGNED, 0, 31));
        b.add(int("int", 8, SIGNED, 0, 32));
        b.add(int("long", 4));
        b.add(int("int"));
        for (const size of [2, 4, 8, 12, 16]) b.add(float("float", size));
        b.add(float("float", 4));
        b.add(float("double", 8));
      },
    ],
    expected: `[1] ${INT}
[2] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=(none)
[3] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=CHAR
[4] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=BOOL
[5] INT 'int' size=4 bits_offset=8 nr_bits=24 encoding=SIGNED
[6] INT 'int' size=4 bits_offset=0 nr_bits=31 encoding=SIGNED
[7] INT 'int' size=8 bits_offset=0 nr_bits=32 encoding=SIGNED
[8] INT 'long' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
[9] FLOAT 'float' size=2
[10] FLOAT 'float' size=4
[11] FLOAT 'float' size=8
[12] FLOAT 'float' size=12
[13] FLOAT 'float' size=16
[14] FLOAT 'double' size=8`,
    ids: { 9: 1, 15: 10, 16: 14 },
  },
  {
    name: "structs differing only in kflag or a bitfield size stay apart",
    units: [
      (b) => {
        const i = b.add(int("int"));
        b.add(struct("s", 4, m("a", i, 0, 4)));
        b.add(struct("s", 4, m("a", i, 0, 5)));
        b.add(struct("s", 4, m("a", i)));
        b.add({ kind: "struct", name: "s", size: 4, kflag: true, members: [m("a", i)] });
        b.add(struct("s", 4, m("a", i, 0, 4)));
      },
    ],
    expected: `[1] ${INT}
[2] STRUCT 's' size=4 vlen=1
	'a' type_id=1 bits_offset=0 bitfield_size=4
[3] STRUCT 's' size=4 vlen=1
	'a' type_id=1 bits_offset=0 bitfield_size=5
[4] STRUCT 's' size=4 vlen=1
	'a' type_id=1 bits_offset=0
[5] STRUCT 's' size=4 vlen=1
	'a' type_id=1 bits_offset=0`,
    ids: { 6: 2 },
  },
  {
    name: "VARs and DATASECs are never merged, but the types they use are",
    units: [
      (b) => {
        const v = b.add(variable("counter", b.add(int("int"))));
        b.add(datasec(".bss", 4, [v, 0, 4]));
      },
      (b) => {
        const v = b.add(variable("counter", b.add(int("int"))));
        b.add(datasec(".bss", 4, [v, 0, 4]));
      },
    ],
    expected: `[1] ${INT}
[2] VAR 'counter' type_id=1, linkage=static
[3] DATASEC '.bss' size=4 vlen=1
	type_id=2 offset=0 size=4 (VAR 'counter')
[4] VAR 'counter' type_id=1, linkage=static
[5] DATASEC '.bss' size=4 vlen=1
	type_id=4 offset=0 size=4 (VAR 'counter')`,
  },
  {
    name: "repeated decl tags on a var, a func and a parameter merge; other components do not",
    units: [
      (b) => {
        const i = b.add(int("int"));
        const v = b.add(variable("v", i));
        const f = b.add(func("f", b.add(proto(0, ["a1", i], ["a2", i]))));
        b.add(declTag("tag", v));
        b.add(declTag("tag", v));
        b.add(declTag("tag", f));
        b.add(declTag("tag", f));
        b.add(declTag("tag", f, 1));
        b.add(declTag("tag", f, 1));
        b.add(declTag("tag", f, 0));
      },
    ],
    expected: `[1] ${INT}
[2] VAR 'v' type_id=1, linkage=static
[3] FUNC_PROTO '(anon)' ret_type_id=0 vlen=2
	'a1' type_id=1
	'a2' type_id=1
[4] FUNC 'f' type_id=3 linkage=global
[5] DECL_TAG 'tag' type_id=2 component_idx=-1
[6] DECL_TAG 'tag' type_id=4 component_idx=-1
[7] DECL_TAG 'tag' type_id=4 component_idx=1
[8] DECL_TAG 'tag' type_id=4 component_idx=0`,
  },
  {
    name: "two copies of a func tagged {t1, t2} and {t1, t3} become one func with three tags",
    units: [
      (b) => {
        const i = b.add(int("int"));
        const f1 = b.add(func("f", b.add(proto(0, ["a1", i], ["a2", i]))));
        const f2 = b.add(func("f", b.add(proto(0, ["a1", i], ["a2", i]))));
        for (const [f, tags] of [
          [f1, ["t1", "t2"]],
          [f2, ["t1", "t3"]],
        ] as const) {
          for (const t of tags) b.add(declTag(t, f));
          for (const t of tags) b.add(declTag(t, f, 1));
        }
      },
    ],
    expected: `[1] ${INT}
[2] FUNC_PROTO '(anon)' ret_type_id=0 vlen=2
	'a1' type_id=1
	'a2' type_id=1
[3] FUNC 'f' type_id=2 linkage=global
[4] DECL_TAG 't1' type_id=3 component_idx=-1
[5] DECL_TAG 't2' type_id=3 component_idx=-1
[6] DECL_TAG 't1' type_id=3 component_idx=1
[7] DECL_TAG 't2' type_id=3 component_idx=1
[8] DECL_TAG 't3' type_id=3 component_idx=-1
[9] DECL_TAG 't3' type_id=3 component_idx=1`,
  },
  {
    name: "two copies of a struct tagged {t1, t2} and {t1, t3} (whole and member) become one",
    units: [
      (b) => {
        const i = b.add(int("int"));
        const s1 = b.add(struct("t", 8, m("m1", i), m("m2", i, 32)));
        const s2 = b.add(struct("t", 8, m("m1", i), m("m2", i, 32)));
        for (const [s, tags] of [
          [s1, ["t1", "t2"]],
          [s2, ["t1", "t3"]],
        ] as const) {
          for (const t of tags) b.add(declTag(t, s));
          for (const t of tags) b.add(declTag(t, s, 1));
        }
      },
    ],
    expected: `[1] ${INT}
[2] STRUCT 't' size=8 vlen=2
	'm1' type_id=1 bits_offset=0
	'm2' type_id=1 bits_offset=32
[3] DECL_TAG 't1' type_id=2 component_idx=-1
[4] DECL_TAG 't2' type_id=2 component_idx=-1
[5] DECL_TAG 't1' type_id=2 component_idx=1
[6] DECL_TAG 't2' type_id=2 component_idx=1
[7] DECL_TAG 't3' type_id=2 component_idx=-1
[8] DECL_TAG 't3' type_id=2 component_idx=1`,
  },
  {
    name: "two copies of a typedef tagged {t1, t2} and {t1, t3} become one",
    units: [
      (b) => {
        const i = b.add(int("int"));
        const t1 = b.add(typedef("t", i));
        const t2 = b.add(typedef("t", i));
        b.add(declTag("t1", t1));
        b.add(declTag("t2", t1));
        b.add(declTag("t1", t2));
        b.add(declTag("t3", t2));
      },
    ],
    expected: `[1] ${INT}
[2] TYPEDEF 't' type_id=1
[3] DECL_TAG 't1' type_id=2 component_idx=-1
[4] DECL_TAG 't2' type_id=2 component_idx=-1
[5] DECL_TAG 't3' type_id=2 component_idx=-1`,
  },
  {
    name: "typedefs of one type merge across units",
    units: [(b) => void b.add(typedef("foo", b.add(int("int")))), (b) => void b.add(typedef("foo", b.add(int("int"))))],
    expected: `[1] ${INT}
[2] TYPEDEF 'foo' type_id=1`,
  },
  {
    name: "equal type-tag chains merge, including a chain's tail",
    units: [
      (b) => {
        const i = b.add(int("int"));
        b.add(ptr(b.add(typeTag("tag2", b.add(typeTag("tag1", i))))));
        b.add(ptr(b.add(typeTag("tag2", b.add(typeTag("tag1", i))))));
        b.add(ptr(b.add(typeTag("tag1", i))));
      },
    ],
    expected: `[1] ${INT}
[2] TYPE_TAG 'tag1' type_id=1
[3] TYPE_TAG 'tag2' type_id=2
[4] PTR '(anon)' type_id=3
[5] PTR '(anon)' type_id=2`,
  },
  {
    name: "type tags in another order or on another type stay apart",
    units: [
      (b) => {
        const i = b.add(int("int"));
        b.add(ptr(b.add(typeTag("tag2", b.add(typeTag("tag1", i))))));
        b.add(ptr(b.add(typeTag("tag1", b.add(typeTag("tag2", i))))));
        b.add(ptr(b.add(typeTag("tag1", b.add(int("long", 8))))));
      },
    ],
    expected: UNCHANGED,
  },
  {
    name: "structs whose member goes through a type tag merge",
    units: [
      (b) => {
        const i = b.add(int("int"));
        b.add(struct("t", 4, m("m", b.add(typeTag("tag1", i)))));
        b.add(struct("t", 4, m("m", b.add(typeTag("tag1", i)))));
      },
    ],
    expected: `[1] ${INT}
[2] TYPE_TAG 'tag1' type_id=1
[3] STRUCT 't' size=4 vlen=1
	'm' type_id=2 bits_offset=0`,
  },
  {
    name: "function prototypes merge when return type, parameter names and types match; funcs when linkage does too",
    units: [
      (b) => {
        const i = b.add(int("int"));
        const p = b.add(proto(i, ["a", i], ["b", i]));
        const same = b.add(proto(i, ["a", i], ["b", i]));
        b.add(proto(i, ["x", i], ["y", i]));
        b.add(proto(i, ["a", i]));
        b.add(proto(0, ["a", i], ["b", i]));
        b.add(proto(i, ["a", i], ["", 0]));
        b.add(func("f", p, 0));
        b.add(func("f", same, 1));
        b.add(func("f", same, 0));
      },
    ],
    expected: `[1] ${INT}
[2] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2
	'a' type_id=1
	'b' type_id=1
[3] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2
	'x' type_id=1
	'y' type_id=1
[4] FUNC_PROTO '(anon)' ret_type_id=1 vlen=1
	'a' type_id=1
[5] FUNC_PROTO '(anon)' ret_type_id=0 vlen=2
	'a' type_id=1
	'b' type_id=1
[6] FUNC_PROTO '(anon)' ret_type_id=1 vlen=2
	'a' type_id=1
	'(anon)' type_id=0
[7] FUNC 'f' type_id=2 linkage=static
[8] FUNC 'f' type_id=2 linkage=global`,
    ids: { 3: 2, 9: 8, 10: 7 },
  },
  {
    name: "anonymous structs and unions with the same layout merge across units",
    units: [
      (b) => {
        const i = b.add(int("int"));
        b.add(typedef("pair_t", b.add(struct("", 8, m("a", i), m("b", i, 32)))));
        b.add(union("", 4, m("a", i), m("b", i)));
      },
      (b) => {
        const i = b.add(int("int"));
        b.add(typedef("pair_t", b.add(struct("", 8, m("a", i), m("b", i, 32)))));
        b.add(union("", 4, m("a", i), m("b", i)));
      },
    ],
    expected: `[1] ${INT}
[2] STRUCT '(anon)' size=8 vlen=2
	'a' type_id=1 bits_offset=0
	'b' type_id=1 bits_offset=32
[3] TYPEDEF 'pair_t' type_id=2
[4] UNION '(anon)' size=4 vlen=2
	'a' type_id=1 bits_offset=0
	'b' type_id=1 bits_offset=0`,
  },
  {
    name: "a struct and a typedef may share a name",
    units: [
      (b) => {
        const s = b.add(struct("foo", 4, m("a", b.add(int("int")))));
        b.add(typedef("foo", s));
      },
      (b) => {
        const s = b.add(struct("foo", 4, m("a", b.add(int("int")))));
        b.add(typedef("foo", s));
      },
    ],
    expected: `[1] ${INT}
[2] STRUCT 'foo' size=4 vlen=1
	'a' type_id=1 bits_offset=0
[3] TYPEDEF 'foo' type_id=2`,
  },
  {
    name: "every kind once: nothing to merge",
    units: [
      (b) => {
        const i = b.add(int("int", 8, SIGNED, 0, 32));
        const e = b.add(enum32("E", [["A", 0], ["B", 1]]));
        b.add(fwd("F", true));
        b.add(array(e, i, 7));
        b.add(struct("S", 4, m("m", i)));
        b.add(union("U", 4, m("m", i)));
        const td = b.add(typedef("T", i));
        const p = b.add(ptr(0));
        b.add(constOf(p));
        b.add({ kind: "volatile", name: "", type: p });
        b.add({ kind: "restrict", name: "", type: p });
        const tagged = b.nextId + 6;
        const fn = b.add(func("f", b.add(proto(i, ["a", i], ["b", tagged]))));
        b.add(float("float", 2));
        b.add(declTag("dt", fn));
        b.add(declTag("dt", fn, 1));
        b.add(declTag("dt", td));
        b.add(typeTag("tt", p));
        b.add(enum64("E64", [["C", 0n], ["D", 1n]]));
        const v = b.add(variable("v", i, 1));
        b.add(datasec(".data", 8, [v, 0, 8]));
      },
    ],
    expected: UNCHANGED,
  },
  {
    name: "identical arrays within one unit do not stop its struct matching another unit's",
    units: [
      (b) => {
        const i = b.add(int("int"));
        const a = b.add(array(i, i, 4));
        b.add(struct("s", 32, m("a", a), m("b", a, 128)));
      },
      (b) => {
        const i = b.add(int("int"));
        const a1 = b.add(array(i, i, 4));
        const a2 = b.add(array(i, i, 4));
        b.add(struct("s", 32, m("a", a1), m("b", a2, 128)));
      },
    ],
    expected: `[1] ${INT}
[2] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=4
[3] STRUCT 's' size=32 vlen=2
	'a' type_id=2 bits_offset=0
	'b' type_id=2 bits_offset=128`,
  },
  {
    name: "identical anonymous structs within one unit merge, and match another unit's single copy",
    units: [
      (b) => {
        const i = b.add(int("int"));
        const s = b.nextId;
        b.add(struct("s", 16, m("a", s + 1), m("b", s + 2, 64)));
        b.add(struct("", 8, m("f1", i), m("f2", i, 32)));
        b.add(struct("", 8, m("f1", i), m("f2", i, 32)));
      },
      (b) => {
        const i = b.add(int("int"));
        const s = b.nextId;
        b.add(struct("s", 16, m("a", s + 1), m("b", s + 1, 64)));
        b.add(struct("", 8, m("f1", i), m("f2", i, 32)));
      },
    ],
    expected: `[1] ${INT}
[2] STRUCT 's' size=16 vlen=2
	'a' type_id=3 bits_offset=0
	'b' type_id=3 bits_offset=64
[3] STRUCT '(anon)' size=8 vlen=2
	'f1' type_id=1 bits_offset=0
	'f2' type_id=1 bits_offset=32`,
  },
  {
    // libbpf 1.1 tolerates duplicates inside a unit only for arrays and
    // structs; two equal pointers make the structs differ (merged since 1.6).
    name: "identical pointers within one unit keep its struct apart from another unit's (libbpf 1.1)",
    units: [
      (b) => {
        const p = b.add(ptr(b.add(int("int"))));
        b.add(struct("s", 16, m("a", p), m("b", p, 64)));
      },
      (b) => {
        const i = b.add(int("int"));
        const p1 = b.add(ptr(i));
        const p2 = b.add(ptr(i));
        b.add(struct("s", 16, m("a", p1), m("b", p2, 64)));
      },
    ],
    expected: `[1] ${INT}
[2] PTR '(anon)' type_id=1
[3] STRUCT 's' size=16 vlen=2
	'a' type_id=2 bits_offset=0
	'b' type_id=2 bits_offset=64
[4] STRUCT 's' size=16 vlen=2
	'a' type_id=2 bits_offset=0
	'b' type_id=2 bits_offset=64`,
  },
  {
    // Candidates are tried newest first: the forward declaration takes the
    // second full enum (the first one also matches it).
    name: "a later enum forward declaration joins the most recent full enum of its name",
    units: [
      (b) => {
        b.add(enum32("e", [["A", 1]]));
        b.add(enum32("e", [["A", 2]]));
        b.add(typedef("e_t", b.add(enum32("e", []))));
      },
    ],
    expected: `[1] ENUM 'e' encoding=UNSIGNED size=4 vlen=1
	'A' val=1
[2] ENUM 'e' encoding=UNSIGNED size=4 vlen=1
	'A' val=2
[3] TYPEDEF 'e_t' type_id=2`,
  },
  {
    // Two different structs 'x' make two different holders 's'. A third 's'
    // that knows 'x' only by FWD is equivalent to both; like libbpf, the most
    // recent candidate wins, and the FWD becomes that one's 'x'.
    name: "a struct knowing a member's type only by FWD joins the most recent of two matching structs",
    units: [
      (b) => {
        const x = b.add(struct("x", 4, m("a", b.add(int("int")))));
        b.add(struct("s", 8, m("p", b.add(ptr(x)))));
      },
      (b) => {
        const x = b.add(struct("x", 8, m("a", b.add(int("long", 8)))));
        b.add(struct("s", 8, m("p", b.add(ptr(x)))));
      },
      (b) => {
        const s = b.add(struct("s", 8, m("p", b.add(ptr(b.add(fwd("x")))))));
        b.add(typedef("s_t", s));
      },
    ],
    expected: `[1] ${INT}
[2] STRUCT 'x' size=4 vlen=1
	'a' type_id=1 bits_offset=0
[3] PTR '(anon)' type_id=2
[4] STRUCT 's' size=8 vlen=1
	'p' type_id=3 bits_offset=0
[5] INT 'long' size=8 bits_offset=0 nr_bits=64 encoding=SIGNED
[6] STRUCT 'x' size=8 vlen=1
	'a' type_id=5 bits_offset=0
[7] PTR '(anon)' type_id=6
[8] STRUCT 's' size=8 vlen=1
	'p' type_id=7 bits_offset=0
[9] TYPEDEF 's_t' type_id=8`,
    ids: { 9: 6, 10: 7, 11: 8, 12: 9 },
  },
  // --- split BTF: the base is fixed; only the split's own types are deduplicated ---
  {
    name: "split: types the base already has vanish; the rest point into the base",
    base: (b) => {
      const i = b.add(int("int"));
      b.add(ptr(i));
      b.add(struct("inner", 4, m("f1", i)));
    },
    units: [
      (b) => {
        const i = b.add(int("int"));
        const p = b.add(ptr(i));
        const inner = b.add(struct("inner", 4, m("f1", i)));
        b.add(struct("outer", 16, m("f1", inner), m("f2", i, 32), m("f3", p, 64)));
      },
    ],
    expected: `[4] STRUCT 'outer' size=16 vlen=3
	'f1' type_id=3 bits_offset=0
	'f2' type_id=1 bits_offset=32
	'f3' type_id=2 bits_offset=64`,
    // Split strings hold only what the base lacks.
    strings: ["outer", "f2", "f3"],
    ids: { 4: 1, 5: 2, 6: 3, 7: 4 },
  },
  {
    name: "split: module types referring to base ids directly, with duplicates of base types",
    base: (b) => {
      const i = b.add(int("int"));
      b.add(ptr(i));
      b.add(struct("inner", 4, m("f1", i)));
    },
    units: [
      (b) => {
        // [4] refers to base [2], and to [5] and [6], copies of base [1] and [3].
        b.add(struct("outer", 16, m("f1", 6), m("f2", 5, 32), m("f3", 2, 64)));
        b.add(int("int"));
        b.add(struct("inner", 4, m("f1", 5)));
      },
    ],
    blobOnly: true,
    expected: `[4] STRUCT 'outer' size=16 vlen=3
	'f1' type_id=3 bits_offset=0
	'f2' type_id=1 bits_offset=32
	'f3' type_id=2 bits_offset=64`,
    ids: { 4: 4, 5: 1, 6: 3 },
  },
  {
    name: "split: a split FWD and the pointers around it resolve to the base's structs",
    base: (b) => {
      const i = b.add(int("int"));
      b.add(ptr(4));
      b.add(ptr(5));
      b.add(struct("a", 16, m("f1", 2), m("f2", 3, 64)));
      b.add(struct("b", 4, m("f1", i)));
    },
    units: [
      (b) => {
        const a = b.add(int("int")) + 4;
        const aPtr = b.add(ptr(a));
        const bPtr = b.add(ptr(b.add(fwd("b"))));
        b.add(struct("a", 16, m("f1", aPtr), m("f2", bPtr, 64)));
      },
    ],
    expected: "",
    ids: { 6: 1, 7: 2, 8: 5, 9: 3, 10: 4 },
  },
  {
    // Matching the split 'a' with the base one would turn the base's FWD 'b'
    // into the split's struct 'b'; the base cannot change, so the split keeps
    // its 'a'. The split's own FWD 'b' still resolves to its struct.
    name: "split: a base FWD never becomes a split struct, so the split keeps its copy of what uses it",
    base: (b) => {
      b.add(int("int"));
      b.add(ptr(5));
      const f = b.add(fwd("b"));
      b.add(ptr(f));
      b.add(struct("a", 16, m("f1", 2), m("f2", 4, 64)));
    },
    units: [
      (b) => {
        const i = b.add(int("int"));
        const [aPtr, bFwd, bPtr, a, bStruct] = [i + 1, i + 2, i + 3, i + 4, i + 5];
        b.add(ptr(a));
        b.add(fwd("b"));
        b.add(ptr(bStruct));
        b.add(struct("a", 16, m("f1", aPtr), m("f2", bPtr, 64)));
        b.add(struct("b", 40, m("f1", aPtr), m("f2", bPtr, 64), m("f3", i, 128), m("f4", a, 192)));
        b.add(struct("c", 8, m("f1", b.add(ptr(bFwd)))));
      },
    ],
    expected: `[6] PTR '(anon)' type_id=8
[7] PTR '(anon)' type_id=9
[8] STRUCT 'a' size=16 vlen=2
	'f1' type_id=6 bits_offset=0
	'f2' type_id=7 bits_offset=64
[9] STRUCT 'b' size=40 vlen=4
	'f1' type_id=6 bits_offset=0
	'f2' type_id=7 bits_offset=64
	'f3' type_id=1 bits_offset=128
	'f4' type_id=8 bits_offset=192
[10] STRUCT 'c' size=8 vlen=1
	'f1' type_id=7 bits_offset=0`,
    strings: ["f3", "f4", "c"],
  },
  {
    name: "split: a split FWD no struct refers to resolves by name to the base struct",
    base: connUnit,
    units: [connRefUnit()],
    expected: `[3] PTR '(anon)' type_id=1
[4] TYPEDEF 'conn_ref' type_id=3`,
    ids: { 3: 1, 4: 3, 5: 4 },
  },
  {
    name: "split: identical anonymous structs within the split match the base's single copy",
    base: (b) => {
      const i = b.add(int("int"));
      b.add(struct("s", 16, m("a", 3), m("b", 3, 64)));
      b.add(struct("", 8, m("f1", i), m("f2", i, 32)));
    },
    units: [
      (b) => {
        const i = b.add(int("int"));
        const s = b.nextId;
        b.add(struct("s", 16, m("a", s + 1), m("b", s + 2, 64)));
        b.add(struct("", 8, m("f1", i), m("f2", i, 32)));
        b.add(struct("", 8, m("f1", i), m("f2", i, 32)));
      },
    ],
    expected: "",
  },
];

// --- running -------------------------------------------------------------------------

const haveOracle = dedupOracleAvailable();

/** A blob holding `units` in order, split on `base` when given. */
function encodeUnits(units: readonly Unit[], base?: Btf, littleEndian = true): Uint8Array {
  const b = new BtfBuilder({ base });
  for (const u of units) u(b);
  return b.encode({ littleEndian });
}

/** The strings of a blob's own string section, in order. */
function ownStrings(btf: Btf): string[] {
  const text = new TextDecoder().decode(btf.stringBytes());
  return text === "" ? [] : text.slice(0, -1).split("\0");
}

/** Equal bytes, else the first difference shown as types, then strings, then header. */
function expectSameBytes(libbpf: Uint8Array, ours: Uint8Array, base: Btf | undefined): void {
  if (Buffer.from(libbpf).equals(Buffer.from(ours))) return;
  const theirs = Btf.parse(libbpf, { base });
  const mine = Btf.parse(ours, { base });
  expectSameText(dumpRaw(theirs), dumpRaw(mine));
  expect(ownStrings(mine)).toEqual(ownStrings(theirs));
  expect(mine.header).toEqual(theirs.header);
  expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(libbpf).toString("hex"));
}

/** The result has the stated types (count first, for a short message) and strings. */
function expectShape(c: DedupCase, dump: string, result: DedupResult): void {
  expect(result.btf.ownCount).toBe(dump.split("\n").filter((l) => l.startsWith("[")).length);
  expectSameText(dump, dumpRaw(result.btf));
  if (c.strings) expect(ownStrings(result.btf)).toEqual(c.strings);
}

for (const c of CASES) {
  describe(c.name, () => {
    const baseBytes = c.base && encodeUnits([c.base]);
    const base = baseBytes && Btf.parse(baseBytes);
    const blob = encodeUnits(c.units, base);
    const unitBlobs = c.units.map((u) => encodeUnits([u]));
    // As dumpRaw prints it: a newline after each entry.
    const dump = c.expected === UNCHANGED ? dumpRaw(Btf.parse(blob, { base })) : c.expected && `${c.expected}\n`;
    const ours = () => dedupBtf(Btf.parse(blob, { base }));
    const oursMerged = () => mergeBtf(unitBlobs.map((u) => Btf.parse(u)), { base });

    if (c.fails) {
      const fails = c.fails;
      it("one blob: refused", () => expect(ours).toThrow(BtfError));
      it("merged: refused", () => expect(oursMerged).toThrow(BtfError));
      it.skipIf(!haveOracle)("libbpf refuses it too", () => {
        expect(() => oracleDedup(blob)).toThrow(fails);
        expect(() => oracleMerge(unitBlobs)).toThrow(fails);
      });
      return;
    }

    it("one blob", () => {
      const r = ours();
      expectShape(c, dump, r);
      for (const [from, to] of Object.entries(c.ids ?? {})) expect(r.idMap[Number(from)], `new id of [${from}]`).toBe(to);
      // Split dedup reads the base and never changes it.
      if (base) expect(dumpRaw(r.btf.base!)).toBe(dumpRaw(Btf.parse(baseBytes!)));
    });

    it.skipIf(!haveOracle)("one blob: libbpf gives the stated result, byte for byte ours", () => {
      const theirs = oracleDedup(blob, baseBytes);
      expectSameText(dump, dumpRaw(Btf.parse(theirs, { base })));
      expectSameBytes(theirs, ours().bytes, base);
    });

    // libbpf keeps the byte order of a parsed blob (s390x BTF is big-endian).
    it.skipIf(!haveOracle)("one blob, big-endian: byte for byte libbpf's", () => {
      const beBaseBytes = c.base && encodeUnits([c.base], undefined, false);
      const beBase = beBaseBytes && Btf.parse(beBaseBytes);
      const be = encodeUnits(c.units, beBase, false);
      const mine = dedupBtf(Btf.parse(be, { base: beBase }));
      expect(mine.btf.littleEndian).toBe(false);
      expectSameBytes(oracleDedup(be, beBaseBytes), mine.bytes, beBase);
    });

    if (c.blobOnly) return;

    it("merged", () => expectShape(c, dump, oursMerged()));

    it.skipIf(!haveOracle)("merged: libbpf gives the stated result, byte for byte ours", () => {
      const theirs = oracleMerge(unitBlobs, baseBytes);
      expectSameText(dump, dumpRaw(Btf.parse(theirs, { base })));
      expectSameBytes(theirs, oursMerged().bytes, base);
    });
  });
}
