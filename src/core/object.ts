/** The CO-RE engine's view of a BPF object is the object model of src/btf/object.ts. */
export { BPF_INSN_SIZE, BpfObject, openBpfObject, programAt, type BpfProgram } from "../btf/object.js";
