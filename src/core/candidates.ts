/**
 * Target candidates for a local type: same kind (enum and enum64 count as
 * one), same essential name. Searched in vmlinux first; module BTFs only when
 * vmlinux has none (libbpf's bpf_core_find_cands). Candidates are decided per
 * local type and cached, so all relocations against one local struct see the
 * same target types.
 */
import type { Btf } from "../btf/btf.js";
import { kindsCoreCompatible } from "./compat.js";
import { essentialNameLength, hasEssentialName, nameBytes, type NameBytes } from "./spec.js";

/** A BTF relocations are resolved against: vmlinux or a kernel module split on it. */
export interface TargetBtf {
  /** "vmlinux" or the module's name. */
  name: string;
  btf: Btf;
}

/** A target type that may stand for a local type: same kind, same essential name. */
export interface Candidate {
  target: TargetBtf;
  id: number;
}

/**
 * Candidates in one target BTF, in id order (from `startId`, so a module's
 * base is not searched again): the ids named exactly the essential name, and
 * the flavored ones whose names, compared as bytes, have it.
 */
function candidatesIn(target: TargetBtf, localKind: number, essential: string, local: NameBytes, startId: number): Candidate[] {
  const btf = target.btf;
  const ids = new Set<number>();
  for (const id of btf.idsByName(essential)) if (id >= startId) ids.add(id);
  for (const id of btf.flavoredIds()) {
    if (id < startId) continue;
    const off = btf.nameOff(id);
    if (hasEssentialName(btf.strSource(off)!, btf.strPos(off), local)) ids.add(id);
  }
  return [...ids]
    .sort((a, b) => a - b)
    .filter((id) => kindsCoreCompatible(btf.kindNumber(id), localKind) && btf.nameOff(id) !== 0)
    .map((id) => ({ target, id }));
}

/** Candidates for a named local type: vmlinux first, then modules only if vmlinux had none. */
export function findCandidates(local: Btf, localId: number, vmlinux: TargetBtf, modules: readonly TargetBtf[]): Candidate[] {
  const name = local.name(localId);
  const essential = name.slice(0, essentialNameLength(name));
  const bytes = nameBytes(local, local.nameOff(localId));
  const kind = local.kindNumber(localId);
  const found = candidatesIn(vmlinux, kind, essential, bytes, 1);
  if (found.length) return found;
  for (const m of modules) found.push(...candidatesIn(m, kind, essential, bytes, vmlinux.btf.count));
  return found;
}
