/** CLI-level errors and the exit codes the CLI returns. */

/** I/O and unexpected failures. */
export const EXIT_FAILURE = 1;
/** Bad command line. */
export const EXIT_USAGE = 2;
/** The input (BTF, ELF, .BTF.ext) is invalid. */
export const EXIT_BAD_INPUT = 3;
/** A CO-RE relocation or a kconfig extern could not be resolved (a config that cannot be read for it included). */
export const EXIT_RELOCATION = 4;

/** `core check --fail-on`: some object-kernel pair has the verdict named. */
export const EXIT_PORTABILITY = 5;

/** stdout was closed by its reader (`| head`): what the shell reports for a filter killed by SIGPIPE, as bpftool. */
export const EXIT_PIPE = 141;

export class UsageError extends Error {}

/** A command that has said what went wrong (on stderr) and ends with this summary and exit code. */
export class CommandFailed extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The reader of stdout went away: the command stops producing and the process ends quietly with EXIT_PIPE. */
export class StdoutClosed extends Error {}

/**
 * What a Node system error says, without its code and the path Node repeats
 * ("ENOENT: no such file or directory, open '/x'" -> "no such file or
 * directory"); undefined for any other error.
 */
export function systemReason(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== "string" || e.syscall === undefined) return undefined;
  // Node says "illegal operation on a directory".
  if (e.code === "EISDIR") return "is a directory";
  return /^[A-Z0-9_]+: ([^,]*)/.exec(err.message)?.[1] ?? err.message;
}
