/**
 * The object pipeline behind `btfkit core reloc`: apply every CO-RE
 * relocation and resolve `.kconfig` externs ahead of time, producing an
 * object any unmodified loader (libbpf, cilium/ebpf, aya) loads as is:
 * - patched program code, and the applied CO-RE records removed from
 *   `.BTF.ext` so no loader applies them a second time;
 * - the `.kconfig` externs turned into a real read-only data section,
 *   `.rodata.kconfig`, holding their values: the extern symbols become
 *   defined objects in it, the `.kconfig` DATASEC is renamed and laid out,
 *   and its VARs become global, so a loader sees an ordinary frozen
 *   read-only map.
 * Everything else (maps, programs, other BTF, func/line info, license) is kept.
 */
import { BtfBuilder } from "../btf/builder.js";
import { encodeBtfExt, type BtfExt } from "../btf/ext.js";
import { BTF_LINKAGE_GLOBAL } from "../btf/kinds.js";
import type { BtfType } from "../btf/types.js";
import { SHF_ALLOC, SHT_PROGBITS, STB_GLOBAL, STT_OBJECT } from "../elf/constants.js";
import { ElfEditor } from "../elf/write.js";
import { CoreRelocationError } from "../errors.js";
import { fillKconfig, kconfigLayout, type KconfigOptions, type KconfigResult } from "./kconfig.js";
import { openBpfObject, type BpfObject } from "./object.js";
import { relocate, type RelocateOptions, type RelocateResult } from "./relocate.js";

/** Name of the section the `.kconfig` externs become. */
export const KCONFIG_DATA_SECTION = ".rodata.kconfig";

export interface PipelineOptions extends RelocateOptions, KconfigOptions {
  /** Fail instead of poisoning an instruction. */
  strict?: boolean;
}

export interface PipelineResult {
  /** The relocated object. */
  output: Uint8Array;
  relocation: RelocateResult;
  kconfig?: KconfigResult;
}

/** Byte offset, within `.BTF.ext`, of each CO-RE record's insn_off field, per block. */
function coreRecordOffsets(ext: BtfExt, sectionStart: number): number[][] {
  let p = sectionStart + 4; // the rec_size word
  return ext.coreRelos.map((block) => {
    p += 8; // sec_name_off, num_info
    return block.records.map(() => {
      const at = p;
      p += ext.coreRecSize;
      return at;
    });
  });
}

/** Where the CO-RE subsection starts in an encoded `.BTF.ext` (the header's core_relo_off). */
function coreSectionStart(bytes: Uint8Array, littleEndian: boolean): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(4, littleEndian) + view.getUint32(24, littleEndian);
}

/**
 * Drops applied CO-RE records from `.BTF.ext` and moves the `.rel.BTF.ext`
 * entries of the records kept (linkers use them; loaders do not).
 */
function removeAppliedRecords(obj: BpfObject, editor: ElfEditor, applied: Set<string>): void {
  const ext = obj.ext!;
  // A 24-byte header has no CO-RE subsection: nothing was applied from it.
  if (ext.hdrLen < 32 || applied.size === 0) return;
  const before = coreRecordOffsets(ext, coreSectionStart(obj.elf.section(".BTF.ext")!.data, ext.littleEndian));
  const kept: BtfExt["coreRelos"] = [];
  const moved = new Map<number, { block: number; record: number }>();
  ext.coreRelos.forEach((block, b) => {
    const records = block.records.filter((_, r) => !applied.has(`${b}:${r}`));
    block.records.forEach((_, r) => {
      if (!applied.has(`${b}:${r}`)) moved.set(before[b][r], { block: kept.length, record: records.indexOf(block.records[r]) });
    });
    if (records.length) kept.push({ secNameOff: block.secNameOff, records });
  });
  const next: BtfExt = { ...ext, coreRelos: kept, layout: undefined };
  const bytes = encodeBtfExt(next);
  editor.setData(".BTF.ext", bytes);
  const relSec = editor.section(".rel.BTF.ext");
  if (!relSec) return;
  const coreStart = coreSectionStart(obj.elf.section(".BTF.ext")!.data, ext.littleEndian);
  const after = coreRecordOffsets(next, coreSectionStart(bytes, ext.littleEndian));
  const rels = editor.relocations(relSec).flatMap((rel) => {
    const off = Number(rel.offset);
    if (off < coreStart) return [rel];
    const m = moved.get(off);
    return m ? [{ ...rel, offset: BigInt(after[m.block][m.record]) }] : [];
  });
  editor.setRelocations(relSec, rels);
}

/**
 * Turns the `.kconfig` externs into `.rodata.kconfig`: a data section with
 * their values, defined symbols, and BTF that describes it like any other
 * global data section.
 */
function materializeKconfig(obj: BpfObject, editor: ElfEditor, result: KconfigResult): Uint8Array {
  const sec = editor.addSection({
    name: KCONFIG_DATA_SECTION,
    type: SHT_PROGBITS,
    flags: SHF_ALLOC,
    addralign: 8,
    data: result.data,
  });
  for (const ext of result.externs) {
    // The editor lists symbols without the null symbol 0, in file order.
    const sym = editor.symbols[ext.symbolIndex - 1];
    if (!sym || sym.name !== ext.name) {
      throw new CoreRelocationError(`symbol #${ext.symbolIndex} is not extern '${ext.name}'`, { section: ".symtab", record: ext.symbolIndex });
    }
    Object.assign(sym, { section: sec, value: BigInt(ext.offset), size: BigInt(ext.size), bind: STB_GLOBAL, type: STT_OBJECT, other: 0 });
  }
  const b = BtfBuilder.from(obj.btf);
  const at = (id: number) => id - obj.btf.startId;
  const byVar = new Map(result.externs.map((e) => [e.btfId, e]));
  for (const e of result.externs) {
    const v = b.types[at(e.btfId)];
    if (v.kind === "var") b.types[at(e.btfId)] = { ...v, linkage: BTF_LINKAGE_GLOBAL };
  }
  const ds = b.types[at(result.datasecId!)];
  if (ds.kind === "datasec") {
    const vars = ds.vars
      .map((v) => {
        const e = byVar.get(v.type);
        return e ? { type: v.type, offset: e.offset, size: e.size } : v;
      })
      .sort((x, y) => x.offset - y.offset);
    const renamed: BtfType = { ...ds, name: KCONFIG_DATA_SECTION, size: result.size, vars };
    b.types[at(result.datasecId!)] = renamed;
  }
  return b.encode();
}

/** Relocates an object ahead of load; see the module comment. */
export function relocateForLoad(bytes: Uint8Array, opts: PipelineOptions): PipelineResult {
  const obj = openBpfObject(bytes);
  const relocation = relocate(obj, opts);
  const failed = relocation.firstFailure !== undefined ? relocation.decisions[relocation.firstFailure] : undefined;
  if (failed) {
    throw new CoreRelocationError(`prog '${failed.program}' relo #${failed.relo} (${failed.kindName} ${failed.localSpec}): ${failed.error}`, {
      section: failed.section,
      record: failed.relo,
      insn: failed.sectionInsn,
    });
  }
  if (opts.strict) {
    const poisoned = relocation.decisions.find((d) => d.poisoned);
    if (poisoned) {
      throw new CoreRelocationError(`prog '${poisoned.program}' relo #${poisoned.relo} (${poisoned.kindName} ${poisoned.localSpec}) cannot be satisfied: ${poisoned.reason}`, {
        section: poisoned.section,
        record: poisoned.relo,
        insn: poisoned.sectionInsn,
      });
    }
  }
  const editor = ElfEditor.from(obj.elf);
  for (const [name, code] of relocation.sections) editor.setData(name, code);
  if (obj.ext) {
    const applied = new Set<string>();
    const blockOf = new Map(obj.ext.coreRelos.map((blk, i) => [obj.btf.str(blk.secNameOff), i]));
    for (const d of relocation.decisions) applied.add(`${blockOf.get(d.section)}:${d.relo}`);
    removeAppliedRecords(obj, editor, applied);
  }
  const layout = kconfigLayout(obj);
  let kconfig: KconfigResult | undefined;
  if (layout.externs.length) {
    kconfig = fillKconfig(layout, opts);
    editor.setData(".BTF", materializeKconfig(obj, editor, kconfig));
  }
  return { output: editor.write(), relocation, kconfig };
}
