/**
 * Seeded mutators for the fuzz harness. Every input is a function of
 * (seed, stage, index), so any failure can be regenerated from those three
 * numbers. Generic byte mutations are mixed with format-aware ones that aim
 * at the fields parsers trust: counts, lengths, offsets, type ids, string
 * offsets, reference cycles and deep modifier chains.
 */

/** A small fast PRNG (mulberry32); good enough to pick mutations, reproducible everywhere. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return n <= 1 ? 0 : this.u32() % n;
  }

  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)];
  }

  /** An item with probability proportional to its weight (`total`: the weights' sum). */
  pickWeighted<T extends { weight: number }>(xs: readonly T[], total: number): T {
    let x = (this.u32() / 0x100000000) * total;
    for (const item of xs) {
      x -= item.weight;
      if (x < 0) return item;
    }
    return xs[xs.length - 1];
  }
}

/** The seed of input `index` of `stage`: inputs are independent of how work is split between workers. */
export function inputSeed(seed: number, stage: string, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  for (let i = 0; i < stage.length; i++) h = Math.imul(h ^ stage.charCodeAt(i), 0x01000193) >>> 0;
  return (Math.imul(h ^ index, 0xc2b2ae35) ^ (index >>> 16)) >>> 0;
}

/** Values that make length and offset checks interesting. */
export function interesting(rng: Rng, size: number): number {
  return rng.pick([
    0,
    1,
    2,
    3,
    4,
    0x7f,
    0x80,
    0xff,
    0xffff,
    0x7fffffff,
    0x80000000,
    0xfffffffe,
    0xffffffff,
    size,
    size - 1,
    size + 1,
    size * 2,
    (size * 64) >>> 0,
    rng.below(size + 16),
    rng.u32(),
  ]) >>> 0;
}

/**
 * A run of 32-bit fields a parser trusts (a header, a record table). `limit`,
 * when set, is the range of meaningful values there (e.g. the type count for
 * words that hold type ids), so corruption sometimes stays plausible.
 */
export interface Region {
  start: number;
  end: number;
  weight?: number;
  limit?: number;
}

/** Sets a 32-bit field of a region to an interesting or plausible value, or nudges it. */
function corruptRegion(rng: Rng, bytes: Uint8Array, r: Region, le: boolean): void {
  const words = Math.floor((Math.min(r.end, bytes.length) - r.start) / 4);
  if (words <= 0) return;
  const at = r.start + 4 * rng.below(words);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const old = v.getUint32(at, le);
  const roll = rng.below(10);
  const value = roll < 3 ? old + rng.pick([-4, -1, 1, 4, 12, 0x1000]) : roll < 6 && r.limit ? rng.below(r.limit) : interesting(rng, bytes.length);
  v.setUint32(at, value >>> 0, le);
}

function pickRegion(rng: Rng, regions: readonly Region[]): Region {
  let total = 0;
  for (const r of regions) total += r.weight ?? 1;
  let x = rng.below(total);
  for (const r of regions) {
    x -= r.weight ?? 1;
    if (x < 0) return r;
  }
  return regions[regions.length - 1];
}

/** Byte-level mutations any format gets: flips, stores, truncation, splices, growth. */
export function mutateBytes(rng: Rng, input: Uint8Array): Uint8Array {
  let bytes: Uint8Array = input;
  const n = 1 + rng.below(4);
  for (let k = 0; k < n && bytes.length > 0; k++) {
    switch (rng.below(7)) {
      case 0: {
        const at = rng.below(bytes.length);
        bytes[at] ^= 1 << rng.below(8);
        break;
      }
      case 1:
        bytes[rng.below(bytes.length)] = rng.pick([0, 0xff, 0x7f, 0x80, rng.below(256)]);
        break;
      case 2:
        corruptRegion(rng, bytes, { start: 0, end: bytes.length }, rng.chance(0.5));
        break;
      case 3:
        bytes = bytes.slice(0, rng.below(bytes.length));
        break;
      case 4: {
        // Copy a chunk over another place.
        const len = 1 + rng.below(Math.min(64, bytes.length));
        const from = rng.below(bytes.length - len + 1);
        bytes.copyWithin(rng.below(bytes.length - len + 1), from, from + len);
        break;
      }
      case 5: {
        // Duplicate a chunk in place (the input grows).
        const len = 1 + rng.below(Math.min(256, bytes.length));
        const from = rng.below(bytes.length - len + 1);
        const grown = new Uint8Array(bytes.length + len);
        grown.set(bytes.subarray(0, from + len));
        grown.set(bytes.subarray(from), from + len);
        bytes = grown;
        break;
      }
      default: {
        const grown = new Uint8Array(bytes.length + 1 + rng.below(64));
        grown.set(bytes);
        for (let i = bytes.length; i < grown.length; i++) grown[i] = rng.below(256);
        bytes = grown;
      }
    }
  }
  return bytes;
}

/** Applies 1-4 of: byte mutations, or corruption of a field in one of the regions. */
export function mutate(rng: Rng, input: Uint8Array, regions: readonly Region[], le: boolean): Uint8Array {
  let bytes: Uint8Array = input.slice();
  const n = 1 + rng.below(4);
  for (let k = 0; k < n; k++) {
    if (regions.length && rng.chance(0.7)) corruptRegion(rng, bytes, pickRegion(rng, regions), le);
    else bytes = mutateBytes(rng, bytes);
  }
  return bytes;
}
