/**
 * Explicit padding fields between struct members (`long: 64;` ...), by
 * libbpf's algorithm (btf_dump_emit_bit_padding, December 2022 version, as in
 * libbpf >= 1.1 and Debian's bpftool 7.1). Offsets are in bits.
 */
import type { ByteSink } from "../sink.js";

const TABS = "\t\t\t\t\t\t\t\t\t\t\t\t\t";

/** Indentation by `lvl` tabs; libbpf caps it at 13. */
export function indent(out: ByteSink, lvl: number): void {
  out.text(TABS.slice(0, Math.min(lvl, TABS.length)));
}

function field(out: ByteSink, lvl: number, type: string, bits: number): void {
  out.byte(0x0a);
  indent(out, lvl);
  out.text(type);
  out.text(": ");
  out.uint(bits);
  out.byte(0x3b);
}

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

export function emitBitPadding(
  out: ByteSink,
  ptrSize: number,
  cur: number,
  next: number,
  nextAlign: number,
  inBitfield: boolean,
  lvl: number,
): void {
  if (cur >= next) return;
  const pads: Array<[string, number]> = [
    ["long", ptrSize * 8],
    ["int", 32],
    ["short", 16],
    ["char", 8],
  ];
  // The widest type whose natural alignment lands at or before `next`.
  let [padType, padBits] = pads[pads.length - 1];
  let aligned = roundUp(cur, padBits);
  for (const [t, b] of pads) {
    padType = t;
    padBits = b;
    aligned = roundUp(cur, b);
    if (aligned <= next) break;
  }
  if (aligned > cur && aligned <= next) {
    // An explicit `<type>: 0` (or, after a bitfield, a bit count) is needed when
    // the compiler would not align there by itself.
    if (
      inBitfield ||
      (aligned === next && roundUp(cur, nextAlign * 8) !== aligned) ||
      (aligned !== next && next - aligned <= aligned - cur)
    ) {
      field(out, lvl, padType, inBitfield ? aligned - cur : 0);
    }
    cur = aligned;
  }
  while (cur !== next) {
    const bits = Math.min(next - cur, padBits);
    if (bits === padBits) {
      field(out, lvl, padType, padBits);
      cur += bits;
      continue;
    }
    // The remainder: the smallest type that holds it.
    for (let i = pads.length - 1; i >= 0; i--) {
      [padType, padBits] = pads[i];
      if (padBits < bits) continue;
      field(out, lvl, padType, bits);
      cur += bits;
      break;
    }
  }
}
