/**
 * The CO-RE corpus (test/corpus/core) and the libbpf oracle that relocates
 * it (test/oracle/core-oracle.c): building objects and small target BTFs,
 * building the harness, and running it over object x target pairs with a
 * small process pool, outputs cached in .cache by content hashes.
 */
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CACHE, REQUIRE_ORACLES, ROOT, VMLINUX_FIXTURES, clangBpf, fileHash, libbpfHarness, oracle, vmlinuxPath, writeCacheFile } from "./env.js";

export const CORE_CORPUS = path.join(ROOT, "test/corpus/core");

// --- corpus ------------------------------------------------------------------------

/**
 * Sources of test/corpus/core/*.c with core.h pasted in (so the object cache
 * key covers it); `clang15` when the file's own text says "(clang >= 15)".
 */
export function coreSources(): Array<{ name: string; source: string; clang15: boolean }> {
  const header = fs.readFileSync(path.join(CORE_CORPUS, "core.h"), "utf8");
  return fs
    .readdirSync(CORE_CORPUS)
    .filter((f) => f.endsWith(".c"))
    .sort()
    .map((f) => {
      const text = fs.readFileSync(path.join(CORE_CORPUS, f), "utf8");
      return { name: f, source: text.replace('#include "core.h"', header), clang15: text.includes("(clang >= 15)") };
    });
}

export interface CoreObject {
  /** e.g. `task_offsets.c (clang-16)` */
  label: string;
  file: string;
  clang: string;
  path: string;
}

/**
 * Every corpus file built little-endian (libbpf refuses objects of the
 * other byte order) with clang 14 and clang 16; files marked
 * "(clang >= 15)" only with clang 16.
 */
export function coreObjects(): CoreObject[] {
  const compilers = ["clang", ...(oracle("clang-16") ? ["clang-16"] : [])];
  const out: CoreObject[] = [];
  for (const { name, source, clang15 } of coreSources()) {
    for (const clang of compilers) {
      if (clang === "clang" && clang15) continue;
      out.push({ label: `${name} (${clang})`, file: name, clang, path: clangBpf(source, { clang, flags: ["-target", "bpfel"] }) });
    }
  }
  return out;
}

export interface CoreTarget {
  label: string;
  /** Raw BTF or an ELF object with .BTF, as given to libbpf's btf_custom_path. */
  path: string;
}

/** The vmlinux fixtures and the small targets of test/corpus/core/targets, built with the newest clang. */
export function coreTargets(): CoreTarget[] {
  const out: CoreTarget[] = VMLINUX_FIXTURES.map((f) => ({ label: f.replace(/\.btf$/, ""), path: vmlinuxPath(f) }));
  const dir = path.join(CORE_CORPUS, "targets");
  const clang = oracle("clang-16") ? "clang-16" : "clang";
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".c")).sort()) {
    out.push({ label: `targets/${f}`, path: clangBpf(fs.readFileSync(path.join(dir, f), "utf8"), { clang, flags: ["-target", "bpfel"] }) });
  }
  return out;
}

// --- the harness -------------------------------------------------------------------

/** Builds test/oracle/core-oracle.c once (cached by source hash) and returns the binary. */
export function coreOracleBinary(): string {
  return libbpfHarness("test/oracle/core-oracle.c");
}

const PROBE = `struct task_struct { int pid; } __attribute__((preserve_access_index));
__attribute__((section("tp/probe"), used)) int probe(struct task_struct *t) { return t->pid; }
char _license[] __attribute__((section("license"), used)) = "GPL";
`;

/**
 * Whether libbpf gets as far as CO-RE here: bpf_object__load probes the
 * kernel first, which needs BPF privileges (root or CAP_BPF). Throws when it
 * does not and oracles are required. Call only when clang and gcc exist.
 */
export function coreOracleWorks(): boolean {
  const obj = clangBpf(PROBE, { flags: ["-target", "bpfel"] });
  const r = spawnSync(coreOracleBinary(), [obj, vmlinuxPath(VMLINUX_FIXTURES[0])], { encoding: "utf8", timeout: 60_000 });
  const ok = r.status === 0 && r.stdout.includes('"reached":true');
  if (!ok && REQUIRE_ORACLES) {
    throw new Error(`core-oracle never reached libbpf's CO-RE step (BPF privileges?):\n${(r.stderr ?? "").slice(-2000)}`);
  }
  return ok;
}

/** One relocation as libbpf logged it. */
export interface OracleRelo {
  prog: string;
  relo: number;
  /** Program-relative instruction index; null when libbpf failed before naming it. */
  insn: number | null;
  /** libbpf's kind name: byte_off, byte_sz, field_exists, signed, lshift_u64, ... */
  kind: string;
  result: "patched" | "poisoned" | "failed" | "none";
  /** u64 decimal of the new value (patched only). */
  value?: string;
  /** u64 decimal of the value the instruction held (patched only). */
  orig?: string;
  patch?: string;
  /** "8->4" when an LDX/ST/STX size was rewritten. */
  memsz?: string;
  local: string;
  target: string;
  candidates: number;
  matching: number;
  error?: string;
}

export interface OracleOutput {
  relos: OracleRelo[];
  /** libbpf reached CO-RE relocation ("found N CO-RE relocations"). */
  reached: boolean;
  /** bpf_object__relocate_core failed (it stops at the first failing record). */
  coreFailed: boolean;
  loadErr: number;
  sections: Array<{ name: string; count: number }>;
  log: string;
}

function parseOutput(stdout: string, log: string): OracleOutput {
  const lines = stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = lines.pop();
  if (!summary?.summary) throw new Error(`core-oracle printed no summary line:\n${stdout}\n${log}`);
  return {
    relos: lines as unknown as OracleRelo[],
    reached: summary.reached as boolean,
    coreFailed: summary.coreFailed as boolean,
    loadErr: summary.loadErr as number,
    sections: summary.sections as OracleOutput["sections"],
    log,
  };
}

/** Runs the harness once, uncached, with its raw stdout and log. */
function execOracle(bin: string, obj: string, target: string): Promise<{ parsed: OracleOutput; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(bin, [obj, target], { timeout: 60_000, killSignal: "SIGKILL", maxBuffer: 1 << 28, encoding: "utf8" }, (e, stdout, stderr) => {
      if (e) return reject(new Error(`core-oracle ${obj} ${target}: ${e.message}\n${stderr.slice(-4000)}`));
      try {
        resolve({ parsed: parseOutput(stdout, stderr), stdout, stderr });
      } catch (x) {
        reject(x as Error);
      }
    });
  });
}

/**
 * One harness run that is never cached: its loadErr is the running kernel's
 * verifier's verdict, which a cache keyed by file contents cannot tie to a kernel.
 */
export async function runCoreOracleFresh(obj: string, target: string): Promise<OracleOutput> {
  return (await execOracle(coreOracleBinary(), obj, target)).parsed;
}

/** Runs the harness on one object and target, or returns the cached output. */
async function runOne(bin: string, obj: string, target: string): Promise<OracleOutput> {
  const key = createHash("sha256").update(fileHash(bin)).update(fileHash(obj)).update(fileHash(target)).digest("hex").slice(0, 24);
  const dir = path.join(CACHE, "core-oracle");
  const out = path.join(dir, `${key}.json`);
  const err = path.join(dir, `${key}.log`);
  if (fs.existsSync(out) && fs.existsSync(err)) return parseOutput(fs.readFileSync(out, "utf8"), fs.readFileSync(err, "utf8"));
  const { parsed, stdout, stderr } = await execOracle(bin, obj, target);
  // Only complete runs are cached: one that never reached CO-RE (no BPF permission?) is retried next time.
  if (parsed.reached) {
    writeCacheFile(err, stderr);
    writeCacheFile(out, stdout);
  }
  return parsed;
}

/** Runs the oracle over every pair with at most `concurrency` processes at once. */
export async function runCoreOracle(
  pairs: Array<{ obj: string; target: string }>,
  concurrency = Math.max(2, Math.min(8, os.availableParallelism())),
): Promise<OracleOutput[]> {
  const bin = coreOracleBinary();
  const results: OracleOutput[] = new Array(pairs.length);
  let next = 0;
  const worker = async () => {
    while (next < pairs.length) {
      const i = next++;
      results[i] = await runOne(bin, pairs[i].obj, pairs[i].target);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, pairs.length) }, worker));
  return results;
}
