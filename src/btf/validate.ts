/**
 * libbpf 1.8's btf_sanity_check, run once at parse: every string offset a
 * record holds (its name; member, enumerator and parameter names) must fall in
 * the string section (its own or the base's), every type id it refers to must
 * be below the type count, and a FUNC must refer to a FUNC_PROTO. Checking
 * here lets every later reader trust ids and names without re-checking them.
 * One pass over the records, reading words in place; which words hold names
 * and ids comes from the kind descriptors (the words typeIdSlots and nameSlots
 * name), flattened into tables.
 */
import { BtfError } from "../errors.js";
import type { Btf } from "./btf.js";
import {
  BTF_KIND_ARRAY,
  BTF_KIND_ENUM,
  BTF_KIND_ENUM64,
  BTF_KIND_FUNC,
  BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD,
  BTF_KIND_STRUCT,
  BTF_KIND_UNION,
  infoKind,
  kindDescriptor,
} from "./kinds.js";

/** What libbpf calls an element's name in its messages, by kind. */
function elemNameWhat(kind: number): string {
  if (kind === BTF_KIND_STRUCT || kind === BTF_KIND_UNION) return "field name";
  if (kind === BTF_KIND_ENUM || kind === BTF_KIND_ENUM64) return "enum name";
  return "param name";
}

/**
 * The descriptors flattened into per-kind tables, so the pass reads numbers
 * rather than calling per record: the word of the type id in the common part
 * (2, or 0 for none; an ARRAY's two ids after it are checked by name), and per
 * element its size, first word, and type-id and name words (-1 for none).
 */
const FIXED_ID = new Int8Array(128);
const ELEM_WORDS = new Int8Array(128);
const ELEM_START = new Int8Array(128);
const ELEM_ID = new Int8Array(128).fill(-1);
const ELEM_NAME = new Int8Array(128).fill(-1);
for (let k = 1; k < 128; k++) {
  const d = kindDescriptor(k);
  if (!d) continue;
  if (k === BTF_KIND_ARRAY && d.typeWords.join() !== "3,4") throw new Error("ARRAY descriptor changed: update validateTypes");
  // libbpf does not look at a FWD's type word.
  FIXED_ID[k] = d.typeWords.includes(2) && k !== BTF_KIND_FWD ? 2 : 0;
  ELEM_WORDS[k] = d.elemWords;
  ELEM_START[k] = 3 + d.infoWords;
  ELEM_ID[k] = d.elemTypeWord;
  ELEM_NAME[k] = d.elemNameWord;
}

/**
 * Checks the own records of `btf` (given as its host-order words and record
 * offsets) as libbpf's btf_validate_type does; throws a BtfError naming the
 * type, the word's offset and the bad value. `typeStart` is the byte offset of
 * the type section in `btf.bytes`.
 */
export function validateTypes(btf: Btf, words: Uint32Array, offsets: Uint32Array, typeStart: number): void {
  const { startId, startStrOff } = btf;
  const strLen = btf.header.strLen;
  const count = startId + offsets.length;
  const n = offsets.length;
  for (let i = 0; i < n; i++) {
    const p = offsets[i];
    const info = words[p + 1];
    const kind = (info >>> 24) & 0x7f;
    // `(off - startStrOff) >>> 0 >= strLen` is the fast test: a miss is an error unless the base holds it.
    if ((words[p] - startStrOff) >>> 0 >= strLen) checkString(btf, words, p, startId + i, kind, true, typeStart);
    const fixed = FIXED_ID[kind];
    if (fixed !== 0 && words[p + fixed] >= count) throw badId(words, p + fixed, startId + i, typeStart);
    if (kind === BTF_KIND_ARRAY) {
      if (words[p + 3] >= count) throw badId(words, p + 3, startId + i, typeStart);
      if (words[p + 4] >= count) throw badId(words, p + 4, startId + i, typeStart);
    } else if (kind === BTF_KIND_FUNC) {
      checkFunc(btf, words, offsets, p, startId + i, typeStart);
    }
    const elemId = ELEM_ID[kind];
    const elemName = ELEM_NAME[kind];
    const step = ELEM_WORDS[kind];
    const end = p + ELEM_START[kind] + (info & 0xffffff) * step;
    // Separate loops keep the per-element test branch-free for each element layout.
    if (elemName >= 0) {
      for (let q = p + ELEM_START[kind] + elemName; q < end; q += step) {
        if ((words[q] - startStrOff) >>> 0 >= strLen) checkString(btf, words, q, startId + i, kind, false, typeStart);
      }
    }
    if (elemId >= 0) {
      for (let q = p + ELEM_START[kind] + elemId; q < end; q += step) {
        if (words[q] >= count) throw badId(words, q, startId + i, typeStart);
      }
    }
  }
}

function where(id: number, word: number, typeStart: number) {
  return { section: "types", typeId: id, offset: typeStart + 4 * word };
}

/** A string offset outside this blob's strings: fine when the base holds it, else an error. */
function checkString(btf: Btf, words: Uint32Array, word: number, id: number, kind: number, isName: boolean, typeStart: number): void {
  const off = words[word];
  if (off < btf.startStrOff && btf.base && btf.base.strPos(off) >= 0) return;
  throw new BtfError(`invalid ${isName ? "type name" : elemNameWhat(kind)} (string offset ${off})`, where(id, word, typeStart));
}

function badId(words: Uint32Array, word: number, id: number, typeStart: number): BtfError {
  return new BtfError(`invalid referenced type ID ${words[word]}`, where(id, word, typeStart));
}

/** A FUNC refers to a FUNC_PROTO (void included: libbpf reads it as kind 0). */
function checkFunc(btf: Btf, words: Uint32Array, offsets: Uint32Array, p: number, id: number, typeStart: number): void {
  const ref = words[p + 2];
  const { startId, base } = btf;
  const refKind = ref === 0 ? 0 : ref >= startId ? infoKind(words[offsets[ref - startId] + 1]) : base!.kindNumber(ref);
  if (refKind !== BTF_KIND_FUNC_PROTO) throw new BtfError(`referenced type [${ref}] is not FUNC_PROTO`, where(id, p + 2, typeStart));
}
