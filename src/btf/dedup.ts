/**
 * BTF deduplication, giving the result of libbpf's `btf__dedup` (1.1) byte
 * for byte: strings first, then primitive types and enums, structs and
 * unions by type-graph equivalence (resolving forward declarations on the
 * way), forward declarations whose name is unambiguous, reference types,
 * and finally compaction and id remapping, in `.BTF.ext` too.
 *
 * Split BTF is deduplicated against its base, which never changes. The
 * working copy holds every record (base first) as host-order words indexed
 * by id, so each phase is a loop over typed arrays.
 *
 * libbpf's algorithm is super-linear on crafted input (deep nesting, hash
 * collisions), so the work is counted and bounded by `dedupBudget`: within
 * it the result is libbpf's, past it a BtfError.
 */
import { BtfError } from "../errors.js";
import { tableSize } from "../elf/strtab.js";
import { BTF_HEADER_LEN, Btf, MAX_NESTING_DEPTH } from "./btf.js";
import { encodeWords, type WordsHeader } from "./encode.js";
import { checkExtReferences, type BtfExt, type BtfExtInfoSection } from "./ext.js";
import {
  BTF_KIND_ARRAY,
  BTF_KIND_CONST,
  BTF_KIND_DATASEC,
  BTF_KIND_DECL_TAG,
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
  BTF_KIND_VAR,
  BTF_KIND_VOLATILE,
  KIND_DESCRIPTORS,
  infoKind,
  infoVlen,
  isCompositeKind,
  isEnumKind,
  kindName,
  nameSlots,
  recordWords,
  typeIdSlots,
} from "./kinds.js";
import { StringTable } from "./strings.js";

/** Options of {@link dedupBtf}. */
export interface DedupOptions {
  /** The object's `.BTF.ext`: its strings join the string table and its type ids are remapped. */
  ext?: BtfExt;
  /** Byte order of the output; the input's by default. */
  littleEndian?: boolean;
}

/** Options of {@link mergeBtf}. */
export interface MergeOptions {
  /** Base BTF: the result is split BTF on it, deduplicated against it. */
  base?: Btf;
  /** Byte order of the output; by default the base's, else little-endian (what libbpf gives on common hosts). */
  littleEndian?: boolean;
}

/** Deduplicated BTF, the rewritten `.BTF.ext` when one was given, and the old-to-new id map. */
export interface DedupResult {
  btf: Btf;
  /** The encoded result (what `btf` was parsed from). */
  bytes: Uint8Array;
  /** The `.BTF.ext` given in the options, with its strings and type ids rewritten. */
  ext?: BtfExt;
  /** New id of every input id (for a merge, ids of the inputs laid end to end). */
  idMap: Uint32Array;
}

/** `btf__dedup` on one parsed blob (split on its base when it has one). */
export function dedupBtf(btf: Btf, opts: DedupOptions = {}): DedupResult {
  return dedupCounted(btf, opts).result;
}

/**
 * {@link dedupBtf}, also giving the work steps it spent (see
 * {@link dedupBudget}). @internal For tests of the work budget.
 */
export function dedupCounted(btf: Btf, opts: DedupOptions = {}): { result: DedupResult; steps: number } {
  if (opts.ext) checkExtReferences(opts.ext, btf);
  const dedup = new Dedup(Store.single(btf));
  const { hdrLen, version, flags } = btf.header;
  // libbpf writes back the header it read; a layout section, though, describes kinds dedup never keeps, so it goes.
  const result = dedup.run(opts.ext, { littleEndian: opts.littleEndian ?? btf.littleEndian, hdrLen, version, flags });
  return { result, steps: dedup.steps };
}

/**
 * Concatenates blobs and deduplicates the result, as `btf__add_btf` of each
 * input into an empty BTF followed by `btf__dedup` does. Inputs are either
 * standalone or split on `opts.base` (libbpf takes only standalone inputs).
 */
export function mergeBtf(inputs: readonly Btf[], opts: MergeOptions = {}): DedupResult {
  return mergeCounted(inputs, opts).result;
}

/** {@link mergeBtf}, also giving the work steps it spent. @internal For tests of the work budget. */
export function mergeCounted(inputs: readonly Btf[], opts: MergeOptions = {}): { result: DedupResult; steps: number } {
  const dedup = new Dedup(Store.concat(inputs, opts.base));
  const littleEndian = opts.littleEndian ?? opts.base?.littleEndian ?? true;
  const result = dedup.run(undefined, { littleEndian, hdrLen: BTF_HEADER_LEN, version: 1, flags: 0 });
  return { result, steps: dedup.steps };
}

// --- the work budget ---------------------------------------------------------------------

/** Least work budget of a dedup, whatever the input's size. @internal */
export const DEDUP_BUDGET_MIN = 1 << 27;
/** Work budget per type (base types included). @internal */
export const DEDUP_BUDGET_PER_TYPE = 4_000;

/**
 * Most work steps a dedup of `types` types (base included) may spend:
 * max(2^27, 4,000 x types); past it, a BtfError. libbpf's algorithm is
 * super-linear on some valid input: an anonymous struct is checked against
 * every earlier one that hashes alike, each check walking the whole graph
 * below both, so structs nested d deep cost (d-1)d(d+4)/3 steps (depth 737
 * fits the minimum, 738 does not), and n types whose hashes collide cost
 * n^2/2 comparisons. A step is one candidate compared, one pair of types an
 * equivalence walk visits, or one struct pair of an identical-struct check,
 * each weighted by 1 + its member count, so time is linear in steps (10-40
 * ns a step, measured). Real kernels spend 30-95 steps per type, 170 when
 * two kernel versions are merged: at most 4.3% of the budget.
 * @internal
 */
export function dedupBudget(types: number): number {
  return Math.max(DEDUP_BUDGET_MIN, DEDUP_BUDGET_PER_TYPE * types);
}

// --- the working copy ----------------------------------------------------------------

/** Markers in the id maps (where libbpf uses ids above BTF_MAX_NR_TYPES); real ids are >= 0. */
const UNPROCESSED = -1;
const IN_PROGRESS = -2;

/** Words of the common record part: where a record's info words and elements begin. */
const ELEMS = 3;
const MEMBER = KIND_DESCRIPTORS[BTF_KIND_STRUCT];
const PARAM = KIND_DESCRIPTORS[BTF_KIND_FUNC_PROTO];
/** Word of `struct btf_member` holding the bit offset (after name and type). */
const MEMBER_OFFSET_WORD = 2;
const ARRAY_WORDS = recordWords(BTF_KIND_ARRAY, 0);
/** Record word of `struct btf_array`'s nelems (after type and index_type). */
const ARRAY_NELEMS_WORD = ARRAY_WORDS - 1;

/** Room for the slots of any record (vlen is 16 bits). */
const MAX_SLOTS = 0x10001;

/** `typeIdSlots` of the record at word `p` (its info word already checked). */
function recordTypeIdSlots(w: Int32Array, p: number, out: Int32Array): number {
  const info = w[p + 1];
  return typeIdSlots(infoKind(info), infoVlen(info), p, out);
}

/** `nameSlots` of the record at word `p` (its info word already checked). */
function recordNameSlots(w: Int32Array, p: number, out: Int32Array): number {
  const info = w[p + 1];
  return nameSlots(infoKind(info), infoVlen(info), p, out);
}

/**
 * Every record, base first, as one word array (id 0 is a zeroed void
 * record, as libbpf's), plus this blob's own strings.
 */
class Store {
  private constructor(
    /** Records as signed words: V8 keeps them small integers (ids and offsets are far below 2^31). */
    readonly words: Int32Array,
    readonly offs: Int32Array,
    readonly startId: number,
    readonly base: Btf | undefined,
    /** Own strings; offset `startStrOff + i` is byte i. */
    readonly pool: Uint8Array,
    readonly startStrOff: number,
  ) {}

  get count(): number {
    return this.offs.length;
  }

  /** Arrays sized for the base chain plus `ownWords`/`ownCount`, with the base's records copied in. */
  private static alloc(base: Btf | undefined, ownWords: number, ownCount: number) {
    const chain: Btf[] = [];
    for (let b = base; b; b = b.base) chain.unshift(b);
    let baseWords = 0;
    for (const b of chain) baseWords += b.header.typeLen >>> 2;
    const startId = base ? base.count : 1;
    const words = new Int32Array(3 + baseWords + ownWords);
    const offs = new Int32Array(startId + ownCount);
    let pos = 3;
    for (const b of chain) pos = copyRecords(b, words, offs, pos, b.startId);
    return { words, offs, pos, startId };
  }

  static single(btf: Btf): Store {
    const { words, offs, pos, startId } = Store.alloc(btf.base, btf.header.typeLen >>> 2, btf.ownCount);
    copyRecords(btf, words, offs, pos, startId);
    const slots = new Int32Array(MAX_SLOTS);
    for (let id = startId; id < offs.length; id++) checkRefs(btf, words, offs[id], id, slots);
    return new Store(words, offs, startId, btf.base, btf.stringBytes(), btf.startStrOff);
  }

  static concat(inputs: readonly Btf[], base: Btf | undefined): Store {
    let ownWords = 0;
    let ownCount = 0;
    let poolLen = 0;
    for (const [i, input] of inputs.entries()) {
      if (input.base && input.base !== base) {
        throw new BtfError(`input #${i} is split BTF on a base other than the one given`, { record: i });
      }
      ownWords += input.header.typeLen >>> 2;
      ownCount += input.ownCount;
      poolLen += input.header.strLen;
    }
    const alloc = Store.alloc(base, ownWords, ownCount);
    const { words, offs, startId } = alloc;
    const startStrOff = base ? base.startStrOff + base.header.strLen : 0;
    const pool = new Uint8Array(poolLen);
    const slots = new Int32Array(MAX_SLOTS);
    let pos = alloc.pos;
    let nextId = startId;
    let poolPos = 0;
    for (const input of inputs) {
      const firstId = nextId;
      pos = copyRecords(input, words, offs, pos, firstId);
      nextId += input.ownCount;
      // Standalone inputs count their ids and strings from 0; split ones keep their references into the base.
      const idShift = firstId - input.startId;
      const strShift = startStrOff + poolPos - input.startStrOff;
      const minId = input.base ? input.startId : 1;
      for (let id = firstId; id < nextId; id++) {
        const p = offs[id];
        checkRefs(input, words, p, id - idShift, slots);
        for (let i = 0, n = recordTypeIdSlots(words, p, slots); i < n; i++) if (words[slots[i]] >= minId) words[slots[i]] += idShift;
        for (let i = 0, n = recordNameSlots(words, p, slots); i < n; i++) {
          const v = words[slots[i]];
          if (v !== 0 && v >= input.startStrOff) words[slots[i]] = v + strShift;
        }
      }
      pool.set(input.stringBytes(), poolPos);
      poolPos += input.header.strLen;
    }
    return new Store(words, offs, startId, base, pool, startStrOff);
  }
}

/** Bits of `info` the format defines: kind (5 bits), kflag and a 16-bit vlen. */
const INFO_MASK = 0x9f00ffff;

/** Copies a blob's own records to `words[pos..]`, numbering them from `firstId`; returns the end. */
function copyRecords(btf: Btf, words: Int32Array, offs: Int32Array, pos: number, firstId: number): number {
  const own = btf.ownRecords();
  words.set(own.words, pos);
  for (let i = 0; i < own.offsets.length; i++) {
    const p = pos + own.offsets[i];
    offs[firstId + i] = p;
    const info = words[p + 1];
    const kind = (info >>> 24) & 0x7f;
    const where = { typeId: btf.startId + i };
    if (recordWords(kind, 0) < 0) throw new BtfError(`dedup cannot handle kind ${kind} (${kindName(kind)})`, where);
    if ((info & ~INFO_MASK) !== 0) {
      throw new BtfError(`info word 0x${(info >>> 0).toString(16)} sets bits outside kind, kflag and vlen`, where);
    }
  }
  return pos + own.words.length;
}

/** Type ids and string offsets of a record must point inside the blob before anything follows them. */
function checkRefs(btf: Btf, words: Int32Array, p: number, id: number, slots: Int32Array): void {
  for (let i = 0, n = recordTypeIdSlots(words, p, slots); i < n; i++) {
    const v = words[slots[i]] >>> 0;
    if (v >= btf.count) throw new BtfError(`refers to type id ${v}, past the last id ${btf.count - 1}`, { typeId: id });
  }
  for (let i = 0, n = recordNameSlots(words, p, slots); i < n; i++) {
    const v = words[slots[i]] >>> 0;
    if (v !== 0 && btf.strPos(v) < 0) throw new BtfError(`string offset ${v} is outside the string section`, { typeId: id });
  }
}

// --- candidates ------------------------------------------------------------------------

/**
 * libbpf keeps candidates in one hash map and walks the entries under a
 * type's hash, newest first; every time the map grows, each chain is rebuilt
 * in reverse. When two candidates both match, which one wins depends on that
 * order, so it is reproduced here: a linked list per key, newest first,
 * reversed whenever libbpf's map would grow. Keys are a 32-bit hash of the
 * fields libbpf hashes; entries that merely collide fail the same equality
 * checks libbpf applies. Iterate with `head(key)`, `next(e)` and `id(e)`.
 */
class CandidateTable {
  private readonly ids: Uint32Array;
  private readonly nexts: Int32Array;
  private entries = 0;
  /** Open addressing by key: the key, its chain's first entry (-1 = empty slot) and length. */
  private readonly keys: Int32Array;
  private readonly heads: Int32Array;
  private readonly lens: Uint32Array;
  /** Slots whose chains have two entries or more: the ones a growth reorders. */
  private readonly chains: number[] = [];
  /** libbpf's map capacity, which decides when it grows. */
  private cap = 0;

  constructor(maxEntries: number) {
    this.ids = new Uint32Array(maxEntries);
    this.nexts = new Int32Array(maxEntries);
    const size = tableSize(maxEntries);
    this.keys = new Int32Array(size);
    this.heads = new Int32Array(size).fill(-1);
    this.lens = new Uint32Array(size);
  }

  add(key: number, id: number): void {
    if (this.cap === 0 || Math.floor(((this.entries + 1) * 4) / 3) > this.cap) {
      this.cap = this.cap === 0 ? 4 : this.cap * 2;
      for (const slot of this.chains) this.reverse(slot);
    }
    const slot = this.slot(key);
    const e = this.entries++;
    this.ids[e] = id;
    this.nexts[e] = this.heads[slot];
    if (this.heads[slot] < 0) this.keys[slot] = key;
    this.heads[slot] = e;
    if (++this.lens[slot] === 2) this.chains.push(slot);
  }

  /** First entry under `key`, or -1. */
  head(key: number): number {
    return this.heads[this.slot(key)];
  }

  next(e: number): number {
    return this.nexts[e];
  }

  id(e: number): number {
    return this.ids[e];
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private slot(key: number): number {
    const mask = this.keys.length - 1;
    let i = (Math.imul(key, 0x9e3779b1) >>> 8) & mask;
    while (this.heads[i] >= 0 && this.keys[i] !== key) i = (i + 1) & mask;
    return i;
  }

  private reverse(slot: number): void {
    let prev = -1;
    for (let e = this.heads[slot]; e >= 0; ) {
      const n = this.nexts[e];
      this.nexts[e] = prev;
      prev = e;
      e = n;
    }
    this.heads[slot] = prev;
  }
}

const mix = (h: number, v: number): number => (Math.imul(h, 31) + v) | 0;

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

// --- the algorithm -----------------------------------------------------------------------

class Dedup {
  private readonly w: Int32Array;
  private readonly offs: Int32Array;
  private readonly count: number;
  private readonly startId: number;
  /** Canonical id of each id, or UNPROCESSED / IN_PROGRESS. */
  private readonly map: Int32Array;
  /** During an equivalence check: canonical-graph id -> candidate-graph id. After compaction: old id -> new id. */
  private readonly hypot: Int32Array;
  private hypotList = new Int32Array(1024);
  private hypotCount = 0;
  /** The last equivalence check would have had to resolve a base FWD, which must not change. */
  private hypotAdjustCanon = false;
  private readonly table: CandidateTable;
  /** Pairs (candidate, canonical) still to visit in isEquiv. */
  private stack = new Int32Array(1024);
  private readonly slots = new Int32Array(MAX_SLOTS);
  private pool: Uint8Array;
  /** Work spent so far, in the steps {@link dedupBudget} counts. */
  steps = 0;
  private readonly budget: number;

  constructor(private readonly store: Store) {
    this.w = store.words;
    this.offs = store.offs;
    this.count = store.count;
    this.startId = store.startId;
    this.pool = store.pool;
    this.map = new Int32Array(this.count).fill(UNPROCESSED);
    this.hypot = new Int32Array(this.count).fill(UNPROCESSED);
    this.table = new CandidateTable(this.count);
    this.budget = dedupBudget(this.count);
    this.map[0] = 0;
    for (let id = this.startId; id < this.count; id++) {
      const k = this.kind(id);
      if (k === BTF_KIND_VAR || k === BTF_KIND_DATASEC) this.map[id] = id;
    }
  }

  run(ext: BtfExt | undefined, header: WordsHeader): DedupResult {
    const newExt = this.dedupStrings(ext);
    // One method per phase: each loop is optimized on its own.
    this.prepBase();
    this.primPhase();
    this.structPhase();
    this.resolveFwds();
    this.refPhase();
    const kept = this.compact();
    const bytes = this.encode(kept, header);
    const idMap = new Uint32Array(this.count);
    for (let id = 0; id < this.count; id++) idMap[id] = this.newId(id);
    const btf = Btf.parse(bytes, { base: this.store.base });
    return { btf, bytes, idMap, ...(newExt ? { ext: this.remapExtIds(newExt) } : {}) };
  }

  // --- record access ---

  private kind(id: number): number {
    return (this.w[this.offs[id] + 1] >>> 24) & 0x1f;
  }

  private vlen(id: number): number {
    return this.w[this.offs[id] + 1] & 0xffff;
  }

  private isComposite(id: number): boolean {
    return isCompositeKind(this.kind(id));
  }

  private isAnyEnum(id: number): boolean {
    return isEnumKind(this.kind(id));
  }

  private isMapped(id: number): boolean {
    return this.map[id] >= 0;
  }

  /** Charges `n` steps of work on type `id`; past the budget, stops. */
  private spend(n: number, id: number): void {
    this.steps += n;
    if (this.steps > this.budget) {
      throw new BtfError(
        `dedup work budget exceeded: ${this.steps} steps for ${this.count} types (budget ${this.budget} = max(${DEDUP_BUDGET_MIN}, ${DEDUP_BUDGET_PER_TYPE} per type)); ` +
          "the input nests anonymous structs deeply or has many types that hash alike, which libbpf's algorithm compares pairwise",
        { typeId: id },
      );
    }
  }

  // --- strings ---

  /**
   * Rewrites every string offset of the own types (then of `.BTF.ext`) into a
   * fresh table holding each referenced string once, in first-use order;
   * strings the base has resolve to the base's offsets.
   */
  private dedupStrings(ext: BtfExt | undefined): BtfExt | undefined {
    const { base, startStrOff } = this.store;
    const pool = this.pool;
    const table = StringTable.create(base && StringTable.of(base));
    table.capGrowth(pool.length);
    const memo = new Int32Array(pool.length).fill(-1);
    const remap = (off: number): number => {
      if (off === 0 || off < startStrOff) return off;
      const pos = off - startStrOff;
      if (pos >= pool.length) throw new BtfError(`string offset ${off} is outside the string section`, { section: ".BTF.ext" });
      let r = memo[pos];
      if (r < 0) {
        r = memo[pos] = table.addBytes(pool, pos);
      }
      return r;
    };
    const w = this.w;
    const slots = this.slots;
    for (let id = this.startId; id < this.count; id++) {
      for (let i = 0, n = recordNameSlots(w, this.offs[id], slots); i < n; i++) w[slots[i]] = remap(w[slots[i]]);
    }
    const out = ext && remapExtStrings(ext, remap);
    this.pool = table.bytes();
    return out;
  }

  // --- hashes and shallow equality (the fields libbpf hashes and compares) ---

  private hashCommon(id: number): number {
    const p = this.offs[id];
    return mix(mix(mix(0, this.w[p]), this.w[p + 1]), this.w[p + 2]);
  }

  private hashIntTag(id: number): number {
    return mix(this.hashCommon(id), this.w[this.offs[id] + 3]);
  }

  /** Enums hash by name only, so that forward declarations meet their definitions. */
  private hashEnum(id: number): number {
    return mix(0, this.w[this.offs[id]]);
  }

  /** Hashes the members' names and offsets. */
  private hashStruct(id: number): number {
    let h = this.hashCommon(id);
    for (let i = 0, n = this.vlen(id), q = this.offs[id] + ELEMS; i < n; i++, q += MEMBER.elemWords) {
      h = mix(mix(h, this.w[q + MEMBER.elemNameWord]), this.w[q + MEMBER_OFFSET_WORD]);
    }
    return h;
  }

  private hashArray(id: number): number {
    const p = this.offs[id];
    let h = this.hashCommon(id);
    for (let k = ELEMS; k < ARRAY_WORDS; k++) h = mix(h, this.w[p + k]);
    return h;
  }

  /** Hashes the parameters' names and types. */
  private hashFnProto(id: number): number {
    let h = this.hashCommon(id);
    for (let i = 0, n = this.vlen(id), q = this.offs[id] + ELEMS; i < n; i++, q += PARAM.elemWords) {
      h = mix(mix(h, this.w[q + PARAM.elemNameWord]), this.w[q + PARAM.elemTypeWord]);
    }
    return h;
  }

  private equalWords(a: number, b: number, from: number, to: number): boolean {
    const w = this.w;
    const pa = this.offs[a];
    const pb = this.offs[b];
    for (let k = from; k < to; k++) if (w[pa + k] !== w[pb + k]) return false;
    return true;
  }

  private equalCommon(a: number, b: number): boolean {
    return this.equalWords(a, b, 0, 3);
  }

  /** INT and DECL_TAG: the common record and the one info word. */
  private equalIntTag(a: number, b: number): boolean {
    return this.equalWords(a, b, 0, ELEMS + 1);
  }

  private equalEnum(a: number, b: number): boolean {
    return this.equalCommon(a, b) && this.equalWords(a, b, ELEMS, recordWords(this.kind(a), this.vlen(a)));
  }

  private isEnumFwd(id: number): boolean {
    return this.isAnyEnum(id) && this.vlen(id) === 0;
  }

  /** A forward-declared enum matches any enum (or enum64) of its name, whatever its size. */
  private compatEnum(a: number, b: number): boolean {
    if (!this.isEnumFwd(a) && !this.isEnumFwd(b)) return this.equalEnum(a, b);
    return this.w[this.offs[a]] === this.w[this.offs[b]] && this.isAnyEnum(a) && this.isAnyEnum(b);
  }

  /** Name, size and members' names and offsets; not the members' types. */
  private shallowEqualStruct(a: number, b: number): boolean {
    if (!this.equalCommon(a, b)) return false;
    const w = this.w;
    const d = this.offs[b] - this.offs[a];
    for (let i = 0, n = this.vlen(a), q = this.offs[a] + ELEMS; i < n; i++, q += MEMBER.elemWords) {
      const name = q + MEMBER.elemNameWord;
      const off = q + MEMBER_OFFSET_WORD;
      if (w[name] !== w[name + d] || w[off] !== w[off + d]) return false;
    }
    return true;
  }

  private equalArray(a: number, b: number): boolean {
    return this.equalWords(a, b, 0, ARRAY_WORDS);
  }

  private compatArray(a: number, b: number): boolean {
    return this.equalCommon(a, b) && this.w[this.offs[a] + ARRAY_NELEMS_WORD] === this.w[this.offs[b] + ARRAY_NELEMS_WORD];
  }

  private equalFnProto(a: number, b: number): boolean {
    return this.equalWords(a, b, 0, recordWords(BTF_KIND_FUNC_PROTO, this.vlen(a)));
  }

  /** Name, info and parameter names; not the return or parameter types. */
  private compatFnProto(a: number, b: number): boolean {
    const w = this.w;
    const pa = this.offs[a];
    const d = this.offs[b] - pa;
    if (w[pa] !== w[pa + d] || w[pa + 1] !== w[pa + 1 + d]) return false;
    for (let i = 0, n = this.vlen(a), q = pa + ELEMS + PARAM.elemNameWord; i < n; i++, q += PARAM.elemWords) {
      if (w[q] !== w[q + d]) return false;
    }
    return true;
  }

  // --- phases ---

  /** Base types are canonical as they are and become candidates for the split types. */
  private prepBase(): void {
    for (let id = 1; id < this.startId; id++) {
      this.map[id] = id;
      switch (this.kind(id)) {
        case BTF_KIND_VAR:
        case BTF_KIND_DATASEC:
          continue;
        case BTF_KIND_INT:
        case BTF_KIND_DECL_TAG:
          this.table.add(this.hashIntTag(id), id);
          continue;
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
          this.table.add(this.hashEnum(id), id);
          continue;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
          this.table.add(this.hashStruct(id), id);
          continue;
        case BTF_KIND_ARRAY:
          this.table.add(this.hashArray(id), id);
          continue;
        case BTF_KIND_FUNC_PROTO:
          this.table.add(this.hashFnProto(id), id);
          continue;
        default:
          this.table.add(this.hashCommon(id), id);
      }
    }
  }

  private primPhase(): void {
    for (let id = this.startId; id < this.count; id++) this.dedupPrim(id);
  }

  private structPhase(): void {
    for (let id = this.startId; id < this.count; id++) this.dedupStruct(id);
  }

  private refPhase(): void {
    for (let id = this.startId; id < this.count; id++) this.dedupRef(id);
  }

  /** Types that refer to no other type: ints, floats, enums, forward declarations. */
  private dedupPrim(id: number): void {
    const t = this.table;
    let h: number;
    let newId = id;
    switch (this.kind(id)) {
      case BTF_KIND_INT:
      case BTF_KIND_FWD:
      case BTF_KIND_FLOAT: {
        // Exact equality: the common record, plus the encoding word for an INT.
        const words = recordWords(this.kind(id), 0);
        h = words > ELEMS ? this.hashIntTag(id) : this.hashCommon(id);
        for (let e = t.head(h); e >= 0; e = t.next(e)) {
          this.spend(1, id);
          if (this.equalWords(id, t.id(e), 0, words)) {
            newId = t.id(e);
            break;
          }
        }
        break;
      }
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: {
        h = this.hashEnum(id);
        const fwd = this.isEnumFwd(id);
        const cost = 1 + this.vlen(id);
        for (let e = t.head(h); e >= 0; e = t.next(e)) {
          const c = t.id(e);
          this.spend(cost, id);
          if (this.equalEnum(id, c) || (fwd && this.compatEnum(id, c))) {
            newId = c;
            break;
          }
          // A canonical forward declaration gives way to this full enum.
          if (this.compatEnum(id, c)) this.map[c] = id;
        }
        break;
      }
      default:
        return;
    }
    this.map[id] = newId;
    if (newId === id) t.add(h, id);
  }

  private dedupStruct(id: number): void {
    if (this.isMapped(id) || !this.isComposite(id)) return;
    const t = this.table;
    const h = this.hashStruct(id);
    const cost = 1 + this.vlen(id);
    let newId = id;
    for (let e = t.head(h); e >= 0; e = t.next(e)) {
      const c = t.id(e);
      let equiv = false;
      // Equivalence treats a FWD and its struct as equal; the shallow check keeps a FWD from being picked.
      if (this.shallowEqualStruct(id, c)) {
        this.clearHypot();
        equiv = this.isEquiv(id, c);
      }
      // Charged after the walk, which counts its own steps.
      this.spend(cost, id);
      if (!equiv) continue;
      this.mergeHypot();
      if (this.hypotAdjustCanon) continue;
      newId = c;
      break;
    }
    this.map[id] = newId;
    if (newId === id) t.add(h, id);
  }

  private clearHypot(): void {
    for (let i = 0; i < this.hypotCount; i++) this.hypot[this.hypotList[i]] = UNPROCESSED;
    this.hypotCount = 0;
    this.hypotAdjustCanon = false;
  }

  private resolve(id: number): number {
    const map = this.map;
    if (map[id] === id) return id;
    let steps = 0;
    for (let m = map[id]; m >= 0 && m !== id; m = map[id]) {
      id = m;
      if (++steps > this.count) throw new BtfError("canonical type chain does not end", { typeId: id });
    }
    return id;
  }

  /** A FWD already resolved to a struct or union stands for it. */
  private resolveFwd(id: number): number {
    if (this.kind(id) !== BTF_KIND_FWD) return id;
    const r = this.resolve(id);
    return this.kind(r) === BTF_KIND_FWD ? id : r;
  }

  private fwdKind(id: number): number {
    return this.w[this.offs[id] + 1] >>> 31 ? BTF_KIND_UNION : BTF_KIND_STRUCT;
  }

  private identicalArrays(a: number, b: number): boolean {
    return this.kind(a) === BTF_KIND_ARRAY && this.kind(b) === BTF_KIND_ARRAY && this.equalArray(a, b);
  }

  /** Same struct down to the member type ids (nested identical arrays and structs allowed). */
  private identicalStructs(a: number, b: number, depth = 0): boolean {
    if (!this.isComposite(a) || this.kind(a) !== this.kind(b) || !this.shallowEqualStruct(a, b)) return false;
    // Shared members make this walk exponential in the nesting on crafted input.
    this.spend(1 + this.vlen(a), a);
    if (depth > MAX_NESTING_DEPTH) throw new BtfError(`structs nest deeper than ${MAX_NESTING_DEPTH} levels`, { typeId: a });
    const w = this.w;
    const d = this.offs[b] - this.offs[a];
    for (let i = 0, n = this.vlen(a), q = this.offs[a] + ELEMS + MEMBER.elemTypeWord; i < n; i++, q += MEMBER.elemWords) {
      const ta = w[q];
      const tb = w[q + d];
      if (ta !== tb && !this.identicalArrays(ta, tb) && !this.identicalStructs(ta, tb, depth + 1)) return false;
    }
    return true;
  }

  /**
   * Whether the type graph under `candRoot` is equivalent to the one under
   * `canonRoot`: a side-by-side depth-first walk (explicit stack, same visiting
   * order as libbpf's recursion) that records canonical -> candidate pairs in
   * the hypothetical map and fails on any contradiction. FWDs match structs or
   * unions of their kind and name.
   */
  private isEquiv(candRoot: number, canonRoot: number): boolean {
    const w = this.w;
    const offs = this.offs;
    const map = this.map;
    const hypot = this.hypot;
    let stack = this.stack;
    let sp = 0;
    stack[sp++] = candRoot;
    stack[sp++] = canonRoot;
    // One step per pair a visited pair can push, which bounds the pops; the caller checks the budget after the walk.
    let steps = 0;
    try {
      while (sp > 0) {
        let canon = stack[--sp];
        const cand = stack[--sp];
        if (cand === canon) continue;
        const mc = map[cand];
        const mk = map[canon];
        // Unmapped and self-mapped ids resolve to themselves; only chains need the walk.
        const rc = mc < 0 || mc === cand ? cand : this.resolve(cand);
        const rk = mk < 0 || mk === canon ? canon : this.resolve(canon);
        if (rc === rk) continue;
        let pk = offs[canon];
        if (((w[pk + 1] >>> 24) & 0x1f) === BTF_KIND_FWD && mk >= 0 && mk !== canon) {
          canon = this.resolveFwd(canon);
          pk = offs[canon];
        }
        const seen = hypot[canon];
        if (seen >= 0) {
          // Compilers sometimes emit duplicate identical arrays or structs within one unit.
          if (seen === cand || this.identicalArrays(seen, cand) || this.identicalStructs(seen, cand)) continue;
          return false;
        }
        if (this.hypotCount === this.hypotList.length) this.hypotList = grow(this.hypotList);
        this.hypotList[this.hypotCount++] = canon;
        hypot[canon] = cand;
        const pc = offs[cand];
        if (w[pc] !== w[pk]) return false;
        const candKind = (w[pc + 1] >>> 24) & 0x1f;
        const canonKind = (w[pk + 1] >>> 24) & 0x1f;
        if ((candKind === BTF_KIND_FWD || canonKind === BTF_KIND_FWD) && candKind !== canonKind) {
          let realKind: number;
          let fwdKind: number;
          if (candKind === BTF_KIND_FWD) {
            realKind = canonKind;
            fwdKind = this.fwdKind(cand);
          } else {
            realKind = candKind;
            fwdKind = this.fwdKind(canon);
            if (fwdKind === realKind && canon < this.startId) this.hypotAdjustCanon = true;
          }
          if (fwdKind !== realKind) return false;
          continue;
        }
        if (candKind !== canonKind) return false;
        const vlen = w[pc + 1] & 0xffff;
        steps += 1 + vlen;
        // Room for every reference this pair can push.
        const need = sp + 2 + 2 * vlen + 4;
        if (need > stack.length) {
          while (need > stack.length) stack = grow(stack);
          this.stack = stack;
        }
        switch (candKind) {
          // Leaves: nothing to follow (a FWD's type word is not a reference here).
          case BTF_KIND_INT:
            if (!this.equalIntTag(cand, canon)) return false;
            continue;
          case BTF_KIND_ENUM:
          case BTF_KIND_ENUM64:
            if (!this.compatEnum(cand, canon)) return false;
            continue;
          case BTF_KIND_FWD:
          case BTF_KIND_FLOAT:
            if (!this.equalCommon(cand, canon)) return false;
            continue;
          case BTF_KIND_CONST:
          case BTF_KIND_VOLATILE:
          case BTF_KIND_RESTRICT:
          case BTF_KIND_PTR:
          case BTF_KIND_TYPEDEF:
          case BTF_KIND_FUNC:
          case BTF_KIND_TYPE_TAG:
            if (w[pc + 1] !== w[pk + 1]) return false;
            break;
          case BTF_KIND_ARRAY:
            if (!this.compatArray(cand, canon)) return false;
            break;
          case BTF_KIND_STRUCT:
          case BTF_KIND_UNION:
            if (!this.shallowEqualStruct(cand, canon)) return false;
            break;
          case BTF_KIND_FUNC_PROTO:
            if (!this.compatFnProto(cand, canon)) return false;
            break;
          default:
            throw new BtfError(`a ${kindName(candKind)} cannot be part of a struct's type graph`, { typeId: cand });
        }
        // Push the referenced pairs so that they pop in libbpf's order: the record's type words, then the elements'.
        const d = KIND_DESCRIPTORS[candKind];
        if (d.elemTypeWord >= 0) {
          const first = ELEMS + d.infoWords + d.elemTypeWord;
          for (let q = first + (vlen - 1) * d.elemWords; q >= first; q -= d.elemWords) {
            stack[sp++] = w[pc + q];
            stack[sp++] = w[pk + q];
          }
        }
        const tw = d.typeWords;
        if (candKind === BTF_KIND_ARRAY) {
          // libbpf compares the index types before the element types.
          for (let k = 0; k < tw.length; k++) {
            stack[sp++] = w[pc + tw[k]];
            stack[sp++] = w[pk + tw[k]];
          }
        } else {
          for (let k = tw.length - 1; k >= 0; k--) {
            stack[sp++] = w[pc + tw[k]];
            stack[sp++] = w[pk + tw[k]];
          }
        }
      }
    } finally {
      this.steps += steps;
    }
    return true;
  }

  /**
   * After a successful check: resolve FWDs found equivalent to structs (in
   * either graph), and map candidate structs whose counterparts are already
   * canonical, which spares checking them again.
   */
  private mergeHypot(): void {
    for (let i = 0; i < this.hypotCount; i++) {
      const canonId = this.hypotList[i];
      const t = this.resolve(this.hypot[canonId]);
      const c = this.resolve(canonId);
      const tKind = this.kind(t);
      const cKind = this.kind(c);
      // A base FWD may point at a split struct, so the split's FWDs resolve through it.
      if (tKind !== BTF_KIND_FWD && cKind === BTF_KIND_FWD) this.map[c] = t;
      if (this.hypotAdjustCanon) continue;
      if (tKind === BTF_KIND_FWD && cKind !== BTF_KIND_FWD) this.map[t] = c;
      if (isCompositeKind(tKind) && cKind !== BTF_KIND_FWD && this.isMapped(c) && !this.isMapped(t)) {
        this.map[t] = c;
      }
    }
  }

  /** FWDs left alone so far resolve to the only canonical struct or union of their name, if there is one. */
  private resolveFwds(): void {
    const byName = new Map<number, number>();
    for (let id = 1; id < this.count; id++) {
      if (!this.isComposite(id) || this.map[id] !== id) continue;
      const name = this.w[this.offs[id]];
      byName.set(name, byName.has(name) ? 0 : id);
    }
    for (let id = this.startId; id < this.count; id++) {
      if (this.kind(id) !== BTF_KIND_FWD || this.map[id] !== id) continue;
      const cand = byName.get(this.w[this.offs[id]]);
      if (!cand || this.kind(cand) !== this.fwdKind(id)) continue;
      this.map[id] = cand;
    }
  }

  /** How many type ids the record of `id` holds. */
  private refCount(id: number): number {
    const d = KIND_DESCRIPTORS[this.kind(id)];
    return d.typeWords.length + (d.elemTypeWord >= 0 ? this.vlen(id) : 0);
  }

  /** Word index of the i-th type id in the record of `id`, in libbpf's visiting order. */
  private refSlot(id: number, i: number): number {
    const p = this.offs[id];
    const d = KIND_DESCRIPTORS[this.kind(id)];
    const n = d.typeWords.length;
    return i < n ? p + d.typeWords[i] : p + ELEMS + d.infoWords + d.elemTypeWord + (i - n) * d.elemWords;
  }

  /**
   * Reference types, once everything they point to is canonical: the
   * references are rewritten to canonical ids first (depth first, explicit
   * stack), then the type is compared exactly with its candidates. A cycle
   * that passes through no struct or union is an error, as in libbpf.
   */
  private dedupRef(root: number): void {
    if (this.map[root] !== UNPROCESSED) return;
    const ids = [root];
    const next = [0];
    this.map[root] = IN_PROGRESS;
    while (ids.length > 0) {
      const top = ids.length - 1;
      const id = ids[top];
      if (next[top] < this.refCount(id)) {
        const slot = this.refSlot(id, next[top]);
        const child = this.w[slot];
        const m = this.map[child];
        if (m === IN_PROGRESS) throw new BtfError(`reference cycle through type [${child}] without a struct or union`, { typeId: id });
        if (m === UNPROCESSED) {
          this.map[child] = IN_PROGRESS;
          ids.push(child);
          next.push(0);
        } else {
          this.w[slot] = this.resolve(child);
          next[top]++;
        }
        continue;
      }
      const newId = this.canonicalRef(id);
      ids.pop();
      next.pop();
      if (ids.length > 0) {
        const t = ids.length - 1;
        this.w[this.refSlot(ids[t], next[t])] = newId;
        next[t]++;
      }
    }
  }

  private canonicalRef(id: number): number {
    const t = this.table;
    const kind = this.kind(id);
    const h =
      kind === BTF_KIND_DECL_TAG
        ? this.hashIntTag(id)
        : kind === BTF_KIND_ARRAY
          ? this.hashArray(id)
          : kind === BTF_KIND_FUNC_PROTO
            ? this.hashFnProto(id)
            : this.hashCommon(id);
    const cost = 1 + this.vlen(id);
    let newId = id;
    for (let e = t.head(h); e >= 0; e = t.next(e)) {
      const c = t.id(e);
      this.spend(cost, id);
      const same =
        kind === BTF_KIND_DECL_TAG
          ? this.equalIntTag(id, c)
          : kind === BTF_KIND_ARRAY
            ? this.equalArray(id, c)
            : kind === BTF_KIND_FUNC_PROTO
              ? this.equalFnProto(id, c)
              : this.equalCommon(id, c);
      if (same) {
        newId = c;
        break;
      }
    }
    this.map[id] = newId;
    if (newId === id) t.add(h, id);
    return newId;
  }

  // --- output ---

  /** Numbers the canonical own types in order (in `hypot`, as libbpf reuses it); returns them. */
  private compact(): number[] {
    const kept: number[] = [];
    this.hypot.fill(UNPROCESSED);
    for (let id = 0; id < this.startId; id++) this.hypot[id] = id;
    let next = this.startId;
    for (let id = this.startId; id < this.count; id++) {
      if (this.map[id] !== id) continue;
      this.hypot[id] = next++;
      kept.push(id);
    }
    return kept;
  }

  private newId(id: number): number {
    const n = this.hypot[this.resolve(id)];
    if (n < 0) throw new BtfError(`type [${id}] has no canonical type after deduplication`, { typeId: id });
    return n;
  }

  private encode(kept: readonly number[], header: WordsHeader): Uint8Array {
    let typeWords = 0;
    for (const id of kept) typeWords += recordWords(this.kind(id), this.vlen(id));
    const w = this.w;
    const slots = this.slots;
    const body = new Int32Array(typeWords);
    let at = 0;
    for (const id of kept) {
      const p = this.offs[id];
      for (let i = 0, n = recordTypeIdSlots(w, p, slots); i < n; i++) w[slots[i]] = this.newId(w[slots[i]]);
      const end = p + recordWords(this.kind(id), this.vlen(id));
      body.set(w.subarray(p, end), at);
      at += end - p;
    }
    return encodeWords(body, this.pool, header);
  }

  private remapExtIds(ext: BtfExt): BtfExt {
    return {
      ...ext,
      funcInfo: mapSections(ext.funcInfo, (r) => ({ ...r, typeId: this.newId(r.typeId) })),
      coreRelos: mapSections(ext.coreRelos, (r) => ({ ...r, typeId: this.newId(r.typeId) })),
    };
  }
}

function mapSections<R>(secs: readonly BtfExtInfoSection<R>[], f: (r: R) => R, name?: (off: number) => number): BtfExtInfoSection<R>[] {
  return secs.map((s) => ({ secNameOff: name ? name(s.secNameOff) : s.secNameOff, records: s.records.map(f) }));
}

/** `.BTF.ext` with every string offset passed through `remap`, in libbpf's visiting order. */
function remapExtStrings(ext: BtfExt, remap: (off: number) => number): BtfExt {
  const funcInfo = mapSections(ext.funcInfo, (r) => r, remap);
  const lineInfo = ext.lineInfo.map((s) => ({
    secNameOff: remap(s.secNameOff),
    records: s.records.map((r) => {
      const fileNameOff = remap(r.fileNameOff);
      return { ...r, fileNameOff, lineOff: remap(r.lineOff) };
    }),
  }));
  const coreRelos = ext.coreRelos.map((s) => ({
    secNameOff: remap(s.secNameOff),
    records: s.records.map((r) => ({ ...r, accessStrOff: remap(r.accessStrOff) })),
  }));
  return { ...ext, funcInfo, lineInfo, coreRelos };
}
