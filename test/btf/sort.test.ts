/**
 * Sorted `format c`: the header must not depend on type ids. Shuffling the
 * ids of a blob (every reference rewritten through the builder) leaves the
 * sorted header byte-identical, while the unsorted one changes.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { Btf, dumpC } from "../../src/index.js";
import { VMLINUX_FIXTURES, firstDiff, vmlinuxPath } from "../helpers/env.js";
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
