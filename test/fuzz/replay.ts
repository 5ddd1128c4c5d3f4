/**
 * Replays saved crashers: `node --import tsx test/fuzz/replay.ts FILE.bin...`
 * prints each one's outcome ("ok", "rejected", or the error with its stack)
 * and exits 1 if any still escapes as an untyped error. The test suite runs
 * hang and out-of-memory crashers through here, in a child process with a
 * time and heap limit, so a regression cannot stall the suite.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { baseBtf, runStage, type Seed, type Stage } from "./targets.js";

export interface CrasherMeta {
  stage: Stage;
  kind: "bug" | "hang" | "out-of-memory";
  error: string;
  baseLabel?: string;
}

export function readCrasher(bin: string): { meta: CrasherMeta; bytes: Uint8Array; seed: Seed } {
  const meta = JSON.parse(fs.readFileSync(bin.replace(/\.bin$/, ".json"), "utf8")) as CrasherMeta;
  const bytes = new Uint8Array(fs.readFileSync(bin));
  const seed: Seed = { label: path.basename(bin), bytes, regions: [], littleEndian: true, weight: 1, base: meta.baseLabel ? baseBtf(meta.baseLabel) : undefined };
  return { meta, bytes, seed };
}

function main(files: string[]): number {
  let failed = 0;
  for (const f of files) {
    const { meta, bytes, seed } = readCrasher(f);
    try {
      console.log(`${path.basename(f)}: ${runStage(meta.stage, bytes, seed)}`);
    } catch (err) {
      failed++;
      console.log(`${path.basename(f)}: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) process.exitCode = main(process.argv.slice(2));
