/**
 * `core check` (issue 17): every CO-RE corpus object against every kernel
 * fixture in one call, against the libbpf oracle harness run once per
 * object and kernel (what a user without btfkit would script around
 * libbpf). Alternating runs, medians of 3 (the reference runs hundreds of
 * processes).
 */
import fs from "node:fs";
import path from "node:path";
import { CLI, KERNEL_FIXTURES, benchDir, buildCoreCorpus, fixture, hasCommand, libbpfHarness, row, timeCommands } from "./lib.js";

export function benchCheck(): void {
  console.log("\n== core check: corpus objects x kernel fixtures, one call vs the libbpf harness per pair (median of 3) ==");
  if (!hasCommand("clang") || !hasCommand("gcc") || !fs.existsSync("/usr/include/bpf/libbpf.h")) {
    row("skipped", "needs clang, gcc and libbpf-dev");
    return;
  }
  const dir = path.join(benchDir(), "check");
  fs.rmSync(dir, { recursive: true, force: true });
  const objs = buildCoreCorpus(path.join(dir, "objects"));
  const kernels = KERNEL_FIXTURES.map((k) => fixture(`vmlinux/${k}`));
  const harness = libbpfHarness("core-oracle");
  const loop = kernels.flatMap((k) => objs.map((o) => `'${harness}' '${o}' '${k}' >/dev/null 2>&1`)).join("; ");
  const times = timeCommands(
    {
      check: ["node", CLI, "core", "check", ...objs, "--btf", ...kernels, "-o", path.join(dir, "matrix.txt")],
      "libbpf per pair": ["sh", "-c", `${loop}; true`],
    },
    3,
  );
  const ours = times.check.ms;
  const ref = times["libbpf per pair"].ms;
  row("pairs", `${objs.length} objects x ${kernels.length} kernels`);
  row("core check vs libbpf harness per pair", `${ours.toFixed(0)} ms vs ${ref.toFixed(0)} ms: ratio ${(ours / ref).toFixed(3)} (target <= 0.2)`);
  if (!hasCommand("pahole")) return;
  const v618 = fixture("vmlinux/linux-6.18.44-fc-v657.btf");
  const p = timeCommands({
    btfkit: ["node", CLI, "btf", "dump", "file", v618, "format", "pahole", "-o", path.join(dir, "pahole.txt")],
    pahole: ["sh", "-c", `pahole -F btf '${v618}' > '${path.join(dir, "pahole-ref.txt")}' 2>/dev/null`],
  });
  const same = fs.readFileSync(path.join(dir, "pahole.txt")).equals(fs.readFileSync(path.join(dir, "pahole-ref.txt")));
  row("format pahole of 6.18 vs pahole -F btf", `${p.btfkit.ms.toFixed(0)} ms vs ${p.pahole.ms.toFixed(0)} ms: ratio ${(p.btfkit.ms / p.pahole.ms).toFixed(2)} (target <= 1.0), identical: ${same ? "yes" : "NO"}`);
}
