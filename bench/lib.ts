/** Benchmark helpers: repeated timings, medians, side-by-side command runs. */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The executable users run (package.json's bin), or another build's (BTFKIT_BENCH_CLI) to compare with. */
export const CLI = process.env.BTFKIT_BENCH_CLI ? path.resolve(process.env.BTFKIT_BENCH_CLI) : path.join(ROOT, "dist/cli/btfkit.cjs");

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median wall time in ms of `fn` over `runs` runs after `warmup` unmeasured ones. */
export function timeMs(fn: () => void, runs = 20, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

export interface CommandTiming {
  ms: number;
  /** Peak resident set size in MiB (from /usr/bin/time when available). */
  maxRssMiB?: number;
}

/** Median wall time of a command with stdout discarded, interleaving runs with others for fairness. */
export function timeCommands(cmds: Record<string, string[]>, runs = 10): Record<string, CommandTiming> {
  const names = Object.keys(cmds);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const rss: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const haveTime = fs.existsSync("/usr/bin/time");
  for (let i = 0; i < runs + 1; i++) {
    for (const n of names) {
      const [cmd, ...args] = cmds[n];
      const t = performance.now();
      const r = haveTime
        ? spawnSync("/usr/bin/time", ["-f", "%M", cmd, ...args], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" })
        : spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
      const ms = performance.now() - t;
      if (r.status !== 0) throw new Error(`${n} failed: ${r.stderr}`);
      if (i === 0) continue; // warm the page cache
      samples[n].push(ms);
      const kb = haveTime ? Number(r.stderr.trim().split("\n").pop()) : NaN;
      if (Number.isFinite(kb)) rss[n].push(kb / 1024);
    }
  }
  return Object.fromEntries(
    names.map((n) => [n, { ms: median(samples[n]), maxRssMiB: rss[n].length ? Math.max(...rss[n]) : undefined }]),
  );
}

/** Decompresses a fixture into .cache/ (shared with the tests) and returns its path. */
export function fixture(rel: string): string {
  const out = path.join(ROOT, ".cache/fixtures", rel);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, zlib.brotliDecompressSync(fs.readFileSync(path.join(ROOT, "fixtures", `${rel}.br`))));
  }
  return out;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

export function row(label: string, value: string): void {
  console.log(`${label.padEnd(52)} ${value}`);
}

/** Scratch directory for benchmark inputs and outputs. */
export function benchDir(): string {
  const dir = path.join(ROOT, ".cache/bench");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Builds a libbpf oracle harness from test/oracle/NAME.c with gcc and -lbpf; returns its path. */
export function libbpfHarness(name: string): string {
  const bin = path.join(benchDir(), name);
  execFileSync("gcc", ["-O2", "-o", bin, path.join(ROOT, "test/oracle", `${name}.c`), "-lbpf"]);
  return bin;
}

/** The five kernel fixtures the benchmarks sweep. */
export const KERNEL_FIXTURES = ["linux-6.1.0-56-amd64.btf", "linux-6.1.0-56-arm64.btf", "linux-6.12.95+deb12-s390x.btf", "linux-6.18.44-fc-v657.btf", "linux-7.1-layout.btf"];

/** Every CO-RE corpus object (test/corpus/core), built into `dir` with the newest clang here; returns their paths. */
export function buildCoreCorpus(dir: string): string[] {
  const corpus = path.join(ROOT, "test/corpus/core");
  const clang = hasCommand("clang-16") ? "clang-16" : "clang";
  fs.mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const f of fs.readdirSync(corpus).filter((f) => f.endsWith(".c")).sort()) {
    if (clang === "clang" && fs.readFileSync(path.join(corpus, f), "utf8").includes("(clang >= 15)")) continue;
    const obj = path.join(dir, f.replace(/\.c$/, ".o"));
    execFileSync(clang, ["-g", "-O2", "-target", "bpfel", "-I", corpus, "-c", path.join(corpus, f), "-o", obj]);
    out.push(obj);
  }
  return out;
}
