/**
 * Typed errors. Each carries a `where` describing the location of the problem
 * (file and line, file offset, section, type id, record index, instruction
 * index, CO-RE access string) so a message can be traced back to the exact
 * bytes or line that caused it.
 */

export interface Where {
  /** Name of a text input the error is in, e.g. a kernel config (`/proc/config.gz`). */
  file?: string;
  /** 1-based line number in `file`. */
  line?: number;
  /** Byte offset into the input the error refers to. */
  offset?: number;
  /** ELF section name or BTF section ("types", "strings", "header"). */
  section?: string;
  /** BTF type id. */
  typeId?: number;
  /** Index of a record inside a section (member, relocation, symbol). */
  record?: number;
  /** BPF instruction index. */
  insn?: number;
  /** CO-RE access string, e.g. `0:1:2`. */
  accessString?: string;
}

function describe(where: Where): string {
  const parts: string[] = [];
  if (where.file !== undefined) parts.push(where.line !== undefined ? `${where.file} line ${where.line}` : where.file);
  else if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.section !== undefined) parts.push(`section ${where.section}`);
  if (where.typeId !== undefined) parts.push(`type [${where.typeId}]`);
  if (where.record !== undefined) parts.push(`record #${where.record}`);
  if (where.insn !== undefined) parts.push(`insn #${where.insn}`);
  if (where.accessString !== undefined) parts.push(`access "${where.accessString}"`);
  if (where.offset !== undefined) parts.push(`offset 0x${where.offset.toString(16)}`);
  return parts.join(", ");
}

/** Longest unbroken run of characters a message keeps whole. */
const MAX_WORD = 256;
const LONG_WORD = new RegExp(`[^\\s'"]{${MAX_WORD + 1},}`, "g");

/** A name from hostile input can be megabytes long: a message keeps its start and says how long it was. */
function elideLongWords(message: string): string {
  return message.length <= MAX_WORD ? message : message.replace(LONG_WORD, (w) => `${w.slice(0, 64)}...(${w.length} characters)`);
}

/** Base of every error btfkit throws for bad input: `where` says where, `detail` what and why. */
export class BtfkitError extends Error {
  readonly where: Where;
  /** What went wrong and why: the message without the location (overlong names elided). */
  readonly detail: string;
  constructor(message: string, where: Where = {}) {
    message = elideLongWords(message);
    const loc = describe(where);
    super(loc ? `${message} (${loc})` : message);
    this.where = where;
    this.detail = message;
    this.name = new.target.name;
  }
}

/** A malformed or unsupported ELF file. */
export class ElfError extends BtfkitError {}
/** Malformed or unsupported BTF, or a question about a type it cannot answer (an id out of range, a size it has none of). */
export class BtfError extends BtfkitError {}
/**
 * BTF read without a base that looks like split BTF (a kernel module's):
 * its string section is empty or does not start with the empty string.
 * Read it again with its base BTF (`loadBtf(bytes, { base })`).
 */
export class BaseBtfRequiredError extends BtfError {}
/** A malformed `.BTF.ext` section or CO-RE access string. */
export class BtfExtError extends BtfkitError {}
/** A CO-RE relocation that cannot be carried out as libbpf would. */
export class CoreRelocationError extends BtfkitError {}
/** A kconfig extern libbpf would refuse, or a kernel config line it would fail on. */
export class KconfigError extends BtfkitError {}
