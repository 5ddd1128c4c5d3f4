/**
 * fast-check arbitraries for BTF graphs of every known kind, with references
 * anywhere (cycles included): what codec and hostile-input tests feed in.
 */
import fc from "fast-check";
import type { BtfType } from "../../src/index.js";

export const u32 = fc.nat({ max: 0xffffffff });

/** Identifiers, biased towards a small pool so names repeat within a blob. */
export const ident = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom("a", "b", "x", "int", "long", "task_struct", "__u32") },
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/) },
  // Names are stored as UTF-8; exercise the non-ASCII path too.
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }).filter((s) => !s.includes("\0")) },
);
export const optIdent = (named: fc.Arbitrary<string>) => fc.oneof(fc.constant(""), named);

/** One arbitrary type of a known kind; references are any id in 0..maxId (cycles included). */
export function knownType(maxId: number, named: fc.Arbitrary<string>): fc.Arbitrary<BtfType> {
  const id = fc.integer({ min: 0, max: maxId });
  const opt = optIdent(named);
  const vlen = { maxLength: 5 };
  return fc.oneof(
    fc.record({
      kind: fc.constant("int" as const),
      name: named,
      size: fc.constantFrom(1, 2, 4, 8, 16),
      encoding: fc.integer({ min: 0, max: 15 }),
      bitOffset: fc.integer({ min: 0, max: 255 }),
      bits: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({ kind: fc.constant("ptr" as const), type: id }),
    fc.record({ kind: fc.constant("array" as const), type: id, indexType: id, nelems: u32 }),
    fc.boolean().chain((kflag) =>
      fc.record({
        kind: fc.constantFrom("struct" as const, "union" as const),
        name: opt,
        size: u32,
        kflag: fc.constant(kflag),
        members: fc.array(
          fc.record({
            name: opt,
            type: id,
            bitOffset: kflag ? fc.integer({ min: 0, max: 0xffffff }) : u32,
            bitfieldSize: kflag ? fc.integer({ min: 0, max: 255 }) : fc.constant(0),
          }),
          vlen,
        ),
      }),
    ),
    fc.boolean().chain((signed) =>
      fc.record({
        kind: fc.constant("enum" as const),
        name: opt,
        size: fc.constantFrom(1, 2, 4, 8),
        signed: fc.constant(signed),
        values: fc.array(
          fc.record({
            name: named,
            value: signed ? fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) : u32,
          }),
          vlen,
        ),
      }),
    ),
    fc.boolean().chain((signed) =>
      fc.record({
        kind: fc.constant("enum64" as const),
        name: opt,
        size: fc.constantFrom(1, 2, 4, 8),
        signed: fc.constant(signed),
        values: fc.array(
          fc.record({
            name: named,
            value: signed ? fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) : fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
          }),
          vlen,
        ),
      }),
    ),
    fc.record({ kind: fc.constant("fwd" as const), name: named, union: fc.boolean() }),
    fc.record({ kind: fc.constant("typedef" as const), name: named, type: id }),
    fc.record({ kind: fc.constantFrom("volatile" as const, "const" as const, "restrict" as const), name: fc.constant(""), type: id }),
    fc.record({ kind: fc.constant("type_tag" as const), name: named, type: id, kflag: fc.boolean() }),
    fc.record({ kind: fc.constant("func" as const), name: named, type: id, linkage: fc.integer({ min: 0, max: 2 }) }),
    fc.record({
      kind: fc.constant("func_proto" as const),
      returnType: id,
      params: fc
        .tuple(fc.array(fc.record({ name: opt, type: id }), vlen), fc.boolean())
        // Varargs: an anonymous last parameter of type 0.
        .map(([ps, varargs]) => (varargs ? [...ps, { name: "", type: 0 }] : ps)),
    }),
    fc.record({ kind: fc.constant("var" as const), name: named, type: id, linkage: fc.integer({ min: 0, max: 2 }) }),
    fc.record({
      kind: fc.constant("datasec" as const),
      name: named,
      size: u32,
      vars: fc.array(fc.record({ type: id, offset: u32, size: u32 }), vlen),
    }),
    fc.record({ kind: fc.constant("float" as const), name: named, size: fc.constantFrom(2, 4, 8, 12, 16) }),
    fc.record({
      kind: fc.constant("decl_tag" as const),
      name: named,
      type: id,
      componentIdx: fc.integer({ min: -1, max: 6 }),
      kflag: fc.boolean(),
    }),
  );
}

/**
 * A FUNC must refer to a FUNC_PROTO (libbpf 1.8 refuses the blob otherwise):
 * one that refers elsewhere becomes a FUNC_PROTO returning what it referred to.
 */
function funcsOnProtos(types: BtfType[], startId: number): BtfType[] {
  const isProto = (id: number) => types[id - startId]?.kind === "func_proto";
  return types.map((t) => (t.kind === "func" && !isProto(t.type) ? { kind: "func_proto", returnType: t.type, params: [] } : t));
}

/** `count` types whose ids start at `startId`, referencing anything from void to the last id. */
export function typeList(startId: number, named: fc.Arbitrary<string>, extra?: (maxId: number) => fc.Arbitrary<BtfType>) {
  return fc.integer({ min: 1, max: 30 }).chain((n) => {
    const maxId = startId + n - 1;
    const one = extra ? fc.oneof({ weight: 4, arbitrary: knownType(maxId, named) }, extra(maxId)) : knownType(maxId, named);
    return fc.array(one, { minLength: n, maxLength: n }).map((types) => funcsOnProtos(types, startId));
  });
}

