/**
 * Counts how many distinct types have claimed a name in one C namespace,
 * keyed by the name's bytes (a `StringSet`): no JS string is made for the
 * ~200,000 names of a vmlinux.
 */
import { StringSet } from "../../elf/strtab.js";
import type { Btf } from "../btf.js";

export class NameCounter {
  private readonly names = new StringSet();
  /** Per name entry: how many holders. */
  private counts = new Int32Array(1 << 12);

  constructor(private readonly btf: Btf) {}

  /** Records one more holder of the name at string offset `off`; returns how many there are now. */
  bump(off: number): number {
    const btf = this.btf;
    const src = btf.strSource(off);
    if (!src) return 1;
    const e = this.names.intern(src, btf.strPos(off));
    if (e === this.counts.length) {
      const grown = new Int32Array(2 * e);
      grown.set(this.counts);
      this.counts = grown;
    }
    return ++this.counts[e];
  }
}
