/** CO-RE figures: relocating a ~50-relocation object against the 6.18 vmlinux, cold, vs the libbpf harness. */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CLI, ROOT, benchDir, fixture, hasCommand, libbpfHarness, row, timeCommands } from "./lib.js";

export function benchCore(): void {
  const vmlinux = fixture("vmlinux/linux-6.18.44-fc-v657.btf");
  console.log("\n== CO-RE relocation (test/corpus/core/sock_userlocks.c against the 6.18 vmlinux) ==");
  if (!hasCommand("clang") || !hasCommand("gcc") || !fs.existsSync("/usr/include/bpf/libbpf.h")) {
    row("relocation vs libbpf", "skipped: needs clang, gcc and libbpf-dev");
    return;
  }
  const obj = path.join(benchDir(), "sock_userlocks.o");
  const corpus = path.join(ROOT, "test/corpus/core");
  execFileSync("clang", ["-g", "-O2", "-target", "bpf", "-I", corpus, "-c", path.join(corpus, "sock_userlocks.c"), "-o", obj]);
  const harness = libbpfHarness("core-oracle");
  const relos = (execFileSync("node", [CLI, "-j", "core", "explain", obj, "--btf", vmlinux]).toString().match(/"relo":/g) ?? []).length;
  row("relocations in the object", String(relos));
  const t = timeCommands({
    btfkit: ["node", CLI, "-j", "core", "explain", obj, "--btf", vmlinux],
    libbpf: [harness, obj, vmlinux],
  });
  row("btfkit core explain, cold process (median of 10)", `${t.btfkit.ms.toFixed(1)} ms, max RSS ${t.btfkit.maxRssMiB?.toFixed(0)} MiB`);
  row("libbpf 1.1.2 harness (open + load with btf_custom_path)", `${t.libbpf.ms.toFixed(1)} ms, max RSS ${t.libbpf.maxRssMiB?.toFixed(0)} MiB`);
  row("ratio btfkit / libbpf (target <= 1.0)", `${(t.btfkit.ms / t.libbpf.ms).toFixed(2)}x`);
}
