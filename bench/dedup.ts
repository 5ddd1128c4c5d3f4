/** Dedup figures, in process: merging the 6.1 amd64 and arm64 vmlinux blobs (~210,000 types); the cold command is in targets.ts. */
import fs from "node:fs";
import { Btf, mergeBtf } from "../src/index.js";
import { fixture, row, timeMs } from "./lib.js";

export function benchDedup(): void {
  const amd64 = fixture("vmlinux/linux-6.1.0-56-amd64.btf");
  const arm64 = fixture("vmlinux/linux-6.1.0-56-arm64.btf");
  console.log("\n== BTF merge + dedup (6.1 amd64 + 6.1 arm64 vmlinux) ==");
  const a = Btf.parse(new Uint8Array(fs.readFileSync(amd64)));
  const b = Btf.parse(new Uint8Array(fs.readFileSync(arm64)));
  const merged = mergeBtf([a, b]);
  row("types in, types out", `${a.ownCount + b.ownCount} -> ${merged.btf.ownCount}`);
  row("mergeBtf in a warm process (median of 5)", `${timeMs(() => mergeBtf([a, b]), 5, 2).toFixed(0)} ms`);
}
