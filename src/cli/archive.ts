/**
 * Kernel BTF as archives store it: btfhub-archive's `NAME.btf.tar.xz` (a tar
 * holding one `NAME.btf`) and plain `NAME.btf.xz`. xz is decoded by
 * xz-decompress (xz-embedded compiled to WebAssembly: no native code, the
 * same in a browser), loaded only when an xz file is met.
 */
import fs from "node:fs";
import path from "node:path";
import { BtfkitError, loadBtf, type Btf } from "../index.js";
import { nameFile, readInput } from "./io.js";

type XzModule = typeof import("xz-decompress");

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/** Largest decompressed kernel BTF accepted: a vmlinux's is about 6 MB, so this only stops an xz bomb. */
export const MAX_KERNEL_BTF = 512 << 20;

/** An archive that cannot be read: bad xz data, no BTF file in the tar, or one too large. */
export class ArchiveError extends BtfkitError {}

export function isXz(bytes: Uint8Array): boolean {
  return XZ_MAGIC.every((b, i) => bytes[i] === b);
}

/** The name an archive's BTF gets once unpacked: `x.btf.tar.xz` and `x.btf.xz` are `x.btf`. */
export function unpackedName(name: string): string {
  return name.replace(/\.tar\.xz$|\.txz$|\.xz$/, "");
}

async function unxz(bytes: Uint8Array, maxSize: number): Promise<Uint8Array> {
  // A CommonJS module: Node's ESM loader offers its exports only as `default`, a bundle as both.
  const mod = (await import("xz-decompress")) as XzModule & { default?: XzModule };
  const XzReadableStream = mod.XzReadableStream ?? mod.default!.XzReadableStream;
  const reader = new XzReadableStream(new Blob([bytes]).stream()).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxSize) {
        await reader.cancel();
        throw new ArchiveError(`decompresses to more than ${maxSize} bytes, far more than any kernel's BTF`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError(`not valid xz data (${e instanceof Error ? e.message : String(e)})`);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const TAR_BLOCK = 512;

function tarString(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(off, end));
}

/** Whether a tar header block holds a valid checksum (so a tar is told from raw BTF by content, not by name). */
function tarChecksumOk(b: Uint8Array, off: number): boolean {
  const want = parseInt(tarString(b, off + 148, 8).trim(), 8);
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[off + i];
  return sum === want;
}

export function isTar(bytes: Uint8Array): boolean {
  return bytes.length >= TAR_BLOCK && tarChecksumOk(bytes, 0);
}

/**
 * The BTF file in a tar: the regular file whose name ends in `.btf`, or the
 * only regular file. ustar, GNU and pax archives (extended headers are
 * skipped: only the data is wanted).
 */
export function btfFromTar(bytes: Uint8Array): Uint8Array {
  const files: Array<{ name: string; data: Uint8Array }> = [];
  // A long name comes before its file: as the data of a GNU 'L' entry, or a pax 'x' entry's path record.
  let longName: string | undefined;
  for (let off = 0; off + TAR_BLOCK <= bytes.length; ) {
    if (bytes.subarray(off, off + TAR_BLOCK).every((x) => x === 0)) break;
    if (!tarChecksumOk(bytes, off)) throw new ArchiveError(`tar header at offset ${off} has a bad checksum`, { offset: off });
    const size = parseInt(tarString(bytes, off + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(bytes[off + 156] || 0x30);
    const start = off + TAR_BLOCK;
    if (!Number.isSafeInteger(size) || start + size > bytes.length) throw new ArchiveError(`tar member at offset ${off} runs past the end of the archive`, { offset: off });
    const data = bytes.subarray(start, start + size);
    if (type === "L") longName = tarString(data, 0, size);
    else if (type === "x") longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(data))?.[1] ?? longName;
    else if (type === "0" || type === "7") {
      const prefix = tarString(bytes, off + 345, 155);
      const name = tarString(bytes, off, 100);
      files.push({ name: longName ?? (prefix ? `${prefix}/${name}` : name), data });
      longName = undefined;
    }
    off = start + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
  const btf = files.filter((f) => f.name.endsWith(".btf"));
  const pick = btf.length === 1 ? btf[0] : files.length === 1 ? files[0] : undefined;
  if (!pick) {
    throw new ArchiveError(
      files.length ? `tar holds ${files.length} files (${files.map((f) => f.name).slice(0, 5).join(", ")}), not one BTF file` : "tar holds no file",
    );
  }
  return pick.data;
}

/** A kernel's BTF bytes from a file's: unpacked when xz (and then tar), else as they are. */
export async function kernelBtfBytes(bytes: Uint8Array, maxSize = MAX_KERNEL_BTF): Promise<Uint8Array> {
  if (!isXz(bytes)) return bytes;
  const raw = await unxz(bytes, maxSize);
  return isTar(raw) ? btfFromTar(raw) : raw;
}

/** A kernel's BTF from a file (raw, ELF, or an archive), on `base` when a module's; errors name the file. */
export async function loadKernelFile(file: string, base?: Btf): Promise<Btf> {
  try {
    return loadBtf(await kernelBtfBytes(readInput(file)), { base });
  } catch (e) {
    throw nameFile(file, e);
  }
}

/** The regular files of a directory of kernels, by name, hidden ones left out: each is a kernel (one that does not parse is reported as failed). */
export function kernelFiles(dir: string): string[] {
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
