/**
 * Names are decoded once per string table: `CStringDecoder` reads exactly
 * what a TextDecoder would, and ELF files whose section headers or symbols
 * all name one long string parse under a small heap.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CStringDecoder, TAIL_BUDGET_FACTOR } from "../../src/elf/strtab.js";
import { ROOT } from "../helpers/env.js";
import { completedResults, runUnderHeapLimit } from "../helpers/long-names.js";

const utf8 = new TextDecoder();

/** What reading the string at `pos` of `bytes[start, end)` must give. */
function expected(bytes: Uint8Array, start: number, end: number, pos: number): string | undefined {
  if (pos < start || pos >= end) return undefined;
  const nul = bytes.subarray(0, end).indexOf(0, pos);
  return nul < 0 ? undefined : utf8.decode(bytes.subarray(pos, nul));
}

/** Tables of short and long strings over bytes that stress the decoder: ASCII, `_`, UTF-8 leads and continuations, NUL. */
const table = fc
  .array(
    fc.oneof(
      fc.array(fc.constantFrom(0x61, 0x5f, 0x7a), { maxLength: 12 }),
      fc.array(fc.constantFrom(0x61, 0x62), { minLength: 60, maxLength: 200 }),
      fc.array(fc.constantFrom(0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x80, 0xff), { maxLength: 150 }),
    ),
    { maxLength: 12 },
  )
  .chain((strings) => {
    const bytes = Uint8Array.from(strings.flatMap((s) => [...s, 0]));
    // Sometimes drop the last NUL, so that the final string runs to the end unterminated.
    return fc.tuple(fc.constant(bytes), fc.boolean(), fc.integer({ min: 0, max: 3 }));
  })
  .map(([bytes, cut, pad]) => {
    const body = cut && bytes.length ? bytes.subarray(0, bytes.length - 1) : bytes;
    // The section sits `pad` bytes into a larger buffer, as in an ELF file or a BTF blob.
    const buf = new Uint8Array(pad + body.length + pad);
    buf.set(body, pad);
    buf.fill(0x41, pad + body.length);
    return { bytes: buf, start: pad, end: pad + body.length };
  });

describe("CStringDecoder", () => {
  it("reads what a TextDecoder does, for any offsets in any order, repeated or not", () => {
    fc.assert(
      fc.property(table, fc.array(fc.nat(), { maxLength: 80 }), ({ bytes, start, end }, picks) => {
        const size = end - start;
        const d = new CStringDecoder(bytes, start, end, (m) => new RangeError(m));
        let tails = 0;
        for (const pick of picks) {
          // Mostly inside the section, now and then just outside it.
          const pos = start - 1 + (pick % (size + 3));
          const want = expected(bytes, start, end, pos);
          let got: string | undefined;
          try {
            got = d.read(pos);
          } catch (e) {
            // Only decoding tails of long non-ASCII strings may run out of budget.
            expect((e as Error).message).toMatch(/tails of long non-ASCII strings/);
            expect(want!.length).toBeLessThan(new TextEncoder().encode(want).length);
            return;
          }
          expect(got).toBe(want);
          if (want !== undefined && want.length > 64) tails++;
        }
        expect(tails).toBeLessThanOrEqual(picks.length);
      }),
      { numRuns: 2000 },
    );
  });

  it("interns long strings: one offset gives one string, a tail of an ASCII string slices it", () => {
    const bytes = new TextEncoder().encode(`\0${"x".repeat(100)}\0short\0`);
    const d = new CStringDecoder(bytes, 0, bytes.length, (m) => new RangeError(m));
    // No observable identity for strings in JS; a decode per read shows as fresh values being equal only.
    const a = d.read(1)!;
    expect(a).toBe("x".repeat(100));
    expect(d.read(1)).toBe(a);
    expect(d.read(30)).toBe("x".repeat(71));
    expect(d.read(102)).toBe("short");
    expect(d.read(bytes.length)).toBeUndefined();
  });

  it("stops decoding non-ASCII tails past the budget with the caller's error", () => {
    const name = new TextEncoder().encode("é".repeat(500));
    const bytes = new Uint8Array(name.length + 2);
    bytes.set(name, 1);
    const d = new CStringDecoder(bytes, 0, bytes.length, (m, pos) => new RangeError(`${m} at ${pos}`));
    const budget = TAIL_BUDGET_FACTOR * bytes.length;
    let decoded = 0;
    let pos = 3;
    for (; decoded <= budget; pos += 2) {
      if (decoded + (bytes.length - 1 - pos) > budget) break;
      expect(d.read(pos)).toBe("é".repeat(500 - (pos - 1) / 2));
      decoded += bytes.length - 1 - pos;
    }
    expect(() => d.read(pos)).toThrow(new RangeError(`tails of long non-ASCII strings need more than ${budget} decoded bytes (${TAIL_BUDGET_FACTOR}x the string section) at ${pos}`));
    // The string's start and tails already read stay available.
    expect(d.read(1)).toBe("é".repeat(500));
    expect(d.read(3)).toBe("é".repeat(499));
  });
});

describe("ELF names shared by many headers and symbols, under a 256 MiB heap", () => {
  const MB = 1 << 20;
  const cases = [
    { label: "16,000 section names at one 1 MB string", kind: "sections", o: { count: 16_000, length: MB } },
    { label: "16,000 section names inside one 1 MB string", kind: "sections", o: { count: 16_000, length: MB, tails: true } },
    { label: "40,000 symbols sharing one 1 MB name", kind: "symbols", o: { count: 40_000, length: MB } },
    { label: "40,000 symbols inside one 1 MB name", kind: "symbols", o: { count: 40_000, length: MB, tails: true } },
    { label: "40,000 symbols inside one 1 MB non-ASCII name", kind: "symbols", o: { count: 40_000, length: MB, tails: true, nonAscii: true } },
  ];

  it("parse and read every name, or stop with an ElfError", { timeout: 300_000 }, () => {
    // Prints, per input, the total length of every name read, or the error's class and message.
    const script = `
      const { parseElf } = await import(ROOT + "/src/elf/read.ts");
      const g = await import(ROOT + "/test/helpers/long-names.ts");
      for (const c of ${JSON.stringify(cases)}) {
        const bytes = c.kind === "sections" ? g.sharedSectionNamesElf(c.o) : g.sharedSymbolNamesElf(c.o);
        try {
          const elf = parseElf(bytes);
          let total = 0;
          for (const s of elf.sections) total += s.name.length;
          for (const s of elf.symbols()) total += s.name.length;
          console.log(JSON.stringify({ label: c.label, total }));
        } catch (e) {
          console.log(JSON.stringify({ label: c.label, error: e.constructor.name, message: e.message }));
        }
      }`;
    const [same, tails, syms, symTails, nonAscii] = completedResults(runUnderHeapLimit(ROOT, script, 256), cases.map((c) => c.label));
    // Every name reads in full: the string itself, or its tail from byte k.
    const tailTotal = (n: number) => n * MB - (n * (n - 1)) / 2;
    expect(same.total).toBe(16_001 * MB + ".shstrtab".length);
    expect(tails.total).toBe(MB + tailTotal(16_000) + ".shstrtab".length);
    const sectionNames = ".symtab.strtab.shstrtab".length;
    expect(syms.total).toBe(40_000 * MB + sectionNames);
    expect(symTails.total).toBe(tailTotal(40_000) + sectionNames);
    expect(nonAscii.error).toBe("ElfError");
    expect(nonAscii.message).toMatch(/^tails of long non-ASCII strings need more than \d+ decoded bytes .*\.strtab/);
  });
});
