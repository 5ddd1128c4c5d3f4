/**
 * `bpftool btf dump file X format c`: a vmlinux.h, in the dialect of either
 * bpftool 7.8 (libbpf 1.8, the default: sorted, a macro preamble, enum size
 * attributes, a block of kfunc prototypes) or Debian's bpftool 7.1 (every
 * type in id order between the `__VMLINUX_H__` guard and the
 * preserve_access_index pragma), byte for byte.
 */
import type { Btf } from "../btf.js";
import { BTF_KIND_DECL_TAG, BTF_KIND_FUNC } from "../kinds.js";
import { globToRegExp } from "../roots.js";
import { collectDump, streamDump, type ByteSink } from "../sink.js";
import { CEmitter } from "./emitter.js";
import { sortedTypeIds } from "./sort.js";

/** Which bpftool's `format c` to reproduce: 7.8 (libbpf 1.8, the default) or Debian's 7.1. */
export type CDialect = "7.1" | "7.8";

/** Options of {@link dumpC}. */
export interface CDumpOptions {
  /** Which bpftool's header to write; "7.8" by default. */
  dialect?: CDialect;
  /** Dump only these ids and what they need (bpftool's `root_id`), in this order. */
  rootIds?: readonly number[];
  /**
   * Sorted order. 7.8 sorts by default (`false` = its `format c unsorted`),
   * exactly as bpftool 7.8 does; 7.1 does not sort by default.
   */
  sorted?: boolean;
  /**
   * Sort by bpftool's keys but order its ties by content rather than by id,
   * and keep every type: the header then never depends on type ids (bpftool
   * 7.8's does, through the `___N` suffixes of look-alike anonymous enums),
   * and no type is left out (bpftool 7.8 skips the first one in its order).
   * Always so for a sorted 7.1 header, which bpftool 7.1 never sorted.
   */
  stableOrder?: boolean;
  /** 7.8: write the kfunc prototype block (default true). */
  kfuncs?: boolean;
  /** 7.8: kfunc names or globs to leave out of the block (e.g. ones `bpf_helpers.h` declares differently). */
  excludeKfuncs?: readonly string[];
  /**
   * 7.8: put each prototype in its own `#ifndef BPF_NO_KFUNC_<name>` so a
   * header included first can define that macro and declare the kfunc itself.
   */
  guardKfuncs?: boolean;
}

const HEADER =
  "#ifndef __VMLINUX_H__\n" +
  "#define __VMLINUX_H__\n" +
  "\n" +
  "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n" +
  "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n" +
  "#endif\n\n";

/** bpftool 7.8's macros for the kfunc block (and for programs that include only vmlinux.h). */
const PREAMBLE_7_8 =
  "#ifndef __ksym\n" +
  '#define __ksym __attribute__((section(".ksyms")))\n' +
  "#endif\n\n" +
  "#ifndef __weak\n" +
  "#define __weak __attribute__((weak))\n" +
  "#endif\n\n" +
  "#ifndef __bpf_fastcall\n" +
  "#if __has_attribute(bpf_fastcall)\n" +
  "#define __bpf_fastcall __attribute__((bpf_fastcall))\n" +
  "#else\n" +
  "#define __bpf_fastcall\n" +
  "#endif\n" +
  "#endif\n\n";

const FOOTER =
  "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n" +
  "#pragma clang attribute pop\n" +
  "#endif\n" +
  "\n" +
  "#endif /* __VMLINUX_H__ */\n";

function writeC(btf: Btf, opts: CDumpOptions, out: ByteSink): void {
  const v78 = (opts.dialect ?? "7.8") === "7.8";
  const emitter = new CEmitter(btf, out, { enumModeAttributes: v78, voidParams: true, typeTagAttributes: v78 });
  out.text(HEADER);
  if (v78) out.text(PREAMBLE_7_8);
  if (opts.rootIds?.length) {
    for (const id of opts.rootIds) emitter.dumpType(id);
  } else {
    if (!(opts.sorted ?? v78)) {
      for (let id = 1; id < btf.count; id++) emitter.dumpType(id);
    } else if (v78 && !opts.stableOrder) {
      // bpftool 7.8 sorts ids 0..n-1 but dumps from the second position on, so the
      // first in order (usually a top-level anonymous enum) is left out; kept for byte identity.
      const order = sortedTypeIds(btf, { ties: "id" });
      for (let i = 1; i < order.length; i++) emitter.dumpType(order[i]);
    } else {
      for (const id of sortedTypeIds(btf, { ties: "content" })) emitter.dumpType(id);
    }
    if (v78 && opts.kfuncs !== false) emitKfuncs(btf, emitter, out, opts);
  }
  out.text(FOOTER);
}

/** The vmlinux.h bytes for `btf` (base types included for split BTF). */
export function dumpCBytes(btf: Btf, opts: CDumpOptions = {}): Uint8Array {
  return collectDump(btf, btf.count * 48, (out) => writeC(btf, opts, out));
}

/**
 * The bytes of {@link dumpCBytes}, handed to `write` in chunks as they are
 * produced (see streamDump). Only the text streams: the emitter's per-type
 * state and a sorted order are computed whole, O(types).
 */
export function dumpCChunks(btf: Btf, opts: CDumpOptions, write: (chunk: Uint8Array) => void): void {
  streamDump(btf, write, (out) => writeC(btf, opts, out));
}

/** A `vmlinux.h`, byte-identical to `bpftool btf dump ... format c` of the chosen dialect. */
export function dumpC(btf: Btf, opts: CDumpOptions = {}): string {
  return new TextDecoder().decode(dumpCBytes(btf, opts));
}

const BPF_KFUNC = new TextEncoder().encode("bpf_kfunc");
const BPF_FASTCALL = new TextEncoder().encode("bpf_fastcall");

/**
 * FUNCs tagged `bpf_kfunc` (a DECL_TAG on the whole function), sorted by
 * name, and those also tagged `bpf_fastcall`.
 */
export function kfuncIds(btf: Btf): { kfuncs: number[]; fastcall: Set<number> } {
  const kfuncs: number[] = [];
  const fastcall = new Set<number>();
  for (let id = 1; id < btf.count; id++) {
    if (btf.kindNumber(id) !== BTF_KIND_DECL_TAG || btf.declTagComponent(id) !== -1) continue;
    const target = btf.sizeOrType(id);
    if (!btf.hasType(target) || btf.kindNumber(target) !== BTF_KIND_FUNC) continue;
    if (btf.strEquals(btf.nameOff(id), BPF_KFUNC)) kfuncs.push(target);
    else if (btf.strEquals(btf.nameOff(id), BPF_FASTCALL)) fastcall.add(target);
  }
  // strcmp order: bytes of the UTF-8 names.
  const enc = new TextEncoder();
  const names = new Map(kfuncs.map((id) => [id, enc.encode(btf.name(id))] as const));
  kfuncs.sort((a, b) => compareBytes(names.get(a)!, names.get(b)!));
  return { kfuncs, fastcall };
}

/**
 * The globs of `excludeKfuncs` (names or `*`/`?` patterns) that match no
 * kfunc of `btf`: most likely a typo, as leaving them out changes nothing.
 */
export function unusedKfuncExcludes(btf: Btf, globs: readonly string[]): string[] {
  if (!globs.length) return [];
  const names = kfuncIds(btf).kfuncs.map((id) => btf.name(id));
  return globs.filter((glob) => {
    const re = globToRegExp(glob);
    return !names.some((name) => re.test(name));
  });
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The `/* BPF kfuncs *\/` block: one `extern ... __weak __ksym;` per kfunc. */
function emitKfuncs(btf: Btf, emitter: CEmitter, out: ByteSink, opts: CDumpOptions): void {
  const exclude = (opts.excludeKfuncs ?? []).map(globToRegExp);
  const { kfuncs, fastcall } = kfuncIds(btf);
  out.text("\n/* BPF kfuncs */\n#ifndef BPF_NO_KFUNC_PROTOTYPES\n");
  for (const id of kfuncs) {
    const name = btf.name(id);
    if (exclude.some((re) => re.test(name))) continue;
    if (opts.guardKfuncs) out.text(`#ifndef BPF_NO_KFUNC_${name}\n`);
    out.text("extern ");
    if (fastcall.has(id)) out.text("__bpf_fastcall ");
    emitter.emitFuncDecl(id);
    out.text(" __weak __ksym;\n");
    if (opts.guardKfuncs) out.text("#endif\n");
  }
  out.text("#endif\n\n");
}
