/**
 * Deduplicating the BTF of an ELF object in place: `.BTF` is replaced by
 * its deduplicated form, `.BTF.ext` gets the new string offsets and type ids
 * (its records keep their positions, so `.rel.BTF.ext` stays valid), and
 * the `.rel.BTF` entries clang emits for DATASEC variable offsets follow
 * their records to the new positions.
 */
import { BtfError } from "../errors.js";
import type { Btf } from "./btf.js";
import { dedupBtf, type DedupResult } from "./dedup.js";
import { BTF_KIND_DATASEC, BTF_KIND_VAR, kindName } from "./kinds.js";
import { BpfObject } from "./object.js";
import { rewriteObject } from "./rewrite.js";

/** Result of {@link dedupObject}. */
export interface ObjectDedupResult {
  /** The object with its BTF deduplicated. */
  output: Uint8Array;
  /** The deduplicated BTF, its id map and rewritten `.BTF.ext`. */
  dedup: DedupResult;
  /** The `.BTF` it started from. */
  input: Btf;
}

/** Deduplicates the `.BTF` of an ELF object (split on `opts.base` when given); see the module comment. */
export function dedupObject(bytes: Uint8Array, opts: { base?: Btf } = {}): ObjectDedupResult {
  // No pointer size: btf__dedup's input has none set, so the types decide.
  const obj = BpfObject.open(bytes, { base: opts.base });
  const input = obj.btf;
  // dedupBtf checks the .BTF.ext's references before it remaps them.
  const dedup = dedupBtf(input, { ext: obj.ext });
  const output = rewriteObject(obj, {
    btf: { bytes: dedup.bytes, move: (offset) => movedOffset(input, dedup, offset) },
    ext: dedup.ext && { ext: dedup.ext },
  });
  return { output, dedup, input };
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
