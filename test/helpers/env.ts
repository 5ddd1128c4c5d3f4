/**
 * Test environment: fixtures (decompressed once into .cache/), oracle
 * availability, and clang-built BPF objects.
 *
 * Oracle rule: a differential test may skip only when its oracle is absent AND
 * BTFKIT_REQUIRE_ORACLES is unset. With the variable set, a missing oracle
 * throws, so the test file fails instead of silently passing.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { expect } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { threadId } from "node:worker_threads";
import zlib from "node:zlib";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CACHE = path.join(ROOT, ".cache");
export const FIXTURES = path.join(ROOT, "fixtures");
/** The executable users run (package.json's bin): the bundled CLI, built by the global setup. */
export const CLI = path.join(ROOT, "dist/cli/btfkit.cjs");
export const REQUIRE_ORACLES = process.env.BTFKIT_REQUIRE_ORACLES === "1";

const toolCache = new Map<string, boolean>();

function probe(tool: string): boolean {
  const r = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
  return r.status === 0;
}

/** True when `tool` is on PATH. Throws when it is missing and oracles are required. */
export function oracle(tool: string): boolean {
  let ok = toolCache.get(tool);
  if (ok === undefined) {
    ok = probe(tool);
    toolCache.set(tool, ok);
  }
  if (!ok && REQUIRE_ORACLES) {
    throw new Error(`oracle '${tool}' is required (BTFKIT_REQUIRE_ORACLES=1) but not installed`);
  }
  return ok;
}

/** A temporary name beside `file`, unique per process, thread and call (worker threads share a pid). */
export function tempPath(file: string): string {
  return `${file}.${process.pid}.${threadId}.${randomBytes(4).toString("hex")}.tmp`;
}

/** Writes a cache file atomically (a temporary name, then a rename), creating its directory. */
export function writeCacheFile(file: string, data: Uint8Array | string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempPath(file);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Path of a fixture file, decompressed from its .br form into .cache/ on first use. */
export function fixturePath(rel: string): string {
  const src = path.join(FIXTURES, rel.endsWith(".br") ? rel : `${rel}.br`);
  const out = path.join(CACHE, "fixtures", rel.replace(/\.br$/, ""));
  if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs) {
    writeCacheFile(out, zlib.brotliDecompressSync(fs.readFileSync(src)));
  }
  return out;
}

export function fixtureBytes(rel: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(fixturePath(rel)));
}

/** Kernel BTF fixtures: name -> base (for split BTF) or undefined. */
export interface BlobFixture {
  name: string;
  path: string;
  base?: string;
}

export const VMLINUX_FIXTURES = [
  "linux-6.1.0-56-amd64.btf",
  "linux-6.1.0-56-arm64.btf",
  "linux-6.12.95+deb12-s390x.btf",
  "linux-6.18.44-fc-v657.btf",
  "linux-7.1-layout.btf",
];

export const MODULE_FIXTURES: Array<{ name: string; base: string }> = [
  { name: "crc8.btf", base: "linux-6.1.0-56-amd64.btf" },
  { name: "tcp_bbr.btf", base: "linux-6.1.0-56-amd64.btf" },
  { name: "virtio_net.btf", base: "linux-6.1.0-56-amd64.btf" },
  { name: "nf_tables.btf", base: "linux-6.1.0-56-amd64.btf" },
  { name: "ext4.btf", base: "linux-6.1.0-56-amd64.btf" },
  { name: "s390x-tcp_bbr.btf", base: "linux-6.12.95+deb12-s390x.btf" },
  { name: "s390x-nf_tables.btf", base: "linux-6.12.95+deb12-s390x.btf" },
  { name: "bpf_testmod-7.1.btf", base: "modules/bpf_testmod-7.1.distilled-base.btf" },
];

export function vmlinuxPath(name: string): string {
  return fixturePath(`vmlinux/${name}`);
}

export function modulePath(name: string): string {
  return fixturePath(`modules/${name}`);
}

/** Resolve a module fixture's base (which may itself live under modules/). */
export function basePath(base: string): string {
  return base.startsWith("modules/") ? fixturePath(base) : vmlinuxPath(base);
}

/**
 * Compile C source to a BPF object with clang (`-g -O2 -target bpf`), cached
 * by content hash. Returns the object's path.
 */
export function clangBpf(source: string, opts: { clang?: string; flags?: string[] } = {}): string {
  const clang = opts.clang ?? "clang";
  const flags = opts.flags ?? [];
  const key = createHash("sha256").update(clang).update(flags.join(" ")).update(source).digest("hex").slice(0, 16);
  const dir = path.join(CACHE, "objects");
  const out = path.join(dir, `${key}.o`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(dir, { recursive: true });
    const src = path.join(dir, `${key}.c`);
    fs.writeFileSync(src, source);
    const tmp = tempPath(out);
    execFileSync(clang, ["-g", "-O2", "-target", "bpf", ...flags, "-c", src, "-o", tmp], { stdio: "pipe" });
    fs.renameSync(tmp, out);
  }
  return out;
}

/** Run a command and return stdout as a Buffer (throws on non-zero exit). */
export function run(cmd: string, args: string[]): Buffer {
  return execFileSync(cmd, args, { maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
}

/** First differing line with context, for readable differential failures. */
export function firstDiff(expected: string, actual: string, context = 3): string | undefined {
  if (expected === actual) return undefined;
  const e = expected.split("\n");
  const a = actual.split("\n");
  const n = Math.max(e.length, a.length);
  for (let i = 0; i < n; i++) {
    if (e[i] !== a[i]) {
      const from = Math.max(0, i - context);
      const show = (lines: string[]) => lines.slice(from, i + context + 1).map((l, k) => `${from + k + 1}: ${l}`).join("\n");
      return `first difference at line ${i + 1}\n--- expected\n${show(e)}\n--- actual\n${show(a)}`;
    }
  }
  return "outputs differ only in trailing bytes";
}

const libbpfHarnesses = new Map<string, string>();

/**
 * A C oracle harness under test/ built with `gcc -O2 -Wall -Werror ... -lbpf`
 * against the installed libbpf-dev, once per source version (cached in .cache/bin).
 */
export function libbpfHarness(relSource: string): string {
  const cached = libbpfHarnesses.get(relSource);
  if (cached) return cached;
  const src = path.join(ROOT, relSource);
  const key = createHash("sha256").update(fs.readFileSync(src)).digest("hex").slice(0, 16);
  const bin = path.join(CACHE, "bin", `${path.basename(relSource, ".c")}-${key}`);
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    const tmp = tempPath(bin);
    run("gcc", ["-O2", "-Wall", "-Werror", "-o", tmp, src, "-lbpf"]);
    fs.renameSync(tmp, bin);
  }
  libbpfHarnesses.set(relSource, bin);
  return bin;
}

/** libbpf-dev's headers and library: an oracle like the tools, by the same rule. */
export function libbpfDev(): boolean {
  const ok = fs.existsSync("/usr/include/bpf/libbpf.h") && fs.existsSync("/usr/include/bpf/bpf_helpers.h");
  if (!ok && REQUIRE_ORACLES) throw new Error("libbpf-dev is required (BTFKIT_REQUIRE_ORACLES=1) but not installed");
  return ok;
}

/**
 * Whether this process may load BPF programs and pin them (root, bpffs,
 * kernel BTF). Throws when it may not and oracles are required.
 */
export function kernelLoads(): boolean {
  const ok = fs.existsSync("/sys/fs/bpf") && process.getuid?.() === 0 && fs.existsSync("/sys/kernel/btf/vmlinux");
  if (!ok && REQUIRE_ORACLES) throw new Error("loading BPF programs needs root, /sys/fs/bpf and /sys/kernel/btf/vmlinux (BTFKIT_REQUIRE_ORACLES=1)");
  return ok;
}

/** A kernel BTF fixture to dump: a vmlinux, or a module with its base. */
export interface KernelBlob {
  label: string;
  file: string;
  base?: string;
}

/** Every vmlinux fixture and every module fixture on its base. */
export function kernelBlobs(): KernelBlob[] {
  return [
    ...VMLINUX_FIXTURES.map((name) => ({ label: name, file: vmlinuxPath(name) })),
    ...MODULE_FIXTURES.map((m) => ({ label: `${m.name} on ${m.base}`, file: modulePath(m.name), base: basePath(m.base) })),
  ];
}

/** Asserts equal text, reporting the first differing line with context. */
export function expectSameText(expected: string, actual: string): void {
  const diff = firstDiff(expected, actual);
  expect(diff, diff).toBeUndefined();
}

const fileHashes = new Map<string, string>();

/** sha256 of a file, remembered per (path, size, mtime) so big inputs are hashed once per run. */
export function fileHash(p: string): string {
  const st = fs.statSync(p);
  const k = `${p}:${st.size}:${st.mtimeMs}`;
  let h = fileHashes.get(k);
  if (!h) fileHashes.set(k, (h = createHash("sha256").update(fs.readFileSync(p)).digest("hex")));
  return h;
}
