/**
 * Dedup on hostile BTF: arbitrary graphs (reference cycles without structs,
 * members of any kind, ids anywhere), mutated real blobs, very deep chains.
 * Every input ends in a result or a BtfError; where libbpf succeeds we give
 * its bytes, and where libbpf refuses we refuse too.
 */
import fs from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BpfObject, Btf, BtfBuilder, BtfError, BtfExtError, BtfkitError, dedupBtf, dedupObject, encodeBtfExt, loadBtf, parseElf, type BtfType } from "../../src/index.js";
import { ident, typeList } from "../helpers/arbitrary-btf.js";
import { bpfObjects } from "../helpers/corpus.js";
import { coreSources } from "../helpers/core-oracle.js";
import { DedupOracleError, dedupOracleAvailable, oracleDedup } from "../helpers/dedup-oracle.js";
import { clangBpf, oracle } from "../helpers/env.js";

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
    // Btf.parse refuses it already (libbpf 1.8's btf_sanity_check), before dedup could follow it.
    expect(() => dedupBtf(Btf.parse(badId))).toThrow(/invalid referenced type ID 99.*type \[2\]/);
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

describe.skipIf(!oracle("clang"))(".BTF.ext records naming what the BTF does not have", () => {
  // A clang-built object with func_info, line_info and CO-RE records (little-endian).
  const object = () => {
    const src = coreSources().find((s) => s.name === "load_kconfig.c")!;
    return new Uint8Array(fs.readFileSync(clangBpf(src.source, { flags: ["-target", "bpfel"] })));
  };
  /** The object with the u32 at `field` bytes into the first record of a subsection set to `value`. */
  const patched = (sub: "func" | "line" | "core", field: number, value: number) => {
    const bytes = object();
    const sec = parseElf(bytes).section(".BTF.ext")!;
    const v = new DataView(bytes.buffer, bytes.byteOffset + sec.offset, sec.size);
    const offField = { func: 8, line: 16, core: 24 }[sub];
    // Past the header, the record size word and the first block's sec_name_off and num_info.
    const at = v.getUint32(4, true) + v.getUint32(offField, true) + 4 + 8 + field;
    v.setUint32(at, value, true);
    return bytes;
  };
  const refused = (bytes: Uint8Array, message: RegExp) => {
    let err: unknown;
    try {
      dedupObject(bytes);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BtfExtError);
    expect((err as Error).message).toMatch(message);
  };

  it("the untouched object deduplicates", () => {
    expect(dedupObject(object()).output.length).toBeGreaterThan(0);
  });

  it("a CO-RE record naming type id 0x7fffffff is a BtfExtError naming the record", () => {
    refused(patched("core", 4, 0x7fffffff), /core_relo block #0 record #0: type_id is type id 2147483647, past the last id \d+/);
  });

  it("a func_info type id one past the last is refused", () => {
    const btf = BpfObject.open(object()).btf;
    refused(patched("func", 4, btf.count), new RegExp(`func_info block #0 record #0: type_id is type id ${btf.count}, past`));
  });

  it("string offsets outside the string section are refused: line_info file name, CO-RE access string", () => {
    refused(patched("line", 4, 0x7fffffff), /line_info block #0 record #0: file_name_off is string offset 2147483647, outside/);
    refused(patched("core", 8, 0x7fffffff), /core_relo block #0 record #0: access_str_off is string offset 2147483647, outside/);
  });

  it("the encoder names the block, field and record of a value that is not a u32", () => {
    const ext = BpfObject.open(object()).ext!;
    const bad = { ...ext, coreRelos: [{ ...ext.coreRelos[0], records: [{ ...ext.coreRelos[0].records[0], typeId: undefined as unknown as number }] }] };
    expect(() => encodeBtfExt(bad)).toThrow(/core_relo block #0 field 1 undefined is not a u32 \(section core_relo, record #0\)/);
  });
});
