/**
 * Applying a relocation result to a BPF instruction (libbpf's
 * bpf_core_patch_insn): ALU immediates, load/store offsets (and sizes), and
 * 64-bit immediates; or poisoning the instruction so the verifier rejects it
 * if, and only if, it is reachable.
 */
import { RelocationFailure } from "./spec.js";
import type { InsnPatch } from "./types.js";

export interface RelocationResult {
  /** Value the local spec gives (what the compiler put in the instruction). */
  orig: bigint;
  /** Value for the target. */
  value: bigint;
  poison: boolean;
  /** Whether the instruction must currently hold `orig`. */
  validate: boolean;
  /** Load/store sizes of the field locally and in the target (0 when not a plain field access). */
  origSize: number;
  newSize: number;
  /** The size changed in a way a load cannot follow (signed or non-integer field). */
  failMemSize: boolean;
}

/** The helper-call imm libbpf poisons with: 0xbad2310, "bad relo". */
export const POISON_IMM = 195896080;

const BPF_LD = 0x00;
const BPF_LDX = 0x01;
const BPF_ST = 0x02;
const BPF_STX = 0x03;
const BPF_ALU = 0x04;
const BPF_ALU64 = 0x07;
const BPF_JMP_CALL = 0x85;
const BPF_LD_IMM64 = 0x18;
const SHRT_MAX = 32767;

const SIZE_CODES: Record<number, number> = { 8: 0x18, 4: 0x00, 2: 0x08, 1: 0x10 };
const SIZE_BYTES: Record<number, number> = { 0x18: 8, 0x00: 4, 0x08: 2, 0x10: 1 };

/** A view of one 8-byte instruction in the program's byte order. */
class Insn {
  private readonly view: DataView;
  constructor(
    code: Uint8Array,
    readonly at: number,
    private readonly le: boolean,
  ) {
    this.view = new DataView(code.buffer, code.byteOffset + at * 8, 8);
  }
  get code(): number {
    return this.view.getUint8(0);
  }
  set code(v: number) {
    this.view.setUint8(0, v);
  }
  /** The register byte; nibble order depends on the byte order, but zero is zero either way. */
  get regs(): number {
    return this.view.getUint8(1);
  }
  get srcReg(): number {
    const r = this.regs;
    return this.le ? r >> 4 : r & 0x0f;
  }
  get off(): number {
    return this.view.getInt16(2, this.le);
  }
  set off(v: number) {
    this.view.setInt16(2, v, this.le);
  }
  get imm(): number {
    return this.view.getInt32(4, this.le);
  }
  set imm(v: number) {
    this.view.setInt32(4, v, this.le);
  }
  poison(): void {
    this.view.setUint8(0, BPF_JMP_CALL);
    this.view.setUint8(1, 0);
    this.view.setInt16(2, 0, this.le);
    this.view.setInt32(4, POISON_IMM, this.le);
  }
}

/** C's conversion of a signed field to u64, as libbpf compares them. */
const u64 = (v: number) => BigInt.asUintN(64, BigInt(v));

/**
 * Patches instruction `index` of `code` (a section's bytes) per `res`.
 * `end` is the index just past the program, bounding an ldimm64's second half.
 * Throws RelocationFailure where libbpf fails the load.
 */
export function patchInstruction(code: Uint8Array, index: number, res: RelocationResult, le: boolean, end: number): InsnPatch {
  const insn = new Insn(code, index, le);
  const isLdImm64 = insn.code === BPF_LD_IMM64;
  const poison = (): InsnPatch => {
    // Both halves of an ldimm64, so the verifier does not trip over a stray second half first.
    if (isLdImm64 && index + 1 < end) new Insn(code, index + 1, le).poison();
    insn.poison();
    return { op: "poison" };
  };
  if (res.poison) return poison();
  const cls = insn.code & 0x07;
  switch (cls) {
    case BPF_ALU:
    case BPF_ALU64: {
      if (insn.code & 0x08) throw new RelocationFailure(`instruction #${index} is an ALU op with a register source, not an immediate`);
      const from = insn.imm;
      if (res.validate && u64(from) !== res.orig) {
        throw new RelocationFailure(`unexpected instruction #${index} (ALU/ALU64) value: got ${from}, expected ${res.orig} -> ${res.value}`);
      }
      insn.imm = Number(BigInt.asIntN(32, res.value));
      return { op: "imm", from, to: insn.imm };
    }
    case BPF_LDX:
    case BPF_ST:
    case BPF_STX: {
      const from = insn.off;
      if (res.validate && u64(from) !== res.orig) {
        throw new RelocationFailure(`unexpected instruction #${index} (LDX/ST/STX) value: got ${from}, expected ${res.orig} -> ${res.value}`);
      }
      if (res.value > SHRT_MAX) throw new RelocationFailure(`instruction #${index} (LDX/ST/STX) offset ${res.value} does not fit in 16 bits`);
      if (res.failMemSize) return poison();
      insn.off = Number(res.value);
      const patch: InsnPatch = { op: "off", from, to: insn.off };
      if (res.newSize !== res.origSize) {
        const have = SIZE_BYTES[insn.code & 0x18];
        if (have !== res.origSize) {
          throw new RelocationFailure(`instruction #${index} (LDX/ST/STX) accesses ${have} bytes, expected ${res.origSize}`);
        }
        const sizeCode = SIZE_CODES[res.newSize];
        if (sizeCode === undefined) throw new RelocationFailure(`instruction #${index} (LDX/ST/STX) cannot load ${res.newSize} bytes`);
        insn.code = (insn.code & 0xe0) | sizeCode | cls;
        patch.memSize = { from: res.origSize, to: res.newSize };
      }
      return patch;
    }
    case BPF_LD: {
      const second = index + 1 < end ? new Insn(code, index + 1, le) : undefined;
      if (!isLdImm64 || insn.srcReg !== 0 || insn.off !== 0 || !second || second.code !== 0 || second.regs !== 0 || second.off !== 0) {
        throw new RelocationFailure(`instruction #${index} (LDIMM64) has an unexpected form`);
      }
      const from = (BigInt(second.imm >>> 0) << 32n) | BigInt(insn.imm >>> 0);
      if (res.validate && from !== res.orig) {
        throw new RelocationFailure(`unexpected instruction #${index} (LDIMM64) value: got ${from}, expected ${res.orig} -> ${res.value}`);
      }
      insn.imm = Number(BigInt.asIntN(32, res.value));
      second.imm = Number(BigInt.asIntN(32, res.value >> 32n));
      return { op: "imm64", from, to: res.value };
    }
    default:
      throw new RelocationFailure(`instruction #${index} (opcode 0x${insn.code.toString(16)}) cannot be relocated`);
  }
}
