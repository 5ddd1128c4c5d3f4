/**
 * Type compatibility rules of libbpf's CO-RE matcher (relo_core.c):
 * fields_are_compat for field accesses, types_are_compat for type-based
 * relocations, and types_match for TYPE_MATCHES. Each returns true/false, or
 * throws RelocationFailure where libbpf returns an error (chains deeper than 32).
 */
import type { Btf } from "../btf/btf.js";
import {
  BTF_KIND_ARRAY,
  BTF_KIND_ENUM,
  BTF_KIND_ENUM64,
  BTF_KIND_FLOAT,
  BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD,
  BTF_KIND_INT,
  BTF_KIND_PTR,
  BTF_KIND_STRUCT,
  BTF_KIND_UNION,
  BTF_KIND_UNKN,
  BTF_INT_SIGNED,
  isCompositeKind,
  isEnumKind,
} from "../btf/kinds.js";
import { RelocationFailure, hasEssentialName, nameBytes, type NameBytes } from "./spec.js";

const MAX_DEPTH = 32;

/** Same kind, or both enums of either width. */
export function kindsCoreCompatible(a: number, b: number): boolean {
  return a === b || (isEnumKind(a) && isEnumKind(b));
}

function intSigned(btf: Btf, id: number): boolean {
  return (btf.intEncoding(id) & BTF_INT_SIGNED) !== 0;
}


/** Whether a local field type can be relocated to a target field type (libbpf's bpf_core_fields_are_compat). */
export function fieldsAreCompat(local: Btf, localId: number, targ: Btf, targId: number): boolean {
  for (;;) {
    localId = local.resolve(localId);
    targId = targ.resolve(targId);
    const lk = local.kindNumber(localId);
    const tk = targ.kindNumber(targId);
    if (isCompositeKind(lk) && isCompositeKind(tk)) return true;
    if (!kindsCoreCompatible(lk, tk)) return false;
    switch (lk) {
      case BTF_KIND_PTR:
      case BTF_KIND_FLOAT:
        return true;
      case BTF_KIND_FWD:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: {
        const ln = nameBytes(local, local.nameOff(localId), localId);
        const tn = nameBytes(targ, targ.nameOff(targId), targId);
        // Either side anonymous, or the same name up to flavors.
        return ln.essential === 0 || tn.essential === 0 || hasEssentialName(tn.bytes, tn.pos, ln);
      }
      case BTF_KIND_INT:
        return local.intBitOffset(localId) === 0 && targ.intBitOffset(targId) === 0;
      case BTF_KIND_ARRAY:
        localId = local.arrayElemType(localId);
        targId = targ.arrayElemType(targId);
        continue;
      default:
        return false;
    }
  }
}

/** Whether a local type is compatible with a target type for type-based relocations (bpf_core_types_are_compat). */
export function typesAreCompat(local: Btf, localId: number, targ: Btf, targId: number, level = MAX_DEPTH): boolean {
  if (!kindsCoreCompatible(local.kindNumber(localId), targ.kindNumber(targId))) return false;
  for (let depth = MAX_DEPTH; ; ) {
    if (--depth < 0) throw new RelocationFailure("type chain deeper than 32 while checking compatibility", { typeId: localId });
    localId = local.resolve(localId);
    targId = targ.resolve(targId);
    const lk = local.kindNumber(localId);
    if (!kindsCoreCompatible(lk, targ.kindNumber(targId))) return false;
    switch (lk) {
      case BTF_KIND_UNKN:
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
      case BTF_KIND_ENUM:
      case BTF_KIND_FWD:
      case BTF_KIND_ENUM64:
        return true;
      case BTF_KIND_INT:
        return local.intBitOffset(localId) === 0 && targ.intBitOffset(targId) === 0;
      case BTF_KIND_PTR:
        localId = local.sizeOrType(localId);
        targId = targ.sizeOrType(targId);
        continue;
      case BTF_KIND_ARRAY:
        localId = local.arrayElemType(localId);
        targId = targ.arrayElemType(targId);
        continue;
      case BTF_KIND_FUNC_PROTO: {
        const n = local.vlen(localId);
        if (n !== targ.vlen(targId)) return false;
        for (let i = 0; i < n; i++) {
          if (level <= 0) throw new RelocationFailure("function prototypes nest deeper than 32", { typeId: localId });
          const lp = local.resolve(local.paramType(localId, i));
          const tp = targ.resolve(targ.paramType(targId, i));
          if (!typesAreCompat(local, lp, targ, tp, level - 1)) return false;
        }
        localId = local.resolve(local.sizeOrType(localId));
        targId = targ.resolve(targ.sizeOrType(targId));
        continue;
      }
      default:
        return false;
    }
  }
}

/**
 * Names match for TYPE_MATCHES: an anonymous target matches only an
 * anonymous local; others are equal up to flavors. Out-of-range offsets read as "".
 */
function namesMatch(local: NameBytes, targ: Btf, targNameOff: number): boolean {
  const bytes = targ.strSource(targNameOff);
  const pos = bytes ? targ.strPos(targNameOff) : 0;
  if (!bytes || bytes[pos] === 0) return local.essential === 0;
  return hasEssentialName(bytes, pos, local);
}

function enumsMatch(local: Btf, l: number, targ: Btf, t: number): boolean {
  if (local.sizeOrType(l) !== targ.sizeOrType(t)) return false;
  const ln = local.vlen(l);
  const tn = targ.vlen(t);
  if (ln > tn) return false;
  for (let i = 0; i < ln; i++) {
    const name = nameBytes(local, local.enumValueNameOff(l, i));
    let found = false;
    for (let j = 0; j < tn && !found; j++) found = namesMatch(name, targ, targ.enumValueNameOff(t, j));
    if (!found) return false;
  }
  return true;
}

function compositesMatch(local: Btf, l: number, targ: Btf, t: number, behindPtr: boolean, level: number): boolean {
  const ln = local.vlen(l);
  const tn = targ.vlen(t);
  if (ln > tn) return false;
  for (let i = 0; i < ln; i++) {
    const name = nameBytes(local, local.memberNameOff(l, i));
    let found = false;
    for (let j = 0; j < tn && !found; j++) {
      if (!namesMatch(name, targ, targ.memberNameOff(t, j))) continue;
      found = typesMatch(local, local.memberType(l, i), targ, targ.memberType(t, j), behindPtr, level - 1);
    }
    if (!found) return false;
  }
  return true;
}

/** Whether a local type matches a target type for TYPE_MATCHES (bpf_core_types_match). */
export function typesMatch(local: Btf, localId: number, targ: Btf, targId: number, behindPtr = false, level = MAX_DEPTH): boolean {
  if (level <= 0) throw new RelocationFailure("types nest deeper than 32 while matching", { typeId: localId });
  for (let depth = MAX_DEPTH; ; ) {
    if (--depth < 0) throw new RelocationFailure("type chain deeper than 32 while matching", { typeId: localId });
    localId = local.resolve(localId);
    targId = targ.resolve(targId);
    if (!namesMatch(nameBytes(local, local.nameOff(localId)), targ, targ.nameOff(targId))) return false;
    const lk = local.kindNumber(localId);
    const tk = targ.kindNumber(targId);
    switch (lk) {
      case BTF_KIND_UNKN:
        return tk === BTF_KIND_UNKN;
      case BTF_KIND_FWD: {
        const lf = local.kflag(localId);
        if (lk === tk) return lf === targ.kflag(targId);
        // Behind a pointer a forward declaration also matches the full type of its flavour.
        return behindPtr && ((tk === BTF_KIND_STRUCT && !lf) || (tk === BTF_KIND_UNION && lf));
      }
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return isEnumKind(tk) && enumsMatch(local, localId, targ, targId);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        if (behindPtr) {
          if (lk === tk) return true;
          return tk === BTF_KIND_FWD && (lk === BTF_KIND_UNION) === targ.kflag(targId);
        }
        return lk === tk && compositesMatch(local, localId, targ, targId, behindPtr, level);
      case BTF_KIND_INT:
        return (
          lk === tk &&
          local.sizeOrType(localId) === targ.sizeOrType(targId) &&
          intSigned(local, localId) === intSigned(targ, targId)
        );
      case BTF_KIND_PTR:
        if (lk !== tk) return false;
        behindPtr = true;
        localId = local.sizeOrType(localId);
        targId = targ.sizeOrType(targId);
        continue;
      case BTF_KIND_ARRAY:
        if (lk !== tk || local.arrayLength(localId) !== targ.arrayLength(targId)) return false;
        localId = local.arrayElemType(localId);
        targId = targ.arrayElemType(targId);
        continue;
      case BTF_KIND_FUNC_PROTO: {
        if (lk !== tk) return false;
        const n = local.vlen(localId);
        if (n !== targ.vlen(targId)) return false;
        for (let i = 0; i < n; i++) {
          if (!typesMatch(local, local.paramType(localId, i), targ, targ.paramType(targId, i), behindPtr, level - 1)) return false;
        }
        localId = local.sizeOrType(localId);
        targId = targ.sizeOrType(targId);
        continue;
      }
      default:
        return false;
    }
  }
}
