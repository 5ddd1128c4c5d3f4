/**
 * Portability of CO-RE objects across kernels: for every object on every
 * kernel, the verdict libbpf's load would reach (relocations all applied,
 * some instructions poisoned, or the object refused) and the relocations
 * responsible, from the same engine `core reloc` uses.
 */
import type { Btf } from "../btf/btf.js";
import { openNamedObject, type BpfObject } from "../btf/object.js";
import { CandidateFinder } from "./candidates.js";
import { essentialsOfObject, relocate } from "./relocate.js";
import type { CoreDecision } from "./types.js";

/** A kernel to check against: its BTF and, optionally, its modules' (split on it). */
export interface CheckKernel {
  name: string;
  btf: Btf;
  modules?: ReadonlyArray<{ name: string; btf: Btf }>;
}

/** A relocation that keeps a cell from being `ok`. */
export interface PortabilityFailure {
  program: string;
  /** Instruction index within the program (libbpf's `insn #N`). */
  insn: number;
  /** What the instruction reads, e.g. `task_struct.pid`, `enum bpf_map_type::BPF_MAP_TYPE_RINGBUF`. */
  access: string;
  kind: string;
  /** `poisoned`: the instruction is replaced by an invalid call; `refused`: libbpf fails the load here. */
  outcome: "poisoned" | "refused";
  /** Why, in the words of `core explain`. */
  reason: string;
}

/** One object on one kernel. */
export interface PortabilityCell {
  object: string;
  kernel: string;
  /** `refused` when libbpf fails the load; else `poisoned` when some instruction is poisoned; else `ok`. */
  verdict: "ok" | "poisoned" | "refused";
  /** Relocations libbpf applies (its `patched insn` lines), up to a refusal. */
  patched: number;
  /** Instructions libbpf poisons (its `substituting insn ... w/ invalid insn` lines), up to a refusal. */
  poisoned: number;
  failures: PortabilityFailure[];
}

/** `[5] struct task_struct.pid (0:92 @ offset 1264)` -> `task_struct.pid`. */
function accessOf(d: CoreDecision): string {
  const m = /^\[\d+\] (?:struct |union |enum )?(.*?)(?: \([0-9:]+ @ offset [0-9.]+\))?$/.exec(d.localSpec);
  return m?.[1] || d.accessString;
}

/** One object's cell on a kernel; `finder` searches that kernel's candidates. */
function cellOf(name: string, obj: BpfObject, kernel: CheckKernel, finder: CandidateFinder): PortabilityCell {
  const cell: PortabilityCell = { object: name, kernel: kernel.name, verdict: "ok", patched: 0, poisoned: 0, failures: [] };
  const { decisions } = relocate(obj, { target: kernel.btf, modules: kernel.modules }, finder);
  for (const d of decisions) {
    const failure = (outcome: PortabilityFailure["outcome"]) =>
      cell.failures.push({ program: d.program, insn: d.insn, access: accessOf(d), kind: d.kindName, outcome, reason: d.reason });
    // libbpf stops at the first relocation it fails on, so the counts stop there too.
    if (d.error !== undefined) {
      cell.verdict = "refused";
      failure("refused");
      break;
    }
    if (d.poisoned) {
      cell.poisoned++;
      cell.verdict = "poisoned";
      failure("poisoned");
    } else {
      cell.patched++;
    }
  }
  return cell;
}

/**
 * Every object on one kernel (a column of `checkPortability`'s matrix). The
 * kernel is searched once for the local types of all the objects.
 */
export function checkKernel(objects: ReadonlyArray<{ name: string; object: Uint8Array | BpfObject }>, kernel: CheckKernel): PortabilityCell[] {
  const opened = objects.map(({ name, object }) => ({ name, obj: openNamedObject(name, object) }));
  const finder = new CandidateFinder(
    { name: "vmlinux", btf: kernel.btf },
    (kernel.modules ?? []).map((m) => ({ name: m.name, btf: m.btf })),
    opened.flatMap(({ obj }) => essentialsOfObject(obj)),
  );
  return opened.map(({ name, obj }) => cellOf(name, obj, kernel, finder));
}

/**
 * Every object on every kernel: whether libbpf would load each object on
 * each kernel as it is, with poisoned instructions, or not at all, and which
 * relocations are responsible. Cells come kernel by kernel, objects in order
 * within each. Only CO-RE relocations are judged: `.kconfig` externs depend
 * on each kernel's config, which kernel BTF does not carry.
 */
export function checkPortability(objects: ReadonlyArray<{ name: string; object: Uint8Array | BpfObject }>, kernels: readonly CheckKernel[]): PortabilityCell[] {
  const opened = objects.map(({ name, object }) => ({ name, object: openNamedObject(name, object) }));
  return kernels.flatMap((k) => checkKernel(opened, k));
}
