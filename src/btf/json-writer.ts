/**
 * A JSON writer with the exact output of bpftool's json_writer.c, quirks
 * included: `'` is escaped as `\'` and a backslash is written as `\n`. Both
 * make the output differ from standard JSON; matching bpftool byte for byte
 * is the point of this writer.
 */
import { outputTooLarge } from "./sink.js";

export class JsonWriter {
  private out: string[] = [];
  private size = 0;
  private depth = 0;
  private sep = "";

  constructor(
    private readonly pretty: boolean,
    private readonly limit = Infinity,
  ) {}

  private push(...parts: string[]): void {
    for (const p of parts) this.size += p.length;
    if (this.size > this.limit) throw outputTooLarge(this.limit);
    this.out.push(...parts);
  }

  private eol(): void {
    if (this.pretty) this.push("\n" + "    ".repeat(this.depth));
  }

  private eor(): void {
    if (this.sep) this.push(this.sep);
    this.sep = ",";
  }

  private begin(c: string): void {
    this.eor();
    this.push(c);
    this.depth++;
    this.sep = "";
  }

  private end(c: string): void {
    this.depth--;
    if (this.sep) this.eol();
    this.push(c);
    this.sep = ",";
  }

  startObject(): void {
    this.begin("{");
  }
  endObject(): void {
    this.end("}");
  }
  startArray(): void {
    this.begin("[");
  }
  endArray(): void {
    this.end("]");
  }

  name(key: string): void {
    this.eor();
    this.eol();
    this.sep = "";
    this.push(quote(key), this.pretty ? ": " : ":");
  }

  /** A raw (already formatted) value: numbers. */
  raw(text: string): void {
    this.eor();
    this.push(text);
  }

  string(value: string): void {
    this.eor();
    this.push(quote(value));
  }

  numberField(key: string, value: number | bigint): void {
    this.name(key);
    this.raw(String(value));
  }

  stringField(key: string, value: string): void {
    this.name(key);
    this.string(value);
  }

  /** The document text; bpftool ends it with a newline when the writer is destroyed. */
  finish(): string {
    return this.out.join("") + "\n";
  }
}

const ESCAPES: Record<string, string> = {
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
  "\f": "\\f",
  "\b": "\\b",
  "\\": "\\n",
  '"': '\\"',
  "'": "\\'",
};

function quote(s: string): string {
  return `"${s.replace(/[\t\n\r\f\b\\"']/g, (c) => ESCAPES[c])}"`;
}
