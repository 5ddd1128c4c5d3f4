/**
 * The CO-RE engine's own invariants: relocating an object against its own
 * BTF changes nothing; computed offsets equal the target's member offsets for
 * random layouts; malformed records give typed errors naming where.
 */
import fs from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Btf,
  BtfBuilder,
  CoreReloKind,
  CoreRelocationError,
  decodeBtfExt,
  encodeBtfExt,
  openBpfObject,
  relocateAccess,
  type BtfType,
  type Member,
} from "../../src/index.js";
import { relocate } from "../../src/core/relocate.js";
import { bpfObjects } from "../helpers/corpus.js";
import { modulePath, oracle, vmlinuxPath } from "../helpers/env.js";

const read = (p: string) => new Uint8Array(fs.readFileSync(p));

describe.skipIf(!oracle("clang"))("relocating an object against its own BTF is the identity", () => {
  // Little-endian builds only: the relocation values do not depend on byte order beyond the shifts.
  const objects = bpfObjects().filter((o) => o.label.includes("bpfel"));
  for (const o of objects) {
    it(o.label, () => {
      const obj = openBpfObject(read(o.path));
      const result = relocate(obj, { target: obj.btf });
      let rewritten = false;
      for (const d of result.decisions) {
        expect(d.error, `${d.program} relo #${d.relo}: ${d.error}`).toBeUndefined();
        expect(d.poisoned, `${d.program} relo #${d.relo} poisoned: ${d.reason}`).toBe(false);
        // TYPE_ID_TARGET names the target type; against itself that is the local root type id.
        expect(d.newValue, `${d.program} relo #${d.relo} ${d.kindName} ${d.localSpec}`).toBe(d.origValue);
        const p = d.patch;
        if ((p.op === "imm" || p.op === "off") && p.from !== p.to) {
          // Only bitfield offset/size/shift values are not checked against what clang emitted
          // (libbpf may choose a different load width than clang); those may be rewritten.
          expect([CoreReloKind.FIELD_BYTE_OFFSET, CoreReloKind.FIELD_BYTE_SIZE, CoreReloKind.FIELD_LSHIFT_U64]).toContain(d.kind);
          rewritten = true;
        }
      }
      if (!rewritten) {
        for (const [name, bytes] of result.sections) expect(Buffer.from(bytes).equals(Buffer.from(obj.elf.section(name)!.data))).toBe(true);
      }
    });
  }
});

/** A struct "s" with int fields f0..fn at the given byte offsets (in declaration order given). */
function structBtf(fields: Array<{ name: string; off: number; size: 1 | 2 | 4 | 8 }>, size: number): Btf {
  const b = new BtfBuilder();
  const ints = new Map<number, number>();
  for (const s of [1, 2, 4, 8]) ints.set(s, b.add({ kind: "int", name: `u${s * 8}`, size: s, encoding: 0, bitOffset: 0, bits: s * 8 }));
  const members: Member[] = fields.map((f) => ({ name: f.name, type: ints.get(f.size)!, bitOffset: f.off * 8, bitfieldSize: 0 }));
  const s: BtfType = { kind: "struct", name: "s", size, kflag: false, members };
  b.add(s);
  return b.build();
}

const layout = fc
  .uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), size: fc.constantFrom(1, 2, 4, 8) as fc.Arbitrary<1 | 2 | 4 | 8> }), {
    minLength: 1,
    maxLength: 12,
    selector: (f) => f.name,
  })
  .chain((fields) =>
    fc.record({
      fields: fc.constant(fields),
      order: fc.shuffledSubarray(fields.map((_, i) => i), { minLength: fields.length, maxLength: fields.length }),
      pads: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: fields.length, maxLength: fields.length }),
    }),
  );

/** Lays fields out in `order`, each naturally aligned after `pad` alignment units of padding. */
function place(fields: Array<{ name: string; size: 1 | 2 | 4 | 8 }>, order: number[], pads: number[]) {
  let off = 0;
  const out: Array<{ name: string; off: number; size: 1 | 2 | 4 | 8 }> = [];
  order.forEach((i, k) => {
    const f = fields[i];
    off = Math.ceil(off / f.size) * f.size + pads[k] * f.size;
    out.push({ ...f, off });
    off += f.size;
  });
  return { placed: out, size: Math.ceil(off / 8) * 8 || 8 };
}

describe("field offsets follow the target layout", () => {
  it("random layouts: FIELD_BYTE_OFFSET/SIZE/EXISTS equal the target's member offsets and sizes", () => {
    fc.assert(
      fc.property(layout, layout, ({ fields, pads }, other) => {
        const localLayout = place(fields, fields.map((_, i) => i), pads.map(() => 0));
        const local = structBtf(localLayout.placed, localLayout.size);
        const order = other.order.filter((i) => i < fields.length);
        const full = [...order, ...fields.map((_, i) => i).filter((i) => !order.includes(i))];
        const targetLayout = place(fields, full, other.pads.concat(fields.map(() => 1)).slice(0, fields.length));
        const target = structBtf(targetLayout.placed, targetLayout.size);
        const sId = local.findByName("s")!;
        fields.forEach((f, i) => {
          const want = targetLayout.placed.find((p) => p.name === f.name)!;
          const q = (kind: number) => relocateAccess(local, { typeId: sId, access: `0:${i}`, kind }, { target });
          expect(q(CoreReloKind.FIELD_BYTE_OFFSET).value).toBe(BigInt(want.off));
          expect(q(CoreReloKind.FIELD_BYTE_SIZE).value).toBe(BigInt(want.size));
          expect(q(CoreReloKind.FIELD_EXISTS).value).toBe(1n);
        });
        expect(relocateAccess(local, { typeId: sId, access: "0", kind: CoreReloKind.TYPE_SIZE }, { target }).value).toBe(
          BigInt(targetLayout.size),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("a field missing from the target: exists is 0, offset is poisoned", () => {
    const local = structBtf([{ name: "a", off: 0, size: 4 }, { name: "gone", off: 4, size: 4 }], 8);
    const target = structBtf([{ name: "a", off: 8, size: 4 }], 16);
    const sId = local.findByName("s")!;
    expect(relocateAccess(local, { typeId: sId, access: "0:1", kind: CoreReloKind.FIELD_EXISTS }, { target }).value).toBe(0n);
    const off = relocateAccess(local, { typeId: sId, access: "0:1", kind: CoreReloKind.FIELD_BYTE_OFFSET }, { target });
    expect(off.poisoned).toBe(true);
    expect(off.candidates[0].reason).toContain("no field 'gone'");
  });
});

describe("candidates in module BTF", () => {
  // libbpf 1.1 cannot be pointed at module BTF files (only at the running kernel's
  // modules, and this kernel has none), so these follow its rules without an oracle.
  const base = Btf.parse(read(vmlinuxPath("linux-6.1.0-56-amd64.btf")));
  const nfTables = { name: "nf_tables", btf: Btf.parse(read(modulePath("nf_tables.btf")), { base }) };

  /** A local BTF with `struct NAME { void *FIELD; }` (pointer fields match any pointer). */
  function local(name: string, field: string): { btf: Btf; id: number } {
    const b = new BtfBuilder();
    const ptr = b.add({ kind: "ptr", type: 0 });
    const id = b.add({ kind: "struct", name, size: 8, kflag: false, members: [{ name: field, type: ptr, bitOffset: 0, bitfieldSize: 0 }] });
    return { btf: b.build(), id };
  }

  it("a type only a module defines is found there, with the module's layout", () => {
    const l = local("nft_chain", "table");
    const r = relocateAccess(l.btf, { typeId: l.id, access: "0:0", kind: CoreReloKind.FIELD_BYTE_OFFSET }, { target: base, modules: [nfTables] });
    expect(r.error).toBeUndefined();
    expect(r.value).toBe(64n);
    expect(r.candidates.map((c) => c.btf)).toEqual(["nf_tables"]);
  });

  it("modules are not searched when vmlinux has a candidate", () => {
    const l = local("task_struct", "nonexistent_field");
    const r = relocateAccess(l.btf, { typeId: l.id, access: "0:0", kind: CoreReloKind.FIELD_EXISTS }, { target: base, modules: [nfTables] });
    expect(r.value).toBe(0n);
    expect(r.candidates.every((c) => c.btf === "vmlinux")).toBe(true);
  });

  it("without the module the type has no candidate", () => {
    const l = local("nft_chain", "table");
    const r = relocateAccess(l.btf, { typeId: l.id, access: "0:0", kind: CoreReloKind.FIELD_BYTE_OFFSET }, { target: base });
    expect(r.poisoned).toBe(true);
    expect(r.candidates).toEqual([]);
  });
});

describe.skipIf(!oracle("clang"))("malformed CO-RE records give typed errors", () => {
  const obj = bpfObjects().find((o) => o.label.startsWith("ext/core_fields.c (clang, bpfel"))!;

  /** The object with its .BTF.ext CO-RE records rewritten by `edit`. */
  function withRecords(edit: (recs: ReturnType<typeof decodeBtfExt>["coreRelos"]) => void): Uint8Array {
    const bytes = read(obj.path).slice();
    const o = openBpfObject(bytes);
    const ext = o.ext!;
    edit(ext.coreRelos);
    const enc = encodeBtfExt({ ...ext, layout: undefined });
    const sec = o.elf.section(".BTF.ext")!;
    expect(enc.length).toBe(sec.size);
    bytes.set(enc, sec.offset);
    return bytes;
  }

  const target = () => Btf.parse(read("/sys/kernel/btf/vmlinux"));

  it("a record past the end of its section names section, record and instruction", () => {
    const bytes = withRecords((blocks) => (blocks[0].records[0].insnOff = 1 << 20));
    const e = (() => {
      try {
        relocate(openBpfObject(bytes), { target: target() });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(CoreRelocationError);
    expect((e as CoreRelocationError).where).toMatchObject({ record: 0, insn: (1 << 20) / 8 });
  });

  it("an instruction offset that is not a multiple of 8", () => {
    const bytes = withRecords((blocks) => (blocks[0].records[0].insnOff += 3));
    expect(() => relocate(openBpfObject(bytes), { target: target() })).toThrow(CoreRelocationError);
  });

  it("an access string out of range fails that relocation with a reason", () => {
    const bytes = withRecords((blocks) => {
      const r = blocks[0].records.find((x) => x.kind === CoreReloKind.FIELD_BYTE_OFFSET)!;
      r.accessStrOff = 0; // the empty string
    });
    const res = relocate(openBpfObject(bytes), { target: target() });
    const failed = res.decisions[res.firstFailure!];
    expect(failed.error).toMatch(/access string/);
  });

  it("a local type id out of range fails that relocation", () => {
    const bytes = withRecords((blocks) => (blocks[0].records[0].typeId = 999_999));
    const res = relocate(openBpfObject(bytes), { target: target() });
    expect(res.decisions[0].error).toMatch(/999999/);
  });

  it("random corruption of .BTF.ext ends in a result or a typed error", () => {
    const base = read(obj.path);
    const sec = openBpfObject(base).elf.section(".BTF.ext")!;
    const t = target();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(sec.size - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }), (edits) => {
        const bytes = base.slice();
        for (const [at, v] of edits) bytes[sec.offset + at] = v;
        try {
          relocate(openBpfObject(bytes), { target: t });
        } catch (e) {
          expect((e as Error).constructor.name).toMatch(/^(BtfExtError|BtfError|ElfError|CoreRelocationError)$/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
