/** String sections under construction: a deduplicating writer over the one `StringSet`. */
import { StringSet, hashCString } from "../elf/strtab.js";
import { BtfError } from "../errors.js";
import type { Btf } from "./btf.js";

const encoder = new TextEncoder();
/** NUL ends a string early and a lone surrogate has no UTF-8 form: neither survives a string section. */
const UNSTORABLE = /[\0\p{Cs}]/u;
/** How many times its source's string bytes a re-encoded blob's strings may take. */
const REENCODE_GROWTH = 4;
/** Room for strings a caller adds to a re-encoded blob: several times a vmlinux's whole string section. */
const REENCODE_SLACK = 16 << 20;
/** Strings longer than this are remembered by `StringTable.add`; shorter ones cost less to encode again than to look up. */
const LONG_STRING = 64;

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
  /**
   * Offsets of the long strings added so far: a name many records share
   * (decoded once, so one JS string) is encoded and hashed once, not per record.
   */
  private readonly longOffsets = new Map<string, number>();
  readonly base: StringTable | undefined;
  /** Offset of this table's first byte in the combined (base + own) offset space. */
  readonly startOffset: number;

  /** Size past which adding a string is refused (see {@link capGrowth}). */
  private maxSize = Infinity;

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

  /**
   * A table for re-encoding the blob whose strings are `bytes`: as
   * {@link fromBytes}, with growth capped as by {@link capGrowth}.
   */
  static forReencoding(bytes: Uint8Array, base?: StringTable): StringTable {
    const t = StringTable.fromBytes(bytes, base);
    t.capGrowth(bytes.length);
    return t;
  }

  /**
   * Refuses to grow past a few times `sourceSize`, the string bytes of the
   * blob being re-encoded or deduplicated. A name pointing into the middle of
   * another string becomes a string of its own, so a small hostile blob whose
   * names are the tails of one long string would otherwise need gigabytes.
   */
  capGrowth(sourceSize: number): void {
    this.maxSize = REENCODE_GROWTH * sourceSize + REENCODE_SLACK;
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
    const long = s.length > LONG_STRING;
    if (long) {
      const known = this.longOffsets.get(s);
      if (known !== undefined) return known;
    }
    if (!toScratch(s)) throw new BtfError(`string ${JSON.stringify(s)} contains NUL or a lone surrogate`, { section: "strings" });
    const off = this.addBytes(scratch, 0);
    if (long) this.longOffsets.set(s, off);
    return off;
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
    if (found >= 0) return found;
    const off = this.set.add(src, pos, h);
    if (this.set.size > this.maxSize) {
      throw new BtfError(
        `re-encoding needs more than ${this.maxSize} bytes of strings (${REENCODE_GROWTH} times the source's plus ${REENCODE_SLACK}): names point into the middle of long strings, and each becomes a string of its own`,
        { section: "strings" },
      );
    }
    return this.startOffset + off;
  }

  /** This table's own bytes (not the base's). */
  bytes(): Uint8Array {
    return this.set.bytes;
  }
}
