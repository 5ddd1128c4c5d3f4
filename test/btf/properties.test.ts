/**
 * Codec properties over arbitrary BTF graphs: decode(encode(model)) == model
 * and re-encoding the decoded blob reproduces its bytes exactly, for both byte
 * orders, both header sizes, split BTF and layout-described unknown kinds.
 */
import fs from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Btf, HOST_LITTLE_ENDIAN } from "../../src/btf/btf.js";
import { BtfBuilder, reencode } from "../../src/btf/builder.js";
import { encodeBtf, type EncodeOptions } from "../../src/btf/encode.js";
import { BtfError } from "../../src/errors.js";
import { makeInfo } from "../../src/btf/kinds.js";
import { StringTable } from "../../src/btf/strings.js";
import type { BtfType, UnknownType } from "../../src/btf/types.js";
import { ident, optIdent, typeList, u32 } from "../helpers/arbitrary-btf.js";
import { vmlinuxPath } from "../helpers/env.js";

/** The real 7.1 layout section: 20 four-byte records for kinds 0..19. */
const LAYOUT_7_1 = Btf.parse(new Uint8Array(fs.readFileSync(vmlinuxPath("linux-7.1-layout.btf")))).layoutBytes()!.slice();

/** Byte order x header size (the 32-byte header carrying the real 7.1 layout). */
const FORMATS: Array<[string, EncodeOptions]> = [
  ["LE, 24-byte header", { littleEndian: true }],
  ["BE, 24-byte header", { littleEndian: false }],
  ["LE, 32-byte header + layout", { littleEndian: true, layout: LAYOUT_7_1 }],
  ["BE, 32-byte header + layout", { littleEndian: false, layout: LAYOUT_7_1 }],
];

/** The blob's own string section split into its strings. */
function ownStrings(btf: Btf): string[] {
  const b = btf.stringBytes();
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] !== 0) continue;
    out.push(new TextDecoder().decode(b.subarray(start, i)));
    start = i + 1;
  }
  return out;
}

function expectDecodesTo(btf: Btf, types: readonly BtfType[]): void {
  expect(btf.count).toBe(btf.startId + types.length);
  types.forEach((t, i) => expect(btf.type(btf.startId + i)).toEqual(t));
}

const RUNS = 400;

describe("encode/decode round trip of arbitrary BTF", () => {
  for (const [label, opts] of FORMATS) {
    it(label, () => {
      fc.assert(
        fc.property(typeList(1, ident), (types) => {
          const bytes = encodeBtf(types, StringTable.create(), opts);
          const btf = Btf.parse(bytes);
          expect(btf.littleEndian).toBe(opts.littleEndian);
          expect(btf.header.hdrLen).toBe(opts.layout ? 32 : 24);
          expectDecodesTo(btf, types);
          expect(reencode(btf)).toEqual(bytes);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe("split BTF round trip", () => {
  for (const [label, opts] of FORMATS) {
    it(label, () => {
      const splitArb = (base: Btf, baseNames: string[]) => {
        // Split names draw on the base's strings as often as on fresh ones.
        const named = baseNames.length ? fc.oneof(fc.constantFrom(...baseNames), ident) : ident;
        return typeList(base.count, named);
      };
      const arb = typeList(1, ident).chain((baseTypes) => {
        const base = Btf.parse(encodeBtf(baseTypes, StringTable.create(), opts));
        const baseNames = ownStrings(base).filter((s) => s !== "");
        return fc.tuple(fc.constant(baseTypes), fc.constant(base), splitArb(base, baseNames));
      });
      fc.assert(
        fc.property(arb, ([baseTypes, base, types]) => {
          const builder = new BtfBuilder({ base });
          for (const t of types) builder.add(t);
          const bytes = builder.encode({ littleEndian: opts.littleEndian, headerLength: opts.layout ? 32 : 24 });
          const split = Btf.parse(bytes, { base });
          expect(split.startId).toBe(base.count);
          expectDecodesTo(split, types);
          // Base ids resolve through the split blob as well.
          baseTypes.forEach((t, i) => expect(split.type(1 + i)).toEqual(t));
          // Strings the base has are referenced there, never copied.
          const baseStrings = new Set(ownStrings(base));
          const own = ownStrings(split);
          for (const s of own) expect(baseStrings.has(s)).toBe(false);
          expect(new Set(own).size).toBe(own.length);
          expect(reencode(split)).toEqual(bytes);
        }),
        { numRuns: RUNS / 2 },
      );
    });
  }
});

describe("kinds unknown to the library, described by a layout section", () => {
  /** Layout records for kinds 20..30, appended to the real 7.1 ones. */
  const extraLayouts = fc.array(
    fc.record({
      // Records are 32-bit words, so sizes are multiples of 4.
      infoSize: fc.integer({ min: 0, max: 6 }).map((n) => 4 * n),
      elemSize: fc.integer({ min: 0, max: 4 }).map((n) => 4 * n),
      flags: fc.nat(0xffff),
    }),
    { minLength: 11, maxLength: 11 },
  );

  function layoutBytes(extra: Array<{ infoSize: number; elemSize: number; flags: number }>, le: boolean): Uint8Array {
    const out = new Uint8Array(LAYOUT_7_1.length + 4 * extra.length);
    out.set(LAYOUT_7_1);
    const view = new DataView(out.buffer);
    extra.forEach((l, i) => {
      const p = LAYOUT_7_1.length + 4 * i;
      out[p] = l.infoSize;
      out[p + 1] = l.elemSize;
      view.setUint16(p + 2, l.flags, le);
    });
    return out;
  }

  function unknownType(extra: Array<{ infoSize: number; elemSize: number }>): fc.Arbitrary<UnknownType> {
    return fc.integer({ min: 20, max: 30 }).chain((kindNumber) => {
      const { infoSize, elemSize } = extra[kindNumber - 20];
      // With no per-element bytes, vlen may be anything 24 bits hold.
      const vlen = elemSize === 0 ? fc.nat(0xffffff) : fc.nat(4);
      return fc.tuple(vlen, fc.boolean(), optIdent(ident), u32).chain(([n, kflag, name, sizeOrType]) =>
        fc.uint8Array({ minLength: infoSize + n * elemSize, maxLength: infoSize + n * elemSize }).map((data) => ({
          kind: "unknown" as const,
          kindNumber,
          name,
          info: makeInfo(kindNumber, n, kflag),
          sizeOrType,
          data,
        })),
      );
    });
  }

  for (const le of [true, false]) {
    it(le ? "LE" : "BE", () => {
      const arb = extraLayouts.chain((extra) =>
        fc.tuple(fc.constant(layoutBytes(extra, le)), typeList(1, ident, () => unknownType(extra))),
      );
      fc.assert(
        fc.property(arb, ([layout, types]) => {
          const bytes = encodeBtf(types, StringTable.create(), { littleEndian: le, layout });
          // libbpf 1.8 cannot byte-swap records of kinds it does not know, and neither do we.
          if (le !== HOST_LITTLE_ENDIAN && types.some((t) => t.kind === "unknown")) {
            expect(() => Btf.parse(bytes)).toThrow(/unknown BTF kind \d+ in foreign-endian BTF/);
            return;
          }
          const btf = Btf.parse(bytes);
          expectDecodesTo(btf, types);
          expect(reencode(btf)).toEqual(bytes);
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe("StringTable", () => {
  /** Anything a string section can hold: well-formed text without NUL. */
  const text = fc.oneof(ident, fc.string({ unit: "binary", maxLength: 12 }).filter((s) => !s.includes("\0")));

  /** Reads `off` back through a parsed blob holding only `table`'s strings. */
  const readBack = (table: StringTable, base?: Btf) => {
    const btf = Btf.parse(encodeBtf([], table), { base });
    return (off: number) => btf.str(off);
  };

  it("add() is idempotent and str(add(s)) === s", () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 40 }), (strings) => {
        const table = StringTable.create();
        const offs = strings.map((s) => table.add(s));
        const size = table.size;
        expect(strings.map((s) => table.add(s))).toEqual(offs);
        expect(table.size).toBe(size);
        expect(table.add("")).toBe(0);
        // Distinct strings get distinct offsets.
        const byOff = new Map<number, string>();
        strings.forEach((s, i) => {
          expect(byOff.get(offs[i]) ?? s).toBe(s);
          byOff.set(offs[i], s);
        });
        const str = readBack(table);
        strings.forEach((s, i) => expect(str(offs[i])).toBe(s));
      }),
      { numRuns: 300, examples: [[["\ufeff", "\ufeffname", "a\ufeff"]]] },
    );
  });

  it("a split table reuses base offsets and appends only new strings", () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 20 }), fc.array(text, { maxLength: 20 }), (baseStrs, splitStrs) => {
        const baseTable = StringTable.create();
        for (const s of baseStrs) baseTable.add(s);
        const base = Btf.parse(encodeBtf([], baseTable));
        const table = StringTable.create(StringTable.fromBytes(base.stringBytes()));
        const offs = splitStrs.map((s) => table.add(s));
        expect(splitStrs.map((s) => table.add(s))).toEqual(offs);
        splitStrs.forEach((s, i) => {
          const inBase = baseTable.find(s);
          if (inBase !== undefined) expect(offs[i]).toBe(inBase);
          else expect(offs[i]).toBeGreaterThanOrEqual(baseTable.size);
        });
        const str = readBack(table, base);
        splitStrs.forEach((s, i) => expect(str(offs[i])).toBe(s));
      }),
      { numRuns: 200 },
    );
  });

  it("rejects strings a string section cannot hold", () => {
    const table = StringTable.create();
    for (const s of ["a\0b", "\0", "x\ud800", "\udc00y"]) expect(() => table.add(s)).toThrow(BtfError);
    expect(table.size).toBe(1);
  });
});
