/**
 * The per-kind record descriptor (kinds.ts) against the encoder and the
 * decoder on arbitrary blobs: record sizes, the type ids a record holds and
 * its string offsets must be exactly what encode writes and parse reads.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Btf } from "../../src/btf/btf.js";
import { encodeBtf, recordSize } from "../../src/btf/encode.js";
import { infoKind, infoVlen, nameSlots, recordWords, typeIdSlots } from "../../src/btf/kinds.js";
import { StringTable } from "../../src/btf/strings.js";
import type { BtfType } from "../../src/btf/types.js";
import { ident, optIdent, typeList } from "../helpers/arbitrary-btf.js";

/** The type ids a decoded type holds, in libbpf's visiting order: an oracle written from the model, not the descriptor. */
function heldIds(t: BtfType): number[] {
  switch (t.kind) {
    case "struct":
    case "union":
      return t.members.map((m) => m.type);
    case "array":
      return [t.type, t.indexType];
    case "func_proto":
      return [t.returnType, ...t.params.map((p) => p.type)];
    case "datasec":
      return t.vars.map((v) => v.type);
    // The model drops a FWD's type word, which the format keeps as 0.
    case "fwd":
      return [0];
    default:
      return "type" in t ? [t.type] : [];
  }
}

/** The strings a decoded type holds: its name (empty when it has none), then its elements' names. */
function heldNames(t: BtfType): string[] {
  const name = "name" in t ? t.name : "";
  switch (t.kind) {
    case "struct":
    case "union":
      return [name, ...t.members.map((m) => m.name)];
    case "enum":
    case "enum64":
      return [name, ...t.values.map((v) => v.name)];
    case "func_proto":
      return [name, ...t.params.map((p) => p.name)];
    default:
      return [name];
  }
}

const blobs = typeList(1, optIdent(ident)).map((types) => {
  const bytes = encodeBtf(types, StringTable.create());
  return { types, btf: Btf.parse(bytes) };
});

describe("kind descriptors", () => {
  it("size every record as encode writes it and parse indexes it", () => {
    fc.assert(
      fc.property(blobs, ({ types, btf }) => {
        const { words, offsets } = btf.ownRecords();
        types.forEach((t, i) => {
          const id = btf.startId + i;
          const n = recordWords(btf.kindNumber(id), btf.vlen(id));
          expect(recordSize(t)).toBe(4 * n);
          // What encode writes for the record alone: the header's type_len.
          const alone = encodeBtf([t], StringTable.create());
          expect(new DataView(alone.buffer).getUint32(12, true)).toBe(4 * n);
          const end = i + 1 < types.length ? offsets[i + 1] : words.length;
          expect(end - offsets[i]).toBe(n);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("list exactly the type ids and names the decoded type holds", () => {
    const slots = new Int32Array(0x10001);
    fc.assert(
      fc.property(blobs, ({ btf }) => {
        const { words, offsets } = btf.ownRecords();
        for (const id of btf.ownIds()) {
          const t = btf.type(id);
          const refs = Array.from({ length: btf.typeRefCount(id) }, (_, i) => btf.typeRef(id, i));
          expect(refs).toEqual(heldIds(t));
          const p = offsets[id - btf.startId];
          const kind = infoKind(words[p + 1]);
          const vlen = infoVlen(words[p + 1]);
          const typeSlots = Array.from(slots.subarray(0, typeIdSlots(kind, vlen, p, slots)));
          expect(typeSlots.map((q) => words[q])).toEqual(refs);
          const strSlots = Array.from(slots.subarray(0, nameSlots(kind, vlen, p, slots)));
          expect(strSlots.map((q) => btf.str(words[q]))).toEqual(heldNames(t));
        }
      }),
      { numRuns: 200 },
    );
  });
});
