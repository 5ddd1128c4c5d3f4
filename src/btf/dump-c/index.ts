/**
 * `bpftool btf dump file X format c`: a vmlinux.h. The default dialect is
 * Debian's bpftool 7.1 byte for byte: every type in id order between the
 * `__VMLINUX_H__` guard and the preserve_access_index pragma.
 */
import type { Btf } from "../btf.js";
import { ByteSink, outputLimit } from "../sink.js";
import { CEmitter } from "./emitter.js";
import { sortedTypeIds } from "./sort.js";

export interface CDumpOptions {
  /** Dump only these ids and what they need (bpftool's `root_id`), in this order. */
  rootIds?: readonly number[];
  /**
   * Emit in newer bpftool's sorted order instead of id order. Where bpftool's
   * sort keys tie, types are ordered by content, so the header never depends
   * on type ids.
   */
  sorted?: boolean;
}

const HEADER =
  "#ifndef __VMLINUX_H__\n" +
  "#define __VMLINUX_H__\n" +
  "\n" +
  "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n" +
  "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n" +
  "#endif\n\n";

const FOOTER =
  "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n" +
  "#pragma clang attribute pop\n" +
  "#endif\n" +
  "\n" +
  "#endif /* __VMLINUX_H__ */\n";

/** The vmlinux.h bytes for `btf` (base types included for split BTF). */
export function dumpCBytes(btf: Btf, opts: CDumpOptions = {}): Uint8Array {
  const out = new ByteSink(btf.count * 48, outputLimit(btf));
  const emitter = new CEmitter(btf, out, { enumModeAttributes: false, voidParams: true });
  out.text(HEADER);
  if (opts.rootIds?.length) for (const id of opts.rootIds) emitter.dumpType(id);
  else if (opts.sorted) for (const id of sortedTypeIds(btf, { ties: "content" })) emitter.dumpType(id);
  else for (let id = 1; id < btf.count; id++) emitter.dumpType(id);
  out.text(FOOTER);
  return out.view();
}

export function dumpC(btf: Btf, opts: CDumpOptions = {}): string {
  return new TextDecoder().decode(dumpCBytes(btf, opts));
}
