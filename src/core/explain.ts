/** `core explain`: relocation decisions in words, and as JSON. */
import type { RelocateResult } from "./relocate.js";
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

/** Decisions in words, one block per record, then a count of the outcomes. */
export function explainText(result: RelocateResult): string {
  const ds = result.decisions;
  const failed = ds.filter((d) => d.error).length;
  const poisoned = ds.filter((d) => !d.error && d.poisoned).length;
  const parts = ds.map(decisionText);
  parts.push(`${ds.length} relocations: ${ds.length - failed - poisoned} patched, ${poisoned} poisoned, ${failed} failed`);
  return parts.join("\n\n") + "\n";
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

/** Options of {@link explainJson}. */
export interface ExplainJsonOptions {
  /** Indented (4 spaces, as bpftool's `-p` indents), instead of one line. */
  pretty?: boolean;
}

/** Decisions as JSON; 64-bit values as decimal strings. */
export function explainJson(result: RelocateResult, opts: ExplainJsonOptions = {}): string {
  return JSON.stringify({ decisions: result.decisions, firstFailure: result.firstFailure ?? null }, reportValue, opts.pretty ? 4 : undefined) + "\n";
}
