/**
 * The fuzz harness in the test suite: a short campaign with a fixed seed and
 * fixed input counts over every stage (about 30 seconds), which must find
 * nothing, and every crasher ever saved under test/fuzz/crashers replayed,
 * each of which must now end in a result or a typed error.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { oracle } from "../helpers/env.js";
import { readCrasher } from "./replay.js";
import { INPUT_TIME_LIMIT_MS, WORKER_HEAP_LIMIT_MB, runCampaign } from "./run.js";
import { runStage, STAGES, type Stage } from "./targets.js";

const CRASHERS = path.join(path.dirname(fileURLToPath(import.meta.url)), "crashers");

/** Inputs per stage for the smoke run: each stage takes a few seconds on a 2-CPU machine. */
const SMOKE_INPUTS: Record<Stage, number> = {
  elf: 80_000,
  btf: 5_000,
  "btf-ext": 80_000,
  kconfig: 5_000,
  dump: 400,
  dedup: 5_000,
  relocate: 40_000,
  pipeline: 20_000,
};

describe.skipIf(!oracle("clang"))("fuzz smoke run (seed 1)", () => {
  it("finds no untyped error, hang or runaway allocation", { timeout: 600_000 }, async () => {
    const summaries = await runCampaign({ seed: 1, stages: STAGES, inputs: (s) => SMOKE_INPUTS[s], workers: Math.min(4, os.availableParallelism()) });
    for (const s of summaries) {
      expect(s.failures, `${s.stage}: ${JSON.stringify(s.failures.slice(0, 3))}`).toEqual([]);
      expect(s.inputs).toBe(SMOKE_INPUTS[s.stage]);
      // Both outcomes occur, so the mutations neither break everything nor nothing.
      expect(s.ok).toBeGreaterThan(0);
      expect(s.rejected).toBeGreaterThan(0);
    }
  });
});

describe("saved crashers are fixed", () => {
  const files = fs.existsSync(CRASHERS) ? fs.readdirSync(CRASHERS).filter((f) => f.endsWith(".bin")) : [];
  it("there are some", () => expect(files.length).toBeGreaterThan(0));
  for (const f of files) {
    const file = path.join(CRASHERS, f);
    it(f.replace(/\.bin$/, ""), { timeout: 2 * INPUT_TIME_LIMIT_MS }, () => {
      const { meta, bytes, seed } = readCrasher(file);
      if (meta.kind === "bug") {
        expect(["ok", "rejected"]).toContain(runStage(meta.stage, bytes, seed));
        return;
      }
      // A hang or a runaway allocation: replayed in a child with the campaign's limits.
      const r = spawnSync(process.execPath, [`--max-old-space-size=${WORKER_HEAP_LIMIT_MB}`, "--import", "tsx", path.join(path.dirname(CRASHERS), "replay.ts"), file], {
        encoding: "utf8",
        timeout: INPUT_TIME_LIMIT_MS,
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    });
  }
});
