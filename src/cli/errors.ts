/** CLI-level errors and the exit codes the CLI returns. */

export const EXIT_OK = 0;
/** I/O and unexpected failures. */
export const EXIT_FAILURE = 1;
/** Bad command line. */
export const EXIT_USAGE = 2;
/** The input (BTF, ELF, .BTF.ext, kconfig) is invalid. */
export const EXIT_BAD_INPUT = 3;
/** A CO-RE relocation or extern could not be resolved. */
export const EXIT_RELOCATION = 4;

export class UsageError extends Error {}
