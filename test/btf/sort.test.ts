/**
 * Sorted `format c`: the header must not depend on type ids. Shuffling the
 * ids of a blob (every reference rewritten through the builder) leaves the
 * sorted header byte-identical, while the unsorted one changes.
 */
import fs from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sortByKey, sortedTypeIds } from "../../src/btf/dump-c/sort.js";
import { Btf, BtfError, dumpC } from "../../src/index.js";
import { VMLINUX_FIXTURES, firstDiff, vmlinuxPath } from "../helpers/env.js";
import { sharedMemberNamesBtf } from "../helpers/long-names.js";
import { shuffle } from "../helpers/shuffle.js";

describe("sorted vmlinux.h is independent of type ids", () => {
  for (const name of VMLINUX_FIXTURES) {
    it(name, () => {
      const btf = Btf.parse(new Uint8Array(fs.readFileSync(vmlinuxPath(name))));
      const shuffled = shuffle(btf, 0x5eed);
      expect(shuffled.count).toBe(btf.count);
      const a = dumpC(btf, { sorted: true, dialect: "7.1" });
      const b = dumpC(shuffled, { sorted: true, dialect: "7.1" });
      const diff = firstDiff(a, b);
      expect(diff, diff).toBeUndefined();
      // The id-order header does change, so the comparison above is not vacuous.
      expect(dumpC(shuffled, { dialect: "7.1" })).not.toBe(dumpC(btf, { dialect: "7.1" }));
    });
  }
});

describe("sortByKey: the engine's sort of packed keys and ids", () => {
  /** Keys below 2^bits, drawn from a few values so that ties are common. */
  const keysOf = (bits: number) =>
    fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 300 }).chain((picks) =>
      fc.array(fc.double({ min: 0, max: 2 ** bits - 1, noNaN: true }).map(Math.floor), { minLength: 8, maxLength: 8 }).map((values) => Float64Array.from(picks, (p) => values[p])),
    );
  // Key bits as drawn and as declared; 60 declared bits leave the ids too few: the comparator fallback.
  for (const [bits, declared] of [
    [1, 1],
    [20, 20],
    [40, 40],
    [52, 52],
    [52, 60],
  ]) {
    it(`orders ids by key, ties by id, as a comparator sort does (keys of ${bits} bits, ${declared} declared)`, () => {
      fc.assert(
        fc.property(keysOf(bits), (keys) => {
          const want = Array.from(keys, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
          expect([...sortByKey(keys, declared)]).toEqual(want);
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe("the sort's name hashes", () => {
  // 2,000 members naming one 100 KB string: 200 MB of names if each were hashed, against a budget of 64 bytes per
  // input byte (about 29 MB here). Hashed once per offset, the shared name costs 100 KB; its tails cannot share.
  const members = { count: 2_000, length: 100_000 };

  it("hash each string offset once, so thousands of members sharing a long name cost one name", () => {
    const btf = Btf.parse(sharedMemberNamesBtf(members));
    expect([...sortedTypeIds(btf)].sort()).toEqual([0, 1, 2]);
  });

  it("stop with a BtfError past the dump's output budget when names are tails of one long string", () => {
    const btf = Btf.parse(sharedMemberNamesBtf({ ...members, tails: true }));
    expect(() => sortedTypeIds(btf)).toThrow(BtfError);
    expect(() => sortedTypeIds(btf)).toThrow(/sorting would hash more than \d+ bytes of names/);
  });
});
