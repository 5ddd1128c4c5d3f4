/**
 * BTF whose members all name one long string: every name accessor,
 * `type(id)` and `BtfBuilder.from` stay within a small heap, since a string
 * offset is decoded once however many members use it.
 */
import { describe, expect, it } from "vitest";
import { Btf } from "../../src/btf/btf.js";
import { BtfBuilder } from "../../src/btf/builder.js";
import { ROOT } from "../helpers/env.js";
import { completedResults, longNameBytes, runUnderHeapLimit, sharedMemberNamesBtf } from "../helpers/long-names.js";

describe("BTF members sharing one long name", () => {
  it("small inputs decode every member's name in full", () => {
    for (const tails of [false, true]) {
      const btf = Btf.parse(sharedMemberNamesBtf({ count: 300, length: 200, tails }));
      const long = new TextDecoder().decode(longNameBytes(200));
      const s = btf.type(2);
      expect(s.kind).toBe("struct");
      if (s.kind !== "struct") return;
      s.members.forEach((m, k) => {
        const want = tails ? long.slice(k % 200) : long;
        expect(m.name).toBe(want);
        expect(btf.memberName(2, k)).toBe(want);
      });
      // Only whole strings are reused by offset: the builder writes the blob back as it was.
      if (!tails) expect(BtfBuilder.from(btf).encode()).toEqual(btf.bytes);
    }
  });

  const MB = 1 << 20;
  const cases = [
    { label: "20,000 members at one 1 MB name", o: { count: 20_000, length: MB } },
    { label: "20,000 members inside one 1 MB name", o: { count: 20_000, length: MB, tails: true } },
    { label: "20,000 members inside one 1 MB non-ASCII name", o: { count: 20_000, length: MB, tails: true, nonAscii: true } },
  ];

  it("parse, every name, type(id) and BtfBuilder.from under a 256 MiB heap, or a BtfError", { timeout: 300_000 }, () => {
    // Prints, per input, the total length of the names read, or the error's class and message.
    // Re-encoding is checked where names are whole strings (a tail is written as a string of its own).
    const script = `
      const { Btf } = await import(ROOT + "/src/btf/btf.ts");
      const { BtfBuilder } = await import(ROOT + "/src/btf/builder.ts");
      const g = await import(ROOT + "/test/helpers/long-names.ts");
      for (const c of ${JSON.stringify(cases)}) {
        try {
          const bytes = g.sharedMemberNamesBtf(c.o);
          const btf = Btf.parse(bytes);
          let total = 0;
          for (let id = 1; id < btf.count; id++) {
            total += btf.name(id).length;
            if (btf.kind(id) === "struct") for (let i = 0; i < btf.vlen(id); i++) total += btf.memberName(id, i).length;
            btf.type(id);
          }
          const b = BtfBuilder.from(btf);
          if (!c.o.tails && Buffer.compare(b.encode(), bytes) !== 0) throw new Error("re-encoding changed the blob");
          console.log(JSON.stringify({ label: c.label, total }));
        } catch (e) {
          console.log(JSON.stringify({ label: c.label, error: e.constructor.name, message: e.message }));
        }
      }`;
    const [same, tails, nonAscii] = completedResults(runUnderHeapLimit(ROOT, script, 256), cases.map((c) => c.label));
    expect(same.total, same.message).toBe("int".length + 20_000 * MB);
    expect(tails.total, tails.message).toBe("int".length + 20_000 * MB - (20_000 * 19_999) / 2);
    expect(nonAscii.error).toBe("BtfError");
    expect(nonAscii.message).toMatch(/^tails of long non-ASCII strings need more than \d+ decoded bytes .*section strings/);
  });
});
