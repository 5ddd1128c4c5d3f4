/**
 * libbpf 1.8's checks, rule by rule, on hand-made inputs: the header
 * (any version and flags, unknown bytes, the layout section's place and entry sizes,
 * split BTF on its base's layout), names and type ids in every slot each kind
 * has, FUNC on FUNC_PROTO, and what bpf_object__open asks of an ELF.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Btf, HOST_LITTLE_ENDIAN } from "../../src/btf/btf.js";
import { BtfBuilder } from "../../src/btf/builder.js";
import { encodeBtf } from "../../src/btf/encode.js";
import { BTF_KIND_FUNC, BTF_KIND_FWD, nameSlots, typeIdSlots } from "../../src/btf/kinds.js";
import { loadBtf } from "../../src/btf/load.js";
import { BpfObject, openBpfObject } from "../../src/btf/object.js";
import { StringTable } from "../../src/btf/strings.js";
import type { BtfType } from "../../src/btf/types.js";
import { EM_BPF, EM_NONE, EM_X86_64, ET_EXEC, ET_REL } from "../../src/elf/constants.js";
import { BtfError, ElfError } from "../../src/errors.js";
import { bpfObject, everyKind, layoutWithKind20, unknown20 } from "./mutate-validate.js";

const valid = (le = true) => encodeBtf(everyKind(1), StringTable.create(), { littleEndian: le });
const withLayout = () => encodeBtf([...everyKind(1), unknown20("k")], StringTable.create(), { layout: layoutWithKind20(true) });

function set32(bytes: Uint8Array, at: number, v: number, le = true): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(at, v >>> 0, le);
  return out;
}

function rejects(fn: () => unknown, message: RegExp): BtfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BtfError);
    expect((e as Error).message).toMatch(message);
    return e as BtfError;
  }
  throw new Error(`accepted; want ${message}`);
}

describe("header", () => {
  it("any version and flags are read, as libbpf 1.8 reads them, and kept when the blob is written back", () => {
    for (const [version, flags] of [[0, 0], [2, 0], [255, 0x80], [1, 1]]) {
      const btf = Btf.parse(encodeBtf([], StringTable.create(), { version, flags }));
      expect(btf.header).toMatchObject({ version, flags });
      expect(Btf.parse(BtfBuilder.from(btf).encode()).header).toMatchObject({ version, flags });
    }
  });

  it("header bytes past 32 must be zero", () => {
    const b = withLayout();
    const grown = new Uint8Array(b.length + 8);
    grown.set(b.subarray(0, 32));
    grown.set(b.subarray(32), 40);
    new DataView(grown.buffer).setUint32(4, 40, true);
    expect(Btf.parse(grown).count).toBe(Btf.parse(b).count);
    grown[37] = 1;
    rejects(() => Btf.parse(grown), /unknown BTF header data at offset 37.*offset 0x25/);
  });

  it("the layout section sits between the type and string sections", () => {
    const b = withLayout();
    const h = Btf.parse(b).header;
    // Before the types (over them), after the strings' start, misaligned, a partial entry.
    rejects(() => Btf.parse(set32(b, 24, 0)), /layout section.*not between/);
    rejects(() => Btf.parse(set32(b, 24, h.strOff)), /layout section.*(not between|runs past the data)/);
    rejects(() => Btf.parse(set32(b, 24, h.layoutOff! + 4)), /layout section.*not between/);
    rejects(() => Btf.parse(set32(b, 24, h.layoutOff! + 2)), /not 4-byte aligned/);
    rejects(() => Btf.parse(set32(b, 28, h.layoutLen! - 2)), /multiple of 4/);
    // A gap after it is fine, as for libbpf (no record here needs the entry dropped).
    const known = encodeBtf(everyKind(1), StringTable.create(), { layout: layoutWithKind20(true) });
    expect(Btf.parse(set32(known, 28, h.layoutLen! - 4)).layout).toHaveLength(20);
  });

  it("info_sz and elem_sz of a kind it must size are each multiples of 4", () => {
    const b = withLayout();
    const at = Btf.parse(b).header.hdrLen + Btf.parse(b).header.layoutOff! + 80;
    for (const [info, elem] of [[2, 4], [4, 2], [2, 2], [6, 6]]) {
      const m = b.slice();
      m[at] = info;
      m[at + 1] = elem;
      rejects(() => Btf.parse(m), /unknown BTF kind 20.*multiple of 4/);
    }
  });

  it("split BTF without a layout section sizes unknown kinds by its base's", () => {
    const base = Btf.parse(withLayout());
    const own = [{ kind: "ptr", type: 1 } as BtfType, unknown20("s")];
    const split = Btf.parse(encodeBtf(own, StringTable.create()), { base });
    expect(split.type(split.count - 1)).toMatchObject({ kind: "unknown", kindNumber: 20 });
    // Its own layout section, even one not describing the kind, takes precedence (no fallback).
    const ownLayout = layoutWithKind20(true).slice(0, 80);
    rejects(() => Btf.parse(encodeBtf(own, StringTable.create(), { layout: ownLayout }), { base }), /unknown BTF kind 20/);
    // A base without a layout section gives nothing to fall back on.
    rejects(() => Btf.parse(encodeBtf(own, StringTable.create()), { base: Btf.parse(valid()) }), /unknown BTF kind 20/);
  });

  it("a kind only a layout section sizes is refused in foreign-endian BTF, as libbpf cannot byte-swap it", () => {
    const le = !HOST_LITTLE_ENDIAN;
    const b = encodeBtf([unknown20("k")], StringTable.create(), { littleEndian: le, layout: layoutWithKind20(le) });
    rejects(() => Btf.parse(b), /unknown BTF kind 20 in foreign-endian BTF/);
  });
});

describe("names and type ids, every slot of every kind", () => {
  const bytes = valid();
  const btf = Btf.parse(bytes);
  const { words, offsets } = btf.ownRecords();
  const typeStart = btf.header.hdrLen + btf.header.typeOff;
  const slots = new Int32Array(16);

  it("a type id at or past the count is refused, naming the type and the word (a FWD's word is not an id)", () => {
    let checked = 0;
    for (let i = 0; i < offsets.length; i++) {
      const info = words[offsets[i] + 1];
      const n = typeIdSlots(info >>> 24, info & 0xffffff, offsets[i], slots);
      for (let k = 0; k < n; k++) {
        const m = set32(bytes, typeStart + 4 * slots[k], btf.count);
        if ((info >>> 24) === BTF_KIND_FWD) {
          expect(Btf.parse(m).count).toBe(btf.count);
          continue;
        }
        const e = rejects(() => Btf.parse(m), new RegExp(`invalid referenced type ID ${btf.count}`));
        expect(e.where).toMatchObject({ typeId: i + 1, offset: typeStart + 4 * slots[k] });
        // The last id is in range (a FUNC's target must also be a FUNC_PROTO: tested below).
        if ((info >>> 24) !== BTF_KIND_FUNC) expect(Btf.parse(set32(bytes, typeStart + 4 * slots[k], btf.count - 1)).count).toBe(btf.count);
        checked++;
      }
    }
    // ptr, array x2, struct x2, union, typedef, 3 modifiers, proto + 2 params, func, var, datasec, decl_tag, type_tag.
    expect(checked).toBe(18);
  });

  it("a string offset past the string section is refused in every name slot", () => {
    const end = btf.header.strLen;
    let checked = 0;
    for (let i = 0; i < offsets.length; i++) {
      const info = words[offsets[i] + 1];
      const n = nameSlots(info >>> 24, info & 0xffffff, offsets[i], slots);
      for (let k = 0; k < n; k++) {
        const e = rejects(() => Btf.parse(set32(bytes, typeStart + 4 * slots[k], end)), new RegExp(`invalid (type|field|enum|param) name \\(string offset ${end}\\)`));
        expect(e.where.typeId).toBe(i + 1);
        expect(Btf.parse(set32(bytes, typeStart + 4 * slots[k], end - 1)).count).toBe(btf.count);
        checked++;
      }
    }
    expect(checked).toBe(19 + 2 + 1 + 2 + 2 + 1);
  });

  it("a FUNC refers to a FUNC_PROTO, not void or another kind", () => {
    const func = everyKind(1).findIndex((t) => t.kind === "func");
    const at = typeStart + 4 * (offsets[func] + 2);
    for (let target = 0; target < btf.count; target++) {
      const m = set32(bytes, at, target);
      if (target > 0 && btf.kind(target) === "func_proto") expect(Btf.parse(m).kindNumber(func + 1)).toBe(BTF_KIND_FUNC);
      else rejects(() => Btf.parse(m), new RegExp(`referenced type \\[${target}\\] is not FUNC_PROTO.*type \\[${func + 1}\\]`));
    }
  });

  it("split BTF: ids and names may point into the base, not past the split", () => {
    const base = Btf.parse(valid());
    const own = (type: number, name: string): BtfType[] => [{ kind: "typedef", name, type }];
    expect(Btf.parse(encodeBtf(own(5, "x"), StringTable.create()), { base }).type(base.count)).toMatchObject({ type: 5 });
    rejects(() => Btf.parse(encodeBtf(own(base.count + 1, "x"), StringTable.create()), { base }), /type ID/);
    const split = encodeBtf(own(1, "x"), StringTable.create());
    const h = Btf.parse(split, { base }).header;
    // The typedef's name_off is the first word of the type section.
    const nameAt = h.hdrLen + h.typeOff;
    // A base string offset is fine; one past the split's own strings is not.
    expect(Btf.parse(set32(split, nameAt, 1), { base }).name(base.count)).toBe(base.str(1));
    rejects(() => Btf.parse(set32(split, nameAt, base.header.strLen + h.strLen), { base }), /invalid type name/);
  });

  it("any corrupted id or name word parses or throws a BtfError (property)", () => {
    fc.assert(
      fc.property(fc.nat({ max: words.length - 1 }), fc.nat(), (w, v) => {
        const m = set32(bytes, typeStart + 4 * w, v);
        try {
          Btf.parse(m);
        } catch (e) {
          expect(e).toBeInstanceOf(BtfError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("objects: what bpf_object__open asks, on the CO-RE path only", () => {
  it("ET_REL, machine BPF or 0, 64-bit, one symbol table", () => {
    for (const m of [EM_BPF, EM_NONE]) expect(openBpfObject(bpfObject(true, ET_REL, m, 1)).programs).toHaveLength(1);
    const bad: Array<[Uint8Array, RegExp]> = [
      [bpfObject(true, ET_EXEC, EM_X86_64, 1), /not a valid eBPF object file: e_type 2, e_machine 62.*offset 0x10/],
      [bpfObject(true, ET_REL, EM_X86_64, 1), /not a valid eBPF object file.*offset 0x12/],
      [bpfObject(true, ET_REL, EM_BPF, 2), /multiple symbol tables/],
      [bpfObject(true, ET_REL, EM_BPF, 0), /no symbol table/],
      [bpfObject(false, ET_REL, EM_BPF, 1), /not a 64-bit ELF object/],
    ];
    for (const [bytes, message] of bad) {
      expect(() => openBpfObject(bytes)).toThrow(ElfError);
      expect(() => openBpfObject(bytes)).toThrow(message);
      // btf__parse_elf asks none of it: the BTF of any ELF still loads.
      expect(loadBtf(bytes).count).toBe(4);
      expect(BpfObject.open(bytes).btf.count).toBe(4);
    }
  });
});
