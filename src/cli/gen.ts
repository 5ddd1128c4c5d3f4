/** `btfkit gen ...`: what bpftool's `gen` builds (`min_core_btf`), and TypeScript types (`types`). */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command, Option } from "commander";
import { BtfkitError, CoreRelocationError, generateTypes, minimizeBtf, type BpfObject, type Btf, type MinimizeOptions, type MinimizeResult } from "../index.js";
import { CommandFailed, EXIT_BAD_INPUT, EXIT_RELOCATION, UsageError } from "./errors.js";
import { kernelFiles, loadKernelFile, unpackedName } from "./archive.js";
import { emit, loadBtfFile, nameFile, openObjectFiles, sameOutput, writeFileAtomic } from "./io.js";
import type { GlobalOptions } from "./btf.js";
import { defaultJobs, runPool, serveWorker, workerSetupFor } from "./pool.js";

interface MinCoreOptions extends GlobalOptions {
  byteOrder?: MinimizeOptions["byteOrder"];
  keepGoing?: boolean;
  report?: string;
  inputDir?: string;
  outputDir?: string;
  jobs?: string;
}

const USAGE = "INPUT OUTPUT OBJECT... | --input-dir IN --output-dir OUT OBJECT...";

/** One kernel's entry in a --report. */
interface KernelReport {
  input: string;
  output?: string;
  error?: string;
  failed?: number;
  types?: MinimizeResult["types"];
  relocations?: MinimizeResult["relocations"];
}

function reportEntry(input: string, output: string, r: MinimizeResult): KernelReport {
  return { input, output, failed: r.failed, types: r.types, relocations: r.relocations };
}

function warnFailures(input: string, failed: number | undefined): void {
  if (failed) process.stderr.write(`btfkit: warning: ${input}: ${failed} relocation(s) failed and kept nothing (--keep-going; --report lists them)\n`);
}

/** Minimizes one kernel file; errors name the file they are about. */
async function minimizeFile(input: string, base: Btf | undefined, objects: Array<{ name: string; object: BpfObject }>, opts: MinimizeOptions): Promise<MinimizeResult> {
  const target = await loadKernelFile(input, base);
  try {
    return minimizeBtf(target, objects, opts);
  } catch (e) {
    // Errors about an object already start with its name; others are the kernel's.
    throw e instanceof BtfkitError && !objects.some((o) => e.message.startsWith(`${o.name}: `)) ? nameFile(input, e) : e;
  }
}

// --- batch: kernels on worker threads --------------------------------------------------

const TASK = "min_core_btf";

interface WorkerSetup {
  objects: string[];
  base?: string;
  options: MinimizeOptions;
}

type JobResult = { input: string; output: string; report?: KernelReport; error?: string; relocationError?: boolean };

interface BatchJob {
  input: string;
  output: string;
}

/** One kernel of a batch, on whichever thread: written, or why not. */
async function runJob({ input, output }: BatchJob, base: Btf | undefined, objects: Array<{ name: string; object: BpfObject }>, options: MinimizeOptions): Promise<JobResult> {
  try {
    const r = await minimizeFile(input, base, objects, options);
    writeFileAtomic(output, r.bytes);
    return { input, output, report: reportEntry(input, output, r) };
  } catch (e) {
    return { input, output, error: e instanceof Error ? e.message : String(e), relocationError: e instanceof CoreRelocationError };
  }
}

const workerSetup = workerSetupFor<WorkerSetup>(TASK);
if (workerSetup) {
  const setup = workerSetup;
  serveWorker(() => {
    const base = setup.base ? loadBtfFile(setup.base) : undefined;
    const objects = openObjectFiles(setup.objects);
    return (job: BatchJob) => runJob(job, base, objects, setup.options);
  });
}

async function runBatch(inDir: string, outDir: string, objectFiles: string[], opts: MinCoreOptions, options: MinimizeOptions): Promise<void> {
  const inputs = kernelFiles(inDir);
  if (!inputs.length) throw new UsageError(`--input-dir ${inDir}: no files in it`);
  // Objects are parsed here first, so a bad object fails the run before any kernel is read.
  const objects = openObjectFiles(objectFiles);
  const base = opts.baseBtf ? loadBtfFile(opts.baseBtf) : undefined;
  fs.mkdirSync(outDir, { recursive: true });
  const jobs = opts.jobs ? Number(opts.jobs) : defaultJobs(inputs.length);
  const outputs = new Map<string, string>();
  for (const n of inputs) {
    const other = outputs.get(unpackedName(n));
    if (other !== undefined) throw new UsageError(`--input-dir ${inDir}: ${other} and ${n} would both be written to ${unpackedName(n)}`);
    outputs.set(unpackedName(n), n);
  }
  // btfhub-archive's NAME.btf.tar.xz becomes OUT/NAME.btf.
  const items = inputs.map((n) => ({ input: path.join(inDir, n), output: path.join(outDir, unpackedName(n)) }));
  const reports = new Map<string, KernelReport>();
  const failures: Array<{ input: string; error: string; relocationError: boolean }> = [];
  const setup: WorkerSetup = { objects: objectFiles, base: opts.baseBtf, options };
  await runPool<BatchJob, JobResult>({
    items,
    jobs,
    here: (job) => runJob(job, base, objects, options),
    workerFile: fileURLToPath(import.meta.url),
    workerStart: { task: TASK, setup },
    label: (job) => path.basename(job.input),
    done: (_job, m) => {
      if (m.error !== undefined) failures.push({ input: m.input, error: m.error, relocationError: m.relocationError === true });
      reports.set(m.input, m.report ?? { input: m.input, error: m.error });
    },
  });
  const total = items.length;
  if (opts.report) await emit(JSON.stringify({ kernels: inputs.map((n) => reports.get(path.join(inDir, n))) }, null, 2) + "\n", opts.report);
  for (const n of inputs) warnFailures(path.join(inDir, n), reports.get(path.join(inDir, n))?.failed);
  if (!failures.length) return;
  failures.sort((a, b) => (a.input < b.input ? -1 : 1));
  for (const f of failures) process.stderr.write(`btfkit: ${f.error}\n`);
  throw new CommandFailed(
    `${failures.length} of ${total} kernels failed (listed above); the other ${total - failures.length} were written`,
    failures.every((f) => f.relocationError) ? EXIT_RELOCATION : EXIT_BAD_INPUT,
  );
}

export function genCommand(): Command {
  const gen = new Command("gen").description("generate files from BPF objects and BTF (like bpftool gen)");
  gen
    .command("min_core_btf")
    .description("the minimal BTF a kernel needs to relocate the objects (bpftool gen min_core_btf), for btf_custom_path")
    .argument("[files...]", USAGE)
    .addOption(new Option("--bpftool <version>", "byte-identical to this bpftool's output (7.8: 32-byte header; 7.1: 24)").choices(["7.8", "7.1"]).default("7.8"))
    .addOption(new Option("--byte-order <order>", "byte order of the output (default: this machine's, as bpftool)").choices(["little", "big", "input"]))
    .option("--keep-going", "where bpftool gives up on a relocation (ambiguity, failure), keep what the others need and report it")
    .option("--report <file>", "write, per kernel, every relocation with its outcome and the types kept, as JSON")
    .option("--input-dir <dir>", "minimize every kernel BTF file in DIR (batch; objects parsed once, kernels in parallel)")
    .option("--output-dir <dir>", "with --input-dir: where each kernel's minimized BTF goes, under the same name")
    .option("--jobs <n>", "with --input-dir: threads sharing the kernels (default: one, and one more per 32 kernels up to the number of CPUs)")
    .action(async (files: string[], _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<MinCoreOptions>();
      const options: MinimizeOptions = { bpftool: opts.bpftool ?? "7.8", byteOrder: opts.byteOrder, keepGoing: opts.keepGoing };
      if (opts.jobs !== undefined && !/^[1-9][0-9]*$/.test(opts.jobs)) throw new UsageError(`--jobs ${opts.jobs}: want a positive number`);
      if (opts.inputDir !== undefined || opts.outputDir !== undefined) {
        if (opts.inputDir === undefined || opts.outputDir === undefined) throw new UsageError("gen min_core_btf: --input-dir and --output-dir go together");
        if (!files.length) throw new UsageError(`gen min_core_btf: missing OBJECT (usage: gen min_core_btf ${USAGE})`);
        await runBatch(opts.inputDir, opts.outputDir, files, opts, options);
        return;
      }
      if (files.length < 3) throw new UsageError(`gen min_core_btf: want INPUT OUTPUT OBJECT... (usage: gen min_core_btf ${USAGE})`);
      const [input, output, ...objectFiles] = files;
      if (opts.report && sameOutput(opts.report, output)) throw new UsageError(`--report ${opts.report} is the output ${output}: it would be overwritten`);
      const base = opts.baseBtf ? loadBtfFile(opts.baseBtf) : undefined;
      const objects = openObjectFiles(objectFiles);
      const r = await minimizeFile(input, base, objects, options);
      await emit(r.bytes, output);
      if (opts.report) await emit(JSON.stringify({ kernels: [reportEntry(input, output, r)] }, null, 2) + "\n", opts.report);
      warnFailures(input, r.failed);
    });
  gen
    .command("types")
    .description("a TypeScript module with interfaces and exact DataView codecs for the object's map keys and values, data sections and --type types")
    .argument("<object>", "BPF object (clang -g)")
    .option("--type <name>", "also generate this type: NAME, or 'struct NAME', 'union NAME', 'enum NAME', 'typedef NAME' (repeatable)", (v: string, all: string[]) => [...all, v], [] as string[])
    .option("-o, --output <file>", "write to FILE (atomically) instead of stdout ('-': stdout)")
    .action(async (object: string, opts: { type?: string[]; output?: string }) => {
      const [{ object: obj }] = openObjectFiles([object]);
      let text: string;
      try {
        text = generateTypes(obj, { types: opts.type, source: path.basename(object) });
      } catch (e) {
        throw nameFile(object, e);
      }
      await emit(text, opts.output);
    });
  return gen;
}
