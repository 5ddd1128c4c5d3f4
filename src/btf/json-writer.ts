/**
 * A JSON writer with the exact output of bpftool's json_writer.c, quirks
 * included: a backslash is written as `\n`, and other bytes (invalid UTF-8
 * too) are copied as they are. That makes the output differ from standard
 * JSON; matching bpftool byte for byte is the point of this writer. It
 * writes bytes into a ByteSink, names copied straight out of the string
 * section, so a dump never holds its output as JS strings.
 */
import type { ByteSink } from "./sink.js";

/** For each byte json_writer.c escapes, the byte written after the backslash. */
const ESCAPE = new Uint8Array(256);
for (const [c, e] of [
  ["\t", "t"],
  ["\n", "n"],
  ["\r", "r"],
  ["\f", "f"],
  ["\b", "b"],
  ["\\", "n"],
  ['"', '"'],
]) {
  ESCAPE[c.charCodeAt(0)] = e.charCodeAt(0);
}
const NEEDS_ESCAPE = /[\t\n\r\f\b\\"]/;
const QUOTE = 0x22;

export class JsonWriter {
  private depth = 0;
  /** Whether the next value or key needs a comma before it. */
  private sep = false;

  constructor(
    private readonly out: ByteSink,
    private readonly pretty: boolean,
  ) {}

  private eol(): void {
    if (!this.pretty) return;
    this.out.byte(0x0a);
    for (let i = 0; i < this.depth; i++) this.out.text("    ");
  }

  private eor(): void {
    if (this.sep) this.out.byte(0x2c);
    this.sep = true;
  }

  private begin(c: number): void {
    this.eor();
    this.out.byte(c);
    this.depth++;
    this.sep = false;
  }

  private end(c: number): void {
    this.depth--;
    if (this.sep) this.eol();
    this.out.byte(c);
    this.sep = true;
  }

  private quoted(s: string): void {
    const out = this.out;
    out.byte(QUOTE);
    if (!NEEDS_ESCAPE.test(s)) out.text(s);
    else {
      for (const ch of s) {
        const e = ch.length === 1 ? ESCAPE[ch.charCodeAt(0)] ?? 0 : 0;
        if (e) {
          out.byte(0x5c);
          out.byte(e);
        } else out.text(ch);
      }
    }
    out.byte(QUOTE);
  }

  startObject(): void {
    this.begin(0x7b);
  }
  endObject(): void {
    this.end(0x7d);
  }
  startArray(): void {
    this.begin(0x5b);
  }
  endArray(): void {
    this.end(0x5d);
  }

  name(key: string): void {
    this.eor();
    this.eol();
    this.sep = false;
    this.quoted(key);
    this.out.byte(0x3a);
    if (this.pretty) this.out.byte(0x20);
  }

  string(value: string): void {
    this.eor();
    this.quoted(value);
  }

  /** The NUL-terminated string at `pos` in `src` (a string section), as a JSON string, without decoding it. */
  stringAt(src: Uint8Array, pos: number): void {
    this.eor();
    this.out.byte(QUOTE);
    this.out.cstrEscaped(src, pos, ESCAPE);
    this.out.byte(QUOTE);
  }

  number(value: number | bigint): void {
    this.eor();
    if (typeof value === "number") this.out.int(value);
    else this.out.text(value.toString());
  }

  numberField(key: string, value: number | bigint): void {
    this.name(key);
    this.number(value);
  }

  stringField(key: string, value: string): void {
    this.name(key);
    this.string(value);
  }

  /** Ends the document: bpftool writes a newline when the writer is destroyed. */
  finish(): void {
    this.out.byte(0x0a);
  }
}
