/**
 * An ELF object opened once: its ELF, its `.BTF`, and, decoded on first use,
 * its `.BTF.ext`, symbols and programs. Every part of btfkit that reads an
 * object (loading BTF, object dedup, CO-RE relocation) opens it here; what
 * differs between them, the pointer size of the BTF, is an explicit option.
 */
import { EM_BPF, EM_NONE, ET_REL, SHF_EXECINSTR, SHT_SYMTAB, STT_FUNC } from "../elf/constants.js";
import { parseElf, type ElfFile, type ElfSection, type ElfSymbol } from "../elf/read.js";
import { BtfError, BtfkitError, CoreRelocationError, ElfError } from "../errors.js";
import { Btf } from "./btf.js";
import { BTF_KIND_ARRAY, BTF_KIND_PTR, BTF_KIND_STRUCT, BTF_KIND_VAR } from "./kinds.js";
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

/** A BTF-defined map: one variable of the object's `.maps` section, as libbpf reads its definition. */
export interface BpfMapDef {
  /** The variable's name, which is the map's name. */
  name: string;
  /** BPF_MAP_TYPE_* number (0 when the definition has no `type`). */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** BPF_F_* map flags. */
  flags: number;
  /** BTF id of the key type when the definition gives `key`, else 0. */
  keyType: number;
  /** BTF id of the value type when the definition gives `value`, else 0. */
  valueType: number;
  /** LIBBPF_PIN_* value (0: not pinned). */
  pinning: number;
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
  private mapList: BpfMapDef[] | undefined;

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

  /** The BTF-defined maps of the `.maps` section, in the order of its variables (libbpf's order). */
  get maps(): BpfMapDef[] {
    this.mapList ??= findMaps(this.btf);
    return this.mapList;
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

/** e_type and e_machine offsets in the ELF header (the same for both classes). */
const E_TYPE_OFFSET = 16;
const E_MACHINE_OFFSET = 18;

/**
 * What libbpf 1.8's bpf_object__open requires of the ELF before it reads
 * anything else (bpf_object__elf_init, bpf_object__elf_collect): a 64-bit
 * relocatable file for BPF (old LLVM wrote machine 0) with exactly one symbol
 * table. btf__parse_elf asks none of this, so BpfObject.open (BTF of any ELF:
 * a vmlinux, a module, object dedup) does not either.
 */
function checkBpfObjectElf(elf: ElfFile): void {
  if (!elf.is64) throw new ElfError("not a 64-bit ELF object, so not a BPF object", { offset: 4 });
  if (elf.type !== ET_REL || (elf.machine !== EM_NONE && elf.machine !== EM_BPF)) {
    const field = elf.type !== ET_REL ? E_TYPE_OFFSET : E_MACHINE_OFFSET;
    throw new ElfError(
      `not a valid eBPF object file: e_type ${elf.type}, e_machine ${elf.machine} (want ET_REL ${ET_REL}, EM_BPF ${EM_BPF} or 0)`,
      { offset: field },
    );
  }
  const symtabs = elf.sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length > 1) throw new ElfError("multiple symbol tables", { section: symtabs[1].name, offset: symtabs[1].offset });
  if (symtabs.length === 0) throw new ElfError("no symbol table (stripped object file?)", {});
}

/**
 * A BPF object as the CO-RE engine and libbpf see it: checked as
 * bpf_object__open checks it (see checkBpfObjectElf), 64-bit pointers, and
 * `.BTF.ext` and programs validated at open, so a malformed object fails here
 * rather than halfway through a relocation.
 */
export function openBpfObject(bytes: Uint8Array): BpfObject {
  const obj = BpfObject.open(bytes, { pointerSize: 8 });
  checkBpfObjectElf(obj.elf);
  void obj.ext;
  void obj.programs;
  return obj;
}

/**
 * A caller's object as a parsed BPF object: bytes are opened (`openBpfObject`)
 * with `name` starting the message of any error, a parsed one is used as is. @internal
 */
export function openNamedObject(name: string, object: Uint8Array | BpfObject): BpfObject {
  if (!(object instanceof Uint8Array)) return object;
  try {
    return openBpfObject(object);
  } catch (e) {
    if (e instanceof BtfkitError) e.message = `${name}: ${e.message}`;
    throw e;
  }
}

/** The `int (*name)[N]` members of a map definition carry N (libbpf's get_map_field_int). */
function mapFieldInt(btf: Btf, structId: number, i: number, map: string): number {
  const ptr = btf.resolve(btf.memberType(structId, i));
  const arr = btf.kindNumber(ptr) === BTF_KIND_PTR ? btf.sizeOrType(ptr) : 0;
  if (btf.kindNumber(arr) !== BTF_KIND_ARRAY) {
    throw new BtfError(`map '${map}': field '${btf.memberName(structId, i)}' is not a pointer to an array`, { section: ".maps", typeId: structId, record: i });
  }
  return btf.arrayLength(arr);
}

/** The type a `key` / `value` member points to, and its size. */
function mapFieldType(btf: Btf, structId: number, i: number, map: string): { type: number; size: number } {
  const ptr = btf.resolve(btf.memberType(structId, i));
  if (btf.kindNumber(ptr) !== BTF_KIND_PTR) {
    throw new BtfError(`map '${map}': field '${btf.memberName(structId, i)}' is not a pointer`, { section: ".maps", typeId: structId, record: i });
  }
  return { type: btf.sizeOrType(ptr), size: btf.sizeof(btf.sizeOrType(ptr)) };
}

/** Reads the `.maps` DATASEC's variables as libbpf's parse_btf_map_def does (strict: unknown fields are errors). */
function findMaps(btf: Btf): BpfMapDef[] {
  const sec = btf.findByName(".maps", "datasec");
  if (sec === undefined) return [];
  const maps: BpfMapDef[] = [];
  for (let v = 0; v < btf.vlen(sec); v++) {
    const varId = btf.datasecVarType(sec, v);
    const name = btf.name(varId);
    const def = btf.resolve(btf.sizeOrType(varId));
    if (btf.kindNumber(varId) !== BTF_KIND_VAR || btf.kindNumber(def) !== BTF_KIND_STRUCT) {
      throw new BtfError(`map '${name}' is not a variable of struct type`, { section: ".maps", typeId: varId });
    }
    const map: BpfMapDef = { name, type: 0, keySize: 0, valueSize: 0, maxEntries: 0, flags: 0, keyType: 0, valueType: 0, pinning: 0 };
    const setSize = (field: "keySize" | "valueSize", size: number) => {
      if (map[field] !== 0 && map[field] !== size) {
        throw new BtfError(`map '${name}': conflicting ${field === "keySize" ? "key" : "value"} sizes ${map[field]} and ${size}`, { section: ".maps", typeId: def });
      }
      map[field] = size;
    };
    for (let i = 0; i < btf.vlen(def); i++) {
      switch (btf.memberName(def, i)) {
        case "type":
          map.type = mapFieldInt(btf, def, i, name);
          break;
        case "max_entries":
          map.maxEntries = mapFieldInt(btf, def, i, name);
          break;
        case "map_flags":
          map.flags = mapFieldInt(btf, def, i, name);
          break;
        case "pinning":
          map.pinning = mapFieldInt(btf, def, i, name);
          break;
        case "key_size":
          setSize("keySize", mapFieldInt(btf, def, i, name));
          break;
        case "value_size":
          setSize("valueSize", mapFieldInt(btf, def, i, name));
          break;
        case "key": {
          const { type, size } = mapFieldType(btf, def, i, name);
          setSize("keySize", size);
          map.keyType = type;
          break;
        }
        case "value": {
          const { type, size } = mapFieldType(btf, def, i, name);
          setSize("valueSize", size);
          map.valueType = type;
          break;
        }
        case "numa_node":
        case "map_extra":
        case "values":
          break;
        default:
          throw new BtfError(`map '${name}': unknown field '${btf.memberName(def, i)}'`, { section: ".maps", typeId: def, record: i });
      }
    }
    maps.push(map);
  }
  return maps;
}

