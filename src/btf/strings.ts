/** String section helpers: NUL-terminated reads and a deduplicating writer. */
import { StringSet, hashCString } from "../elf/strtab.js";
import { BtfError } from "../errors.js";
import type { Btf } from "./btf.js";

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

/** Scratch holding the NUL-terminated UTF-8 form of the string being looked up. */
let scratch = new Uint8Array(256);

/**
 * Writes `s` NUL-terminated into `scratch`; false when a string section
 * cannot hold it. ASCII names, nearly all of them, skip the encoder.
 */
function toScratch(s: string): boolean {
  if (scratch.length < 3 * s.length + 1) scratch = new Uint8Array(3 * s.length + 1);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return false;
    if (c >= 0x80) {
      if (UNSTORABLE.test(s)) return false;
      scratch[encoder.encodeInto(s, scratch).written] = 0;
      return true;
    }
    scratch[i] = c;
  }
  scratch[s.length] = 0;
  return true;
}

/**
 * A string section under construction, over the one `StringSet`. Adding a
 * string returns the offset of its first whole-string occurrence, appending
 * it only when new (libbpf's strset semantics). For split BTF the base's
 * strings are searched first and own offsets continue after the base's
 * section length.
 */
export class StringTable {
  private readonly set: StringSet;
  readonly base: StringTable | undefined;
  /** Offset of this table's first byte in the combined (base + own) offset space. */
  readonly startOffset: number;

  private constructor(base: StringTable | undefined, set: StringSet) {
    this.base = base;
    this.set = set;
    this.startOffset = base ? base.startOffset + base.size : 0;
  }

  /** A fresh table: "" at offset 0 for base BTF, empty for split BTF. */
  static create(base?: StringTable): StringTable {
    const t = new StringTable(base, new StringSet());
    if (!base) t.set.add(new Uint8Array(1), 0);
    return t;
  }

  /**
   * A table holding exactly `bytes` (an existing string section), so that
   * re-adding the names it contains reproduces their original offsets.
   */
  static fromBytes(bytes: Uint8Array, base?: StringTable): StringTable {
    return new StringTable(base, new StringSet(bytes));
  }

  /** A read-only view of a blob's strings (and its base's), to build split BTF on it. */
  static of(btf: Btf): StringTable {
    return StringTable.fromBytes(btf.stringBytes(), btf.base && StringTable.of(btf.base));
  }

  get size(): number {
    return this.set.size;
  }

  /** Offset of `s` if present here or in the base. */
  find(s: string): number | undefined {
    if (!toScratch(s)) return undefined;
    const off = this.findBytes(scratch, 0);
    return off >= 0 ? off : undefined;
  }

  add(s: string): number {
    if (!toScratch(s)) throw new BtfError(`string ${JSON.stringify(s)} contains NUL or a lone surrogate`, { section: "strings" });
    return this.addBytes(scratch, 0);
  }

  /** Offset of the NUL-terminated string at `src[pos]` here or in the base, or -1; `h` is its `hashCString`. */
  findBytes(src: Uint8Array, pos: number, h = hashCString(src, pos)): number {
    const inBase = this.base ? this.base.findBytes(src, pos, h) : -1;
    if (inBase >= 0) return inBase;
    const off = this.set.find(src, pos, h);
    return off >= 0 ? this.startOffset + off : -1;
  }

  /** `add` for the NUL-terminated string at `src[pos]`. */
  addBytes(src: Uint8Array, pos: number): number {
    const h = hashCString(src, pos);
    const found = this.findBytes(src, pos, h);
    return found >= 0 ? found : this.startOffset + this.set.add(src, pos, h);
  }

  /** This table's own bytes (not the base's). */
  bytes(): Uint8Array {
    return this.set.bytes;
  }
}
