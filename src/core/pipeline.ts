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
import { coreRecordOffsets, type BtfExt } from "../btf/ext.js";
import { BTF_LINKAGE_GLOBAL } from "../btf/kinds.js";
import { openBpfObject, type BpfObject } from "../btf/object.js";
import { rewriteObject, type ObjectRewrite } from "../btf/rewrite.js";
import type { BtfType } from "../btf/types.js";
import { SHF_ALLOC, SHT_PROGBITS, STB_GLOBAL, STT_OBJECT } from "../elf/constants.js";
import type { ElfEditor } from "../elf/write.js";
import { CoreRelocationError, KconfigError } from "../errors.js";
import { fillKconfig, kconfigLayout, settleKconfig, virtualExternsFromBtf, type KconfigLayout, type KconfigOptions, type KconfigResult } from "./kconfig.js";
import { relocate, type RelocateOptions, type RelocateResult } from "./relocate.js";

/** Name of the section the `.kconfig` externs become. */
export const KCONFIG_DATA_SECTION = ".rodata.kconfig";

/** A kernel config as text or bytes (plain: gunzip it first). */
export type KernelConfig = string | Uint8Array;

/**
 * Reads a kernel config when, and only when, an extern needs a `CONFIG_`
 * value that `kconfigString` does not give: the config and its name for
 * messages, or undefined when there is none.
 */
export type KernelConfigProvider = () => { config: KernelConfig; configName?: string } | undefined;

/** Options of {@link relocateForLoad}. */
export interface PipelineOptions extends RelocateOptions, Omit<KconfigOptions, "config"> {
  /** The kernel config, or a provider called only when the object has `CONFIG_` externs that `kconfigString` leaves unset. */
  config?: KernelConfig | KernelConfigProvider;
  /** LINUX_HAS_BPF_COOKIE; default: what the target BTF implies (see virtualExternsFromBtf). */
  hasBpfCookie?: boolean;
  /** LINUX_HAS_SYSCALL_WRAPPER; default: what the target BTF implies (see virtualExternsFromBtf). */
  hasSyscallWrapper?: boolean;
  /** Fail instead of poisoning an instruction. */
  strict?: boolean;
}

/** Result of {@link relocateForLoad}. */
export interface PipelineResult {
  /** The relocated object. */
  output: Uint8Array;
  /** Every CO-RE relocation decision. */
  relocation: RelocateResult;
  /** The `.kconfig` externs and their values, when the object has any. */
  kconfig?: KconfigResult;
}


/**
 * `.BTF.ext` without the applied CO-RE records, and where the `.rel.BTF.ext`
 * entries of the records kept move to (those of the applied ones go);
 * undefined when nothing changes.
 */
function withoutAppliedRecords(ext: BtfExt, applied: Set<string>): ObjectRewrite["ext"] {
  // A 24-byte header has no CO-RE subsection: nothing was applied from it.
  if (ext.hdrLen < 32 || applied.size === 0) return undefined;
  const before = coreRecordOffsets(ext).records;
  const kept: BtfExt["coreRelos"] = [];
  const keptAt: Array<{ block: number; record: number; from: number }> = [];
  ext.coreRelos.forEach((block, b) => {
    const records = block.records.filter((_, r) => !applied.has(`${b}:${r}`));
    block.records.forEach((rec, r) => {
      if (!applied.has(`${b}:${r}`)) keptAt.push({ block: kept.length, record: records.indexOf(rec), from: before[b][r] });
    });
    if (records.length) kept.push({ secNameOff: block.secNameOff, records });
  });
  const next: BtfExt = { ...ext, coreRelos: kept, layout: undefined };
  const after = coreRecordOffsets(next).records;
  const moved = new Map(keptAt.map((k) => [k.from, after[k.block][k.record]]));
  const coreStart = coreRecordOffsets(ext).start;
  // Entries before the CO-RE subsection (func and line info) keep their offsets.
  return { ext: next, move: (offset) => (offset < coreStart ? offset : moved.get(offset)) };
}
/**
 * Turns the `.kconfig` externs into `.rodata.kconfig`, a data section with
 * their values, and defines their symbols in it.
 */
function addKconfigSection(editor: ElfEditor, result: KconfigResult): void {
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
}

/** The object's BTF describing `.rodata.kconfig` like any other global data section. */
function kconfigBtf(obj: BpfObject, result: KconfigResult): Uint8Array {
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

/**
 * Whether a kernel config must be read: some `CONFIG_` extern is left unset
 * by `kconfigString`, as libbpf decides before it opens its config file. A
 * run without the config finds that out (parsing kconfigString is cheap;
 * the config may be large); one that fails is run again with the config,
 * which fails the same way or resolves what was missing.
 */
function needsConfig(layout: KconfigLayout, opts: PipelineOptions): boolean {
  if (!layout.externs.some((e) => e.name.startsWith("CONFIG_"))) return false;
  if (opts.kconfigString === undefined) return true;
  try {
    const dry = fillKconfig(layout, { ...opts, config: undefined });
    return dry.externs.some((e) => e.name.startsWith("CONFIG_") && e.source !== "kconfigString");
  } catch (e) {
    if (e instanceof KconfigError) return true;
    throw e;
  }
}

/**
 * The options fillKconfig gets: the config read only when a `CONFIG_`
 * extern needs one, and the `LINUX_HAS_*` externs the caller leaves unset
 * taken from the target BTF.
 */
function kconfigOptions(layout: KconfigLayout, opts: PipelineOptions): KconfigOptions {
  const has = (test: (name: string) => boolean) => layout.externs.some((e) => test(e.name));
  const { config, hasBpfCookie, hasSyscallWrapper } = opts;
  const read = typeof config === "function" ? (needsConfig(layout, opts) ? config() : undefined) : { config, configName: opts.configName };
  const needsImplied =
    (hasBpfCookie === undefined && has((n) => n === "LINUX_HAS_BPF_COOKIE")) || (hasSyscallWrapper === undefined && has((n) => n === "LINUX_HAS_SYSCALL_WRAPPER"));
  const implied = needsImplied ? virtualExternsFromBtf(opts.target) : undefined;
  return {
    ...opts,
    config: read?.config,
    configName: read?.configName ?? opts.configName,
    hasBpfCookie: hasBpfCookie ?? implied?.hasBpfCookie,
    hasSyscallWrapper: hasSyscallWrapper ?? implied?.hasSyscallWrapper,
  };
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
  const rewrite: ObjectRewrite = { sections: relocation.sections };
  if (obj.ext) {
    const applied = new Set<string>();
    const blockOf = new Map(obj.ext.coreRelos.map((blk, i) => [obj.btf.str(blk.secNameOff), i]));
    for (const d of relocation.decisions) applied.add(`${blockOf.get(d.section)}:${d.relo}`);
    rewrite.ext = withoutAppliedRecords(obj.ext, applied);
  }
  const step = kconfigStep(obj, opts);
  if (step.error) throw step.error;
  const kconfig = step.result;
  if (kconfig) {
    rewrite.btf = { bytes: kconfigBtf(obj, kconfig) };
    rewrite.edit = (editor) => addKconfigSection(editor, kconfig);
  }
  return { output: rewriteObject(obj, rewrite), relocation, kconfig };
}

/** The `.kconfig` step of {@link relocateForLoad}, its failure returned instead of thrown. */
export interface KconfigStep {
  /** The externs and their layout; undefined when the object's externs are refused (`error` says why). */
  layout?: KconfigLayout;
  /** The options fillKconfig got (the config read only when needed); undefined when there are no externs. */
  options?: KconfigOptions;
  /** The values, as settleKconfig gives them (after a failure, those decided before it); undefined when there are no externs. */
  result?: KconfigResult;
  /** What relocateForLoad throws for the externs. */
  error?: KconfigError;
}

/**
 * What relocateForLoad decides for an object's `.kconfig` externs, on one
 * code path for `core reloc` and `core explain`: the layout, the kernel
 * config read only when a `CONFIG_` extern needs it, the values.
 */
export function kconfigStep(obj: BpfObject, opts: PipelineOptions): KconfigStep {
  let layout: KconfigLayout | undefined;
  let options: KconfigOptions;
  try {
    layout = kconfigLayout(obj);
    if (!layout.externs.length) return { layout };
    // The config provider fails with a KconfigError too (a config too large to read, a corrupt gzip).
    options = kconfigOptions(layout, opts);
  } catch (e) {
    if (e instanceof KconfigError) return { layout, error: e };
    throw e;
  }
  const { result, error } = settleKconfig(layout, options);
  return { layout, options, result, error };
}

/**
 * JSON.stringify replacer of the CO-RE reports: 64-bit values (bigints) as
 * decimal strings, bytes (a Uint8Array, which would otherwise serialise as an
 * object keyed by index) as a hex string.
 */
export function reportValue(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("");
  return value;
}

/** The report of `btfkit core reloc --report`: every relocation decision and extern value, as JSON. */
export function relocationReportJson(result: PipelineResult): string {
  return JSON.stringify({ relocations: result.relocation.decisions, kconfig: result.kconfig ?? null }, reportValue, 2) + "\n";
}
