/** Foundation figures, in process: parse-to-index, full decode, dumps (the cold commands are in targets.ts). */
import fs from "node:fs";
import { dumpCBytes } from "../dist/btf/dump-c/index.js";
import { dumpRawBytes } from "../dist/btf/dump-raw.js";
import { Btf } from "../dist/index.js";
import { fixture, row, timeMs } from "./lib.js";

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
}
