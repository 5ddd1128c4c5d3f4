#!/usr/bin/env node
/** btfkit command line: a thin commander layer over the library. */
import { Command, CommanderError } from "commander";
import { BtfkitError, CoreRelocationError, KconfigError } from "../errors.js";
import { btfCommand } from "./btf.js";
import { coreCommand } from "./core.js";
import { EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_PIPE, EXIT_RELOCATION, EXIT_USAGE, StdoutClosed, UsageError } from "./errors.js";
import { emit, settleSignals } from "./io.js";
import { versionText } from "./version.js";

/**
 * Exit codes (src/cli/errors.ts): 0 success, 1 I/O or unexpected failure,
 * 2 usage, 3 invalid input, 4 a relocation or extern that cannot be resolved.
 * A process ended by SIGINT, SIGTERM or SIGHUP dies of that signal (128+N in
 * the shell); see io.ts for what it leaves behind.
 */
function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  if (err instanceof CoreRelocationError || err instanceof KconfigError) return EXIT_RELOCATION;
  if (err instanceof BtfkitError) return EXIT_BAD_INPUT;
  return EXIT_FAILURE;
}

/** Commander exits the process on usage errors; we want an exception so exit codes stay ours. */
function overrideExits(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) overrideExits(sub);
}

async function main(argv: string[]): Promise<number> {
  const program = new Command("btfkit")
    .description("BTF/ELF toolchain for eBPF")
    .option("-j, --json", "JSON output (like bpftool -j)")
    .option("-p, --pretty", "pretty-printed JSON output (like bpftool -p)")
    .option("-B, --base-btf <file>", "base BTF for split (module) BTF")
    .option("-V, --version", "print the version (like bpftool -V)")
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // `-V` and `btfkit version`, as bpftool has both; with -j/-p as JSON.
  const printVersion = async () => {
    const g = program.opts<{ json?: boolean; pretty?: boolean }>();
    await emit(versionText(g.json || g.pretty ? (g.pretty ? "pretty" : "json") : "text"));
  };
  program.command("version").description("print the version and the bpftool dialects of format c").action(printVersion);
  program.addCommand(btfCommand());
  program.addCommand(coreCommand());
  overrideExits(program);
  try {
    // `btfkit [-j|-p] -V`: global options alone, one of them -V (commander would ask for a command).
    const words = argv.slice(2);
    if (words.some((w) => w === "-V" || w === "--version") && words.every((w) => /^(-V|--version|-j|--json|-p|--pretty)$/.test(w))) {
      program.parseOptions(words);
      await printVersion();
      return 0;
    }
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof StdoutClosed) return EXIT_PIPE;
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`btfkit: error: ${msg}\n`);
    return exitCodeFor(err);
  } finally {
    // A signal held back while an output was being written takes effect here.
    await settleSignals();
  }
}

process.exitCode = await main(process.argv);
