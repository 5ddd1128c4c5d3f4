/**
 * ELF editor and writer for relocatable objects (ELF32 and ELF64, either byte
 * order). An ElfEditor holds a file as objects that refer to each other by
 * reference rather than by index: a section's sh_link/sh_info, a symbol's
 * section, a relocation's symbol, a group's members. Sections and symbols can
 * then be added, removed and reordered freely; indices are assigned only when
 * the file is written, so nothing can be left pointing at a stale index.
 *
 * The editor generates the contents of the tables that hold indices: the
 * symbol table (and its SHT_SYMTAB_SHNDX companion), the string tables it and
 * the section headers use, REL/RELA sections against the symbol table,
 * SHT_GROUP sections and SHT_LLVM_ADDRSIG. Every other section is written
 * with the bytes it holds.
 *
 * Layout keeps the input's order of section data in the file and its
 * alignments, and string tables keep the input's strings at their offsets, so
 * an unedited clang object is written back byte for byte.
 */
import { ElfError } from "../errors.js";
import {
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  SHF_INFO_LINK,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_GROUP,
  SHT_LLVM_ADDRSIG,
  SHT_NOBITS,
  SHT_REL,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
  STB_LOCAL,
} from "./constants.js";
import type { ElfFile, ElfSection } from "./read.js";
import { StringSet, cStringsEqual } from "./strtab.js";

/** A section as the editor holds it: its header fields and data. */
export interface EditSection {
  name: string;
  type: number;
  flags: bigint;
  addr: bigint;
  /** sh_link: the section it names (remapped on write), or a number written as is (0: none). */
  link: EditSection | number;
  /**
   * sh_info: a section for REL/RELA targets and SHF_INFO_LINK, the signature
   * symbol for SHT_GROUP, otherwise a number written as is. Computed on write
   * for the symbol table (index of the first non-local symbol).
   */
  info: EditSection | EditSymbol | number;
  addralign: number;
  entsize: number;
  /** Contents. Regenerated on write for the tables the editor manages (see the module comment). */
  data: Uint8Array;
  /** sh_size of an SHT_NOBITS section; other sections' size is data.length. */
  size: number;
  /** Entries of a REL/RELA section against the symbol table; when present they, not `data`, are written. */
  relocations?: EditRelocation[];
  /** SHT_GROUP: flag word and member sections. */
  group?: { flags: number; members: EditSection[] };
  /** SHT_LLVM_ADDRSIG: the address-significant symbols (those no longer in the file are dropped on write). */
  addrsig?: EditSymbol[];
}

/** A symbol as the editor holds it. */
export interface EditSymbol {
  name: string;
  value: bigint;
  size: bigint;
  /** STB_*. */
  bind: number;
  /** STT_*. */
  type: number;
  /** st_other as a whole byte; visibility (STV_*) is its low two bits. */
  other: number;
  /** The section the symbol is defined in, or a reserved index: SHN_UNDEF, SHN_ABS, SHN_COMMON. */
  section: EditSection | number;
}

/** A relocation entry as the editor holds it. */
export interface EditRelocation {
  offset: bigint;
  /** The symbol, or null for symbol index 0. */
  symbol: EditSymbol | null;
  type: number;
  /** r_addend; written only for SHT_RELA. */
  addend: bigint;
}

/** A new section: everything but name and type has a default (0, empty, or what the type implies). */
export interface NewSection {
  name: string;
  type: number;
  flags?: bigint;
  addr?: bigint;
  link?: EditSection | number;
  info?: EditSection | EditSymbol | number;
  addralign?: number;
  entsize?: number;
  data?: Uint8Array;
  /** SHT_NOBITS only. */
  size?: number;
  relocations?: EditRelocation[];
}

interface Sizes {
  ehdr: number;
  shdr: number;
  sym: number;
  rel: number;
  rela: number;
  word: number;
}

const SIZES64: Sizes = { ehdr: 64, shdr: 64, sym: 24, rel: 16, rela: 24, word: 8 };
const SIZES32: Sizes = { ehdr: 52, shdr: 40, sym: 16, rel: 8, rela: 12, word: 4 };

const encoder = new TextEncoder();

/** Edits a relocatable ELF object (section data, new and removed sections, symbols, relocations) and writes it back; indices are remapped, and an unedited clang object comes back byte for byte. */
export class ElfEditor {
  readonly is64: boolean;
  readonly littleEndian: boolean;
  /** e_type, e_machine, e_flags, e_ident[EI_OSABI], e_ident[EI_ABIVERSION], e_version, e_entry: written as they are. */
  type: number;
  machine: number;
  flags: number;
  osabi: number;
  abiVersion: number;
  version: number;
  entry: bigint;
  /** Section header table order, without the null section 0. */
  readonly sections: EditSection[] = [];
  /** Symbols of the symbol table, without the null symbol 0. Any order: locals are moved first on write, keeping their relative order. */
  symbols: EditSymbol[] = [];
  /** The SHT_SYMTAB whose contents `symbols` generates. */
  symtab: EditSection | undefined;
  /** The section name string table (e_shstrndx). */
  shstrtab: EditSection | undefined;

  /** Input name offsets, reused while the string table still holds the name there (tail merging leaves a choice). */
  private readonly nameHints = new Map<EditSection | EditSymbol, number>();
  /** Where each input section's data was, so the file order of data survives edits. */
  private readonly origin = new Map<EditSection, { offset: number; index: number; size: number }>();
  private readonly sizes: Sizes;

  constructor(opts: { is64: boolean; littleEndian: boolean; type: number; machine: number }) {
    this.is64 = opts.is64;
    this.littleEndian = opts.littleEndian;
    this.type = opts.type;
    this.machine = opts.machine;
    this.flags = 0;
    this.osabi = 0;
    this.abiVersion = 0;
    this.version = 1;
    this.entry = 0n;
    this.sizes = opts.is64 ? SIZES64 : SIZES32;
  }

  /** An editor holding everything in `elf`. Section data are copied, so the input may change afterwards. */
  static from(elf: ElfFile): ElfEditor {
    if (elf.header.phnum !== 0) {
      throw new ElfError(`has ${elf.header.phnum} program headers; only files without segments (relocatable objects) can be rewritten`, {
        offset: elf.is64 ? 56 : 44,
      });
    }
    const ed = new ElfEditor({ is64: elf.is64, littleEndian: elf.littleEndian, type: elf.type, machine: elf.machine });
    ed.flags = elf.header.flags;
    ed.osabi = elf.header.osabi;
    ed.abiVersion = elf.header.abiVersion;
    ed.version = elf.header.version;
    ed.entry = elf.header.entry;
    const src = elf.sections;
    const count = src.length;
    const byIndex: EditSection[] = [];
    for (const s of src) {
      const sec: EditSection = {
        name: s.name,
        type: s.type,
        flags: s.flags,
        addr: s.addr,
        link: 0,
        info: s.info,
        addralign: s.addralign,
        entsize: s.entsize,
        data: s.data.slice(),
        size: s.type === SHT_NOBITS ? s.size : s.data.length,
      };
      byIndex.push(sec);
      if (s.index === 0) continue;
      ed.sections.push(sec);
      ed.origin.set(sec, { offset: s.offset, index: s.index, size: s.data.length });
      ed.nameHints.set(sec, s.nameOffset);
    }
    const ref = (s: ElfSection, i: number, field: string): EditSection => {
      if (i <= 0 || i >= count) throw new ElfError(`${field} ${i} does not name a section (${count} sections)`, { section: labelOf(s) });
      return byIndex[i];
    };
    for (const s of src) {
      if (s.index === 0) continue;
      const sec = byIndex[s.index];
      // In every type the gABI defines, a non-zero sh_link is a section index; OS and processor types follow suit.
      if (s.link !== 0) sec.link = ref(s, s.link, "sh_link");
      if (((s.type === SHT_REL || s.type === SHT_RELA) && s.info !== 0) || (s.flags & SHF_INFO_LINK) !== 0n) {
        sec.info = ref(s, s.info, "sh_info");
      }
    }
    ed.shstrtab = elf.header.shstrndx ? byIndex[elf.header.shstrndx] : undefined;

    const tab = src.find((s) => s.type === SHT_SYMTAB);
    if (!tab) return ed;
    ed.symtab = byIndex[tab.index];
    const raw = elf.symbols(tab);
    const view = new DataView(tab.data.buffer, tab.data.byteOffset, tab.data.byteLength);
    const symAt: EditSymbol[] = [];
    for (const r of raw) {
      let section: EditSection | number = r.shndx;
      // The reader resolves SHN_XINDEX, so only the stored st_shndx tells a real index from a reserved one.
      const stored = view.getUint16(r.index * ed.sizes.sym + (elf.is64 ? 6 : 14), elf.littleEndian);
      if (stored === SHN_XINDEX || (r.shndx !== SHN_UNDEF && r.shndx < SHN_LORESERVE)) {
        if (r.shndx >= count) {
          throw new ElfError(`symbol '${r.name}' is in section ${r.shndx} but there are ${count} sections`, {
            section: labelOf(tab),
            record: r.index,
          });
        }
        section = byIndex[r.shndx];
      }
      // The reader keeps only the visibility bits of st_other; take the whole byte.
      const other = view.getUint8(r.index * ed.sizes.sym + (elf.is64 ? 5 : 13));
      const sym: EditSymbol = { name: r.name, value: r.value, size: r.size, bind: r.bind, type: r.type, other, section };
      symAt.push(sym);
      ed.nameHints.set(sym, view.getUint32(r.index * ed.sizes.sym, elf.littleEndian));
    }
    ed.symbols = symAt.slice(1);
    const symRef = (s: ElfSection, i: number, record: number): EditSymbol => {
      if (i <= 0 || i >= symAt.length) {
        throw new ElfError(`symbol index ${i} is outside the ${symAt.length}-entry symbol table`, { section: labelOf(s), record });
      }
      return symAt[i];
    };
    for (const s of src) {
      const sec = byIndex[s.index];
      if ((s.type === SHT_REL || s.type === SHT_RELA) && s.link === tab.index) {
        sec.relocations = elf.relocations(s).map((r) => ({
          offset: r.offset,
          symbol: r.symbol === 0 ? null : symAt[r.symbol],
          type: r.type,
          addend: r.addend,
        }));
      } else if (s.type === SHT_GROUP && s.link === tab.index) {
        if (s.data.length % 4 !== 0 || s.data.length === 0) {
          throw new ElfError(`group of ${s.data.length} bytes is not a flag word and 4-byte section indices`, { section: labelOf(s) });
        }
        const v = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
        const members: EditSection[] = [];
        for (let o = 4; o < s.data.length; o += 4) members.push(ref(s, v.getUint32(o, elf.littleEndian), "group member"));
        sec.group = { flags: v.getUint32(0, elf.littleEndian), members };
        sec.info = symRef(s, s.info, 0);
      } else if (s.type === SHT_LLVM_ADDRSIG && s.link === tab.index) {
        sec.addrsig = decodeUleb(s.data, labelOf(s)).map((i, k) => symRef(s, i, k));
      }
    }
    return ed;
  }

  /** First section with this name. */
  section(name: string): EditSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The section with this name, or an ElfError. */
  get(name: string | EditSection): EditSection {
    if (typeof name !== "string") {
      if (!this.sections.includes(name)) throw new ElfError("section is not in the file", { section: name.name });
      return name;
    }
    const s = this.section(name);
    if (!s) throw new ElfError("no such section", { section: name });
    return s;
  }

  /** First symbol with this name. */
  symbol(name: string): EditSymbol | undefined {
    return this.symbols.find((s) => s.name === name);
  }

  /** Replace a section's contents (any size); for SHT_NOBITS pass a size instead. */
  setData(name: string | EditSection, data: Uint8Array | number): EditSection {
    const s = this.get(name);
    if (typeof data === "number") {
      if (s.type !== SHT_NOBITS) throw new ElfError("only SHT_NOBITS sections take a size instead of data", { section: s.name });
      s.size = data;
    } else {
      if (s.type === SHT_NOBITS) throw new ElfError("SHT_NOBITS sections hold no data; give a size", { section: s.name });
      s.data = data;
      s.size = data.length;
    }
    return s;
  }

  /**
   * Add a section after `after` in the section header table (at the end by
   * default); its data go right after that section's data in the file. A
   * REL/RELA section links to the symbol table unless told otherwise.
   */
  addSection(spec: NewSection, opts: { after?: string | EditSection } = {}): EditSection {
    const isRel = spec.type === SHT_REL || spec.type === SHT_RELA;
    const defaultEntsize =
      spec.type === SHT_SYMTAB ? this.sizes.sym : spec.type === SHT_REL ? this.sizes.rel : spec.type === SHT_RELA ? this.sizes.rela : 0;
    const data = spec.type === SHT_NOBITS ? new Uint8Array(0) : (spec.data ?? new Uint8Array(0));
    const sec: EditSection = {
      name: spec.name,
      type: spec.type,
      flags: spec.flags ?? (isRel ? SHF_INFO_LINK : 0n),
      addr: spec.addr ?? 0n,
      link: spec.link ?? (isRel && this.symtab ? this.symtab : 0),
      info: spec.info ?? 0,
      addralign: spec.addralign ?? (isRel ? this.sizes.word : 1),
      entsize: spec.entsize ?? defaultEntsize,
      data,
      size: spec.type === SHT_NOBITS ? (spec.size ?? 0) : data.length,
    };
    if (spec.relocations || (isRel && sec.link === this.symtab && this.symtab)) sec.relocations = spec.relocations ?? [];
    const at = opts.after === undefined ? this.sections.length : this.sections.indexOf(this.get(opts.after)) + 1;
    this.sections.splice(at, 0, sec);
    return sec;
  }

  /**
   * Remove a section together with the REL/RELA sections that apply to it and
   * the symbols defined in it. References left elsewhere (a relocation
   * against one of those symbols, a link to the section) are errors on write.
   */
  removeSection(name: string | EditSection): void {
    const s = this.get(name);
    this.sections.splice(this.sections.indexOf(s), 1);
    for (const r of this.sections.filter((r) => (r.type === SHT_REL || r.type === SHT_RELA) && r.info === s)) this.removeSection(r);
    this.symbols = this.symbols.filter((sym) => sym.section !== s);
    for (const g of this.sections) if (g.group) g.group.members = g.group.members.filter((m) => m !== s);
    if (this.symtab === s) this.symtab = undefined;
    if (this.shstrtab === s) this.shstrtab = undefined;
  }

  /** Add a symbol (placed among the locals or the others by its binding on write). */
  addSymbol(sym: EditSymbol): EditSymbol {
    this.symbols.push(sym);
    return sym;
  }

  /** Entries of a REL/RELA section against the symbol table (live: edit the array or its entries). */
  relocations(name: string | EditSection): EditRelocation[] {
    const s = this.get(name);
    if (!s.relocations) throw new ElfError("not a relocation section against the symbol table", { section: s.name });
    return s.relocations;
  }

  setRelocations(name: string | EditSection, rels: EditRelocation[]): void {
    const s = this.get(name);
    if (s.type !== SHT_REL && s.type !== SHT_RELA) throw new ElfError(`section type ${s.type} is not a relocation section`, { section: s.name });
    s.relocations = rels;
  }

  /** Lay the file out and encode it. The editor is not changed. */
  write(): Uint8Array {
    return new Writer(this, this.sizes, this.origin, this.nameHints).write();
  }
}

/** One write: index assignment, generated tables, layout and encoding. */
class Writer {
  private readonly le: boolean;
  private readonly sections: EditSection[];
  private readonly secIndex = new Map<EditSection, number>();
  private readonly symIndex = new Map<EditSymbol, number>();
  /** Contents written for each section: generated tables or the section's own data. */
  private readonly contents = new Map<EditSection, Uint8Array>();
  private readonly info = new Map<EditSection, number>();

  constructor(
    private readonly ed: ElfEditor,
    private readonly sz: Sizes,
    private readonly origin: Map<EditSection, { offset: number; index: number; size: number }>,
    private readonly hints: Map<EditSection | EditSymbol, number>,
  ) {
    this.le = ed.littleEndian;
    this.sections = [...ed.sections];
  }

  write(): Uint8Array {
    const ed = this.ed;
    const seen = new Set<EditSection>();
    for (const s of this.sections) {
      if (seen.has(s)) throw new ElfError("section appears twice in the section list", { section: s.name });
      seen.add(s);
    }
    const symbols = this.orderSymbols();
    this.sections.forEach((s, i) => this.secIndex.set(s, i + 1));
    const needXindex = symbols.some((s) => typeof s.section !== "number" && (this.secIndex.get(s.section) ?? 0) >= SHN_LORESERVE);
    let shndxSec = ed.symtab ? this.sections.find((s) => s.type === SHT_SYMTAB_SHNDX && s.link === ed.symtab) : undefined;
    if (needXindex && !shndxSec) {
      // Section indices past 0xfeff do not fit st_shndx; the gABI escape needs this companion table.
      shndxSec = { name: ".symtab_shndx", type: SHT_SYMTAB_SHNDX, flags: 0n, addr: 0n, link: ed.symtab!, info: 0, addralign: 4, entsize: 4, data: new Uint8Array(0), size: 0 };
      this.sections.push(shndxSec);
      this.secIndex.set(shndxSec, this.sections.length);
    }

    if (ed.symtab && !this.secIndex.has(ed.symtab)) throw new ElfError("the symbol table is not in the section list", { section: ed.symtab.name });
    if (!ed.symtab && symbols.length > 0) throw new ElfError(`${symbols.length} symbols but the file has no symbol table`, {});
    if (ed.shstrtab && !this.secIndex.has(ed.shstrtab)) throw new ElfError("the section name table is not in the section list", { section: ed.shstrtab.name });

    this.buildStrings(symbols);
    if (ed.symtab) this.buildSymtab(ed.symtab, symbols, shndxSec);
    for (const s of this.sections) {
      if (s.relocations) this.contents.set(s, this.encodeRelocations(s));
      else if (s.group) this.contents.set(s, this.encodeGroup(s));
      else if (s.addrsig) this.contents.set(s, encodeUleb(s.addrsig.filter((x) => this.symIndex.has(x)).map((x) => this.symIndex.get(x)!)));
    }
    return this.emit();
  }

  /** Locals first (the gABI's rule for sh_info), each group in its given order. */
  private orderSymbols(): EditSymbol[] {
    const seen = new Set<EditSymbol>();
    for (const s of this.ed.symbols) {
      if (seen.has(s)) throw new ElfError(`symbol '${s.name}' appears twice in the symbol list`, { section: this.ed.symtab?.name });
      seen.add(s);
    }
    const ordered = [...this.ed.symbols.filter((s) => s.bind === STB_LOCAL), ...this.ed.symbols.filter((s) => s.bind !== STB_LOCAL)];
    ordered.forEach((s, i) => this.symIndex.set(s, i + 1));
    return ordered;
  }

  /** Section and symbol names, added to the tables that hold them (one table may serve both). */
  private buildStrings(symbols: EditSymbol[]): void {
    const ed = this.ed;
    const names = new Map<EditSection, Array<EditSection | EditSymbol>>();
    const want = (tab: EditSection | undefined, list: Array<EditSection | EditSymbol>) => {
      if (!tab) return;
      const cur = names.get(tab);
      if (cur) cur.push(...list);
      else names.set(tab, [...list]);
    };
    want(ed.shstrtab, this.sections);
    const strtab = ed.symtab && typeof ed.symtab.link !== "number" ? ed.symtab.link : undefined;
    if (ed.symtab && !strtab) throw new ElfError("sh_link does not name a string table", { section: ed.symtab.name });
    want(strtab, symbols);
    this.offsets = new Map();
    for (const [tab, list] of names) {
      if (tab.type !== SHT_STRTAB) throw new ElfError(`section type ${tab.type} is not a string table`, { section: tab.name });
      // A table always ends in a NUL, so its last string is whole.
      const seed = tab.data.length > 0 && tab.data[tab.data.length - 1] === 0 ? tab.data : concat([tab.data, new Uint8Array(1)]);
      const table = new StringSet(seed);
      const offs = new Map<EditSection | EditSymbol, number>();
      // Names repeat (every section of a kind, hostile files: thousands naming one huge string): place each
      // (name, hint) pair once, so the cost is per distinct name, not per section or symbol.
      const placed = new Map<number | undefined, Map<string, number>>();
      for (const x of list) {
        const hint = this.hints.get(x);
        let byName = placed.get(hint);
        if (!byName) placed.set(hint, (byName = new Map()));
        let off = byName.get(x.name);
        if (off === undefined) byName.set(x.name, (off = nameOffsetIn(table, seed.length, x.name, hint)));
        offs.set(x, off);
      }
      this.offsets.set(tab, offs);
      this.contents.set(tab, table.bytes);
    }
  }

  private offsets = new Map<EditSection, Map<EditSection | EditSymbol, number>>();

  private nameOffset(tab: EditSection | undefined, x: EditSection | EditSymbol): number {
    return tab ? this.offsets.get(tab)!.get(x)! : 0;
  }

  private buildSymtab(tab: EditSection, symbols: EditSymbol[], shndxSec: EditSection | undefined): void {
    const { sym: size } = this.sz;
    const le = this.le;
    const out = new Uint8Array(size * (symbols.length + 1));
    const v = new DataView(out.buffer);
    const xindex = shndxSec ? new Uint8Array(4 * (symbols.length + 1)) : undefined;
    const xv = xindex && new DataView(xindex.buffer);
    const strtab = tab.link as EditSection;
    symbols.forEach((s, k) => {
      const i = k + 1;
      const o = i * size;
      let shndx: number;
      if (typeof s.section === "number") {
        if (s.section !== SHN_UNDEF && s.section < SHN_LORESERVE) {
          throw new ElfError(`symbol '${s.name}' gives section index ${s.section}; use the section itself`, { section: tab.name, record: i });
        }
        shndx = s.section;
      } else {
        const idx = this.secIndex.get(s.section);
        if (idx === undefined) {
          throw new ElfError(`symbol '${s.name}' is defined in section '${s.section.name}', which is not in the file`, {
            section: tab.name,
            record: i,
          });
        }
        shndx = idx;
      }
      let stored = shndx;
      if (shndx >= SHN_LORESERVE && typeof s.section !== "number") {
        xv!.setUint32(i * 4, shndx, le);
        stored = SHN_XINDEX;
      }
      const info = ((s.bind & 0xf) << 4) | (s.type & 0xf);
      v.setUint32(o, this.nameOffset(strtab, s), le);
      if (this.ed.is64) {
        v.setUint8(o + 4, info);
        v.setUint8(o + 5, s.other);
        v.setUint16(o + 6, stored, le);
        v.setBigUint64(o + 8, s.value, le);
        v.setBigUint64(o + 16, s.size, le);
      } else {
        v.setUint32(o + 4, u32(s.value, `value of symbol '${s.name}'`, tab.name), le);
        v.setUint32(o + 8, u32(s.size, `size of symbol '${s.name}'`, tab.name), le);
        v.setUint8(o + 12, info);
        v.setUint8(o + 13, s.other);
        v.setUint16(o + 14, stored, le);
      }
    });
    this.contents.set(tab, out);
    this.info.set(tab, 1 + symbols.filter((s) => s.bind === STB_LOCAL).length);
    if (shndxSec && xindex) this.contents.set(shndxSec, xindex);
  }

  private encodeRelocations(sec: EditSection): Uint8Array {
    const rela = sec.type === SHT_RELA;
    if (!rela && sec.type !== SHT_REL) throw new ElfError(`section type ${sec.type} cannot hold relocations`, { section: sec.name });
    if (sec.link !== this.ed.symtab) throw new ElfError("relocations against symbols need sh_link to name the symbol table", { section: sec.name });
    const size = rela ? this.sz.rela : this.sz.rel;
    const rels = sec.relocations!;
    const out = new Uint8Array(size * rels.length);
    const v = new DataView(out.buffer);
    const le = this.le;
    rels.forEach((r, i) => {
      const o = i * size;
      let sym = 0;
      if (r.symbol) {
        const idx = this.symIndex.get(r.symbol);
        if (idx === undefined) {
          throw new ElfError(`relocation refers to symbol '${r.symbol.name}', which is not in the symbol table`, { section: sec.name, record: i });
        }
        sym = idx;
      }
      if (this.ed.is64) {
        v.setBigUint64(o, r.offset, le);
        // Mirror of the reader: r_info = sym << 32 | type, written as two u32 halves.
        v.setUint32(o + (le ? 12 : 8), sym, le);
        v.setUint32(o + (le ? 8 : 12), r.type, le);
        if (rela) v.setBigInt64(o + 16, r.addend, le);
      } else {
        if (sym > 0xffffff) throw new ElfError(`symbol index ${sym} does not fit ELF32 r_info`, { section: sec.name, record: i });
        if (r.type > 0xff) throw new ElfError(`relocation type ${r.type} does not fit ELF32 r_info`, { section: sec.name, record: i });
        v.setUint32(o, u32(r.offset, "r_offset", sec.name), le);
        v.setUint32(o + 4, ((sym << 8) | r.type) >>> 0, le);
        if (rela) {
          if (r.addend < -0x80000000n || r.addend > 0x7fffffffn) throw new ElfError(`addend ${r.addend} does not fit ELF32`, { section: sec.name, record: i });
          v.setInt32(o + 8, Number(r.addend), le);
        }
      }
    });
    return out;
  }

  private encodeGroup(sec: EditSection): Uint8Array {
    const g = sec.group!;
    const out = new Uint8Array(4 + 4 * g.members.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, g.flags, this.le);
    g.members.forEach((m, i) => {
      const idx = this.secIndex.get(m);
      if (idx === undefined) throw new ElfError(`group member '${m.name}' is not in the file`, { section: sec.name, record: i });
      v.setUint32(4 + 4 * i, idx, this.le);
    });
    return out;
  }

  private linkIndex(sec: EditSection): number {
    const l = sec.link;
    if (typeof l === "number") return l;
    const idx = this.secIndex.get(l);
    if (idx === undefined) throw new ElfError(`sh_link names section '${l.name}', which is not in the file`, { section: sec.name });
    return idx;
  }

  private infoIndex(sec: EditSection): number {
    const computed = this.info.get(sec);
    if (computed !== undefined) return computed;
    const i = sec.info;
    if (typeof i === "number") return i;
    if (isSection(i)) {
      const idx = this.secIndex.get(i);
      if (idx === undefined) throw new ElfError(`sh_info names section '${i.name}', which is not in the file`, { section: sec.name });
      return idx;
    }
    const idx = this.symIndex.get(i);
    if (idx === undefined) throw new ElfError(`sh_info names symbol '${i.name}', which is not in the symbol table`, { section: sec.name });
    return idx;
  }

  /**
   * Data in the input's file order (new sections right after the section
   * they follow in the header table), each at its alignment, then the
   * section header table.
   */
  private fileOrder(): EditSection[] {
    const known = this.sections.filter((s) => this.origin.has(s));
    // At one offset, sections that took no file space came first (nothing else can share the offset).
    // Several empty ones at one offset keep index order; the input cannot say more.
    const key = (s: EditSection) => {
      const o = this.origin.get(s)!;
      return [o.offset, o.size === 0 ? 0 : 1, o.index];
    };
    known.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
    });
    const order = [...known];
    this.sections.forEach((s, i) => {
      if (this.origin.has(s)) return;
      const at = i === 0 ? 0 : order.indexOf(this.sections[i - 1]) + 1;
      order.splice(at, 0, s);
    });
    return order;
  }

  private emit(): Uint8Array {
    const { ehdr, shdr, word } = this.sz;
    const is64 = this.ed.is64;
    const le = this.le;
    const offsets = new Map<EditSection, number>();
    let pos = ehdr;
    for (const s of this.fileOrder()) {
      // Padding comes out of the output's memory: a corrupt alignment must not turn a small file into gigabytes.
      if (s.addralign > MAX_WRITE_ALIGN) {
        throw new ElfError(`section alignment ${s.addralign} is above the ${MAX_WRITE_ALIGN} bytes btfkit lays sections out with`, { section: s.name });
      }
      pos = alignUp(pos, s.addralign);
      offsets.set(s, pos);
      if (s.type !== SHT_NOBITS) pos += this.dataOf(s).length;
    }
    const shoff = alignUp(pos, word);
    const count = this.sections.length + 1;
    const out = new Uint8Array(shoff + shdr * count);
    const v = new DataView(out.buffer);
    const maxOff = is64 ? Number.MAX_SAFE_INTEGER : 0xffffffff;
    if (shoff > maxOff) throw new ElfError(`file of ${shoff} bytes is too large for ELF32`, {});

    // ELF header.
    out.set([0x7f, 0x45, 0x4c, 0x46, is64 ? ELFCLASS64 : ELFCLASS32, le ? ELFDATA2LSB : ELFDATA2MSB, 1, this.ed.osabi, this.ed.abiVersion]);
    v.setUint16(16, this.ed.type, le);
    v.setUint16(18, this.ed.machine, le);
    v.setUint32(20, this.ed.version, le);
    const shstrndx = this.ed.shstrtab ? this.secIndex.get(this.ed.shstrtab)! : 0;
    // Past the reserved range, counts go in section 0's header (gABI extended numbering).
    const eShnum = count >= SHN_LORESERVE ? 0 : count;
    const eShstrndx = shstrndx >= SHN_LORESERVE ? SHN_XINDEX : shstrndx;
    if (is64) {
      v.setBigUint64(24, this.ed.entry, le);
      v.setBigUint64(40, BigInt(shoff), le);
      v.setUint32(48, this.ed.flags, le);
      v.setUint16(52, ehdr, le);
      v.setUint16(58, shdr, le);
      v.setUint16(60, eShnum, le);
      v.setUint16(62, eShstrndx, le);
    } else {
      v.setUint32(24, u32(this.ed.entry, "e_entry", "header"), le);
      v.setUint32(32, shoff, le);
      v.setUint32(36, this.ed.flags, le);
      v.setUint16(40, ehdr, le);
      v.setUint16(46, shdr, le);
      v.setUint16(48, eShnum, le);
      v.setUint16(50, eShstrndx, le);
    }

    // Section 0: all zero unless it carries the extended counts.
    this.header(v, shoff, "[0]", { name: 0, type: 0, flags: 0n, addr: 0n, offset: 0, size: eShnum === 0 ? count : 0, link: eShstrndx === SHN_XINDEX ? shstrndx : 0, info: 0, addralign: 0, entsize: 0 });
    this.sections.forEach((s, k) => {
      const data = this.dataOf(s);
      const off = offsets.get(s)!;
      if (s.type !== SHT_NOBITS) out.set(data, off);
      this.header(v, shoff + (k + 1) * shdr, s.name, {
        name: this.nameOffset(this.ed.shstrtab, s),
        type: s.type,
        flags: s.flags,
        addr: s.addr,
        offset: off,
        size: s.type === SHT_NOBITS ? s.size : data.length,
        link: this.linkIndex(s),
        info: this.infoIndex(s),
        addralign: s.addralign,
        entsize: s.entsize,
      });
    });
    return out;
  }

  private dataOf(s: EditSection): Uint8Array {
    return this.contents.get(s) ?? s.data;
  }

  private header(
    v: DataView,
    o: number,
    where: string,
    h: { name: number; type: number; flags: bigint; addr: bigint; offset: number; size: number; link: number; info: number; addralign: number; entsize: number },
  ): void {
    const le = this.le;
    v.setUint32(o, h.name, le);
    v.setUint32(o + 4, h.type, le);
    if (this.ed.is64) {
      v.setBigUint64(o + 8, h.flags, le);
      v.setBigUint64(o + 16, h.addr, le);
      v.setBigUint64(o + 24, BigInt(h.offset), le);
      v.setBigUint64(o + 32, BigInt(h.size), le);
      v.setUint32(o + 40, h.link, le);
      v.setUint32(o + 44, h.info, le);
      v.setBigUint64(o + 48, BigInt(h.addralign), le);
      v.setBigUint64(o + 56, BigInt(h.entsize), le);
    } else {
      v.setUint32(o + 8, u32(h.flags, "sh_flags", where), le);
      v.setUint32(o + 12, u32(h.addr, "sh_addr", where), le);
      v.setUint32(o + 16, h.offset, le);
      v.setUint32(o + 20, h.size, le);
      v.setUint32(o + 24, h.link, le);
      v.setUint32(o + 28, h.info, le);
      v.setUint32(o + 32, h.addralign, le);
      v.setUint32(o + 36, h.entsize, le);
    }
  }
}

/**
 * Offset of `name` in a string table seeded with `seedLen` bytes: `hint` when
 * the name is there, else an existing occurrence (also as the tail of a
 * longer seed string), else a newly appended copy.
 */
function nameOffsetIn(table: StringSet, seedLen: number, name: string, hint: number | undefined): number {
  const bytes = encoder.encode(name);
  if (hint !== undefined && hint + bytes.length < seedLen && cStringsEqual(table.bytes, hint, bytes, 0)) return hint;
  const hit = table.find(bytes, 0);
  if (hit >= 0) return hit;
  const tail = table.findTail(bytes, 0, seedLen);
  if (tail >= 0) return table.offsetOf(table.alias(bytes, 0, tail));
  return table.add(bytes, 0);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function isSection(x: EditSection | EditSymbol): x is EditSection {
  return "data" in x;
}

/** Largest section alignment the writer honours (real objects use at most a page). */
export const MAX_WRITE_ALIGN = 0x10000;

function alignUp(n: number, align: number): number {
  if (align <= 1) return n;
  return Math.ceil(n / align) * align;
}

function u32(v: bigint, what: string, section: string): number {
  if (v < 0n || v > 0xffffffffn) throw new ElfError(`${what} 0x${v.toString(16)} does not fit ELF32`, { section });
  return Number(v);
}

function labelOf(s: ElfSection): string {
  return s.name || `[${s.index}]`;
}

function decodeUleb(data: Uint8Array, section: string): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < data.length) {
    let v = 0;
    let mul = 1;
    for (;;) {
      if (i >= data.length) throw new ElfError("ULEB128 value runs past the end", { section, offset: i });
      const b = data[i++];
      v += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) break;
      if (mul > 2 ** 49) throw new ElfError("ULEB128 value is too large", { section, offset: i });
    }
    out.push(v);
  }
  return out;
}

function encodeUleb(values: number[]): Uint8Array {
  const out: number[] = [];
  for (let v of values) {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) b |= 0x80;
      out.push(b);
    } while (v > 0);
  }
  return new Uint8Array(out);
}
