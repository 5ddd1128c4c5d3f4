/**
 * Parse GNU `readelf -S -s -r -W` output into plain records, the oracle the
 * ELF reader is compared against.
 */
import { run } from "./env.js";

export interface ReadelfSection {
  index: number;
  /** The name and type columns joined by one space ("" name gives just the type). */
  nameAndType: string;
  addr: bigint;
  offset: number;
  size: number;
  entsize: number;
  flags: string;
  link: number;
  info: number;
  align: number;
}

export interface ReadelfSymbol {
  index: number;
  value: bigint;
  size: bigint;
  type: string;
  bind: string;
  vis: string;
  ndx: string;
  name: string;
}

export interface ReadelfReloc {
  offset: bigint;
  info: bigint;
  /** Symbol name as shown (section symbols show their section's name); absent for symbol 0. */
  symbol?: string;
  addend?: bigint;
}

export interface ReadelfOutput {
  sections: ReadelfSection[];
  /** Entries of the first symbol table (.symtab). */
  symbols: ReadelfSymbol[];
  /** Relocation entries by relocation section name. */
  relocs: Map<string, ReadelfReloc[]>;
}

const SECTION = /^\s*\[\s*(\d+)\] (.*?)\s+([0-9a-f]{8}|[0-9a-f]{16}) ([0-9a-f]{6,}) ([0-9a-f]{6,}) ([0-9a-f]{2,})\s+(?:([A-Za-z]+)\s+)?(\d+)\s+(\d+)\s+(\d+)$/;
const SYMBOL = /^\s*(\d+): ([0-9a-f]+)\s+(0x[0-9a-f]+|\d+) (\S+)\s+(\S+)\s+(\S+)\s+(\S+) ?(.*)$/;
const RELOC_HEADER = /^Relocation section '(.*)' at offset 0x[0-9a-f]+ contains \d+ entr/;
const RELOC = /^([0-9a-f]+)\s+([0-9a-f]+) (\S+)\s*(.*)$/;

export function readelf(file: string): ReadelfOutput {
  const text = run("readelf", ["-S", "-s", "-r", "-W", file]).toString("utf8");
  const sections: ReadelfSection[] = [];
  const symbols: ReadelfSymbol[] = [];
  const relocs = new Map<string, ReadelfReloc[]>();
  let mode: "none" | "symtab" | "other-symtab" | "reloc" = "none";
  let current: ReadelfReloc[] = [];
  for (const line of text.split("\n")) {
    const sec = SECTION.exec(line);
    if (sec) {
      sections.push({
        index: Number(sec[1]),
        nameAndType: sec[2].trim().replace(/\s+/g, " "),
        addr: BigInt(`0x${sec[3]}`),
        offset: parseInt(sec[4], 16),
        size: parseInt(sec[5], 16),
        entsize: parseInt(sec[6], 16),
        flags: sec[7] ?? "",
        link: Number(sec[8]),
        info: Number(sec[9]),
        align: Number(sec[10]),
      });
      continue;
    }
    if (line.startsWith("Symbol table ")) {
      mode = symbols.length === 0 && line.includes("'.symtab'") ? "symtab" : "other-symtab";
      continue;
    }
    const rh = RELOC_HEADER.exec(line);
    if (rh) {
      current = [];
      relocs.set(rh[1], current);
      mode = "reloc";
      continue;
    }
    if (mode === "symtab") {
      const m = SYMBOL.exec(line);
      if (m) {
        symbols.push({
          index: Number(m[1]),
          value: BigInt(`0x${m[2]}`),
          size: BigInt(m[3]),
          type: m[4],
          bind: m[5],
          vis: m[6],
          ndx: m[7],
          name: m[8],
        });
      }
    } else if (mode === "reloc") {
      const m = RELOC.exec(line);
      if (!m) continue;
      const r: ReadelfReloc = { offset: BigInt(`0x${m[1]}`), info: BigInt(`0x${m[2]}`) };
      const rest = m[4];
      const withSym = /^([0-9a-f]+)\s+(.*?)(?: ([+-]) ([0-9a-f]+))?$/.exec(rest);
      if (withSym) {
        r.symbol = withSym[2];
        if (withSym[3]) r.addend = (withSym[3] === "-" ? -1n : 1n) * BigInt(`0x${withSym[4]}`);
      } else if (/^[0-9a-f]+$/.test(rest.trim())) {
        r.addend = BigInt(`0x${rest.trim()}`);
      }
      current.push(r);
    }
  }
  return { sections, symbols, relocs };
}
