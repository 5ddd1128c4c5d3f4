/** Results of CO-RE relocation: one decision per `.BTF.ext` CO-RE record. */

/** Why a candidate target type was or was not used. */
export interface CandidateReport {
  /** Which target BTF: "vmlinux" or a module's name. */
  btf: string;
  typeId: number;
  /** Type as C names it, e.g. `struct task_struct`. */
  name: string;
  matched: boolean;
  /** In words: what matched, or the first thing that did not. */
  reason: string;
  /** Target access spec when matched, e.g. `0:13` with its offset. */
  spec?: string;
}

/** The instruction change a decision makes. */
export type InsnPatch =
  | { op: "imm"; from: number; to: number }
  | { op: "off"; from: number; to: number; memSize?: { from: number; to: number } }
  | { op: "imm64"; from: bigint; to: bigint }
  | { op: "poison" }
  | { op: "none" };

/** What relocating one CO-RE record decided, and why. */
export interface CoreDecision {
  /** ELF section holding the instruction (the `.BTF.ext` section name). */
  section: string;
  /** Program (function symbol) containing the instruction. */
  program: string;
  /** Index of the record within its section's CO-RE block: libbpf's `relo #N`. */
  relo: number;
  /** Instruction index from the start of the section. */
  sectionInsn: number;
  /** Instruction index from the start of the program: libbpf's `insn #N`. */
  insn: number;
  kind: number;
  kindName: string;
  localTypeId: number;
  /** Access string as recorded by clang, e.g. `0:1:3`. */
  accessString: string;
  /** Local spec in words, e.g. `struct task_struct.pid (0:92 @ offset 1264)`. */
  localSpec: string;
  /** Chosen target (first matching candidate), if any. */
  targetBtf?: string;
  targetTypeId?: number;
  targetSpec?: string;
  /** Value the instruction had (from the local spec). */
  origValue: bigint;
  /** Value the instruction gets. Meaningless when poisoned or failed. */
  newValue: bigint;
  /** The instruction was turned into an invalid call (libbpf's poisoning). */
  poisoned: boolean;
  /** Set when libbpf would fail the whole load for this record (ambiguity, bad instruction...). */
  error?: string;
  patch: InsnPatch;
  candidates: CandidateReport[];
  /** One-line explanation of the outcome. */
  reason: string;
}
