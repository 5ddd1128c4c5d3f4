/**
 * The same BTF under other type ids: a seeded permutation of a blob's own
 * ids, every reference rewritten through the builder (base ids stay put).
 * Tests use it to show a result does not depend on id order.
 */
import { Btf, BtfBuilder } from "../../src/index.js";
import { remapTypeIds } from "../../src/btf/types.js";

/** A deterministic permutation of startId..n-1; ids below startId (void, base) map to themselves. */
export function shuffledIds(startId: number, n: number, seed: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let s = seed >>> 0;
  for (let i = n - 1; i > startId; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = startId + (s % (i - startId + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return perm;
}

/** The same types under new ids: old id i becomes perm[i]. */
export function shuffle(btf: Btf, seed: number): Btf {
  const perm = shuffledIds(btf.startId, btf.count, seed);
  const byNewId = new Array<number>(btf.count);
  for (let old = btf.startId; old < btf.count; old++) byNewId[perm[old]] = old;
  const b = new BtfBuilder({ base: btf.base });
  for (let id = btf.startId; id < btf.count; id++) b.add(remapTypeIds(btf.type(byNewId[id]), (t) => perm[t]));
  return b.build({ littleEndian: btf.littleEndian });
}

