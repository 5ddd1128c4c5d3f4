/**
 * `npm run fuzz [-- options]`: the fuzz campaign. Each stage's inputs are
 * split into chunks run by worker threads; a watchdog terminates a worker
 * whose current input runs longer than the per-input limit (a hang) and a
 * worker over its heap limit dies with an out-of-memory error; both are
 * recorded like bugs, and the worker's chunk resumes after that input.
 * Bugs (any exception that is not a BtfkitError) are minimized and saved
 * under test/fuzz/crashers/, which the test suite replays.
 *
 *   --seed N        campaign seed (default 1)
 *   --stages a,b    stages to run (default all: elf,btf,btf-ext,kconfig,dump,dedup,relocate,pipeline)
 *   --inputs N      inputs per stage (default 10000)
 *   --parser-inputs N / --stage-inputs N   override for parser / algorithm stages
 *   --seconds N     stop each stage after N seconds instead (the smoke run)
 *   --workers N     worker threads (default: CPUs)
 *   --save DIR      where to save crashers (default test/fuzz/crashers; "none" to keep nothing)
 *   --json FILE     also write the summary as JSON
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { PARSER_STAGES, STAGES, type Stage } from "./targets.js";
import { PROGRESS, type BugReport, type WorkerJob } from "./worker.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Per-input time limit: generous for a 5 MiB kernel blob through a dump, tiny for everything else. */
export const INPUT_TIME_LIMIT_MS = 20_000;
/** Heap limit per worker: inputs are at most a few MiB, so anything near this is a runaway allocation. */
export const WORKER_HEAP_LIMIT_MB = 1024;

export interface Failure {
  kind: "bug" | "hang" | "out-of-memory";
  stage: Stage;
  index: number;
  error: string;
  seedLabel?: string;
  baseLabel?: string;
  /** Where the (minimized) input was saved. */
  file?: string;
}

export interface StageSummary {
  stage: Stage;
  inputs: number;
  ok: number;
  rejected: number;
  failures: Failure[];
  seconds: number;
  /** The most memory a single input allocated while it ran (MiB). */
  maxAllocMiB: number;
}

export interface CampaignOptions {
  seed: number;
  stages: readonly Stage[];
  inputs: (stage: Stage) => number;
  seconds?: number;
  workers: number;
  saveDir?: string;
  log?: (line: string) => void;
}

/** Saves a failing input and its description; returns the file name. */
function save(dir: string, f: Failure, bytes: Uint8Array, seed: number): string {
  fs.mkdirSync(dir, { recursive: true });
  const name = `${f.stage}-${createHash("sha256").update(bytes).digest("hex").slice(0, 12)}`;
  fs.writeFileSync(path.join(dir, `${name}.bin`), bytes);
  const meta = { stage: f.stage, kind: f.kind, error: f.error, seed, index: f.index, seedLabel: f.seedLabel && path.basename(f.seedLabel), baseLabel: f.baseLabel };
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(meta, null, 2)}\n`);
  return name;
}

/** Runs `count` inputs of a stage from `start` in one worker; resolves when the chunk is done, across restarts. */
function runChunk(opts: CampaignOptions, stage: Stage, start: number, count: number, deadline: number | undefined, summary: StageSummary): Promise<void> {
  return new Promise((resolve, reject) => {
    const launch = (from: number) => {
      const left = start + count - from;
      if (left <= 0 || (deadline !== undefined && Date.now() > deadline)) return resolve();
      const progress = new SharedArrayBuffer(4 * 5);
      const p = new Int32Array(progress);
      Atomics.store(p, PROGRESS.current, from);
      const job: WorkerJob = { stage, seed: opts.seed, start: from, count: left, progress };
      const worker = new Worker(path.join(HERE, "boot.mjs"), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_LIMIT_MB } });
      let last = from;
      let since = Date.now();
      let ended = false;
      const bugs = new Map<number, Failure>();
      const collect = () => {
        summary.ok += Atomics.load(p, PROGRESS.ok);
        summary.rejected += Atomics.load(p, PROGRESS.rejected);
        summary.maxAllocMiB = Math.max(summary.maxAllocMiB, Atomics.load(p, PROGRESS.maxAllocKiB) / 1024);
      };
      const end = (next?: number, failure?: Failure) => {
        if (ended) return;
        ended = true;
        clearInterval(watch);
        collect();
        if (failure) summary.failures.push(failure);
        if (next === undefined) resolve();
        else launch(next);
      };
      const watch = setInterval(() => {
        const cur = Atomics.load(p, PROGRESS.current);
        if (cur !== last) {
          last = cur;
          since = Date.now();
        } else if (Date.now() - since > INPUT_TIME_LIMIT_MS) {
          void worker.terminate();
          end(cur + 1, { kind: "hang", stage, index: cur, error: `no result after ${INPUT_TIME_LIMIT_MS} ms` });
          return;
        }
        if (deadline !== undefined && Date.now() > deadline) {
          void worker.terminate();
          end();
        }
      }, 200);
      worker.on("message", (m: { type: string; report?: BugReport; index?: number; minimized?: Uint8Array }) => {
        if (m.type === "bug" && m.report) {
          const r = m.report;
          const f: Failure = { kind: "bug", stage, index: r.index, error: r.error, seedLabel: r.seedLabel, baseLabel: r.baseLabel };
          if (opts.saveDir) f.file = save(opts.saveDir, f, r.input, opts.seed);
          bugs.set(r.index, f);
          summary.failures.push(f);
          opts.log?.(`  BUG ${stage} #${r.index}: ${r.error.split("\n")[0]}`);
        } else if (m.type === "minimized" && m.minimized && opts.saveDir) {
          const f = bugs.get(m.index!);
          if (f?.file) {
            fs.rmSync(path.join(opts.saveDir, `${f.file}.bin`), { force: true });
            fs.rmSync(path.join(opts.saveDir, `${f.file}.json`), { force: true });
            f.file = save(opts.saveDir, f, m.minimized, opts.seed);
          }
        } else if (m.type === "done") {
          end();
        }
      });
      worker.on("error", (err: Error & { code?: string }) => {
        const cur = Atomics.load(p, PROGRESS.current);
        if (err.code === "ERR_WORKER_OUT_OF_MEMORY") end(cur + 1, { kind: "out-of-memory", stage, index: cur, error: err.message });
        else {
          ended = true;
          clearInterval(watch);
          reject(err);
        }
      });
      worker.on("exit", () => end());
    };
    launch(start);
  });
}

export async function runCampaign(opts: CampaignOptions): Promise<StageSummary[]> {
  const out: StageSummary[] = [];
  for (const stage of opts.stages) {
    const t0 = Date.now();
    const summary: StageSummary = { stage, inputs: 0, ok: 0, rejected: 0, failures: [], seconds: 0, maxAllocMiB: 0 };
    const total = opts.inputs(stage);
    const deadline = opts.seconds !== undefined ? t0 + opts.seconds * 1000 : undefined;
    const per = Math.ceil(total / opts.workers);
    const chunks: Array<Promise<void>> = [];
    for (let w = 0; w < opts.workers; w++) {
      const start = w * per;
      const count = Math.min(per, total - start);
      if (count > 0) chunks.push(runChunk(opts, stage, start, count, deadline, summary));
    }
    await Promise.all(chunks);
    summary.seconds = (Date.now() - t0) / 1000;
    summary.inputs = summary.ok + summary.rejected + summary.failures.length;
    opts.log?.(
      `${stage.padEnd(9)} ${String(summary.inputs).padStart(9)} inputs  ok ${summary.ok}  rejected ${summary.rejected}  failures ${summary.failures.length}  (${summary.seconds.toFixed(1)} s, at most ${summary.maxAllocMiB.toFixed(1)} MiB allocated by one input)`,
    );
    out.push(summary);
  }
  return out;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const seed = Number(arg("seed") ?? 1);
  const stages = (arg("stages")?.split(",") ?? [...STAGES]) as Stage[];
  for (const s of stages) if (!STAGES.includes(s)) throw new Error(`unknown stage ${s} (want ${STAGES.join(", ")})`);
  const all = Number(arg("inputs") ?? 10_000);
  const parser = Number(arg("parser-inputs") ?? all);
  const algo = Number(arg("stage-inputs") ?? all);
  const seconds = arg("seconds") !== undefined ? Number(arg("seconds")) : undefined;
  const save = arg("save") ?? path.join(HERE, "crashers");
  const workers = Number(arg("workers") ?? os.availableParallelism());
  console.log(`fuzz: seed ${seed}, ${workers} workers, stages ${stages.join(",")}${seconds !== undefined ? `, ${seconds} s per stage` : ""}`);
  const summaries = await runCampaign({
    seed,
    stages,
    inputs: (s) => (seconds !== undefined ? 2 ** 30 : PARSER_STAGES.includes(s) ? parser : algo),
    seconds,
    workers,
    saveDir: save === "none" ? undefined : save,
    log: (l) => console.log(l),
  });
  const json = arg("json");
  if (json) fs.writeFileSync(json, `${JSON.stringify({ seed, workers, summaries }, null, 2)}\n`);
  const failures = summaries.reduce((n, s) => n + s.failures.length, 0);
  console.log(`${summaries.reduce((n, s) => n + s.inputs, 0)} inputs, ${failures} failures`);
  process.exitCode = failures ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
