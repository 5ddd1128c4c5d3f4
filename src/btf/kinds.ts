/** BTF kind numbers and per-kind record geometry (include/uapi/linux/btf.h). */

export const BTF_KIND_UNKN = 0;
export const BTF_KIND_INT = 1;
export const BTF_KIND_PTR = 2;
export const BTF_KIND_ARRAY = 3;
export const BTF_KIND_STRUCT = 4;
export const BTF_KIND_UNION = 5;
export const BTF_KIND_ENUM = 6;
export const BTF_KIND_FWD = 7;
export const BTF_KIND_TYPEDEF = 8;
export const BTF_KIND_VOLATILE = 9;
export const BTF_KIND_CONST = 10;
export const BTF_KIND_RESTRICT = 11;
export const BTF_KIND_FUNC = 12;
export const BTF_KIND_FUNC_PROTO = 13;
export const BTF_KIND_VAR = 14;
export const BTF_KIND_DATASEC = 15;
export const BTF_KIND_FLOAT = 16;
export const BTF_KIND_DECL_TAG = 17;
export const BTF_KIND_TYPE_TAG = 18;
export const BTF_KIND_ENUM64 = 19;
/** Highest kind this library understands; higher kinds need a layout section. */
export const BTF_KIND_MAX_KNOWN = 19;

/** INT encoding bits. */
export const BTF_INT_SIGNED = 1;
export const BTF_INT_CHAR = 2;
export const BTF_INT_BOOL = 4;

/** FUNC and VAR linkage values. */
export const BTF_LINKAGE_STATIC = 0;
export const BTF_LINKAGE_GLOBAL = 1;
export const BTF_LINKAGE_EXTERN = 2;

/** Upper-case kind names as bpftool prints them. */
export const KIND_NAMES = [
  "UNKNOWN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF", "VOLATILE", "CONST",
  "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64",
] as const;

export function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? "UNKNOWN";
}

/**
 * Bytes after the 12-byte common record: a fixed part plus vlen elements.
 * Mirrors the kernel's per-kind sizes; for kinds above 19 the layout section
 * of a 7.1+ blob supplies the same two numbers.
 */
export const FIXED_EXTRA: readonly number[] = [0, 4, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 4, 0, 0];
export const ELEM_SIZE: readonly number[] = [0, 0, 0, 0, 12, 12, 8, 0, 0, 0, 0, 0, 0, 8, 0, 12, 0, 0, 0, 12];

/** Kinds with a single referenced type in the third word and nothing else. */
export function isRefKind(kind: number): boolean {
  return (
    kind === BTF_KIND_PTR ||
    kind === BTF_KIND_TYPEDEF ||
    kind === BTF_KIND_VOLATILE ||
    kind === BTF_KIND_CONST ||
    kind === BTF_KIND_RESTRICT ||
    kind === BTF_KIND_TYPE_TAG
  );
}

export function isModifierKind(kind: number): boolean {
  return (
    kind === BTF_KIND_VOLATILE || kind === BTF_KIND_CONST || kind === BTF_KIND_RESTRICT || kind === BTF_KIND_TYPE_TAG
  );
}

/**
 * Field packing of the `info` word. The 7.1 UAPI widened vlen to 24 bits and
 * kind to 7 bits; for every blob an older kernel accepts those extra bits are
 * zero, so the wider reading is backwards compatible.
 */
export function infoKind(info: number): number {
  return (info >>> 24) & 0x7f;
}
export function infoVlen(info: number): number {
  return info & 0xffffff;
}
export function infoKflag(info: number): boolean {
  return (info & 0x80000000) !== 0;
}
export function makeInfo(kind: number, vlen: number, kflag: boolean): number {
  return ((kflag ? 0x80000000 : 0) | ((kind & 0x7f) << 24) | (vlen & 0xffffff)) >>> 0;
}
