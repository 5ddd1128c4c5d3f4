/**
 * Dedup on hostile BTF: arbitrary graphs (reference cycles without structs,
 * members of any kind, ids anywhere), mutated real blobs, very deep chains.
 * Every input ends in a result or a BtfError; where libbpf succeeds we give
 * its bytes, and where libbpf refuses we refuse too.
 */
import fs from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Btf, BtfBuilder, BtfError, BtfkitError, dedupBtf, loadBtf, type BtfType } from "../../src/index.js";
import { ident, typeList } from "../helpers/arbitrary-btf.js";
import { bpfObjects } from "../helpers/corpus.js";
import { DedupOracleError, dedupOracleAvailable, oracleDedup } from "../helpers/dedup-oracle.js";
import { oracle } from "../helpers/env.js";

/** dedupBtf's outcome: the bytes, or the BtfkitError message (anything else fails the test). */
function outcome(btf: Btf): { bytes?: Uint8Array; error?: string } {
  try {
    return { bytes: dedupBtf(btf).bytes };
  } catch (err) {
    if (!(err instanceof BtfkitError)) throw err;
    return { error: err.message };
  }
}

describe.skipIf(!dedupOracleAvailable())("arbitrary BTF graphs", () => {
  it("give libbpf's bytes where libbpf succeeds, and an error where it fails", () => {
    let agreedOk = 0;
    let agreedFail = 0;
    fc.assert(
      fc.property(typeList(1, ident), (types: BtfType[]) => {
        const b = new BtfBuilder();
        for (const t of types) b.add(t);
        const x = b.build();
        const ours = outcome(x);
        let libbpf: Uint8Array | undefined;
        try {
          libbpf = oracleDedup(x.bytes);
        } catch (err) {
          if (!(err instanceof DedupOracleError)) throw err;
        }
        if (libbpf) {
          expect(ours.error).toBeUndefined();
          expect(Buffer.from(ours.bytes!).equals(Buffer.from(libbpf))).toBe(true);
          agreedOk++;
        } else {
          expect(ours.bytes, "libbpf refused this input").toBeUndefined();
          agreedFail++;
        }
      }),
      { numRuns: 200 },
    );
    // Both branches ran: the generator makes inputs libbpf takes and inputs it refuses.
    expect(agreedOk).toBeGreaterThan(0);
    expect(agreedFail).toBeGreaterThan(0);
  });
});

describe("malformed input", () => {
  const int: BtfType = { kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 };

  it("a reference cycle without a struct is an error naming a type", () => {
    const b = new BtfBuilder();
    b.add({ kind: "ptr", type: 2 });
    b.add({ kind: "const", name: "", type: 1 });
    expect(() => dedupBtf(b.build())).toThrow(/reference cycle.*type \[/);
  });

  it("a 200,000-deep modifier chain needs no deep stack", () => {
    const b = new BtfBuilder();
    b.add(int);
    for (let i = 0; i < 200_000; i++) b.add({ kind: i % 2 ? "const" : "volatile", name: "", type: i + 1 });
    for (let i = 0; i < 200_000; i++) b.add({ kind: i % 2 ? "const" : "volatile", name: "", type: i + 1 });
    // The second chain is the first one again.
    const r = dedupBtf(b.build());
    expect(r.btf.count).toBe(200_002);
  });

  it("structs that contain each other by value, twice, end in a result or an error", () => {
    const b = new BtfBuilder();
    const m = (type: number) => ({ name: "m", type, bitOffset: 0, bitfieldSize: 0 });
    // 1 <-> 2 and 3 <-> 4 contain each other; 5 and 6 hold both pairs so the identical-struct check walks the cycle.
    b.add({ kind: "struct", name: "a", size: 4, kflag: false, members: [m(2)] });
    b.add({ kind: "struct", name: "b", size: 4, kflag: false, members: [m(1)] });
    b.add({ kind: "struct", name: "a", size: 4, kflag: false, members: [m(4)] });
    b.add({ kind: "struct", name: "b", size: 4, kflag: false, members: [m(3)] });
    b.add({ kind: "struct", name: "s", size: 8, kflag: false, members: [m(1), { ...m(1), bitOffset: 32 }] });
    b.add({ kind: "struct", name: "s", size: 8, kflag: false, members: [m(1), { ...m(3), bitOffset: 32 }] });
    try {
      expect(dedupBtf(b.build()).btf.count).toBeGreaterThan(1);
    } catch (err) {
      expect(err).toBeInstanceOf(BtfError);
    }
  });

  it("ids and string offsets past the end are refused before anything follows them", () => {
    const bytes = new BtfBuilder();
    bytes.add(int);
    bytes.add({ kind: "ptr", type: 1 });
    const good = bytes.encode();
    const view = new DataView(good.buffer, good.byteOffset);
    const badId = good.slice();
    new DataView(badId.buffer).setUint32(24 + 16 + 8, 99, true);
    expect(() => dedupBtf(Btf.parse(badId))).toThrow(/type id 99, past the last id 2.*type \[2\]/);
    const badStr = good.slice();
    new DataView(badStr.buffer).setUint32(24, view.getUint32(20, true) + 5, true);
    expect(() => dedupBtf(Btf.parse(badStr))).toThrow(BtfError);
  });
});

describe.skipIf(!oracle("clang"))("mutated object BTF", () => {
  it("ends in a result or a BtfkitError", () => {
    const blobs = bpfObjects()
      .slice(0, 8)
      .map((o) => loadBtf(new Uint8Array(fs.readFileSync(o.path))).bytes);
    fc.assert(
      fc.property(
        fc.constantFrom(...blobs),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 8 }),
        (blob, flips) => {
          const bytes = blob.slice();
          for (const [at, v] of flips) bytes[24 + (at % (bytes.length - 24))] = v;
          let btf: Btf;
          try {
            btf = Btf.parse(bytes);
          } catch (err) {
            expect(err).toBeInstanceOf(BtfkitError);
            return;
          }
          outcome(btf);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
