/**
 * Rewriting an object: new section contents (program code), a new `.BTF`
 * and `.BTF.ext`, and the `.rel.BTF` / `.rel.BTF.ext` entries clang emits
 * for them (linkers use them; loaders do not) moved to where the bytes they
 * point at went, or dropped with those bytes. Every other section is kept.
 */
import { ElfEditor, type EditRelocation } from "../elf/write.js";
import { encodeBtfExt, type BtfExt } from "./ext.js";
import type { BpfObject } from "./object.js";

/**
 * Where a relocated byte offset of an old section sits in its replacement;
 * undefined drops the relocation (its bytes are gone).
 */
export type OffsetMove = (offset: number) => number | undefined;

/** What {@link rewriteObject} changes. */
export interface ObjectRewrite {
  /** New contents of sections, by name (patched program code, for one). */
  sections?: Iterable<readonly [string, Uint8Array]>;
  /** The new `.BTF`, and where the offsets `.rel.BTF` points at went (kept as they are without `move`). */
  btf?: { bytes: Uint8Array; move?: OffsetMove };
  /** The new `.BTF.ext`, and where the offsets `.rel.BTF.ext` points at went (kept as they are without `move`). */
  ext?: { ext: BtfExt; move?: OffsetMove };
  /** Further edits (new sections, symbols) before the object is written. */
  edit?: (editor: ElfEditor) => void;
}

/** The object with `rewrite` applied, encoded. */
export function rewriteObject(obj: BpfObject, rewrite: ObjectRewrite): Uint8Array {
  const editor = ElfEditor.from(obj.elf);
  for (const [name, data] of rewrite.sections ?? []) editor.setData(name, data);
  if (rewrite.btf) editor.setData(".BTF", rewrite.btf.bytes);
  if (rewrite.ext) editor.setData(".BTF.ext", encodeBtfExt(rewrite.ext.ext));
  if (rewrite.btf?.move) moveRelocations(editor, ".rel.BTF", rewrite.btf.move);
  if (rewrite.ext?.move) moveRelocations(editor, ".rel.BTF.ext", rewrite.ext.move);
  rewrite.edit?.(editor);
  return editor.write();
}

function moveRelocations(editor: ElfEditor, name: string, move: OffsetMove): void {
  const rel = editor.section(name);
  if (!rel) return;
  editor.setRelocations(
    rel,
    editor.relocations(rel).flatMap((r): EditRelocation[] => {
      const to = move(Number(r.offset));
      return to === undefined ? [] : [{ ...r, offset: BigInt(to) }];
    }),
  );
}
