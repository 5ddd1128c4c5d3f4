/** `btfkit btf ...`: dump BTF like `bpftool btf dump`. */
import { Command, Option } from "commander";
import { dumpCChunks } from "../btf/dump-c/index.js";
import { dumpExtChunks } from "../btf/dump-ext.js";
import { dumpJsonChunks } from "../btf/dump-json.js";
import { dumpRawChunks } from "../btf/dump-raw.js";
import { dumpPaholeChunks } from "../btf/layout.js";
import { BpfObject, Btf, BtfkitError, type BtfDiff, type CDialect, diffBtf, diffJson, diffText, unusedKfuncExcludes, dedupBtf, dedupObject, isElf, loadBtf, mergeBtf, mergeKernelModules, resolveRoots } from "../index.js";
import { UsageError } from "./errors.js";
import { emit, loadBtfFile, nameFile, withInput, type Output } from "./io.js";

interface DumpArgs {
  files: string[];
  format: DumpFormat;
  /** `format c sorted` / `format c unsorted`; undefined when not given. */
  sorted?: boolean;
  rootIds: string[];
}

/*
 * `btf dump`'s keyword grammar, bpftool's: a source, then options. A word
 * stands for the first keyword of its list that it begins, in bpftool's
 * order (`btf d f X fo c`: `f` is file, `fo` format), as bpftool's
 * is_prefix does; values (raw, c, sorted) are whole words, as in bpftool.
 * Shell completion is generated from these lists.
 */
/** Where BTF comes from, in bpftool's order; only `file` is supported here. */
export const DUMP_SOURCES = ["map", "prog", "file", "id"] as const;
/** Keywords after the source, in bpftool's order. */
export const DUMP_OPTIONS = ["file", "format", "root_id"] as const;
/** Values of `format`. */
export const DUMP_FORMATS = ["raw", "c", "ext", "pahole"] as const;
/** Words that may follow `format c`. */
export const C_ORDERS = ["sorted", "unsorted"] as const;

type DumpFormat = (typeof DUMP_FORMATS)[number];

/** The first of `keywords` that `word` begins (bpftool's is_prefix), if any. */
export function keywordFor<K extends string>(word: string, keywords: readonly K[]): K | undefined {
  return word ? keywords.find((k) => k.startsWith(word)) : undefined;
}

const DUMP_USAGE = "file PATH... [format raw|c [sorted|unsorted]|ext|pahole] [root_id ID]...";

/** Parses bpftool's keyword syntax: `file PATH... [format raw|c [sorted|unsorted]] [root_id ID]...`. */
function parseDumpArgs(words: string[]): DumpArgs {
  const args: DumpArgs = { files: [], format: "raw", rootIds: [] };
  if (!words.length) throw new UsageError(`btf dump: missing 'file PATH' (usage: btf dump ${DUMP_USAGE})`);
  const source = keywordFor(words[0], DUMP_SOURCES);
  if (source !== undefined && source !== "file") {
    throw new UsageError(
      `btf dump ${source}: not supported: BTF by ${source} is read with the bpf() syscall, which btfkit (pure TypeScript) cannot make; ` +
        "dump the kernel's BTF with 'file /sys/kernel/btf/vmlinux' (a module's: /sys/kernel/btf/MODULE)",
    );
  }
  if (source === undefined) throw new UsageError(`btf dump: expected 'file PATH', not '${words[0]}' (usage: btf dump ${DUMP_USAGE})`);
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const key = keywordFor(word, DUMP_OPTIONS);
    if (key === undefined) {
      if ((C_ORDERS as readonly string[]).includes(word)) throw new UsageError(`'${word}' follows 'format c' only`);
      throw new UsageError(`unexpected '${word}' (usage: btf dump ${DUMP_USAGE})`);
    }
    const value = words[++i];
    if (value === undefined) throw new UsageError(`'${key}' needs ${key === "file" ? "a PATH" : key === "format" ? DUMP_FORMATS.join(", ") : "a type id"}`);
    switch (key) {
      case "file":
        args.files.push(value);
        break;
      case "format":
        if (!(DUMP_FORMATS as readonly string[]).includes(value)) throw new UsageError(`unknown format '${value}' (want ${DUMP_FORMATS.join(", ")})`);
        args.format = value as DumpFormat;
        if (value === "c" && (C_ORDERS as readonly string[]).includes(words[i + 1])) args.sorted = words[++i] === "sorted";
        break;
      case "root_id":
        if (!/^\d+$/.test(value)) throw new UsageError(`root_id '${value}' is not a type id`);
        args.rootIds.push(value);
        break;
    }
  }
  return args;
}

/**
 * Refuses options that the chosen output ignores or that contradict each
 * other, rather than silently doing something else than asked.
 */
function checkDumpOptions(args: DumpArgs, opts: GlobalOptions, dialectGiven: boolean): void {
  const formatC = [
    ["--sort", opts.sort],
    ["--no-kfuncs", opts.kfuncs === false],
    ["--exclude", opts.exclude !== undefined],
    ["--guard-kfuncs", opts.guardKfuncs],
  ] as const;
  if ((args.format === "c" || args.format === "pahole") && (opts.json || opts.pretty)) throw new UsageError(`format ${args.format} has no JSON output (-j, -p)`);
  for (const [flag, given] of formatC) {
    if (given && args.format !== "c") throw new UsageError(`${flag} applies to format c only`);
  }
  // Several files are merged as the given bpftool merges them, whatever the format.
  if (dialectGiven && args.format !== "c" && args.files.length === 1) throw new UsageError("--bpftool applies to format c, or to several files, only");
  if (args.format === "ext") {
    if (args.files.length > 1) throw new UsageError("format ext lists one object's .BTF.ext: give one file");
    if (args.rootIds.length || opts.root) throw new UsageError("root_id and --root do not apply to format ext");
    if (opts.baseBtf) throw new UsageError("format ext reads an object's own .BTF: -B does not apply");
  }
  if (args.sorted === false && opts.sort) throw new UsageError("'format c unsorted' contradicts --sort");
  for (const [flag, given] of formatC.slice(1)) {
    if (!given) continue;
    if (opts.bpftool === "7.1") throw new UsageError(`${flag} applies to --bpftool 7.8 only (bpftool 7.1 writes no kfunc block)`);
    if (flag !== "--no-kfuncs" && opts.kfuncs === false) throw new UsageError(`${flag} contradicts --no-kfuncs (there is no kfunc block)`);
  }
}

/**
 * The structs and unions among the root ids (pahole prints nothing else);
 * roots naming none of them are an error rather than an empty output.
 */
function paholeRoots(b: Btf, ids: number[], specs: string[]): number[] {
  const out = ids.filter((id) => b.kind(id) === "struct" || b.kind(id) === "union");
  if (!out.length) throw new UsageError(`format pahole prints structs and unions: ${specs.join(", ")} names none`);
  return out;
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

/** Help of a required `-o`. */
export const OUTPUT_HELP = "output file, required (written atomically; '-': stdout)";

/**
 * A required `-o OUT`, checked after the command's arguments: commander
 * checks required options first, so `btf dedup` alone would ask for -o
 * before its input.
 */
export function outputOf(opts: { output?: string }, command: string): string {
  if (opts.output === undefined) throw new UsageError(`${command}: missing -o OUT (the output file; '-' for stdout)`);
  return opts.output;
}

/** Commander argument parser for a repeatable option. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

export function btfCommand(): Command {
  const btf = new Command("btf").description("inspect BTF (like bpftool btf)");
  btf
    .command("dump")
    .description(`dump BTF types: dump ${DUMP_USAGE}`)
    .argument("[words...]", DUMP_USAGE)
    .option("-o, --output <file>", "write to FILE (atomically) instead of stdout ('-': stdout)")
    .addOption(new Option("--bpftool <version>", "format c: the header of this bpftool; several files: merged as it merges them").choices(["7.8", "7.1"]).default("7.8"))
    .option("--sort", "format c: sorted, independent of type ids and keeping every type (unlike bpftool 7.8's own sorted order)")
    .addOption(new Option("--root <name|id>", "only this type (repeatable, globs allowed; format c: and the types it needs), as root_id").argParser(collect))
    .option("--no-kfuncs", "format c (7.8): leave out the kfunc prototype block")
    .addOption(new Option("--exclude <name|glob>", "format c (7.8): leave this kfunc out of the block (repeatable)").argParser(collect))
    .option("--guard-kfuncs", "format c (7.8): guard each kfunc prototype with #ifndef BPF_NO_KFUNC_<name>")
    .action(async (words: string[], _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const args = parseDumpArgs(words);
      checkDumpOptions(args, opts, cmd.getOptionValueSource("bpftool") === "cli");
      const dialect = opts.bpftool ?? "7.8";
      const files = args.files.join(", ");
      const pretty = opts.pretty === true;
      if (args.format === "ext") {
        const obj = withInput(args.files[0], (bytes) => BpfObject.open(bytes));
        try {
          await emit((write) => dumpExtChunks(obj, { format: opts.json || pretty ? "json" : "text", pretty }, write), opts.output);
        } catch (err) {
          throw err instanceof BtfkitError ? nameFile(files, err) : err;
        }
        return;
      }
      const b = openBtf(args.files, opts.baseBtf, dialect);
      let out: Output;
      try {
        const roots = [...args.rootIds, ...(opts.root ?? [])];
        const ids = roots.length ? resolveRoots(b, roots) : undefined;
        const sorted = args.sorted ?? (opts.sort ? true : undefined);
        const stableOrder = opts.sort === true;
        for (const glob of unusedKfuncExcludes(b, opts.exclude ?? [])) {
          process.stderr.write(`btfkit: warning: ${files}: --exclude '${glob}' matches no kfunc\n`);
        }
        // Every dump streams: at most a chunk of its text is held, whatever its size.
        const paholeIds = args.format === "pahole" && ids ? paholeRoots(b, ids, roots) : undefined;
        out =
          args.format === "pahole"
            ? (write) => dumpPaholeChunks(b, { roots: paholeIds, sharedState: ids === undefined }, write)
            : args.format === "c"
            ? (write) => dumpCChunks(b, { dialect, rootIds: ids, sorted, stableOrder, kfuncs: opts.kfuncs, excludeKfuncs: opts.exclude, guardKfuncs: opts.guardKfuncs }, write)
            : opts.json || pretty
              ? (write) => dumpJsonChunks(b, { ids, pretty }, write)
              : (write) => dumpRawChunks(b, { ids }, write);
        await emit(out, opts.output);
      } catch (err) {
        // A root that names no type, a dump that fails part way (past the output limit): the input's.
        throw err instanceof BtfkitError ? nameFile(files, err) : err;
      }
    });
  btf
    .command("dedup")
    .description("deduplicate BTF as libbpf's btf__dedup does; an ELF object keeps its sections, with .BTF and .BTF.ext rewritten")
    .argument("<input>", "raw BTF, or an ELF object with .BTF")
    .option("-o, --output <file>", OUTPUT_HELP)
    .action(async (input: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const output = outputOf(opts, "btf dedup");
      const base = opts.baseBtf ? loadBtfFile(opts.baseBtf) : undefined;
      const out = withInput(input, (bytes) => (isElf(bytes) ? dedupObject(bytes, { base }).output : dedupBtf(loadBtf(bytes, { base })).bytes));
      await emit(out, output);
    });
  btf
    .command("merge")
    .description("concatenate BTF blobs and deduplicate them into one (btf__add_btf of each, then btf__dedup)")
    .argument("<inputs...>", "raw BTF or ELF objects; with -B, raw inputs are split BTF on BASE and objects are standalone")
    .option("-o, --output <file>", OUTPUT_HELP)
    .action(async (inputs: string[], _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const output = outputOf(opts, "btf merge");
      const base = opts.baseBtf ? loadBtfFile(opts.baseBtf) : undefined;
      const blobs = inputs.map((f) => withInput(f, (bytes) => loadBtf(bytes, { base: isElf(bytes) ? undefined : base })));
      await emit(mergeBtf(blobs, { base }).bytes, output);
    });
  btf
    .command("diff")
    .description("what changed between two BTFs: types added and removed, members moved, resized, retyped or renamed, enum values, prototypes")
    .argument("<old>", "raw BTF or an ELF with .BTF")
    .argument("<new>", "raw BTF or an ELF with .BTF")
    .addOption(new Option("--root <name|glob>", "only these types (repeatable): named structs, unions, enums, typedefs and funcs").argParser(collect))
    .option("--type-tags", "count type tags (__rcu, __user) as part of a type, which gcc-built kernels mostly lack")
    .option("-o, --output <file>", "write to FILE (atomically) instead of stdout ('-': stdout)")
    .action(async (oldFile: string, newFile: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { typeTags?: boolean }>();
      const base = opts.baseBtf ? loadBtfFile(opts.baseBtf) : undefined;
      const a = loadBtfFile(oldFile, base);
      const b = loadBtfFile(newFile, base);
      let d: BtfDiff;
      try {
        d = diffBtf(a, b, { roots: opts.root, typeTags: opts.typeTags });
      } catch (err) {
        // A root that names no type in either: the inputs'.
        throw err instanceof BtfkitError ? nameFile(`${oldFile}, ${newFile}`, err) : err;
      }
      await emit(opts.json || opts.pretty ? diffJson(d, { pretty: opts.pretty }) : diffText(d), opts.output);
    });
  return btf;
}
