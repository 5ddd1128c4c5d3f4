/**
 * BTF kinds and the one description of their records (include/uapi/linux/btf.h).
 * Every pass that walks records (the decoder, encode, dedup, the dumps, CO-RE)
 * sizes them and finds their type ids and names through `KIND_DESCRIPTORS`;
 * adding a kind means adding its descriptor here and its variant to `types.ts`.
 */

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

/** INT encoding bit: signed. */
export const BTF_INT_SIGNED = 1;
/** INT encoding bit: a character type. */
export const BTF_INT_CHAR = 2;
/** INT encoding bit: a boolean. */
export const BTF_INT_BOOL = 4;

/** Linkage of a FUNC or VAR: static. */
export const BTF_LINKAGE_STATIC = 0;
/** Linkage: global. */
export const BTF_LINKAGE_GLOBAL = 1;
/** Linkage: extern (defined elsewhere). */
export const BTF_LINKAGE_EXTERN = 2;

/** A BTF kind by its kernel name, lower case: the library's one vocabulary for kinds. */
export type BtfKind =
  | "int"
  | "ptr"
  | "array"
  | "struct"
  | "union"
  | "enum"
  | "fwd"
  | "typedef"
  | "volatile"
  | "const"
  | "restrict"
  | "func"
  | "func_proto"
  | "var"
  | "datasec"
  | "float"
  | "decl_tag"
  | "type_tag"
  | "enum64";

/** How one kind's record is laid out: a 12-byte common part, `infoWords` words, then `vlen` elements. */
export interface KindDescriptor {
  readonly number: number;
  readonly name: BtfKind | "unknown";
  /** Upper-case name as bpftool prints it. */
  readonly label: string;
  /** 32-bit words after the common part, before the elements. */
  readonly infoWords: number;
  /** 32-bit words per element (member, enumerator, parameter, section variable). */
  readonly elemWords: number;
  /** Record words holding a type id (2 is the size/type word), in libbpf's visiting order (btf_field_iter). */
  readonly typeWords: readonly number[];
  /** Word within each element holding a type id, or -1. */
  readonly elemTypeWord: number;
  /** Word within each element holding a string offset, or -1. */
  readonly elemNameWord: number;
  /** Whether the size/type word is a byte size. */
  readonly sized: boolean;
}

function kind(
  number: number,
  name: BtfKind,
  infoWords: number,
  elemWords: number,
  typeWords: number[],
  elemTypeWord: number,
  elemNameWord: number,
  sized: boolean,
): KindDescriptor {
  return { number, name, label: name.toUpperCase(), infoWords, elemWords, typeWords, elemTypeWord, elemNameWord, sized };
}

const UNKNOWN_KIND: KindDescriptor = {
  number: 0,
  name: "unknown",
  label: "UNKNOWN",
  infoWords: 0,
  elemWords: 0,
  typeWords: [],
  elemTypeWord: -1,
  elemNameWord: -1,
  sized: false,
};

/** Descriptors of the known kinds, indexed by kind number (0 is void/unknown). */
export const KIND_DESCRIPTORS: readonly KindDescriptor[] = [
  UNKNOWN_KIND,
  kind(BTF_KIND_INT, "int", 1, 0, [], -1, -1, true),
  kind(BTF_KIND_PTR, "ptr", 0, 0, [2], -1, -1, false),
  // struct btf_array { type, index_type, nelems }
  kind(BTF_KIND_ARRAY, "array", 3, 0, [3, 4], -1, -1, false),
  // struct btf_member { name_off, type, offset }
  kind(BTF_KIND_STRUCT, "struct", 0, 3, [], 1, 0, true),
  kind(BTF_KIND_UNION, "union", 0, 3, [], 1, 0, true),
  // struct btf_enum { name_off, val }
  kind(BTF_KIND_ENUM, "enum", 0, 2, [], -1, 0, true),
  // FWD's type word is always 0, but libbpf visits it like any reference.
  kind(BTF_KIND_FWD, "fwd", 0, 0, [2], -1, -1, false),
  kind(BTF_KIND_TYPEDEF, "typedef", 0, 0, [2], -1, -1, false),
  kind(BTF_KIND_VOLATILE, "volatile", 0, 0, [2], -1, -1, false),
  kind(BTF_KIND_CONST, "const", 0, 0, [2], -1, -1, false),
  kind(BTF_KIND_RESTRICT, "restrict", 0, 0, [2], -1, -1, false),
  kind(BTF_KIND_FUNC, "func", 0, 0, [2], -1, -1, false),
  // struct btf_param { name_off, type }
  kind(BTF_KIND_FUNC_PROTO, "func_proto", 0, 2, [2], 1, 0, false),
  // struct btf_var { linkage }
  kind(BTF_KIND_VAR, "var", 1, 0, [2], -1, -1, false),
  // struct btf_var_secinfo { type, offset, size }
  kind(BTF_KIND_DATASEC, "datasec", 0, 3, [], 0, -1, true),
  kind(BTF_KIND_FLOAT, "float", 0, 0, [], -1, -1, true),
  // struct btf_decl_tag { component_idx }
  kind(BTF_KIND_DECL_TAG, "decl_tag", 1, 0, [2], -1, -1, false),
  kind(BTF_KIND_TYPE_TAG, "type_tag", 0, 0, [2], -1, -1, false),
  // struct btf_enum64 { name_off, val_lo32, val_hi32 }
  kind(BTF_KIND_ENUM64, "enum64", 0, 3, [], -1, 0, true),
];

const KIND_NUMBERS: ReadonlyMap<string, number> = new Map(KIND_DESCRIPTORS.slice(1).map((d) => [d.name, d.number]));

/** The descriptor of a known kind, or undefined. */
export function kindDescriptor(kind: number): KindDescriptor | undefined {
  return kind >= 1 && kind <= BTF_KIND_MAX_KNOWN ? KIND_DESCRIPTORS[kind] : undefined;
}

/** Kind number of a kind name. */
export function kindNumber(name: BtfKind): number {
  return KIND_NUMBERS.get(name)!;
}

/** Upper-case kind name as bpftool prints it ("UNKNOWN" for kinds this library does not know). */
export function kindName(kind: number): string {
  return kindDescriptor(kind)?.label ?? "UNKNOWN";
}

/** Per kind number: fixed words of a record (-1 for unknown kinds) and words per element; parsing sizes every record through these. */
const FIXED_WORDS = Int32Array.from({ length: 128 }, (_, k) => (kindDescriptor(k) ? 3 + KIND_DESCRIPTORS[k].infoWords : -1));
const ELEM_WORDS = Int32Array.from({ length: 128 }, (_, k) => kindDescriptor(k)?.elemWords ?? 0);

/** Words in a known kind's record with `vlen` elements, or -1 for unknown kinds. */
export function recordWords(kind: number, vlen: number): number {
  const fixed = FIXED_WORDS[kind & 0x7f];
  return fixed < 0 ? -1 : fixed + vlen * ELEM_WORDS[kind & 0x7f];
}

/**
 * Writes the word index of every type id in the record of a known kind at word
 * `p` into `out`, in libbpf's visiting order; returns how many.
 */
export function typeIdSlots(kind: number, vlen: number, p: number, out: Int32Array): number {
  const d = kindDescriptor(kind);
  if (!d) return 0;
  let n = 0;
  for (const w of d.typeWords) out[n++] = p + w;
  if (d.elemTypeWord >= 0) {
    for (let i = 0, q = p + 3 + d.infoWords + d.elemTypeWord; i < vlen; i++, q += d.elemWords) out[n++] = q;
  }
  return n;
}

/** Writes the word index of every string offset in a record at word `p` into `out` (the name first); returns how many. */
export function nameSlots(kind: number, vlen: number, p: number, out: Int32Array): number {
  out[0] = p;
  const d = kindDescriptor(kind);
  if (!d || d.elemNameWord < 0) return 1;
  for (let i = 0, q = p + 3 + d.infoWords + d.elemNameWord; i < vlen; i++, q += d.elemWords) out[i + 1] = q;
  return vlen + 1;
}

/** Kinds that qualify the type they refer to: const, volatile, restrict and type tags. */
export function isModifierKind(kind: number): boolean {
  return (
    kind === BTF_KIND_VOLATILE || kind === BTF_KIND_CONST || kind === BTF_KIND_RESTRICT || kind === BTF_KIND_TYPE_TAG
  );
}

/** STRUCT or UNION. */
export function isCompositeKind(kind: number): boolean {
  return kind === BTF_KIND_STRUCT || kind === BTF_KIND_UNION;
}

/** ENUM or ENUM64. */
export function isEnumKind(kind: number): boolean {
  return kind === BTF_KIND_ENUM || kind === BTF_KIND_ENUM64;
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
