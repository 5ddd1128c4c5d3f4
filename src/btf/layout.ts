/**
 * Struct and union layouts as pahole 1.24 (Debian) prints them with
 * `pahole -F btf -C NAME FILE`: offsets, sizes, holes, bit holes, cacheline
 * boundaries, inferred `__aligned__`/`__packed__` attributes and the closing
 * summary comments, byte for byte. `layoutOf` gives the same numbers as data.
 *
 * The text follows pahole's own model of BTF, quirks included, because users
 * diff it against pahole: member offsets of bitfields are those of their
 * storage unit, alignment attributes are guessed from gaps, packedness is
 * guessed from offsets, and pahole's fixed-size name buffers truncate long
 * type names. One deliberate difference: a multi-dimensional BTF array
 * (`int m[2][3]`, an array of arrays) is printed in C order; pahole 1.24
 * prints its dimensions reversed (`int m[3][2]`). `paholeArrayOrder: true`
 * reproduces that too.
 *
 * State: pahole marks a struct packed when it finds it embedded at an
 * unnatural offset while laying out another one, and remembers that for the
 * rest of the run. `pahole -C NAME` lays out one struct per run, so by
 * default each root starts afresh; `sharedState: true` keeps the marks across
 * roots as one `pahole -F btf FILE` run over every struct does.
 */
import { BtfError } from "../errors.js";
import type { Btf } from "./btf.js";
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
  BTF_KIND_VOLATILE,
} from "./kinds.js";
import { ByteSink, collectDump, streamDump } from "./sink.js";

/** pahole's view of a BTF type: the kinds its BTF loader builds, NONE for those it drops (void, FUNC, VAR, DATASEC, tags). */
const enum P {
  NONE,
  BASE,
  PTR,
  CONST,
  VOLATILE,
  RESTRICT,
  TYPEDEF,
  ARRAY,
  STRUCT,
  UNION,
  ENUM,
  PROTO,
}

/** pahole kinds by BTF kind number (a table: the kind constants are module bindings, slow to read in a hot loop). */
const PAHOLE_KINDS = (() => {
  const t = new Uint8Array(32);
  t[BTF_KIND_INT] = P.BASE;
  t[BTF_KIND_FLOAT] = P.BASE;
  t[BTF_KIND_PTR] = P.PTR;
  t[BTF_KIND_CONST] = P.CONST;
  t[BTF_KIND_VOLATILE] = P.VOLATILE;
  t[BTF_KIND_RESTRICT] = P.RESTRICT;
  t[BTF_KIND_TYPEDEF] = P.TYPEDEF;
  t[BTF_KIND_ARRAY] = P.ARRAY;
  t[BTF_KIND_STRUCT] = P.STRUCT;
  t[BTF_KIND_UNION] = P.UNION;
  t[BTF_KIND_ENUM] = P.ENUM;
  t[BTF_KIND_ENUM64] = P.ENUM;
  t[BTF_KIND_FUNC_PROTO] = P.PROTO;
  return t;
})();
const KIND_FWD = BTF_KIND_FWD;
const KIND_INT = BTF_KIND_INT;
const KIND_FLOAT = BTF_KIND_FLOAT;
const KIND_ENUM64 = BTF_KIND_ENUM64;
const KIND_STRUCT = BTF_KIND_STRUCT;
const KIND_UNION = BTF_KIND_UNION;

/** One member of a laid-out struct or union. */
export interface MemberLayout {
  /** Index of the member in the BTF record. */
  index: number;
  /** "" for an anonymous member. */
  name: string;
  typeId: number;
  /** The member's type as pahole prints it, without the member's name (`struct list_head *`, `void (*)(int)`, `char[16]`, `struct {...}`). */
  type: string;
  /** Byte offset pahole prints: for a bitfield, that of its storage unit. */
  offset: number;
  /** Size in bytes (of the storage unit for a bitfield). */
  size: number;
  /** Bit offset from the start of the struct, as BTF stores it. */
  bitOffset: number;
  /** Bitfields: the bit within the storage unit, and the width in bits. */
  bitfieldOffset?: number;
  bitfieldSize?: number;
  /** `__aligned__(N)` pahole infers from the gap before the member. */
  alignment?: number;
  /** Bytes of hole after this member (structs only). */
  hole: number;
  /** Bits of hole after this bitfield (structs only). */
  bitHole: number;
  /** The padding at the end of the member's own struct type, when it is a struct with some ("XXX last struct has N bytes of padding"). */
  typePadding?: number;
}

/** A struct or union layout: the values pahole's comments show. */
export interface StructLayout {
  id: number;
  /** "" when anonymous. */
  name: string;
  kind: "struct" | "union";
  size: number;
  /** Cachelines the type spans (size rounded up), for `cachelineSize`. */
  cachelines: number;
  /** Bytes used in the last cacheline, 0 when the size is a multiple of it. */
  lastCacheline: number;
  members: MemberLayout[];
  /** Bytes of non-bitfield members. */
  sumMembers: number;
  /** Bits of bitfield members. */
  sumBitfieldBits: number;
  /** Byte holes (structs): how many, and their total. */
  holes: number;
  sumHoles: number;
  /** Bit holes between bitfields (structs). */
  bitHoles: number;
  sumBitHoles: number;
  /** Hole before the first member (structs; 0 in C). */
  leadingHole: number;
  /** Bytes after the last member: structs as pahole counts them; unions, the size minus the largest member. */
  padding: number;
  /** Unused bits at the end of a trailing bitfield. */
  bitPadding: number;
  /** Whether pahole infers `__attribute__((__packed__))`. */
  packed: boolean;
  /** `__aligned__(N)` pahole infers for the type itself, 0 when none. */
  alignment: number;
  /** The largest natural alignment of its members (1 when none). */
  naturalAlignment: number;
  /** Members with an inferred `__aligned__`, those of them after a hole, and those holes' total. */
  forcedAlignments: number;
  forcedHoles: number;
  sumForcedHoles: number;
  /** Members whose struct type ends in padding, and the total of those paddings. */
  paddedMembers: number;
  sumPaddings: number;
}

/** Options of the pahole-style dump. */
export interface PaholeOptions {
  /** Print only these struct/union ids, in this order (each as `pahole -C NAME` prints it). Default: every named struct and union, in id order, as `pahole -F btf FILE` lists them (one of several with equal name and layout). */
  roots?: readonly number[];
  /** Cacheline size in bytes (pahole takes the host's, 64 on x86-64 and arm64). */
  cachelineSize?: number;
  /** Keep packedness pahole infers while printing one root for the later ones, as one `pahole -F btf FILE` run does. Default: each root afresh, as `pahole -C NAME`. */
  sharedState?: boolean;
  /** Print multi-dimensional arrays with their dimensions reversed, as pahole 1.24 does (default: C order). */
  paholeArrayOrder?: boolean;
}

/** printf("%.*s", n, tabs) over pahole's 16-tab string. */
const TABS = "\t".repeat(16);
function tabs(n: number): string {
  return n <= 0 ? "" : n >= 16 ? TABS : TABS.slice(0, n);
}

/** strlen() of a name's UTF-8 bytes. */
function byteLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return new TextEncoder().encode(s).length;
  return s.length;
}

const SPACES = " ".repeat(256);
function blanks(n: number): string {
  return n <= 256 ? SPACES.slice(0, n) : " ".repeat(n);
}

/** printf("%-*s", w, s), which counts bytes; a negative width left-justifies too. */
function padEnd(s: string, w: number): string {
  w = Math.abs(w);
  const n = byteLength(s);
  return n >= w ? s : s + blanks(w - n);
}

/** printf("%*s", w, " "). */
function spaces(w: number): string {
  w = Math.abs(w);
  return w <= 1 ? " " : blanks(w);
}

/** printf("%*u", w, v). */
function padStart(v: number | string, w: number): string {
  const s = String(v);
  return s.length >= w ? s : blanks(w - s.length) + s;
}

/** snprintf into a buffer of `len` bytes: at most len - 1 characters survive. */
function trunc(s: string, len: number): string {
  if (s.length < len && byteLength(s) < len) return s;
  const bytes = new TextEncoder().encode(s);
  return bytes.length < len ? s : new TextDecoder().decode(bytes.subarray(0, len - 1));
}

const u32 = (v: number) => v >>> 0;
/** Nesting of types (pointers, arrays, inline structs) followed by recursion: far beyond real types, far within the JS stack. */
const MAX_DEPTH = 500;
/** Plain arrays: cheaper to make than typed arrays for the few members of a struct. */
const zeros = (n: number): number[] => new Array<number>(n).fill(0);
const plural = (n: number, one: string, many: string) => (n !== 1 ? many : one);

/**
 * Where pahole 1.24 reports a type id it did not load (its __func__ and
 * __LINE__), checked against Debian's build, but for union__fprintf's: pahole
 * crashes on such a union member before it gets there.
 */
const NOT_FOUND_SITES = {
  ptrName: "tag__ptr_name:496",
  qualifierName: "__tag__name:572",
  arrayName: "__tag__name:590",
  arrayPrint: "array_type__fprintf:238",
  params: "ftype__fprintf_parms:1142",
  union: "union__fprintf:1077",
  bitHoleLine: "__class__fprintf:1546",
  member: "__class__fprintf:1609",
} as const;

/** pahole's conf_fprintf, the parts a layout uses. Copied where pahole copies it. */
interface Conf {
  indent: number;
  typeSpacing: number;
  nameSpacing: number;
  baseOffset: number;
  relOffset: boolean;
  /** The cacheline the outermost print has reached, shared by nested prints. */
  cacheline: { line: number } | undefined;
  /** Printed after the closing brace (the member name of an inline type); null prints nothing. */
  suffix: string | null;
  emitStats: boolean;
  lastMember: boolean;
  firstMember: boolean;
  unionMember: boolean;
}

/** A copy of a Conf (an explicit literal keeps one object shape). */
function cloneConf(c: Conf): Conf {
  return {
    indent: c.indent,
    typeSpacing: c.typeSpacing,
    nameSpacing: c.nameSpacing,
    baseOffset: c.baseOffset,
    relOffset: c.relOffset,
    cacheline: c.cacheline,
    suffix: c.suffix,
    emitStats: c.emitStats,
    lastMember: c.lastMember,
    firstMember: c.firstMember,
    unionMember: c.unionMember,
  };
}

/** pahole's per-type member data after its BTF loader's fixups, and class__find_holes' results. */
interface Composite {
  id: number;
  n: number;
  isUnion: boolean;
  size: number;
  types: number[];
  bitOffset: number[];
  bitfieldSize: number[];
  byteOffset: number[];
  byteSize: number[];
  bitSize: number[];
  bitfieldOffset: number[];
  alignment: number[];
  /** The type's own inferred alignment. */
  typeAlignment: number;
  holesSearched: boolean;
  hole: number[];
  bitHole: number[];
  preHole: number;
  preBitHole: number;
  nrHoles: number;
  nrBitHoles: number;
  padding: number;
  bitPadding: number;
}

/** Lays out structs as pahole does; caches per-type results, holds the packedness state. */
class Pahole {
  private readonly composites = new Map<number, Composite>();
  private readonly naturalCache = new Map<number, number>();
  private readonly rawNames = new Map<number, string>();
  private readonly enumNameLen = new Map<number, number>();
  /** pahole's packed_attributes_inferred and is_packed, by type id. */
  private readonly inferred: Uint8Array;
  private readonly packed: Uint8Array;
  private readonly touched: number[] = [];
  /** kindOf() by id, 0xff until asked. */
  private readonly kinds: Uint8Array;
  readonly cachelineSize: number;
  readonly ptrSize: number;
  private readonly arrayOrderPahole: boolean;
  private depth = 0;

  constructor(
    readonly btf: Btf,
    opts: PaholeOptions,
  ) {
    this.cachelineSize = opts.cachelineSize ?? 64;
    if (!Number.isInteger(this.cachelineSize) || this.cachelineSize < 1 || this.cachelineSize > 0xffff) {
      throw new BtfError(`cacheline size ${opts.cachelineSize} is not an integer in 1..65535`);
    }
    this.ptrSize = btf.pointerSize;
    this.inferred = new Uint8Array(btf.count);
    this.packed = new Uint8Array(btf.count);
    this.kinds = new Uint8Array(btf.count).fill(0xff);
    this.arrayOrderPahole = opts.paholeArrayOrder ?? false;
  }

  /** Forgets packedness inferred so far (a new `pahole -C` run). */
  resetState(): void {
    for (const id of this.touched) {
      this.inferred[id] = 0;
      this.packed[id] = 0;
    }
    this.touched.length = 0;
  }

  private mark(id: number, inferred: boolean, packed: boolean): void {
    if (!this.inferred[id] && !this.packed[id]) this.touched.push(id);
    if (inferred) this.inferred[id] = 1;
    this.packed[id] = packed ? 1 : 0;
  }

  // ---- pahole's type table -------------------------------------------------

  /** The pahole kind of an id; NONE for what cu__type() answers NULL. */
  kindOf(id: number): P {
    if (id <= 0 || id >= this.btf.count) return P.NONE;
    let k = this.kinds[id];
    if (k === 0xff) {
      const kn = this.btf.kindNumber(id);
      k = kn === KIND_FWD ? (this.btf.kflag(id) ? P.UNION : P.STRUCT) : kn < PAHOLE_KINDS.length ? PAHOLE_KINDS[kn] : P.NONE;
      this.kinds[id] = k;
    }
    return k;
  }

  /** The id a type refers to (pahole's tag->type): 0 for types that refer to none. */
  target(id: number): number {
    switch (this.kindOf(id)) {
      case P.PTR:
      case P.CONST:
      case P.VOLATILE:
      case P.RESTRICT:
      case P.TYPEDEF:
      case P.PROTO:
        return this.btf.sizeOrType(id);
      case P.ARRAY:
        return this.btf.arrayElemType(id);
      default:
        return 0;
    }
  }

  /** A name as pahole keeps it: null for string offset 0. */
  nameOrNull(id: number): string | null {
    return this.btf.nameOff(id) === 0 ? null : this.btf.name(id);
  }

  /** Members of a struct or union (a FWD has none). */
  private vlen(id: number): number {
    const k = this.btf.kindNumber(id);
    return k === KIND_STRUCT || k === KIND_UNION ? this.btf.vlen(id) : 0;
  }

  /** Bits of a base type (INT: its nr_bits; FLOAT: 8 * size). */
  private baseBits(id: number): number {
    return this.btf.kindNumber(id) === KIND_INT ? this.btf.intBits(id) : (this.btf.sizeOrType(id) * 8) & 0xffff;
  }

  /** Size of an enum in bits as pahole stores it (32 for size 0). */
  private enumBits(id: number): number {
    const s = this.btf.sizeOrType(id);
    return s ? s * 8 : 32;
  }

  /** tag__strip_typedefs_and_modifiers from `id` itself: 0 for NULL. */
  private stripFrom(id: number): number {
    let t = id;
    for (let guard = 0; ; guard++) {
      const k = this.kindOf(t);
      if (k === P.NONE) return 0;
      if (k !== P.TYPEDEF && k !== P.CONST && k !== P.VOLATILE && k !== P.RESTRICT) return t;
      if (guard > 4096) throw this.loop(id);
      t = this.target(t);
    }
  }

  private loop(id: number): BtfError {
    return new BtfError(`a type reference loop, or types nested deeper than ${MAX_DEPTH}, while laying out a struct`, { typeId: id });
  }

  /** tag__size: bytes, -1 when a referenced id is missing. */
  tagSize(id: number): number {
    for (let mult = 1, guard = 0; ; guard++) {
      if (guard > 4096) throw this.loop(id);
      switch (this.kindOf(id)) {
        case P.PTR:
          return mult * this.ptrSize;
        case P.BASE:
          return mult * (this.baseBits(id) >>> 3);
        case P.ENUM:
          return mult * (this.enumBits(id) >>> 3);
        case P.STRUCT:
        case P.UNION: {
          const size = this.btf.sizeOrType(id);
          // pahole's "empty base optimization" guess.
          return mult * (size === 1 && this.vlen(id) === 0 ? 0 : size);
        }
        case P.NONE:
          return -1;
        case P.PROTO:
          // A function type is no member type C allows; pahole reads garbage here.
          if (this.target(id) === 0) return 0;
          id = this.target(id);
          continue;
        case P.ARRAY:
          mult *= this.btf.arrayLength(id);
          id = this.target(id);
          continue;
        default:
          id = this.target(id);
          continue;
      }
    }
  }

  /** tag__natural_alignment (1 at least). */
  natural(id: number): number {
    let a = 1;
    switch (this.kindOf(id)) {
      case P.PTR:
        a = this.ptrSize;
        break;
      case P.BASE:
        a = this.baseBits(id) >>> 3;
        break;
      case P.ENUM:
        a = this.enumBits(id) >>> 3;
        break;
      case P.STRUCT:
      case P.UNION:
        a = this.compositeNatural(id);
        break;
      case P.ARRAY: {
        const t = this.stripFrom(this.target(id));
        if (t) a = this.natural(t);
        break;
      }
    }
    return a || 1;
  }

  private compositeNatural(id: number): number {
    const cached = this.naturalCache.get(id);
    if (cached !== undefined && cached !== 0) return cached;
    if (++this.depth > MAX_DEPTH) throw this.loop(id);
    let max = 0;
    const n = this.vlen(id);
    for (let i = 0; i < n; i++) {
      const t = this.stripFrom(this.btf.memberType(id, i));
      if (!t) continue;
      const a = this.natural(t);
      if (max < a) max = a;
    }
    this.depth--;
    max &= 0xffff;
    this.naturalCache.set(id, max);
    return max;
  }

  /** class__infer_alignment: a forced alignment that explains a gap, or 0. */
  private inferAlignment(byteOffset: number, natural: number, smallest: number): number {
    const delta = u32(byteOffset - smallest);
    let alignment = 0;
    if (delta && byteOffset % 2 === 0) {
      // pahole: 1 << (32 - clz(delta)); x86 masks a shift by 32 to 0.
      alignment = u32(1 << ((32 - Math.clz32(delta)) & 31));
    }
    const cl = this.cachelineSize;
    if (alignment <= natural || alignment === 1) return 0;
    if (alignment < cl && cl % alignment === 0 && byteOffset % cl === 0) return cl;
    return alignment;
  }

  /** The loader's member data for a struct or union (class__fixup_btf_bitfields). */
  composite(id: number): Composite {
    let c = this.composites.get(id);
    if (c) return c;
    const btf = this.btf;
    const n = this.vlen(id);
    c = {
      id,
      n,
      isUnion: this.kindOf(id) === P.UNION,
      size: btf.sizeOrType(id),
      types: zeros(n),
      bitOffset: zeros(n),
      bitfieldSize: zeros(n),
      byteOffset: zeros(n),
      byteSize: zeros(n),
      bitSize: zeros(n),
      bitfieldOffset: zeros(n),
      alignment: zeros(n),
      typeAlignment: 0,
      holesSearched: false,
      hole: zeros(n),
      bitHole: zeros(n),
      preHole: 0,
      preBitHole: 0,
      nrHoles: 0,
      nrBitHoles: 0,
      padding: 0,
      bitPadding: 0,
    };
    if (btf.kindNumber(id) === KIND_FWD) c.size = 0;
    let smallest = 0;
    for (let i = 0; i < n; i++) {
      const bitOffset = btf.memberBitOffset(id, i);
      const bfs = btf.memberBitfieldSize(id, i);
      c.types[i] = btf.memberType(id, i);
      c.bitOffset[i] = bitOffset;
      c.bitfieldSize[i] = bfs & 0xff;
      c.byteOffset[i] = bitOffset >>> 3;
      const t = this.stripFrom(c.types[i]);
      if (!t) continue;
      const byteSize = this.tagSize(t);
      c.byteSize[i] = byteSize;
      const bitSize = u32(byteSize * 8);
      c.bitSize[i] = bitSize;
      if (byteSize === 0) continue;
      const k = this.kindOf(t);
      if ((k === P.BASE || k === P.ENUM) && bfs) {
        // Bitfields are reported at the offset of their storage unit.
        c.byteOffset[i] = u32(Math.floor(bitOffset / bitSize) * bitSize) >>> 3;
        // An int8_t in pahole.
        c.bitfieldOffset[i] = ((bitOffset - c.byteOffset[i] * 8) << 24) >> 24;
      }
      c.alignment[i] = this.inferAlignment(c.byteOffset[i], this.natural(t), smallest);
      smallest = c.byteOffset[i] + byteSize;
    }
    c.typeAlignment = this.inferAlignment(c.size, this.natural(id), smallest);
    this.composites.set(id, c);
    return c;
  }

  /** class__find_holes (structs only; once per type). */
  findHoles(c: Composite): void {
    if (c.isUnion || c.holesSearched) return;
    c.nrHoles = 0;
    c.nrBitHoles = 0;
    let curBitfieldEnd = u32(c.size * 8);
    let curBitfieldSize = 0;
    let lastSeenBit = 0;
    let inBitfield = false;
    let last = -1;
    for (let i = 0; i < c.n; i++) {
      c.hole[i] = 0;
      c.bitHole[i] = 0;
      const bitStart = c.bitOffset[i];
      const bfs = c.bitfieldSize[i];
      const bitEnd = u32(bfs ? bitStart + bfs : bitStart + c.byteSize[i] * 8);
      let bitHoles = 0;
      let byteHoles = 0;
      if (inBitfield) {
        const bitfieldEnd = Math.min(bitStart, curBitfieldEnd);
        bitHoles = (bitfieldEnd - lastSeenBit) | 0;
        lastSeenBit = bitfieldEnd;
      }
      if (bfs) {
        const alignedStart = u32(c.byteOffset[i] * 8);
        if (lastSeenBit < alignedStart && alignedStart <= bitStart) {
          byteHoles = (c.byteOffset[i] - (lastSeenBit >>> 3)) | 0;
          lastSeenBit = alignedStart;
        }
        bitHoles = (bitHoles + (bitStart - lastSeenBit)) | 0;
      } else {
        byteHoles = ((bitStart >>> 3) - (lastSeenBit >>> 3)) | 0;
      }
      lastSeenBit = bitEnd;
      if (bfs) {
        inBitfield = true;
        const bitSize = c.bitSize[i];
        if (bitEnd > curBitfieldEnd || bitSize > curBitfieldSize) {
          curBitfieldSize = bitSize;
          curBitfieldEnd = u32(c.byteOffset[i] * 8 + curBitfieldSize);
          if (bitEnd > curBitfieldEnd) curBitfieldEnd = u32(curBitfieldEnd + curBitfieldSize);
        }
      } else {
        inBitfield = false;
        curBitfieldSize = 0;
        curBitfieldEnd = bitEnd;
      }
      if (last >= 0) {
        c.hole[last] = byteHoles & 0xffff;
        c.bitHole[last] = bitHoles & 0xff;
      } else {
        c.preHole = byteHoles & 0xffff;
        c.preBitHole = bitHoles & 0xff;
      }
      if (bitHoles) c.nrBitHoles = (c.nrBitHoles + 1) & 0xff;
      if (byteHoles) c.nrHoles = (c.nrHoles + 1) & 0xff;
      last = i;
    }
    if (inBitfield) {
      const bitfieldEnd = Math.min(u32(c.size * 8), curBitfieldEnd);
      c.bitPadding = (bitfieldEnd - lastSeenBit) & 0xff;
      lastSeenBit = bitfieldEnd;
    } else {
      c.bitPadding = 0;
    }
    c.padding = (c.size - (lastSeenBit >>> 3)) & 0xffff;
    c.holesSearched = true;
  }

  // ---- packedness (stateful, as in pahole) ----------------------------------

  /** class__infer_packed_attributes. */
  inferPacked(id: number): boolean {
    if (this.kindOf(id) !== P.STRUCT) return false;
    if (this.inferred[id]) return this.packed[id] === 1;
    const c = this.composite(id);
    this.findHoles(c);
    let packed = false;
    if (c.padding !== 0 || c.nrHoles !== 0) {
      this.checkUnnatural(c);
    } else {
      let max = 1;
      for (let i = 0; i < c.n; i++) {
        const a = this.natural(this.stripFrom(c.types[i]));
        if (a === 1) continue;
        if (max < a) max = a;
        if (c.byteOffset[i] % a !== 0) {
          packed = true;
          break;
        }
      }
      if (!packed && c.size % (max & 0xffff) !== 0) packed = true;
    }
    this.mark(id, true, packed);
    return packed;
  }

  /** type__check_structs_at_unnatural_alignments: embedded structs at odd offsets must be packed. */
  private checkUnnatural(c: Composite): void {
    for (let i = 0; i < c.n; i++) {
      const t = this.stripFrom(c.types[i]);
      if (!t || this.kindOf(t) !== P.STRUCT) continue;
      if (c.byteOffset[i] % this.natural(t) !== 0) this.mark(t, true, true);
    }
  }

  /** union__infer_packed_attributes: a struct whose alignment does not divide the union's size must be packed. */
  private inferUnionPacked(id: number, c: Composite): void {
    if (this.inferred[id]) return;
    for (let i = 0; i < c.n; i++) {
      const t = this.stripFrom(c.types[i]);
      if (!t || this.kindOf(t) !== P.STRUCT) continue;
      if (c.size % this.natural(t) !== 0) this.mark(t, true, true);
    }
    this.mark(id, true, false);
  }

  isPacked(id: number): boolean {
    return this.packed[id] === 1;
  }

  // ---- names ---------------------------------------------------------------

  private notFound(site: keyof typeof NOT_FOUND_SITES, id: number): string {
    return `<ERROR(${NOT_FOUND_SITES[site]}): 0x${id.toString(16)} not found!>`;
  }

  /** What pahole's fprintf-style "not found" reports print: the id in decimal, then a newline. */
  private notFoundLine(site: keyof typeof NOT_FOUND_SITES, id: number): string {
    return `<ERROR(${NOT_FOUND_SITES[site]}): ${id} not found!>\n`;
  }

  /** tag__name into a buffer of `len` bytes. */
  tagName(id: number, len: number): string {
    if (this.kindOf(id) === P.NONE) return trunc("void", len);
    return trunc(this.rawName(id), len);
  }

  /** __tag__name before the caller's buffer truncates it (nested buffers already applied). */
  private rawName(id: number): string {
    let s = this.rawNames.get(id);
    if (s !== undefined) return s;
    if (++this.depth > MAX_DEPTH) throw this.loop(id);
    s = this.computeName(id);
    this.depth--;
    this.rawNames.set(id, s);
    return s;
  }

  private computeName(id: number): string {
    const btf = this.btf;
    switch (this.kindOf(id)) {
      case P.BASE: {
        const name = this.nameOrNull(id);
        if (name === null) return "nameless base type!";
        if (btf.kindNumber(id) === KIND_FLOAT) return trunc(`single ${name}`, 64);
        // pahole means to print "bool " before a BTF_INT_BOOL name, but stores the flag in a 1-bit field as `encoding & 4`, which is 0.
        return trunc(name, 64);
      }
      case P.PTR:
        return this.ptrName(id);
      case P.CONST:
      case P.VOLATILE:
      case P.RESTRICT: {
        const t = this.target(id);
        if (this.kindOf(t) === P.NONE && t !== 0) return this.notFound("qualifierName", t);
        const inner = this.tagName(t, 128);
        const k = this.kindOf(id);
        return `${k === P.VOLATILE ? "volatile " : k === P.CONST ? "const " : ""}${inner}${k === P.RESTRICT ? " restrict" : ""} `;
      }
      case P.ARRAY: {
        const t = this.target(id);
        if (this.kindOf(t) === P.NONE) return this.notFound("arrayName", t);
        return this.rawName(t);
      }
      case P.PROTO:
        return this.ftype(id, null, false, false, 0, true);
      case P.STRUCT:
        return `struct ${this.nameOrNull(id) ?? ""}`;
      case P.UNION:
        return `union ${this.nameOrNull(id) ?? ""}`;
      case P.ENUM:
        return `enum ${this.nameOrNull(id) ?? ""}`;
      case P.TYPEDEF:
        return this.nameOrNull(id) ?? "";
      default:
        return "void";
    }
  }

  /** tag__ptr_name. */
  private ptrName(id: number): string {
    const t = this.target(id);
    if (t === 0) return "void *";
    if (this.kindOf(t) === P.NONE) return `${this.notFound("ptrName", t)} *`;
    let pointee = t;
    let constPointer = "";
    if (this.kindOf(t) === P.CONST) {
      const next = this.target(t);
      if (this.kindOf(next) === P.PTR) {
        constPointer = "const ";
        pointee = next;
      }
    }
    return `${this.tagName(pointee, 1024)} ${constPointer}*`;
  }

  /** ftype__fprintf as a string. */
  ftype(id: number, name: string | null, inlined: boolean, isPointer: boolean, typeSpacing: number, isPrototype: boolean): string {
    const stype = this.tagName(this.target(id), 128);
    return (
      (inlined ? "inline " : "") +
      padEnd(stype, typeSpacing) +
      " " +
      (isPrototype ? "(" : "") +
      (isPointer ? "*" : "") +
      (name ?? "") +
      (isPrototype ? ")" : "") +
      this.params(id)
    );
  }

  /** ftype__fprintf_parms. */
  private params(id: number): string {
    const btf = this.btf;
    const n = btf.vlen(id);
    let s = "(";
    let first = true;
    let unspec = false;
    for (let i = 0; i < n; i++) {
      const pt = btf.paramType(id, i);
      if (pt === 0) {
        unspec = true;
        continue;
      }
      if (!first) s += ", ";
      first = false;
      const name = btf.paramNameOff(id, i) === 0 ? null : btf.paramName(id, i);
      const k = this.kindOf(pt);
      let stype: string;
      if (k === P.NONE) {
        stype = `<ERROR: type ${pt} not found>`;
      } else if (k === P.PTR && this.target(pt) !== 0) {
        const ptype = this.target(pt);
        if (this.kindOf(ptype) === P.NONE) {
          s += this.notFoundLine("params", ptype);
          continue;
        }
        if (this.kindOf(ptype) === P.PROTO) {
          s += this.ftype(ptype, name, false, true, 0, true);
          continue;
        }
        stype = this.tagName(pt, 128);
      } else if (k === P.PROTO) {
        s += this.ftype(pt, name, true, false, 0, false);
        continue;
      } else {
        stype = this.tagName(pt, 128);
      }
      s += stype + (name !== null ? ` ${name}` : "");
    }
    if (first) s += "void)";
    else if (unspec) s += ", ...)";
    else s += ")";
    return s;
  }

  // ---- printing --------------------------------------------------------------

  /** tag__fprintf of a struct or union root, with pahole's ";" (without the newline pahole adds). */
  printRoot(id: number, out: ByteSink): void {
    const isUnion = this.kindOf(id) === P.UNION;
    const conf: Conf = {
      indent: 0,
      typeSpacing: 26,
      nameSpacing: isUnion ? 21 : 23,
      baseOffset: 0,
      relOffset: false,
      cacheline: undefined,
      suffix: null,
      emitStats: true,
      lastMember: false,
      firstMember: false,
      unionMember: false,
    };
    if (isUnion) this.printUnion(id, conf, out);
    else this.printStruct(id, conf, out);
    out.byte(0x3b);
  }

  /** type__fprintf. */
  private printType(id: number, name: string | null, conf: Conf, out: ByteSink): void {
    if (++this.depth > MAX_DEPTH) throw this.loop(id);
    this.printTypeInner(id, name, conf, out);
    this.depth--;
  }

  private printTypeInner(id: number, name: string | null, conf: Conf, out: ByteSink): void {
    const tconf = cloneConf(conf);
    let k = this.kindOf(id);
    if (k === P.NONE) {
      out.text(`${padEnd("<ERROR", tconf.typeSpacing)}> ${name ?? "(null)"}`);
      return;
    }
    if (k === P.STRUCT || k === P.UNION || k === P.ENUM) {
      tconf.suffix = name;
      tconf.emitStats = false;
    }
    for (;;) {
      switch (k) {
        case P.PTR: {
          const pt = this.target(id);
          if (pt !== 0) {
            const pk = this.kindOf(pt);
            if (pk === P.NONE) {
              out.text(`${padEnd("<ERROR", tconf.typeSpacing)}> ${name ?? "(null)"}`);
              return;
            }
            if (pk === P.PROTO) {
              out.text(this.ftype(pt, name, false, true, tconf.typeSpacing, true));
              return;
            }
            if ((pk === P.STRUCT || pk === P.UNION || pk === P.ENUM) && this.btf.nameOff(pt) === 0) {
              // A pointer to an inline type: printed inline, offsets relative to it.
              name = trunc(`* ${name ?? "(null)"}`, 258);
              tconf.relOffset = true;
              tconf.typeSpacing -= 8;
              tconf.suffix = name;
              tconf.emitStats = false;
              id = pt;
              k = pk;
              continue;
            }
          }
          out.text(`${padEnd(this.tagName(id, 128), tconf.typeSpacing)} ${name ?? "(null)"}`);
          return;
        }
        case P.PROTO:
          out.text(this.ftype(id, name, false, false, tconf.typeSpacing, true));
          return;
        case P.CONST: {
          out.text("const ");
          tconf.typeSpacing -= 6;
          const t = this.target(id);
          if (this.kindOf(t) !== P.NONE) {
            id = t;
            k = this.kindOf(t);
            continue;
          }
          out.text(`${padEnd(this.tagName(id, 128), tconf.typeSpacing)} ${name ?? "(null)"}`);
          return;
        }
        case P.ARRAY:
          this.printArray(id, name, tconf, out);
          return;
        case P.STRUCT: {
          const tname = this.nameOrNull(id);
          if (tname !== null) {
            out.text(`struct ${padEnd(tname, tconf.typeSpacing - 7)} ${name ?? ""}`);
          } else {
            this.findHoles(this.composite(id));
            tconf.typeSpacing -= 8;
            this.printStruct(id, tconf, out);
          }
          return;
        }
        case P.UNION: {
          const tname = this.nameOrNull(id);
          if (tname !== null) {
            out.text(`union ${padEnd(tname, tconf.typeSpacing - 6)} ${name ?? ""}`);
          } else {
            tconf.typeSpacing -= 8;
            this.printUnion(id, tconf, out);
          }
          return;
        }
        case P.ENUM: {
          const tname = this.nameOrNull(id);
          if (tname !== null) out.text(`enum ${padEnd(tname, tconf.typeSpacing - 5)} ${name ?? ""}`);
          else this.printEnum(id, tconf, out);
          return;
        }
        default:
          out.text(this.typeColumn(id, tconf.typeSpacing));
          out.text(name ?? "(null)");
          return;
      }
    }
  }

  private readonly columns = new Map<number, string>();
  /** "%-*s " of a type's name: the type column of a member line (the same few widths recur). */
  private typeColumn(id: number, width: number): string {
    if (width < -255 || width > 255) return `${padEnd(this.tagName(id, 128), width)} `;
    const key = id * 512 + (width & 511);
    let s = this.columns.get(key);
    if (s === undefined) this.columns.set(key, (s = `${padEnd(this.tagName(id, 128), width)} `));
    return s;
  }

  /** array_type__fprintf; with C dimension order unless asked for pahole's. */
  private printArray(id: number, name: string | null, conf: Conf, out: ByteSink): void {
    const dims: number[] = [];
    let elem = id;
    let arr = id;
    for (;;) {
      const nr = this.btf.arrayLength(arr);
      let t = this.target(arr);
      if (this.kindOf(t) === P.NONE) {
        out.text(this.notFoundLine("arrayPrint", t));
        return;
      }
      // pahole drops the const of a zero-length array's element.
      if (nr === 0 && this.kindOf(t) === P.CONST) t = this.target(t);
      dims.push(nr);
      elem = t;
      // pahole prints an array of arrays by recursion, innermost dimension first.
      if (this.arrayOrderPahole || this.kindOf(t) !== P.ARRAY) break;
      arr = t;
    }
    this.printType(elem, name, conf, out);
    const single = conf.lastMember && conf.firstMember;
    for (const nr of dims) {
      if (nr !== 0 || !conf.lastMember || single || conf.unionMember) out.text(`[${nr}]`);
      else out.text("[]");
    }
  }

  /** enumeration__fprintf of an inline (anonymous) enum. */
  private printEnum(id: number, conf: Conf, out: ByteSink): void {
    const btf = this.btf;
    const name = this.nameOrNull(id);
    out.text(name !== null ? `enum ${name}` : "enum");
    const n = btf.vlen(id);
    if (n === 0) return;
    const indent = Math.min(conf.indent, 16);
    let width = this.enumNameLen.get(id);
    if (width === undefined) {
      width = 0;
      for (let i = 0; i < n; i++) width = Math.max(width, byteLength(btf.enumValueName(id, i)));
      width &= 0xffff;
      this.enumNameLen.set(id, width);
    }
    out.text(" {\n");
    const is64 = btf.kindNumber(id) === KIND_ENUM64;
    for (let i = 0; i < n; i++) {
      const v = is64 ? BigInt.asUintN(64, btf.enum64Value(id, i)).toString() : String(btf.enumValue(id, i) >>> 0);
      out.text(`${tabs(indent)}\t${padEnd(btf.enumValueName(id, i), width)} = ${v},\n`);
    }
    out.text(`${tabs(indent)}}`);
    if (this.enumBits(id) / 8 !== 4) out.text(" __attribute__((__packed__))");
    if (conf.suffix !== null) out.text(` ${conf.suffix}`);
  }

  /** class__fprintf_cacheline_boundary. */
  private cachelineBoundary(conf: Conf, offset: number, out: ByteSink): void {
    const cl = this.cachelineSize;
    const line = Math.floor(offset / cl);
    const ref = conf.cacheline!;
    if (line > ref.line) {
      const pos = offset % cl;
      const bytes = offset - pos;
      if (pos === 0) out.text(`/* --- cacheline ${line} boundary (${bytes} bytes) --- */\n`);
      else out.text(`/* --- cacheline ${line} boundary (${bytes} bytes) was ${pos} byte${plural(pos, "", "s")} ago --- */\n`);
      out.text(tabs(conf.indent));
      ref.line = line;
    }
  }

  /** class_member__fprintf. */
  private printMember(c: Composite, i: number, isUnionMember: boolean, typeId: number, conf: Conf, out: ByteSink): void {
    // pahole's size_t byte size printed through an int as %u (a missing type's -1 shows as 4294967295).
    const size = u32(c.byteSize[i]);
    const sconf = cloneConf(conf);
    let offset = c.byteOffset[i];
    if (!sconf.relOffset) {
      offset = u32(offset + sconf.baseOffset);
      if (!isUnionMember) sconf.baseOffset = offset;
    }
    this.cachelineBoundary(conf, offset, out);
    const start = out.length;
    const name = this.memberNameOrNull(c, i);
    const k = this.kindOf(typeId);
    const inlineKind = k === P.STRUCT || k === P.UNION || k === P.ENUM;
    if (inlineKind) {
      this.printType(typeId, null, sconf, out);
      if (name !== null) {
        if (this.btf.nameOff(typeId) === 0) out.byte(0x20);
        out.text(name);
      }
    } else {
      this.printType(typeId, name, sconf, out);
    }
    const bfs = c.bitfieldSize[i];
    if (bfs !== 0) out.text(`:${bfs}`);
    let alignLen = 0;
    if (c.alignment[i] !== 0) {
      const attr = ` __attribute__((__aligned__(${c.alignment[i]})))`;
      alignLen = attr.length;
      out.text(attr);
    }
    out.byte(0x3b);
    let pad: string;
    if (inlineKind && this.btf.nameOff(typeId) === 0) {
      let slen = alignLen + (name !== null ? byteLength(name) : -1);
      if (k === P.STRUCT && this.isPacked(typeId)) slen += 28;
      pad = spaces(sconf.typeSpacing + sconf.nameSpacing - slen - 3);
    } else {
      const spacing = sconf.typeSpacing + sconf.nameSpacing - (out.length - start);
      pad = spaces(spacing > 0 ? spacing : 0);
    }
    if (bfs !== 0) {
      const bo = c.bitfieldOffset[i] < 0 ? c.byteSize[i] * 8 + c.bitfieldOffset[i] : c.bitfieldOffset[i];
      out.text(`${pad}/* ${padStart(offset, 5)}:${padStart(u32(bo), 2)} ${padStart(size, 2)} */`);
    } else {
      out.text(`${pad}/* ${padStart(offset, 5)} ${padStart(size, 5)} */`);
    }
  }

  private memberNameOrNull(c: Composite, i: number): string | null {
    return this.btf.memberNameOff(c.id, i) === 0 ? null : this.btf.memberName(c.id, i);
  }

  /** union__fprintf. */
  private printUnion(id: number, conf: Conf, out: ByteSink): void {
    const c = this.composite(id);
    const indent = Math.min(conf.indent, 16);
    const name = this.nameOrNull(id);
    out.text(name !== null ? `union ${name} {\n` : "union {\n");
    const uconf = cloneConf(conf);
    uconf.indent = indent + 1;
    this.inferUnionPacked(id, c);
    if (!uconf.cacheline) uconf.cacheline = { line: 0 };
    const initial = uconf.cacheline.line;
    for (let i = 0; i < c.n; i++) {
      const t = c.types[i];
      if (this.kindOf(t) === P.NONE) {
        out.text(tabs(uconf.indent) + this.notFoundLine("union", t));
        continue;
      }
      uconf.unionMember = true;
      out.text(tabs(uconf.indent));
      this.printMember(c, i, true, t, uconf, out);
      out.byte(0x0a);
      uconf.cacheline.line = initial;
    }
    out.text(`${tabs(indent)}}${conf.suffix !== null ? ` ${conf.suffix}` : ""}`);
  }

  /** __class__fprintf. */
  private printStruct(id: number, conf: Conf, out: ByteSink): void {
    const c = this.composite(id);
    const cconf = cloneConf(conf);
    const name = this.nameOrNull(id);
    out.text(name !== null ? `struct ${name}` : "struct");
    const indent = Math.min(cconf.indent, 16);
    if (!cconf.cacheline) cconf.cacheline = { line: 0 };
    cconf.indent = indent + 1;
    this.inferPacked(id);
    this.findHoles(c);
    out.text(" {\n");
    const t1 = tabs(cconf.indent);
    let newline = 0;
    let sumHoles = 0;
    let sumBitHoles = 0;
    let sumBytes = 0;
    let sumBits = 0;
    let nrPaddings = 0;
    let sumPaddings = 0;
    let nrForced = 0;
    let nrForcedHoles = 0;
    let sumForcedHoles = 0;
    const nl = () => {
      if (!newline++) out.byte(0x0a);
    };
    if (c.preBitHole > 0) {
      nl();
      out.text(`${t1}/* XXX ${c.preBitHole} bit${plural(c.preBitHole, "", "s")} hole, try to pack */\n`);
      sumBitHoles += c.preBitHole;
    }
    if (c.preHole > 0) {
      nl();
      out.text(`${t1}/* XXX ${c.preHole} byte${plural(c.preHole, "", "s")} hole, try to pack */\n`);
      sumHoles += c.preHole;
    }
    let last = -1;
    let lastSize = 0;
    for (let i = 0; i < c.n; i++) {
      if (c.alignment[i] !== 0) {
        const forcedHole = last >= 0 ? c.hole[last] : c.preHole;
        if (forcedHole !== 0) {
          nrForcedHoles++;
          sumForcedHoles += forcedHole;
        }
        nrForced++;
      }
      const t = c.types[i];
      if (last >= 0 && lastSize !== 0) {
        if (c.bitHole[last] !== 0 && c.bitfieldSize[i]) {
          let bits = c.bitHole[last];
          if (this.kindOf(t) === P.NONE) {
            out.text(t1 + this.notFoundLine("bitHoleLine", t));
            continue;
          }
          // An explicit `type :N` pahole reconstructs for the bit hole.
          if (c.byteOffset[last] !== c.byteOffset[i]) {
            out.text(`\n${t1}/* Force alignment to the next boundary: */\n`);
            bits = 0;
          }
          out.text(t1);
          this.printType(t, "", cconf, out);
          out.text(`:${bits};\n`);
        }
        if (
          c.byteOffset[i] < c.byteOffset[last] ||
          (c.byteOffset[i] === c.byteOffset[last] && c.bitfieldSize[last] === 0 && c.bitfieldSize[i] !== 0)
        ) {
          nl();
          out.text(`${t1}/* Bitfield combined with previous fields */\n`);
        } else {
          const ccLastSize = c.byteOffset[i] - c.byteOffset[last];
          if (ccLastSize > 0 && ccLastSize < lastSize) {
            nl();
            out.text(`${t1}/* Bitfield combined with next fields */\n`);
          }
        }
      }
      if (newline) {
        out.byte(0x0a);
        newline = 0;
      }
      if (this.kindOf(t) === P.NONE) {
        out.text(t1 + this.notFoundLine("member", t));
        continue;
      }
      cconf.lastMember = i === c.n - 1;
      cconf.firstMember = last < 0;
      // A size_t in pahole: a missing type's size, -1, compares as the largest.
      const size = c.byteSize[i] < 0 ? Infinity : c.byteSize[i];
      out.text(t1);
      this.printMember(c, i, false, t, cconf, out);
      if (this.kindOf(t) === P.STRUCT) {
        const tc = this.composite(t);
        this.findHoles(tc);
        this.inferPacked(t);
        const padding = tc.padding;
        if (padding > 0) {
          nrPaddings = (nrPaddings + 1) & 0xffff;
          sumPaddings += padding;
          nl();
          out.text(`\n${t1}/* XXX last struct has ${padding} byte${plural(padding, "", "s")} of padding */`);
        }
      }
      if (c.bitHole[i] !== 0) {
        nl();
        out.text(`\n${t1}/* XXX ${c.bitHole[i]} bit${plural(c.bitHole[i], "", "s")} hole, try to pack */`);
        sumBitHoles += c.bitHole[i];
      }
      if (c.hole[i] > 0) {
        nl();
        out.text(`\n${t1}/* XXX ${c.hole[i]} byte${plural(c.hole[i], "", "s")} hole, try to pack */`);
        sumHoles += c.hole[i];
      }
      out.byte(0x0a);
      if (c.bitfieldSize[i]) sumBits += c.bitfieldSize[i];
      else sumBytes = u32(sumBytes + c.byteSize[i]);
      if (last < 0 || lastSize === 0 || c.byteOffset[last] !== c.byteOffset[i]) lastSize = size;
      else if (c.bitfieldSize[last] === 0 && c.bitfieldSize[i] !== 0) lastSize = size;
      last = i;
    }
    if (cconf.emitStats) {
      const i1 = cconf.indent;
      const t = tabs(i1);
      const cl = this.cachelineSize;
      const typeSize = this.tagSize(id);
      out.text(`\n${t}/* size: ${c.size | 0}, cachelines: ${Math.floor((typeSize + cl - 1) / cl)}, members: ${c.n & 0xffff} */\n`);
      if (sumHoles > 0 || sumBitHoles > 0) {
        if (sumBytes > 0) {
          out.text(`${t}/* sum members: ${sumBytes}`);
          if (sumHoles > 0) out.text(`, holes: ${c.nrHoles}, sum holes: ${sumHoles}`);
          out.text(" */\n");
        }
        if (sumBits > 0) {
          out.text(`${t}/* sum bitfield members: ${sumBits} bits`);
          if (sumBitHoles > 0) out.text(`, bit holes: ${c.nrBitHoles}, sum bit holes: ${sumBitHoles} bits`);
          else out.text(` (${Math.floor(sumBits / 8)} bytes)`);
          out.text(" */\n");
        }
      }
      if (c.padding > 0) out.text(`${t}/* padding: ${c.padding} */\n`);
      if (nrPaddings > 0) out.text(`${t}/* paddings: ${nrPaddings}, sum paddings: ${sumPaddings} */\n`);
      if (c.bitPadding > 0) out.text(`${t}/* bit_padding: ${c.bitPadding} bits */\n`);
      if (nrForced !== 0) {
        out.text(`${t}/* forced alignments: ${nrForced}`);
        if (nrForcedHoles !== 0) out.text(`, forced holes: ${nrForcedHoles}, sum forced holes: ${sumForcedHoles}`);
        out.text(" */\n");
      }
      const lastLine = u32(cconf.baseOffset + c.size) % cl;
      if (lastLine !== 0) out.text(`${t}/* last cacheline: ${lastLine} bytes */\n`);
      const diff = (u32(c.size * 8) - u32(sumBytes * 8 + sumBits + sumHoles * 8 + sumBitHoles + c.padding * 8 + c.bitPadding)) | 0;
      if (diff && c.n !== 0) {
        out.text(
          `\n${t}/* BRAIN FART ALERT! ${c.size | 0} bytes != ${sumBytes} (member bytes) + ${sumBits} (member bits) + ${sumHoles} (byte holes) + ${sumBitHoles} (bit holes), diff = ${diff} bits */\n`,
        );
      }
    }
    out.text(`${tabs(indent)}}`);
    const packed = this.isPacked(id);
    if (packed) out.text(" __attribute__((__packed__))");
    if (cconf.suffix !== null) out.text(` ${cconf.suffix}`);
    if (c.typeAlignment !== 0 && !packed) out.text(` __attribute__((__aligned__(${c.typeAlignment})))`);
  }

  /** The member's type as pahole would print it with the name left out, spaces collapsed. */
  memberTypeText(structId: number, i: number): string {
    const t = this.btf.memberType(structId, i);
    const k = this.kindOf(t);
    if ((k === P.STRUCT || k === P.UNION || k === P.ENUM) && this.btf.nameOff(t) === 0) {
      return k === P.STRUCT ? "struct {...}" : k === P.UNION ? "union {...}" : "enum {...}";
    }
    const sink = new ByteSink(256);
    const conf: Conf = {
      indent: 1,
      typeSpacing: 0,
      nameSpacing: 0,
      baseOffset: 0,
      relOffset: false,
      cacheline: { line: 0 },
      suffix: null,
      emitStats: false,
      lastMember: false,
      firstMember: false,
      unionMember: true,
    };
    this.printType(t, "", conf, sink);
    return sink
      .toString()
      // An inline type (an array of them, a pointer to one) keeps only its braces.
      .replace(/\{[^]*\}/, "{...}")
      .replace(/\s+/g, " ")
      .replace(/ \[/g, "[")
      .trim();
  }
}

function isComposite(btf: Btf, id: number): boolean {
  const k = btf.kindNumber(id);
  return k === BTF_KIND_STRUCT || k === BTF_KIND_UNION;
}

function checkRoot(btf: Btf, id: number): void {
  if (!Number.isInteger(id) || id <= 0 || id >= btf.count) {
    throw new BtfError(`type id ${id} is out of range (1..${btf.count - 1})`, { typeId: id });
  }
  if (!isComposite(btf, id)) {
    throw new BtfError(`type [${id}] is a ${btf.kind(id)}, not a struct or union`, { typeId: id });
  }
}

/**
 * The values of a struct's or union's layout as pahole computes them:
 * member offsets and sizes, holes and bit holes, padding, inferred
 * alignment and packedness, cachelines (what `pahole -C NAME` shows).
 */
export function layoutOf(btf: Btf, id: number, opts: Pick<PaholeOptions, "cachelineSize"> = {}): StructLayout {
  checkRoot(btf, id);
  return layoutWith(new Pahole(btf, opts), id);
}

/**
 * {@link layoutOf} for many types at once (default: every struct and union
 * `pahole -F btf FILE` lists), sharing the per-type work.
 */
export function layoutsOf(btf: Btf, opts: Pick<PaholeOptions, "cachelineSize" | "roots"> = {}): StructLayout[] {
  const roots = opts.roots ?? paholeStructIds(btf);
  for (const id of roots) checkRoot(btf, id);
  const p = new Pahole(btf, opts);
  return roots.map((id) => {
    p.resetState();
    return layoutWith(p, id);
  });
}

function layoutWith(p: Pahole, id: number): StructLayout {
  const btf = p.btf;
  const c = p.composite(id);
  p.findHoles(c);
  const packed = p.inferPacked(id);
  const members: MemberLayout[] = [];
  let sumMembers = 0;
  let sumBits = 0;
  let sumHoles = c.preHole;
  let sumBitHoles = c.preBitHole;
  let forced = 0;
  let forcedHoles = 0;
  let sumForcedHoles = 0;
  let padded = 0;
  let sumPaddings = 0;
  let largest = 0;
  for (let i = 0; i < c.n; i++) {
    const typeId = c.types[i];
    const m: MemberLayout = {
      index: i,
      name: btf.memberName(id, i),
      typeId,
      type: p.memberTypeText(id, i),
      offset: c.byteOffset[i],
      size: c.byteSize[i],
      bitOffset: c.bitOffset[i],
      hole: c.hole[i],
      bitHole: c.bitHole[i],
    };
    if (c.bitfieldSize[i]) {
      m.bitfieldOffset = c.bitfieldOffset[i];
      m.bitfieldSize = c.bitfieldSize[i];
      sumBits += c.bitfieldSize[i];
    } else {
      sumMembers += c.byteSize[i];
    }
    if (c.alignment[i]) {
      m.alignment = c.alignment[i];
      forced++;
      const before = i > 0 ? c.hole[i - 1] : c.preHole;
      if (before) {
        forcedHoles++;
        sumForcedHoles += before;
      }
    }
    if (!c.isUnion && p.kindOf(typeId) === P.STRUCT) {
      const tc = p.composite(typeId);
      p.findHoles(tc);
      if (tc.padding > 0) {
        m.typePadding = tc.padding;
        padded++;
        sumPaddings += tc.padding;
      }
    }
    sumHoles += c.hole[i];
    sumBitHoles += c.bitHole[i];
    largest = Math.max(largest, c.byteSize[i]);
    members.push(m);
  }
  const cl = p.cachelineSize;
  return {
    id,
    name: btf.name(id),
    kind: c.isUnion ? "union" : "struct",
    size: c.size,
    cachelines: Math.floor((p.tagSize(id) + cl - 1) / cl),
    lastCacheline: c.size % cl,
    members,
    sumMembers,
    sumBitfieldBits: sumBits,
    holes: c.isUnion ? 0 : c.nrHoles,
    sumHoles,
    bitHoles: c.isUnion ? 0 : c.nrBitHoles,
    sumBitHoles,
    leadingHole: c.preHole,
    padding: c.isUnion ? Math.max(0, c.size - largest) : c.padding,
    bitPadding: c.bitPadding,
    packed,
    alignment: c.typeAlignment,
    naturalAlignment: p.natural(id),
    forcedAlignments: forced,
    forcedHoles,
    sumForcedHoles,
    paddedMembers: padded,
    sumPaddings,
  };
}

/**
 * The structs and unions `pahole -F btf FILE` lists, in its order: every
 * named struct and union by id, skipping one whose name, size and members
 * (names, bit offsets, bitfield sizes) equal one already listed.
 */
export function paholeStructIds(btf: Btf): number[] {
  const out: number[] = [];
  const byName = new Map<string, number[]>();
  for (let id = 1; id < btf.count; id++) {
    if (!isComposite(btf, id) || btf.nameOff(id) === 0) continue;
    const name = btf.name(id);
    const same = byName.get(name);
    if (same?.some((other) => sameLayout(btf, other, id))) continue;
    if (same) same.push(id);
    else byName.set(name, [id]);
    out.push(id);
  }
  return out;
}

/** pahole's type__compare equality: size, member count, and per member name (when both have one), bit offset and bitfield size. */
function sameLayout(btf: Btf, a: number, b: number): boolean {
  if (btf.sizeOrType(a) !== btf.sizeOrType(b)) return false;
  const n = btf.vlen(a);
  if (n !== btf.vlen(b)) return false;
  for (let i = 0; i < n; i++) {
    if (btf.memberNameOff(a, i) !== 0 && btf.memberNameOff(b, i) !== 0 && btf.memberName(a, i) !== btf.memberName(b, i)) return false;
    if (btf.memberBitOffset(a, i) !== btf.memberBitOffset(b, i)) return false;
    if (btf.memberBitfieldSize(a, i) !== btf.memberBitfieldSize(b, i)) return false;
  }
  return true;
}

/**
 * The id `pahole -C NAME` prints: the first struct, union, typedef or enum
 * of that name that is not a forward declaration. Undefined when none is.
 */
export function paholeFind(btf: Btf, name: string): number | undefined {
  for (const id of btf.idsByName(name)) {
    const k = btf.kindNumber(id);
    if (k === BTF_KIND_STRUCT || k === BTF_KIND_UNION || k === BTF_KIND_TYPEDEF || k === BTF_KIND_ENUM || k === BTF_KIND_ENUM64) return id;
  }
  return undefined;
}

function writePahole(btf: Btf, opts: PaholeOptions, out: ByteSink): void {
  const roots = opts.roots ?? paholeStructIds(btf);
  for (const id of roots) checkRoot(btf, id);
  const p = new Pahole(btf, opts);
  for (const id of roots) {
    if (!opts.sharedState) p.resetState();
    p.printRoot(id, out);
    out.byte(0x0a);
  }
}

/** The pahole-style dump as bytes: each root as `pahole -F btf -C NAME` prints it, one after another. */
export function dumpPaholeBytes(btf: Btf, opts: PaholeOptions = {}): Uint8Array {
  return collectDump(btf, opts.roots ? 1 << 16 : btf.count * 48, (out) => writePahole(btf, opts, out));
}

/** The bytes of {@link dumpPaholeBytes}, handed to `write` in chunks as they are produced. */
export function dumpPaholeChunks(btf: Btf, opts: PaholeOptions, write: (chunk: Uint8Array) => void): void {
  streamDump(btf, write, (out) => writePahole(btf, opts, out));
}

/** The pahole-style dump as text. */
export function dumpPahole(btf: Btf, opts: PaholeOptions = {}): string {
  return new TextDecoder().decode(dumpPaholeBytes(btf, opts));
}
