/**
 * A fuzz worker: generates inputs [start, start + count) of one stage and
 * runs them. Progress goes through shared memory (the input being run and
 * the counts), so the parent can see a hang without a message per input;
 * bugs are minimized here and posted back.
 */
import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { minimize } from "./minimize.js";
import { Rng, inputSeed } from "./mutate.js";
import { STAGE_DEFS, runStage, type Seed, type Stage } from "./targets.js";

export interface WorkerJob {
  stage: Stage;
  seed: number;
  start: number;
  count: number;
  /** [current index, ok, rejected, bugs, most KiB one input allocated] as Int32 (indices fit: campaigns stay below 2^31). */
  progress: SharedArrayBuffer;
}

export interface BugReport {
  stage: Stage;
  index: number;
  seedLabel: string;
  baseLabel?: string;
  error: string;
  input: Uint8Array;
}

export const PROGRESS = { current: 0, ok: 1, rejected: 2, bugs: 3, maxAllocKiB: 4 } as const;

/** This worker's heap and off-heap (ArrayBuffer) bytes in use, garbage included until collected. */
function heapBytes(): number {
  const h = getHeapStatistics();
  return h.used_heap_size + h.external_memory;
}

/** The sum of the seeds' weights, for `generate`. */
export function totalWeight(seeds: readonly Seed[]): number {
  return seeds.reduce((n, s) => n + s.weight, 0);
}

/** Input `index` of a stage, exactly as the campaign generated it (`total`: the seeds' total weight). */
export function generate(stage: Stage, seed: number, index: number, seeds: readonly Seed[], total = totalWeight(seeds)): { seed: Seed; bytes: Uint8Array } {
  const rng = new Rng(inputSeed(seed, stage, index));
  const chosen = rng.pickWeighted(seeds, total);
  return { seed: chosen, bytes: STAGE_DEFS[stage].input(rng, chosen) };
}

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function work(job: WorkerJob): void {
  const p = new Int32Array(job.progress);
  const seeds = STAGE_DEFS[job.stage].seeds();
  if (!seeds.length) throw new Error(`stage ${job.stage} has no seed inputs (is clang installed?)`);
  const total = totalWeight(seeds);
  for (let i = job.start; i < job.start + job.count; i++) {
    Atomics.store(p, PROGRESS.current, i);
    const { seed, bytes } = generate(job.stage, job.seed, i, seeds, total);
    const before = heapBytes();
    try {
      const outcome = runStage(job.stage, bytes, seed);
      Atomics.add(p, outcome === "ok" ? PROGRESS.ok : PROGRESS.rejected, 1);
      // Allocated while running this input (an underestimate when a collection ran meanwhile).
      const kib = Math.max(0, Math.round((heapBytes() - before) / 1024));
      if (kib > Atomics.load(p, PROGRESS.maxAllocKiB)) Atomics.store(p, PROGRESS.maxAllocKiB, kib);
    } catch (err) {
      Atomics.add(p, PROGRESS.bugs, 1);
      const error = describeError(err);
      const report: BugReport = { stage: job.stage, index: i, seedLabel: seed.label, baseLabel: seed.baseLabel, error, input: bytes };
      // Reported before minimizing, which could itself run into a hang.
      parentPort!.postMessage({ type: "bug", report });
      const minimized = minimize(bytes, (b) => {
        try {
          runStage(job.stage, b, seed);
          return false;
        } catch (e) {
          return describeError(e).split("\n")[0] === error.split("\n")[0];
        }
      });
      parentPort!.postMessage({ type: "minimized", index: i, minimized });
    }
  }
}

if (parentPort) {
  work(workerData as WorkerJob);
  parentPort.postMessage({ type: "done" });
}
