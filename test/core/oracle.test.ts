/**
 * CO-RE decisions against libbpf 1.1.2: every program of test/corpus/core,
 * relocated against every vmlinux fixture and every small target of
 * test/corpus/core/targets, by libbpf (test/oracle/core-oracle.c, which
 * reads libbpf's debug log) and by relocateObject. For every relocation
 * libbpf processed: same (program, relo #) keys, same outcome (patched,
 * poisoned, failed), same new value, same instruction, same load-size
 * rewrite.
 *
 * libbpf stops the whole object at the first failing record (it returns from
 * bpf_object__relocate_core), so only our decisions up to and including our
 * first failure are compared; records in "?" sections (autoload off) are
 * never relocated by libbpf.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBtf } from "../../src/btf/load.js";
import type { Btf } from "../../src/btf/btf.js";
import { openBpfObject } from "../../src/btf/object.js";
import { relocateObject } from "../../src/core/relocate.js";
import type { CoreDecision } from "../../src/core/types.js";
import {
  coreObjects,
  coreOracleBinary,
  coreOracleWorks,
  coreTargets,
  runCoreOracle,
  type CoreObject,
  type CoreTarget,
  type OracleOutput,
  type OracleRelo,
} from "../helpers/core-oracle.js";
import { libbpfDev, oracle } from "../helpers/env.js";

const read = (p: string) => new Uint8Array(fs.readFileSync(p));
const u64 = (v: bigint) => BigInt.asUintN(64, v);

type Outcome = "patched" | "poisoned" | "failed";

function ourOutcome(d: CoreDecision): Outcome {
  return d.error !== undefined ? "failed" : d.poisoned ? "poisoned" : "patched";
}

/** The value the instruction held before patching, as libbpf prints it (u64 of the sign-extended field). */
function ourOrig(d: CoreDecision): bigint | undefined {
  const p = d.patch;
  if (p.op === "imm" || p.op === "off") return u64(BigInt(p.from));
  if (p.op === "imm64") return u64(p.from);
  return undefined;
}

function ourMemsz(d: CoreDecision): string | undefined {
  return d.patch.op === "off" && d.patch.memSize ? `${d.patch.memSize.from}->${d.patch.memSize.to}` : undefined;
}

function describeOurs(d: CoreDecision): string {
  const o = ourOutcome(d);
  const v = o === "patched" ? ` ${u64(d.newValue)}` : "";
  const orig = ourOrig(d);
  return `${o}${v}${orig !== undefined ? ` (insn had ${orig})` : ""}${ourMemsz(d) ? ` mem_sz ${ourMemsz(d)}` : ""} — ${d.reason}`;
}

function describeTheirs(r: OracleRelo): string {
  const v = r.result === "patched" ? ` ${r.value} (insn had ${r.orig})` : "";
  return `${r.result}${v}${r.memsz ? ` mem_sz ${r.memsz}` : ""}${r.error ? ` — ${r.error}` : ""}${r.target ? ` — target ${r.target}` : ""}`;
}

interface Comparison {
  compared: number;
  mismatches: string[];
}

/** Compares one object x target: every relocation libbpf processed against our decision for it. */
function compare(theirs: OracleOutput, ours: CoreDecision[]): Comparison {
  const mismatches: string[] = [];
  const firstFailure = ours.findIndex((d) => d.error !== undefined);
  const relevant = firstFailure < 0 ? ours : ours.slice(0, firstFailure + 1);
  const key = (prog: string, relo: number) => `${prog} relo #${relo}`;
  const mine = new Map(relevant.map((d) => [key(d.program, d.relo), d]));
  const seen = new Set<string>();
  let compared = 0;

  for (const r of theirs.relos) {
    const k = key(r.prog, r.relo);
    seen.add(k);
    const d = mine.get(k);
    const head = `${k} insn #${r.insn ?? "?"}: ${r.local || `<${r.kind}>`}`;
    if (!d) {
      mismatches.push(`${head}\n    libbpf: ${describeTheirs(r)}\n    ours:   no decision${firstFailure >= 0 ? " (after our first failure)" : ""}`);
      continue;
    }
    compared++;
    const problems: string[] = [];
    if (r.result === "none") problems.push("libbpf logged no outcome (harness could not classify it)");
    else if (r.result !== ourOutcome(d)) problems.push("outcome");
    if (r.result === "patched" && ourOutcome(d) === "patched") {
      if (BigInt(r.value!) !== u64(d.newValue)) problems.push("value");
      const orig = ourOrig(d);
      if (orig !== undefined && BigInt(r.orig!) !== orig) problems.push("instruction value before patching");
      if ((r.memsz ?? "") !== (ourMemsz(d) ?? "")) problems.push("load/store size");
    }
    if (r.insn !== null && r.insn !== d.insn) problems.push(`insn (ours #${d.insn})`);
    if (problems.length) {
      mismatches.push(
        `${head}\n    differs in: ${problems.join(", ")}\n    kind ${d.kindName}, access ${d.accessString}, local ${d.localSpec}` +
          `\n    libbpf: ${describeTheirs(r)}\n    ours:   ${describeOurs(d)}`,
      );
    }
  }
  for (const d of relevant) {
    const k = key(d.program, d.relo);
    if (!seen.has(k)) {
      mismatches.push(
        `${k} insn #${d.insn}: ${d.kindName} ${d.accessString} ${d.localSpec}\n    libbpf: not processed${theirs.coreFailed ? " (libbpf had already failed)" : ""}\n    ours:   ${describeOurs(d)}`,
      );
    }
  }
  return { compared, mismatches };
}

function available(): boolean {
  // Evaluate every oracle so a missing one throws under BTFKIT_REQUIRE_ORACLES=1.
  const tools = [oracle("clang"), oracle("gcc"), libbpfDev()];
  return tools.every(Boolean) && coreOracleWorks();
}

describe.skipIf(!available())("CO-RE relocations agree with libbpf 1.1.2", () => {
  const objects: CoreObject[] = coreObjects();
  const targets: CoreTarget[] = coreTargets();
  const pairs = targets.flatMap((t) => objects.map((o) => ({ t, o })));
  const outputs = new Map<string, OracleOutput>();
  const btfs = new Map<string, Btf>();
  const totals = new Map<string, { compared: number; mismatches: number; patched: number; poisoned: number; failed: number }>();
  const pairKey = (t: CoreTarget, o: CoreObject) => `${t.label}|${o.label}`;

  beforeAll(async () => {
    coreOracleBinary();
    const results = await runCoreOracle(pairs.map(({ t, o }) => ({ obj: o.path, target: t.path })));
    pairs.forEach(({ t, o }, i) => outputs.set(pairKey(t, o), results[i]));
    for (const t of targets) totals.set(t.label, { compared: 0, mismatches: 0, patched: 0, poisoned: 0, failed: 0 });
  }, 600_000);

  afterAll(() => {
    let compared = 0;
    let mismatches = 0;
    const lines = ["CO-RE oracle totals (relocations libbpf processed; outcomes as libbpf logged them):"];
    for (const [label, t] of totals) {
      compared += t.compared;
      mismatches += t.mismatches;
      lines.push(`  ${label}: compared ${t.compared}, mismatches ${t.mismatches} (libbpf: ${t.patched} patched, ${t.poisoned} poisoned, ${t.failed} failed)`);
    }
    lines.push(`  all: ${objects.length} objects x ${targets.length} targets, relocations compared ${compared}, mismatches ${mismatches}`);
    console.log(lines.join("\n"));
  });

  it("the harness sees every CO-RE record of every object", () => {
    // Independent of the engine: libbpf's "found N CO-RE relocations" per
    // section equals the object's .BTF.ext, and when nothing failed there is
    // one logged relocation per record outside "?" sections.
    const problems: string[] = [];
    for (const { t, o } of pairs) {
      const out = outputs.get(pairKey(t, o))!;
      const where = `${o.label} on ${t.label}`;
      if (!out.reached) {
        problems.push(`${where}: libbpf never reached CO-RE relocation (load error ${out.loadErr}):\n${out.log.slice(-2000)}`);
        continue;
      }
      const obj = openBpfObject(read(o.path));
      const local = obj.btf;
      const blocks = (obj.ext?.coreRelos ?? []).map((b) => ({ name: local.str(b.secNameOff) ?? "", count: b.records.length }));
      const logged = out.sections;
      const prefix = blocks.slice(0, logged.length);
      if (JSON.stringify(prefix) !== JSON.stringify(logged) || (!out.coreFailed && logged.length !== blocks.length)) {
        problems.push(`${where}: sections ${JSON.stringify(logged)} vs .BTF.ext ${JSON.stringify(blocks)}`);
      }
      if (!out.coreFailed) {
        const expected = blocks.filter((b) => !b.name.startsWith("?")).reduce((n, b) => n + b.count, 0);
        if (out.relos.length !== expected) problems.push(`${where}: ${out.relos.length} relocations logged, ${expected} records`);
      } else if (out.relos.filter((r) => r.result === "failed").length !== 1) {
        problems.push(`${where}: CO-RE failed but not exactly one relocation is marked failed`);
      }
      const unclassified = out.relos.filter((r) => r.result === "none");
      if (unclassified.length) problems.push(`${where}: unclassified: ${JSON.stringify(unclassified)}`);
    }
    expect(problems.join("\n\n")).toBe("");
  });

  it("the comparison notices wrong decisions", () => {
    // Guards against a vacuous comparison: tampered copies of real decisions must mismatch.
    const t = targets.find((x) => x.label.startsWith("linux-6.18"))!;
    const o = objects.find((x) => x.file === "memsz_adjust.c")!;
    const theirs = outputs.get(pairKey(t, o))!;
    const fresh = () => relocateObject(read(o.path), { target: loadBtf(read(t.path)) }).decisions;
    expect(compare(theirs, fresh()).mismatches).toEqual([]);
    const patchedAt = fresh().findIndex((d) => ourOutcome(d) === "patched" && d.patch.op === "off" && d.patch.memSize);
    expect(patchedAt).toBeGreaterThanOrEqual(0);
    const tamper = (f: (ds: CoreDecision[]) => void) => {
      const ds = fresh();
      f(ds);
      return compare(theirs, ds).mismatches;
    };
    expect(tamper((ds) => (ds[patchedAt].newValue += 1n))).toHaveLength(1);
    expect(tamper((ds) => (ds[patchedAt].poisoned = true))).toHaveLength(1);
    expect(tamper((ds) => (ds[patchedAt].patch = { op: "off", from: 0, to: 0 }))).toHaveLength(1);
    expect(tamper((ds) => (ds[patchedAt].insn += 1))).toHaveLength(1);
    expect(tamper((ds) => ds.splice(patchedAt, 1))).toHaveLength(1);
    // An early failure of ours leaves libbpf's later relocations without a counterpart.
    const later = theirs.relos.length - 1;
    expect(tamper((ds) => (ds[0].error = "x"))).toHaveLength(1 + later);
  });

  for (const t of targets) {
    describe(t.label, () => {
      for (const o of objects) {
        it(o.label, () => {
          const theirs = outputs.get(pairKey(t, o))!;
          expect(theirs.reached, `libbpf never reached CO-RE:\n${theirs.log.slice(-2000)}`).toBe(true);
          let target = btfs.get(t.label);
          if (!target) btfs.set(t.label, (target = loadBtf(read(t.path))));
          const total = totals.get(t.label)!;
          for (const r of theirs.relos) if (r.result !== "none") total[r.result]++;

          let ours: CoreDecision[];
          try {
            ours = relocateObject(read(o.path), { target }).decisions;
          } catch (e) {
            total.mismatches += Math.max(1, theirs.relos.length);
            throw new Error(`relocateObject threw: ${(e as Error).message}\nlibbpf:\n${theirs.relos.map((r) => `  ${r.prog} relo #${r.relo}: ${describeTheirs(r)}`).join("\n")}`);
          }
          const { compared, mismatches } = compare(theirs, ours);
          total.compared += compared;
          total.mismatches += mismatches.length;
          expect(mismatches.length, `${o.label} on ${t.label}: ${mismatches.length} mismatches\n${mismatches.join("\n")}`).toBe(0);
        });
      }
    });
  }
});
