/**
 * kconfig externs (`extern int CONFIG_HZ __kconfig;`) resolved the way
 * libbpf 1.1.2 resolves them at load time: which externs exist, the layout of
 * the `.kconfig` data, the line rules for a kernel config, the virtual
 * `LINUX_*` externs, and the bytes the `.kconfig` map starts with.
 *
 * No I/O: the config arrives as text or bytes (already decompressed), and the
 * facts libbpf would probe on the running machine (kernel release, BPF
 * cookie support, syscall wrappers) come from the caller.
 */
import { BTF_INT_BOOL, BTF_INT_SIGNED, BTF_KIND_ARRAY, BTF_KIND_DATASEC, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_FUNC, BTF_KIND_INT, BTF_KIND_VAR, BTF_LINKAGE_EXTERN, kindName } from "../btf/kinds.js";
import type { Btf } from "../btf/btf.js";
import { plainBytes } from "../elf/bytes.js";
import { SHN_UNDEF, STB_GLOBAL, STB_WEAK, STT_NOTYPE } from "../elf/constants.js";
import { BtfkitError, KconfigError } from "../errors.js";
import type { BpfObject } from "../btf/object.js";

/** Section of kconfig externs. */
export const KCONFIG_SEC = ".kconfig";
/** Section of kernel symbol externs (`__ksym`), which are listed, not resolved. */
export const KSYMS_SEC = ".ksyms";

/** libbpf's kcfg classes: what kind of config value an extern can hold. */
export type KconfigClass = "bool" | "char" | "int" | "tristate" | "char_arr";

/** Where an extern's value came from. */
export type KconfigSource = "kconfigString" | "config" | "virtual" | "default";

/** A kconfig extern and its place in the `.kconfig` data. */
export interface KconfigExtern {
  name: string;
  class: KconfigClass;
  /** Offset in the `.kconfig` data. */
  offset: number;
  size: number;
  align: number;
  /** Signed INT or CHAR (from the BTF encoding); false for the other classes. */
  signed: boolean;
  /** Declared `__weak` (STB_WEAK): may stay unset, then it reads 0. */
  weak: boolean;
  /** The extern's BTF VAR. */
  btfId: number;
  /** Index of its ELF symbol. */
  symbolIndex: number;
}

/** A kconfig extern with the value it gets. */
export interface ResolvedKconfigExtern extends KconfigExtern {
  source: KconfigSource;
  /** The stored value: a number for bool/char/int/tristate, the text up to the NUL for char arrays. */
  value: bigint | string;
}

/** The kconfig externs of an object and the layout of their data. */
export interface KconfigLayout {
  /** kcfg externs in libbpf's order (alignment desc, size asc, name), with offsets. */
  externs: KconfigExtern[];
  /** Size of the `.kconfig` data: the end of the last extern, no tail padding. 0 when there are none. */
  size: number;
  /** The `.kconfig` DATASEC type id, when the object has kcfg externs. */
  datasecId?: number;
  /** Names of `.ksyms` externs: not resolved here, listed so a caller can tell the user. */
  ksyms: string[];
  littleEndian: boolean;
}

/** The config to read and the facts about the target kernel libbpf would probe. */
export interface KconfigOptions {
  /** Kernel config text or bytes (plain; gunzip it first), read after `kconfigString` for what is still unset. */
  config?: string | Uint8Array;
  /** Name of the config in messages, e.g. `/proc/config.gz`. */
  configName?: string;
  /** In-memory config, read first (libbpf's `kconfig` open option). */
  kconfigString?: string;
  /** `uname -r` style release for LINUX_KERNEL_VERSION, e.g. `6.1.0-18-amd64`. */
  kernelRelease?: string;
  /**
   * LINUX_HAS_BPF_COOKIE. libbpf probes the running kernel; here the caller
   * says (a probe or a flag). `relocateForLoad` defaults it to what the
   * target BTF implies (`virtualExternsFromBtf`); `resolveKconfig` and
   * `fillKconfig`, which see no target, default it to false.
   */
  hasBpfCookie?: boolean;
  /** LINUX_HAS_SYSCALL_WRAPPER, defaulted as hasBpfCookie is. */
  hasSyscallWrapper?: boolean;
}

/** Resolved kconfig externs and the data the `.kconfig` map starts with. */
export interface KconfigResult {
  externs: ResolvedKconfigExtern[];
  /** Initial bytes of the `.kconfig` map, in the object's byte order. */
  data: Uint8Array;
  size: number;
  datasecId?: number;
  ksyms: string[];
  /** Non-fatal notes, e.g. a string value truncated to fit its array. */
  warnings: string[];
}

// --- extern discovery and layout ----------------------------------------------------

function classOf(btf: Btf, id: number): { cls: KconfigClass; signed: boolean } | undefined {
  const t = btf.resolve(id);
  const k = btf.kindNumber(t);
  const size = btf.sizeOrType(t);
  switch (k) {
    case BTF_KIND_INT: {
      const enc = btf.intEncoding(t);
      // A bool must be one byte; libbpf has no class for wider bools.
      if (enc & BTF_INT_BOOL) return size === 1 ? { cls: "bool", signed: false } : undefined;
      const signed = (enc & BTF_INT_SIGNED) !== 0;
      if (size === 1) return { cls: "char", signed };
      if (size === 2 || size === 4 || size === 8) return { cls: "int", signed };
      return undefined;
    }
    case BTF_KIND_ENUM:
      // Only libbpf's own enum, by name: the values y/n/m map onto its constants.
      return size === 4 && btf.name(t) === "libbpf_tristate" ? { cls: "tristate", signed: false } : undefined;
    case BTF_KIND_ENUM64:
      return btf.name(t) === "libbpf_tristate" ? { cls: "tristate", signed: false } : undefined;
    case BTF_KIND_ARRAY:
      if (btf.arrayLength(t) === 0) return undefined;
      return classOf(btf, btf.arrayElemType(t))?.cls === "char" ? { cls: "char_arr", signed: false } : undefined;
    default:
      return undefined;
  }
}

/**
 * Finds externs' BTF as libbpf does (the first VAR or FUNC of the name, then
 * the first DATASEC listing it), through indexes built once, so that many
 * externs over many types cost their sum, not their product.
 */
class ExternFinder {
  /** Symbol name -> first VAR/FUNC id (0: none), memoized so that repeated names cost one lookup. */
  private readonly byName = new Map<string, number>();
  private datasecOf: Map<number, number> | undefined;

  constructor(private readonly btf: Btf) {}

  /** First VAR or FUNC named `name`; it must be extern-linkage. */
  varOrFunc(name: string, symbolIndex: number): number {
    const btf = this.btf;
    let id = this.byName.get(name);
    if (id === undefined) {
      id = btf.idsByName(name).find((t) => btf.kindNumber(t) === BTF_KIND_VAR || btf.kindNumber(t) === BTF_KIND_FUNC) ?? 0;
      this.byName.set(name, id);
    }
    if (id === 0) throw new KconfigError(`extern '${name}' has no BTF VAR or FUNC (build the object with clang -g)`, { record: symbolIndex, section: ".symtab" });
    if (btf.linkage(id) !== BTF_LINKAGE_EXTERN) {
      throw new KconfigError(`extern '${name}': its BTF ${kindName(btf.kindNumber(id))} is not extern`, { typeId: id, record: symbolIndex, section: ".symtab" });
    }
    return id;
  }

  /** The first DATASEC (then the first entry) listing `varId`. */
  datasec(varId: number, name: string): number {
    if (!this.datasecOf) {
      const btf = this.btf;
      this.datasecOf = new Map();
      for (let id = 1; id < btf.count; id++) {
        if (btf.kindNumber(id) !== BTF_KIND_DATASEC) continue;
        for (let i = 0, vlen = btf.vlen(id); i < vlen; i++) {
          const v = btf.datasecVarType(id, i);
          if (!this.datasecOf.has(v)) this.datasecOf.set(v, id);
        }
      }
    }
    const sec = this.datasecOf.get(varId);
    if (sec === undefined) throw new KconfigError(`extern '${name}' is in no BTF DATASEC`, { typeId: varId });
    return sec;
  }
}

/** strcmp order of UTF-8 bytes (JS string order differs past U+FFFF and in mixed widths). */
function byteCompare(ea: Uint8Array, eb: Uint8Array): number {
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i] - eb[i];
  return ea.length - eb.length;
}

/**
 * The kcfg externs of an object and the `.kconfig` layout libbpf gives them.
 * Throws KconfigError where libbpf's extern collection fails the open.
 */
export function kconfigLayout(obj: BpfObject): KconfigLayout {
  const { elf, btf } = obj;
  const externs: KconfigExtern[] = [];
  const ksyms: string[] = [];
  let datasecId: number | undefined;
  const find = new ExternFinder(btf);
  for (const sym of elf.symbols()) {
    const isExtern = sym.shndx === SHN_UNDEF && (sym.bind === STB_GLOBAL || sym.bind === STB_WEAK) && sym.type === STT_NOTYPE;
    if (!isExtern || sym.name === "") continue;
    const id = find.varOrFunc(sym.name, sym.index);
    const sec = find.datasec(id, sym.name);
    const secName = btf.name(sec);
    const weak = sym.bind === STB_WEAK;
    if (secName === KSYMS_SEC) {
      ksyms.push(sym.name);
      continue;
    }
    if (secName !== KCONFIG_SEC) {
      throw new KconfigError(`extern '${sym.name}' is in section '${secName}'; only ${KCONFIG_SEC} and ${KSYMS_SEC} externs can be resolved`, { typeId: id, section: secName });
    }
    // The record is the extern's symbol.
    const where = { typeId: id, record: sym.index, section: ".symtab" };
    if (btf.kindNumber(id) === BTF_KIND_FUNC) throw new KconfigError(`extern function '${sym.name}' cannot live in ${KCONFIG_SEC}`, where);
    const typeId = btf.sizeOrType(id);
    let size: number;
    let align: number;
    try {
      size = btf.sizeof(typeId);
      align = btf.alignof(typeId);
    } catch (e) {
      if (!(e instanceof BtfkitError)) throw e;
      size = 0;
      align = 0;
    }
    const cls = size > 0 && align > 0 ? classOf(btf, typeId) : undefined;
    if (!cls) {
      throw new KconfigError(`extern '${sym.name}': type is unsupported (${describeType(btf, typeId)}); kconfig externs must be bool, char, 2/4/8-byte integers, enum libbpf_tristate or char arrays`, where);
    }
    datasecId = sec;
    externs.push({ name: btf.name(id), class: cls.cls, offset: 0, size, align, signed: cls.signed, weak, btfId: id, symbolIndex: sym.index });
  }
  const size = assignKconfigOffsets(externs);
  return { externs, size, datasecId, ksyms, littleEndian: elf.littleEndian };
}

/**
 * Sorts kcfg externs into libbpf's order (alignment descending, size
 * ascending, name) and gives each its offset; returns the data size (the end
 * of the last one: libbpf adds no tail padding).
 */
export function assignKconfigOffsets(externs: KconfigExtern[]): number {
  // Big alignments first so that small values fill the gaps; the order fixes the map layout.
  const encoded = new Map(externs.map((e) => [e, utf8.encode(e.name)]));
  externs.sort((a, b) => b.align - a.align || a.size - b.size || byteCompare(encoded.get(a)!, encoded.get(b)!));
  let end = 0;
  for (const ext of externs) {
    ext.offset = Math.ceil(end / ext.align) * ext.align;
    end = ext.offset + ext.size;
  }
  return end;
}

function describeType(btf: Btf, id: number): string {
  if (id === 0) return "void";
  const t = btf.resolve(id);
  const name = btf.name(t);
  return `${kindName(btf.kindNumber(t))}${name ? ` '${name}'` : ""} [${t}]`;
}

// --- values ----------------------------------------------------------------------

const utf8 = new TextEncoder();
// ignoreBOM: a value beginning with U+FEFF keeps it, as libbpf keeps the bytes.
const utf8Lenient = new TextDecoder("utf-8", { ignoreBOM: true });

/** Bytes to a string with one char per byte, so that offsets and comparisons stay byte-exact. */
function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x2000) s += String.fromCharCode(...bytes.subarray(i, i + 0x2000));
  return s;
}

/** For messages: the original text of byte-per-char strings. */
function shown(s: string, max = 80): string {
  const bytes = Uint8Array.from(s, (c) => c.charCodeAt(0));
  const text = utf8Lenient.decode(bytes);
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}...` : text);
}

class Filler {
  readonly data: Uint8Array;
  readonly view: DataView;
  readonly set = new Map<KconfigExtern, KconfigSource>();
  readonly warnings: string[] = [];
  /** Extern names as byte-per-char UTF-8, to match config lines byte for byte. */
  private readonly byName = new Map<string, KconfigExtern>();

  constructor(readonly layout: KconfigLayout) {
    this.data = new Uint8Array(layout.size);
    this.view = new DataView(this.data.buffer);
    for (const ext of layout.externs) {
      const key = latin1(utf8.encode(ext.name));
      if (!this.byName.has(key)) this.byName.set(key, ext);
    }
  }

  lookup(name: string): KconfigExtern | undefined {
    return this.byName.get(name);
  }

  private store(ext: KconfigExtern, size: number, v: bigint): void {
    const le = this.layout.littleEndian;
    const at = ext.offset;
    if (size === 1) this.view.setUint8(at, Number(v & 0xffn));
    else if (size === 2) this.view.setUint16(at, Number(v & 0xffffn), le);
    else if (size === 4) this.view.setUint32(at, Number(v & 0xffffffffn), le);
    else this.view.setBigUint64(at, v, le);
  }

  /** libbpf's numeric setter (config numbers and virtual externs). Returns an error text or undefined. */
  setNumber(ext: KconfigExtern, v: bigint, source: KconfigSource): string | undefined {
    if (ext.class !== "int" && ext.class !== "char" && ext.class !== "bool") return `value ${v} needs an integer, char or bool extern, not ${ext.class}`;
    if (ext.class === "bool" && v > 1n) return `value ${v} is not a bool (0 or 1)`;
    if (!inRange(v, ext.size, ext.signed)) return `value ${v} does not fit in ${ext.size} ${ext.signed ? "signed" : "unsigned"} bytes`;
    this.store(ext, ext.size, v);
    this.set.set(ext, source);
    return undefined;
  }

  /** y, n or m (only the first character of the value counts). */
  setTristate(ext: KconfigExtern, c: string, source: KconfigSource): string | undefined {
    switch (ext.class) {
      case "bool":
        if (c === "m") return `value 'm' needs a tristate or char extern, not bool`;
        this.store(ext, 1, c === "y" ? 1n : 0n);
        break;
      case "tristate": {
        const v = c === "y" ? 1n : c === "m" ? 2n : 0n;
        // libbpf writes a 4-byte enum whatever the declared ENUM64 size; clip it to the data.
        const n = Math.min(4, this.data.length - ext.offset);
        const tmp = new DataView(new ArrayBuffer(4));
        tmp.setUint32(0, Number(v), this.layout.littleEndian);
        this.data.set(new Uint8Array(tmp.buffer, 0, n), ext.offset);
        break;
      }
      case "char":
        this.store(ext, 1, BigInt(c.charCodeAt(0)));
        break;
      default:
        return `value '${c}' needs a bool, tristate or char extern, not ${ext.class}`;
    }
    this.set.set(ext, source);
    return undefined;
  }

  /** A quoted value: copied without the quotes (no unescaping), truncated to leave room for the NUL. */
  setString(ext: KconfigExtern, value: string, source: KconfigSource): string | undefined {
    if (ext.class !== "char_arr") return `a string value needs a char array extern, not ${ext.class}`;
    // libbpf 1.1.2 reads past a lone '"'; later versions reject it, and so do we.
    if (value.length < 2 || value[value.length - 1] !== '"') return `invalid string value ${shown(value)} (no closing quote)`;
    let len = value.length - 2;
    if (len >= ext.size) {
      this.warnings.push(`extern '${ext.name}': string of ${len} bytes truncated to ${ext.size - 1} bytes (${source === "config" ? "config" : "kconfigString"})`);
      len = ext.size - 1;
    }
    for (let i = 0; i < len; i++) this.data[ext.offset + i] = value.charCodeAt(1 + i);
    this.data[ext.offset + len] = 0;
    this.set.set(ext, source);
    return undefined;
  }

  /** The value an extern ended with, read back from the data. */
  valueOf(ext: KconfigExtern): bigint | string {
    const bytes = this.data.subarray(ext.offset, ext.offset + ext.size);
    if (ext.class === "char_arr") {
      const nul = bytes.indexOf(0);
      return utf8Lenient.decode(nul < 0 ? bytes : bytes.subarray(0, nul));
    }
    const le = this.layout.littleEndian;
    const size = ext.class === "tristate" ? Math.min(4, ext.size) : ext.size;
    let v = 0n;
    for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(bytes[le ? size - 1 - i : i]);
    return ext.signed ? BigInt.asIntN(size * 8, v) : v;
  }
}

/** libbpf's range check: the u64 value must survive a store into `size` bytes. */
function inRange(v: bigint, size: number, signed: boolean): boolean {
  if (size === 8) return true;
  const bits = BigInt(size * 8);
  if (signed) return BigInt.asUintN(64, v + (1n << (bits - 1n))) < 1n << bits;
  return v >> bits === 0n;
}

const U64_MAX = (1n << 64n) - 1n;

function isCSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

function digitValue(c: string | undefined): number {
  if (c === undefined) return 99;
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 87;
  if (code >= 65 && code <= 90) return code - 55;
  return 99;
}

/**
 * C strtoull(s, &end, 0) followed by libbpf's "whole string" check: leading
 * white space, a sign, 0x for hex, a leading 0 for octal. A negative value
 * wraps modulo 2^64 as in C. Returns an error text instead of a value when
 * C would set ERANGE or stop before the end.
 */
export function parseConfigInteger(s: string): bigint | string {
  let i = 0;
  while (i < s.length && isCSpace(s[i])) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") neg = s[i++] === "-";
  let base = 10;
  if (s[i] === "0") {
    // "0x" counts as a prefix only when a hex digit follows; otherwise C parses the "0" alone.
    if ((s[i + 1] === "x" || s[i + 1] === "X") && digitValue(s[i + 2]) < 16) {
      base = 16;
      i += 2;
    } else base = 8;
  }
  const start = i;
  let v = 0n;
  let overflow = false;
  const b = BigInt(base);
  for (; i < s.length; i++) {
    const d = digitValue(s[i]);
    if (d >= base) break;
    // Past 2^64 the value no longer matters: keep it small so long digit runs stay linear.
    if (overflow) continue;
    v = v * b + BigInt(d);
    if (v > U64_MAX) overflow = true;
  }
  if (i === start) return `${shown(s)} is not a number`;
  if (overflow) return `${shown(s)} is out of the 64-bit range`;
  if (i !== s.length) return `${shown(s)} has trailing characters after the number`;
  return neg ? BigInt.asUintN(64, -v) : v;
}

// --- config text -------------------------------------------------------------------

/** libbpf reads lines with fgets/gzgets into a 4096-byte buffer: longer lines arrive in pieces. */
const LINE_BUF = 4096;

const CONFIG_PREFIX = utf8.encode("CONFIG_");

/**
 * The pieces libbpf's fgets reads, each once: every line end is searched for
 * once (not once per piece of a long line), and a piece is decoded only when
 * it starts with CONFIG_, so the whole config costs time and memory linear in
 * its size.
 */
function* chunks(bytes: Uint8Array): Generator<{ text: Uint8Array; offset: number; line: number }> {
  let line = 1;
  let lineEnd = 0;
  for (let pos = 0; pos < bytes.length; ) {
    if (pos >= lineEnd) {
      const nl = bytes.indexOf(0x0a, pos);
      lineEnd = nl < 0 ? bytes.length : nl + 1;
    }
    const end = Math.min(lineEnd, pos + LINE_BUF - 1);
    yield { text: bytes.subarray(pos, end), offset: pos, line };
    if (end === lineEnd) line++;
    pos = end;
  }
}

function startsWithConfig(buf: Uint8Array): boolean {
  if (buf.length < CONFIG_PREFIX.length) return false;
  for (let i = 0; i < CONFIG_PREFIX.length; i++) if (buf[i] !== CONFIG_PREFIX[i]) return false;
  return true;
}

function toBytes(config: string | Uint8Array): Uint8Array {
  return typeof config === "string" ? utf8.encode(config) : plainBytes(config);
}

function parseConfig(f: Filler, bytes: Uint8Array, source: KconfigSource, sourceName: string): void {
  for (const chunk of chunks(bytes)) {
    // What follows a NUL in the buffer is invisible to libbpf's string functions.
    const nul = chunk.text.indexOf(0);
    const raw = nul < 0 ? chunk.text : chunk.text.subarray(0, nul);
    if (!startsWithConfig(raw)) continue;
    let buf = latin1(raw);
    const where = { file: sourceName, line: chunk.line, offset: chunk.offset };
    const fail = (msg: string): never => {
      throw new KconfigError(msg, where);
    };
    const sep = buf.indexOf("=");
    if (sep < 0) fail(`${shown(buf)} has no '='`);
    if (buf.endsWith("\n")) buf = buf.slice(0, -1);
    const name = buf.slice(0, sep);
    const value = buf.slice(sep + 1);
    if (value === "") fail(`${shown(name)} has no value`);
    const ext = f.lookup(name);
    // First occurrence wins: the in-memory config beats the file, earlier lines beat later ones.
    if (!ext || f.set.has(ext)) continue;
    let err: string | undefined;
    const c = value[0];
    if (c === "y" || c === "n" || c === "m") err = f.setTristate(ext, c, source);
    else if (c === '"') err = f.setString(ext, value, source);
    else {
      const v = parseConfigInteger(value);
      if (typeof v === "string") err = v;
      else if (ext.class !== "int" && ext.class !== "char") err = `number ${shown(value)} needs an integer or char extern, not ${ext.class}`;
      else err = f.setNumber(ext, v, source);
    }
    if (err !== undefined) fail(`extern '${ext.name}': ${err}`);
  }
}

// --- kernel release ----------------------------------------------------------------

/** One `%u` of sscanf: white space, a sign, decimal digits; wraps to 32 bits like glibc. */
function scanU32(s: string, i: number): [number, number] | undefined {
  while (i < s.length && isCSpace(s[i])) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") neg = s[i++] === "-";
  const start = i;
  let v = 0n;
  while (i < s.length && s[i] >= "0" && s[i] <= "9") v = v * 10n + BigInt(s.charCodeAt(i++) - 48);
  if (i === start) return undefined;
  if (v > U64_MAX) v = U64_MAX; // strtoul saturates
  if (neg) v = BigInt.asUintN(64, -v);
  return [Number(BigInt.asUintN(32, v)), i];
}

/**
 * LINUX_KERNEL_VERSION for a release string, as libbpf 1.1.2 computes it from
 * `uname -r` (`%u.%u.%u`, then KERNEL_VERSION with the patch level clamped to
 * 255). 0 when the string does not start with three numbers. On Ubuntu, pass
 * the third field of /proc/version_signature, which libbpf prefers.
 */
export function kernelVersionCode(release: string): number {
  const a = scanU32(release, 0);
  if (!a || release[a[1]] !== ".") return 0;
  const b = scanU32(release, a[1] + 1);
  if (!b || release[b[1]] !== ".") return 0;
  const c = scanU32(release, b[1] + 1);
  if (!c) return 0;
  return (((a[0] << 16) >>> 0) + ((b[0] << 8) >>> 0) + Math.min(c[0], 255)) >>> 0;
}

// --- resolution --------------------------------------------------------------------

/** Names of the config sources in messages. */
const KCONFIG_STRING = "kconfigString";
const DEFAULT_CONFIG_NAME = "the kernel config";

/** Resolves the externs of a layout (see resolveKconfig); usable without an object. */
export function fillKconfig(layout: KconfigLayout, opts: KconfigOptions = {}): KconfigResult {
  const { result, error } = settleKconfig(layout, opts);
  if (error) throw error;
  return result;
}

/** What {@link settleKconfig} decides: the externs given a value, and the failure, if any. */
export interface KconfigSettlement {
  /**
   * As fillKconfig returns it; after a failure, `externs` holds only those
   * given a value before it (libbpf stops at the first failure).
   */
  result: KconfigResult;
  /** What fillKconfig throws. */
  error?: KconfigError;
}

/**
 * fillKconfig with its failure returned instead of thrown, beside the
 * values decided up to it: what `core explain` shows.
 */
export function settleKconfig(layout: KconfigLayout, opts: KconfigOptions = {}): KconfigSettlement {
  const f = new Filler(layout);
  let error: KconfigError | undefined;
  try {
    setExterns(f, layout, opts);
  } catch (e) {
    if (!(e instanceof KconfigError)) throw e;
    error = e;
  }
  // Unset weak externs read 0 once every source was read, i.e. unless one failed.
  const decided = error === undefined;
  const missing = layout.externs.filter((e) => !f.set.has(e) && !e.weak);
  if (decided && missing.length > 0) {
    const sources = [opts.kconfigString !== undefined ? KCONFIG_STRING : undefined, opts.config !== undefined ? (opts.configName ?? DEFAULT_CONFIG_NAME) : undefined].filter(Boolean);
    const from = sources.length ? `not set by ${sources.join(" or ")}` : "no kernel config was given";
    const names = missing.map((e) => `'${e.name}'`).join(", ");
    error = new KconfigError(`extern ${names} (strong) is not resolved: ${from}`, { section: KCONFIG_SEC, typeId: missing[0].btfId });
  }
  const externs = layout.externs
    .filter((e) => f.set.has(e) || (decided && e.weak))
    .map((e) => ({ ...e, source: f.set.get(e) ?? ("default" as const), value: f.valueOf(e) }));
  return { result: { externs, data: f.data, size: layout.size, datasecId: layout.datasecId, ksyms: layout.ksyms, warnings: f.warnings }, error };
}

/** Sets the externs' values from the virtual externs, kconfigString and the config, in libbpf's order; throws at the first failure. */
function setExterns(f: Filler, layout: KconfigLayout, opts: KconfigOptions): void {
  let needConfig = false;
  // Virtual externs first, in layout order, as libbpf does; their errors come before any config error.
  for (const ext of layout.externs) {
    if (ext.name.startsWith("CONFIG_")) {
      needConfig = true;
      continue;
    }
    const where = { section: KCONFIG_SEC, typeId: ext.btfId };
    let value: bigint;
    if (ext.name === "LINUX_KERNEL_VERSION") {
      const code = opts.kernelRelease === undefined ? 0 : kernelVersionCode(opts.kernelRelease);
      if (code === 0) {
        throw new KconfigError(
          opts.kernelRelease === undefined
            ? `extern 'LINUX_KERNEL_VERSION' needs the target kernel release (kernelRelease)`
            : `extern 'LINUX_KERNEL_VERSION': cannot read a version from kernel release ${JSON.stringify(opts.kernelRelease)}`,
          where,
        );
      }
      value = BigInt(code);
    } else if (ext.name === "LINUX_HAS_BPF_COOKIE") value = opts.hasBpfCookie ? 1n : 0n;
    else if (ext.name === "LINUX_HAS_SYSCALL_WRAPPER") value = opts.hasSyscallWrapper ? 1n : 0n;
    else if (!ext.name.startsWith("LINUX_") || !ext.weak) {
      throw new KconfigError(
        ext.name.startsWith("LINUX_")
          ? `extern '${ext.name}' is not a virtual extern libbpf knows (declare it __weak to read 0)`
          : `extern '${ext.name}': kconfig extern names must start with CONFIG_ or LINUX_`,
        where,
      );
    } else value = 0n;
    const err = f.setNumber(ext, value, "virtual");
    if (err !== undefined) throw new KconfigError(`extern '${ext.name}': ${err}`, where);
  }

  if (needConfig && opts.kconfigString !== undefined) {
    // A C string: libbpf never sees past a NUL.
    const s = opts.kconfigString;
    const nul = s.indexOf("\0");
    parseConfig(f, toBytes(nul < 0 ? s : s.slice(0, nul)), "kconfigString", KCONFIG_STRING);
    needConfig = layout.externs.some((e) => !f.set.has(e));
  }
  if (needConfig && opts.config !== undefined) parseConfig(f, toBytes(opts.config), "config", opts.configName ?? DEFAULT_CONFIG_NAME);
}

/**
 * The `.kconfig` externs of a BPF object with their values and the data
 * libbpf 1.1.2 would load into the `.kconfig` map. Throws KconfigError where
 * libbpf fails the open or load, except that a missing config is fine when
 * every CONFIG_ extern is weak (libbpf insists on a config file).
 */
export function resolveKconfig(obj: BpfObject, opts: KconfigOptions = {}): KconfigResult {
  return fillKconfig(kconfigLayout(obj), opts);
}

/**
 * The virtual `LINUX_HAS_*` externs as the target kernel's BTF implies them,
 * where libbpf probes the running kernel instead: bpf cookies exist when the
 * kernel's helper enum has BPF_FUNC_get_attach_cookie, and syscalls go
 * through wrappers when the kernel has an arch-prefixed `__<arch>_sys_bpf`.
 */
export function virtualExternsFromBtf(btf: Btf): { hasBpfCookie: boolean; hasSyscallWrapper: boolean } {
  let hasBpfCookie = false;
  const funcIds = btf.findByName("bpf_func_id");
  if (funcIds !== undefined && btf.kindNumber(funcIds) === BTF_KIND_ENUM) {
    for (let i = 0; i < btf.vlen(funcIds) && !hasBpfCookie; i++) hasBpfCookie = btf.enumValueName(funcIds, i) === "BPF_FUNC_get_attach_cookie";
  }
  const wrappers = ["__x64_sys_bpf", "__arm64_sys_bpf", "__s390x_sys_bpf", "__riscv_sys_bpf", "__ia32_sys_bpf", "__powerpc_sys_bpf", "__loongarch_sys_bpf"];
  const hasSyscallWrapper = wrappers.some((n) => btf.findByName(n, "func") !== undefined);
  return { hasBpfCookie, hasSyscallWrapper };
}
