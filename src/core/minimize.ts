/**
 * Minimized BTF for CO-RE (bpftool's `gen min_core_btf`, gen.c `btfgen_*`):
 * the types and members of a kernel's BTF that the CO-RE relocations of some
 * BPF objects use, as a small standalone BTF that libbpf, given it as
 * `btf_custom_path`, takes the same decisions against as against the full one.
 */
import type { Btf } from "../btf/btf.js";
import { HOST_LITTLE_ENDIAN } from "../btf/btf.js";
import { loadBtf } from "../btf/load.js";
import { BtfBuilder } from "../btf/builder.js";
import { CoreReloKind, coreReloKindName } from "../btf/ext.js";
import {
  BTF_KIND_ARRAY,
  BTF_KIND_CONST,
  BTF_KIND_ENUM,
  BTF_KIND_ENUM64,
  BTF_KIND_FLOAT,
  BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD,
  BTF_KIND_INT,
  BTF_KIND_PTR,
  BTF_KIND_RESTRICT,
  BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF,
  BTF_KIND_UNION,
  BTF_KIND_UNKN,
  BTF_KIND_VOLATILE,
  isCompositeKind,
  isModifierKind,
  kindName,
} from "../btf/kinds.js";
import { openNamedObject, type BpfObject } from "../btf/object.js";
import { remapTypeIds, type BtfType } from "../btf/types.js";
import { BtfExtError, BtfkitError, CoreRelocationError } from "../errors.js";
import { CandidateFinder, type Candidate, type TargetBtf } from "./candidates.js";
import { essentialsOfObject, relocate, resolveRecord, type Explanation } from "./relocate.js";
import type { CoreDecision } from "./types.js";
import { RelocationFailure, failureText, formatSpec, isEnumvalKind, isFieldKind, typeLabel, type Spec } from "./spec.js";

/** A BPF object to minimize for: its name (for messages and the report) and its bytes or parsed form. */
export interface MinimizeObject {
  name: string;
  object: Uint8Array | BpfObject;
}

/** Options of {@link minimizeBtf}. */
export interface MinimizeOptions {
  /**
   * Whose output to reproduce byte for byte: "7.8" (the default; libbpf 1.8
   * writes a 32-byte header with empty layout fields) or "7.1" (24 bytes).
   */
  bpftool?: "7.8" | "7.1";
  /** Byte order of the output: the host's by default, as bpftool writes; "input" keeps the target's. */
  byteOrder?: "host" | "little" | "big" | "input";
  /**
   * Where bpftool refuses the whole run (an ambiguous or failing relocation,
   * a kind it cannot keep), record the failure in the report and keep what
   * the other relocations need. Off by default: the first failure throws.
   */
  keepGoing?: boolean;
}

/** What one CO-RE record contributed to the minimized BTF. */
export interface MinimizedRelocation {
  object: string;
  section: string;
  /** Index of the record in its section's CO-RE block (libbpf's `relo #N`). */
  relo: number;
  kind: string;
  localTypeId: number;
  /** The local type as C names it. */
  localType: string;
  accessString: string;
  /**
   * `kept`: a target type matched and what the access uses is kept;
   * `unmatched`: no target type matched, so nothing is kept (the program
   * sees the relocation's "missing" value, or a poisoned instruction:
   * `poisoned`); `local`: TYPE_ID_LOCAL, which needs no kernel BTF;
   * `failed`: libbpf would refuse the object (only with `keepGoing`).
   */
  outcome: "kept" | "unmatched" | "local" | "failed";
  poisoned?: boolean;
  /** The chosen target spec, as `core explain` prints it. */
  targetSpec?: string;
  /** Source type ids (in the input BTF) this record keeps, ascending. */
  keptTypes: number[];
  error?: string;
}

/** One type of the minimized BTF and where it came from. */
export interface MinimizedType {
  /** Id in the minimized BTF. */
  id: number;
  /** Id in the input BTF. */
  sourceId: number;
  /** The type as C names it, e.g. `struct task_struct`. */
  label: string;
  /** For a struct or union, the members kept (by name; anonymous ones as ""), else undefined. */
  members?: string[];
}

/** The minimized BTF and what went into it. */
export interface MinimizeResult {
  /** The raw BTF: header, types, strings. */
  bytes: Uint8Array;
  types: MinimizedType[];
  relocations: MinimizedRelocation[];
  /** Number of relocations that failed (non-zero only with `keepGoing`). */
  failed: number;
}

/** Marks of one record, applied to the shared marks only when the whole record succeeds. */
class Marks {
  readonly types = new Set<number>();
  /** Member marks, as `typeId * 65536 + index` (vlen is 16 bits). */
  readonly members = new Set<number>();
  private readonly seen = new Set<number>();

  constructor(private readonly btf: Btf) {}

  /** btfgen_mark_type: the type, and what it refers to (pointees only when `followPointers`); composites stop. */
  type(id: number, followPointers: boolean): void {
    if (id === 0) return;
    const key = 2 * id + (followPointers ? 1 : 0);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.types.add(id);
    const btf = this.btf;
    const k = btf.kindNumber(id);
    switch (k) {
      case BTF_KIND_UNKN:
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        return;
      case BTF_KIND_PTR:
        if (followPointers) this.type(btf.sizeOrType(id), true);
        return;
      case BTF_KIND_CONST:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_TYPEDEF:
        this.type(btf.sizeOrType(id), followPointers);
        return;
      case BTF_KIND_ARRAY:
        this.type(btf.arrayElemType(id), followPointers);
        this.type(btf.arrayIndexType(id), followPointers);
        return;
      case BTF_KIND_FUNC_PROTO:
        this.type(btf.sizeOrType(id), followPointers);
        for (let i = 0; i < btf.vlen(id); i++) this.type(btf.paramType(id, i), followPointers);
        return;
      default:
        throw unsupported(btf, id);
    }
  }

  /** btfgen_mark_type_match: members and their types recursively; composites behind a pointer without members. */
  typeMatch(id: number, behindPtr: boolean): void {
    if (id === 0) return;
    const key = -(2 * id + (behindPtr ? 1 : 0));
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.types.add(id);
    const btf = this.btf;
    const k = btf.kindNumber(id);
    switch (k) {
      case BTF_KIND_UNKN:
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return;
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        if (behindPtr) return;
        for (let i = 0; i < btf.vlen(id); i++) {
          this.member(id, i);
          this.typeMatch(btf.memberType(id, i), false);
        }
        return;
      case BTF_KIND_CONST:
      case BTF_KIND_FWD:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPEDEF:
      case BTF_KIND_VOLATILE:
        this.typeMatch(btf.sizeOrType(id), behindPtr);
        return;
      case BTF_KIND_PTR:
        this.typeMatch(btf.sizeOrType(id), true);
        return;
      case BTF_KIND_ARRAY:
        this.typeMatch(btf.arrayElemType(id), false);
        this.typeMatch(btf.arrayIndexType(id), false);
        return;
      case BTF_KIND_FUNC_PROTO:
        this.typeMatch(btf.sizeOrType(id), false);
        for (let i = 0; i < btf.vlen(id); i++) this.typeMatch(btf.paramType(id, i), false);
        return;
      default:
        throw unsupported(btf, id);
    }
  }

  member(id: number, index: number): void {
    this.members.add(id * 65536 + index);
  }

  /** btfgen_record_field_relo: the root, then along the target's raw access path each member and its type. */
  field(spec: Spec): void {
    const btf = this.btf;
    let id = spec.rootTypeId;
    this.type(id, false);
    for (let i = 1; i < spec.raw.length; i++) {
      while (btf.kindNumber(id) === BTF_KIND_TYPEDEF || isModifierKind(btf.kindNumber(id))) id = btf.sizeOrType(id);
      const k = btf.kindNumber(id);
      if (isCompositeKind(k)) {
        this.member(id, spec.raw[i]);
        id = btf.memberType(id, spec.raw[i]);
        this.type(id, false);
      } else if (k === BTF_KIND_ARRAY) {
        id = btf.arrayElemType(id);
      } else {
        throw unsupported(btf, id);
      }
    }
  }
}

function unsupported(btf: Btf, id: number): RelocationFailure {
  return new RelocationFailure(`the target's [${id}] ${typeLabel(btf, id)} is a ${kindName(btf.kindNumber(id))}, a kind minimized BTF cannot keep (bpftool: unsupported kind)`, {
    typeId: id,
  });
}

function isLittleEndian(order: MinimizeOptions["byteOrder"], target: Btf): boolean {
  if (order === "little") return true;
  if (order === "big") return false;
  if (order === "input") return target.littleEndian;
  return HOST_LITTLE_ENDIAN;
}

/**
 * The minimized BTF of `target` for the CO-RE relocations of `objects`,
 * byte-identical to `bpftool gen min_core_btf` (7.8 by default, or 7.1):
 * per object, in `.BTF.ext` order, each record is resolved as libbpf would
 * (candidates from `target` only, cached per local type and narrowed as
 * matches are found) and what the chosen target spec uses is kept:
 * field relocations keep the root and each member on the access path with
 * its type; type relocations keep the root, following pointers, with
 * structs and unions at full size but no members; TYPE_MATCHES keeps members
 * recursively; enum value relocations keep the whole enum. Kept types are
 * written in source id order, references to types not kept become void.
 *
 * A split `target` (a kernel module on its base) is searched as libbpf
 * searches a kernel with modules: the base first, the module only for types
 * the base has none of; the output is one standalone BTF holding what both
 * contributed, for loading with `btf_custom_path`.
 *
 * Throws a CoreRelocationError where bpftool gives up (an ambiguous or
 * failing relocation, a type of a kind it cannot keep) unless `keepGoing`,
 * and a BtfExtError for an object without `.BTF.ext`.
 */
export function minimizeBtf(target: Btf, objects: readonly MinimizeObject[], opts: MinimizeOptions = {}): MinimizeResult {
  const kept = new Set<number>();
  const keptMembers = new Set<number>();
  const relocations: MinimizedRelocation[] = [];
  let failed = 0;
  const vmlinux: TargetBtf = target.base ? { name: "vmlinux", btf: target.base } : { name: "vmlinux", btf: target };
  const modules: TargetBtf[] = target.base ? [{ name: "module", btf: target }] : [];

  const opened = objects.map(({ name, object }) => ({ name, obj: openNamedObject(name, object) }));
  // Every object's local type names, so the target is scanned for candidates once.
  const finder = new CandidateFinder(vmlinux, modules, opened.flatMap(({ obj }) => essentialsOfObject(obj)));
  for (const { name, obj } of opened) {
    const ext = obj.ext;
    if (!ext) throw new BtfExtError(`${name}: has no .BTF.ext section, so no CO-RE relocations to minimize for (bpftool refuses it too)`);
    const local = obj.btf;
    const cache = new Map<number, Candidate[]>();
    for (const block of ext.coreRelos) {
      const section = local.str(block.secNameOff) ?? "";
      block.records.forEach((rec, relo) => {
        const access = local.str(rec.accessStrOff) ?? "";
        const r: MinimizedRelocation = {
          object: name,
          section,
          relo,
          kind: coreReloKindName(rec.kind),
          localTypeId: rec.typeId,
          localType: local.hasType(rec.typeId) ? typeLabel(local, rec.typeId) : "?",
          accessString: access,
          outcome: "unmatched",
          keptTypes: [],
        };
        relocations.push(r);
        const where = { section, record: relo, typeId: rec.typeId };
        try {
          if (!local.hasType(rec.typeId) || rec.typeId === 0) throw new RelocationFailure(`local type id ${rec.typeId} does not exist`, where);
          if (local.str(rec.accessStrOff) === undefined) throw new RelocationFailure(`access string offset ${rec.accessStrOff} is outside the string section`, where);
          let cands: Candidate[] | undefined;
          if (rec.kind !== CoreReloKind.TYPE_ID_LOCAL) {
            cands = cache.get(rec.typeId);
            if (!cands) {
              // An anonymous local type has no candidates (libbpf skips nameless targets) rather than an error.
              cands = local.name(rec.typeId) === "" ? [] : finder.find(local, rec.typeId);
              cache.set(rec.typeId, cands);
            }
          }
          const d: Explanation = { localSpec: "", reason: "", candidates: [] };
          const { res, pruned, spec } = resolveRecord(local, rec, access, cands, obj.elf.littleEndian, d);
          if (pruned) cache.set(rec.typeId, pruned);
          if (rec.kind === CoreReloKind.TYPE_ID_LOCAL) {
            r.outcome = "local";
            return;
          }
          if (!spec) {
            r.poisoned = res.poison;
            return;
          }
          const marks = new Marks(target);
          if (isFieldKind(rec.kind)) marks.field(spec);
          else if (rec.kind === CoreReloKind.TYPE_MATCHES) marks.typeMatch(spec.rootTypeId, false);
          else marks.type(spec.rootTypeId, !isEnumvalKind(rec.kind));
          for (const id of marks.types) kept.add(id);
          for (const m of marks.members) keptMembers.add(m);
          r.outcome = "kept";
          r.targetSpec = formatSpec(spec);
          r.keptTypes = [...marks.types].sort((a, b) => a - b);
        } catch (e) {
          if (!(e instanceof BtfkitError)) throw e;
          if (!opts.keepGoing) {
            throw new CoreRelocationError(`${name}: ${r.kind} on ${r.localType}: ${failureText(e)}`, { ...where, accessString: access });
          }
          r.outcome = "failed";
          r.error = failureText(e);
          failed++;
        }
      });
    }
  }

  const { bytes, types } = writeMinimized(target, kept, keptMembers, opts);
  if (target.base) failed += checkModuleOutput(target, opened, bytes, types, relocations, opts);
  return { bytes, types, relocations, failed };
}

/**
 * A module's minimized BTF is one standalone BTF, but libbpf searches a
 * module only for types vmlinux has none of: a module type kept for one
 * relocation can become a second candidate for another that vmlinux answered
 * (same name, same kind) and change its outcome. So the output is relocated
 * again, as libbpf would use it, and each decision compared with the one on
 * the base and module; a record whose decision would change fails (throws,
 * or with `keepGoing` is reported failed). Returns the number so failed.
 */
function checkModuleOutput(
  target: Btf,
  objects: ReadonlyArray<{ name: string; obj: BpfObject }>,
  bytes: Uint8Array,
  types: readonly MinimizedType[],
  relocations: MinimizedRelocation[],
  opts: MinimizeOptions,
): number {
  const min = loadBtf(bytes);
  const sourceId = (id: bigint) => (id > 0n && id <= BigInt(types.length) ? BigInt(types[Number(id) - 1].sourceId) : id);
  const outcome = (d: CoreDecision, mapIds: boolean) =>
    d.error !== undefined ? "refused" : d.poisoned ? "poisoned" : String(mapIds && d.kind === CoreReloKind.TYPE_ID_TARGET ? sourceId(d.newValue) : d.newValue);
  let failed = 0;
  for (const { name, obj } of objects) {
    const full = relocate(obj, { target: target.base!, modules: [{ name: "module", btf: target }] }).decisions;
    const mine = relocate(obj, { target: min }).decisions;
    full.forEach((d, i) => {
      const was = outcome(d, false);
      const now = outcome(mine[i], true);
      if (d.error !== undefined || was === now) return;
      const r = relocations.find((x) => x.object === name && x.section === d.section && x.relo === d.relo);
      const why = `a module type kept for another relocation shares this one's name, and against the minimized BTF it would get ${now} instead of ${was} (${mine[i].reason})`;
      if (!opts.keepGoing) {
        throw new CoreRelocationError(`${name}: ${d.kindName} on ${typeLabel(obj.btf, d.localTypeId)}: ${why}`, { section: d.section, record: d.relo, typeId: d.localTypeId, accessString: d.accessString });
      }
      if (r && r.outcome !== "failed") {
        r.outcome = "failed";
        r.error = why;
        failed++;
      }
    });
  }
  return failed;
}

/** btfgen_get_btf: kept types in source id order; structs and unions with their kept members only. */
function writeMinimized(target: Btf, kept: Set<number>, keptMembers: Set<number>, opts: MinimizeOptions): { bytes: Uint8Array; types: MinimizedType[] } {
  const map = new Int32Array(target.count);
  const types: MinimizedType[] = [];
  const decoded: BtfType[] = [];
  // The kept ids only, ascending: a walk over every id of a 130,000-type kernel cost more than the rest.
  for (const id of [...kept].sort((a, b) => a - b)) {
    let t = target.type(id);
    let members: string[] | undefined;
    if (t.kind === "struct" || t.kind === "union") {
      const mine = t.members.filter((_, i) => keptMembers.has(id * 65536 + i));
      for (const m of mine) {
        // libbpf's btf__add_field: a member off a byte boundary must carry a bitfield size.
        if (m.bitfieldSize === 0 && m.bitOffset % 8 !== 0) {
          throw new CoreRelocationError(`the target's [${id}] ${typeLabel(target, id)}: member '${m.name}' is at bit ${m.bitOffset} without a bitfield size, which BTF cannot re-encode (libbpf refuses it too)`, {
            typeId: id,
          });
        }
      }
      t = { ...t, kflag: mine.some((m) => m.bitfieldSize > 0), members: mine };
      members = mine.map((m) => m.name);
    }
    decoded.push(t);
    map[id] = decoded.length;
    types.push({ id: decoded.length, sourceId: id, label: typeLabel(target, id), members });
  }
  const builder = new BtfBuilder();
  // A reference to a type not kept becomes void.
  for (const t of decoded) builder.add(remapTypeIds(t, (id) => (id < map.length ? map[id] : 0)));
  const bytes = builder.encode({ littleEndian: isLittleEndian(opts.byteOrder, target), headerLength: opts.bpftool === "7.1" ? 24 : 32 });
  return { bytes, types };
}
