/**
 * A JSON writer with the exact output of bpftool's json_writer.c, quirks
 * included: a backslash is written as `\n`, and other bytes (invalid UTF-8
 * too) are copied as they are. That makes the output differ from standard
 * JSON; matching bpftool byte for byte is the point of this writer (its
 * "json" escaping writes standard JSON instead, for btfkit's own listings). It
 * writes bytes into a ByteSink, names copied straight out of the string
 * section, so a dump never holds its output as JS strings.
 */
import type { ByteSink } from "./sink.js";

/** For each byte json_writer.c escapes, the byte written after the backslash. */
const BPFTOOL_ESCAPE = new Uint8Array(256);
for (const [c, e] of [
  ["\t", "t"],
  ["\n", "n"],
  ["\r", "r"],
  ["\f", "f"],
  ["\b", "b"],
  ["\\", "n"],
  ['"', '"'],
]) {
  BPFTOOL_ESCAPE[c.charCodeAt(0)] = e.charCodeAt(0);
}
/** Standard JSON: a backslash as `\\`, other control bytes as `\u00XX` (marked `u`). */
const JSON_ESCAPE = BPFTOOL_ESCAPE.slice();
JSON_ESCAPE[0x5c] = 0x5c;
for (let c = 0; c < 0x20; c++) JSON_ESCAPE[c] ||= 0x75;
const NEEDS_ESCAPE = /[\x00-\x1f\\"]/;
const QUOTE = 0x22;

/**
 * How strings are escaped: as bpftool 7.1's json_writer.c (a backslash as
 * `\n`, other control bytes as they are), for dumps that match bpftool byte
 * for byte; or as standard JSON, for btfkit's own listings.
 */
export type JsonEscaping = "bpftool" | "json";

export class JsonWriter {
  private depth = 0;
  /** Whether the next value or key needs a comma before it. */
  private sep = false;

  private readonly escape: Uint8Array;

  constructor(
    private readonly out: ByteSink,
    private readonly pretty: boolean,
    escaping: JsonEscaping = "bpftool",
  ) {
    this.escape = escaping === "json" ? JSON_ESCAPE : BPFTOOL_ESCAPE;
  }

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
        const c = ch.charCodeAt(0);
        const e = ch.length === 1 && c < 256 ? this.escape[c] : 0;
        if (!e) out.text(ch);
        else if (e === 0x75) out.text(`\\u${c.toString(16).padStart(4, "0")}`);
        else {
          out.byte(0x5c);
          out.byte(e);
        }
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

  /** A key: one of the caller's own field names, plain ASCII with nothing to escape (so none is looked for). */
  name(key: string): void {
    this.eor();
    this.eol();
    this.sep = false;
    this.out.byte(QUOTE);
    this.out.text(key);
    this.out.byte(QUOTE);
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
    this.out.cstrEscaped(src, pos, this.escape);
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
