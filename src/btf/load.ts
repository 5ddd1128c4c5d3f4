/**
 * BTF from whatever a user points at: a raw blob (`/sys/kernel/btf/*`, a
 * `.btf` file) or an ELF whose `.BTF` section holds it (a BPF object, a
 * vmlinux, a kernel module); and a kernel merged with its modules.
 */
import { EM_BPF, isElf, parseElf } from "../elf/index.js";
import { BtfError } from "../errors.js";
import { Btf } from "./btf.js";
import type { CDialect } from "./dump-c/index.js";
import { mergeBtf } from "./dedup.js";
import { mergeSplit } from "./merge.js";
import { BpfObject } from "./object.js";

/** Options of {@link loadBtf}. */
export interface LoadOptions {
  /** Base BTF when the input is split (module) BTF. */
  base?: Btf;
}

/**
 * Raw BTF, or the `.BTF` of an ELF; throws BtfError for an ELF without one,
 * and, with a base, for BTF that is standalone rather than split on it.
 */
export function loadBtf(bytes: Uint8Array, opts: LoadOptions = {}): Btf {
  if (opts.base && isElf(bytes) && parseElf(bytes).machine === EM_BPF) {
    throw new BtfError("a BPF object's BTF is standalone, not split BTF on the given base (dump it without a base)", { section: ".BTF" });
  }
  // As libbpf does for ELF input: the ELF class, not the types, gives the pointer size.
  const btf = isElf(bytes) ? BpfObject.open(bytes, { base: opts.base, pointerSize: "elf-class" }).btf : Btf.parse(bytes, { base: opts.base });
  if (opts.base) refuseStandalone(btf);
  return btf;
}

/**
 * Standalone BTF read as split BTF parses, but its names then point into the
 * base's strings and its type ids at the base's types: nonsense such as a
 * STRUCT named 'int'. Split BTF names its own types with its own strings, so
 * a blob with names of which none is in its own strings is standalone.
 */
function refuseStandalone(btf: Btf): void {
  let named = 0;
  for (const id of btf.ownIds()) {
    const off = btf.nameOff(id);
    if (off >= btf.startStrOff) return;
    if (off !== 0) named++;
  }
  if (named > 0 && btf.header.strLen > 1) {
    throw new BtfError(
      "this is standalone BTF, not split BTF on the given base: none of its names is in its own strings (dump it without a base; merge standalone blobs with `btf merge`)",
      { section: "strings" },
    );
  }
}

/**
 * A kernel and its modules (split BTF on it) as one BTF, the way the given
 * bpftool shows them: 7.8 deduplicates the modules merged over their base,
 * 7.1 appends them as they are.
 */
export function mergeKernelModules(base: Btf, modules: readonly Btf[], dialect: CDialect): Btf {
  return dialect === "7.8" ? mergeBtf([...modules], { base }).btf : mergeSplit(base, [...modules]);
}
