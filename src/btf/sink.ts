/**
 * A growable byte buffer for dump output. Dumps of a vmlinux produce
 * megabytes of text; writing ASCII bytes directly (names copied straight out
 * of the string section, numbers formatted in place) avoids building millions
 * of short JS strings.
 */
import { BtfError } from "../errors.js";

const encoder = new TextEncoder();
const DIGITS = new Uint8Array(20);
const HEX = new TextEncoder().encode("0123456789abcdef");

/**
 * Dump output may be at most this many bytes per input byte (plus a fixed
 * slack). Real dumps stay far below (a vmlinux.h is half its BTF); a hostile
 * blob can ask for far more (a 100 KB name shared by every member, gigabytes
 * of struct padding), which is refused rather than allocated.
 */
export const OUTPUT_PER_INPUT_BYTE = 64;
const OUTPUT_SLACK = 16 << 20;

/** The most output a dump of a blob (and its bases) may produce. */
export function outputLimit(btf: { bytes: Uint8Array; base?: { bytes: Uint8Array; base?: unknown } }): number {
  let input = 0;
  for (let b: { bytes: Uint8Array; base?: unknown } | undefined = btf; b; b = b.base as typeof b) input += b.bytes.length;
  return OUTPUT_PER_INPUT_BYTE * input + OUTPUT_SLACK;
}

export function outputTooLarge(limit: number): BtfError {
  return new BtfError(`the dump would exceed ${limit} bytes (${OUTPUT_PER_INPUT_BYTE} per input byte); the blob asks for far more output than any real BTF`);
}

/** About how much of a streamed dump is held before it is written. */
const DUMP_CHUNK = 1 << 20;

type Blob = Parameters<typeof outputLimit>[0];

/** A whole dump of `btf` as bytes: `fill` writes into a sink of `initial` bytes (sized so most dumps never regrow), within the output limit. */
export function collectDump(btf: Blob, initial: number, fill: (out: ByteSink) => void): Uint8Array {
  const out = new ByteSink(initial, outputLimit(btf));
  fill(out);
  return out.view();
}

/**
 * The same dump streamed: the bytes `fill` writes are handed to `write` in
 * chunks of about {@link DUMP_CHUNK} as they are produced, within the same
 * limit; a chunk is valid only until `write` returns.
 */
export function streamDump(btf: Blob, write: (chunk: Uint8Array) => void, fill: (out: ByteSink) => void): void {
  const out = new ByteSink(DUMP_CHUNK, outputLimit(btf), write);
  fill(out);
  out.flush();
}

/**
 * Output bytes. Without `drain` the sink keeps everything (view() is the
 * whole output); with it, whenever the buffer is full its contents are
 * handed to `drain` and the buffer starts over, so a dump is streamed in
 * chunks of about `initial` bytes and never held whole.
 */
export class ByteSink {
  private buf: Uint8Array;
  private len = 0;
  /** Bytes already handed to `drain`. */
  private drained = 0;

  constructor(
    initial = 1 << 16,
    private readonly limit = Infinity,
    private readonly drain?: (chunk: Uint8Array) => void,
  ) {
    this.buf = new Uint8Array(Math.min(initial, limit));
  }

  /** Bytes written so far, drained ones included. */
  get length(): number {
    return this.drained + this.len;
  }

  private grow(need: number): void {
    if (this.drained + this.len + need > this.limit) throw outputTooLarge(this.limit);
    if (this.drain && this.len > 0) {
      this.flush();
      if (need <= this.buf.length) return;
    }
    let size = Math.max(this.buf.length * 2, 16);
    while (size < this.len + need) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  /** With a drain: hands it what is buffered (a view, valid until `drain` returns). */
  flush(): void {
    if (!this.drain || this.len === 0) return;
    const chunk = this.buf.subarray(0, this.len);
    this.drained += this.len;
    this.len = 0;
    this.drain(chunk);
  }

  /** Appends a string; ASCII fast path, UTF-8 otherwise. */
  text(s: string): void {
    const n = s.length;
    if (this.len + n * 3 > this.buf.length) this.grow(n * 3);
    const buf = this.buf;
    let p = this.len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        p += encoder.encodeInto(s.slice(i), buf.subarray(p)).written;
        this.len = p;
        return;
      }
      buf[p++] = c;
    }
    this.len = p;
  }

  byte(c: number): void {
    if (this.len >= this.buf.length) this.grow(1);
    this.buf[this.len++] = c;
  }

  /** Appends pre-encoded bytes. */
  bytes(b: Uint8Array): void {
    if (this.len + b.length > this.buf.length) this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Copies the NUL-terminated string at `pos` in `src`. */
  cstr(src: Uint8Array, pos: number): void {
    let end = pos;
    while (end < src.length && src[end] !== 0) end++;
    const n = end - pos;
    if (this.len + n > this.buf.length) this.grow(n);
    if (n < 16) {
      const buf = this.buf;
      let p = this.len;
      for (let i = pos; i < end; i++) buf[p++] = src[i];
      this.len = p;
    } else {
      this.buf.set(src.subarray(pos, end), this.len);
      this.len += n;
    }
  }

  /**
   * Copies the NUL-terminated string at `pos` in `src`, writing a byte `c`
   * with a non-zero `escape[c]` as a backslash and that byte.
   */
  cstrEscaped(src: Uint8Array, pos: number, escape: Uint8Array): void {
    let end = pos;
    while (end < src.length && src[end] !== 0) end++;
    const n = end - pos;
    if (this.len + 6 * n > this.buf.length) this.grow(6 * n);
    const buf = this.buf;
    let p = this.len;
    for (let i = pos; i < end; i++) {
      const c = src[i];
      const e = escape[c];
      if (!e) buf[p++] = c;
      else {
        buf[p++] = 0x5c;
        buf[p++] = e;
        // `\u00XX`: a control byte with no one-letter escape.
        if (e === 0x75) {
          buf[p++] = 0x30;
          buf[p++] = 0x30;
          buf[p++] = HEX[c >> 4];
          buf[p++] = HEX[c & 15];
        }
      }
    }
    this.len = p;
  }

  /** Appends a non-negative integer below 2^53 in decimal. */
  uint(v: number): void {
    if (v < 10) {
      this.byte(48 + v);
      return;
    }
    let n = 0;
    // Integer division while the value fits 31 bits (nearly always: ids, sizes, offsets).
    while (v >= 0x80000000) {
      const q = Math.floor(v / 10);
      DIGITS[n++] = 48 + (v - q * 10);
      v = q;
    }
    while (v > 0) {
      const q = (v / 10) | 0;
      DIGITS[n++] = 48 + (v - q * 10);
      v = q;
    }
    if (this.len + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.len;
    while (n > 0) buf[p++] = DIGITS[--n];
    this.len = p;
  }

  /** Appends a signed integer in decimal. */
  int(v: number): void {
    if (v < 0) {
      this.byte(45);
      this.uint(-v);
    } else this.uint(v);
  }

  /** The bytes written and not drained (a view; valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  toString(): string {
    return new TextDecoder().decode(this.view());
  }
}
