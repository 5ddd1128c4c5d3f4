/**
 * Counts how many distinct types have claimed a name in one C namespace,
 * keyed by the name's bytes in the string section: no JS string is made for
 * the ~200,000 names of a vmlinux.
 */
import { cStringsEqual, hashCString, type Btf } from "../btf.js";

export class NameCounter {
  private offsets: Int32Array;
  private counts: Int32Array;
  private used = 0;

  constructor(private readonly btf: Btf) {
    this.offsets = new Int32Array(1 << 12).fill(-1);
    this.counts = new Int32Array(1 << 12);
  }

  /** Records one more holder of the name at string offset `off`; returns how many there are now. */
  bump(off: number): number {
    const btf = this.btf;
    const src = btf.strSource(off);
    if (!src) return 1;
    const pos = btf.strPos(off);
    const mask = this.offsets.length - 1;
    for (let slot = hashCString(src, pos) & mask; ; slot = (slot + 1) & mask) {
      const k = this.offsets[slot];
      if (k === -1) {
        this.offsets[slot] = off;
        this.counts[slot] = 1;
        if (++this.used * 2 > this.offsets.length) this.grow();
        return 1;
      }
      if (k === off || cStringsEqual(btf.strSource(k)!, btf.strPos(k), src, pos)) return ++this.counts[slot];
    }
  }

  private grow(): void {
    const oldOffsets = this.offsets;
    const oldCounts = this.counts;
    this.offsets = new Int32Array(oldOffsets.length * 2).fill(-1);
    this.counts = new Int32Array(oldOffsets.length * 2);
    const mask = this.offsets.length - 1;
    const btf = this.btf;
    for (let i = 0; i < oldOffsets.length; i++) {
      const off = oldOffsets[i];
      if (off === -1) continue;
      let slot = hashCString(btf.strSource(off)!, btf.strPos(off)) & mask;
      while (this.offsets[slot] !== -1) slot = (slot + 1) & mask;
      this.offsets[slot] = off;
      this.counts[slot] = oldCounts[i];
    }
  }
}
