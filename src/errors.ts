/**
 * Typed errors. Each carries a `where` describing the location of the problem
 * (file offset, section, type id, record index, instruction index) so a
 * message can be traced back to the exact bytes that caused it.
 */

export interface Where {
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
}

function describe(where: Where): string {
  const parts: string[] = [];
  if (where.section !== undefined) parts.push(`section ${where.section}`);
  if (where.typeId !== undefined) parts.push(`type [${where.typeId}]`);
  if (where.record !== undefined) parts.push(`record #${where.record}`);
  if (where.insn !== undefined) parts.push(`insn #${where.insn}`);
  if (where.offset !== undefined) parts.push(`offset 0x${where.offset.toString(16)}`);
  return parts.join(", ");
}

export class BtfkitError extends Error {
  readonly where: Where;
  constructor(message: string, where: Where = {}) {
    const loc = describe(where);
    super(loc ? `${message} (${loc})` : message);
    this.where = where;
    this.name = new.target.name;
  }
}

export class ElfError extends BtfkitError {}
export class BtfError extends BtfkitError {}
export class BtfExtError extends BtfkitError {}
export class CoreRelocationError extends BtfkitError {}
export class KconfigError extends BtfkitError {}
