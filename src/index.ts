/**
 * btfkit's library API: BTF and ELF in, values out. Nothing here does file
 * I/O, so it runs wherever JavaScript runs (Node 20+, browsers). This list is
 * deliberate: every name is in the committed API report (api/btfkit.api.md).
 *
 * @packageDocumentation
 */

// Errors: each carries a `where` (file, section, offset, type id, record, instruction).
export { BaseBtfRequiredError, BtfError, BtfExtError, BtfkitError, CoreRelocationError, ElfError, KconfigError, type Where } from "./errors.js";

// ELF: reading any ELF, editing relocatable objects.
export { ElfFile, isElf, parseElf, type ElfHeaderFields, type ElfRelocation, type ElfSection, type ElfSymbol } from "./elf/read.js";
export { ElfEditor, type EditRelocation, type EditSection, type EditSymbol, type NewSection } from "./elf/write.js";

// The BTF model.
export { Btf, type BtfHeader, type KindLayout, type ParseOptions } from "./btf/btf.js";
export { loadBtf, mergeKernelModules, type LoadOptions } from "./btf/load.js";
export {
  BTF_INT_BOOL,
  BTF_INT_CHAR,
  BTF_INT_SIGNED,
  BTF_LINKAGE_EXTERN,
  BTF_LINKAGE_GLOBAL,
  BTF_LINKAGE_STATIC,
  type BtfKind,
} from "./btf/kinds.js";
export type {
  ArrayType,
  BtfType,
  BtfTypeOf,
  CompositeType,
  DatasecType,
  DeclTagType,
  Enum64Type,
  Enum64Value,
  EnumType,
  EnumValue,
  FloatType,
  FuncProtoType,
  FuncType,
  FwdType,
  IntType,
  Member,
  Param,
  PtrType,
  RefType,
  TypeTagType,
  UnknownType,
  VarSecinfo,
  VarType,
} from "./btf/types.js";
export { BtfBuilder, type BuilderOptions } from "./btf/builder.js";
export type { EncodeOptions } from "./btf/encode.js";

// Dumps, as bpftool prints them.
export { dumpRaw, type DumpOptions } from "./btf/dump-raw.js";
export { dumpJson, type JsonDumpOptions } from "./btf/dump-json.js";
export { dumpExt, type ExtDumpOptions } from "./btf/dump-ext.js";
export { dumpC, unusedKfuncExcludes, type CDialect, type CDumpOptions } from "./btf/dump-c/index.js";
export { resolveRoots } from "./btf/roots.js";
export { dumpPahole, layoutOf, layoutsOf, type MemberLayout, type PaholeOptions, type StructLayout } from "./btf/layout.js";
export {
  diffBtf,
  diffJson,
  diffText,
  type BtfDiff,
  type DiffJsonOptions,
  type DiffKind,
  type DiffOptions,
  type DiffTypeRef,
  type EnumValueChange,
  type MemberChange,
  type MemberChangeKind,
  type MemberState,
  type ParamChange,
  type ParamState,
  type TypeChange,
} from "./btf/diff.js";

// Dedup and merge, as libbpf's btf__dedup.
export { dedupBtf, mergeBtf, type DedupOptions, type DedupResult, type MergeOptions } from "./btf/dedup.js";
export { dedupObject, type ObjectDedupResult } from "./btf/dedup-object.js";

// .BTF.ext and BPF objects.
export {
  CoreReloKind,
  coreReloKindName,
  decodeBtfExt,
  encodeBtfExt,
  lineInfoColumn,
  lineInfoLine,
  type BtfExt,
  type BtfExtInfoSection,
  type BtfExtLayout,
  type CoreRelo,
  type FuncInfo,
  type LineInfo,
} from "./btf/ext.js";
export { BpfObject, openBpfObject, type BpfMapDef, type BpfProgram, type OpenObjectOptions, type PointerSizeRule } from "./btf/object.js";

// CO-RE relocation and kconfig externs.
export {
  relocateAccess,
  relocateObject,
  type AccessAnswer,
  type AccessQuery,
  type RelocateOptions,
  type RelocateResult,
} from "./core/relocate.js";
export type { TargetBtf } from "./core/candidates.js";
export type { CandidateReport, CoreDecision, InsnPatch } from "./core/types.js";
export { explainJson, explainObject, explainText, type ExplainJsonOptions, type ExplainedExtern, type KconfigExplanation, type ObjectExplanation } from "./core/explain.js";
export {
  relocateForLoad,
  relocationReportJson,
  type KernelConfig,
  type KernelConfigProvider,
  type PipelineOptions,
  type PipelineResult,
} from "./core/pipeline.js";
export { checkKernel, checkPortability, type CheckKernel, type PortabilityCell, type PortabilityFailure } from "./core/check.js";
export { generateTypes, type GenerateTypesOptions } from "./core/gen-types.js";
export {
  minimizeBtf,
  type MinimizeObject,
  type MinimizeOptions,
  type MinimizeResult,
  type MinimizedRelocation,
  type MinimizedType,
} from "./core/minimize.js";
export {
  fillKconfig,
  kconfigLayout,
  resolveKconfig,
  virtualExternsFromBtf,
  type KconfigClass,
  type KconfigExtern,
  type KconfigLayout,
  type KconfigOptions,
  type KconfigResult,
  type KconfigSource,
  type ResolvedKconfigExtern,
} from "./core/kconfig.js";
