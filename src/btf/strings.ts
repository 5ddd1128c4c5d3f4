/** String section helpers: NUL-terminated reads and a deduplicating writer. */
import { BtfError } from "../errors.js";

const utf8 = new TextDecoder("utf-8");
const encoder = new TextEncoder();
/** Longest string built with one `String.fromCharCode.apply` call. */
const MAX_APPLY_CHARS = 4096;
/** NUL ends a string early and a lone surrogate has no UTF-8 form: neither survives a string section. */
const UNSTORABLE = /[\0\p{Cs}]/u;

/**
 * Reads the NUL-terminated string starting at `off`, stopping at `end` if no
 * NUL comes first. Identifiers are ASCII, for which building the string from
 * char codes is several times cheaper than a TextDecoder call.
 */
export function readCString(bytes: Uint8Array, off: number, end: number): string {
  let i = off;
  let ascii = true;
  while (i < end) {
    const c = bytes[i];
    if (c === 0) break;
    if (c >= 0x80) ascii = false;
    i++;
  }
  if (i === off) return "";
  // Long strings go to the decoder too: spreading them into fromCharCode's
  // argument list would overflow the stack.
  if (!ascii || i - off > MAX_APPLY_CHARS) return utf8.decode(bytes.subarray(off, i));
  if (i - off <= 64) {
    let s = "";
    for (let k = off; k < i; k++) s += String.fromCharCode(bytes[k]);
    return s;
  }
  return String.fromCharCode.apply(null, bytes.subarray(off, i) as unknown as number[]);
}

export function encodeUtf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * A string section under construction. Adding a string returns the offset of
 * its first whole-string occurrence, appending it only when new (libbpf's
 * strset semantics). For split BTF the base's strings are searched first and
 * own offsets continue after the base's section length.
 */
export class StringTable {
  private readonly offsets = new Map<string, number>();
  private chunks: Uint8Array[] = [];
  private length = 0;
  readonly base: StringTable | undefined;
  /** Offset of this table's first byte in the combined (base + own) offset space. */
  readonly startOffset: number;

  private constructor(base: StringTable | undefined) {
    this.base = base;
    this.startOffset = base ? base.startOffset + base.size : 0;
  }

  /** A fresh table: "" at offset 0 for base BTF, empty for split BTF. */
  static create(base?: StringTable): StringTable {
    const t = new StringTable(base);
    if (!base) t.append("");
    return t;
  }

  /**
   * A table holding exactly `bytes` (an existing string section), so that
   * re-adding the names it contains reproduces their original offsets.
   */
  static fromBytes(bytes: Uint8Array, base?: StringTable): StringTable {
    const t = new StringTable(base);
    if (bytes.length > 0) {
      t.chunks.push(bytes.slice());
      t.length = bytes.length;
      let start = 0;
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] !== 0) continue;
        const s = readCString(bytes, start, i);
        if (!t.offsets.has(s)) t.offsets.set(s, t.startOffset + start);
        start = i + 1;
      }
    }
    return t;
  }

  get size(): number {
    return this.length;
  }

  /** Offset of `s` if present here or in the base. */
  find(s: string): number | undefined {
    return this.base?.find(s) ?? this.offsets.get(s);
  }

  add(s: string): number {
    const found = this.find(s);
    return found !== undefined ? found : this.append(s);
  }

  private append(s: string): number {
    if (UNSTORABLE.test(s)) throw new BtfError(`string ${JSON.stringify(s)} contains NUL or a lone surrogate`, { section: "strings" });
    const off = this.startOffset + this.length;
    const b = encodeUtf8(s);
    const chunk = new Uint8Array(b.length + 1);
    chunk.set(b);
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.offsets.set(s, off);
    return off;
  }

  /** This table's own bytes (not the base's). */
  bytes(): Uint8Array {
    if (this.chunks.length !== 1) {
      const out = new Uint8Array(this.length);
      let p = 0;
      for (const c of this.chunks) {
        out.set(c, p);
        p += c.length;
      }
      this.chunks = [out];
    }
    return this.chunks[0] ?? new Uint8Array(0);
  }
}
