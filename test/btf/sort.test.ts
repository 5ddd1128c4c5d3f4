/**
 * Sorted `format c`: the header must not depend on type ids. Shuffling the
 * ids of a blob (every reference rewritten through the builder) leaves the
 * sorted header byte-identical, while the unsorted one changes.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { Btf, BtfBuilder, dumpC, remapTypeIds } from "../../src/index.js";
import { VMLINUX_FIXTURES, firstDiff, vmlinuxPath } from "../helpers/env.js";

/** A deterministic permutation of 1..n-1 (void stays 0). */
function shuffledIds(n: number, seed: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let s = seed >>> 0;
  for (let i = n - 1; i > 1; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = 1 + (s % i);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return perm;
}

/** The same types under new ids: old id i becomes perm[i]. */
function shuffle(btf: Btf, seed: number): Btf {
  const perm = shuffledIds(btf.count, seed);
  const byNewId = new Array<number>(btf.count);
  for (let old = 1; old < btf.count; old++) byNewId[perm[old]] = old;
  const b = new BtfBuilder();
  for (let id = 1; id < btf.count; id++) b.add(remapTypeIds(btf.type(byNewId[id]), (t) => perm[t]));
  return b.build();
}

describe("sorted vmlinux.h is independent of type ids", () => {
  for (const name of VMLINUX_FIXTURES) {
    it(name, () => {
      const btf = Btf.parse(new Uint8Array(fs.readFileSync(vmlinuxPath(name))));
      const shuffled = shuffle(btf, 0x5eed);
      expect(shuffled.count).toBe(btf.count);
      const a = dumpC(btf, { sorted: true });
      const b = dumpC(shuffled, { sorted: true });
      const diff = firstDiff(a, b);
      expect(diff, diff).toBeUndefined();
      // The id-order header does change, so the comparison above is not vacuous.
      expect(dumpC(shuffled)).not.toBe(dumpC(btf));
    });
  }
});
