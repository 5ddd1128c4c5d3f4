/**
 * btfkit command line: a thin commander layer over the library. The
 * executable is bin.ts, which runs this module bundled (see scripts/build-cli.ts).
 */
import { Command, CommanderError } from "commander";
import { BtfkitError, CoreRelocationError, KconfigError } from "../errors.js";
import { btfCommand } from "./btf.js";
import { completionCommand } from "./completion.js";
import { coreCommand } from "./core.js";
import { genCommand } from "./gen.js";
import { CommandFailed, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_PIPE, EXIT_RELOCATION, EXIT_USAGE, StdoutClosed, UsageError, systemReason } from "./errors.js";
import { emit, onStdoutLine, settleSignals } from "./io.js";
import { versionRequest, versionText } from "./version.js";

/**
 * Exit codes (src/cli/errors.ts): 0 success, 1 I/O or unexpected failure,
 * 2 usage, 3 invalid input, 4 a relocation or extern that cannot be resolved.
 * A process ended by SIGINT, SIGTERM or SIGHUP dies of that signal (128+N in
 * the shell); see io.ts for what it leaves behind.
 */
function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT_USAGE;
  if (err instanceof CommandFailed) return err.exitCode;
  if (err instanceof CoreRelocationError || err instanceof KconfigError) return EXIT_RELOCATION;
  if (err instanceof BtfkitError) return EXIT_BAD_INPUT;
  return EXIT_FAILURE;
}

/**
 * Commander exits the process on usage errors and prints them its own way;
 * we want an exception, so the exit code and the message's style stay ours.
 */
function overrideExits(cmd: Command): void {
  cmd.exitOverride().configureOutput({ outputError: () => {} }).configureHelp({ helpWidth: HELP_WIDTH });
  for (const sub of cmd.commands) overrideExits(sub);
}

/**
 * bpftool takes a prefix of a command's name (`btf d` is `btf dump`): the
 * first command, in the order they are listed, that the word begins.
 * Commander wants whole names, so command words are completed before it
 * parses. Options (and the values of those that take one) are stepped over.
 */
function completeCommandWords(program: Command, words: string[]): string[] {
  const out = [...words];
  const options = [...program.options];
  let cmd = program;
  for (let i = 0; i < out.length && cmd.commands.length; i++) {
    const word = out[i];
    if (word === "--") break;
    if (word.startsWith("-") && word !== "-") {
      const opt = options.find((o) => o.short === word || o.long === word);
      if (opt?.required && i + 1 < out.length) {
        const value = out[++i];
        // `btfkit -B btf dump ...`: the command was taken as -B's file.
        if (cmd.commands.some((c) => c.name() === value) && !commandFor(cmd, out[i + 1] ?? "")) {
          throw new UsageError(`${word} needs a file: '${value}' is a command (usage: btfkit ${word} FILE ${value} ...)`);
        }
      }
      continue;
    }
    const sub = commandFor(cmd, word);
    if (!sub) break;
    out[i] = sub.name();
    cmd = sub;
    options.push(...sub.options);
  }
  return out;
}

/** The subcommand `word` names in full, else the first whose name it begins. */
function commandFor(cmd: Command, word: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === word) ?? (word ? cmd.commands.find((c) => c.name().startsWith(word)) : undefined);
}

/**
 * An error as the CLI reports it: `btfkit: PATH: what` on stderr, or, in
 * JSON mode, `{"error": "PATH: what"}` on stdout and nothing on stderr, as
 * bpftool does.
 */
function reportError(message: string, json: "json" | "pretty" | undefined): void {
  if (json) process.stdout.write(onStdoutLine(`${JSON.stringify({ error: message }, null, json === "pretty" ? 4 : undefined)}\n`));
  else process.stderr.write(`btfkit: ${message}\n`);
}

/**
 * Help is wrapped at this width whatever the terminal, so that the help the
 * executable keeps ready (bin.ts) is the same text commander would print.
 */
export const HELP_WIDTH = 80;

async function printVersion(program: Command): Promise<void> {
  const g = program.opts<{ json?: boolean; pretty?: boolean }>();
  await emit(versionText(g.json || g.pretty ? (g.pretty ? "pretty" : "json") : "text"));
}

/** The command tree: every command, its options and its action. */
export function buildProgram(): Command {
  const program = new Command("btfkit")
    .description("BTF/ELF toolchain for eBPF")
    .option("-j, --json", "JSON output (like bpftool -j)")
    .option("-p, --pretty", "pretty-printed JSON output (like bpftool -p)")
    .option("-B, --base-btf <file>", "base BTF for split (module) BTF")
    .option("-V, --version", "print the version (like bpftool -V)")
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  // `-V` and `btfkit version`, as bpftool has both; with -j/-p as JSON.
  program.command("version").description("print the version and the bpftool dialects of format c").action(() => printVersion(program));
  program.addCommand(btfCommand());
  program.addCommand(coreCommand());
  program.addCommand(genCommand());
  program.addCommand(completionCommand(program));
  overrideExits(program);
  return program;
}

/** Runs the command line `argv` (process.argv's shape) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    // `btfkit [-j|-p] -V`: global options alone, one of them -V (commander would ask for a command).
    const words = argv.slice(2);
    const version = versionRequest(words);
    if (version) {
      await emit(versionText(version));
      return 0;
    }
    await program.parseAsync(completeCommandWords(program, words), { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof StdoutClosed) return EXIT_PIPE;
    if (err instanceof CommanderError && err.exitCode === 0) return 0;
    // A command without its subcommand: commander has printed its help to stderr.
    if (err instanceof CommanderError && err.code === "commander.help") return EXIT_USAGE;
    const g = program.opts<{ json?: boolean; pretty?: boolean }>();
    const message = err instanceof CommanderError ? err.message.replace(/^error: /, "") : (systemReason(err) ?? (err instanceof Error ? err.message : String(err)));
    reportError(message, g.pretty ? "pretty" : g.json ? "json" : undefined);
    return err instanceof CommanderError ? EXIT_USAGE : exitCodeFor(err);
  } finally {
    // A signal held back while an output was being written takes effect here.
    await settleSignals();
  }
}

