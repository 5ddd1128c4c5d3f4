/**
 * BTF from whatever a user points at: a raw blob (`/sys/kernel/btf/*`, a
 * `.btf` file) or an ELF whose `.BTF` section holds it (a BPF object, a
 * vmlinux, a kernel module); and a kernel merged with its modules.
 */
import { isElf } from "../elf/index.js";
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

/** Raw BTF, or the `.BTF` of an ELF; throws BtfError for an ELF without one. */
export function loadBtf(bytes: Uint8Array, opts: LoadOptions = {}): Btf {
  if (!isElf(bytes)) return Btf.parse(bytes, { base: opts.base });
  // As libbpf does for ELF input: the ELF class, not the types, gives the pointer size.
  return BpfObject.open(bytes, { base: opts.base, pointerSize: "elf-class" }).btf;
}

/**
 * A kernel and its modules (split BTF on it) as one BTF, the way the given
 * bpftool shows them: 7.8 deduplicates the modules merged over their base,
 * 7.1 appends them as they are.
 */
export function mergeKernelModules(base: Btf, modules: readonly Btf[], dialect: CDialect): Btf {
  return dialect === "7.8" ? mergeBtf([...modules], { base }).btf : mergeSplit(base, [...modules]);
}
