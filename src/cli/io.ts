/** File and stream I/O for the CLI: the only place that touches the file system. */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadBtf, type Btf } from "../index.js";

export function readInput(file: string): Uint8Array {
  const buf = fs.readFileSync(file);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Runs `f` on a file's bytes, naming the file in any error. */
export function withInput<T>(file: string, f: (bytes: Uint8Array) => T): T {
  try {
    return f(readInput(file));
  } catch (err) {
    if (err instanceof Error) err.message = `${file}: ${err.message}`;
    throw err;
  }
}

/** Loads BTF (raw, or an ELF's .BTF) from a file, naming the file in any error. */
export function loadBtfFile(file: string, base?: Btf): Btf {
  return withInput(file, (bytes) => loadBtf(bytes, { base }));
}

/*
 * Atomic outputs. `-o OUT` is written to a hidden temporary file beside OUT
 * (`.OUT.<pid>.<random>.tmp`: the same directory, so the rename never crosses
 * file systems), flushed to disk and renamed over OUT. OUT is therefore only
 * ever the old file (or absent) or the complete new one; a command that fails
 * leaves an existing OUT untouched and removes its temporary file.
 *
 * Signals. Node runs a JS signal handler only between turns of the event
 * loop, never inside a synchronous write, and with no handler SIGINT, SIGTERM
 * and SIGHUP end the process at once, temporary file and all. So from the
 * first atomic write on, those three are caught: one that arrives during a
 * write is held until the file is renamed or removed (milliseconds), then
 * `onSignal` removes any temporary file still registered and ends the process
 * by that same signal (the shell reports 128 + the signal's number).
 * `settleSignals`, which main awaits before it returns, lets such a held
 * signal act and gives the three back their default action. Before the first
 * write (parsing, dedup, relocation) the default action stands: Ctrl-C is
 * immediate and there is nothing to clean up.
 *
 * SIGKILL, a crash of the process or of the machine cannot be caught: OUT is
 * then the old file, absent, or complete (fsync before rename), and at most a
 * hidden `.OUT.*.tmp` remains beside it (beside the target when OUT is a
 * symlink).
 */

const CAUGHT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** Temporary files that exist right now, removed if a signal ends the process. */
const liveTemps = new Set<string>();
let catching = false;

function removeTemps(): void {
  for (const tmp of liveTemps) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // Best effort: the process is ending either way.
    }
  }
  liveTemps.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeTemps();
  releaseSignals();
  // Die by the signal itself, as an uncaught one would (a shell loop stops on
  // Ctrl-C only for a child that died of SIGINT); exit with 128+N should the
  // signal somehow not end the process.
  process.kill(process.pid, signal);
  process.exit(128 + (os.constants.signals[signal] ?? 0));
}

function catchSignals(): void {
  if (catching) return;
  catching = true;
  for (const s of CAUGHT_SIGNALS) process.on(s, onSignal);
}

function releaseSignals(): void {
  if (!catching) return;
  catching = false;
  for (const s of CAUGHT_SIGNALS) process.off(s, onSignal);
}

/**
 * Delivers a signal held back during a write (ending the process), then
 * gives SIGINT, SIGTERM and SIGHUP back their default action.
 */
export async function settleSignals(): Promise<void> {
  if (!catching) return;
  // The second setImmediate runs after a full poll phase that began after the
  // last write, and a signal is handed to onSignal in the poll phase.
  for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  releaseSignals();
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** "EACCES: permission denied, open '/d/.x.123.tmp'" -> "cannot write x: EACCES: permission denied". */
function writeError(file: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  const reason = /^([A-Z0-9]+: [^,]*)/.exec(msg)?.[1] ?? msg;
  return new Error(`cannot write ${file}: ${reason}`, { cause: e });
}

function fsyncData(fd: number): void {
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    // Some file systems cannot sync; the data is still complete for every process.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "ENOTSUP") throw e;
  }
}

/**
 * Writes a file atomically (see above): a failure or a kill never leaves a
 * half-written OUT, and a failure leaves no temporary file. An existing OUT
 * keeps its permission bits; a symlink is followed and its target replaced.
 * A character device or FIFO (`/dev/stdout`, `/dev/null`, `>(gzip > f)`) is
 * written in place, since there is nothing to rename over.
 */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  // Encode before the temporary file exists, so running out of memory cannot strand it.
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  let existing: fs.Stats | undefined;
  let target = file;
  try {
    existing = statOrUndefined(file);
    if (existing?.isDirectory()) throw new Error("EISDIR: is a directory");
    if (existing && !existing.isFile()) {
      fs.writeFileSync(file, bytes);
      return;
    }
    if (existing) target = fs.realpathSync(file);
  } catch (e) {
    throw writeError(file, e);
  }
  const base = path.basename(target).slice(0, 200);
  const tmp = path.join(path.dirname(target), `.${base}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  catchSignals();
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, "wx", 0o666);
    liveTemps.add(tmp);
    // Permission bits only: never carry a setuid bit over to a file we now own.
    if (existing) fs.fchmodSync(fd, existing.mode & 0o777);
    fs.writeFileSync(fd, bytes);
    fsyncData(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
    liveTemps.delete(tmp);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // Already failing; the write error is the one to report.
      }
    }
    if (liveTemps.delete(tmp)) {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // The write error is the one to report.
      }
    }
    throw writeError(file, e);
  }
}

/** Writes to stdout and resolves once the data is flushed; a closed pipe (`| head`) is not an error. */
function writeStdout(data: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => (err.code === "EPIPE" ? resolve() : reject(err));
    process.stdout.once("error", onError);
    process.stdout.write(data, (err) => {
      process.stdout.off("error", onError);
      if (err && (err as NodeJS.ErrnoException).code !== "EPIPE") reject(err);
      else resolve();
    });
  });
}

/** Writes to `file` atomically, or to stdout when no file is given. */
export async function emit(data: Uint8Array | string, file?: string): Promise<void> {
  if (file) writeFileAtomic(file, data);
  else await writeStdout(data);
}
