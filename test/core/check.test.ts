/**
 * `checkPortability` against libbpf 1.1.2: for every corpus object x every
 * target of coreTargets() (the vmlinux fixtures and the small targets), the
 * verdict and counts equal what the libbpf oracle harness logged for the
 * pair: refused when its CO-RE step failed, and as many patched and poisoned
 * relocations as its log has `patched insn` and poisoning lines. The
 * harness's outputs are the ones test/core/oracle.test.ts caches.
 */
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadBtf } from "../../src/btf/load.js";
import { checkPortability, type PortabilityCell } from "../../src/core/check.js";
import { coreObjects, coreOracleWorks, coreTargets, runCoreOracle, type OracleOutput } from "../helpers/core-oracle.js";
import { libbpfDev, oracle } from "../helpers/env.js";

const read = (p: string) => new Uint8Array(fs.readFileSync(p));

/** The cell libbpf's log implies. */
function theirCell(out: OracleOutput): Pick<PortabilityCell, "verdict" | "patched" | "poisoned"> {
  const patched = out.relos.filter((r) => r.result === "patched").length;
  const poisoned = out.relos.filter((r) => r.result === "poisoned").length;
  return { verdict: out.coreFailed ? "refused" : poisoned ? "poisoned" : "ok", patched, poisoned };
}

/** Differences between our cells and libbpf's, one line each. */
function differences(ours: PortabilityCell[], theirs: Map<string, OracleOutput>): string[] {
  const out: string[] = [];
  for (const c of ours) {
    const t = theirs.get(`${c.object}|${c.kernel}`);
    if (!t?.reached) continue;
    const want = theirCell(t);
    const got = { verdict: c.verdict, patched: c.patched, poisoned: c.poisoned };
    if (JSON.stringify(want) !== JSON.stringify(got)) out.push(`${c.object} on ${c.kernel}: libbpf ${JSON.stringify(want)}, ours ${JSON.stringify(got)}`);
  }
  return out;
}

function available(): boolean {
  // Every oracle is evaluated so a missing one throws under BTFKIT_REQUIRE_ORACLES=1.
  const tools = [oracle("clang"), oracle("gcc"), libbpfDev()];
  return tools.every(Boolean) && coreOracleWorks();
}

describe.skipIf(!available())("core check agrees with libbpf's verdicts and counts", () => {
  const objects = coreObjects();
  const targets = coreTargets();
  const theirs = new Map<string, OracleOutput>();
  let cells: PortabilityCell[] = [];

  beforeAll(async () => {
    const pairs = targets.flatMap((t) => objects.map((o) => ({ t, o })));
    const results = await runCoreOracle(pairs.map(({ t, o }) => ({ obj: o.path, target: t.path })));
    pairs.forEach(({ t, o }, i) => theirs.set(`${o.label}|${t.label}`, results[i]));
    cells = checkPortability(
      objects.map((o) => ({ name: o.label, object: read(o.path) })),
      targets.map((t) => ({ name: t.label, btf: loadBtf(read(t.path)) })),
    );
  }, 600_000);

  it("every object x target: same verdict, patched and poisoned counts", () => {
    expect(cells.length).toBe(objects.length * targets.length);
    const reached = cells.filter((c) => theirs.get(`${c.object}|${c.kernel}`)?.reached).length;
    // Pairs libbpf never took to CO-RE (none in this corpus so far) would be left out; most must be compared.
    expect(reached).toBe(cells.length);
    expect(differences(cells, theirs)).toEqual([]);
    // The corpus has every verdict, so agreement is not agreement on one.
    expect(new Set(cells.map((c) => c.verdict))).toEqual(new Set(["ok", "poisoned", "refused"]));
  });

  it("the comparison notices a wrong count or verdict", () => {
    const some = cells.find((c) => c.verdict === "poisoned")!;
    expect(differences([{ ...some, poisoned: some.poisoned + 1 }], theirs)).toHaveLength(1);
    expect(differences([{ ...some, patched: some.patched - 1 }], theirs)).toHaveLength(1);
    expect(differences([{ ...some, verdict: "ok" }], theirs)).toHaveLength(1);
  });

  it("names the relocation behind every poisoned or refused cell", () => {
    for (const c of cells) {
      expect(c.failures.filter((f) => f.outcome === "poisoned").length).toBe(c.poisoned);
      expect(c.failures.filter((f) => f.outcome === "refused").length).toBe(c.verdict === "refused" ? 1 : 0);
      for (const f of c.failures) expect(f.access && f.reason && f.program).toBeTruthy();
    }
  });
});
