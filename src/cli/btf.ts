/** `btfkit btf ...`: dump BTF like `bpftool btf dump`. */
import { Command, InvalidArgumentError } from "commander";
import { Btf, dumpCBytes, dumpJson, dumpRawBytes, loadBtf } from "../index.js";
import { emit, readInput } from "./io.js";
import { UsageError } from "./errors.js";

export interface DumpArgs {
  file: string;
  format: "raw" | "c";
  rootIds: number[];
}

/** Parses bpftool's keyword syntax: `file PATH [format raw|c] [root_id ID]...`. */
export function parseDumpArgs(words: string[]): DumpArgs {
  let file: string | undefined;
  let format: "raw" | "c" = "raw";
  const rootIds: number[] = [];
  for (let i = 0; i < words.length; i++) {
    const key = words[i];
    const value = words[i + 1];
    if (value === undefined) throw new UsageError(`'${key}' needs an argument`);
    i++;
    switch (key) {
      case "file":
        if (file !== undefined) throw new UsageError("only one 'file' is supported");
        file = value;
        break;
      case "format":
        if (value !== "raw" && value !== "c") throw new UsageError(`unknown format '${value}' (want raw or c)`);
        format = value;
        break;
      case "root_id":
        rootIds.push(parseTypeId(value));
        break;
      default:
        throw new UsageError(`unexpected '${key}' (want: file PATH [format raw|c] [root_id ID])`);
    }
  }
  if (file === undefined) throw new UsageError("missing 'file PATH'");
  return { file, format, rootIds };
}

function parseTypeId(s: string): number {
  if (!/^\d+$/.test(s)) throw new InvalidArgumentError(`'${s}' is not a type id`);
  return Number(s);
}

/** Split BTF under /sys/kernel/btf/ gets vmlinux as its base, as bpftool does. */
function implicitBase(file: string): string | undefined {
  const m = /^\/sys\/kernel\/btf\/([^/]+)$/.exec(file);
  return m && m[1] !== "vmlinux" ? "/sys/kernel/btf/vmlinux" : undefined;
}

/** Loads BTF from a file, naming the file in any error. */
function loadFile(file: string, base?: Btf): Btf {
  try {
    return loadBtf(readInput(file), { base });
  } catch (err) {
    if (err instanceof Error) err.message = `${file}: ${err.message}`;
    throw err;
  }
}

export function openBtf(file: string, baseFile?: string): Btf {
  const basePath = baseFile ?? implicitBase(file);
  return loadFile(file, basePath ? loadFile(basePath) : undefined);
}

export interface GlobalOptions {
  json?: boolean;
  pretty?: boolean;
  baseBtf?: string;
  output?: string;
}

export function btfCommand(): Command {
  const btf = new Command("btf").description("inspect BTF (like bpftool btf)");
  btf
    .command("dump")
    .description("dump BTF types: dump file PATH [format raw|c] [root_id ID]...")
    .argument("<words...>", "file PATH [format raw|c] [root_id ID]...")
    .option("-o, --output <file>", "write to FILE (atomically) instead of stdout")
    .action(async (words: string[], _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const args = parseDumpArgs(words);
      const b = openBtf(args.file, opts.baseBtf);
      for (const id of args.rootIds) {
        if (!b.hasType(id)) throw new UsageError(`root_id ${id} is out of range (1..${b.count - 1})`);
      }
      const ids = args.rootIds.length ? args.rootIds : undefined;
      const pretty = opts.pretty === true;
      if (args.format === "c" && (opts.json || pretty)) throw new UsageError("format c has no JSON output");
      const out =
        args.format === "c"
          ? dumpCBytes(b, { rootIds: ids })
          : opts.json || pretty
            ? dumpJson(b, { ids, pretty })
            : dumpRawBytes(b, { ids });
      await emit(out, opts.output);
    });
  return btf;
}
