/**
 * Several split BTF blobs (kernel modules) over one base, merged into one
 * split BTF so a single header can cover vmlinux and its modules. Types are
 * appended as they are (no deduplication), as `bpftool btf dump file A file B`
 * (7.7+) does. The records are copied as words: only their type ids (shifted
 * past the modules before) and string offsets (into one new section, base
 * strings first) change, found through the kind descriptors.
 */
import { BtfError } from "../errors.js";
import { BTF_HEADER_LEN, Btf } from "./btf.js";
import { encodeWords } from "./encode.js";
import { infoKind, infoVlen, nameSlots, typeIdSlots } from "./kinds.js";
import { StringTable } from "./strings.js";

export function mergeSplit(base: Btf, modules: readonly Btf[]): Btf {
  let typeWords = 0;
  for (const [i, mod] of modules.entries()) {
    if (mod.base !== base) throw new BtfError(`module #${i} is not split BTF on the given base`, { record: i });
    typeWords += mod.header.typeLen >>> 2;
  }
  const strings = StringTable.create(StringTable.of(base));
  const words = new Uint32Array(typeWords);
  let slots = new Int32Array(1024);
  let at = 0;
  let nextId = base.count;
  for (const mod of modules) {
    const own = mod.ownRecords();
    words.set(own.words, at);
    const shift = nextId - mod.startId;
    for (let i = 0; i < own.offsets.length; i++) {
      const p = at + own.offsets[i];
      const kind = infoKind(words[p + 1]);
      const vlen = infoVlen(words[p + 1]);
      if (vlen + 1 > slots.length) slots = new Int32Array(2 * (vlen + 1));
      for (let k = 0, n = typeIdSlots(kind, vlen, p, slots); k < n; k++) if (words[slots[k]] >= mod.startId) words[slots[k]] += shift;
      for (let k = 0, n = nameSlots(kind, vlen, p, slots); k < n; k++) words[slots[k]] = nameIn(strings, mod, words[slots[k]], mod.startId + i);
    }
    at += own.words.length;
    nextId += mod.ownCount;
  }
  // Little-endian with a 24-byte header, as the builder writes by default.
  const header = { littleEndian: true, hdrLen: BTF_HEADER_LEN, version: 1, flags: 0 };
  return Btf.parse(encodeWords(words, strings.bytes(), header), { base });
}

/** The offset in `strings` of the module string at `off` (0, the empty name, stays). */
function nameIn(strings: StringTable, mod: Btf, off: number, typeId: number): number {
  if (off === 0) return 0;
  const src = mod.strSource(off);
  if (!src) throw new BtfError(`string offset ${off} is outside the string section`, { typeId });
  return strings.addBytes(src, mod.strPos(off));
}
