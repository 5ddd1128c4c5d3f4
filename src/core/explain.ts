/**
 * `core explain`: what `core reloc` (relocateForLoad) decides for an object,
 * in words and as JSON: every CO-RE relocation, and every `.kconfig` extern
 * with its value and where the value came from, or why the externs fail.
 */
import { openBpfObject } from "../btf/object.js";
import type { KconfigExtern, KconfigSource, ResolvedKconfigExtern } from "./kconfig.js";
import { kconfigStep, reportValue, type PipelineOptions } from "./pipeline.js";
import { relocate, type RelocateResult } from "./relocate.js";
import type { CoreDecision, InsnPatch } from "./types.js";

function patchText(p: InsnPatch): string {
  switch (p.op) {
    case "imm":
      return `immediate ${p.from} -> ${p.to}`;
    case "off":
      return `offset ${p.from} -> ${p.to}${p.memSize ? `, load size ${p.memSize.from} -> ${p.memSize.to} bytes` : ""}`;
    case "imm64":
      return `64-bit immediate ${p.from} -> ${p.to}`;
    case "poison":
      return "POISONED: becomes a call to helper #195896080 (0xbad2310); the verifier rejects it only if it is reachable";
    case "none":
      return "not changed";
  }
}

function decisionText(d: CoreDecision): string {
  const lines = [`${d.section}: prog '${d.program}' relo #${d.relo} insn #${d.insn} (${d.kindName})`, `  local:  ${d.localSpec || `[${d.localTypeId}] "${d.accessString}"`}`];
  if (d.targetSpec) lines.push(`  target: ${d.targetSpec}${d.targetBtf && d.targetBtf !== "vmlinux" ? ` in module ${d.targetBtf}` : ""}`);
  if (d.error) lines.push(`  FAILED: ${d.error}`, "          libbpf refuses to load an object with this relocation");
  else lines.push(`  result: ${patchText(d.patch)}`, `  why:    ${d.reason}`);
  if (d.candidates.length) {
    lines.push("  candidates:");
    for (const c of d.candidates) {
      lines.push(`    [${c.typeId}] ${c.name}${c.btf !== "vmlinux" ? ` (module ${c.btf})` : ""}: ${c.matched ? `matches as ${c.spec}` : c.reason}`);
    }
  }
  return lines.join("\n");
}

/** A `.kconfig` extern as relocateForLoad decides it. */
export interface ExplainedExtern extends KconfigExtern {
  /** Where its value comes from; undefined when the externs failed before it got one. */
  source?: KconfigSource;
  /** Its value (a number, or the text of a char array); undefined with `source`. */
  value?: bigint | string;
  /** Where the value came from, in words: the config's name, the kernel release, the option or the target BTF. */
  reason?: string;
}

/** The `.kconfig` externs of an object as relocateForLoad decides them. */
export interface KconfigExplanation {
  /** Every extern, in libbpf's layout order; empty when the object's externs are refused outright (see `error`). */
  externs: ExplainedExtern[];
  /** Size of the `.kconfig` data. */
  size: number;
  /** The message relocateForLoad fails with for the externs; undefined when they resolve. */
  error?: string;
  /** Non-fatal notes, e.g. a string value truncated to fit its array. */
  warnings: string[];
}

/** What {@link explainObject} finds: the relocations, and the externs when the object has any. */
export interface ObjectExplanation extends RelocateResult {
  /** Undefined when the object has no `.kconfig` externs. */
  kconfig?: KconfigExplanation;
}

/** Where a virtual extern's value came from. */
function virtualReason(name: string, opts: PipelineOptions, release: string | undefined): string {
  switch (name) {
    case "LINUX_KERNEL_VERSION":
      return `from kernel release ${JSON.stringify(release)}`;
    case "LINUX_HAS_BPF_COOKIE":
      return opts.hasBpfCookie === undefined ? "implied by the target BTF (BPF_FUNC_get_attach_cookie)" : "from hasBpfCookie";
    case "LINUX_HAS_SYSCALL_WRAPPER":
      return opts.hasSyscallWrapper === undefined ? "implied by the target BTF (an __<arch>_sys_bpf function)" : "from hasSyscallWrapper";
    default:
      return "weak, and not a virtual extern libbpf knows: 0";
  }
}

/**
 * What `core reloc` decides for an object, without failing on what it fails
 * on: every CO-RE relocation (as relocateObject), and the `.kconfig` externs
 * through relocateForLoad's own code, so a value, a source and a failure
 * message are those `core reloc` gets. Takes relocateForLoad's options; as
 * there, a config provider is called only when a `CONFIG_` extern needs it.
 */
export function explainObject(bytes: Uint8Array, opts: PipelineOptions): ObjectExplanation {
  const obj = openBpfObject(bytes);
  const relocation = relocate(obj, opts);
  const step = kconfigStep(obj, opts);
  if (!step.error && !step.result) return relocation;
  const decided = new Map((step.result?.externs ?? []).map((e): [number, ResolvedKconfigExtern] => [e.symbolIndex, e]));
  const options = step.options ?? {};
  const reason = (e: ResolvedKconfigExtern): string => {
    switch (e.source) {
      case "kconfigString":
        return "from kconfigString";
      case "config":
        return `from ${options.configName ?? "the kernel config"}`;
      case "virtual":
        return virtualReason(e.name, opts, options.kernelRelease);
      case "default":
        return "unset (weak): zero";
    }
  };
  const externs = (step.layout?.externs ?? []).map((e): ExplainedExtern => {
    const d = decided.get(e.symbolIndex);
    return d ? { ...d, reason: reason(d) } : { ...e };
  });
  return { ...relocation, kconfig: { externs, size: step.layout?.size ?? 0, error: step.error?.message, warnings: step.result?.warnings ?? [] } };
}

/** libbpf's tristate values. */
const TRISTATE = ["n", "y", "m"];

function valueText(e: ExplainedExtern): string {
  if (typeof e.value === "string") return JSON.stringify(e.value);
  if (e.class === "tristate" && e.value !== undefined && e.value < 3n) return TRISTATE[Number(e.value)];
  return String(e.value);
}

function externText(e: ExplainedExtern): string {
  const what = `${e.class}, ${e.weak ? "weak" : "strong"}`;
  return e.source === undefined ? `  ${e.name} (${what}): not resolved` : `  ${e.name} = ${valueText(e)} (${what}): ${e.reason}`;
}

function kconfigText(k: KconfigExplanation): string {
  const lines = [".kconfig externs:", ...k.externs.map(externText), ...k.warnings.map((w) => `  warning: ${w}`)];
  if (k.error) lines.push(`  FAILED: ${k.error}`, "          libbpf refuses to load an object with these externs");
  return lines.join("\n");
}

/** The summary of the externs: an extern without a value failed; a failure that leaves none without (a bad config line, a refused extern) counts one. */
function kconfigSummary(k: KconfigExplanation): string {
  const resolved = k.externs.filter((e) => e.source !== undefined).length;
  const failed = k.error ? Math.max(1, k.externs.length - resolved) : 0;
  return `${k.externs.length} externs: ${resolved} resolved, ${failed} failed`;
}

/**
 * The decisions in words: one block per relocation, the `.kconfig` externs
 * (when the object has any), then a count of the outcomes.
 */
export function explainText(result: ObjectExplanation): string {
  const ds = result.decisions;
  const failed = ds.filter((d) => d.error).length;
  const poisoned = ds.filter((d) => !d.error && d.poisoned).length;
  const parts = ds.map(decisionText);
  let summary = `${ds.length} relocations: ${ds.length - failed - poisoned} patched, ${poisoned} poisoned, ${failed} failed`;
  if (result.kconfig) {
    parts.push(kconfigText(result.kconfig));
    summary += `; ${kconfigSummary(result.kconfig)}`;
  }
  parts.push(summary);
  return parts.join("\n\n") + "\n";
}

/** Options of {@link explainJson}. */
export interface ExplainJsonOptions {
  /** Indented (4 spaces, as bpftool's `-p` indents), instead of one line. */
  pretty?: boolean;
}

/**
 * The decisions as JSON: `decisions`, `firstFailure`, and `kconfig` (when
 * the object has externs: `externs`, `size`, `error`, `warnings`); 64-bit
 * values as decimal strings.
 */
export function explainJson(result: ObjectExplanation, opts: ExplainJsonOptions = {}): string {
  const k = result.kconfig;
  const kconfig = k ? { kconfig: { externs: k.externs, size: k.size, error: k.error ?? null, warnings: k.warnings } } : {};
  return JSON.stringify({ decisions: result.decisions, firstFailure: result.firstFailure ?? null, ...kconfig }, reportValue, opts.pretty ? 4 : undefined) + "\n";
}
