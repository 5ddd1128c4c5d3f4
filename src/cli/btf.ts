/** `btfkit btf ...`: dump BTF like `bpftool btf dump`. */
import { Command, Option } from "commander";
import { dumpCChunks } from "../btf/dump-c/index.js";
import { dumpJsonChunks } from "../btf/dump-json.js";
import { dumpRawChunks } from "../btf/dump-raw.js";
import { Btf, BtfkitError, type CDialect, dedupBtf, dedupObject, isElf, loadBtf, mergeBtf, mergeKernelModules, resolveRoots } from "../index.js";
import { UsageError } from "./errors.js";
import { emit, loadBtfFile, nameFile, withInput, type Output } from "./io.js";

interface DumpArgs {
  files: string[];
  format: "raw" | "c";
  /** `format c sorted` / `format c unsorted`; undefined when not given. */
  sorted?: boolean;
  rootIds: string[];
}

/** Parses bpftool's keyword syntax: `file PATH... [format raw|c [sorted|unsorted]] [root_id ID]...`. */
function parseDumpArgs(words: string[]): DumpArgs {
  const args: DumpArgs = { files: [], format: "raw", rootIds: [] };
  for (let i = 0; i < words.length; i++) {
    const key = words[i];
    const value = words[i + 1];
    if (value === undefined) throw new UsageError(`'${key}' needs an argument`);
    i++;
    switch (key) {
      case "file":
        args.files.push(value);
        break;
      case "format":
        if (value !== "raw" && value !== "c") throw new UsageError(`unknown format '${value}' (want raw or c)`);
        args.format = value;
        if (value === "c" && (words[i + 1] === "sorted" || words[i + 1] === "unsorted")) {
          args.sorted = words[++i] === "sorted";
        }
        break;
      case "root_id":
        if (!/^\d+$/.test(value)) throw new UsageError(`root_id '${value}' is not a type id`);
        args.rootIds.push(value);
        break;
      default:
        throw new UsageError(`unexpected '${key}' (want: file PATH [format raw|c] [root_id ID])`);
    }
  }
  if (!args.files.length) throw new UsageError("missing 'file PATH'");
  return args;
}

/** Split BTF under /sys/kernel/btf/ gets vmlinux as its base, as bpftool does. */
function implicitBase(file: string): string | undefined {
  const m = /^\/sys\/kernel\/btf\/([^/]+)$/.exec(file);
  return m && m[1] !== "vmlinux" ? "/sys/kernel/btf/vmlinux" : undefined;
}

/**
 * One file: itself, on `-B BASE` if given. Several files: split blobs merged
 * over `-B BASE`, or, without -B, over the first file (vmlinux + modules),
 * as the given bpftool merges them.
 */
function openBtf(files: string[], baseFile: string | undefined, dialect: CDialect): Btf {
  if (files.length === 1) {
    const basePath = baseFile ?? implicitBase(files[0]);
    return loadBtfFile(files[0], basePath ? loadBtfFile(basePath) : undefined);
  }
  const base = loadBtfFile(baseFile ?? files[0]);
  const modules = (baseFile ? files : files.slice(1)).map((f) => loadBtfFile(f, base));
  return mergeKernelModules(base, modules, dialect);
}

export interface GlobalOptions {
  json?: boolean;
  pretty?: boolean;
  baseBtf?: string;
  output?: string;
  sort?: boolean;
  root?: string[];
  bpftool?: CDialect;
  kfuncs?: boolean;
  exclude?: string[];
  guardKfuncs?: boolean;
}

/** Commander argument parser for a repeatable option. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function btfCommand(): Command {
  const btf = new Command("btf").description("inspect BTF (like bpftool btf)");
  btf
    .command("dump")
    .description("dump BTF types: dump file PATH... [format raw|c [sorted|unsorted]] [root_id ID]...")
    .argument("<words...>", "file PATH... [format raw|c [sorted|unsorted]] [root_id ID]...")
    .option("-o, --output <file>", "write to FILE (atomically) instead of stdout ('-': stdout)")
    .addOption(new Option("--bpftool <version>", "format c: the header of this bpftool").choices(["7.8", "7.1"]).default("7.8"))
    .option("--sort", "format c: sorted, independent of type ids and keeping every type (unlike bpftool 7.8's own sorted order)")
    .addOption(new Option("--root <name|id>", "format c: only this type and what it needs (repeatable, globs allowed)").argParser(collect))
    .option("--no-kfuncs", "format c (7.8): leave out the kfunc prototype block")
    .addOption(new Option("--exclude <name|glob>", "format c (7.8): leave this kfunc out of the block (repeatable)").argParser(collect))
    .option("--guard-kfuncs", "format c (7.8): guard each kfunc prototype with #ifndef BPF_NO_KFUNC_<name>")
    .action(async (words: string[], _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const args = parseDumpArgs(words);
      const dialect = opts.bpftool ?? "7.8";
      const b = openBtf(args.files, opts.baseBtf, dialect);
      const roots = [...args.rootIds, ...(opts.root ?? [])];
      const ids = roots.length ? resolveRoots(b, roots) : undefined;
      const pretty = opts.pretty === true;
      if (args.format === "c" && (opts.json || pretty)) throw new UsageError("format c has no JSON output");
      const sorted = args.sorted ?? (opts.sort ? true : undefined);
      const stableOrder = opts.sort === true;
      // Every dump streams: at most a chunk of its text is held, whatever its size.
      const out: Output =
        args.format === "c"
          ? (write) => dumpCChunks(b, { dialect, rootIds: ids, sorted, stableOrder, kfuncs: opts.kfuncs, excludeKfuncs: opts.exclude, guardKfuncs: opts.guardKfuncs }, write)
          : opts.json || pretty
            ? (write) => dumpJsonChunks(b, { ids, pretty }, write)
            : (write) => dumpRawChunks(b, { ids }, write);
      try {
        await emit(out, opts.output);
      } catch (err) {
        // A dump that fails part way (past the output limit) fails because of its input.
        throw err instanceof BtfkitError ? nameFile(args.files.join(", "), err) : err;
      }
    });
  btf
    .command("dedup")
    .description("deduplicate BTF as libbpf's btf__dedup does; an ELF object keeps its sections, with .BTF and .BTF.ext rewritten")
    .argument("<input>", "raw BTF, or an ELF object with .BTF")
    .requiredOption("-o, --output <file>", "output file (written atomically; '-': stdout)")
    .action(async (input: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const base = opts.baseBtf ? loadBtfFile(opts.baseBtf) : undefined;
      const out = withInput(input, (bytes) => (isElf(bytes) ? dedupObject(bytes, { base }).output : dedupBtf(loadBtf(bytes, { base })).bytes));
      await emit(out, opts.output);
    });
  btf
    .command("merge")
    .description("concatenate BTF blobs and deduplicate them into one (btf__add_btf of each, then btf__dedup)")
    .argument("<inputs...>", "raw BTF or ELF objects; with -B, raw inputs are split BTF on BASE and objects are standalone")
    .requiredOption("-o, --output <file>", "output file (written atomically; '-': stdout)")
    .action(async (inputs: string[], _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const base = opts.baseBtf ? loadBtfFile(opts.baseBtf) : undefined;
      const blobs = inputs.map((f) => withInput(f, (bytes) => loadBtf(bytes, { base: isElf(bytes) ? undefined : base })));
      await emit(mergeBtf(blobs, { base }).bytes, opts.output);
    });
  return btf;
}
