/**
 * Decoded BTF types: one plain-object variant per kind, named after the
 * kernel's kinds. Produced on demand by `Btf.type(id)` and consumed by the
 * encoder and builder; hot paths read fields through `Btf` accessors instead.
 */
import type { BtfKind } from "./kinds.js";

/** BTF_KIND_INT: an integer type. */
export interface IntType {
  kind: "int";
  name: string;
  size: number;
  /** BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL bits. */
  encoding: number;
  bitOffset: number;
  bits: number;
}

/** BTF_KIND_PTR: a pointer. */
export interface PtrType {
  kind: "ptr";
  type: number;
}

/** BTF_KIND_ARRAY: an array of `nelems` elements. */
export interface ArrayType {
  kind: "array";
  type: number;
  indexType: number;
  nelems: number;
}

/** A struct or union member. */
export interface Member {
  name: string;
  type: number;
  bitOffset: number;
  /** 0 when the member is not a bitfield. */
  bitfieldSize: number;
}

/** BTF_KIND_STRUCT or BTF_KIND_UNION. */
export interface CompositeType {
  kind: "struct" | "union";
  name: string;
  size: number;
  /** Whether member offsets pack a bitfield size in their top 8 bits. */
  kflag: boolean;
  members: Member[];
}

/** One enumerator of an ENUM. */
export interface EnumValue {
  name: string;
  /** Signed 32-bit value when the enum is signed, unsigned otherwise. */
  value: number;
}

/** BTF_KIND_ENUM: an enum with 32-bit values. */
export interface EnumType {
  kind: "enum";
  name: string;
  size: number;
  signed: boolean;
  values: EnumValue[];
}

/** One enumerator of an ENUM64. */
export interface Enum64Value {
  name: string;
  value: bigint;
}

/** BTF_KIND_ENUM64: an enum with 64-bit values. */
export interface Enum64Type {
  kind: "enum64";
  name: string;
  size: number;
  signed: boolean;
  values: Enum64Value[];
}

/** BTF_KIND_FWD: a forward declaration of a struct or union. */
export interface FwdType {
  kind: "fwd";
  name: string;
  union: boolean;
}

/** BTF_KIND_TYPEDEF, VOLATILE, CONST or RESTRICT: a name or qualifier for another type. */
export interface RefType {
  kind: "typedef" | "volatile" | "const" | "restrict";
  name: string;
  type: number;
}

/** BTF_KIND_TYPE_TAG: a tag on a pointee type (`__user`, `__rcu`, ...). */
export interface TypeTagType {
  kind: "type_tag";
  name: string;
  type: number;
  /** libbpf >= 1.6: set for a plain `__attribute__((name))` tag. */
  kflag: boolean;
}

/** BTF_KIND_FUNC: a function, its prototype in `type`. */
export interface FuncType {
  kind: "func";
  name: string;
  type: number;
  /** 0 static, 1 global, 2 extern (stored in vlen). */
  linkage: number;
}

/** One parameter of a function prototype. */
export interface Param {
  name: string;
  type: number;
}

/** BTF_KIND_FUNC_PROTO: a function prototype. */
export interface FuncProtoType {
  kind: "func_proto";
  returnType: number;
  params: Param[];
}

/** BTF_KIND_VAR: a global or static variable. */
export interface VarType {
  kind: "var";
  name: string;
  type: number;
  linkage: number;
}

/** One variable of a DATASEC: its VAR (or FUNC) type, offset and size. */
export interface VarSecinfo {
  type: number;
  offset: number;
  size: number;
}

/** BTF_KIND_DATASEC: a data section and the variables in it. */
export interface DatasecType {
  kind: "datasec";
  name: string;
  size: number;
  vars: VarSecinfo[];
}

/** BTF_KIND_FLOAT: a floating-point type. */
export interface FloatType {
  kind: "float";
  name: string;
  size: number;
}

/** BTF_KIND_DECL_TAG: a tag on a declaration, a member or a parameter. */
export interface DeclTagType {
  kind: "decl_tag";
  name: string;
  type: number;
  /** -1 for the whole declaration, else a member or parameter index. */
  componentIdx: number;
  kflag: boolean;
}

/** A kind this library does not know, described by a 7.1+ layout section. Kept verbatim. */
export interface UnknownType {
  kind: "unknown";
  kindNumber: number;
  name: string;
  info: number;
  sizeOrType: number;
  /** Bytes after the 12-byte common record. */
  data: Uint8Array;
}

/** One decoded BTF type: a discriminated union on `kind`. */
export type BtfType =
  | IntType
  | PtrType
  | ArrayType
  | CompositeType
  | EnumType
  | Enum64Type
  | FwdType
  | RefType
  | TypeTagType
  | FuncType
  | FuncProtoType
  | VarType
  | DatasecType
  | FloatType
  | DeclTagType
  | UnknownType;

/** The decoded variant of kind `K`: `BtfTypeOf<"struct">` is a struct's `CompositeType`. */
export type BtfTypeOf<K extends BtfKind> = BtfType & { kind: K };

/** A copy of a decoded type with every type id it holds passed through `f`. @internal */
export function remapTypeIds(t: BtfType, f: (id: number) => number): BtfType {
  switch (t.kind) {
    case "ptr":
    case "typedef":
    case "volatile":
    case "const":
    case "restrict":
    case "type_tag":
    case "func":
    case "var":
    case "decl_tag":
      return { ...t, type: f(t.type) };
    case "array":
      return { ...t, type: f(t.type), indexType: f(t.indexType) };
    case "struct":
    case "union":
      return { ...t, members: t.members.map((m) => ({ ...m, type: f(m.type) })) };
    case "func_proto":
      return { ...t, returnType: f(t.returnType), params: t.params.map((p) => ({ ...p, type: f(p.type) })) };
    case "datasec":
      return { ...t, vars: t.vars.map((v) => ({ ...v, type: f(v.type) })) };
    default:
      return t;
  }
}
