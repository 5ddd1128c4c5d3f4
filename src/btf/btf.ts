/**
 * The BTF model: the raw bytes plus one typed array of record offsets, built
 * in a single pass. Names and type records are decoded on demand, so parsing a
 * 130,000-type vmlinux costs one scan and one Uint32Array.
 */
import { BaseBtfRequiredError, BtfError } from "../errors.js";
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
  type BtfKind,
  infoKflag,
  infoKind,
  infoVlen,
  KIND_DESCRIPTORS,
  kindDescriptor,
  kindName,
  kindNumber,
  recordWords,
} from "./kinds.js";
import { CStringDecoder, cStringsEqual, hashCString, tableSize } from "../elf/strtab.js";
import { plainBytes } from "../elf/bytes.js";
import type { ByteSink } from "./sink.js";
import { validateTypes } from "./validate.js";
import type { BtfType, BtfTypeOf, Member } from "./types.js";

export const BTF_MAGIC = 0xeb9f;
export const BTF_HEADER_LEN = 24;
/** Linux 7.1 header: adds layout_off and layout_len. */
export const BTF_HEADER_LEN_LAYOUT = 32;
/** libbpf's MAX_RESOLVE_DEPTH (btf.c), used by size resolution. */
export const MAX_RESOLVE_DEPTH = 32;
/** Struct-in-struct nesting alignof() follows: far beyond real types (vmlinux stays under 20), far within the JS stack. */
export const MAX_NESTING_DEPTH = 1024;

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The BTF header fields (the 24-byte header, or the 32-byte Linux 7.1 header with its layout section). */
export interface BtfHeader {
  version: number;
  flags: number;
  hdrLen: number;
  typeOff: number;
  typeLen: number;
  strOff: number;
  strLen: number;
  /** Present when hdrLen >= 32. */
  layoutOff?: number;
  layoutLen?: number;
}

/** One record of the 7.1 layout section: how to size a kind's record. */
export interface KindLayout {
  infoSize: number;
  elemSize: number;
  flags: number;
}

/** Options of {@link Btf.parse}. */
export interface ParseOptions {
  /** Base BTF for split (module) BTF. */
  base?: Btf;
  /**
   * Pointer size in bytes (4 or 8). By default the base's, else inferred from
   * the `long` INT as libbpf does, else 8; an ELF's class decides it for objects.
   */
  pointerSize?: number;
}

/** Parsed BTF: the bytes, one typed array of record offsets, and accessors that decode fields, names and whole types on demand. Answers base ids too when it is split BTF. */
export class Btf {
  readonly bytes: Uint8Array;
  readonly littleEndian: boolean;
  readonly header: BtfHeader;
  readonly base: Btf | undefined;
  /** First id stored in this blob: 1 for base BTF, the base's count for split BTF. */
  readonly startId: number;
  /** First string offset owned by this blob; lower offsets resolve in the base. */
  readonly startStrOff: number;
  /** Kind layouts from a 7.1+ layout section, indexed by kind number. */
  readonly layout: readonly KindLayout[] | undefined;

  private readonly view: DataView;
  /** The type section as 32-bit words in host order (a view when possible, else a swapped copy). */
  private readonly words: Uint32Array;
  /** Byte offset of the type section in `bytes`. */
  private readonly typeStart: number;
  /** Word index (into `words`) of each own record, indexed by `id - startId`. */
  private readonly offsets: Uint32Array;
  private readonly strStart: number;
  private readonly strEnd: number;
  private nameIndex: NameIndex | undefined;
  /** Decoder of the own string section, made on the first name read. */
  private strings: CStringDecoder | undefined;
  /** alignof() results + 1 per own id (0 = not computed, -1 = in progress); dumps ask for the same structs often. */
  private alignCache: Int32Array | undefined;
  private ptrSize: number | undefined;

  private constructor(bytes: Uint8Array, opts: ParseOptions) {
    bytes = plainBytes(bytes);
    this.bytes = bytes;
    this.base = opts.base;
    this.ptrSize = opts.pointerSize;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < BTF_HEADER_LEN) {
      throw new BtfError(`BTF data is ${bytes.length} bytes, shorter than the ${BTF_HEADER_LEN}-byte header`, {
        section: "header",
        offset: 0,
      });
    }
    const magicLe = this.view.getUint16(0, true);
    if (magicLe === BTF_MAGIC) this.littleEndian = true;
    else if (magicLe === 0x9feb) this.littleEndian = false;
    else {
      throw new BtfError(`bad BTF magic 0x${magicLe.toString(16).padStart(4, "0")} (want 0xeb9f in either byte order)`, {
        section: "header",
        offset: 0,
      });
    }
    this.header = this.parseHeader();
    const h = this.header;
    const dataStart = h.hdrLen;
    this.strStart = dataStart + h.strOff;
    this.strEnd = this.strStart + h.strLen;
    this.startId = this.base ? this.base.count : 1;
    this.startStrOff = this.base ? this.base.startStrOff + this.base.header.strLen : 0;
    this.checkStrings();
    this.layout = this.parseLayout();
    this.typeStart = dataStart + h.typeOff;
    this.words = this.typeWords();
    this.offsets = this.indexTypes();
    validateTypes(this, this.words, this.offsets, this.typeStart);
  }

  /** Parses BTF bytes (either byte order; 24- or 32-byte header; split on `opts.base`). */
  static parse(bytes: Uint8Array, opts: ParseOptions = {}): Btf {
    return new Btf(bytes, opts);
  }

  private u32(off: number): number {
    return this.view.getUint32(off, this.littleEndian);
  }

  /**
   * Hot paths read plain typed-array elements rather than DataView calls:
   * the type section is viewed in place when its byte order and alignment
   * allow, and copied (byte-swapped) otherwise.
   */
  private typeWords(): Uint32Array {
    const n = this.header.typeLen >>> 2;
    const at = this.bytes.byteOffset + this.typeStart;
    if (this.littleEndian === HOST_LITTLE_ENDIAN && at % 4 === 0) return new Uint32Array(this.bytes.buffer, at, n);
    const words = new Uint32Array(n);
    for (let i = 0; i < n; i++) words[i] = this.view.getUint32(this.typeStart + 4 * i, this.littleEndian);
    return words;
  }

  private parseHeader(): BtfHeader {
    const size = this.bytes.length;
    const hdrLen = this.u32(4);
    const err = (msg: string, offset: number) => new BtfError(msg, { section: "header", offset });
    if (hdrLen < BTF_HEADER_LEN) throw err(`header length ${hdrLen} is below the minimum ${BTF_HEADER_LEN}`, 4);
    if (hdrLen > size) throw err(`header length ${hdrLen} exceeds the data size ${size}`, 4);
    const h: BtfHeader = {
      version: this.bytes[2],
      flags: this.bytes[3],
      hdrLen,
      typeOff: this.u32(8),
      typeLen: this.u32(12),
      strOff: this.u32(16),
      strLen: this.u32(20),
    };
    if (hdrLen >= BTF_HEADER_LEN_LAYOUT) {
      h.layoutOff = this.u32(24);
      h.layoutLen = this.u32(28);
    }
    // libbpf 1.8 reads any version and flags (the kernel refuses them at load), and so do we: both are kept
    // when the blob is written back. Header bytes it does not know forbid modifying the blob in libbpf; since
    // btfkit rewrites what it reads (dedup, merge, builder), it refuses them at parse, as the kernel does.
    for (let i = BTF_HEADER_LEN_LAYOUT; i < hdrLen; i++) {
      if (this.bytes[i] !== 0) throw err(`unknown BTF header data at offset ${i} is not zero`, i);
    }
    const dataLen = size - hdrLen;
    if (h.typeOff % 4 !== 0) throw err(`type section offset ${h.typeOff} is not 4-byte aligned`, 8);
    if (h.strOff + h.strLen > dataLen) {
      throw err(`string section [${h.strOff}, +${h.strLen}) runs past the end of the data (${dataLen} bytes)`, 16);
    }
    if (h.typeOff + h.typeLen > h.strOff) {
      throw err(`type section [${h.typeOff}, +${h.typeLen}) overlaps or follows the string section at ${h.strOff}`, 8);
    }
    const { layoutOff, layoutLen } = h;
    // As libbpf 1.8: with a layout section, it sits between the type and string sections.
    if (layoutOff !== undefined && layoutLen) {
      if (layoutOff % 4 !== 0) throw err(`layout section offset ${layoutOff} is not 4-byte aligned`, 24);
      if (layoutLen % 4 !== 0) throw err(`layout section length ${layoutLen} is not a multiple of 4`, 28);
      if (layoutOff + layoutLen > dataLen) throw err(`layout section [${layoutOff}, +${layoutLen}) runs past the data (${dataLen} bytes)`, 24);
      if (layoutOff < h.typeOff + h.typeLen || layoutOff + layoutLen > h.strOff) {
        throw err(
          `layout section [${layoutOff}, +${layoutLen}) is not between the type section [${h.typeOff}, +${h.typeLen}) and the string section at ${h.strOff}`,
          24,
        );
      }
    }
    return h;
  }

  private checkStrings(): void {
    const { strLen } = this.header;
    const where = { section: "strings", offset: this.strStart };
    if (this.base) {
      // Split BTF may have an empty string section that need not start with NUL.
      if (strLen > 0 && this.bytes[this.strEnd - 1] !== 0) {
        throw new BtfError("string section does not end with a NUL byte", where);
      }
      return;
    }
    // Both are what split BTF looks like: say so, since the fix is to give its base.
    const split = "this looks like split BTF (a kernel module's), which is read on its base BTF";
    if (strLen === 0) throw new BaseBtfRequiredError(`string section is empty: ${split}`, where);
    if (this.bytes[this.strStart] !== 0) throw new BaseBtfRequiredError(`string section does not start with the empty string: ${split}`, where);
    if (this.bytes[this.strEnd - 1] !== 0) throw new BtfError("string section does not end with a NUL byte", where);
  }

  private parseLayout(): KindLayout[] | undefined {
    const { layoutOff, layoutLen } = this.header;
    if (layoutOff === undefined || !layoutLen) return undefined;
    const start = this.header.hdrLen + layoutOff;
    const out: KindLayout[] = [];
    for (let p = start; p < start + layoutLen!; p += 4) {
      out.push({ infoSize: this.bytes[p], elemSize: this.bytes[p + 1], flags: this.view.getUint16(p + 2, this.littleEndian) });
    }
    return out;
  }

  /**
   * Size of a record's trailing data, or -1 if the kind cannot be sized: as
   * libbpf 1.8, an unknown kind is sized by this blob's layout section, else
   * (split BTF without one) by its base's, and only in multiples of 4 bytes.
   */
  private extraSize(kind: number, vlen: number): number {
    const words = recordWords(kind, vlen);
    if (words >= 0) return 4 * (words - 3);
    const l = (this.layout ?? this.base?.layout)?.[kind];
    if (kind !== 0 && l && l.infoSize % 4 === 0 && l.elemSize % 4 === 0) return l.infoSize + vlen * l.elemSize;
    return -1;
  }

  private indexTypes(): Uint32Array {
    const typeLen = this.header.typeLen;
    const words = this.words;
    // A record is at least 12 bytes, so this bound never exceeds the input size.
    const offsets = new Uint32Array(Math.floor(typeLen / 12));
    const end = typeLen >>> 2;
    let n = 0;
    for (let p = 0; 4 * p < typeLen; ) {
      if (typeLen - 4 * p < 12) throw this.recordError(`${typeLen - 4 * p} leftover bytes at the end of the type section`, p, n);
      const info = words[p + 1];
      let next = p + recordWords(info >>> 24, info & 0xffffff);
      if (next < p) {
        // Not a kind this library knows: a 7.1 layout section may size it.
        const kind = (info >>> 24) & 0x7f;
        const extra = this.extraSize(kind, info & 0xffffff);
        if (extra < 0) {
          throw this.recordError(`unknown BTF kind ${kind}: no layout section describes it, or its info_sz or elem_sz is not a multiple of 4`, p, n);
        }
        // libbpf cannot byte-swap data it does not know the fields of, so it refuses such records in foreign-endian BTF.
        if (this.littleEndian !== HOST_LITTLE_ENDIAN) throw this.recordError(`unknown BTF kind ${kind} in foreign-endian BTF`, p, n);
        next = p + 3 + extra / 4;
      }
      if (next > end) throw this.recordError(`${kindName((info >>> 24) & 0x7f)} record runs past the end of the type section`, p, n);
      offsets[n++] = p;
      p = next;
    }
    return offsets.slice(0, n);
  }

  private recordError(message: string, p: number, n: number): BtfError {
    return new BtfError(message, { section: "types", offset: this.typeStart + 4 * p, typeId: this.startId + n });
  }

  /** Number of ids, void and base types included (the last id + 1). */
  get count(): number {
    return this.startId + this.offsets.length;
  }

  /** Number of types stored in this blob (excluding the base and void). */
  get ownCount(): number {
    return this.offsets.length;
  }

  /** Word index of an own type's record; -1 for void. Throws for ids out of range. */
  private rec(id: number): number {
    const i = id - this.startId;
    // `i >>> 0 === i` also turns away fractional ids, which index typed arrays as undefined.
    if (i >>> 0 === i && i < this.offsets.length) return this.offsets[i];
    if (id === 0 && !this.base) return -1;
    throw new BtfError(`type id ${id} is out of range (1..${this.count - 1})`, { typeId: id });
  }

  /** Word k of a type's record (0 name_off, 1 info, 2 size/type, 3.. trailing data); void reads as 0. The one raw reader. */
  private field(id: number, k: number): number {
    const i = id - this.startId;
    if (i >>> 0 === i && i < this.offsets.length) return this.words[this.offsets[i] + k];
    if (id < this.startId && this.base) return this.base.field(id, k);
    if (id === 0) return 0;
    throw new BtfError(`type id ${id} is out of range (1..${this.count - 1})`, { typeId: id });
  }

  /**
   * This blob's own records as host-order words, and the word index of each
   * (by `id - startId`): read-only views for whole-section passes.
   * @internal
   */
  ownRecords(): { words: Uint32Array; offsets: Uint32Array } {
    return { words: this.words, offsets: this.offsets };
  }

  hasType(id: number): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.count;
  }

  /** The raw `info` word of a type (0 for void). @internal */
  info(id: number): number {
    return this.field(id, 1);
  }

  /** The kind of a type by name; "unknown" for void (id 0) and for kinds only a layout section describes. */
  kind(id: number): BtfKind | "unknown" {
    return (KIND_DESCRIPTORS[this.kindNumber(id)] ?? KIND_DESCRIPTORS[0]).name;
  }

  /** The kind number (BTF_KIND_*), for passes that switch on it. @internal */
  kindNumber(id: number): number {
    return (this.field(id, 1) >>> 24) & 0x7f;
  }

  vlen(id: number): number {
    return this.field(id, 1) & 0xffffff;
  }

  kflag(id: number): boolean {
    return this.field(id, 1) >>> 31 === 1;
  }

  nameOff(id: number): number {
    return this.field(id, 0);
  }

  /** The third word: a size for sized kinds, a type id for reference kinds. */
  sizeOrType(id: number): number {
    return this.field(id, 2);
  }

  /**
   * Number of type ids a record refers to (`typeRef(id, i)` for i below it),
   * in libbpf's visiting order: the size/type word of reference kinds, an
   * array's element and index types, member, parameter and section-variable types.
   */
  typeRefCount(id: number): number {
    if (id < this.startId && this.base) return this.base.typeRefCount(id);
    const p = this.rec(id);
    if (p < 0) return 0;
    const info = this.words[p + 1];
    const d = kindDescriptor(infoKind(info));
    if (!d) return 0;
    return d.typeWords.length + (d.elemTypeWord >= 0 ? infoVlen(info) : 0);
  }

  /** The i-th type id a record refers to (see `typeRefCount`). */
  typeRef(id: number, i: number): number {
    if (id < this.startId && this.base) return this.base.typeRef(id, i);
    const p = this.rec(id);
    const info = p < 0 ? 0 : this.words[p + 1];
    const d = kindDescriptor(infoKind(info));
    const fixed = d ? d.typeWords.length : 0;
    const count = d && d.elemTypeWord >= 0 ? fixed + infoVlen(info) : fixed;
    if (!d || !(i >= 0 && i < count)) throw new BtfError(`type has no type reference #${i}`, { typeId: id });
    if (i < fixed) return this.words[p + d.typeWords[i]];
    return this.words[p + 3 + d.infoWords + (i - fixed) * d.elemWords + d.elemTypeWord];
  }

  // --- int, array, var/func, decl_tag ---------------------------------------

  /** INT encoding: BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL bits. */
  intEncoding(id: number): number {
    return (this.field(id, 3) >>> 24) & 0x0f;
  }
  /** INT bit offset (the encoding's middle byte; 0 in every kernel BTF). */
  intBitOffset(id: number): number {
    return (this.field(id, 3) >>> 16) & 0xff;
  }
  /** INT width in bits. */
  intBits(id: number): number {
    return this.field(id, 3) & 0xff;
  }
  /** The INT encoding word as stored (encoding, offset and bits packed). */
  intRaw(id: number): number {
    return this.field(id, 3);
  }

  arrayElemType(id: number): number {
    return this.field(id, 3);
  }
  arrayIndexType(id: number): number {
    return this.field(id, 4);
  }
  arrayLength(id: number): number {
    return this.field(id, 5);
  }

  /** Linkage of a VAR (its extra word) or FUNC (its vlen): static 0, global 1, extern 2. */
  linkage(id: number): number {
    return this.kindNumber(id) === BTF_KIND_VAR ? this.field(id, 3) : this.vlen(id);
  }

  /** DECL_TAG component index: -1 for the whole declaration, else a member or parameter index. */
  declTagComponent(id: number): number {
    return this.field(id, 3) | 0;
  }

  // --- datasec variables ----------------------------------------------------

  datasecVarType(id: number, i: number): number {
    return this.field(id, 3 + 3 * i);
  }
  datasecVarOffset(id: number, i: number): number {
    return this.field(id, 3 + 3 * i + 1);
  }
  datasecVarSize(id: number, i: number): number {
    return this.field(id, 3 + 3 * i + 2);
  }

  /** The bytes (this blob's or a base's) holding string offset `off`, or undefined when out of range. @internal */
  strSource(off: number): Uint8Array | undefined {
    if (off < this.startStrOff) return this.base?.strSource(off);
    return this.strStart + (off - this.startStrOff) < this.strEnd ? this.bytes : undefined;
  }

  /** Position of string offset `off` within `strSource(off)`, or -1 when out of range. @internal */
  strPos(off: number): number {
    if (off < this.startStrOff) return this.base ? this.base.strPos(off) : -1;
    const pos = this.strStart + (off - this.startStrOff);
    return pos < this.strEnd ? pos : -1;
  }

  /**
   * Whether the string at `off` is exactly `bytes` (UTF-8, no NUL), compared
   * in place: a check for one known name (`__builtin_va_list`, a kfunc tag)
   * decodes nothing, however many types it is asked of. @internal
   */
  strEquals(off: number, bytes: Uint8Array): boolean {
    const src = this.strSource(off);
    return src !== undefined && cStringsEqual(src, this.strPos(off), bytes, 0);
  }

  /** Appends the string at `off` to `sink` without decoding it; false when `off` is out of range. @internal */
  writeStr(off: number, sink: ByteSink): boolean {
    if (off < this.startStrOff) return this.base ? this.base.writeStr(off, sink) : false;
    const pos = this.strStart + (off - this.startStrOff);
    if (pos >= this.strEnd) return false;
    sink.cstr(this.bytes, pos);
    return true;
  }

  /** String at a string-section offset, or undefined when the offset is out of range. Long strings are interned: one offset, one string. */
  str(off: number): string | undefined {
    if (off < this.startStrOff) return this.base?.str(off);
    const p = this.strStart + (off - this.startStrOff);
    if (p >= this.strEnd) return undefined;
    this.strings ??= new CStringDecoder(this.bytes, this.strStart, this.strEnd, (msg, pos) => {
      return new BtfError(msg, { section: "strings", offset: pos });
    });
    return this.strings.read(p);
  }

  /** Name of a type (its tag text for DECL_TAG/TYPE_TAG); "" when anonymous. */
  name(id: number): string {
    const off = this.nameOff(id);
    const s = this.str(off);
    if (s === undefined) throw new BtfError(`name offset ${off} is outside the string section`, { typeId: id });
    return s;
  }

  /** Resolves a string offset or throws naming the type that used it. */
  private strAt(off: number, id: number): string {
    const s = this.str(off);
    if (s === undefined) throw outsideStrings(off, id);
    return s;
  }

  /** `strSource` of a string offset type `id` uses, throwing as the name accessors do when it is out of range. @internal */
  strSourceOf(off: number, id: number): Uint8Array {
    const src = this.strSource(off);
    if (!src) throw outsideStrings(off, id);
    return src;
  }

  // --- struct/union members -------------------------------------------------

  memberNameOff(id: number, i: number): number {
    return this.field(id, 3 + 3 * i);
  }
  memberName(id: number, i: number): string {
    return this.strAt(this.memberNameOff(id, i), id);
  }
  memberType(id: number, i: number): number {
    return this.field(id, 3 + 3 * i + 1);
  }
  memberBitOffset(id: number, i: number): number {
    if (id < this.startId && this.base) return this.base.memberBitOffset(id, i);
    const p = this.rec(id);
    if (p < 0) return 0;
    const off = this.words[p + 5 + 3 * i];
    return this.words[p + 1] >>> 31 ? off & 0xffffff : off;
  }
  memberBitfieldSize(id: number, i: number): number {
    if (id < this.startId && this.base) return this.base.memberBitfieldSize(id, i);
    const p = this.rec(id);
    return p >= 0 && this.words[p + 1] >>> 31 ? this.words[p + 5 + 3 * i] >>> 24 : 0;
  }
  /** The member's offset word as stored (with kflag, the bitfield size in its top byte). */
  memberRawOffset(id: number, i: number): number {
    return this.field(id, 3 + 3 * i + 2);
  }

  // --- enum values (ENUM: name, s32 value; ENUM64: name, lo32, hi32) --------

  enumValueNameOff(id: number, i: number): number {
    return this.field(id, this.kindNumber(id) === BTF_KIND_ENUM64 ? 3 + 3 * i : 3 + 2 * i);
  }
  enumValueName(id: number, i: number): string {
    return this.strAt(this.enumValueNameOff(id, i), id);
  }
  /** ENUM value as stored: signed when the enum's kflag is set, unsigned otherwise. */
  enumValue(id: number, i: number): number {
    const raw = this.field(id, 3 + 2 * i + 1);
    return this.kflag(id) ? raw | 0 : raw;
  }
  /** ENUM64 value, signed or unsigned per the kflag. */
  enum64Value(id: number, i: number): bigint {
    const lo = this.field(id, 3 + 3 * i + 1);
    const hi = this.field(id, 3 + 3 * i + 2);
    const u = (BigInt(hi) << 32n) | BigInt(lo);
    return this.kflag(id) ? BigInt.asIntN(64, u) : u;
  }

  // --- func_proto params ----------------------------------------------------

  paramNameOff(id: number, i: number): number {
    return this.field(id, 3 + 2 * i);
  }
  paramName(id: number, i: number): string {
    return this.strAt(this.paramNameOff(id, i), id);
  }
  paramType(id: number, i: number): number {
    return this.field(id, 3 + 2 * i + 1);
  }

  // --- full decode ----------------------------------------------------------

  /** Decodes one type into a plain object. Id 0 decodes as an anonymous void INT-less "unknown". */
  type(id: number): BtfType {
    if (id < this.startId && this.base) return this.base.type(id);
    const p = this.rec(id);
    if (p < 0) throw new BtfError("type id 0 is void and has no record", { typeId: 0 });
    const words = this.words;
    const info = words[p + 1];
    const kind = infoKind(info);
    const vlen = infoVlen(info);
    const kflag = infoKflag(info);
    const name = this.strAt(words[p], id);
    const third = words[p + 2];
    const w = (n: number) => words[p + 3 + n];
    switch (kind) {
      case BTF_KIND_INT: {
        const e = w(0);
        return { kind: "int", name, size: third, encoding: (e >>> 24) & 0x0f, bitOffset: (e >>> 16) & 0xff, bits: e & 0xff };
      }
      case BTF_KIND_PTR:
        return { kind: "ptr", type: third };
      case BTF_KIND_ARRAY:
        return { kind: "array", type: w(0), indexType: w(1), nelems: w(2) };
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION: {
        const members: Member[] = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const off = w(3 * i + 2);
          members[i] = {
            name: this.strAt(w(3 * i), id),
            type: w(3 * i + 1),
            bitOffset: kflag ? off & 0xffffff : off,
            bitfieldSize: kflag ? off >>> 24 : 0,
          };
        }
        return { kind: kind === BTF_KIND_STRUCT ? "struct" : "union", name, size: third, kflag, members };
      }
      case BTF_KIND_ENUM: {
        const values = new Array(vlen);
        for (let i = 0; i < vlen; i++) {
          const raw = w(2 * i + 1);
          values[i] = { name: this.strAt(w(2 * i), id), value: kflag ? raw | 0 : raw };
        }
        return { kind: "enum", name, size: third, signed: kflag, values };
      }
      case BTF_KIND_ENUM64: {
        const values = new Array(vlen);
        for (let i = 0; i < vlen; i++) values[i] = { name: this.strAt(w(3 * i), id), value: this.enum64Value(id, i) };
        return { kind: "enum64", name, size: third, signed: kflag, values };
      }
      case BTF_KIND_FWD:
        return { kind: "fwd", name, union: kflag };
      case BTF_KIND_TYPEDEF:
        return { kind: "typedef", name, type: third };
      case BTF_KIND_VOLATILE:
        return { kind: "volatile", name, type: third };
      case BTF_KIND_CONST:
        return { kind: "const", name, type: third };
      case BTF_KIND_RESTRICT:
        return { kind: "restrict", name, type: third };
      case BTF_KIND_TYPE_TAG:
        return { kind: "type_tag", name, type: third, kflag };
      case BTF_KIND_FUNC:
        return { kind: "func", name, type: third, linkage: vlen };
      case BTF_KIND_FUNC_PROTO: {
        const params = new Array(vlen);
        for (let i = 0; i < vlen; i++) params[i] = { name: this.strAt(w(2 * i), id), type: w(2 * i + 1) };
        return { kind: "func_proto", returnType: third, params };
      }
      case BTF_KIND_VAR:
        return { kind: "var", name, type: third, linkage: w(0) };
      case BTF_KIND_DATASEC: {
        const vars = new Array(vlen);
        for (let i = 0; i < vlen; i++) vars[i] = { type: w(3 * i), offset: w(3 * i + 1), size: w(3 * i + 2) };
        return { kind: "datasec", name, size: third, vars };
      }
      case BTF_KIND_FLOAT:
        return { kind: "float", name, size: third };
      case BTF_KIND_DECL_TAG:
        return { kind: "decl_tag", name, type: third, componentIdx: w(0) | 0, kflag };
      default: {
        const extra = this.extraSize(kind, vlen);
        const start = this.typeStart + 4 * (p + 3);
        return { kind: "unknown", kindNumber: kind, name, info, sizeOrType: third, data: this.bytes.slice(start, start + extra) };
      }
    }
  }

  /** Iterates own ids (not the base's) in order. */
  *ownIds(): IterableIterator<number> {
    for (let id = this.startId; id < this.count; id++) yield id;
  }

  /** The bytes of this blob's own string section. */
  stringBytes(): Uint8Array {
    return this.bytes.subarray(this.strStart, this.strEnd);
  }

  /** The raw layout section bytes (7.1+ blobs), kept so re-encoding is exact. */
  layoutBytes(): Uint8Array | undefined {
    const { layoutOff, layoutLen } = this.header;
    if (layoutOff === undefined || !layoutLen) return undefined;
    const start = this.header.hdrLen + layoutOff;
    return this.bytes.subarray(start, start + layoutLen);
  }

  // --- lookups and type arithmetic ------------------------------------------

  /** All ids named `name`, base first, ascending. */
  idsByName(name: string): number[] {
    const own = (this.nameIndex ??= new NameIndex(this)).lookup(name);
    return this.base ? [...this.base.idsByName(name), ...own] : own;
  }

  /** The first id named `name` with the given kind, if any. */
  findByName(name: string, kind?: BtfKind): number | undefined {
    const k = kind === undefined ? -1 : kindNumber(kind);
    for (const id of this.idsByName(name)) if (k < 0 || this.kindNumber(id) === k) return id;
    return undefined;
  }

  /**
   * The first type named `name` of the given kind, decoded, with its id:
   * `btf.find("task_struct", "struct")?.members`.
   */
  find<K extends BtfKind>(name: string, kind: K): (BtfTypeOf<K> & { id: number }) | undefined {
    const id = this.findByName(name, kind);
    return id === undefined ? undefined : { ...(this.type(id) as BtfTypeOf<K>), id };
  }

  /** Follows typedefs and modifiers (const, volatile, restrict, type tags). */
  resolve(id: number): number {
    return this.skip(id, true);
  }

  /** Follows modifiers only, stopping at typedefs. */
  skipModifiers(id: number): number {
    return this.skip(id, false);
  }

  private skip(id: number, typedefs: boolean): number {
    for (let hops = 0; ; hops++) {
      const k = this.kindNumber(id);
      const follow =
        k === BTF_KIND_CONST ||
        k === BTF_KIND_VOLATILE ||
        k === BTF_KIND_RESTRICT ||
        k === BTF_KIND_TYPE_TAG ||
        (typedefs && k === BTF_KIND_TYPEDEF);
      if (!follow) return id;
      if (hops > this.count) throw new BtfError("reference cycle through typedefs/modifiers", { typeId: id });
      id = this.sizeOrType(id);
    }
  }

  /** Pointer size in bytes: from the `long` INT as libbpf infers it, else 8. */
  get pointerSize(): number {
    if (this.ptrSize === undefined) this.ptrSize = this.base ? this.base.pointerSize : this.guessPointerSize();
    return this.ptrSize;
  }

  private guessPointerSize(): number {
    for (let id = this.startId; id < this.count; id++) {
      if (this.kindNumber(id) !== BTF_KIND_INT) continue;
      const size = this.sizeOrType(id);
      if (size !== 4 && size !== 8) continue;
      if (LONG_NAMES.has(this.str(this.nameOff(id)) ?? "")) return size;
    }
    return 8;
  }

  /** libbpf's btf__resolve_size: byte size of a type, through typedefs, modifiers and arrays. */
  sizeof(id: number): number {
    let nelems = 1;
    let t = id;
    for (let depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
      const k = this.kindNumber(t);
      switch (k) {
        case BTF_KIND_INT:
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
        case BTF_KIND_DATASEC:
        case BTF_KIND_FLOAT:
          return checkedSize(nelems * this.sizeOrType(t), id);
        case BTF_KIND_PTR:
          return checkedSize(nelems * this.pointerSize, id);
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_VAR:
        case BTF_KIND_DECL_TAG:
        case BTF_KIND_TYPE_TAG:
          t = this.sizeOrType(t);
          break;
        case BTF_KIND_ARRAY:
          nelems = checkedSize(nelems * this.field(t, 5), id);
          t = this.field(t, 3);
          break;
        default:
          throw new BtfError(`${kindName(k)} has no size`, { typeId: t });
      }
    }
    throw new BtfError(`type chain deeper than ${MAX_RESOLVE_DEPTH} while resolving size`, { typeId: id });
  }

  /** libbpf's btf__align_of, including its packed-struct heuristic. Returns 0 when unknown. */
  alignof(id: number): number {
    return this.alignAt(id, 0);
  }

  /** alignof() for a type nested `depth` structs/unions deep in the original query. */
  private alignAt(id: number, depth: number): number {
    if (id < this.startId && this.base) return this.base.alignAt(id, depth);
    const cache = (this.alignCache ??= new Int32Array(this.offsets.length));
    const i = id - this.startId;
    const own = i >= 0 && i < cache.length;
    if (own && cache[i] > 0) return cache[i] - 1;
    if (own && cache[i] < 0) throw new BtfError("type contains itself by value", { typeId: id });
    if (own) cache[i] = -1;
    try {
      const a = this.computeAlign(id, depth);
      if (own) cache[i] = a + 1;
      return a;
    } finally {
      if (own && cache[i] < 0) cache[i] = 0;
    }
  }

  private computeAlign(id: number, depth: number): number {
    for (let hops = 0; hops <= MAX_RESOLVE_DEPTH; hops++) {
      const k = this.kindNumber(id);
      switch (k) {
        case BTF_KIND_INT:
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
        case BTF_KIND_FLOAT:
          return Math.min(this.pointerSize, this.sizeOrType(id));
        case BTF_KIND_PTR:
          return this.pointerSize;
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG:
          id = this.sizeOrType(id);
          break;
        case BTF_KIND_ARRAY:
          id = this.field(id, 3);
          break;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
          return this.compositeAlign(id, depth);
        default:
          return 0;
      }
    }
    throw new BtfError(`type chain deeper than ${MAX_RESOLVE_DEPTH} while resolving alignment`, { typeId: id });
  }

  private compositeAlign(id: number, depth: number): number {
    // Each level costs stack frames; hostile input could otherwise nest until the stack overflows.
    if (depth >= MAX_NESTING_DEPTH) throw new BtfError(`structs/unions nested deeper than ${MAX_NESTING_DEPTH}`, { typeId: id });
    const vlen = this.vlen(id);
    let maxAlign = 1;
    for (let i = 0; i < vlen; i++) {
      const align = this.alignAt(this.memberType(id, i), depth + 1);
      if (align <= 0) return 0;
      maxAlign = Math.max(maxAlign, align);
      // A member off its natural alignment means the struct is packed.
      if (this.memberBitfieldSize(id, i) === 0 && this.memberBitOffset(id, i) % (8 * align) !== 0) return 1;
    }
    if (this.sizeOrType(id) % maxAlign !== 0) return 1;
    return maxAlign;
  }
}

function outsideStrings(off: number, id: number): BtfError {
  return new BtfError(`string offset ${off} is outside the string section`, { typeId: id });
}

function checkedSize(n: number, id: number): number {
  if (n > 0xffffffff) throw new BtfError("type size overflows 32 bits", { typeId: id });
  return n;
}

/** The 11 spellings of `long` libbpf accepts when inferring pointer size (btf.c determine_ptr_size). */
const LONG_NAMES = new Set([
  "long",
  "long int",
  "int long",
  "unsigned long",
  "long unsigned",
  "unsigned long int",
  "unsigned int long",
  "long unsigned int",
  "long int unsigned",
  "int unsigned long",
  "int long unsigned",
]);

const nameEncoder = new TextEncoder();

/**
 * Name -> ids index over one blob's own types: chains by the names'
 * `hashCString`, compared (`cStringsEqual`) only on lookup, so building it
 * decodes no strings and compares none: two Int32Arrays and one pass. (A
 * `StringSet` would compare every duplicate name while building: 3x slower
 * on a vmlinux.)
 */
class NameIndex {
  private readonly heads: Int32Array;
  private readonly next: Int32Array;
  private readonly mask: number;

  constructor(private readonly btf: Btf) {
    const n = btf.ownCount;
    this.mask = tableSize(n) - 1;
    this.heads = new Int32Array(this.mask + 1).fill(-1);
    this.next = new Int32Array(n).fill(-1);
    // Insert in reverse so each chain lists ids in ascending order.
    for (let i = n - 1; i >= 0; i--) {
      const id = btf.startId + i;
      const off = btf.nameOff(id);
      const src = btf.strSource(off);
      if (!src) continue;
      const b = hashCString(src, btf.strPos(off)) & this.mask;
      this.next[i] = this.heads[b];
      this.heads[b] = i;
    }
  }

  lookup(name: string): number[] {
    const btf = this.btf;
    const want = nameEncoder.encode(name);
    const out: number[] = [];
    for (let i = this.heads[hashCString(want, 0) & this.mask]; i >= 0; i = this.next[i]) {
      const off = btf.nameOff(btf.startId + i);
      if (cStringsEqual(btf.strSource(off)!, btf.strPos(off), want, 0)) out.push(btf.startId + i);
    }
    return out;
  }
}

