/** File and stream I/O for the CLI: the only place that touches the file system. */
import fs from "node:fs";
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

/**
 * Writes a file atomically: to a temporary file beside the target, then a
 * rename, so a failure or a kill never leaves a half-written output.
 */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes to stdout and resolves once the data is flushed; a closed pipe (`| head`) is not an error. */
export function writeStdout(data: Uint8Array | string): Promise<void> {
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
