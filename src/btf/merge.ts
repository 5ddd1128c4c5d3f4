/**
 * Several split BTF blobs (kernel modules) over one base, merged into one
 * split BTF so a single header can cover vmlinux and its modules. Types are
 * appended as they are (no deduplication), as `bpftool btf dump file A file B`
 * (7.7+) does.
 */
import { BtfError } from "../errors.js";
import type { Btf } from "./btf.js";
import { BtfBuilder } from "./builder.js";
import { remapTypeIds } from "./remap.js";

export function mergeSplit(base: Btf, modules: readonly Btf[]): Btf {
  const out = new BtfBuilder({ base });
  for (const [i, mod] of modules.entries()) {
    if (mod.base !== base) throw new BtfError(`module #${i} is not split BTF on the given base`, { record: i });
    const shift = out.nextId - mod.startId;
    const f = (id: number) => (id >= mod.startId ? id + shift : id);
    for (const id of mod.ownIds()) out.add(remapTypeIds(mod.type(id), f));
  }
  return out.build();
}
