/**
 * The one string table (elf/strtab.ts `StringSet`, and btf/strings.ts
 * `StringTable` on it) against a Map of JS strings: first offsets of whole
 * strings, dense entries, tails, and the byte API with a base searched first.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StringTable } from "../../src/btf/strings.js";
import { StringSet } from "../../src/elf/strtab.js";
import { ident } from "../helpers/arbitrary-btf.js";

const enc = new TextEncoder();
const cstr = (s: string) => enc.encode(`${s}\0`);
/** A string section holding `strings` in order, duplicates included. */
const section = (strings: string[]) => enc.encode(strings.map((s) => `${s}\0`).join(""));

/** First offset of every whole string in a section, as libbpf indexes it. */
function firstOffsets(strings: string[]): Map<string, number> {
  const m = new Map<string, number>();
  let off = 0;
  for (const s of strings) {
    if (!m.has(s)) m.set(s, off);
    off += enc.encode(s).length + 1;
  }
  return m;
}

const names = fc.array(fc.oneof(ident, fc.constantFrom("", "a", "ab", "b")), { maxLength: 60 });

describe("StringSet", () => {
  it("finds the first offset of each string of a section and appends only new ones", () => {
    fc.assert(
      fc.property(names, names, (seed, added) => {
        const set = new StringSet(section(seed));
        const want = firstOffsets(seed);
        for (const [s, off] of want) expect(set.find(cstr(s), 0)).toBe(off);
        expect(set.count).toBe(want.size);
        let size = set.size;
        for (const s of added) {
          const off = set.add(cstr(s), 0);
          if (!want.has(s)) {
            expect(off).toBe(size);
            size += enc.encode(s).length + 1;
            want.set(s, off);
          }
          expect(off).toBe(want.get(s));
          const e = set.lookup(cstr(s), 0);
          expect(set.offsetOf(e)).toBe(off);
        }
        expect(set.size).toBe(size);
        expect(new TextDecoder().decode(set.bytes)).toBe([...seed, ...added.filter((s, i) => !seed.includes(s) && added.indexOf(s) === i)].map((s) => `${s}\0`).join(""));
      }),
      { numRuns: 300 },
    );
  });

  it("finds tails of stored strings and aliases them", () => {
    const set = new StringSet(section(["", "xabc", "bc"]));
    // "bc" is whole at 6 but first ends "xabc" at 3; "abc" exists only as a tail.
    expect(set.findTail(cstr("bc"), 0, set.size)).toBe(3);
    expect(set.find(cstr("abc"), 0)).toBe(-1);
    expect(set.findTail(cstr("abc"), 0, set.size)).toBe(2);
    expect(set.findTail(cstr("abc"), 0, 2)).toBe(-1);
    expect(set.offsetOf(set.alias(cstr("abc"), 0, 2))).toBe(2);
    expect(set.find(cstr("abc"), 0)).toBe(2);
    expect(set.findTail(cstr("zz"), 0, set.size)).toBe(-1);
  });
});

describe("StringTable byte API", () => {
  it("searches the base first and continues offsets after it", () => {
    fc.assert(
      fc.property(names, names, (baseStrs, own) => {
        const base = StringTable.fromBytes(section(["", ...baseStrs]));
        const table = StringTable.create(base);
        for (const s of own) {
          const off = table.addBytes(cstr(s), 0);
          expect(off).toBe(table.add(s));
          expect(table.findBytes(cstr(s), 0)).toBe(off);
          const inBase = base.find(s);
          if (inBase !== undefined) expect(off).toBe(inBase);
          else expect(off).toBeGreaterThanOrEqual(base.size);
        }
      }),
      { numRuns: 200 },
    );
  });
});
