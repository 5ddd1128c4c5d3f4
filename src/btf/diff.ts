/**
 * `btf diff`: what changed between two BTFs for the named types a program
 * reads: structs and unions (layout, member by member), enums (enumerators),
 * typedefs (their target) and functions (their prototype).
 *
 * Types are compared by name and C text, never by id, so the same types under
 * other ids, in the other byte order or read from a differently encoded blob
 * diff as nothing. Pointer size shows where it should: as resized members.
 *
 * Member paths: a member is named by the C expression that reaches it from
 * the outer type, as a program (and a CO-RE access string) names it. Fields
 * of an anonymous struct or union member are named directly, as C names
 * them (`sk_buff`'s `next`, though it sits two anonymous levels down);
 * fields of a named member whose type is an anonymous struct or union are
 * `member.field` (`sk_buff`'s `headers.mark`, `struct_group` style), and the
 * named member is reported too, with type `struct {...}`. A path C would
 * repeat (impossible in C, possible in malformed BTF) gets `#2`, `#3`... in
 * order. Offsets are bit offsets from the start of the outer type. Types
 * reached through a name (`struct list_head`) or a pointer are not expanded:
 * named ones are diffed as types of their own. Unnamed members other than
 * structs and unions (padding) are left out.
 */
import { BtfError } from "../errors.js";
import type { Btf } from "./btf.js";
import { linkageName } from "./dump-raw.js";
import {
  BTF_KIND_ARRAY,
  BTF_KIND_CONST,
  BTF_KIND_ENUM,
  BTF_KIND_ENUM64,
  BTF_KIND_FLOAT,
  BTF_KIND_FUNC,
  BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD,
  BTF_KIND_INT,
  BTF_KIND_PTR,
  BTF_KIND_RESTRICT,
  BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF,
  BTF_KIND_TYPE_TAG,
  BTF_KIND_UNION,
  BTF_KIND_VOLATILE,
  isCompositeKind,
  isEnumKind,
  kindDescriptor,
} from "./kinds.js";
import { globToRegExp } from "./roots.js";
import { cStringsEqual, hashCString, tableSize } from "../elf/strtab.js";

/** The kinds `btf diff` compares; `enum` stands for ENUM and ENUM64 alike. */
export type DiffKind = "struct" | "union" | "enum" | "typedef" | "func";

/** A type only one side has. */
export interface DiffTypeRef {
  name: string;
  kind: DiffKind;
}

/** A member as one side lays it out. */
export interface MemberState {
  /** Bit offset from the start of the outer type (not of an anonymous member holding it). */
  bitOffset: number;
  /** The member's type as C writes it without a name: `struct list_head`, `u32`, `char [16]`, `int (*)(struct sock *)`. */
  type: string;
  /** Size in bits: the bitfield width, else the type's size (0 for a flexible array). */
  bits: number;
  /** Set for bitfields. */
  bitfield?: boolean;
}

/**
 * What happened to a member. A member that moved and changed type has one
 * entry for each; `retyped` (its C type reads differently) takes precedence
 * over `resized` (same C type, other size: a bitfield's width, a struct that
 * grew, a `long` on another pointer size).
 */
export type MemberChangeKind = "added" | "removed" | "renamed" | "moved" | "resized" | "retyped";

/**
 * One change of one struct or union member. A type's member changes are in
 * layout order: by bit offset (the new one; the old one when removed), then
 * removed, added, renamed, moved, resized, retyped, then path.
 */
export interface MemberChange {
  /** The member's path (see the module comment): its new path, or its old one when removed. */
  name: string;
  change: MemberChangeKind;
  /** The old path, on every entry of a renamed member (`renamed`, and `retyped` or `resized` with it). */
  oldName?: string;
  /** The member in the old type (absent when added). */
  old?: MemberState;
  /** The member in the new type (absent when removed). */
  new?: MemberState;
}

/**
 * One change of one enumerator, matched by name. Values are numbers for ENUM
 * and bigints for ENUM64. Listed in the new enum's order, then the removed
 * ones in the old enum's order.
 */
export interface EnumValueChange {
  name: string;
  change: "added" | "removed" | "changed";
  old?: number | bigint;
  new?: number | bigint;
}

/** A function parameter: its name ("" when unnamed) and C type (`...` for the variadic tail). */
export interface ParamState {
  name: string;
  type: string;
}

/** One change of one function parameter, compared by position. */
export interface ParamChange {
  /** 0-based position. */
  index: number;
  change: "added" | "removed" | "renamed" | "retyped";
  old?: ParamState;
  new?: ParamState;
}

/**
 * A type both sides have, and what differs. Which fields appear depends on
 * the kind: struct/union `size` and `members`; enum `size`, `values` and
 * `signed` (when it changed); typedef `type` (when retargeted) and, when both
 * targets are anonymous structs, unions or enums, their `size`, `members` or
 * `values`; func `return`, `params` and `linkage` (each when changed).
 */
export interface TypeChange {
  name: string;
  kind: DiffKind;
  /** Byte size, old and new (set for struct, union and enum even when equal). */
  size?: [number, number];
  members?: MemberChange[];
  values?: EnumValueChange[];
  signed?: [boolean, boolean];
  /** Typedef: the target's C text, old and new. */
  type?: [string, string];
  /** Func: the return type's C text, old and new. */
  return?: [string, string];
  params?: ParamChange[];
  /** Func: `static`, `global` or `extern`, old and new. */
  linkage?: [string, string];
}

/** What changed between two BTFs: types only the new one has, only the old one has, and those that differ. Sorted by kind, then name. */
export interface BtfDiff {
  added: DiffTypeRef[];
  removed: DiffTypeRef[];
  changed: TypeChange[];
}

/** Options of {@link diffBtf}. */
export interface DiffOptions {
  /**
   * Compare only the types with these names; `*` and `?` glob. A name
   * matches every compared kind (`sock` is the struct and a func of that
   * name, if any). Unset or empty: every named struct, union, enum, typedef
   * and func. A spec that matches nothing on either side is an error (a typo);
   * type ids are refused, as they differ between the two BTFs.
   */
  roots?: readonly string[];
  /**
   * Keep type tags (`__attribute__((btf_type_tag("rcu")))`) in type texts.
   * Off by default: clang-built kernels carry them and gcc-built ones mostly
   * do not, which would otherwise mark every `__rcu` or `__user` pointer retyped.
   */
  typeTags?: boolean;
}

const KINDS: readonly DiffKind[] = ["struct", "union", "enum", "typedef", "func"];
const C_STRUCT = 0;
const C_UNION = 1;
const C_ENUM = 2;
const C_TYPEDEF = 3;
const C_FUNC = 4;

/** Kind class of each kind number, -1 for kinds not compared. */
const CLASS_OF = new Int8Array(128).fill(-1);
CLASS_OF[BTF_KIND_STRUCT] = C_STRUCT;
CLASS_OF[BTF_KIND_UNION] = C_UNION;
CLASS_OF[BTF_KIND_ENUM] = C_ENUM;
CLASS_OF[BTF_KIND_ENUM64] = C_ENUM;
CLASS_OF[BTF_KIND_TYPEDEF] = C_TYPEDEF;
CLASS_OF[BTF_KIND_FUNC] = C_FUNC;

/** Declarators nest a handful deep in real C; deeper only in cyclic (malformed) BTF. */
const MAX_DECL_DEPTH = 256;
/** Anonymous members nest under 10 deep in vmlinux. */
const MAX_NEST_DEPTH = 256;

/** One side's flattened members: parallel arrays, one entry per path. */
interface Flat {
  paths: string[];
  offs: number[];
  bits: number[];
  bitfield: boolean[];
  types: number[];
}

/**
 * One BTF's view for the diff: type texts and sizes, computed once per id,
 * and flattened member lists.
 */
class Side {
  private readonly texts: Array<string | undefined>;
  private readonly sizeBits: Float64Array;

  constructor(
    readonly btf: Btf,
    private readonly typeTags: boolean,
  ) {
    this.texts = new Array<string | undefined>(btf.count);
    this.sizeBits = new Float64Array(btf.count).fill(-1);
  }

  /** The C text of type `id` as an abstract declarator: `char [16]`, `struct sock *`. */
  text(id: number): string {
    let t = this.texts[id];
    if (t === undefined) this.texts[id] = t = this.decl(id, "", 0);
    return t;
  }

  /** Size of a type in bits; 0 for types without one (void, a prototype). */
  bitsOf(id: number): number {
    let b = this.sizeBits[id];
    if (b < 0) {
      try {
        b = this.btf.sizeof(id) * 8;
      } catch (e) {
        if (!(e instanceof BtfError)) throw e;
        b = 0;
      }
      this.sizeBits[id] = b;
    }
    return b;
  }

  /**
   * C's declarator syntax, built inside out: `inner` is what the declarator
   * wraps so far (`*`, `[4]`, `(*)(int)`), placed after the base type.
   * Qualifiers of arrays and prototypes are dropped, as C cannot write them.
   */
  private decl(id: number, inner: string, depth: number): string {
    if (depth > MAX_DECL_DEPTH) {
      throw new BtfError(`declarator nests deeper than ${MAX_DECL_DEPTH} types (a reference cycle?)`, { typeId: id });
    }
    const btf = this.btf;
    if (id === 0) return withInner("void", inner);
    const k = btf.kindNumber(id);
    switch (k) {
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
      case BTF_KIND_TYPEDEF:
        return withInner(btf.name(id), inner);
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        return withInner(tagName(k === BTF_KIND_UNION ? "union" : "struct", btf, id), inner);
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return withInner(tagName("enum", btf, id), inner);
      case BTF_KIND_FWD:
        return withInner(`${btf.kflag(id) ? "union" : "struct"} ${btf.name(id)}`, inner);
      case BTF_KIND_PTR:
        return this.decl(btf.sizeOrType(id), inner ? `*${inner}` : "*", depth + 1);
      case BTF_KIND_CONST:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT:
      case BTF_KIND_TYPE_TAG: {
        const target = btf.sizeOrType(id);
        if (k === BTF_KIND_TYPE_TAG && !this.typeTags) return this.decl(target, inner, depth + 1);
        const under = btf.kindNumber(btf.skipModifiers(target));
        if (under === BTF_KIND_ARRAY || under === BTF_KIND_FUNC_PROTO) return this.decl(target, inner, depth + 1);
        const q =
          k === BTF_KIND_CONST
            ? "const"
            : k === BTF_KIND_VOLATILE
              ? "volatile"
              : k === BTF_KIND_RESTRICT
                ? "restrict"
                : `__attribute__((btf_type_tag("${btf.name(id)}")))`;
        // A qualified pointer: `char *const`; a qualified base type: `const char`.
        if (under === BTF_KIND_PTR || k === BTF_KIND_TYPE_TAG) return this.decl(target, withInner(q, inner), depth + 1);
        return `${q} ${this.decl(target, inner, depth + 1)}`;
      }
      case BTF_KIND_ARRAY:
        return this.decl(btf.arrayElemType(id), `${parenthesize(inner)}[${btf.arrayLength(id)}]`, depth + 1);
      case BTF_KIND_FUNC_PROTO: {
        const params: string[] = [];
        const vlen = btf.vlen(id);
        for (let i = 0; i < vlen; i++) {
          const p = btf.paramType(id, i);
          // clang writes `f(void)` as one void parameter; a void last parameter is `...`.
          if (p === 0) {
            if (vlen > 1) params.push("...");
            continue;
          }
          params.push(this.decl(p, "", depth + 1));
        }
        return this.decl(btf.sizeOrType(id), `${parenthesize(inner)}(${params.length ? params.join(", ") : "void"})`, depth + 1);
      }
      default:
        return withInner(`<${kindDescriptor(k)?.name ?? "unknown"}>`, inner);
    }
  }

  /** The members of struct/union `id`, anonymous members flattened (see the module comment). */
  flatten(id: number): Flat {
    const out: Flat = { paths: [], offs: [], bits: [], bitfield: [], types: [] };
    this.flattenInto(id, "", 0, out, 0);
    return out;
  }

  private flattenInto(id: number, prefix: string, base: number, out: Flat, depth: number): void {
    if (depth > MAX_NEST_DEPTH) throw new BtfError(`anonymous members nest deeper than ${MAX_NEST_DEPTH} (a cycle?)`, { typeId: id });
    const btf = this.btf;
    const vlen = btf.vlen(id);
    const kflag = btf.kflag(id);
    for (let i = 0; i < vlen; i++) {
      const type = btf.memberType(id, i);
      let off = base + btf.memberBitOffset(id, i);
      let bf = btf.memberBitfieldSize(id, i);
      // Without kflag, a bitfield is an INT narrower than its size (the pre-kflag encoding): the same layout, so the same diff.
      if (!kflag && btf.kindNumber(type) === BTF_KIND_INT && btf.intBits(type) !== 8 * btf.sizeOrType(type)) {
        bf = btf.intBits(type);
        off += btf.intBitOffset(type);
      }
      if (btf.memberNameOff(id, i) === 0) {
        // C names the fields of an anonymous struct/union member as its own (typedef'd or named too, -fms-extensions).
        const t = btf.resolve(type);
        if (bf === 0 && isCompositeKind(btf.kindNumber(t))) this.flattenInto(t, prefix, off, out, depth + 1);
        continue;
      }
      const path = prefix + btf.memberName(id, i);
      out.paths.push(path);
      out.offs.push(off);
      out.bits.push(bf || this.bitsOf(type));
      out.bitfield.push(bf !== 0);
      out.types.push(type);
      const t = btf.skipModifiers(type);
      if (bf === 0 && isCompositeKind(btf.kindNumber(t)) && btf.nameOff(t) === 0) this.flattenInto(t, `${path}.`, off, out, depth + 1);
    }
  }

  state(f: Flat, i: number): MemberState {
    const s: MemberState = { bitOffset: f.offs[i], type: this.text(f.types[i]), bits: f.bits[i] };
    if (f.bitfield[i]) s.bitfield = true;
    return s;
  }
}

function withInner(base: string, inner: string): string {
  return inner ? `${base} ${inner}` : base;
}

/** A pointer declarator inside an array or prototype needs parentheses: `int (*)[4]`. */
function parenthesize(inner: string): string {
  return inner.startsWith("*") ? `(${inner})` : inner;
}

function tagName(tag: string, btf: Btf, id: number): string {
  return btf.nameOff(id) === 0 ? `${tag} {...}` : `${tag} ${btf.name(id)}`;
}

const CHANGE_ORDER: Record<MemberChangeKind, number> = { removed: 0, added: 1, renamed: 2, moved: 3, resized: 4, retyped: 5 };

/** Gives repeated paths (impossible in C, possible in hostile BTF) a `#N` suffix, in order, so they still pair up. */
function indexPaths(f: Flat): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < f.paths.length; i++) {
    let p = f.paths[i];
    for (let n = 2; m.has(p); n++) p = `${f.paths[i]}#${n}`;
    f.paths[i] = p;
    m.set(p, i);
  }
  return m;
}

/** The member changes between two flattened layouts; empty when they are the same. */
function diffMembers(os: Side, o: Flat, ns: Side, n: Flat): MemberChange[] {
  // Fast path: most types did not change, and then every entry lines up.
  if (o.paths.length === n.paths.length) {
    let same = true;
    for (let i = 0; same && i < o.paths.length; i++) {
      same =
        o.paths[i] === n.paths[i] &&
        o.offs[i] === n.offs[i] &&
        o.bits[i] === n.bits[i] &&
        o.bitfield[i] === n.bitfield[i] &&
        os.text(o.types[i]) === ns.text(n.types[i]);
    }
    if (same) return [];
  }
  const oIdx = indexPaths(o);
  const nIdx = indexPaths(n);
  const out: MemberChange[] = [];
  const pair = (i: number, j: number, renamed: boolean) => {
    const a = os.state(o, i);
    const b = ns.state(n, j);
    const entry = (change: MemberChangeKind): MemberChange =>
      renamed ? { name: n.paths[j], change, oldName: o.paths[i], old: a, new: b } : { name: n.paths[j], change, old: a, new: b };
    if (renamed) out.push(entry("renamed"));
    if (a.bitOffset !== b.bitOffset) out.push(entry("moved"));
    if (a.type !== b.type) out.push(entry("retyped"));
    else if (a.bits !== b.bits || a.bitfield !== b.bitfield) out.push(entry("resized"));
  };
  const added: number[] = [];
  for (let j = 0; j < n.paths.length; j++) {
    const i = oIdx.get(n.paths[j]);
    if (i === undefined) added.push(j);
    else pair(i, j, false);
  }
  const removed: number[] = [];
  for (let i = 0; i < o.paths.length; i++) if (!nIdx.has(o.paths[i])) removed.push(i);
  // Renamed: a removed and an added member at the same offset; same-typed ones pair first, else a lone pair does.
  const addedAt = new Map<number, number[]>();
  for (const j of added) {
    const l = addedAt.get(n.offs[j]);
    if (l) l.push(j);
    else addedAt.set(n.offs[j], [j]);
  }
  const gone = new Set<number>();
  const came = new Set<number>();
  const removedAt = new Map<number, number[]>();
  for (const i of removed) {
    const l = removedAt.get(o.offs[i]);
    if (l) l.push(i);
    else removedAt.set(o.offs[i], [i]);
  }
  for (const [off, rs] of removedAt) {
    const as = addedAt.get(off);
    if (!as) continue;
    for (const i of rs) {
      const t = os.text(o.types[i]);
      const j = as.find((j) => !came.has(j) && ns.text(n.types[j]) === t);
      if (j !== undefined) {
        gone.add(i);
        came.add(j);
        pair(i, j, true);
      }
    }
    const r = rs.filter((i) => !gone.has(i));
    const a = as.filter((j) => !came.has(j));
    if (r.length === 1 && a.length === 1) {
      gone.add(r[0]);
      came.add(a[0]);
      pair(r[0], a[0], true);
    }
  }
  for (const i of removed) if (!gone.has(i)) out.push({ name: o.paths[i], change: "removed", old: os.state(o, i) });
  for (const j of added) if (!came.has(j)) out.push({ name: n.paths[j], change: "added", new: ns.state(n, j) });
  out.sort(
    (x, y) =>
      (x.new ?? x.old)!.bitOffset - (y.new ?? y.old)!.bitOffset ||
      CHANGE_ORDER[x.change] - CHANGE_ORDER[y.change] ||
      (x.name < y.name ? -1 : x.name > y.name ? 1 : 0),
  );
  return out;
}

/** An enum's enumerators: names and values (numbers for ENUM, bigints for ENUM64). */
function enumValues(btf: Btf, id: number): { names: string[]; values: Array<number | bigint> } {
  const vlen = btf.vlen(id);
  const is64 = btf.kindNumber(id) === BTF_KIND_ENUM64;
  const names: string[] = new Array(vlen);
  const values: Array<number | bigint> = new Array(vlen);
  for (let i = 0; i < vlen; i++) {
    names[i] = btf.enumValueName(id, i);
    values[i] = is64 ? btf.enum64Value(id, i) : btf.enumValue(id, i);
  }
  return { names, values };
}

function sameValue(a: number | bigint, b: number | bigint): boolean {
  return typeof a === typeof b ? a === b : BigInt(a) === BigInt(b);
}

/** Whether two names (string offsets into two blobs) have the same bytes: compared in place, nothing decoded. */
function sameStr(a: Btf, offA: number, b: Btf, offB: number): boolean {
  return cStringsEqual(a.strSource(offA)!, a.strPos(offA), b.strSource(offB)!, b.strPos(offB));
}

function sameEnum(ob: Btf, o: number, nb: Btf, n: number): boolean {
  const vlen = ob.vlen(o);
  if (vlen !== nb.vlen(n) || ob.sizeOrType(o) !== nb.sizeOrType(n) || ob.kflag(o) !== nb.kflag(n)) return false;
  const o64 = ob.kindNumber(o) === BTF_KIND_ENUM64;
  const n64 = nb.kindNumber(n) === BTF_KIND_ENUM64;
  for (let i = 0; i < vlen; i++) {
    if (!sameStr(ob, ob.enumValueNameOff(o, i), nb, nb.enumValueNameOff(n, i))) return false;
    const a = o64 ? ob.enum64Value(o, i) : ob.enumValue(o, i);
    const b = n64 ? nb.enum64Value(n, i) : nb.enumValue(n, i);
    if (!sameValue(a, b)) return false;
  }
  return true;
}

function diffEnumValues(ob: Btf, o: number, nb: Btf, n: number): EnumValueChange[] {
  const a = enumValues(ob, o);
  const b = enumValues(nb, n);
  if (a.names.length === b.names.length && a.names.every((s, i) => s === b.names[i] && sameValue(a.values[i], b.values[i]))) return [];
  const old = new Map<string, number | bigint>();
  a.names.forEach((s, i) => old.set(s, a.values[i]));
  const now = new Set(b.names);
  const out: EnumValueChange[] = [];
  b.names.forEach((s, i) => {
    const v = old.get(s);
    if (v === undefined) out.push({ name: s, change: "added", new: b.values[i] });
    else if (!sameValue(v, b.values[i])) out.push({ name: s, change: "changed", old: v, new: b.values[i] });
  });
  a.names.forEach((s, i) => {
    if (!now.has(s)) out.push({ name: s, change: "removed", old: a.values[i] });
  });
  return out;
}

/** A prototype's parameters; the variadic tail is `...`, and `f(void)` as one void parameter is none. */
function params(side: Side, proto: number): ParamState[] {
  const btf = side.btf;
  const vlen = btf.vlen(proto);
  const out: ParamState[] = [];
  for (let i = 0; i < vlen; i++) {
    const t = btf.paramType(proto, i);
    if (t === 0) {
      if (vlen > 1) out.push({ name: "", type: "..." });
      continue;
    }
    out.push({ name: btf.paramName(proto, i), type: side.text(t) });
  }
  return out;
}

class Differ {
  /** Per old id: a new id + 1 its C text is known to equal (0 = none yet); most types have one counterpart, so one slot suffices. */
  private readonly sameAs: Int32Array;
  /** Per old id: a new id + 1 known to differ. */
  private readonly differs: Int32Array;

  constructor(
    readonly old: Side,
    readonly now: Side,
    private readonly typeTags: boolean,
  ) {
    this.sameAs = new Int32Array(old.btf.count);
    this.differs = new Int32Array(old.btf.count);
  }

  /**
   * Whether old type `o` and new type `n` read the same in C, decided on the
   * type graphs (names compared in place) so that the quick check makes no
   * strings. Stricter than comparing texts where C drops something (a
   * qualifier on an array): a false here only sends the pair to the full
   * comparison, which compares texts.
   */
  sameType(o: number, n: number, depth = 0): boolean {
    const ob = this.old.btf;
    const nb = this.now.btf;
    if (!this.typeTags) {
      while (o !== 0 && ob.kindNumber(o) === BTF_KIND_TYPE_TAG && depth++ < MAX_DECL_DEPTH) o = ob.sizeOrType(o);
      while (n !== 0 && nb.kindNumber(n) === BTF_KIND_TYPE_TAG && depth++ < MAX_DECL_DEPTH) n = nb.sizeOrType(n);
    }
    if (o === 0 || n === 0) return o === n;
    if (this.sameAs[o] === n + 1) return true;
    if (this.differs[o] === n + 1 || depth > MAX_DECL_DEPTH) return false;
    const same = this.sameTypeUncached(o, n, depth);
    if (same) this.sameAs[o] = n + 1;
    else this.differs[o] = n + 1;
    return same;
  }

  private sameTypeUncached(o: number, n: number, depth: number): boolean {
    const ob = this.old.btf;
    const nb = this.now.btf;
    const ko = ob.kindNumber(o);
    const kn = nb.kindNumber(n);
    switch (ko) {
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
      case BTF_KIND_TYPEDEF:
        // The text is the name alone.
        return (kn === BTF_KIND_INT || kn === BTF_KIND_FLOAT || kn === BTF_KIND_TYPEDEF) && sameStr(ob, ob.nameOff(o), nb, nb.nameOff(n));
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
      case BTF_KIND_FWD: {
        // `struct foo` from a definition or a forward declaration alike; `struct {...}` for any anonymous one.
        const union = (btf: Btf, id: number, k: number) => (k === BTF_KIND_FWD ? btf.kflag(id) : k === BTF_KIND_UNION);
        if (!(kn === BTF_KIND_STRUCT || kn === BTF_KIND_UNION || kn === BTF_KIND_FWD) || union(ob, o, ko) !== union(nb, n, kn)) return false;
        if (ob.nameOff(o) === 0) return nb.nameOff(n) === 0 && ko !== BTF_KIND_FWD && kn !== BTF_KIND_FWD;
        return sameStr(ob, ob.nameOff(o), nb, nb.nameOff(n));
      }
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        return isEnumKind(kn) && sameStr(ob, ob.nameOff(o), nb, nb.nameOff(n));
      case BTF_KIND_PTR:
      case BTF_KIND_CONST:
      case BTF_KIND_VOLATILE:
      case BTF_KIND_RESTRICT:
        return ko === kn && this.sameType(ob.sizeOrType(o), nb.sizeOrType(n), depth + 1);
      case BTF_KIND_TYPE_TAG:
        return ko === kn && sameStr(ob, ob.nameOff(o), nb, nb.nameOff(n)) && this.sameType(ob.sizeOrType(o), nb.sizeOrType(n), depth + 1);
      case BTF_KIND_ARRAY:
        return ko === kn && ob.arrayLength(o) === nb.arrayLength(n) && this.sameType(ob.arrayElemType(o), nb.arrayElemType(n), depth + 1);
      case BTF_KIND_FUNC_PROTO: {
        const vlen = ob.vlen(o);
        if (ko !== kn || vlen !== nb.vlen(n) || !this.sameType(ob.sizeOrType(o), nb.sizeOrType(n), depth + 1)) return false;
        for (let i = 0; i < vlen; i++) if (!this.sameType(ob.paramType(o, i), nb.paramType(n, i), depth + 1)) return false;
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * Whether old `o` and new `n` are the same, member by member in order,
   * without building anything: nearly every type of two kernels is, and the
   * full comparison is only run on those that are not.
   */
  same(cls: number, o: number, n: number): boolean {
    const ob = this.old.btf;
    const nb = this.now.btf;
    switch (cls) {
      case C_STRUCT:
      case C_UNION:
        return this.sameComposite(o, n, 0);
      case C_ENUM:
        return sameEnum(ob, o, nb, n);
      case C_TYPEDEF: {
        const ot = ob.sizeOrType(o);
        const nt = nb.sizeOrType(n);
        if (!this.sameType(ot, nt)) return false;
        const oa = ob.skipModifiers(ot);
        const na = nb.skipModifiers(nt);
        if (ob.nameOff(oa) !== 0 || nb.nameOff(na) !== 0) return true;
        const k = ob.kindNumber(oa);
        if (isCompositeKind(k)) return this.sameComposite(oa, na, 0);
        if (isEnumKind(k)) return sameEnum(ob, oa, nb, na);
        return true;
      }
      default:
        return this.sameFunc(o, n);
    }
  }

  private sameComposite(o: number, n: number, depth: number): boolean {
    const ob = this.old.btf;
    const nb = this.now.btf;
    const vlen = ob.vlen(o);
    const kflag = ob.kflag(o);
    if (vlen !== nb.vlen(n) || ob.sizeOrType(o) !== nb.sizeOrType(n) || kflag !== nb.kflag(n)) return false;
    if (depth > MAX_NEST_DEPTH) return false;
    for (let i = 0; i < vlen; i++) {
      const ot = ob.memberType(o, i);
      const nt = nb.memberType(n, i);
      if (
        ob.memberBitOffset(o, i) !== nb.memberBitOffset(n, i) ||
        ob.memberBitfieldSize(o, i) !== nb.memberBitfieldSize(n, i) ||
        !sameStr(ob, ob.memberNameOff(o, i), nb, nb.memberNameOff(n, i)) ||
        !this.sameType(ot, nt) ||
        this.old.bitsOf(ot) !== this.now.bitsOf(nt)
      ) {
        return false;
      }
      if (!kflag && ob.kindNumber(ot) === BTF_KIND_INT) {
        // The pre-kflag bitfield encoding lives in the INT.
        if (nb.kindNumber(nt) !== BTF_KIND_INT || ob.intBits(ot) !== nb.intBits(nt) || ob.intBitOffset(ot) !== nb.intBitOffset(nt)) return false;
      }
      // What flattening looks into reads `struct {...}` (or the same name) on both sides: look inside too.
      const inner = ob.memberNameOff(o, i) === 0 ? ob.resolve(ot) : ob.skipModifiers(ot);
      if (isCompositeKind(ob.kindNumber(inner)) && (ob.memberNameOff(o, i) === 0 || ob.nameOff(inner) === 0)) {
        const other = nb.memberNameOff(n, i) === 0 ? nb.resolve(nt) : nb.skipModifiers(nt);
        if (!this.sameComposite(inner, other, depth + 1)) return false;
      }
    }
    return true;
  }

  private sameFunc(o: number, n: number): boolean {
    const ob = this.old.btf;
    const nb = this.now.btf;
    if (ob.linkage(o) !== nb.linkage(n)) return false;
    const op = ob.sizeOrType(o);
    const np = nb.sizeOrType(n);
    const vlen = ob.vlen(op);
    if (vlen !== nb.vlen(np) || !this.sameType(ob.sizeOrType(op), nb.sizeOrType(np))) return false;
    for (let i = 0; i < vlen; i++) {
      const ot = ob.paramType(op, i);
      const nt = nb.paramType(np, i);
      if ((ot === 0) !== (nt === 0)) return false;
      if (ot !== 0 && (!sameStr(ob, ob.paramNameOff(op, i), nb, nb.paramNameOff(np, i)) || !this.sameType(ot, nt))) return false;
    }
    return true;
  }

  /** The differences of old type `o` and new type `n` (same kind class and name), or undefined when none. */
  compare(cls: number, name: string, o: number, n: number): TypeChange | undefined {
    return this.same(cls, o, n) ? undefined : this.compareFull(cls, name, o, n);
  }

  /** {@link compare} without the quick check, for pairs that failed it. */
  compareFull(cls: number, name: string, o: number, n: number): TypeChange | undefined {
    const ob = this.old.btf;
    const nb = this.now.btf;
    const c: TypeChange = { name, kind: KINDS[cls] };
    let changed = false;
    switch (cls) {
      case C_STRUCT:
      case C_UNION:
        changed = this.composite(c, o, n);
        break;
      case C_ENUM:
        changed = this.enumeration(c, o, n);
        break;
      case C_TYPEDEF: {
        const ot = ob.sizeOrType(o);
        const nt = nb.sizeOrType(n);
        const a = this.old.text(ot);
        const b = this.now.text(nt);
        if (a !== b) {
          c.type = [a, b];
          changed = true;
        } else {
          // `typedef struct {...} atomic_t`: the anonymous target's layout is the typedef's.
          const oa = ob.skipModifiers(ot);
          const na = nb.skipModifiers(nt);
          if (ob.nameOff(oa) === 0 && nb.nameOff(na) === 0) {
            const ok = ob.kindNumber(oa);
            if (isCompositeKind(ok)) changed = this.composite(c, oa, na);
            else if (isEnumKind(ok)) changed = this.enumeration(c, oa, na);
          }
        }
        break;
      }
      case C_FUNC:
        changed = this.func(c, o, n);
        break;
    }
    return changed ? c : undefined;
  }

  private composite(c: TypeChange, o: number, n: number): boolean {
    const os = this.old.btf.sizeOrType(o);
    const ns = this.now.btf.sizeOrType(n);
    const members = diffMembers(this.old, this.old.flatten(o), this.now, this.now.flatten(n));
    c.size = [os, ns];
    c.members = members;
    return os !== ns || members.length > 0;
  }

  private enumeration(c: TypeChange, o: number, n: number): boolean {
    const ob = this.old.btf;
    const nb = this.now.btf;
    const os = ob.sizeOrType(o);
    const ns = nb.sizeOrType(n);
    const values = diffEnumValues(ob, o, nb, n);
    c.size = [os, ns];
    const signed: [boolean, boolean] = [ob.kflag(o), nb.kflag(n)];
    if (signed[0] !== signed[1]) c.signed = signed;
    c.values = values;
    return os !== ns || values.length > 0 || c.signed !== undefined;
  }

  private func(c: TypeChange, o: number, n: number): boolean {
    const ob = this.old.btf;
    const nb = this.now.btf;
    const op = ob.sizeOrType(o);
    const np = nb.sizeOrType(n);
    let changed = false;
    const or = this.old.text(ob.sizeOrType(op));
    const nr = this.now.text(nb.sizeOrType(np));
    if (or !== nr) {
      c.return = [or, nr];
      changed = true;
    }
    const a = params(this.old, op);
    const b = params(this.now, np);
    const ps: ParamChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const x = a[i];
      const y = b[i];
      if (!x) ps.push({ index: i, change: "added", new: y });
      else if (!y) ps.push({ index: i, change: "removed", old: x });
      else {
        if (x.name !== y.name) ps.push({ index: i, change: "renamed", old: x, new: y });
        if (x.type !== y.type) ps.push({ index: i, change: "retyped", old: x, new: y });
      }
    }
    if (ps.length) {
      c.params = ps;
      changed = true;
    }
    const ol = linkageName(ob.linkage(o));
    const nl = linkageName(nb.linkage(n));
    if (ol !== nl) {
      c.linkage = [ol, nl];
      changed = true;
    }
    return changed;
  }
}

/** How many differences a change lists: pairs types that share a name by fewest differences. */
function weight(c: TypeChange | undefined): number {
  if (!c) return 0;
  return (
    (c.size && c.size[0] !== c.size[1] ? 1 : 0) +
    (c.members?.length ?? 0) +
    (c.values?.length ?? 0) +
    (c.params?.length ?? 0) +
    (c.signed ? 1 : 0) +
    (c.type ? 1 : 0) +
    (c.return ? 1 : 0) +
    (c.linkage ? 1 : 0)
  );
}

/**
 * One side's compared types grouped by kind class and name: the name bytes
 * are hashed and compared in place (cStringsEqual), so matching 70,000 names
 * against another blob's makes no strings; only what the diff reports is
 * decoded. Groups are numbered in order of their first id; each lists its
 * ids ascending.
 */
class Groups {
  /** Per group: kind class, first and last member (candidate indexes), member count. */
  readonly cls: Int8Array;
  readonly head: Int32Array;
  private readonly tail: Int32Array;
  readonly size: Int32Array;
  readonly hashes: Int32Array;
  /** Per candidate: its id and the next member of its group (-1 at the end). */
  readonly next: Int32Array;
  /** Open addressing table: group + 1 per slot, 0 for empty. */
  private readonly slots: Int32Array;
  private readonly mask: number;
  count = 0;

  constructor(
    readonly btf: Btf,
    readonly ids: Int32Array,
  ) {
    const n = ids.length;
    this.cls = new Int8Array(n);
    this.head = new Int32Array(n);
    this.tail = new Int32Array(n);
    this.size = new Int32Array(n);
    this.hashes = new Int32Array(n);
    this.next = new Int32Array(n).fill(-1);
    this.slots = new Int32Array(tableSize(n));
    this.mask = this.slots.length - 1;
    for (let c = 0; c < n; c++) {
      const id = ids[c];
      const cls = CLASS_OF[btf.kindNumber(id)];
      const off = btf.nameOff(id);
      const src = btf.strSourceOf(off, id);
      const pos = btf.strPos(off);
      const h = nameHash(src, pos, cls);
      let slot = h & this.mask;
      for (;;) {
        const g = this.slots[slot] - 1;
        if (g < 0) {
          const ng = this.count++;
          this.slots[slot] = ng + 1;
          this.cls[ng] = cls;
          this.hashes[ng] = h;
          this.head[ng] = this.tail[ng] = c;
          this.size[ng] = 1;
          break;
        }
        if (this.matches(g, h, cls, src, pos)) {
          this.next[this.tail[g]] = c;
          this.tail[g] = c;
          this.size[g]++;
          break;
        }
        slot = (slot + 1) & this.mask;
      }
    }
  }

  private matches(g: number, h: number, cls: number, src: Uint8Array, pos: number): boolean {
    if (this.hashes[g] !== h || this.cls[g] !== cls) return false;
    const off = this.btf.nameOff(this.ids[this.head[g]]);
    return cStringsEqual(this.btf.strSource(off)!, this.btf.strPos(off), src, pos);
  }

  /** The group here with the kind class and name of group `g` of `other`; -1 if none. */
  find(other: Groups, g: number): number {
    const cls = other.cls[g];
    const h = other.hashes[g];
    const off = other.btf.nameOff(other.ids[other.head[g]]);
    const src = other.btf.strSource(off)!;
    const pos = other.btf.strPos(off);
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const g = this.slots[slot] - 1;
      if (g < 0) return -1;
      if (this.matches(g, h, cls, src, pos)) return g;
    }
  }

  /** The ids of group `g`, ascending. */
  members(g: number): number[] {
    const out: number[] = [];
    for (let c = this.head[g]; c >= 0; c = this.next[c]) out.push(this.ids[c]);
    return out;
  }

  name(g: number): string {
    return this.btf.name(this.ids[this.head[g]]);
  }
}

function nameHash(src: Uint8Array, pos: number, cls: number): number {
  return Math.imul(hashCString(src, pos) ^ cls, 0x01000193) | 0;
}

/**
 * The ids `diffBtf` compares in `btf`, ascending: every named type of a
 * compared kind, or those a root spec names (exact names through the name
 * index, globs by a scan). Marks in `hit` the specs that matched.
 */
function candidates(btf: Btf, roots: readonly string[], hit: Uint8Array): Int32Array {
  if (!roots.length) {
    let out = new Int32Array(1024);
    let n = 0;
    for (let id = 1, end = btf.count; id < end; id++) {
      if (CLASS_OF[btf.kindNumber(id)] < 0 || btf.nameOff(id) === 0) continue;
      if (n === out.length) {
        const grown = new Int32Array(2 * n);
        grown.set(out);
        out = grown;
      }
      out[n++] = id;
    }
    return out.slice(0, n);
  }
  const picked = new Set<number>();
  const globs: Array<[number, RegExp]> = [];
  roots.forEach((spec, s) => {
    if (/[*?]/.test(spec)) {
      globs.push([s, globToRegExp(spec)]);
      return;
    }
    for (const id of btf.idsByName(spec)) {
      if (CLASS_OF[btf.kindNumber(id)] < 0) continue;
      picked.add(id);
      hit[s] = 1;
    }
  });
  if (globs.length) {
    for (let id = 1, end = btf.count; id < end; id++) {
      if (CLASS_OF[btf.kindNumber(id)] < 0 || btf.nameOff(id) === 0) continue;
      const name = btf.name(id);
      for (const [s, re] of globs) {
        if (re.test(name)) {
          picked.add(id);
          hit[s] = 1;
        }
      }
    }
  }
  return Int32Array.from(picked).sort();
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What changed between two BTFs (see {@link BtfDiff}), for every named
 * struct, union, enum (ENUM and ENUM64 alike), typedef and func, or those
 * `opts.roots` names. Types are matched by kind and name: a struct that became
 * a union is one removed and one added. Base types of split BTF are compared
 * too (all ids below `count`). Forward declarations are not definitions: a
 * struct only declared on one side is added or removed.
 *
 * Several types of one kind may share a name (a vmlinux has a few structs and
 * many static funcs that do). They are paired to report the fewest
 * differences: identical ones first, then the closest pairs (ties in id
 * order); the ones left over are added or removed.
 *
 * Nothing depends on type ids, byte order or the encoding of bitfields, so
 * the same types renumbered diff as nothing. Cost: one pass over both blobs'
 * records, names matched as bytes, a member-by-member check of each pair, and
 * the full comparison only for the pairs that differ.
 */
export function diffBtf(oldBtf: Btf, newBtf: Btf, opts: DiffOptions = {}): BtfDiff {
  const roots = opts.roots ?? [];
  for (const spec of roots) {
    if (/^\d+$/.test(spec)) throw new BtfError(`root '${spec}': btf diff takes type names, not ids (ids differ between the two BTFs)`);
  }
  const hit = new Uint8Array(roots.length);
  const olds = new Groups(oldBtf, candidates(oldBtf, roots, hit));
  const news = new Groups(newBtf, candidates(newBtf, roots, hit));
  roots.forEach((spec, s) => {
    if (!hit[s]) throw new BtfError(`no struct, union, enum, typedef or func matches '${spec}' in either BTF`);
  });
  const typeTags = opts.typeTags ?? false;
  const differ = new Differ(new Side(oldBtf, typeTags), new Side(newBtf, typeTags), typeTags);
  const result: BtfDiff = { added: [], removed: [], changed: [] };
  const matched = new Uint8Array(olds.count);
  for (let g = 0; g < news.count; g++) {
    const cls = news.cls[g];
    const kind = KINDS[cls];
    const n = news.ids[news.head[g]];
    const o = olds.find(news, g);
    if (o < 0) {
      const name = news.name(g);
      for (let k = news.size[g]; k > 0; k--) result.added.push({ name, kind });
      continue;
    }
    matched[o] = 1;
    if (news.size[g] === 1 && olds.size[o] === 1) {
      const oid = olds.ids[olds.head[o]];
      if (differ.same(cls, oid, n)) continue;
      const c = differ.compareFull(cls, news.name(g), oid, n);
      if (c) result.changed.push(c);
    } else {
      pairDuplicates(differ, cls, news.name(g), olds.members(o), news.members(g), result);
    }
  }
  for (let g = 0; g < olds.count; g++) {
    if (matched[g]) continue;
    const name = olds.name(g);
    const kind = KINDS[olds.cls[g]];
    for (let k = olds.size[g]; k > 0; k--) result.removed.push({ name, kind });
  }
  // Kind, then name; same-named entries keep the order they were found in.
  const order = (a: DiffTypeRef, b: DiffTypeRef) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || compareNames(a.name, b.name);
  result.added.sort(order);
  result.removed.sort(order);
  result.changed.sort(order);
  return result;
}

/**
 * Types of one kind that share a name: every pairing is compared and the
 * pairs with the fewest differences are taken first (ties in id order);
 * those left over are removed or added.
 */
function pairDuplicates(differ: Differ, cls: number, name: string, os: number[], ns: number[], result: BtfDiff): void {
  const kind = KINDS[cls];
  const pairs: Array<{ i: number; j: number; c: TypeChange | undefined; w: number }> = [];
  for (let i = 0; i < os.length; i++) {
    for (let j = 0; j < ns.length; j++) {
      const c = differ.compare(cls, name, os[i], ns[j]);
      pairs.push({ i, j, c, w: weight(c) });
    }
  }
  pairs.sort((x, y) => x.w - y.w || x.i - y.i || x.j - y.j);
  const usedO = new Uint8Array(os.length);
  const usedN = new Uint8Array(ns.length);
  for (const p of pairs) {
    if (usedO[p.i] || usedN[p.j]) continue;
    usedO[p.i] = usedN[p.j] = 1;
    if (p.c) result.changed.push(p.c);
  }
  for (let i = 0; i < os.length; i++) if (!usedO[i]) result.removed.push({ name, kind });
  for (let j = 0; j < ns.length; j++) if (!usedN[j]) result.added.push({ name, kind });
}

// --- text ----------------------------------------------------------------------------

/** A bit offset as bytes, with `:BIT` when it is not on a byte boundary: `@24`, `@24:3`. */
function at(bitOffset: number): string {
  const bytes = Math.floor(bitOffset / 8);
  const bit = bitOffset % 8;
  return bit ? `@${bytes}:${bit}` : `@${bytes}`;
}

/** A member's size: `:3` for a 3-bit bitfield, else bytes (bits when not whole bytes). */
function sizeText(s: MemberState): string {
  if (s.bitfield) return `:${s.bits}`;
  return s.bits % 8 ? `${s.bits} bits` : `${s.bits / 8} bytes`;
}

function memberText(m: MemberChange): string {
  const o = m.old!;
  const n = m.new!;
  switch (m.change) {
    case "added":
      return `added    ${m.name}: ${n.type} ${at(n.bitOffset)}${n.bitfield ? ` :${n.bits}` : ""}`;
    case "removed":
      return `removed  ${m.name}: ${o.type} ${at(o.bitOffset)}${o.bitfield ? ` :${o.bits}` : ""}`;
    case "renamed":
      return `renamed  ${m.oldName} -> ${m.name} ${at(n.bitOffset)}`;
    case "moved":
      return `moved    ${m.name}: ${at(o.bitOffset)} -> ${at(n.bitOffset)}`;
    case "resized":
      return `resized  ${m.name}: ${n.type} ${sizeText(o)} -> ${sizeText(n)}`;
    case "retyped":
      return `retyped  ${m.name}: ${o.type} -> ${n.type}`;
  }
}

function valueText(v: number | bigint | undefined): string {
  return String(v);
}

function paramText(p: ParamState): string {
  if (!p.name) return p.type;
  return p.type.endsWith("*") ? `${p.type}${p.name}` : `${p.type} ${p.name}`;
}

/**
 * The diff in words, one line per type and one indented line per change:
 *
 * ```
 * added struct foo
 * removed func bar
 * changed struct task_struct: size 9856 -> 9984
 *   added    x: u32 @24
 *   renamed  flags -> __flags @32
 *   moved    pid: @1234 -> @1240
 *   resized  sched_info: struct sched_info 32 bytes -> 40 bytes
 *   retyped  comm: char [16] -> char [32]
 * ```
 *
 * Offsets are in bytes (`@24`), with the bit for bitfields (`@24:3`); sizes
 * in bytes, bitfield widths as `:N`. Empty when nothing changed.
 */
export function diffText(d: BtfDiff): string {
  const lines: string[] = [];
  for (const t of d.added) lines.push(`added ${t.kind} ${t.name}`);
  for (const t of d.removed) lines.push(`removed ${t.kind} ${t.name}`);
  for (const c of d.changed) {
    let head = `changed ${c.kind} ${c.name}`;
    if (c.type) head += `: ${c.type[0]} -> ${c.type[1]}`;
    else if (c.size && c.size[0] !== c.size[1]) head += `: size ${c.size[0]} -> ${c.size[1]}`;
    if (c.signed) head += `${c.size && c.size[0] !== c.size[1] ? "," : ":"} ${c.signed[0] ? "signed" : "unsigned"} -> ${c.signed[1] ? "signed" : "unsigned"}`;
    lines.push(head);
    for (const m of c.members ?? []) lines.push(`  ${memberText(m)}`);
    for (const v of c.values ?? []) {
      if (v.change === "added") lines.push(`  added    ${v.name} = ${valueText(v.new)}`);
      else if (v.change === "removed") lines.push(`  removed  ${v.name} = ${valueText(v.old)}`);
      else lines.push(`  changed  ${v.name}: ${valueText(v.old)} -> ${valueText(v.new)}`);
    }
    if (c.return) lines.push(`  return   ${c.return[0]} -> ${c.return[1]}`);
    for (const p of c.params ?? []) {
      const label = `param ${p.index}`.padEnd(8);
      if (p.change === "added") lines.push(`  ${label} added ${paramText(p.new!)}`);
      else if (p.change === "removed") lines.push(`  ${label} removed ${paramText(p.old!)}`);
      else if (p.change === "renamed") lines.push(`  ${label} renamed ${p.old!.name || "(unnamed)"} -> ${p.new!.name || "(unnamed)"}`);
      else lines.push(`  ${label} retyped ${p.old!.type} -> ${p.new!.type}`);
    }
    if (c.linkage) lines.push(`  linkage  ${c.linkage[0]} -> ${c.linkage[1]}`);
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

// --- JSON ----------------------------------------------------------------------------

/** Options of {@link diffJson}. */
export interface DiffJsonOptions {
  /** Indented (4 spaces, as btfkit's other `-p` output), instead of one line. */
  pretty?: boolean;
}

function memberStateJson(s: MemberState): Record<string, unknown> {
  const o: Record<string, unknown> = { bit_offset: s.bitOffset, type: s.type, bits: s.bits };
  if (s.bitfield) o.bitfield = true;
  return o;
}

function changeJson(c: TypeChange): Record<string, unknown> {
  const o: Record<string, unknown> = { name: c.name, kind: c.kind };
  if (c.size) o.size = c.size;
  if (c.signed) o.signed = c.signed;
  if (c.type) o.type = c.type;
  if (c.members) {
    o.members = c.members.map((m) => {
      const e: Record<string, unknown> = { name: m.name, change: m.change };
      if (m.oldName !== undefined) e.old_name = m.oldName;
      if (m.old) e.old = memberStateJson(m.old);
      if (m.new) e.new = memberStateJson(m.new);
      return e;
    });
  }
  if (c.values) o.values = c.values;
  if (c.return) o.return = c.return;
  if (c.params) o.params = c.params;
  if (c.linkage) o.linkage = c.linkage;
  return o;
}

/**
 * The diff as JSON: `{"added": [{"name", "kind"}], "removed": [...],
 * "changed": [{"name", "kind", "size": [old, new], "members": [{"name",
 * "change", "old_name"?, "old": {"bit_offset", "type", "bits", "bitfield"?},
 * "new": {...}}], ...}]}`; enums add `values` (`{"name", "change", "old",
 * "new"}`) and `signed`, typedefs `type`, funcs `return`, `params` (`{"index",
 * "change", "old": {"name", "type"}, "new"}`) and `linkage`, each `[old, new]`
 * where it is a pair. ENUM64 values are decimal strings (64-bit).
 */
export function diffJson(d: BtfDiff, opts: DiffJsonOptions = {}): string {
  const doc = { added: d.added, removed: d.removed, changed: d.changed.map(changeJson) };
  return `${JSON.stringify(doc, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), opts.pretty ? 4 : undefined)}\n`;
}
