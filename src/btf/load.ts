/**
 * BTF from whatever a user points at: a raw blob (`/sys/kernel/btf/*`, a
 * `.btf` file) or an ELF whose `.BTF` section holds it (a BPF object, a
 * vmlinux, a kernel module).
 */
import { isElf, parseElf } from "../elf/index.js";
import { BtfError } from "../errors.js";
import { Btf } from "./btf.js";

export interface LoadOptions {
  /** Base BTF when the input is split (module) BTF. */
  base?: Btf;
}

export function loadBtf(bytes: Uint8Array, opts: LoadOptions = {}): Btf {
  if (!isElf(bytes)) return Btf.parse(bytes, { base: opts.base });
  const elf = parseElf(bytes);
  const sec = elf.section(".BTF");
  if (!sec) throw new BtfError("ELF file has no .BTF section", { section: ".BTF" });
  // As libbpf does for ELF input: the ELF class, not the types, gives the pointer size.
  return Btf.parse(sec.data, { base: opts.base, pointerSize: elf.is64 ? 8 : 4 });
}
