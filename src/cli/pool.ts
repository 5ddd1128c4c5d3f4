/**
 * Many kernels, one command: items (kernel files) shared among this thread
 * and worker threads. This thread is one of the jobs: it has the objects
 * parsed and its code compiled (from the code cache) already; each worker
 * starts a runtime, parses what it needs once, and gets two items in flight
 * so it never waits for this thread to hand it the next.
 *
 * A command's module serves as its own worker: loaded in a worker whose
 * `workerData.task` names it, its top level calls `serveWorker`.
 */
import os from "node:os";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

/** What a worker is started with: the task it serves and that task's setup. */
export interface WorkerStart<S> {
  task: string;
  setup: S;
}

/** The setup of `task` when this thread is a worker started for it. */
export function workerSetupFor<S>(task: string): S | undefined {
  const start = workerData as WorkerStart<S> | undefined;
  return !isMainThread && start?.task === task ? start.setup : undefined;
}

/**
 * Serves a worker: `prepare` (parsing objects, say) runs once; then each item
 * sent is run and its result posted back. A failing `prepare` is reported as
 * fatal and the worker stops.
 */
export function serveWorker<J, R>(prepare: () => (item: J) => Promise<R>): void {
  const port = parentPort!;
  let run: (item: J) => Promise<R>;
  try {
    run = prepare();
  } catch (e) {
    port.postMessage({ fatal: e instanceof Error ? e.message : String(e) });
    return;
  }
  port.on("message", ({ index, item }: { index: number; item: J }) => void run(item).then((result) => port.postMessage({ index, result })));
}

/**
 * Items a worker must have to be worth starting: a new worker spends about
 * half a second warming up (cold code, parsing the objects again), as long
 * as this thread takes for some 25 kernels once warm (measured with the CO-RE
 * corpus on 5 and 20 kernels: one thread beat two).
 */
const ITEMS_PER_WORKER = 32;

/** Threads for `items` items when the user gave no --jobs: one more per ITEMS_PER_WORKER items, at most one per CPU. */
export function defaultJobs(items: number): number {
  return Math.max(1, Math.min(os.availableParallelism(), 1 + Math.floor(items / ITEMS_PER_WORKER)));
}

export interface PoolOptions<J, R> {
  items: J[];
  /** Threads in all, this one included. */
  jobs: number;
  /** Runs one item on this thread. */
  here: (item: J) => Promise<R>;
  /** The module a worker loads (the caller's own, `fileURLToPath(import.meta.url)`) and what it is started with. */
  workerFile: string;
  workerStart: WorkerStart<unknown>;
  /** Called once per item, in completion order. */
  done: (item: J, result: R) => void;
  /** A name for the progress line on a terminal. */
  label: (item: J) => string;
}

/** Runs every item; resolves when all are done (a worker that cannot start rejects). */
export async function runPool<J, R>(o: PoolOptions<J, R>): Promise<void> {
  const queue = o.items.map((item, index) => ({ item, index }));
  const total = queue.length;
  const progress = process.stderr.isTTY;
  let finished = 0;
  const finish = (item: J, result: R) => {
    finished++;
    o.done(item, result);
    if (progress) process.stderr.write(`\r\x1b[Kbtfkit: ${finished}/${total} ${o.label(item)}`);
  };
  const here = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      finish(next.item, await o.here(next.item));
      // Let workers' replies in, so they get their next item without waiting for this one's.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const worker = () => {
    const w = new Worker(o.workerFile, { workerData: o.workerStart });
    let inFlight = 0;
    return new Promise<void>((resolve, reject) => {
      const feed = () => {
        while (inFlight < 2 && queue.length) {
          w.postMessage(queue.shift());
          inFlight++;
        }
        if (!inFlight) void w.terminate().then(() => resolve());
      };
      w.on("message", (m: { fatal?: string; index: number; result: R }) => {
        if (m.fatal !== undefined) {
          reject(new Error(m.fatal));
          void w.terminate();
          return;
        }
        inFlight--;
        finish(o.items[m.index], m.result);
        feed();
      });
      w.on("error", reject);
      feed();
    });
  };
  try {
    await Promise.all([...Array.from({ length: Math.max(0, Math.min(o.jobs, total) - 1) }, worker), here()]);
  } finally {
    if (progress) process.stderr.write("\r\x1b[K");
  }
}
