/**
 * An ELF object opened once: its ELF, its `.BTF`, and, decoded on first use,
 * its `.BTF.ext`, symbols and programs. Every part of btfkit that reads an
 * object (loading BTF, object dedup, CO-RE relocation) opens it here; what
 * differs between them, the pointer size of the BTF, is an explicit option.
 */
import { SHF_EXECINSTR, STT_FUNC } from "../elf/constants.js";
import { parseElf, type ElfFile, type ElfSection, type ElfSymbol } from "../elf/read.js";
import { BtfError, CoreRelocationError } from "../errors.js";
import { Btf } from "./btf.js";
import { decodeBtfExt, type BtfExt } from "./ext.js";

/** Size of one BPF instruction in bytes. */
export const BPF_INSN_SIZE = 8;

/** A BPF program: a function symbol in an executable section. */
export interface BpfProgram {
  /** The function symbol's name. */
  name: string;
  /** The executable section holding the program. */
  section: ElfSection;
  /** First instruction index within the section. */
  insnOff: number;
  /** Number of instructions. */
  insnCount: number;
}

/**
 * How the pointer size of an object's BTF is decided:
 * - a number fixes it (libbpf treats BPF objects as 64-bit whatever their ELF class says);
 * - `"elf-class"` takes it from the ELF class (libbpf's rule for a vmlinux or module ELF);
 * - undefined leaves it to the types (the size of `long`), as libbpf's btf__dedup input has none set.
 */
export type PointerSizeRule = number | "elf-class";

/** Options of {@link BpfObject.open}. */
export interface OpenObjectOptions {
  /** Base BTF when the object's `.BTF` is split BTF. */
  base?: Btf;
  /** See {@link PointerSizeRule}. */
  pointerSize?: PointerSizeRule;
}

/** An ELF object with BTF; see the module comment. */
export class BpfObject {
  private extCache: BtfExt | null | undefined;
  private programList: BpfProgram[] | undefined;

  private constructor(
    /** The parsed ELF. */
    readonly elf: ElfFile,
    /** The object's `.BTF`. */
    readonly btf: Btf,
  ) {}

  /** Opens an ELF that has a `.BTF` section; throws BtfError when it has none. */
  static open(bytes: Uint8Array, opts: OpenObjectOptions = {}): BpfObject {
    const elf = parseElf(bytes);
    const sec = elf.section(".BTF");
    if (!sec) throw new BtfError("ELF file has no .BTF section (build BPF objects with clang -g)", { section: ".BTF" });
    const pointerSize = opts.pointerSize === "elf-class" ? (elf.is64 ? 8 : 4) : opts.pointerSize;
    return new BpfObject(elf, Btf.parse(sec.data, { base: opts.base, pointerSize }));
  }

  /** The decoded `.BTF.ext`, or undefined when the object has none. */
  get ext(): BtfExt | undefined {
    if (this.extCache === undefined) {
      const sec = this.elf.section(".BTF.ext");
      this.extCache = sec ? decodeBtfExt(sec.data) : null;
    }
    return this.extCache ?? undefined;
  }

  /** The symbols of the object's symbol table, the null symbol 0 included. */
  get symbols(): ElfSymbol[] {
    return this.elf.symbols();
  }

  /** Programs sorted by (section index, offset), as libbpf orders them. */
  get programs(): BpfProgram[] {
    this.programList ??= findPrograms(this.elf);
    return this.programList;
  }

  /** The program containing instruction `insn` of `section`, as libbpf's find_prog_by_sec_insn finds it. */
  programAt(section: ElfSection, insn: number): BpfProgram | undefined {
    return this.programs.find((p) => p.section === section && insn >= p.insnOff && insn < p.insnOff + p.insnCount);
  }
}

function findPrograms(elf: ElfFile): BpfProgram[] {
  const programs: BpfProgram[] = [];
  for (const sym of elf.symbols()) {
    if (sym.type !== STT_FUNC || sym.shndx === 0 || sym.shndx >= elf.sections.length) continue;
    const section = elf.sections[sym.shndx];
    if ((section.flags & SHF_EXECINSTR) === 0n || section.size === 0) continue;
    const off = Number(sym.value);
    const size = Number(sym.size);
    if (off % BPF_INSN_SIZE || size % BPF_INSN_SIZE || off + size > section.size) {
      throw new CoreRelocationError(`program '${sym.name}' is not a whole number of instructions inside its section`, {
        section: section.name,
        offset: off,
      });
    }
    programs.push({ name: sym.name, section, insnOff: off / BPF_INSN_SIZE, insnCount: size / BPF_INSN_SIZE });
  }
  return programs.sort((a, b) => a.section.index - b.section.index || a.insnOff - b.insnOff);
}

/**
 * A BPF object as the CO-RE engine and libbpf see it: 64-bit pointers
 * whatever the ELF class, and `.BTF.ext` and programs validated at open, so
 * a malformed object fails here rather than halfway through a relocation.
 */
export function openBpfObject(bytes: Uint8Array): BpfObject {
  const obj = BpfObject.open(bytes, { pointerSize: 8 });
  void obj.ext;
  void obj.programs;
  return obj;
}
