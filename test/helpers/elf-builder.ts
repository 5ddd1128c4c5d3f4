/**
 * Hand-assembled ELF files for tests that must not depend on a compiler:
 * any class and byte order, exact control over every header field, and the
 * offsets needed to corrupt them on purpose.
 */

export interface SectionSpec {
  name: string;
  type: number;
  flags?: bigint;
  addr?: bigint;
  /** File contents; for SHT_NOBITS use `size` instead. */
  data?: Uint8Array;
  size?: number;
  link?: number;
  info?: number;
  addralign?: number;
  entsize?: number;
}

export interface SymbolSpec {
  nameOff: number;
  value?: bigint;
  size?: bigint;
  info?: number;
  other?: number;
  shndx?: number;
}

export interface RelocSpec {
  offset: bigint;
  symbol: number;
  type: number;
  addend?: bigint;
}

export interface BuiltElf {
  bytes: Uint8Array;
  /** File offset of the section header table. */
  shoff: number;
  shentsize: number;
  /** Index of the generated .shstrtab (always the last section). */
  shstrndx: number;
  /** File offset of each section's data, by index. */
  dataOff: number[];
}

const SHT_NOBITS = 8;
const SHT_STRTAB = 3;

/** A string table holding `names`, and where each one starts. */
export function strtab(names: string[]): { data: Uint8Array; offsets: number[] } {
  const offsets: number[] = [];
  let text = "\0";
  for (const n of names) {
    offsets.push(text.length);
    text += `${n}\0`;
  }
  return { data: new TextEncoder().encode(text), offsets };
}

export function symbolTable(is64: boolean, le: boolean, syms: SymbolSpec[]): Uint8Array {
  const size = is64 ? 24 : 16;
  const out = new Uint8Array(size * syms.length);
  const v = new DataView(out.buffer);
  syms.forEach((s, i) => {
    const o = i * size;
    v.setUint32(o, s.nameOff, le);
    if (is64) {
      v.setUint8(o + 4, s.info ?? 0);
      v.setUint8(o + 5, s.other ?? 0);
      v.setUint16(o + 6, s.shndx ?? 0, le);
      v.setBigUint64(o + 8, s.value ?? 0n, le);
      v.setBigUint64(o + 16, s.size ?? 0n, le);
    } else {
      v.setUint32(o + 4, Number(s.value ?? 0n), le);
      v.setUint32(o + 8, Number(s.size ?? 0n), le);
      v.setUint8(o + 12, s.info ?? 0);
      v.setUint8(o + 13, s.other ?? 0);
      v.setUint16(o + 14, s.shndx ?? 0, le);
    }
  });
  return out;
}

export function relocTable(is64: boolean, le: boolean, rela: boolean, rels: RelocSpec[]): Uint8Array {
  const size = (is64 ? 16 : 8) + (rela ? (is64 ? 8 : 4) : 0);
  const out = new Uint8Array(size * rels.length);
  const v = new DataView(out.buffer);
  rels.forEach((r, i) => {
    const o = i * size;
    if (is64) {
      v.setBigUint64(o, r.offset, le);
      v.setBigUint64(o + 8, (BigInt(r.symbol) << 32n) | BigInt(r.type), le);
      if (rela) v.setBigInt64(o + 16, r.addend ?? 0n, le);
    } else {
      v.setUint32(o, Number(r.offset), le);
      v.setUint32(o + 4, ((r.symbol << 8) | r.type) >>> 0, le);
      if (rela) v.setInt32(o + 8, Number(r.addend ?? 0n), le);
    }
  });
  return out;
}

/**
 * Lay out an ELF file: header, each section's data (8-byte aligned), a
 * generated .shstrtab, then the section header table. Section 0 is the null
 * section; `sections[i]` becomes index i + 1.
 */
export function buildElf(opts: { is64: boolean; le: boolean; type?: number; machine?: number; sections: SectionSpec[] }): BuiltElf {
  const { is64, le } = opts;
  const names = strtab([...opts.sections.map((s) => s.name), ".shstrtab"]);
  const all: SectionSpec[] = [
    { name: "", type: 0 },
    ...opts.sections,
    { name: ".shstrtab", type: SHT_STRTAB, data: names.data, addralign: 1 },
  ];
  const nameOff = [0, ...names.offsets];
  const ehsize = is64 ? 64 : 52;
  const shentsize = is64 ? 64 : 40;
  const align8 = (n: number) => (n + 7) & ~7;
  const dataOff: number[] = [];
  let pos = ehsize;
  for (const s of all) {
    pos = align8(pos);
    dataOff.push(pos);
    if (s.type !== SHT_NOBITS && s.data) pos += s.data.length;
  }
  const shoff = align8(pos);
  const bytes = new Uint8Array(shoff + shentsize * all.length);
  const v = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1]);
  v.setUint16(16, opts.type ?? 1, le);
  v.setUint16(18, opts.machine ?? 247, le);
  v.setUint32(20, 1, le);
  if (is64) {
    v.setBigUint64(40, BigInt(shoff), le);
    v.setUint16(52, ehsize, le);
    v.setUint16(58, shentsize, le);
    v.setUint16(60, all.length, le);
    v.setUint16(62, all.length - 1, le);
  } else {
    v.setUint32(32, shoff, le);
    v.setUint16(40, ehsize, le);
    v.setUint16(46, shentsize, le);
    v.setUint16(48, all.length, le);
    v.setUint16(50, all.length - 1, le);
  }
  all.forEach((s, i) => {
    if (s.data && s.type !== SHT_NOBITS) bytes.set(s.data, dataOff[i]);
    const size = s.type === SHT_NOBITS ? (s.size ?? 0) : (s.data?.length ?? 0);
    const h = shoff + i * shentsize;
    const off = i === 0 ? 0 : dataOff[i];
    v.setUint32(h, nameOff[i], le);
    v.setUint32(h + 4, s.type, le);
    if (is64) {
      v.setBigUint64(h + 8, s.flags ?? 0n, le);
      v.setBigUint64(h + 16, s.addr ?? 0n, le);
      v.setBigUint64(h + 24, BigInt(off), le);
      v.setBigUint64(h + 32, BigInt(size), le);
      v.setUint32(h + 40, s.link ?? 0, le);
      v.setUint32(h + 44, s.info ?? 0, le);
      v.setBigUint64(h + 48, BigInt(s.addralign ?? 0), le);
      v.setBigUint64(h + 56, BigInt(s.entsize ?? 0), le);
    } else {
      v.setUint32(h + 8, Number(s.flags ?? 0n), le);
      v.setUint32(h + 12, Number(s.addr ?? 0n), le);
      v.setUint32(h + 16, off, le);
      v.setUint32(h + 20, size, le);
      v.setUint32(h + 24, s.link ?? 0, le);
      v.setUint32(h + 28, s.info ?? 0, le);
      v.setUint32(h + 32, s.addralign ?? 0, le);
      v.setUint32(h + 36, s.entsize ?? 0, le);
    }
  });
  return { bytes, shoff, shentsize, shstrndx: all.length - 1, dataOff };
}
