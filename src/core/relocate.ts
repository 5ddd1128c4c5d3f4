/**
 * The CO-RE engine: for every `.BTF.ext` CO-RE record, find the target
 * candidates for the local type, match the local access spec against each,
 * compute the value the instruction must get, and patch (or poison) it;
 * decision-identical to libbpf 1.1 (relo_core.c, libbpf.c).
 */
import type { Btf } from "../btf/btf.js";
import { BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_ENUM, BTF_KIND_INT, BTF_KIND_PTR, isCompositeKind, isEnumKind } from "../btf/kinds.js";
import { CORE_SPEC_MAX_LEN, CoreReloKind, coreReloKindName, type CoreRelo } from "../btf/ext.js";
import { BtfkitError, CoreRelocationError } from "../errors.js";
import { cStringsEqual } from "../elf/strtab.js";
import { CandidateFinder, type Candidate, type TargetBtf } from "./candidates.js";
import { fieldsAreCompat, typesAreCompat, typesMatch } from "./compat.js";
import { BPF_INSN_SIZE, openBpfObject, type BpfObject } from "../btf/object.js";
import { patchInstruction, type RelocationResult } from "./patch.js";
import {
  RelocationFailure,
  essentialNameLength,
  failureText,
  hasEssentialName,
  nameBytes,
  formatSpec,
  isEnumvalKind,
  isFieldKind,
  isFlexArray,
  isTypeKind,
  parseLocalSpec,
  sizeOf,
  typeLabel,
  type Accessor,
  type Spec,
} from "./spec.js";
import type { CandidateReport, CoreDecision } from "./types.js";

/** The target kernel's BTFs. */
export interface RelocateOptions {
  /** Target kernel BTF (vmlinux). */
  target: Btf;
  /** Module BTFs split on `target`, searched when vmlinux has no candidate. */
  modules?: ReadonlyArray<{ name: string; btf: Btf }>;
}

/** Every decision of a relocation and the code it patched. */
export interface RelocateResult {
  decisions: CoreDecision[];
  /** Index into `decisions` of the first record libbpf would fail the load on, if any. */
  firstFailure?: number;
  /** Patched bytes of every code section that has CO-RE records. */
  sections: Map<string, Uint8Array>;
  object: BpfObject;
}

/** Result of matching the local spec against one candidate. */
interface MatchOutcome {
  matched: boolean;
  spec: Spec;
  /** Why it did not match. */
  reason: string;
}

// --- matching (bpf_core_spec_match) ---------------------------------------------

type MemberMatch = { found: true; type: number } | { found: false; why?: string };

/**
 * Finds the local member `acc` in target struct `targId`, searching anonymous
 * members recursively, and extends `spec` with the path to it. A same-named
 * member of an incompatible type ends the search (libbpf tries no later one).
 */
function matchMember(local: Btf, acc: Accessor, targ: Btf, targId: number, spec: Spec): MemberMatch {
  targId = targ.resolve(targId);
  if (!isCompositeKind(targ.kindNumber(targId))) return { found: false };
  const localMember = local.memberType(acc.typeId, acc.idx);
  // The accessor's name, as bytes in the local BTF, is compared with each target member's undecoded.
  const want = nameBytes(local, local.memberNameOff(acc.typeId, acc.idx));
  const n = targ.vlen(targId);
  for (let i = 0; i < n; i++) {
    const bitOff = targ.memberBitOffset(targId, i);
    if (spec.raw.length === CORE_SPEC_MAX_LEN) throw new RelocationFailure(`target access deeper than ${CORE_SPEC_MAX_LEN} steps`);
    spec.bitOffset += bitOff;
    spec.raw.push(i);
    const nameOff = targ.memberNameOff(targId, i);
    const bytes = targ.strSource(nameOff);
    const pos = bytes ? targ.strPos(nameOff) : 0;
    if (!bytes || bytes[pos] === 0) {
      const inner = matchMember(local, acc, targ, targ.memberType(targId, i), spec);
      if (inner.found || inner.why) return inner;
    } else if (cStringsEqual(bytes, pos, want.bytes, want.pos)) {
      const mType = targ.memberType(targId, i);
      const name = acc.name!;
      if (fieldsAreCompat(local, localMember, targ, mType)) {
        spec.accessors.push({ typeId: targId, idx: i, name });
        return { found: true, type: mType };
      }
      const have = typeLabel(targ, mType);
      return { found: false, why: `field '${name}' is ${have} there, incompatible with local ${typeLabel(local, localMember)}` };
    }
    spec.bitOffset -= bitOff;
    spec.raw.pop();
  }
  return { found: false };
}

function matchSpec(local: Spec, targ: Btf, targId: number): MatchOutcome {
  const spec: Spec = { btf: targ, rootTypeId: targId, kind: local.kind, accessors: [], raw: [], bitOffset: 0 };
  const no = (reason: string): MatchOutcome => ({ matched: false, spec, reason });
  const yes: MatchOutcome = { matched: true, spec, reason: "" };
  if (isTypeKind(local.kind)) {
    if (local.kind === CoreReloKind.TYPE_MATCHES) {
      return typesMatch(local.btf, local.rootTypeId, targ, targId) ? yes : no("types do not match (TYPE_MATCHES rules)");
    }
    return typesAreCompat(local.btf, local.rootTypeId, targ, targId) ? yes : no("types are not compatible");
  }
  if (isEnumvalKind(local.kind)) {
    const id = targ.resolve(targId);
    if (!isEnumKind(targ.kindNumber(id))) return no("not an enum");
    const acc = local.accessors[0];
    const want = nameBytes(local.btf, local.btf.enumValueNameOff(acc.typeId, acc.idx));
    const n = targ.vlen(id);
    for (let i = 0; i < n; i++) {
      const off = targ.enumValueNameOff(id, i);
      if (hasEssentialName(targ.strSourceOf(off, id), targ.strPos(off), want)) {
        spec.accessors.push({ typeId: id, idx: i, name: targ.enumValueName(id, i) });
        spec.raw.push(i);
        return yes;
      }
    }
    return no(`has no enumerator '${acc.name!.slice(0, essentialNameLength(acc.name!))}'`);
  }
  if (!isFieldKind(local.kind)) throw new RelocationFailure(`unknown relocation kind ${local.kind}`, { typeId: local.rootTypeId });
  let id = targId;
  for (let i = 0; i < local.accessors.length; i++) {
    const acc = local.accessors[i];
    id = targ.resolve(id);
    if (acc.name !== undefined) {
      const m = matchMember(local.btf, acc, targ, id, spec);
      if (!m.found) return no(m.why ?? `has no field '${acc.name}'`);
      id = m.type;
    } else {
      if (i > 0) {
        if (targ.kindNumber(id) !== BTF_KIND_ARRAY) return no(`'${local.accessors[i - 1].name}' is not an array in the target`);
        const nelems = targ.arrayLength(id);
        if (!isFlexArray(targ, spec.accessors[spec.accessors.length - 1], nelems) && acc.idx >= nelems) {
          return no(`index ${acc.idx} is beyond the target array's ${nelems} elements`);
        }
        id = targ.resolve(targ.arrayElemType(id));
      }
      if (spec.raw.length === CORE_SPEC_MAX_LEN) throw new RelocationFailure(`target access deeper than ${CORE_SPEC_MAX_LEN} steps`);
      spec.accessors.push({ typeId: id, idx: acc.idx });
      spec.raw.push(acc.idx);
      spec.bitOffset += acc.idx * sizeOf(targ, id) * 8;
    }
  }
  return yes;
}

// --- values (bpf_core_calc_*_relo) -----------------------------------------------

interface FieldValue {
  value: bigint;
  /** Memory size of a non-bitfield field (for load/store size adjustment), else 0. */
  size: number;
  typeId: number;
  /** Whether the instruction's current value must equal the local value. */
  validate: boolean;
}

/** Field value for a spec, or "poison" when there is no target spec. */
function fieldValue(kind: number, spec: Spec | undefined, littleEndian: boolean): FieldValue | "poison" {
  if (kind === CoreReloKind.FIELD_EXISTS) return { value: spec ? 1n : 0n, size: 0, typeId: 0, validate: true };
  if (!spec) return "poison";
  const btf = spec.btf;
  const acc = spec.accessors[spec.accessors.length - 1];
  if (acc.name === undefined) {
    // The last step indexes an array: offset and size of the element.
    const size = sizeOf(btf, acc.typeId);
    // Integer division, as libbpf's: only a malformed layout puts an element off a byte boundary.
    if (kind === CoreReloKind.FIELD_BYTE_OFFSET) return { value: BigInt(Math.floor(spec.bitOffset / 8)), size, typeId: acc.typeId, validate: true };
    if (kind === CoreReloKind.FIELD_BYTE_SIZE) return { value: BigInt(size), size: 0, typeId: 0, validate: true };
    throw new RelocationFailure(`${coreReloKindName(kind)} cannot be applied to an array element access`);
  }
  const mTypeRaw = btf.memberType(acc.typeId, acc.idx);
  const mType = btf.resolve(mTypeRaw);
  const bitOff = spec.bitOffset;
  let bitSz = btf.memberBitfieldSize(acc.typeId, acc.idx);
  const bitfield = bitSz > 0;
  let byteSz: number;
  let byteOff: number;
  if (bitfield) {
    // The smallest aligned load, starting from the member type's size, that covers the bits.
    byteSz = btf.sizeOrType(mType);
    // libbpf divides by this size (and would fault on 0).
    if (byteSz === 0) throw new RelocationFailure(`bitfield's type [${mType}] has size 0`);
    byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    while (bitOff + bitSz - byteOff * 8 > byteSz * 8) {
      if (byteSz >= 8) throw new RelocationFailure("bitfield cannot be read with a 64-bit load");
      byteSz *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSz) * byteSz;
    }
  } else {
    byteSz = sizeOf(btf, mType);
    byteOff = Math.floor(bitOff / 8);
    bitSz = byteSz * 8;
  }
  const out = (value: number, validate = !bitfield): FieldValue => ({
    value: BigInt(value),
    size: kind === CoreReloKind.FIELD_BYTE_OFFSET && !bitfield ? byteSz : 0,
    typeId: kind === CoreReloKind.FIELD_BYTE_OFFSET && !bitfield ? mType : 0,
    validate,
  });
  switch (kind) {
    case CoreReloKind.FIELD_BYTE_OFFSET:
      return out(byteOff);
    case CoreReloKind.FIELD_BYTE_SIZE:
      return out(byteSz);
    case CoreReloKind.FIELD_SIGNED: {
      const k = btf.kindNumber(mType);
      const signed = (isEnumKind(k) && btf.kflag(mType)) || (k === BTF_KIND_INT && (btf.intEncoding(mType) & BTF_INT_SIGNED) !== 0);
      return out(signed ? 1 : 0, true);
    }
    case CoreReloKind.FIELD_LSHIFT_U64:
      // The shift depends on the byte order of the program (libbpf uses the host's, the same for native objects).
      return out(littleEndian ? 64 - (bitOff + bitSz - byteOff * 8) : (8 - byteSz) * 8 + (bitOff - byteOff * 8));
    case CoreReloKind.FIELD_RSHIFT_U64:
      return out(64 - bitSz, true);
    default:
      throw new RelocationFailure(`unrecognized CO-RE relocation kind ${kind}`);
  }
}

function typeValue(kind: number, spec: Spec | undefined): bigint {
  if (!spec) return 0n;
  switch (kind) {
    case CoreReloKind.TYPE_ID_TARGET:
      return BigInt(spec.rootTypeId);
    case CoreReloKind.TYPE_EXISTS:
    case CoreReloKind.TYPE_MATCHES:
      return 1n;
    case CoreReloKind.TYPE_SIZE:
      return BigInt(sizeOf(spec.btf, spec.rootTypeId));
    default:
      throw new RelocationFailure(`unrecognized CO-RE relocation kind ${kind}`);
  }
}

function enumValue(kind: number, spec: Spec | undefined): bigint | "poison" {
  if (kind === CoreReloKind.ENUMVAL_EXISTS) return spec ? 1n : 0n;
  if (!spec) return "poison";
  const acc = spec.accessors[0];
  const btf = spec.btf;
  // ENUM values are s32, sign-extended into the 64-bit result.
  return btf.kindNumber(acc.typeId) === BTF_KIND_ENUM
    ? BigInt.asUintN(64, BigInt(btf.enumValue(acc.typeId, acc.idx) | 0))
    : BigInt.asUintN(64, btf.enum64Value(acc.typeId, acc.idx));
}

/** bpf_core_calc_relo: original and new values for the local spec against one target spec (or none). */
function calcRelo(kind: number, local: Spec, targ: Spec | undefined, le: boolean): RelocationResult {
  const res: RelocationResult = { orig: 0n, value: 0n, poison: false, validate: true, origSize: 0, newSize: 0, failMemSize: false };
  if (isFieldKind(kind)) {
    const o = fieldValue(kind, local, le) as FieldValue;
    res.orig = o.value;
    res.validate = o.validate;
    res.origSize = o.size;
    const n = fieldValue(kind, targ, le);
    if (n === "poison") {
      res.poison = true;
      return res;
    }
    res.value = n.value;
    res.newSize = n.size;
    if (res.origSize !== res.newSize) {
      // Changing a load's width is safe only for pointers and unsigned integers (zero extension).
      const lk = local.btf.kindNumber(o.typeId);
      const tk = targ!.btf.kindNumber(n.typeId);
      // Any encoding but plain BTF_INT_SIGNED counts as unsigned here (char and bool included).
      const unsignedInt = (b: Btf, id: number, k: number) => k === BTF_KIND_INT && b.intEncoding(id) !== BTF_INT_SIGNED;
      const safe =
        (lk === BTF_KIND_PTR && tk === BTF_KIND_PTR) ||
        (unsignedInt(local.btf, o.typeId, lk) && unsignedInt(targ!.btf, n.typeId, tk));
      res.failMemSize = !safe;
    }
  } else if (isTypeKind(kind)) {
    res.orig = typeValue(kind, local);
    res.value = typeValue(kind, targ);
    // A type id may change when objects are linked: never checked against the instruction.
    res.validate = kind !== CoreReloKind.TYPE_ID_TARGET;
  } else if (isEnumvalKind(kind)) {
    res.orig = enumValue(kind, local) as bigint;
    const n = enumValue(kind, targ);
    if (n === "poison") res.poison = true;
    else res.value = n;
  } else {
    throw new RelocationFailure(`unrecognized CO-RE relocation kind ${kind}`);
  }
  return res;
}

// --- the driver ------------------------------------------------------------------

function candidateName(c: Candidate): string {
  return `[${c.id}] ${typeLabel(c.target.btf, c.id)}${c.target.name === "vmlinux" ? "" : ` in ${c.target.name}`}`;
}

/** The parts of a decision that resolving a record fills in. @internal */
export type Explanation = Pick<CoreDecision, "localSpec" | "reason" | "candidates" | "targetBtf" | "targetTypeId" | "targetSpec">;

/**
 * Resolves one record against the cached candidates (bpf_core_calc_relo_insn):
 * the value, and the candidates that matched (the cache's next contents).
 * `spec` is the chosen target spec, absent when none matched. @internal
 */
export function resolveRecord(
  local: Btf,
  rec: CoreRelo,
  access: string,
  cands: Candidate[] | undefined,
  le: boolean,
  d: Explanation,
): { res: RelocationResult; pruned?: Candidate[]; spec?: Spec } {
  const where = { typeId: rec.typeId, accessString: access };
  let localSpec: Spec;
  try {
    localSpec = parseLocalSpec(local, rec.typeId, access, rec.kind);
  } catch (e) {
    if (!(e instanceof BtfkitError)) throw e;
    throw new RelocationFailure(`cannot parse access string "${access}" against local [${rec.typeId}]: ${failureText(e)}`, where);
  }
  d.localSpec = formatSpec(localSpec);
  if (rec.kind === CoreReloKind.TYPE_ID_LOCAL) {
    const id = BigInt(rec.typeId);
    d.reason = "local type id, no target search";
    return { res: { orig: id, value: id, poison: false, validate: false, origSize: 0, newSize: 0, failMemSize: false } };
  }
  let chosen: { spec: Spec; res: RelocationResult } | undefined;
  const kept: Candidate[] = [];
  for (const c of cands!) {
    const report: CandidateReport = { btf: c.target.name, typeId: c.id, name: typeLabel(c.target.btf, c.id), matched: false, reason: "" };
    d.candidates.push(report);
    let m: MatchOutcome;
    try {
      m = matchSpec(localSpec, c.target.btf, c.id);
    } catch (e) {
      if (!(e instanceof BtfkitError)) throw e;
      throw new RelocationFailure(`error matching candidate ${candidateName(c)}: ${failureText(e)}`, where);
    }
    report.matched = m.matched;
    report.reason = m.matched ? "matches" : m.reason;
    if (!m.matched) continue;
    report.spec = formatSpec(m.spec);
    const res = calcRelo(rec.kind, localSpec, m.spec, le);
    if (!chosen) chosen = { spec: m.spec, res };
    else if (m.spec.bitOffset !== chosen.spec.bitOffset) {
      throw new RelocationFailure(`field offset ambiguity: candidate ${candidateName(c)} puts it at bit ${m.spec.bitOffset}, an earlier one at ${chosen.spec.bitOffset}`, where);
    } else if (res.poison !== chosen.res.poison || res.value !== chosen.res.value) {
      throw new RelocationFailure(
        `relocation decision ambiguity: candidate ${candidateName(c)} gives ${res.poison ? "failure" : res.value}, an earlier one ${chosen.res.poison ? "failure" : chosen.res.value}`,
        where,
      );
    }
    kept.push(c);
  }
  if (chosen) {
    const first = kept[0];
    d.targetBtf = first.target.name;
    d.targetTypeId = first.id;
    d.targetSpec = formatSpec(chosen.spec);
    d.reason = kept.length > 1 ? `${kept.length} candidates match and agree` : `matched ${candidateName(first)}`;
    return { res: chosen.res, pruned: kept, spec: chosen.spec };
  }
  d.reason = cands!.length ? `none of ${cands!.length} candidates matches` : `no ${typeLabel(local, rec.typeId)} in the target`;
  return { res: calcRelo(rec.kind, localSpec, undefined, le) };
}

/** One relocation outside an object: a local type, an access string and a relocation kind. */
export interface AccessQuery {
  /** Local root type id. */
  typeId: number;
  /** Access string, e.g. "0:1:3" (or "0" for type relocations). */
  access: string;
  kind: number;
}

/** What `relocateAccess` decided. */
export interface AccessAnswer {
  value: bigint;
  poisoned: boolean;
  /** Set when libbpf would fail the load. */
  error?: string;
  targetSpec?: string;
  candidates: CandidateReport[];
}

/**
 * One relocation outside any object: what value `access` on local type
 * `typeId` gets in the target kernel (e.g. a field's offset there).
 */
export function relocateAccess(local: Btf, q: AccessQuery, opts: RelocateOptions): AccessAnswer {
  const vmlinux: TargetBtf = { name: "vmlinux", btf: opts.target };
  const modules: TargetBtf[] = (opts.modules ?? []).map((m) => ({ name: m.name, btf: m.btf }));
  const d: Explanation = { localSpec: "", reason: "", candidates: [] };
  try {
    const cands =
      q.kind === CoreReloKind.TYPE_ID_LOCAL ? undefined : new CandidateFinder(vmlinux, modules, CandidateFinder.essentialsOf(local, [q.typeId])).find(local, q.typeId);
    const { res } = resolveRecord(local, { insnOff: 0, typeId: q.typeId, accessStrOff: 0, kind: q.kind }, q.access, cands, true, d);
    return { value: res.value, poisoned: res.poison, targetSpec: d.targetSpec, candidates: d.candidates };
  } catch (e) {
    if (!(e instanceof BtfkitError)) throw e;
    return { value: 0n, poisoned: false, error: failureText(e), candidates: d.candidates };
  }
}

/** The essential names of the local types an object's CO-RE records name. */
export function essentialsOfObject(obj: BpfObject): string[] {
  return CandidateFinder.essentialsOf(obj.btf, (obj.ext?.coreRelos ?? []).flatMap((b) => b.records.map((r) => r.typeId)));
}

/**
 * Relocates every CO-RE record of a parsed object. `finder`, when given,
 * searches candidates (one built for several objects scans each target once
 * for all of them); it must cover this object's local type names.
 */
export function relocate(obj: BpfObject, opts: RelocateOptions, finder?: CandidateFinder): RelocateResult {
  const local = obj.btf;
  const le = obj.elf.littleEndian;
  const vmlinux: TargetBtf = { name: "vmlinux", btf: opts.target };
  const modules: TargetBtf[] = (opts.modules ?? []).map((m) => ({ name: m.name, btf: m.btf }));
  const cache = new Map<number, Candidate[]>();
  const blocks = obj.ext?.coreRelos ?? [];
  finder ??= new CandidateFinder(vmlinux, modules, essentialsOfObject(obj));
  const decisions: CoreDecision[] = [];
  const sections = new Map<string, Uint8Array>();
  let firstFailure: number | undefined;

  for (const block of blocks) {
    const secName = local.str(block.secNameOff) ?? "";
    const section = obj.elf.section(secName);
    if (!secName || !section) {
      throw new CoreRelocationError(`CO-RE records name section '${secName}', which the object does not have`, { section: secName });
    }
    // A section whose name starts with '?' is not loaded by default; libbpf skips its records.
    if (secName.startsWith("?")) continue;
    let code = sections.get(secName);
    if (!code) sections.set(secName, (code = section.data.slice()));
    block.records.forEach((rec, relo) => {
      const where = { section: secName, record: relo, insn: rec.insnOff / BPF_INSN_SIZE };
      if (rec.insnOff % BPF_INSN_SIZE) throw new CoreRelocationError(`instruction offset ${rec.insnOff} is not a multiple of 8`, where);
      const sectionInsn = rec.insnOff / BPF_INSN_SIZE;
      // libbpf silently skips such a record; it can only come from a corrupt object.
      if (rec.insnOff + BPF_INSN_SIZE > code!.length) throw new CoreRelocationError(`CO-RE record points past the end of its section`, where);
      const prog = obj.programAt(section, sectionInsn);
      // Records of eliminated weak subprograms belong to no program; libbpf ignores them.
      if (!prog) return;
      const access = local.str(rec.accessStrOff);
      const d: CoreDecision = {
        section: secName,
        program: prog.name,
        relo,
        sectionInsn,
        insn: sectionInsn - prog.insnOff,
        kind: rec.kind,
        kindName: coreReloKindName(rec.kind),
        localTypeId: rec.typeId,
        accessString: access ?? "",
        localSpec: "",
        origValue: 0n,
        newValue: 0n,
        poisoned: false,
        patch: { op: "none" },
        candidates: [],
        reason: "",
      };
      decisions.push(d);
      try {
        const at = { ...where, typeId: rec.typeId };
        if (access === undefined) throw new RelocationFailure(`access string offset ${rec.accessStrOff} is outside the string section`, at);
        if (!local.hasType(rec.typeId) || rec.typeId === 0) throw new RelocationFailure(`local type id ${rec.typeId} does not exist`, at);
        let cands: Candidate[] | undefined;
        if (rec.kind !== CoreReloKind.TYPE_ID_LOCAL) {
          cands = cache.get(rec.typeId);
          if (!cands) {
            if (local.nameOff(rec.typeId) === 0 || local.name(rec.typeId) === "") {
              throw new RelocationFailure(`${typeLabel(local, rec.typeId)} is anonymous: no target candidates can be searched`, at);
            }
            cands = finder.find(local, rec.typeId);
            cache.set(rec.typeId, cands);
          }
        }
        const { res, pruned } = resolveRecord(local, rec, d.accessString, cands, le, d);
        // Candidates that did not match this access are dropped for later records of the same type.
        if (pruned) cache.set(rec.typeId, pruned);
        d.origValue = res.orig;
        d.newValue = res.value;
        d.poisoned = res.poison;
        // A symbol may claim more instructions than the section holds; an ldimm64's second half must be in both.
        d.patch = patchInstruction(code!, sectionInsn, res, le, Math.min(prog.insnOff + prog.insnCount, Math.floor(code!.length / BPF_INSN_SIZE)));
        if (d.patch.op === "poison" && !res.poison) {
          d.poisoned = true;
          d.reason += "; the field's size changed and a load of a signed or non-integer field cannot follow it, so the instruction is poisoned";
        }
      } catch (e) {
        if (!(e instanceof BtfkitError)) throw e;
        d.error = failureText(e);
        d.reason = d.error;
        firstFailure ??= decisions.length - 1;
      }
    });
  }
  return { decisions, firstFailure, sections, object: obj };
}

/** Parses an object and relocates it. */
export function relocateObject(bytes: Uint8Array, opts: RelocateOptions): RelocateResult {
  return relocate(openBpfObject(bytes), opts);
}
