/**
 * Full differential sweep of `btfkit btf dump ... format pahole` against live
 * pahole 1.24 (Debian), over every vmlinux fixture:
 *
 *   npx tsx scripts/pahole-sweep.ts [--jobs N] [BLOB...]
 *
 * Per blob, two comparisons:
 * - the whole-file run, `pahole -F btf FILE`, against dumpPahole with
 *   `sharedState` (byte for byte, then per struct);
 * - `pahole -F btf -C NAME FILE`, one process per name, for every named
 *   struct and union that `-C NAME` resolves to (the first struct, union,
 *   typedef or enum of that name), against dumpPahole with that root.
 * Both use `paholeArrayOrder` (pahole's reversed multi-dimensional arrays).
 * pahole's outputs are cached under .cache/pahole/, keyed by a hash of the
 * blob and of pahole's version, so a second sweep only runs btfkit.
 * test/btf/layout.test.ts uses the same helpers on a seeded sample.
 */
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Btf } from "../src/btf/btf.js";
import { dumpPahole, paholeFind, paholeStructIds } from "../src/btf/layout.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CACHE_DIR = path.join(ROOT, ".cache/pahole");

let version: string | undefined;
/** `pahole --version`, part of every cache key. */
export function paholeVersion(): string {
  version ??= execFileSync("pahole", ["--version"], { encoding: "utf8" }).trim();
  return version;
}

/** The cache file for `file`'s outputs of one kind ("all" or "C"), on `base` for split BTF. */
function cachePath(file: string, what: string, base?: string): string {
  const h = createHash("sha256").update(paholeVersion()).update("\0").update(fs.readFileSync(file));
  if (base) h.update("\0base\0").update(fs.readFileSync(base));
  return path.join(CACHE_DIR, `${h.digest("hex").slice(0, 24)}.${what}`);
}

function writeAtomic(file: string, data: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** `pahole -F btf [--btf_base BASE] FILE` (every struct and union in one run; the base's too), cached. */
export function paholeWholeFile(file: string, base?: string): string {
  const cached = cachePath(file, "all.txt", base);
  if (fs.existsSync(cached)) return fs.readFileSync(cached, "utf8");
  const args = base ? ["-F", "btf", "--btf_base", base, file] : ["-F", "btf", file];
  const out = execFileSync("pahole", args, { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] });
  writeAtomic(cached, out);
  return out;
}

function paholeOne(file: string, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("pahole", ["-F", "btf", "-C", name, file], { encoding: "utf8", maxBuffer: 1 << 28 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

/**
 * `pahole -F btf -C NAME FILE` for each name, one process each (pahole's
 * packedness guesses carry over between the names of one run), `jobs` at a
 * time; cached per blob, new answers merged into the cache.
 */
export async function paholeByName(
  file: string,
  names: readonly string[],
  jobs = os.availableParallelism(),
  progress = false,
): Promise<Map<string, string>> {
  const cached = cachePath(file, "C.json");
  const known: Record<string, string> = fs.existsSync(cached) ? JSON.parse(fs.readFileSync(cached, "utf8")) : {};
  const todo = names.filter((n) => !(n in known));
  const save = () => {
    // Re-read before writing: another process may have added names meanwhile.
    const now: Record<string, string> = fs.existsSync(cached) ? JSON.parse(fs.readFileSync(cached, "utf8")) : {};
    writeAtomic(cached, JSON.stringify({ ...now, ...known }));
  };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < todo.length) {
      const name = todo[next++];
      known[name] = await paholeOne(file, name);
      // A long sweep keeps what it has every 1,000 names.
      if (++done % 1000 === 0) {
        save();
        if (progress) process.stderr.write(`  ${path.basename(file)}: ${done}/${todo.length} pahole runs\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  if (todo.length) save();
  return new Map(names.map((n) => [n, known[n]]));
}

/** Splits pahole's output into one text per top-level struct or union (each ends with a `}...;` line at column 0). */
export function splitLayouts(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    if (text.charCodeAt(pos) === 0x7d && text.charCodeAt(end - 1) === 0x3b) {
      out.push(text.slice(start, end + 1));
      start = end + 1;
    }
    pos = end + 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** The ids `pahole -C NAME` prints as structs or unions: one per name, that name's first struct, union, typedef or enum being it. */
export function paholeCRoots(btf: Btf): number[] {
  return paholeStructIds(btf).filter((id) => paholeFind(btf, btf.name(id)) === id);
}

interface BlobReport {
  blob: string;
  wholeFileIdentical: boolean;
  wholeFileStructs: number;
  wholeFileDiffering: string[];
  byName: number;
  byNameDiffering: string[];
  notStructRoots: number;
}

export async function sweepBlob(file: string, jobs: number): Promise<BlobReport> {
  const btf = Btf.parse(new Uint8Array(fs.readFileSync(file)));
  const expected = paholeWholeFile(file);
  const ours = dumpPahole(btf, { sharedState: true, paholeArrayOrder: true });
  const e = splitLayouts(expected);
  const o = splitLayouts(ours);
  const wholeFileDiffering: string[] = [];
  for (let i = 0; i < Math.max(e.length, o.length); i++) {
    if (e[i] !== o[i]) wholeFileDiffering.push((e[i] ?? o[i]).split("\n", 1)[0]);
  }
  const roots = paholeCRoots(btf);
  const named = new Set(paholeStructIds(btf).map((id) => btf.name(id)));
  const outputs = await paholeByName(
    file,
    roots.map((id) => btf.name(id)),
    jobs,
    true,
  );
  const byNameDiffering: string[] = [];
  for (const id of roots) {
    const mine = dumpPahole(btf, { roots: [id], paholeArrayOrder: true });
    if (mine !== outputs.get(btf.name(id))) byNameDiffering.push(`${btf.kind(id)} ${btf.name(id)}`);
  }
  return {
    blob: path.basename(file),
    wholeFileIdentical: expected === ours,
    wholeFileStructs: e.length,
    wholeFileDiffering,
    byName: roots.length,
    byNameDiffering,
    notStructRoots: named.size - roots.length,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let jobs = os.availableParallelism();
  const blobs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--jobs") jobs = Number(args[++i]);
    else blobs.push(args[i]);
  }
  if (!blobs.length) {
    const { VMLINUX_FIXTURES, vmlinuxPath } = await import("../test/helpers/env.js");
    for (const name of VMLINUX_FIXTURES) blobs.push(vmlinuxPath(name));
  }
  let total = 0;
  let passed = 0;
  for (const file of blobs) {
    const t0 = Date.now();
    const r = await sweepBlob(file, jobs);
    total += r.byName;
    passed += r.byName - r.byNameDiffering.length;
    console.log(
      `${r.blob}: whole file ${r.wholeFileIdentical ? "identical" : "DIFFERS"} (${r.wholeFileStructs - r.wholeFileDiffering.length}/${r.wholeFileStructs} layouts); ` +
        `-C NAME ${r.byName - r.byNameDiffering.length}/${r.byName} identical (${r.notStructRoots} names -C resolves to a typedef or enum) [${((Date.now() - t0) / 1000).toFixed(0)} s]`,
    );
    for (const d of r.wholeFileDiffering.slice(0, 20)) console.log(`  whole file differs: ${d}`);
    for (const d of r.byNameDiffering.slice(0, 20)) console.log(`  -C differs: ${d}`);
  }
  console.log(`-C NAME: ${passed}/${total} identical (${((100 * passed) / Math.max(1, total)).toFixed(2)}%)`);
  if (passed !== total) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(2);
  });
}
