/**
 * Builds BTF from types: append types (each gets the next id), then encode.
 * `BtfBuilder.from(btf)` starts from an existing blob, keeping its string
 * section so re-encoding reproduces the original bytes.
 */
import { Btf } from "./btf.js";
import { encodeBtf, type EncodeOptions } from "./encode.js";
import { StringTable } from "./strings.js";
import type { BtfType } from "./types.js";

/** Options of the {@link BtfBuilder} constructor. */
export interface BuilderOptions {
  /** Base BTF: the builder then makes split BTF whose ids continue after the base. */
  base?: Btf;
}

/** Builds BTF: add types (each gets the next id), then `encode()`; `BtfBuilder.from(btf)` starts from an existing blob and re-encodes it byte for byte. */
export class BtfBuilder {
  /** The types added so far, in id order. */
  readonly types: BtfType[] = [];
  /** The base of split BTF, if any. */
  readonly base: Btf | undefined;
  private strings: StringTable;
  /** Encoding settings carried over from a source blob. */
  private defaults: EncodeOptions = {};

  constructor(opts: BuilderOptions = {}) {
    this.base = opts.base;
    this.strings = StringTable.create(opts.base && StringTable.of(opts.base));
  }

  /**
   * A builder holding every own type of `btf`, with its string section and
   * encoding settings. Its strings may grow to 4 times the source's plus 16
   * MiB: a name pointing into the middle of another string is stored as a
   * string of its own, and encoding fails with a BtfError past that bound.
   */
  static from(btf: Btf): BtfBuilder {
    const b = new BtfBuilder({ base: btf.base });
    b.strings = StringTable.forReencoding(btf.stringBytes(), btf.base && StringTable.of(btf.base));
    b.defaults = {
      littleEndian: btf.littleEndian,
      layout: btf.layoutBytes()?.slice(),
      headerLength: btf.header.hdrLen >= 32 ? 32 : 24,
      version: btf.header.version,
      flags: btf.header.flags,
    };
    for (const id of btf.ownIds()) b.types.push(btf.type(id));
    return b;
  }

  /** Adds a string to the string section (even one no type uses) and returns its offset. */
  addString(s: string): number {
    return this.strings.add(s);
  }

  /** First id this builder assigns. */
  get startId(): number {
    return this.base ? this.base.count : 1;
  }

  /** The id the next added type will get. */
  get nextId(): number {
    return this.startId + this.types.length;
  }

  /** Appends a type and returns its id. */
  add(t: BtfType): number {
    this.types.push(t);
    return this.nextId - 1;
  }

  /** The BTF bytes: the added types and their strings, in the source blob's encoding unless `opts` says otherwise. */
  encode(opts: EncodeOptions = {}): Uint8Array {
    return encodeBtf(this.types, this.strings, { ...this.defaults, ...opts });
  }

  /** Encodes and parses the result (on the same base). */
  build(opts: EncodeOptions = {}): Btf {
    return Btf.parse(this.encode(opts), { base: this.base });
  }
}

/** Re-encodes a parsed blob from its decoded types (the identity on well-formed input). */
export function reencode(btf: Btf): Uint8Array {
  return BtfBuilder.from(btf).encode();
}
