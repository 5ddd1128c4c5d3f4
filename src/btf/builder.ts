/**
 * Builds BTF from types: append types (each gets the next id), then encode.
 * `BtfBuilder.from(btf)` starts from an existing blob, keeping its string
 * section so re-encoding reproduces the original bytes.
 */
import { Btf } from "./btf.js";
import { encodeBtf, type EncodeOptions } from "./encode.js";
import { StringTable } from "./strings.js";
import type { BtfType } from "./types.js";

export interface BuilderOptions {
  /** Base BTF: the builder then makes split BTF whose ids continue after the base. */
  base?: Btf;
}

export class BtfBuilder {
  readonly types: BtfType[] = [];
  readonly base: Btf | undefined;
  readonly strings: StringTable;
  /** Encoding settings carried over from a source blob. */
  private readonly defaults: EncodeOptions;

  constructor(opts: BuilderOptions = {}, strings?: StringTable, defaults: EncodeOptions = {}) {
    this.base = opts.base;
    this.strings = strings ?? StringTable.create(opts.base && StringTable.of(opts.base));
    this.defaults = defaults;
  }

  /** A builder holding every own type of `btf`, with its string section and encoding settings. */
  static from(btf: Btf): BtfBuilder {
    const strings = StringTable.fromBytes(btf.stringBytes(), btf.base && StringTable.of(btf.base));
    const b = new BtfBuilder({ base: btf.base }, strings, {
      littleEndian: btf.littleEndian,
      layout: btf.layoutBytes()?.slice(),
      headerLength: btf.header.hdrLen >= 32 ? 32 : 24,
      version: btf.header.version,
      flags: btf.header.flags,
    });
    for (const id of btf.ownIds()) b.types.push(btf.type(id));
    return b;
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
