/**
 * The id-independent emission order newer bpftool (7.5+) uses for `format c`:
 * by kind rank, then a sort name seen through pointers/typedefs/arrays, then
 * the type's own name, then a hash of its names and members, then the id.
 * Two blobs holding the same types in different id orders thus give the same
 * header.
 */
import type { Btf } from "../btf.js";
import { BtfError } from "../../errors.js";
import { OUTPUT_PER_INPUT_BYTE, outputLimit } from "../sink.js";
import {
  BTF_KIND_ARRAY,
  BTF_KIND_DECL_TAG,
  BTF_KIND_ENUM,
  BTF_KIND_ENUM64,
  BTF_KIND_FLOAT,
  BTF_KIND_FUNC_PROTO,
  BTF_KIND_INT,
  BTF_KIND_PTR,
  BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF,
  BTF_KIND_UNION,
  isCompositeKind,
  isEnumKind,
  isModifierKind,
} from "../kinds.js";

const MAX_RANK = 10;
/** Reference chains longer than this only occur in cyclic (malformed) BTF. */
const MAX_CHAIN = 4096;

/** Kinds bpftool's sort looks through to the type they refer to (the size/type word). */
function isRefLike(kind: number): boolean {
  return isModifierKind(kind) || kind === BTF_KIND_PTR || kind === BTF_KIND_TYPEDEF || kind === BTF_KIND_DECL_TAG;
}

function tooLong(id: number): BtfError {
  return new BtfError(`reference chain longer than ${MAX_CHAIN} types while sorting (a cycle?)`, { typeId: id });
}

/** Kind rank: anonymous enums, named enums, ints/floats, named structs, named protos; the rest last. */
function rank(btf: Btf, id: number): number {
  let hasName = false;
  for (let hops = 0; hops < MAX_CHAIN; hops++) {
    if (btf.nameOff(id) !== 0) hasName = true;
    const kind = btf.kindNumber(id);
    switch (kind) {
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return hasName ? 1 : 0;
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
        return 2;
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        return hasName ? 3 : MAX_RANK;
      case BTF_KIND_FUNC_PROTO:
        return hasName ? 4 : MAX_RANK;
      case BTF_KIND_ARRAY:
        if (!hasName) return MAX_RANK;
        id = btf.arrayElemType(id);
        break;
      default:
        if (!hasName || !isRefLike(kind)) return MAX_RANK;
        id = btf.sizeOrType(id);
    }
  }
  throw tooLong(id);
}

/** String offset of the sort name: the name at the end of a reference chain; an anonymous enum's first enumerator. */
function sortNameOff(btf: Btf, id: number): number {
  let fromRef = false;
  for (let hops = 0; hops < MAX_CHAIN; hops++) {
    const kind = btf.kindNumber(id);
    if (isEnumKind(kind)) {
      const off = btf.nameOff(id);
      return !fromRef && off === 0 && btf.vlen(id) > 0 ? btf.enumValueNameOff(id, 0) : off;
    }
    if (kind === BTF_KIND_ARRAY) id = btf.arrayElemType(id);
    else if (isRefLike(kind)) id = btf.sizeOrType(id);
    else return btf.nameOff(id);
    fromRef = true;
  }
  throw tooLong(id);
}

/**
 * bpftool's 64-bit wrapping `hash * 31 + value`, kept as two 32-bit halves
 * mutated in place, so hashing allocates nothing and needs no BigInt.
 */
class Hash64 {
  hi = 0;
  lo = 0;

  mix(vhi: number, vlo: number): void {
    const lo = this.lo * 31 + vlo;
    const carry = Math.floor(lo / 0x100000000);
    this.hi = (Math.imul(this.hi, 31) + vhi + carry) >>> 0;
    this.lo = lo >>> 0;
  }

  /** Mixes in libbpf's str_hash of the name at `off` (offset 0 adds nothing). */
  mixName(names: NameHashes, off: number): void {
    if (off === 0) return;
    names.hash(off);
    this.mix(names.hi, names.lo);
  }
}

/**
 * libbpf's str_hash of names by string offset (h = h * 31 + c over the bytes
 * as signed chars), each offset hashed once: thousands of members may share
 * one long name. The bytes hashed in all are capped like a dump's output, so
 * names pointing at the tails of one huge string cannot make a sort hash
 * gigabytes.
 */
class NameHashes {
  private readonly known = new Map<number, number>();
  private readonly his: number[] = [];
  private readonly los: number[] = [];
  private budget: number;
  hi = 0;
  lo = 0;

  constructor(private readonly btf: Btf) {
    this.budget = outputLimit(btf);
  }

  /** Sets `hi` and `lo` to the hash of the name at `off`. */
  hash(off: number): void {
    const k = this.known.get(off);
    if (k !== undefined) {
      this.hi = this.his[k];
      this.lo = this.los[k];
      return;
    }
    let hi = 0;
    let lo = 0;
    const btf = this.btf;
    const bytes = btf.strSource(off);
    if (bytes) {
      const start = btf.strPos(off);
      let p = start;
      for (; p < bytes.length && bytes[p] !== 0; p++) {
        const c = bytes[p];
        // A signed char: bytes >= 0x80 add a negative value (high word all ones).
        const l = lo * 31 + (c < 0x80 ? c : c - 0x100 + 0x100000000);
        hi = (Math.imul(hi, 31) + (c < 0x80 ? 0 : 0xffffffff) + Math.floor(l / 0x100000000)) >>> 0;
        lo = l >>> 0;
      }
      this.budget -= p - start;
      if (this.budget < 0) {
        throw new BtfError(
          `sorting would hash more than ${outputLimit(btf)} bytes of names (${OUTPUT_PER_INPUT_BYTE} per input byte): names point into the middle of long strings`,
          { section: "strings", offset: off },
        );
      }
    }
    this.known.set(off, this.his.push(hi) - 1);
    this.los.push(lo);
    this.hi = hi;
    this.lo = lo;
  }
}

/** bpftool's disambiguation hash: names of the type, its enumerators or members (and their types' names). */
function disambigHash(btf: Btf, names: NameHashes, id: number, members: boolean, depth = 0): Hash64 {
  if (depth > MAX_CHAIN) throw tooLong(id);
  const h = new Hash64();
  h.mixName(names, btf.nameOff(id));
  const kind = btf.kindNumber(id);
  const vlen = btf.vlen(id);
  if (isEnumKind(kind)) {
    for (let i = 0; i < vlen; i++) h.mixName(names, btf.enumValueNameOff(id, i));
  } else if (isCompositeKind(kind)) {
    if (!members) return h;
    for (let i = 0; i < vlen; i++) {
      h.mixName(names, btf.memberNameOff(id, i));
      const m = disambigHash(btf, names, btf.memberType(id, i), false, depth + 1);
      h.mix(m.hi, m.lo);
    }
  } else if (isRefLike(kind)) {
    const t = disambigHash(btf, names, btf.sizeOrType(id), members, depth + 1);
    h.mix(t.hi, t.lo);
  } else if (kind === BTF_KIND_ARRAY) {
    h.mix(0, btf.arrayLength(id));
    const t = disambigHash(btf, names, btf.arrayElemType(id), members, depth + 1);
    h.mix(t.hi, t.lo);
  }
  return h;
}

/**
 * Name ordinals (byte-wise order, as strcmp gives) for every string offset
 * used, so the type sort compares integers. Names are compared in place,
 * never decoded; where each one lives is looked up once, not per comparison.
 */
function nameOrdinals(btf: Btf, offsetLists: Uint32Array[]): { ordinal: (off: number) => number; count: number } {
  // Distinct offsets, numbered through a table indexed by offset. Offsets past the strings
  // (corrupt input) all share the last entry: they read as "", and must not size the table.
  const end = btf.startStrOff + btf.header.strLen;
  const key = (off: number) => Math.min(off, end);
  const slot = new Int32Array(end + 1).fill(-1);
  const distinct: number[] = [];
  for (const offsets of offsetLists) {
    for (let i = 0; i < offsets.length; i++) {
      const k = key(offsets[i]);
      if (slot[k] < 0) slot[k] = distinct.push(offsets[i]) - 1;
    }
  }
  const offs = Uint32Array.from(distinct);
  const n = offs.length;
  // Each name's bytes: one of a few sections (own, base, ...) and a position in it (-1: out of range, read as "").
  const sections: Uint8Array[] = [];
  const sectionOf = new Uint8Array(n);
  const pos = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const src = btf.strSource(offs[i]);
    let k = src ? sections.indexOf(src) : 0;
    if (src && k < 0) k = sections.push(src) - 1;
    sectionOf[i] = k;
    pos[i] = src ? btf.strPos(offs[i]) : -1;
  }
  const empty = new Uint8Array(1);
  const compare = (i: number, j: number): number => {
    const a = pos[i] < 0 ? empty : sections[sectionOf[i]];
    const b = pos[j] < 0 ? empty : sections[sectionOf[j]];
    let pa = Math.max(pos[i], 0);
    let pb = Math.max(pos[j], 0);
    for (;;) {
      const ca = pa < a.length ? a[pa] : 0;
      const cb = pb < b.length ? b[pb] : 0;
      if (ca !== cb || ca === 0) return ca - cb;
      pa++;
      pb++;
    }
  };
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort(compare);
  const ord = new Int32Array(n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0 && compare(order[k - 1], order[k]) !== 0) rank++;
    ord[order[k]] = rank;
  }
  return { ordinal: (off) => ord[slot[key(off)]], count: rank + 1 };
}

/**
 * A hash of what a type's C text depends on beyond names: values, sizes,
 * member offsets and bitfields, array lengths, and (shallowly) the same for
 * the types it uses. bpftool's own hash covers names only, so two anonymous
 * enums with the same enumerators but different values tie and fall back to
 * id order; this breaks such ties by content instead.
 */
function contentHasher(btf: Btf, names: NameHashes, maxDepth: number): (id: number) => Hash64 {
  // Memoized per (id, depth): ties are common among anonymous types, and each
  // hash looks `maxDepth` levels into the types a type uses.
  const memo: Array<Map<number, Hash64>> = Array.from({ length: maxDepth + 1 }, () => new Map());
  const hash = (id: number, depth: number): Hash64 => {
    const known = memo[depth].get(id);
    if (known) return known;
    const h = new Hash64();
    memo[depth].set(id, h);
    h.mix(0, id === 0 ? 0 : btf.info(id));
    if (id === 0) return h;
    h.mixName(names, btf.nameOff(id));
    const kind = btf.kindNumber(id);
    const vlen = btf.vlen(id);
    const sub = (t: number) => {
      if (depth <= 0) return;
      const c = hash(t, depth - 1);
      h.mix(c.hi, c.lo);
    };
    switch (kind) {
      case BTF_KIND_INT:
        h.mix(btf.sizeOrType(id), btf.intRaw(id));
        break;
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        h.mix(0, btf.sizeOrType(id));
        for (let i = 0; i < vlen; i++) {
          h.mixName(names, btf.enumValueNameOff(id, i));
          if (kind === BTF_KIND_ENUM) h.mix(0, btf.enumValue(id, i) >>> 0);
          else {
            const v = BigInt.asUintN(64, btf.enum64Value(id, i));
            h.mix(Number(v >> 32n), Number(v & 0xffffffffn));
          }
        }
        break;
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        h.mix(0, btf.sizeOrType(id));
        for (let i = 0; i < vlen; i++) {
          h.mixName(names, btf.memberNameOff(id, i));
          // The stored word, so that bitfield sizes count too.
          h.mix(0, btf.memberRawOffset(id, i));
          sub(btf.memberType(id, i));
        }
        break;
      case BTF_KIND_ARRAY:
        h.mix(0, btf.arrayLength(id));
        sub(btf.arrayElemType(id));
        break;
      case BTF_KIND_FUNC_PROTO:
        sub(btf.sizeOrType(id));
        for (let i = 0; i < vlen; i++) {
          h.mixName(names, btf.paramNameOff(id, i));
          sub(btf.paramType(id, i));
        }
        break;
      default:
        if (isRefLike(kind)) sub(btf.sizeOrType(id));
        else h.mix(0, btf.sizeOrType(id));
    }
    return h;
  };
  return (id) => hash(id, maxDepth);
}

export interface SortOptions {
  /**
   * How to order types bpftool's keys cannot tell apart: "id" as bpftool does
   * (byte-identical to it), or "content" so that the order never depends on ids.
   */
  ties?: "id" | "content";
}

/** All ids 0..count-1 in bpftool's sorted order (void included, as bpftool sorts it too). */
export function sortedTypeIds(btf: Btf, opts: SortOptions = {}): Uint32Array {
  const n = btf.count;
  if (n >= 2 ** 24) throw new BtfError(`too many types to sort (${n})`, {});
  const ranks = new Uint8Array(n);
  const sortOffs = new Uint32Array(n);
  const ownOffs = new Uint32Array(n);
  for (let id = 0; id < n; id++) {
    ranks[id] = rank(btf, id);
    sortOffs[id] = sortNameOff(btf, id);
    ownOffs[id] = btf.nameOff(id);
  }
  const { ordinal, count } = nameOrdinals(btf, [sortOffs, ownOffs]);
  // rank < 16 and two ordinals of `bits` bits each (at most 24) pack exactly into one double.
  const bits = bitsFor(count);
  if (bits > 24) throw new BtfError(`too many distinct names to sort (${count})`, {});
  const keys = new Float64Array(n);
  for (let id = 0; id < n; id++) {
    keys[id] = (ranks[id] * 2 ** bits + ordinal(sortOffs[id])) * 2 ** bits + ordinal(ownOffs[id]);
  }
  const ids = sortByKey(keys, 4 + 2 * bits);
  // Hashes are needed only to break ties; computed on demand, cached as two 32-bit halves.
  const cache = (f: (id: number) => Hash64) => {
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    const done = new Uint8Array(n);
    const fill = (id: number) => {
      if (done[id]) return;
      const h = f(id);
      hi[id] = h.hi;
      lo[id] = h.lo;
      done[id] = 1;
    };
    return (a: number, b: number): number => {
      fill(a);
      fill(b);
      if (hi[a] !== hi[b]) return hi[a] < hi[b] ? -1 : 1;
      return lo[a] === lo[b] ? 0 : lo[a] < lo[b] ? -1 : 1;
    };
  };
  const names = new NameHashes(btf);
  const byNames = cache((id) => disambigHash(btf, names, id, true));
  const byContent = opts.ties === "content" ? cache(contentHasher(btf, names, 3)) : undefined;
  // Runs of equal keys (ties on kind rank and both names) in id order; only these need the hashes.
  const tie = (a: number, b: number) => byNames(a, b) || (byContent ? byContent(a, b) : 0) || a - b;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && keys[ids[end]] === keys[ids[start]]) end++;
    if (end - start > 1) ids.subarray(start, end).sort(tie);
    start = end;
  }
  return ids;
}

/** Bits that hold the numbers 0..count-1. */
function bitsFor(count: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(count, 2))));
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Ids 0..n-1 ordered by `keys[id]` (below 2^keyBits), equal keys in id
 * order. Key and id are packed into one 64-bit integer each, so that the
 * sort is the engine's own numeric sort of a BigUint64Array, with no
 * comparator called from JavaScript: a header is written once per process,
 * before V8 has optimized any code, where 2 million calls of a comparator
 * cost more than the whole rest of the sort. @internal
 */
export function sortByKey(keys: Float64Array, keyBits: number): Uint32Array {
  const n = keys.length;
  const ids = new Uint32Array(n);
  const idBits = bitsFor(n);
  if (keyBits + idBits > 64) {
    for (let i = 0; i < n; i++) ids[i] = i;
    return ids.sort((a, b) => keys[a] - keys[b] || a - b);
  }
  // key * 2^idBits + id, as 32-bit halves (it may pass 2^53, so it is never formed as one number).
  const packed = new BigUint64Array(n);
  const halves = new Uint32Array(packed.buffer);
  const [hi, lo] = LITTLE_ENDIAN ? [1, 0] : [0, 1];
  const split = 2 ** (32 - idBits);
  for (let id = 0; id < n; id++) {
    const k = keys[id];
    halves[2 * id + hi] = Math.floor(k / split);
    halves[2 * id + lo] = (k % split) * 2 ** idBits + id;
  }
  packed.sort();
  const idMask = 2 ** idBits - 1;
  for (let i = 0; i < n; i++) ids[i] = halves[2 * i + lo] & idMask;
  return ids;
}
