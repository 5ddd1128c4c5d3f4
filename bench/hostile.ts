/**
 * Hostile inputs (test/helpers/hostile.ts) at the audit's sizes through every
 * command, once each, beside bpftool where it takes the same input: exit
 * status, wall time and peak RSS per run, then per command the slowest input
 * and the largest peak RSS per input byte. Runs inside `npm run bench`, or
 * alone: `node --import tsx bench/hostile.ts [--cli dist/cli/btfkit.cjs] [--scale 1]`
 * (`--cli` points at another build to compare before and after).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { coreSources } from "../test/helpers/core-oracle.js";
import { clangBpf } from "../test/helpers/env.js";
import { hostileCommands, hostileInputs, smallTarget } from "../test/helpers/hostile.js";
import { CLI, benchDir, hasCommand, row } from "./lib.js";

/** A run past this is killed and reported as a hang. */
const LIMIT_S = 300;

interface Measured {
  status: string;
  seconds: number;
  rssMiB: number;
}

/** One run under /usr/bin/time (peak RSS of the whole process tree) and a kill after LIMIT_S. */
function measure(cmd: string, args: string[], cwd: string): Measured {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", "timeout", "-s", "KILL", String(LIMIT_S), cmd, ...args], {
    cwd,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const [seconds, kb] = r.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  const status = r.status === 137 ? "killed" : r.status !== null && r.status > 128 ? `signal ${r.status - 128}` : `exit ${r.status}`;
  return { status, seconds, rssMiB: kb / 1024 };
}

/** Peak RSS above the process's own start-up footprint, per input byte. */
const growth = (m: Measured, baselineMiB: number, inputBytes: number) => (Math.max(0, m.rssMiB - baselineMiB) * 2 ** 20) / inputBytes;

const fmt = (m: Measured, baselineMiB: number, inputBytes: number) =>
  `${m.status.padEnd(9)} ${m.seconds.toFixed(2).padStart(7)} s ${m.rssMiB.toFixed(0).padStart(6)} MiB (+${growth(m, baselineMiB, inputBytes).toFixed(1)}x input)`;

export function benchHostile(opts: { cli?: string; scale?: number } = {}): void {
  const cli = opts.cli ?? CLI;
  const scale = opts.scale ?? 1;
  console.log(`\n== hostile inputs (scale ${scale}, ${cli === CLI ? "this build" : cli}) ==`);
  if (!hasCommand("clang") || !fs.existsSync("/usr/bin/time")) {
    console.log("skipped: needs clang and /usr/bin/time");
    return;
  }
  const bpftool = hasCommand("bpftool");
  const dir = path.join(benchDir(), "hostile");
  fs.mkdirSync(dir, { recursive: true });
  const sources = new Map(coreSources().map((s) => [s.name, s.source]));
  const bpfel = { flags: ["-target", "bpfel"] };
  const companions = {
    kconfigObject: clangBpf(sources.get("load_kconfig.c")!, bpfel),
    plainObject: clangBpf(sources.get("cred_uid.c")!, bpfel),
    target: path.join(dir, "target.btf"),
    config: path.join(dir, "small.config"),
  };
  fs.writeFileSync(companions.target, smallTarget());
  fs.writeFileSync(companions.config, "CONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\nCONFIG_SMP=y\n");
  // Start-up footprints: what a run costs before it reads any input.
  const nodeBase = measure(process.execPath, [cli, "--help"], dir).rssMiB;
  const bpftoolBase = bpftool ? measure("bpftool", ["version"], dir).rssMiB : 0;
  console.log(`start-up peak RSS: btfkit ${nodeBase.toFixed(0)} MiB, bpftool ${bpftoolBase.toFixed(0)} MiB; figures in () are peak RSS above it per input byte`);
  const worst = new Map<string, { slowest: string; seconds: number; growthMiB: number; worstRss: string }>();
  for (const input of hostileInputs(scale, new Uint8Array(fs.readFileSync(companions.kconfigObject)))) {
    const file = path.join(dir, input.name);
    fs.writeFileSync(file, input.bytes);
    console.log(`${input.name} (${input.what}, ${(input.bytes.length / 1024).toFixed(0)} KiB)`);
    for (const c of hostileCommands(input, file, companions, path.join(dir, "out.bin"))) {
      const m = measure(process.execPath, [cli, ...c.args], dir);
      row(`  btfkit ${c.label}`, fmt(m, nodeBase, input.bytes.length));
      if (bpftool && c.bpftool) row(`  bpftool ${c.label}`, fmt(measure("bpftool", c.bpftool, dir), bpftoolBase, input.bytes.length));
      const w = worst.get(c.label) ?? { slowest: "", seconds: -1, growthMiB: -1, worstRss: "" };
      if (m.seconds > w.seconds) Object.assign(w, { slowest: input.name, seconds: m.seconds });
      const growthMiB = m.rssMiB - nodeBase;
      if (growthMiB > w.growthMiB) {
        Object.assign(w, { growthMiB, worstRss: `${input.name} (${growth(m, nodeBase, input.bytes.length).toFixed(1)}x its ${(input.bytes.length / 1024).toFixed(0)} KiB)` });
      }
      worst.set(c.label, w);
    }
    fs.rmSync(file);
  }
  console.log("per command: slowest input; largest peak RSS above start-up");
  for (const [command, w] of worst) {
    row(`  ${command}`, `${w.slowest} ${w.seconds.toFixed(2)} s; +${w.growthMiB.toFixed(0)} MiB on ${w.worstRss}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename ?? "")) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  benchHostile({ cli: arg("--cli") && path.resolve(arg("--cli")!), scale: arg("--scale") ? Number(arg("--scale")) : undefined });
}
