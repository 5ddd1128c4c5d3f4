/**
 * Target candidates for a local type: same kind (enum and enum64 count as
 * one), same essential name. Searched in vmlinux first; module BTFs only when
 * vmlinux has none (libbpf's bpf_core_find_cands). Candidates are decided per
 * local type and cached by the caller, so all relocations against one local
 * struct see the same target types.
 */
import type { Btf } from "../btf/btf.js";
import { kindsCoreCompatible } from "./compat.js";
import { essentialNameLength, hasEssentialName, type NameBytes } from "./spec.js";

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

const nameEncoder = new TextEncoder();

/** The two-byte key a name is filed under: its first two bytes (the second 0 for a one-byte name). */
const keyOf = (b0: number, b1: number) => (b0 << 8) | b1;

/**
 * Finds candidates for local types whose essential names are known up front
 * (those of an object's CO-RE records). Each target's own types are scanned
 * once, on first need, for all those names together: a type whose name's
 * first two bytes begin none of them is passed over after two byte reads, so
 * a 130,000-type kernel costs far less than hashing every name.
 */
export class CandidateFinder {
  /** Wanted essential names, with their bytes, filed by their first two bytes. */
  private readonly wanted = new Map<number, Array<{ name: string; bytes: NameBytes }>>();
  private readonly keys = new Uint8Array(1 << 16);
  /** Per target: ids by essential name, ascending. */
  private readonly found = new Map<TargetBtf, Map<string, number[]>>();

  constructor(
    private readonly vmlinux: TargetBtf,
    private readonly modules: readonly TargetBtf[],
    essentials: Iterable<string>,
  ) {
    for (const name of new Set(essentials)) {
      if (!name) continue;
      const bytes = nameEncoder.encode(name);
      const want = { name, bytes: { bytes, pos: 0, essential: bytes.length } };
      // A one-byte essential name `x` is the start of `x` and of its flavors `x___y`.
      for (const k of bytes.length > 1 ? [keyOf(bytes[0], bytes[1])] : [keyOf(bytes[0], 0), keyOf(bytes[0], 0x5f)]) {
        this.keys[k] = 1;
        const list = this.wanted.get(k);
        if (list) list.push(want);
        else this.wanted.set(k, [want]);
      }
    }
  }

  /** The essential names of the named local types among `ids`. */
  static essentialsOf(local: Btf, ids: Iterable<number>): string[] {
    const out: string[] = [];
    for (const id of ids) {
      if (id === 0 || !local.hasType(id)) continue;
      const name = local.name(id);
      if (name) out.push(name.slice(0, essentialNameLength(name)));
    }
    return out;
  }

  /** Candidates for a named local type (whose essential name was given): vmlinux first, then modules only if vmlinux had none. */
  find(local: Btf, localId: number): Candidate[] {
    const name = local.name(localId);
    const essential = name.slice(0, essentialNameLength(name));
    const kind = local.kindNumber(localId);
    const found = this.candidatesIn(this.vmlinux, kind, essential);
    if (found.length) return found;
    for (const m of this.modules) found.push(...this.candidatesIn(m, kind, essential));
    return found;
  }

  private candidatesIn(target: TargetBtf, localKind: number, essential: string): Candidate[] {
    let byName = this.found.get(target);
    if (!byName) this.found.set(target, (byName = this.scan(target.btf)));
    const btf = target.btf;
    return (byName.get(essential) ?? []).filter((id) => kindsCoreCompatible(btf.kindNumber(id), localKind)).map((id) => ({ target, id }));
  }

  /** One pass over a target's own types (a module's base is not searched again): ids by the wanted essential name they have. */
  private scan(btf: Btf): Map<string, number[]> {
    const byName = new Map<string, number[]>();
    const end = btf.count;
    for (let id = btf.startId; id < end; id++) {
      const off = btf.nameOff(id);
      if (off === 0) continue;
      const src = btf.strSource(off);
      if (!src) continue;
      const pos = btf.strPos(off);
      const b0 = src[pos];
      const key = keyOf(b0, pos + 1 < src.length ? src[pos + 1] : 0);
      if (b0 === 0 || !this.keys[key]) continue;
      for (const want of this.wanted.get(key)!) {
        if (!hasEssentialName(src, pos, want.bytes)) continue;
        const ids = byName.get(want.name);
        if (ids) ids.push(id);
        else byName.set(want.name, [id]);
        break;
      }
    }
    return byName;
  }
}
