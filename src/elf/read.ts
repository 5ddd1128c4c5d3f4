/**
 * ELF reader for ELF32 and ELF64 in either byte order: header, section
 * headers and names, symbol tables and REL/RELA entries. It knows nothing of
 * BTF and does no I/O; section data are views into the caller's bytes.
 *
 * Every offset and count is checked against the input before it is used, so a
 * malformed file yields an ElfError naming the section or file offset, never a
 * RangeError from DataView, and no table is allocated from a count that the
 * input cannot hold.
 */
import { ElfError, type Where } from "../errors.js";
import {
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  EV_CURRENT,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_NOBITS,
  SHT_NULL,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
} from "./constants.js";
import { CStringDecoder } from "./strtab.js";
import { plainBytes } from "./bytes.js";

/** One section header with its data. */
export interface ElfSection {
  /** Index in the section header table (section 0 is the null section). */
  index: number;
  name: string;
  /** sh_name: offset of the name in the section name string table. */
  nameOffset: number;
  type: number;
  flags: bigint;
  addr: bigint;
  /** File offset of the data (meaningless for SHT_NOBITS and SHT_NULL). */
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** View into the input bytes (not a copy); empty for SHT_NOBITS and SHT_NULL. */
  data: Uint8Array;
}

/** One symbol table entry, its name decoded. */
export interface ElfSymbol {
  /** Index in its symbol table; relocations refer to symbols by this. */
  index: number;
  name: string;
  value: bigint;
  size: bigint;
  /** STB_* (st_info >> 4). */
  bind: number;
  /** STT_* (st_info & 0xf). */
  type: number;
  /** STV_* (st_other & 3). */
  visibility: number;
  /** Section index, with SHN_XINDEX already resolved through SHT_SYMTAB_SHNDX; SHN_UNDEF, SHN_ABS, SHN_COMMON pass through. */
  shndx: number;
}

/** One REL or RELA entry of a relocation section. */
export interface ElfRelocation {
  /** r_offset: byte offset in the target section (sh_info) for relocatable files. */
  offset: bigint;
  /** Index into the symbol table named by the relocation section's sh_link. */
  symbol: number;
  type: number;
  /** r_addend for SHT_RELA; 0n for SHT_REL, whose addend is stored in the relocated bytes. */
  addend: bigint;
}

/** ELF header fields beyond class, byte order, type and machine, kept so a writer can reproduce them. */
export interface ElfHeaderFields {
  /** e_ident[EI_OSABI]. */
  osabi: number;
  /** e_ident[EI_ABIVERSION]. */
  abiVersion: number;
  /** e_version. */
  version: number;
  entry: bigint;
  /** e_flags (processor-specific; 0 for BPF). */
  flags: number;
  phoff: bigint;
  phentsize: number;
  phnum: number;
  /** Index of the section name string table, extended numbering resolved; 0 when there is none. */
  shstrndx: number;
}

/** Header and table entry sizes, fixed by the ELF class. */
interface Layout {
  ehdr: number;
  shdr: number;
  sym: number;
  rel: number;
  rela: number;
}

const ELF32: Layout = { ehdr: 52, shdr: 40, sym: 16, rel: 8, rela: 12 };
const ELF64: Layout = { ehdr: 64, shdr: 64, sym: 24, rel: 16, rela: 24 };

interface RawSection {
  name: number;
  type: number;
  flags: bigint;
  addr: bigint;
  offset: bigint;
  size: bigint;
  link: number;
  info: number;
  addralign: bigint;
  entsize: bigint;
}

const hex = (n: number | bigint) => `0x${n.toString(16)}`;

/** True when the bytes start with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Parse the ELF header and section headers; symbols and relocations are decoded on request. */
export function parseElf(bytes: Uint8Array): ElfFile {
  return new ElfFile(bytes);
}

/** A parsed ELF file (ELF32/ELF64, either byte order): header fields, sections, symbols and relocations, decoded on demand. */
export class ElfFile {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  /** e_type (ET_*). */
  readonly type: number;
  /** e_machine (EM_*). */
  readonly machine: number;
  readonly sections: readonly ElfSection[];
  readonly header: ElfHeaderFields;

  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly layout: Layout;
  private byName: Map<string, ElfSection> | undefined;
  /** The SHT_SYMTAB section once looked up; null when the file has none. */
  private symtab: ElfSection | null | undefined;
  private readonly symbolCache = new Map<number, ElfSymbol[]>();

  constructor(bytes: Uint8Array) {
    bytes = plainBytes(bytes);
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!isElf(bytes)) throw new ElfError("not an ELF file (bad magic)", { offset: 0 });
    if (bytes.length < 16) throw new ElfError(`file is ${bytes.length} bytes, shorter than e_ident`, { offset: 0 });
    const cls = bytes[4];
    if (cls !== ELFCLASS32 && cls !== ELFCLASS64) throw new ElfError(`unknown ELF class ${cls}`, { offset: 4 });
    const data = bytes[5];
    if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) throw new ElfError(`unknown ELF data encoding ${data}`, { offset: 5 });
    if (bytes[6] !== EV_CURRENT) throw new ElfError(`unknown ELF version ${bytes[6]}`, { offset: 6 });
    this.is64 = cls === ELFCLASS64;
    this.littleEndian = data === ELFDATA2LSB;
    this.layout = this.is64 ? ELF64 : ELF32;
    if (bytes.length < this.layout.ehdr) {
      throw new ElfError(`file is ${bytes.length} bytes, shorter than the ${this.layout.ehdr}-byte ELF header`, { offset: 0 });
    }
    this.type = this.u16(16);
    this.machine = this.u16(18);
    const is64 = this.is64;
    this.header = {
      osabi: bytes[7],
      abiVersion: bytes[8],
      version: this.u32(20),
      entry: this.word(24),
      flags: this.u32(is64 ? 48 : 36),
      phoff: this.word(is64 ? 32 : 28),
      phentsize: this.u16(is64 ? 54 : 42),
      phnum: this.u16(is64 ? 56 : 44),
      shstrndx: 0,
    };
    this.sections = this.readSections();
  }

  /** First section with this name. */
  section(name: string): ElfSection | undefined {
    if (!this.byName) {
      this.byName = new Map();
      for (const s of this.sections) if (!this.byName.has(s.name)) this.byName.set(s.name, s);
    }
    return this.byName.get(name);
  }

  /**
   * Entries of a symbol table (SHT_SYMTAB or SHT_DYNSYM), including the null
   * symbol at index 0 so that `symbols()[r.symbol]` works for relocations.
   * Without an argument, the file's SHT_SYMTAB (empty when it has none).
   */
  symbols(table?: ElfSection): ElfSymbol[] {
    if (!table && this.symtab === undefined) this.symtab = this.sections.find((s) => s.type === SHT_SYMTAB) ?? null;
    const tab = table ?? this.symtab;
    if (!tab) return [];
    const cached = this.symbolCache.get(tab.index);
    if (cached) return cached;
    if (tab.type !== SHT_SYMTAB && tab.type !== SHT_DYNSYM) {
      throw new ElfError(`section type ${tab.type} is not a symbol table`, { section: label(tab) });
    }
    const count = this.entryCount(tab, this.layout.sym);
    const strData = this.linked(tab, "string table");
    const strSec = this.sections[tab.link];
    const strtab = this.stringTable(strData, { name: label(strSec), offset: strSec.offset });
    const view = viewOf(tab.data);
    let xindex: DataView | undefined;
    const syms: ElfSymbol[] = [];
    for (let i = 0; i < count; i++) {
      const o = i * this.layout.sym;
      const le = this.littleEndian;
      let value: bigint, size: bigint, info: number, other: number, shndx: number;
      if (this.is64) {
        info = view.getUint8(o + 4);
        other = view.getUint8(o + 5);
        shndx = view.getUint16(o + 6, le);
        value = view.getBigUint64(o + 8, le);
        size = view.getBigUint64(o + 16, le);
      } else {
        value = BigInt(view.getUint32(o + 4, le));
        size = BigInt(view.getUint32(o + 8, le));
        info = view.getUint8(o + 12);
        other = view.getUint8(o + 13);
        shndx = view.getUint16(o + 14, le);
      }
      if (shndx === SHN_XINDEX) {
        xindex ??= this.xindexTable(tab, count);
        shndx = xindex.getUint32(i * 4, le);
      }
      const name = this.cstring(strtab, view.getUint32(o, le), { section: label(tab), record: i });
      syms.push({ index: i, name, value, size, bind: info >> 4, type: info & 0xf, visibility: other & 3, shndx });
    }
    this.symbolCache.set(tab.index, syms);
    return syms;
  }

  /**
   * Entries of an SHT_REL or SHT_RELA section. Symbol indices are checked
   * against the symbol table the section links to. MIPS64's three-type
   * r_info is not split: its packed type comes back as one number.
   */
  relocations(sec: ElfSection): ElfRelocation[] {
    const isRela = sec.type === SHT_RELA;
    if (!isRela && sec.type !== SHT_REL) {
      throw new ElfError(`section type ${sec.type} is not a relocation section`, { section: label(sec) });
    }
    const entSize = isRela ? this.layout.rela : this.layout.rel;
    const count = this.entryCount(sec, entSize);
    const view = viewOf(sec.data);
    const le = this.littleEndian;
    let symCount: number | undefined;
    const out: ElfRelocation[] = [];
    for (let i = 0; i < count; i++) {
      const o = i * entSize;
      let offset: bigint, symbol: number, type: number, addend = 0n;
      if (this.is64) {
        offset = view.getBigUint64(o, le);
        // r_info is sym << 32 | type; read the two halves as u32s rather than go through a BigInt.
        symbol = view.getUint32(o + (le ? 12 : 8), le);
        type = view.getUint32(o + (le ? 8 : 12), le);
        if (isRela) addend = view.getBigInt64(o + 16, le);
      } else {
        offset = BigInt(view.getUint32(o, le));
        const rinfo = view.getUint32(o + 4, le);
        symbol = rinfo >>> 8;
        type = rinfo & 0xff;
        if (isRela) addend = BigInt(view.getInt32(o + 8, le));
      }
      if (symbol !== 0) {
        symCount ??= this.linkedSymbolCount(sec);
        if (symbol >= symCount) {
          throw new ElfError(`relocation refers to symbol ${symbol} but the symbol table has ${symCount} entries`, {
            section: label(sec),
            record: i,
            offset: sec.offset + o,
          });
        }
      }
      out.push({ offset, symbol, type, addend });
    }
    return out;
  }

  private u16(off: number): number {
    return this.view.getUint16(off, this.littleEndian);
  }

  private u32(off: number): number {
    return this.view.getUint32(off, this.littleEndian);
  }

  /** A class-sized field (Elf32_Addr/Off/Word vs Elf64_*) as a bigint. */
  private word(off: number): bigint {
    return this.is64 ? this.view.getBigUint64(off, this.littleEndian) : BigInt(this.u32(off));
  }

  private readSections(): ElfSection[] {
    const is64 = this.is64;
    const shoff = this.word(is64 ? 40 : 32);
    const shentsize = this.u16(is64 ? 58 : 46);
    const eShnum = this.u16(is64 ? 60 : 48);
    const eShstrndx = this.u16(is64 ? 62 : 50);
    // No section header table: e_shnum and e_shstrndx mean nothing then.
    if (shoff === 0n) return [];
    if (shentsize < this.layout.shdr) {
      throw new ElfError(`e_shentsize ${shentsize} is smaller than a section header (${this.layout.shdr} bytes)`, {
        offset: is64 ? 58 : 46,
      });
    }
    const len = this.bytes.length;
    if (shoff > BigInt(len - shentsize)) {
      throw new ElfError(`section header table at ${hex(shoff)} is past the end of the ${len}-byte file`, {
        offset: is64 ? 40 : 32,
      });
    }
    const tableOff = Number(shoff);
    const first = this.rawSection(tableOff);
    // Over 0xff00 sections: e_shnum is 0 and section 0's sh_size holds the count (gABI extended numbering).
    const shnum = eShnum !== 0 ? BigInt(eShnum) : first.size;
    if (shnum * BigInt(shentsize) > BigInt(len - tableOff)) {
      throw new ElfError(
        `section header table (${shnum} entries of ${shentsize} bytes) extends past end of file (offset ${hex(tableOff)})`,
        { offset: tableOff },
      );
    }
    const count = Number(shnum);
    const raws: RawSection[] = [];
    for (let i = 0; i < count; i++) raws.push(i === 0 ? first : this.rawSection(tableOff + i * shentsize));

    const shstrndx = eShstrndx === SHN_XINDEX ? first.link : eShstrndx;
    if (count > 0 && shstrndx < count) this.header.shstrndx = shstrndx;
    let names: CStringDecoder | undefined;
    if (count > 0 && shstrndx !== 0) {
      if (shstrndx >= count) {
        throw new ElfError(`section name table index ${shstrndx} is out of range (${count} sections)`, {
          offset: is64 ? 62 : 50,
        });
      }
      const raw = raws[shstrndx];
      names = this.stringTable(this.sectionData(raw, `[${shstrndx}]`), { name: `[${shstrndx}]`, offset: Number(raw.offset) });
    }

    const sections: ElfSection[] = [];
    for (let i = 0; i < count; i++) {
      const r = raws[i];
      const name = names ? this.cstring(names, r.name, { section: `[${i}]`, offset: tableOff + i * shentsize }) : "";
      const where = name || `[${i}]`;
      const data = this.sectionData(r, where);
      const num = (v: bigint, field: string) => toNumber(v, field, where);
      sections.push({
        index: i,
        name,
        nameOffset: r.name,
        type: r.type,
        flags: r.flags,
        addr: r.addr,
        offset: num(r.offset, "sh_offset"),
        size: num(r.size, "sh_size"),
        link: r.link,
        info: r.info,
        addralign: num(r.addralign, "sh_addralign"),
        entsize: num(r.entsize, "sh_entsize"),
        data,
      });
    }
    return sections;
  }

  private rawSection(off: number): RawSection {
    if (this.is64) {
      return {
        name: this.u32(off),
        type: this.u32(off + 4),
        flags: this.word(off + 8),
        addr: this.word(off + 16),
        offset: this.word(off + 24),
        size: this.word(off + 32),
        link: this.u32(off + 40),
        info: this.u32(off + 44),
        addralign: this.word(off + 48),
        entsize: this.word(off + 56),
      };
    }
    return {
      name: this.u32(off),
      type: this.u32(off + 4),
      flags: this.word(off + 8),
      addr: this.word(off + 12),
      offset: this.word(off + 16),
      size: this.word(off + 20),
      link: this.u32(off + 24),
      info: this.u32(off + 28),
      addralign: this.word(off + 32),
      entsize: this.word(off + 36),
    };
  }

  /** The section's bytes, after checking they lie inside the file. */
  private sectionData(r: RawSection, where: string): Uint8Array {
    // Section 0 reuses sh_size and sh_link for extended numbering; NOBITS occupies no file space.
    if (r.type === SHT_NULL || r.type === SHT_NOBITS) return this.bytes.subarray(0, 0);
    const len = BigInt(this.bytes.length);
    if (r.offset > len || r.size > len - r.offset) {
      throw new ElfError(`section data (${hex(r.size)} bytes) extends past end of file`, {
        section: where,
        offset: r.offset <= len ? Number(r.offset) : undefined,
      });
    }
    const start = Number(r.offset);
    return this.bytes.subarray(start, start + Number(r.size));
  }

  /**
   * A decoder over a string table's data, so that names shared by many
   * section headers or symbols are decoded once (see `CStringDecoder`).
   */
  private stringTable(data: Uint8Array, sec: { name: string; offset: number }): CStringDecoder {
    return new CStringDecoder(data, 0, data.length, (message, pos) => {
      return new ElfError(message, { section: sec.name, offset: sec.offset + pos });
    });
  }

  /** NUL-terminated string at `off` inside a string table. */
  private cstring(table: CStringDecoder, off: number, where: Where): string {
    if (off === 0 && table.size === 0) return "";
    if (off >= table.size) {
      throw new ElfError(`name offset ${off} is outside the ${table.size}-byte string table`, where);
    }
    const name = table.read(off);
    if (name === undefined) throw new ElfError(`name at offset ${off} is not NUL-terminated`, where);
    return name;
  }

  /** Number of fixed-size entries in a table section, after checking sh_entsize and sh_size agree with the class. */
  private entryCount(sec: ElfSection, entSize: number): number {
    if (sec.entsize !== 0 && sec.entsize !== entSize) {
      throw new ElfError(`sh_entsize ${sec.entsize} does not match the ${entSize}-byte entry`, { section: label(sec) });
    }
    if (sec.data.length % entSize !== 0) {
      throw new ElfError(`size ${sec.data.length} is not a multiple of the ${entSize}-byte entry`, { section: label(sec) });
    }
    return sec.data.length / entSize;
  }

  /** The data of the section named by `sec.link`. */
  private linked(sec: ElfSection, what: string): Uint8Array {
    if (sec.link === 0 || sec.link >= this.sections.length) {
      throw new ElfError(`sh_link ${sec.link} does not name a ${what}`, { section: label(sec) });
    }
    return this.sections[sec.link].data;
  }

  private linkedSymbolCount(rel: ElfSection): number {
    this.linked(rel, "symbol table");
    const tab = this.sections[rel.link];
    if (tab.type !== SHT_SYMTAB && tab.type !== SHT_DYNSYM) {
      throw new ElfError(`sh_link ${rel.link} names section type ${tab.type}, not a symbol table`, { section: label(rel) });
    }
    return this.entryCount(tab, this.layout.sym);
  }

  /** The SHT_SYMTAB_SHNDX section holding the real section indices of `tab`'s symbols. */
  private xindexTable(tab: ElfSection, count: number): DataView {
    const sec = this.sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === tab.index);
    if (!sec) {
      throw new ElfError("a symbol has st_shndx SHN_XINDEX but no SHT_SYMTAB_SHNDX section links to the table", {
        section: label(tab),
      });
    }
    if (sec.data.length < count * 4) {
      throw new ElfError(`${sec.data.length} bytes cannot hold section indices for ${count} symbols`, { section: label(sec) });
    }
    return viewOf(sec.data);
  }
}

function label(sec: ElfSection): string {
  return sec.name || `[${sec.index}]`;
}

function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function toNumber(v: bigint, field: string, section: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`${field} ${hex(v)} is too large`, { section });
  return Number(v);
}
