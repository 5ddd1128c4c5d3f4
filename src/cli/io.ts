/** File and stream I/O for the CLI: the only place that touches the file system. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BaseBtfRequiredError, BtfkitError, loadBtf, openBpfObject, type BpfObject, type Btf } from "../index.js";
import { StdoutClosed, systemReason } from "./errors.js";

export function readInput(file: string): Uint8Array {
  const buf = fs.readFileSync(file);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Set on an error once its message names its file, so an enclosing withInput does not name another. */
const NAMED = Symbol("names its file");

/**
 * Names a file at the start of an error's message, once: the file the
 * error's `where` names (a kernel config read on the way), else `file`.
 */
export function nameFile(file: string, err: unknown): unknown {
  if (!(err instanceof Error) || NAMED in err) return err;
  const reason = systemReason(err);
  // Node's own message repeats the path after its code: keep only the reason.
  const named = reason !== undefined ? new Error(`${file}: ${reason}`, { cause: err }) : err;
  if (reason === undefined) err.message = `${err instanceof BtfkitError && err.where.file !== undefined ? err.where.file : file}: ${err.message}`;
  Object.defineProperty(named, NAMED, { value: true });
  return named;
}

/** Runs `f` on a file's bytes, naming the file in any error. */
export function withInput<T>(file: string, f: (bytes: Uint8Array) => T): T {
  try {
    return f(readInput(file));
  } catch (err) {
    throw nameFile(file, err);
  }
}

/** Loads BTF (raw, or an ELF's .BTF) from a file, naming the file in any error. */
export function loadBtfFile(file: string, base?: Btf): Btf {
  return withInput(file, (bytes) => {
    try {
      return loadBtf(bytes, { base });
    } catch (err) {
      if (err instanceof BaseBtfRequiredError) err.message += ": give its base with -B BASE";
      throw err;
    }
  });
}

/** BPF objects from files, each parsed once, errors naming the file; named by their paths. */
export function openObjectFiles(files: readonly string[]): Array<{ name: string; object: BpfObject }> {
  return files.map((f) => ({ name: f, object: withInput(f, (bytes) => openBpfObject(bytes)) }));
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
 * symlink), removed by the next write to OUT.
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

/** A refusal to write an output, with the output's name in front as every write error has. */
class OutputError extends Error {}

/** Links followed at most, as the kernel's MAXSYMLINKS. */
const MAX_SYMLINKS = 40;

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * The kernel's protected_symlinks rule (fs/namei.c may_follow_link): in a
 * sticky, world-writable directory (/tmp) a symlink is followed only when we
 * own it or the directory's owner does. We resolve OUT's links ourselves and
 * rename onto the target, so the kernel never gets to apply it for us.
 */
function checkLinkOwner(file: string, out: string, link: fs.Stats): void {
  const dir = fs.statSync(path.dirname(file));
  const stickyWorldWritable = (dir.mode & 0o1002) === 0o1002;
  if (stickyWorldWritable && link.uid !== process.geteuid!() && link.uid !== dir.uid) {
    throw new OutputError(`${out}: refusing to follow a symlink owned by another user in a sticky world-writable directory`);
  }
}

/**
 * Where `-o OUT` writes: OUT itself, or, when OUT is a symlink, the file at
 * the end of its chain of links, whether that file exists or not (a dangling
 * link creates its target, as `> OUT` in a shell does). Returns that path and
 * its stats when it exists.
 */
function resolveOutput(file: string): { target: string; existing?: fs.Stats } {
  let target = path.resolve(file);
  for (let hops = 0; ; hops++) {
    const st = lstatOrUndefined(target);
    if (!st?.isSymbolicLink()) return { target, existing: st };
    if (hops === MAX_SYMLINKS) throw new OutputError(`${file}: cannot write: too many levels of symbolic links`);
    checkLinkOwner(target, file, st);
    target = path.resolve(path.dirname(target), fs.readlinkSync(target));
  }
}

/**
 * Whether two output paths name the same file: the same path once their
 * symlinks are resolved, or the same inode (hard links, bind mounts).
 */
export function sameOutput(a: string, b: string): boolean {
  const ra = resolveOutput(a);
  const rb = resolveOutput(b);
  // Directories in the path may be links too.
  const canonical = (t: string) => {
    try {
      return path.join(fs.realpathSync(path.dirname(t)), path.basename(t));
    } catch {
      return t;
    }
  };
  if (canonical(ra.target) === canonical(rb.target)) return true;
  return ra.existing !== undefined && rb.existing !== undefined && ra.existing.dev === rb.existing.dev && ra.existing.ino === rb.existing.ino;
}

/** "EACCES: permission denied, open '/d/.x.123.tmp'" -> "x: cannot write: permission denied". */
function writeError(file: string, e: unknown): Error {
  if (e instanceof OutputError) return e;
  const reason = systemReason(e) ?? (e instanceof Error ? e.message : String(e));
  return new OutputError(`${file}: cannot write: ${reason}`, { cause: e });
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

/** The hidden temporary file names of `target`: `.NAME.<pid>.<hex>.tmp`. */
function tempPrefix(target: string): string {
  return `.${path.basename(target).slice(0, 200)}.`;
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    // EPERM: it exists, as another user's.
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Removes temporary files of `target` that a SIGKILL or a crash left behind:
 * those whose process is gone. One whose pid a new process has taken since
 * stays until that process ends.
 */
function removeStaleTemps(target: string): void {
  const dir = path.dirname(target);
  const prefix = tempPrefix(target);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return; // Creating our own temporary file reports the real problem.
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
    if (!m || Number(m[1]) === process.pid || !processGone(Number(m[1]))) continue;
    try {
      fs.rmSync(path.join(dir, name), { force: true });
    } catch {
      // Someone else's (a sticky directory): not ours to clean.
    }
  }
}

/**
 * Creates the temporary file. Where OUT's directory exists but takes no new
 * file (/proc, a read-only directory), say that: a bare ENOENT or EACCES
 * would read as if OUT itself were the problem.
 */
/**
 * A random part for the temporary file's name. It need not be unpredictable:
 * openTemp creates exclusively and fails rather than reuse a name; node:crypto
 * would cost every writing command a module load.
 */
function tempSuffix(): string {
  return Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, "0");
}

function openTemp(file: string, tmp: string): number {
  try {
    return fs.openSync(tmp, "wx", 0o666);
  } catch (e) {
    const dir = path.dirname(tmp);
    if (!fs.existsSync(dir)) throw e;
    throw new OutputError(`${file}: cannot write: cannot create a file in ${dir} to write it to and rename over it (${systemReason(e) ?? String(e)})`, { cause: e });
  }
}

/** Gives the new file the old one's owner and group where we may; a group of ours is allowed even when the owner is not. */
function keepOwner(fd: number, existing: fs.Stats): void {
  for (const [uid, gid] of [
    [existing.uid, existing.gid],
    [-1, existing.gid],
  ]) {
    try {
      fs.fchownSync(fd, uid, gid);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EPERM") throw e;
    }
  }
}

/**
 * Writes a file atomically (see above): a failure or a kill never leaves a
 * half-written OUT, and a failure leaves no temporary file.
 *
 * What OUT is (one rule, the shell's `> OUT` where it has one):
 * - A symlink, dangling or not, is followed (through at most 40 links) and
 *   the file at its end atomically replaced or created; the link stays. That
 *   is what `> OUT` does, and what someone who links vmlinux.h into a tree
 *   means by `-o vmlinux.h`. A link owned by another user in a sticky,
 *   world-writable directory is refused unless the directory is that user's,
 *   as the kernel's protected_symlinks does.
 * - An existing file must be writable by us (access(2) W_OK, so root passes),
 *   as `> OUT` requires: a 0444 OUT is refused. The new file keeps its
 *   permission bits, and its owner and group where we may change them (root;
 *   a group we are in). Being a new inode, it is not seen through other hard
 *   links to the old file, which keep the old contents.
 * - A character device or FIFO (`/dev/stdout`, `/dev/null`, `>(gzip > f)`) is
 *   written in place, since there is nothing to rename over.
 * - Hidden temporary files of OUT left by a killed run whose process is gone
 *   are removed first.
 */
export function writeFileAtomic(file: string, data: Output): void {
  // Encode before the temporary file exists, so running out of memory cannot strand it.
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  let existing: fs.Stats | undefined;
  let target: string;
  try {
    ({ target, existing } = resolveOutput(file));
    if (existing?.isDirectory()) throw new OutputError(`${file}: cannot write: is a directory`);
    if (existing) fs.accessSync(target, fs.constants.W_OK);
    if (existing && !existing.isFile()) {
      const fd = fs.openSync(target, "w");
      try {
        writeOutput(fd, bytes);
      } finally {
        fs.closeSync(fd);
      }
      return;
    }
    removeStaleTemps(target);
  } catch (e) {
    throw writeError(file, e);
  }
  const tmp = path.join(path.dirname(target), `${tempPrefix(target)}${process.pid}.${tempSuffix()}.tmp`);
  catchSignals();
  let fd: number | undefined;
  try {
    fd = openTemp(file, tmp);
    liveTemps.add(tmp);
    if (existing) {
      keepOwner(fd, existing);
      // Permission bits only: never carry a setuid bit over.
      fs.fchmodSync(fd, existing.mode & 0o777);
    }
    writeOutput(fd, bytes);
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
    // A streamed output's own failure (too large, say) is not a write error.
    if (e instanceof BtfkitError) throw e;
    throw writeError(file, e);
  }
}

/**
 * What a command outputs: its bytes or text, or a function that produces
 * them in chunks (a JSON dump), passing each to `write` as it is made so the
 * whole output is never held.
 */
export type Output = Uint8Array | string | ((write: (chunk: Uint8Array) => void) => void);

/** Writes `chunk` to `fd`; returns how much was written before a non-blocking `fd` was full (EAGAIN). */
function writeAll(fd: number, chunk: Uint8Array): number {
  let done = 0;
  try {
    while (done < chunk.length) done += fs.writeSync(fd, chunk, done);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
  }
  return done;
}

/** Writes an output to a file we opened (blocking: a write never comes back short). */
function writeOutput(fd: number, data: Exclude<Output, string>): void {
  const write = (chunk: Uint8Array) => {
    if (writeAll(fd, chunk) < chunk.length) throw new Error("EAGAIN: resource temporarily unavailable");
  };
  if (typeof data === "function") data(write);
  else write(data);
}

/**
 * Writes to stdout and resolves once the data is written; a closed pipe
 * (`| head`) is not an error. Chunks go to fd 1 with blocking writes, so a
 * slow reader (`| less`) holds the producer back: process.stdout would
 * instead queue in memory whatever a pipe does not take at once, and opening
 * it makes fd 1 non-blocking. Only when fd 1 is already non-blocking
 * (EAGAIN) does the rest go through process.stdout, copied and in order.
 */
/** Whether what was written to stdout so far ends inside a line (a dump that failed part way). */
let stdoutMidLine = false;

/** `text` prefixed with a newline when stdout is inside a line, so that it starts a line of its own. */
export function onStdoutLine(text: string): string {
  return stdoutMidLine ? `\n${text}` : text;
}

async function writeStdout(data: Output): Promise<void> {
  let failure: NodeJS.ErrnoException | undefined;
  let queued = false;
  const write = (chunk: Uint8Array | string) => {
    // Once the reader is gone, producing the rest of a dump is wasted work.
    if (failure?.code === "EPIPE") throw new StdoutClosed();
    if (failure) return;
    let bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (bytes.length) stdoutMidLine = bytes[bytes.length - 1] !== 0x0a;
    if (!queued) {
      let done: number;
      try {
        done = writeAll(1, bytes);
      } catch (e) {
        failure = e as NodeJS.ErrnoException;
        return;
      }
      if (done === bytes.length) return;
      queued = true;
      process.stdout.on("error", (err: NodeJS.ErrnoException) => (failure ??= err));
      bytes = bytes.subarray(done);
    }
    // A copy: a streamed chunk's buffer is reused once this returns.
    process.stdout.write(Buffer.from(bytes));
  };
  if (typeof data === "function") data(write);
  else write(data);
  if (queued && !failure) await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  if (failure?.code === "EPIPE") throw new StdoutClosed();
  if (failure) throw failure;
}

/** Writes to `file` atomically, or to stdout when no file is given or it is `-`. */
export async function emit(data: Output, file?: string): Promise<void> {
  if (file && file !== "-") writeFileAtomic(file, data);
  else await writeStdout(data);
}
