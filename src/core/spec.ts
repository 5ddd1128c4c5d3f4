/**
 * CO-RE access specs (libbpf relo_core.c): the local spec parsed from a
 * record's access string, and the formatting libbpf's log uses for specs.
 */
import type { Btf } from "../btf/btf.js";
import { BTF_KIND_ARRAY, BTF_KIND_ENUM64, BTF_KIND_INT, BTF_KIND_STRUCT, BTF_KIND_TYPEDEF, BTF_KIND_UNION, isCompositeKind, isEnumKind, kindName } from "../btf/kinds.js";
import { CoreReloKind, parseAccessString } from "../btf/ext.js";
import { BtfkitError, CoreRelocationError, type Where } from "../errors.js";

/** One semantically meaningful step of an access: a named field, an array index, or an enumerator. */
export interface Accessor {
  /** The struct/union holding the field, the array's element type, or the enum. */
  typeId: number;
  idx: number;
  /** Field or enumerator name; undefined for array indexing. */
  name?: string;
}

/** An access spec: a root type and the path an access string takes through it (libbpf's bpf_core_spec). */
export interface Spec {
  btf: Btf;
  rootTypeId: number;
  kind: number;
  /** High-level accessors: named fields and array indices only. */
  accessors: Accessor[];
  /** Low-level indices, one per access-string component (anonymous members included). */
  raw: number[];
  bitOffset: number;
}

/**
 * A record libbpf would fail the load on (it returns an errno): bad spec,
 * ambiguous candidates, an instruction that does not fit the relocation.
 * The relocation records it in its decision and goes on with the next record.
 */
export class RelocationFailure extends CoreRelocationError {}

/**
 * A failure as a decision records it: a RelocationFailure's detail (the
 * decision itself says which record), any other error's whole message.
 */
export function failureText(e: BtfkitError): string {
  return e instanceof RelocationFailure ? e.detail : e.message;
}

export function isFieldKind(kind: number): boolean {
  return kind <= CoreReloKind.FIELD_RSHIFT_U64;
}

export function isTypeKind(kind: number): boolean {
  return (
    kind === CoreReloKind.TYPE_ID_LOCAL ||
    kind === CoreReloKind.TYPE_ID_TARGET ||
    kind === CoreReloKind.TYPE_EXISTS ||
    kind === CoreReloKind.TYPE_SIZE ||
    kind === CoreReloKind.TYPE_MATCHES
  );
}

export function isEnumvalKind(kind: number): boolean {
  return kind === CoreReloKind.ENUMVAL_EXISTS || kind === CoreReloKind.ENUMVAL_VALUE;
}

/**
 * Length of a name without its flavor suffix: the part before the last
 * `X___Y` separator where X and Y are not underscores (`task_struct___v1` ->
 * `task_struct`; `foo___` and `___foo` keep their full length).
 */
export function essentialNameLength(name: string): number {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== "_" && name[i + 1] === "_" && name[i + 2] === "_" && name[i + 3] === "_" && name[i + 4] !== "_") {
      return i + 1;
    }
  }
  return name.length;
}

/** A name as bytes: the NUL-terminated string at `bytes[pos]` and its essential length in bytes. */
export interface NameBytes {
  bytes: Uint8Array;
  pos: number;
  essential: number;
}

const EMPTY_NAME: NameBytes = { bytes: new Uint8Array(1), pos: 0, essential: 0 };

/**
 * The name at string offset `off` as bytes, undecoded. Out of range, it is ""
 * (as `btf.str(off) ?? ""`), or a BtfError naming type `id` when given (as
 * `btf.name(id)`). Names are compared as bytes, as libbpf does with strcmp:
 * nothing is decoded, and a compare stops at the first difference.
 */
export function nameBytes(btf: Btf, off: number, id?: number): NameBytes {
  const bytes = id === undefined ? btf.strSource(off) : btf.strSourceOf(off, id);
  if (!bytes) return EMPTY_NAME;
  const pos = btf.strPos(off);
  return { bytes, pos, essential: essentialLengthAt(bytes, pos) };
}

/**
 * `essentialNameLength` over the bytes of the NUL-terminated name at
 * `bytes[pos]`. Underscores are single bytes in UTF-8 and in no other
 * character's encoding, so separators and lengths agree with the decoded name's.
 */
export function essentialLengthAt(bytes: Uint8Array, pos: number): number {
  let n = 0;
  while (pos + n < bytes.length && bytes[pos + n] !== 0) n++;
  for (let i = n - 5; i >= 0; i--) {
    const p = pos + i;
    if (bytes[p] !== 0x5f && bytes[p + 1] === 0x5f && bytes[p + 2] === 0x5f && bytes[p + 3] === 0x5f && bytes[p + 4] !== 0x5f) {
      return i + 1;
    }
  }
  return n;
}

/**
 * Whether the NUL-terminated name at `bytes[pos]` has `name`'s essential
 * name. Compares the essential bytes first, stopping at the first
 * difference; only a name that then ends or goes on with `_` is scanned
 * whole for its own essential length.
 */
export function hasEssentialName(bytes: Uint8Array, pos: number, name: NameBytes): boolean {
  const len = name.essential;
  const want = name.bytes;
  for (let k = 0; k < len; k++) {
    // `want` has no NUL in its first `len` bytes, so a shorter name differs here.
    if ((pos + k < bytes.length ? bytes[pos + k] : 0) !== want[name.pos + k]) return false;
  }
  const next = pos + len < bytes.length ? bytes[pos + len] : 0;
  return (next === 0 || next === 0x5f) && essentialLengthAt(bytes, pos) === len;
}

/** Size or a RelocationFailure: resolving sizes inside a spec fails the relocation, not the process. */
export function sizeOf(btf: Btf, id: number): number {
  try {
    return btf.sizeof(id);
  } catch (e) {
    if (!(e instanceof BtfkitError)) throw e;
    throw new RelocationFailure(`cannot size type [${id}]: ${e.message}`, { typeId: id });
  }
}

/** An array is flexible when it is a struct's last named member and has no elements. */
export function isFlexArray(btf: Btf, prev: Accessor | undefined, nelems: number): boolean {
  if (!prev?.name || nelems > 0) return false;
  return prev.idx === btf.vlen(prev.typeId) - 1;
}

/**
 * Parses the access string of a record against the local BTF
 * (bpf_core_parse_spec). Throws RelocationFailure where libbpf returns an error.
 */
export function parseLocalSpec(btf: Btf, typeId: number, access: string, kind: number): Spec {
  const where: Where = { typeId, accessString: access };
  const fail = (msg: string) => new RelocationFailure(msg, where);
  const spec: Spec = { btf, rootTypeId: typeId, kind, accessors: [], raw: [], bitOffset: 0 };
  if (isTypeKind(kind)) {
    if (access !== "0") throw fail(`type relocations take the access string "0", not "${access}"`);
    return spec;
  }
  try {
    spec.raw = parseAccessString(access);
  } catch (e) {
    if (!(e instanceof BtfkitError)) throw e;
    throw fail(e.detail);
  }
  let id = btf.resolve(typeId);
  const first = spec.raw[0];
  spec.accessors.push({ typeId: id, idx: first });
  if (isEnumvalKind(kind)) {
    if (!isEnumKind(btf.kindNumber(id)) || spec.raw.length > 1 || first >= btf.vlen(id) || first < 0) {
      throw fail(`enumerator access ${access} does not name an enumerator of [${id}]`);
    }
    spec.accessors[0].name = btf.enumValueName(id, first);
    return spec;
  }
  if (!isFieldKind(kind)) throw fail(`unknown relocation kind ${kind}`);
  spec.bitOffset = first * sizeOf(btf, id) * 8;
  for (let i = 1; i < spec.raw.length; i++) {
    id = btf.resolve(id);
    const idx = spec.raw[i];
    const k = btf.kindNumber(id);
    if (isCompositeKind(k)) {
      if (idx >= btf.vlen(id) || idx < 0) throw fail(`member index ${idx} is out of range for [${id}]`);
      spec.bitOffset += btf.memberBitOffset(id, idx);
      const nameOff = btf.memberNameOff(id, idx);
      if (nameOff !== 0) {
        const name = btf.memberName(id, idx);
        if (name === "") throw fail(`member ${idx} of [${id}] has an empty name`);
        spec.accessors.push({ typeId: id, idx, name });
      }
      id = btf.memberType(id, idx);
    } else if (k === BTF_KIND_ARRAY) {
      const nelems = btf.arrayLength(id);
      const elem = btf.resolve(btf.arrayElemType(id));
      const flex = isFlexArray(btf, spec.accessors[spec.accessors.length - 1], nelems);
      if (!flex && idx >= nelems) throw fail(`array index ${idx} is out of range (${nelems} elements)`);
      spec.accessors.push({ typeId: elem, idx });
      spec.bitOffset += idx * sizeOf(btf, elem) * 8;
      id = elem;
    } else {
      throw fail(`access step ${i} reaches [${id}] ${kindName(k)}, which has no members`);
    }
  }
  return spec;
}

/** C-ish name of a type: `struct task_struct`, `enum bpf_map_type`, `int`. */
export function typeLabel(btf: Btf, id: number): string {
  if (id === 0) return "void";
  const k = btf.kindNumber(id);
  const name = btf.name(id) || "<anon>";
  const tag = k === BTF_KIND_STRUCT ? "struct " : k === BTF_KIND_UNION ? "union " : isEnumKind(k) ? "enum " : "";
  return tag || k === BTF_KIND_INT || k === BTF_KIND_TYPEDEF ? `${tag}${name}` : `${kindName(k).toLowerCase()} ${name}`;
}

/** A spec in words, close to libbpf's log: `struct task_struct.pid (0:92 @ offset 1264)`. */
export function formatSpec(spec: Spec): string {
  const btf = spec.btf;
  let s = `[${spec.rootTypeId}] ${typeLabel(btf, spec.rootTypeId)}`;
  if (isTypeKind(spec.kind)) return s;
  if (isEnumvalKind(spec.kind)) {
    const acc = spec.accessors[0];
    const v = btf.kindNumber(acc.typeId) === BTF_KIND_ENUM64 ? btf.enum64Value(acc.typeId, acc.idx) : btf.enumValue(acc.typeId, acc.idx);
    return `${s}::${btf.enumValueName(acc.typeId, acc.idx)} = ${v}`;
  }
  spec.accessors.forEach((a, i) => {
    if (a.name) s += `.${a.name}`;
    else if (i > 0 || a.idx > 0) s += `[${a.idx}]`;
  });
  const off = spec.bitOffset % 8 ? `${Math.floor(spec.bitOffset / 8)}.${spec.bitOffset % 8}` : `${spec.bitOffset / 8}`;
  return `${s} (${spec.raw.join(":")} @ offset ${off})`;
}
