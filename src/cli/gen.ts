/** `btfkit gen ...`: what bpftool's `gen` builds; for now `min_core_btf`. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { Command, Option } from "commander";
import { BtfkitError, CoreRelocationError, loadBtf, minimizeBtf, openBpfObject, type BpfObject, type Btf, type MinimizeOptions, type MinimizeResult } from "../index.js";
import { CommandFailed, EXIT_BAD_INPUT, EXIT_RELOCATION, UsageError } from "./errors.js";
import { kernelBtfBytes, unpackedName } from "./archive.js";
import { emit, loadBtfFile, nameFile, readInput, sameOutput, withInput, writeFileAtomic } from "./io.js";
import type { GlobalOptions } from "./btf.js";

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

function openObjects(files: readonly string[]): Array<{ name: string; object: BpfObject }> {
  return files.map((f) => ({ name: f, object: withInput(f, (bytes) => openBpfObject(bytes)) }));
}

function warnFailures(input: string, failed: number | undefined): void {
  if (failed) process.stderr.write(`btfkit: warning: ${input}: ${failed} relocation(s) failed and kept nothing (--keep-going; --report lists them)\n`);
}

/** Minimizes one kernel file; errors name the file they are about. */
async function minimizeFile(input: string, base: Btf | undefined, objects: Array<{ name: string; object: BpfObject }>, opts: MinimizeOptions): Promise<MinimizeResult> {
  let target: Btf;
  try {
    target = loadBtf(await kernelBtfBytes(readInput(input)), { base });
  } catch (e) {
    throw nameFile(input, e);
  }
  try {
    return minimizeBtf(target, objects, opts);
  } catch (e) {
    // Errors about an object already start with its name; others are the kernel's.
    throw e instanceof BtfkitError && !objects.some((o) => e.message.startsWith(`${o.name}: `)) ? nameFile(input, e) : e;
  }
}

// --- batch: kernels on worker threads --------------------------------------------------

interface WorkerSetup {
  btfkitMinCoreWorker: true;
  objects: string[];
  base?: string;
  options: MinimizeOptions;
}

type WorkerReply = { input: string; output: string; report?: KernelReport; error?: string; relocationError?: boolean };

/** A worker: parses the objects (and base) once, then minimizes each kernel it is sent. */
function runWorker(setup: WorkerSetup): void {
  const port = parentPort!;
  let objects: Array<{ name: string; object: BpfObject }>;
  let base: Btf | undefined;
  try {
    base = setup.base ? loadBtfFile(setup.base) : undefined;
    objects = openObjects(setup.objects);
  } catch (e) {
    port.postMessage({ fatal: e instanceof Error ? e.message : String(e), relocationError: e instanceof CoreRelocationError });
    return;
  }
  port.on("message", (job: BatchJob) => void runJob(job, base, objects, setup.options).then((reply) => port.postMessage(reply)));
}

interface BatchJob {
  input: string;
  output: string;
}

/** One kernel of a batch, on whichever thread: written, or why not. */
async function runJob({ input, output }: BatchJob, base: Btf | undefined, objects: Array<{ name: string; object: BpfObject }>, options: MinimizeOptions): Promise<WorkerReply> {
  try {
    const r = await minimizeFile(input, base, objects, options);
    writeFileAtomic(output, r.bytes);
    return { input, output, report: reportEntry(input, output, r) };
  } catch (e) {
    return { input, output, error: e instanceof Error ? e.message : String(e), relocationError: e instanceof CoreRelocationError };
  }
}

if (!isMainThread && (workerData as WorkerSetup | undefined)?.btfkitMinCoreWorker) runWorker(workerData as WorkerSetup);

/** The files of IN that may be kernel BTF, by name; others (a README) are skipped when they do not parse. */
function kernelFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (e) {
    throw nameFile(dir, e);
  }
  return names
    .filter((n) => !n.startsWith("."))
    .sort()
    .filter((n) => fs.statSync(path.join(dir, n)).isFile());
}

async function runBatch(inDir: string, outDir: string, objectFiles: string[], opts: MinCoreOptions, options: MinimizeOptions): Promise<void> {
  const inputs = kernelFiles(inDir);
  if (!inputs.length) throw new UsageError(`--input-dir ${inDir}: no files in it`);
  // Objects are parsed here first, so a bad object fails the run before any kernel is read.
  const objects = openObjects(objectFiles);
  const base = opts.baseBtf ? loadBtfFile(opts.baseBtf) : undefined;
  fs.mkdirSync(outDir, { recursive: true });
  const jobs = Math.max(1, Math.min(inputs.length, opts.jobs ? Number(opts.jobs) : os.availableParallelism()));
  const setup: WorkerSetup = { btfkitMinCoreWorker: true, objects: objectFiles, base: opts.baseBtf, options };
  const outputs = new Map<string, string>();
  for (const n of inputs) {
    const other = outputs.get(unpackedName(n));
    if (other !== undefined) throw new UsageError(`--input-dir ${inDir}: ${other} and ${n} would both be written to ${unpackedName(n)}`);
    outputs.set(unpackedName(n), n);
  }
  // btfhub-archive's NAME.btf.tar.xz becomes OUT/NAME.btf.
  const queue = inputs.map((n) => ({ input: path.join(inDir, n), output: path.join(outDir, unpackedName(n)) }));
  const total = queue.length;
  const reports = new Map<string, KernelReport>();
  const failures: Array<{ input: string; error: string; relocationError: boolean }> = [];
  const progress = process.stderr.isTTY;
  let done = 0;
  const finish = (m: WorkerReply) => {
    done++;
    if (m.error !== undefined) failures.push({ input: m.input, error: m.error, relocationError: m.relocationError === true });
    reports.set(m.input, m.report ?? { input: m.input, error: m.error });
    if (progress) process.stderr.write(`\r\x1b[Kbtfkit: ${done}/${total} ${path.basename(m.input)}`);
  };
  // This thread is one of the jobs: it has the objects parsed and its code compiled already.
  const here = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      finish(await runJob(job, base, objects, options));
      // Let workers' replies in, so they get their next kernel without waiting for this one's.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const workerFile = fileURLToPath(import.meta.url);
  const worker = () => {
    const w = new Worker(workerFile, { workerData: setup });
    let inFlight = 0;
    return new Promise<void>((resolve, reject) => {
      // Two kernels in flight: the next is queued in the worker while it works on one.
      const feed = () => {
        while (inFlight < 2 && queue.length) {
          w.postMessage(queue.shift());
          inFlight++;
        }
        if (!inFlight) void w.terminate().then(() => resolve());
      };
      w.on("message", (m: WorkerReply & { fatal?: string }) => {
        if (m.fatal !== undefined) {
          reject(new Error(m.fatal));
          void w.terminate();
          return;
        }
        inFlight--;
        finish(m);
        feed();
      });
      w.on("error", reject);
      feed();
    });
  };
  await Promise.all([...Array.from({ length: jobs - 1 }, worker), here()]);
  if (progress) process.stderr.write("\r\x1b[K");
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
    .option("--jobs <n>", "with --input-dir: worker threads (default: the number of CPUs)")
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
      const objects = openObjects(objectFiles);
      const r = await minimizeFile(input, base, objects, options);
      await emit(r.bytes, output);
      if (opts.report) await emit(JSON.stringify({ kernels: [reportEntry(input, output, r)] }, null, 2) + "\n", opts.report);
      warnFailures(input, r.failed);
    });
  return gen;
}
