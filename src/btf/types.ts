/**
 * Decoded BTF types: one plain-object variant per kind, named after the
 * kernel's kinds. Produced on demand by `Btf.type(id)` and consumed by the
 * encoder and builder; hot paths read fields through `Btf` accessors instead.
 */
import type { BtfKind } from "./kinds.js";

export interface IntType {
  kind: "int";
  name: string;
  size: number;
  /** BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL bits. */
  encoding: number;
  bitOffset: number;
  bits: number;
}

export interface PtrType {
  kind: "ptr";
  type: number;
}

export interface ArrayType {
  kind: "array";
  type: number;
  indexType: number;
  nelems: number;
}

export interface Member {
  name: string;
  type: number;
  bitOffset: number;
  /** 0 when the member is not a bitfield. */
  bitfieldSize: number;
}

export interface CompositeType {
  kind: "struct" | "union";
  name: string;
  size: number;
  /** Whether member offsets pack a bitfield size in their top 8 bits. */
  kflag: boolean;
  members: Member[];
}

export interface EnumValue {
  name: string;
  /** Signed 32-bit value when the enum is signed, unsigned otherwise. */
  value: number;
}

export interface EnumType {
  kind: "enum";
  name: string;
  size: number;
  signed: boolean;
  values: EnumValue[];
}

export interface Enum64Value {
  name: string;
  value: bigint;
}

export interface Enum64Type {
  kind: "enum64";
  name: string;
  size: number;
  signed: boolean;
  values: Enum64Value[];
}

export interface FwdType {
  kind: "fwd";
  name: string;
  union: boolean;
}

export interface RefType {
  kind: "typedef" | "volatile" | "const" | "restrict";
  name: string;
  type: number;
}

export interface TypeTagType {
  kind: "type_tag";
  name: string;
  type: number;
  /** libbpf >= 1.6: set for a plain `__attribute__((name))` tag. */
  kflag: boolean;
}

export interface FuncType {
  kind: "func";
  name: string;
  type: number;
  /** 0 static, 1 global, 2 extern (stored in vlen). */
  linkage: number;
}

export interface Param {
  name: string;
  type: number;
}

export interface FuncProtoType {
  kind: "func_proto";
  returnType: number;
  params: Param[];
}

export interface VarType {
  kind: "var";
  name: string;
  type: number;
  linkage: number;
}

export interface VarSecinfo {
  type: number;
  offset: number;
  size: number;
}

export interface DatasecType {
  kind: "datasec";
  name: string;
  size: number;
  vars: VarSecinfo[];
}

export interface FloatType {
  kind: "float";
  name: string;
  size: number;
}

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
