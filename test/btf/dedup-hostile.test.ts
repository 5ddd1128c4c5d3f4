/**
 * Dedup on libbpf's own worst cases: anonymous structs nested d deep (each
 * struct is checked against every earlier one, each check walking the chain
 * below it) and types that all hash alike. Within the work budget the
 * output is libbpf's; past it, a typed BtfError; never a signal or a heap
 * overflow. Work is asserted as step counts, never as time.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { Btf, BtfBuilder, BtfError, type Member } from "../../src/index.js";
import { DEDUP_BUDGET_MIN, DEDUP_BUDGET_PER_TYPE, dedupBudget, dedupCounted } from "../../src/btf/dedup.js";
import { dedupOracleAvailable, oracleDedup } from "../helpers/dedup-oracle.js";
import { ROOT, vmlinuxPath } from "../helpers/env.js";
import { deepAnonNesting } from "../helpers/hostile.js";

/** Steps of nesting `depth` deep: every struct pair (j < k) walks j levels of one member each (2 steps a level). */
const nestingSteps = (depth: number) => ((depth - 1) * depth * (depth + 4)) / 3;

const deep = (depth: number) => Btf.parse(deepAnonNesting(depth).bytes);

/** The deepest nesting within the budget: `depth` structs plus an int and the named outer struct. */
function deepestWithinBudget(): number {
  let d = 1;
  while (nestingSteps(d + 1) <= dedupBudget(d + 3)) d++;
  return d;
}

describe("deeply nested anonymous structs", () => {
  it("spend (d-1)d(d+4)/3 steps at depth d: cubic, as libbpf's algorithm", () => {
    for (const d of [1, 10, 50, 100, 200]) expect(dedupCounted(deep(d)).steps, `depth ${d}`).toBe(nestingSteps(d));
  });

  it("fit the budget up to depth 737 and exceed it from 738", () => {
    // The budget's minimum rules at these sizes (a few hundred types).
    expect(dedupBudget(740)).toBe(DEDUP_BUDGET_MIN);
    expect(deepestWithinBudget()).toBe(737);
  });

  describe.skipIf(!dedupOracleAvailable())("give libbpf's bytes where libbpf is quick", () => {
    for (const d of [100, 300]) {
      it(`depth ${d}`, { timeout: 120_000 }, () => {
        const x = deep(d);
        const ours = dedupCounted(x);
        expect(Buffer.from(ours.result.bytes).equals(Buffer.from(oracleDedup(x.bytes)))).toBe(true);
        // Every level is distinct (its own depth), so nothing merges.
        expect(ours.result.btf.count).toBe(x.count);
      });
    }
  });

  it("finish or stop with the budget error under a 128 MiB heap, in a child process", { timeout: 300_000 }, () => {
    const depths = [300, 738, 2000];
    // Prints one JSON line per depth: the steps spent, or the error's class and message.
    const script = `
      const { Btf } = await import(${JSON.stringify(`${ROOT}/src/index.ts`)});
      const { dedupCounted } = await import(${JSON.stringify(`${ROOT}/src/btf/dedup.ts`)});
      const { deepAnonNesting } = await import(${JSON.stringify(`${ROOT}/test/helpers/hostile.ts`)});
      for (const d of ${JSON.stringify(depths)}) {
        try {
          console.log(JSON.stringify({ d, steps: dedupCounted(Btf.parse(deepAnonNesting(d).bytes)).steps }));
        } catch (e) {
          console.log(JSON.stringify({ d, error: e.constructor.name, message: e.message }));
        }
      }`;
    const r = spawnSync(process.execPath, ["--max-old-space-size=128", "--import", "tsx", "--input-type=module", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 240_000,
      killSignal: "SIGKILL",
    });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const results = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { d: number; steps?: number; error?: string; message?: string });
    expect(results.map((x) => x.d)).toEqual(depths);
    expect(results[0]).toEqual({ d: 300, steps: nestingSteps(300) });
    for (const x of results.slice(1)) {
      expect(x.error, JSON.stringify(x)).toBe("BtfError");
      const m = /^dedup work budget exceeded: (\d+) steps for (\d+) types .*the input nests anonymous structs deeply/.exec(x.message!);
      expect(m, x.message).not.toBeNull();
      const [steps, types] = [Number(m![1]), Number(m![2])];
      expect(types).toBe(x.d + 3);
      // Checked after every candidate: past the budget by less than one walk down the chain.
      expect(steps).toBeGreaterThan(dedupBudget(types));
      expect(steps - dedupBudget(types)).toBeLessThanOrEqual(2 * x.d + 2);
    }
  });
});

describe("types that all hash alike", () => {
  /**
   * `n` structs with members a and b at bit offsets (k, 961 (n - k)):
   * libbpf's hash (h * 31 + v over names and offsets) is the same for all,
   * while no two are equal, so each is compared with every earlier one.
   */
  function colliding(n: number): Btf {
    const b = new BtfBuilder();
    const int = b.add({ kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 });
    const m = (name: string, bitOffset: number): Member => ({ name, type: int, bitOffset, bitfieldSize: 0 });
    for (let k = 0; k < n; k++) b.add({ kind: "struct", name: "", size: 128 * n, kflag: false, members: [m("a", k), m("b", 961 * (n - k))] });
    return b.build();
  }

  it("spend 3 steps per pair compared, quadratic in their number", () => {
    for (const n of [10, 100, 1000]) expect(dedupCounted(colliding(n)).steps, `${n} structs`).toBe((3 * n * (n - 1)) / 2);
  });

  it.skipIf(!dedupOracleAvailable())("give libbpf's bytes within the budget", () => {
    const x = colliding(1000);
    expect(Buffer.from(dedupCounted(x).result.bytes).equals(Buffer.from(oracleDedup(x.bytes)))).toBe(true);
  });

  it("stop with the budget error past it", { timeout: 60_000 }, () => {
    // 3 n^2 / 2 steps against max(2^27, 4000 n): past the minimum from n = 9,460.
    let err: unknown;
    try {
      dedupCounted(colliding(10_000));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BtfError);
    expect((err as Error).message).toMatch(/^dedup work budget exceeded: \d+ steps for 10002 types .*many types that hash alike/);
  });
});

describe("real kernels", () => {
  it("use under 5% of the budget (linux 6.18, the costliest fixture)", { timeout: 60_000 }, () => {
    const x = Btf.parse(new Uint8Array(fs.readFileSync(vmlinuxPath("linux-6.18.44-fc-v657.btf"))));
    const { steps } = dedupCounted(x);
    expect(dedupBudget(x.count)).toBe(DEDUP_BUDGET_PER_TYPE * x.count);
    expect(steps / dedupBudget(x.count)).toBeLessThan(0.05);
    // The counter counts: a kernel compares many candidates.
    expect(steps).toBeGreaterThan(x.count);
  });
});
