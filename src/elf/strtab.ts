/**
 * The one string table of the toolchain: a set of NUL-terminated strings over
 * one growable byte buffer, keyed by their bytes (open addressing over typed
 * arrays, no JS string per entry). ELF string tables, BTF string sections,
 * dedup's string phase and the name indexes all build on it.
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over the bytes of a NUL-terminated string (or to the end of `bytes`). */
export function hashCString(bytes: Uint8Array, pos: number): number {
  let h = FNV_OFFSET_BASIS;
  for (let q = pos; q < bytes.length && bytes[q] !== 0; q++) h = Math.imul(h ^ bytes[q], FNV_PRIME);
  return h | 0;
}

/** Whether two NUL-terminated strings (each also ended by its array's end) have the same bytes. */
export function cStringsEqual(a: Uint8Array, pa: number, b: Uint8Array, pb: number): boolean {
  for (;;) {
    const ca = pa < a.length ? a[pa] : 0;
    const cb = pb < b.length ? b[pb] : 0;
    if (ca !== cb) return false;
    if (ca === 0) return true;
    pa++;
    pb++;
  }
}

/**
 * Distinct strings, each numbered in insertion order (its entry) and stored
 * once in `bytes`. Built over an existing section it indexes every string
 * there and keeps the first offset of each, as libbpf's string index does;
 * added strings are appended when new. Entries let callers attach data to a
 * string (counts, id lists) in their own typed arrays.
 */
export class StringSet {
  private data: Uint8Array;
  private len = 0;
  /** Per slot: entry + 1 (0 = empty), and the string's hash. */
  private slots: Int32Array;
  private hashes: Int32Array;
  /** Per entry: offset of the string in `data`. */
  private offsets: Int32Array;
  private entries = 0;

  /** `section` (not copied until the set grows) has its strings indexed; the set is empty without one. */
  constructor(section?: Uint8Array) {
    const n = section ? section.length >>> 3 : 0;
    this.data = section ?? new Uint8Array(1024);
    this.slots = new Int32Array(tableSize(n));
    this.hashes = new Int32Array(this.slots.length);
    this.offsets = new Int32Array(Math.max(n, 256));
    if (!section) return;
    this.len = section.length;
    for (let off = 0; off < section.length; ) {
      const h = hashCString(section, off);
      if (this.probe(section, off, h) < 0) this.insert(h, off);
      while (off < section.length && section[off] !== 0) off++;
      off++;
    }
  }

  /** The strings, NUL-terminated, in the order they were added. */
  get bytes(): Uint8Array {
    return this.data.subarray(0, this.len);
  }

  get size(): number {
    return this.len;
  }

  /** Number of distinct strings. */
  get count(): number {
    return this.entries;
  }

  /** Entry of the string at `src[pos]`, or -1; `h` is its `hashCString`. */
  lookup(src: Uint8Array, pos: number, h = hashCString(src, pos)): number {
    return this.probe(src, pos, h);
  }

  /** Entry of the string at `src[pos]`, appending it when new; `h` is its `hashCString`. */
  intern(src: Uint8Array, pos: number, h = hashCString(src, pos)): number {
    const found = this.probe(src, pos, h);
    if (found >= 0) return found;
    let end = pos;
    while (end < src.length && src[end] !== 0) end++;
    const need = this.len + (end - pos) + 1;
    if (need > this.data.length) {
      const grown = new Uint8Array(Math.max(need, this.data.length * 2));
      grown.set(this.data.subarray(0, this.len));
      this.data = grown;
    }
    const off = this.len;
    // A byte loop: names are short, and a subarray view per string costs more than the copy.
    const data = this.data;
    for (let q = pos, o = off; q < end; q++, o++) data[o] = src[q];
    data[need - 1] = 0;
    this.len = need;
    return this.insert(h, off);
  }

  /** Offset of the string at `src[pos]`, or -1. */
  find(src: Uint8Array, pos: number, h?: number): number {
    const e = this.lookup(src, pos, h);
    return e < 0 ? -1 : this.offsets[e];
  }

  /** Offset of the string at `src[pos]`, appending it when new. */
  add(src: Uint8Array, pos: number, h?: number): number {
    const e = this.intern(src, pos, h);
    return this.offsets[e];
  }

  /** Offset of an entry's string. */
  offsetOf(entry: number): number {
    return this.offsets[entry];
  }

  /**
   * Records that the string at `src[pos]` also sits at `off` (inside the
   * bytes already held, e.g. as the tail of a longer string), so that later
   * lookups give `off`; returns its entry.
   */
  alias(src: Uint8Array, pos: number, off: number): number {
    const h = hashCString(src, pos);
    const found = this.probe(src, pos, h);
    return found >= 0 ? found : this.insert(h, off);
  }

  /**
   * First offset below `end` where the string at `src[pos]` ends a stored
   * string (is it or its tail), or -1: how linkers share ELF string tails.
   */
  findTail(src: Uint8Array, pos: number, end: number): number {
    let n = 0;
    while (pos + n < src.length && src[pos + n] !== 0) n++;
    const data = this.data;
    for (let z = n; z < end; z++) {
      if (data[z] !== 0) continue;
      let k = 0;
      while (k < n && data[z - n + k] === src[pos + k]) k++;
      if (k === n) return z - n;
    }
    return -1;
  }

  private probe(src: Uint8Array, pos: number, h: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = slots[i];
      if (e === 0) return -1;
      if (this.hashes[i] === h && cStringsEqual(this.data, this.offsets[e - 1], src, pos)) return e - 1;
    }
  }

  private insert(h: number, off: number): number {
    if (2 * (this.entries + 1) > this.slots.length) this.rehash();
    if (this.entries === this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    const mask = this.slots.length - 1;
    let i = h & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    const e = this.entries++;
    this.offsets[e] = off;
    this.slots[i] = e + 1;
    this.hashes[i] = h;
    return e;
  }

  private rehash(): void {
    const { slots, hashes } = this;
    this.slots = new Int32Array(slots.length * 2);
    this.hashes = new Int32Array(slots.length * 2);
    const mask = this.slots.length - 1;
    for (let j = 0; j < slots.length; j++) {
      if (slots[j] === 0) continue;
      let i = hashes[j] & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = slots[j];
      this.hashes[i] = hashes[j];
    }
  }
}

/** A power of two with room for `n` entries at half load. */
export function tableSize(n: number): number {
  let size = 1024;
  while (size < 2 * n) size *= 2;
  return size;
}

// ignoreBOM: a name may begin with U+FEFF, which is part of it, not a byte order mark.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });
/**
 * Strings up to this many bytes are decoded afresh on each read: cheaper than
 * any cache, and a reference (a 4-byte offset in a record of 12 or more
 * bytes) then costs at most a few times its own size. Longer ones are decoded
 * once and interned.
 */
const SHORT_NAME = 64;

/**
 * Decodes the NUL-terminated UTF-8 strings of one string section (ELF string
 * table, BTF string section) so that memory stays proportional to the
 * section, however many references point into it. Short strings take an
 * ASCII fast path; a long string is decoded once per offset and interned, and
 * a tail of a long ASCII string (ELF tail sharing, or hostile offsets inside
 * one name) is a `substring` of the whole string's decoding, which V8 keeps
 * as a slice sharing its storage. Tails of long non-ASCII strings cannot be
 * sliced (byte and UTF-16 offsets differ), so their decodings are bounded by
 * a budget of {@link TAIL_BUDGET_FACTOR} times the section's size, past which
 * `fail` builds the error thrown.
 */
export class CStringDecoder {
  /** Decoded long strings by byte position. */
  private readonly interned = new Map<number, string>();
  /** Starts and ends (NUL positions, or `end`) of the section's long strings, ascending; built on the first long read. */
  private longStarts: Int32Array | undefined;
  private longEnds: Int32Array | undefined;
  /** Bytes of non-ASCII tails decoded so far, against the budget. */
  private tailBytes = 0;

  /**
   * `bytes[start, end)` is the section; `fail` makes the error to throw when
   * the tail budget runs out.
   */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly start: number,
    private readonly end: number,
    private readonly fail: (message: string, pos: number) => Error,
  ) {}

  /** Bytes in the section. */
  get size(): number {
    return this.end - this.start;
  }

  /** The string at byte position `pos` (in `bytes`), or undefined when `pos` is outside the section or no NUL ends the string. */
  read(pos: number): string | undefined {
    const bytes = this.bytes;
    const end = this.end;
    if (!(pos >= this.start && pos < end)) return undefined;
    let limit = pos + SHORT_NAME;
    if (limit > end) limit = end;
    let i = pos;
    let ascii = true;
    for (; i < limit; i++) {
      const c = bytes[i];
      if (c === 0) break;
      if (c >= 0x80) ascii = false;
    }
    if (i === limit) {
      if (i === end) return undefined;
      if (bytes[i] !== 0) return this.readLong(pos);
    }
    if (i === pos) return "";
    if (!ascii) return utf8.decode(bytes.subarray(pos, i));
    // Concatenating char codes beats a TextDecoder call on short ASCII names.
    let s = "";
    for (let k = pos; k < i; k++) s += String.fromCharCode(bytes[k]);
    return s;
  }

  private readLong(pos: number): string | undefined {
    const hit = this.interned.get(pos);
    if (hit !== undefined) return hit;
    if (!this.longStarts) this.indexLong();
    const starts = this.longStarts!;
    // The last long string starting at or before `pos`: the one holding it.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    const s = starts[lo];
    const e = this.longEnds![lo];
    if (e === this.end) return undefined;
    let whole = this.interned.get(s);
    if (whole === undefined) {
      whole = utf8.decode(this.bytes.subarray(s, e));
      this.interned.set(s, whole);
    }
    if (pos === s) return whole;
    let str: string;
    // One UTF-16 unit per byte means every byte began a character (ASCII, or a
    // lone invalid byte), so byte offsets are character offsets and a tail
    // decodes to the same characters as the whole string's end.
    if (whole.length === e - s) str = whole.substring(pos - s);
    else {
      this.tailBytes += e - pos;
      const budget = TAIL_BUDGET_FACTOR * (this.end - this.start);
      if (this.tailBytes > budget) {
        throw this.fail(`tails of long non-ASCII strings need more than ${budget} decoded bytes (${TAIL_BUDGET_FACTOR}x the string section)`, pos);
      }
      str = utf8.decode(this.bytes.subarray(pos, e));
    }
    this.interned.set(pos, str);
    return str;
  }

  /** Records every string longer than the short path reads: 8 bytes each, so at most 1/8 of the section. */
  private indexLong(): void {
    const bytes = this.bytes;
    const starts: number[] = [];
    const ends: number[] = [];
    for (let p = this.start; p < this.end; ) {
      let q = p;
      while (q < this.end && bytes[q] !== 0) q++;
      if (q - p > SHORT_NAME) {
        starts.push(p);
        ends.push(q);
      }
      p = q + 1;
    }
    this.longStarts = Int32Array.from(starts);
    this.longEnds = Int32Array.from(ends);
  }
}

/** Non-ASCII tails of long strings may decode this many times their section's size in all. */
export const TAIL_BUDGET_FACTOR = 4;
