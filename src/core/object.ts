/**
 * A BPF object as the CO-RE engine sees it: the ELF, its local BTF and
 * .BTF.ext, and the programs (function symbols) in its executable sections.
 */
import { Btf } from "../btf/btf.js";
import { decodeBtfExt, type BtfExt } from "../btf/ext.js";
import { SHF_EXECINSTR, STT_FUNC } from "../elf/constants.js";
import { parseElf, type ElfFile, type ElfSection } from "../elf/read.js";
import { BtfError, CoreRelocationError } from "../errors.js";

export const BPF_INSN_SIZE = 8;

export interface BpfProgram {
  name: string;
  section: ElfSection;
  /** First instruction index within the section. */
  insnOff: number;
  insnCount: number;
}

export interface BpfObject {
  elf: ElfFile;
  btf: Btf;
  ext: BtfExt | undefined;
  /** Programs sorted by (section index, offset), as libbpf orders them. */
  programs: BpfProgram[];
}

export function openBpfObject(bytes: Uint8Array): BpfObject {
  const elf = parseElf(bytes);
  const btfSec = elf.section(".BTF");
  if (!btfSec) throw new BtfError("object has no .BTF section (build it with clang -g)", { section: ".BTF" });
  // BPF objects are 64-bit whatever their ELF class says, as libbpf assumes.
  const btf = Btf.parse(btfSec.data, { pointerSize: 8 });
  const extSec = elf.section(".BTF.ext");
  const ext = extSec ? decodeBtfExt(extSec.data) : undefined;
  return { elf, btf, ext, programs: findPrograms(elf) };
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

/** The program containing instruction `insn` of `section`, as libbpf's find_prog_by_sec_insn finds it. */
export function programAt(obj: BpfObject, section: ElfSection, insn: number): BpfProgram | undefined {
  return obj.programs.find((p) => p.section === section && insn >= p.insnOff && insn < p.insnOff + p.insnCount);
}
