/**
 * Deduplicating the BTF of an ELF object in place: `.BTF` is replaced by
 * its deduplicated form, `.BTF.ext` gets the new string offsets and type ids
 * (its records keep their positions, so `.rel.BTF.ext` stays valid), and
 * the `.rel.BTF` entries clang emits for DATASEC variable offsets follow
 * their records to the new positions.
 */
import { parseElf } from "../elf/read.js";
import { ElfEditor } from "../elf/write.js";
import { BtfError } from "../errors.js";
import { Btf } from "./btf.js";
import { dedupBtf, type DedupResult } from "./dedup.js";
import { decodeBtfExt, encodeBtfExt } from "./ext.js";
import { BTF_KIND_DATASEC, BTF_KIND_VAR, kindName } from "./kinds.js";

export interface ObjectDedupResult {
  /** The object with its BTF deduplicated. */
  output: Uint8Array;
  dedup: DedupResult;
  /** The `.BTF` it started from. */
  input: Btf;
}

export function dedupObject(bytes: Uint8Array, opts: { base?: Btf } = {}): ObjectDedupResult {
  const elf = parseElf(bytes);
  const btfSec = elf.section(".BTF");
  if (!btfSec) throw new BtfError("ELF file has no .BTF section", { section: ".BTF" });
  const input = Btf.parse(btfSec.data, { base: opts.base });
  const extSec = elf.section(".BTF.ext");
  const dedup = dedupBtf(input, { ext: extSec ? decodeBtfExt(extSec.data) : undefined });
  const editor = ElfEditor.from(elf);
  editor.setData(".BTF", dedup.bytes);
  if (dedup.ext) editor.setData(".BTF.ext", encodeBtfExt(dedup.ext));
  const rel = editor.section(".rel.BTF");
  if (rel) {
    editor.setRelocations(
      rel,
      editor.relocations(rel).map((r) => ({ ...r, offset: BigInt(movedOffset(input, dedup, Number(r.offset))) })),
    );
  }
  return { output: editor.write(), dedup, input };
}

/** Where a byte of a DATASEC or VAR record of `input` sits in the deduplicated blob. */
function movedOffset(input: Btf, dedup: DedupResult, offset: number): number {
  const typeStart = input.header.hdrLen + input.header.typeOff;
  const word = (offset - typeStart) / 4;
  const { words, offsets } = input.ownRecords();
  // The last record starting at or before the word.
  let lo = 0;
  let hi = offsets.length - 1;
  if (!Number.isInteger(word) || hi < 0 || word < offsets[0] || word >= words.length) {
    throw new BtfError("relocation does not point at a type record word", { section: ".rel.BTF", offset });
  }
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (offsets[mid] <= word) lo = mid;
    else hi = mid - 1;
  }
  const id = input.startId + lo;
  const kind = input.kindNumber(id);
  if (kind !== BTF_KIND_DATASEC && kind !== BTF_KIND_VAR) {
    throw new BtfError(`relocation points into a ${kindName(kind)}, which dedup may drop`, { section: ".rel.BTF", offset, typeId: id });
  }
  const out = dedup.btf;
  const newWord = out.ownRecords().offsets[dedup.idMap[id] - out.startId] + (word - offsets[lo]);
  return out.header.hdrLen + out.header.typeOff + 4 * newWord;
}
