/** Dedup figures: merging the 6.1 amd64 and arm64 vmlinux blobs (~210,000 types), cold CLI vs the libbpf harness. */
import fs from "node:fs";
import path from "node:path";
import { Btf, mergeBtf } from "../src/index.js";
import { CLI, benchDir, fixture, hasCommand, libbpfHarness, row, timeCommands, timeMs } from "./lib.js";

export function benchDedup(): void {
  const amd64 = fixture("vmlinux/linux-6.1.0-56-amd64.btf");
  const arm64 = fixture("vmlinux/linux-6.1.0-56-arm64.btf");
  console.log("\n== BTF merge + dedup (6.1 amd64 + 6.1 arm64 vmlinux) ==");
  const a = Btf.parse(new Uint8Array(fs.readFileSync(amd64)));
  const b = Btf.parse(new Uint8Array(fs.readFileSync(arm64)));
  const merged = mergeBtf([a, b]);
  row("types in, types out", `${a.ownCount + b.ownCount} -> ${merged.btf.ownCount}`);
  row("mergeBtf in a warm process (median of 5)", `${timeMs(() => mergeBtf([a, b]), 5, 2).toFixed(0)} ms`);
  if (!hasCommand("gcc") || !fs.existsSync("/usr/include/bpf/btf.h")) {
    row("merge vs libbpf", "skipped: needs gcc and libbpf-dev");
    return;
  }
  const dir = benchDir();
  const harness = libbpfHarness("dedup-oracle");
  const t = timeCommands({
    btfkit: ["node", CLI, "btf", "merge", amd64, arm64, "-o", path.join(dir, "merged-btfkit.btf")],
    libbpf: [harness, "merge", path.join(dir, "merged-libbpf.btf"), amd64, arm64],
  });
  const same = Buffer.compare(fs.readFileSync(path.join(dir, "merged-btfkit.btf")), fs.readFileSync(path.join(dir, "merged-libbpf.btf"))) === 0;
  row("outputs byte-identical", same ? "yes" : "NO");
  row("btfkit btf merge, cold process (median of 10)", `${t.btfkit.ms.toFixed(0)} ms, max RSS ${t.btfkit.maxRssMiB?.toFixed(0)} MiB`);
  row("libbpf 1.1.2 (btf__add_btf x2 + btf__dedup)", `${t.libbpf.ms.toFixed(0)} ms, max RSS ${t.libbpf.maxRssMiB?.toFixed(0)} MiB`);
  row("ratio btfkit / libbpf (target <= 1.0)", `${(t.btfkit.ms / t.libbpf.ms).toFixed(2)}x`);
}
