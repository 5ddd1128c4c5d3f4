/** Foundation figures: parse-to-index, full decode, raw dump vs bpftool. */
import fs from "node:fs";
import { dumpCBytes } from "../dist/btf/dump-c/index.js";
import { dumpRawBytes } from "../dist/btf/dump-raw.js";
import { Btf } from "../dist/index.js";
import { CLI, fixture, hasCommand, row, timeCommands, timeMs } from "./lib.js";

const gc = (globalThis as { gc?: () => void }).gc;

function heapBytes(): number {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

export function benchBtf(): void {
  const file = fixture("vmlinux/linux-6.18.44-fc-v657.btf");
  const bytes = new Uint8Array(fs.readFileSync(file));
  console.log(`\n== BTF model (${file.split("/").pop()}, ${(bytes.length / 2 ** 20).toFixed(1)} MiB) ==`);

  const before = heapBytes();
  const btf = Btf.parse(bytes);
  const after = heapBytes();
  row("types", String(btf.count - 1));
  row("parse-to-index, warm (median of 50)", `${timeMs(() => Btf.parse(bytes), 50, 5).toFixed(2)} ms`);
  row("heap beyond the file bytes after parse", gc ? `${((after - before) / 2 ** 20).toFixed(2)} MiB` : "(run with --expose-gc)");
  row(
    "decode every type with type(id) (median of 5)",
    `${timeMs(() => {
      for (let id = 1; id < btf.count; id++) btf.type(id);
    }, 5, 1).toFixed(1)} ms`,
  );
  row("first name lookup (builds the name index)", `${timeMs(() => Btf.parse(bytes).idsByName("task_struct"), 10, 2).toFixed(2)} ms`);
  row("raw dump in process, warm (median of 10)", `${timeMs(() => dumpRawBytes(btf), 10, 2).toFixed(1)} ms`);
  row("vmlinux.h (7.1 dialect) in process, warm (median of 10)", `${timeMs(() => dumpCBytes(Btf.parse(bytes), { dialect: "7.1" }), 10, 2).toFixed(1)} ms`);
  row("vmlinux.h (7.8, sorted) in process, warm (median of 10)", `${timeMs(() => dumpCBytes(Btf.parse(bytes)), 10, 2).toFixed(1)} ms`);

  if (!hasCommand("bpftool")) {
    row("raw dump vs bpftool", "skipped: bpftool not installed");
    return;
  }
  const t = timeCommands({
    btfkit: ["node", CLI, "btf", "dump", "file", file],
    bpftool: ["bpftool", "btf", "dump", "file", file],
  });
  row("raw dump wall time, btfkit CLI (median of 10)", `${t.btfkit.ms.toFixed(1)} ms, max RSS ${t.btfkit.maxRssMiB?.toFixed(0)} MiB`);
  row("raw dump wall time, bpftool 7.1 (median of 10)", `${t.bpftool.ms.toFixed(1)} ms, max RSS ${t.bpftool.maxRssMiB?.toFixed(0)} MiB`);
  row("ratio btfkit / bpftool (target <= 0.8)", `${(t.btfkit.ms / t.bpftool.ms).toFixed(2)}x`);

  const c = timeCommands({
    btfkit: ["node", CLI, "btf", "dump", "file", file, "format", "c", "--bpftool", "7.1"],
    "btfkit 7.8": ["node", CLI, "btf", "dump", "file", file, "format", "c"],
    bpftool: ["bpftool", "btf", "dump", "file", file, "format", "c"],
  });
  row("vmlinux.h (7.1) wall time, btfkit CLI (median of 10)", `${c.btfkit.ms.toFixed(1)} ms, max RSS ${c.btfkit.maxRssMiB?.toFixed(0)} MiB`);
  row("vmlinux.h wall time, bpftool 7.1 (median of 10)", `${c.bpftool.ms.toFixed(1)} ms, max RSS ${c.bpftool.maxRssMiB?.toFixed(0)} MiB`);
  row("ratio btfkit 7.1 / bpftool 7.1 (target <= 0.8)", `${(c.btfkit.ms / c.bpftool.ms).toFixed(2)}x`);
  const s78 = c["btfkit 7.8"];
  row("vmlinux.h (7.8, sorted) wall time, btfkit CLI", `${s78.ms.toFixed(1)} ms, max RSS ${s78.maxRssMiB?.toFixed(0)} MiB`);
  row("ratio btfkit 7.8 sorted / bpftool 7.1 unsorted (target <= 0.8)", `${(s78.ms / c.bpftool.ms).toFixed(2)}x`);
  const node = timeCommands({ node: ["node", "-e", "0"] });
  row("node start-up alone (node -e 0)", `${node.node.ms.toFixed(1)} ms`);
}
