/**
 * The defining property of minimized BTF, checked with libbpf 1.1.2 itself:
 * given `minimizeBtf(target, [obj])` as btf_custom_path, libbpf takes the
 * same CO-RE decisions for `obj` as given the full target.
 *
 * 1. Every corpus object x every target of coreTargets() (vmlinux fixtures
 *    and the small targets/*.c; the full cross product, since one oracle run
 *    on a minimized BTF takes a few ms and the full-target runs are the ones
 *    oracle.test.ts caches): the harness (test/oracle/core-oracle.c) runs on
 *    both, and the two logs must list the same relocations in the same order
 *    with the same outcome, instruction, new value, old value and load-size
 *    rewrite. TYPE_ID_TARGET ("target_type_id") is the one value that may
 *    differ: it is a type id, renumbered by minimization, so the minimized
 *    run's id is mapped back through `result.types` before comparing.
 *    Pairs where minimizeBtf throws (bpftool refuses them too) are skipped
 *    and counted.
 * 2. The kernel's verifier: the loadable corpus objects (load_*.c) relocated
 *    by libbpf against a minimized /sys/kernel/btf/vmlinux load (loadErr 0),
 *    as they do against the full one. Needs root and BPF.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBtf } from "../../src/btf/load.js";
import { minimizeBtf, type MinimizeResult } from "../../src/core/minimize.js";
import {
  coreObjects,
  coreOracleBinary,
  coreOracleWorks,
  coreTargets,
  runCoreOracle,
  runCoreOracleFresh,
  type CoreObject,
  type CoreTarget,
  type OracleOutput,
  type OracleRelo,
} from "../helpers/core-oracle.js";
import { CACHE, kernelLoads, libbpfDev, oracle, writeCacheFile } from "../helpers/env.js";

const read = (p: string) => new Uint8Array(fs.readFileSync(p));

/** Minimized id -> id in the full target (0, void, maps to itself). */
function idMap(result: MinimizeResult): Map<number, number> {
  return new Map([[0, 0], ...result.types.map((t): [number, number] => [t.id, t.sourceId])]);
}

/**
 * Writes minimized BTF under .cache, named by its content, so the oracle's
 * own cache (keyed by file contents) answers repeated runs.
 */
function minimizedFile(bytes: Uint8Array): string {
  const file = path.join(CACHE, "core-minimized", `${createHash("sha256").update(bytes).digest("hex").slice(0, 24)}.btf`);
  if (!fs.existsSync(file)) writeCacheFile(file, bytes);
  return file;
}

function describeRelo(r: OracleRelo): string {
  const v = r.result === "patched" ? ` ${r.value} (insn had ${r.orig}, ${r.patch})` : "";
  return `${r.result}${v}${r.memsz ? ` mem_sz ${r.memsz}` : ""}${r.error ? ` — ${r.error}` : ""}${r.target ? ` — target ${r.target}` : ""}`;
}

/**
 * Differences between libbpf's decisions on the full target and on the
 * minimized one. Candidate counts and the target spec text are not compared:
 * minimized BTF keeps only the chosen candidate, under new ids.
 */
function compareRuns(full: OracleOutput, min: OracleOutput, ids: Map<number, number>): string[] {
  const out: string[] = [];
  if (!min.reached) return [`libbpf never reached CO-RE on the minimized BTF:\n${min.log.slice(-2000)}`];
  if (full.coreFailed !== min.coreFailed) out.push(`CO-RE failed: full ${full.coreFailed}, minimized ${min.coreFailed}`);
  if (JSON.stringify(full.sections) !== JSON.stringify(min.sections)) {
    out.push(`sections: full ${JSON.stringify(full.sections)}, minimized ${JSON.stringify(min.sections)}`);
  }
  const n = Math.max(full.relos.length, min.relos.length);
  for (let i = 0; i < n; i++) {
    const f = full.relos[i];
    const m = min.relos[i];
    if (!f || !m) {
      const r = (f ?? m)!;
      out.push(`${r.prog} relo #${r.relo} ${r.local}: only in the ${f ? "full" : "minimized"} run: ${describeRelo(r)}`);
      continue;
    }
    const problems: string[] = [];
    for (const k of ["prog", "relo", "insn", "kind", "local", "result", "orig", "patch", "memsz"] as const) {
      if (f[k] !== m[k]) problems.push(k);
    }
    if (f.result === "patched" && m.result === "patched") {
      const value = m.kind === "target_type_id" ? String(ids.get(Number(m.value)) ?? `unknown minimized id ${m.value}`) : m.value;
      if (f.value !== value) problems.push(m.kind === "target_type_id" ? `value (minimized id ${m.value} is source id ${value})` : "value");
    }
    if (problems.length) {
      out.push(`${f.prog} relo #${f.relo} insn #${f.insn ?? "?"} ${f.local}: differs in ${problems.join(", ")}\n    full:      ${describeRelo(f)}\n    minimized: ${describeRelo(m)}`);
    }
  }
  return out;
}

function available(): boolean {
  // Evaluate every oracle so a missing one throws under BTFKIT_REQUIRE_ORACLES=1.
  const tools = [oracle("clang"), oracle("gcc"), libbpfDev()];
  return tools.every(Boolean) && coreOracleWorks();
}

interface Pair {
  t: CoreTarget;
  o: CoreObject;
  full: string;
  /** Undefined when minimizeBtf threw. */
  min?: { file: string; ids: Map<number, number> };
  error?: string;
}

describe.skipIf(!available())("libbpf decides the same on minimized BTF as on the full target", () => {
  const objects = coreObjects();
  const targets = coreTargets();
  const pairs: Pair[] = [];
  const results = new Map<Pair, { full: OracleOutput; min: OracleOutput }>();
  const totals = new Map<string, { minimized: number; refused: number; relos: number; typeIds: number; coreFailed: number; mismatches: number }>();

  beforeAll(async () => {
    coreOracleBinary();
    for (const t of targets) {
      const btf = loadBtf(read(t.path));
      for (const o of objects) {
        const pair: Pair = { t, o, full: t.path };
        try {
          // "input" keeps the s390x fixture big-endian, so libbpf also reads a
          // byte-swapped minimized BTF; the little-endian ones are as bpftool writes.
          const r = minimizeBtf(btf, [{ name: o.label, object: read(o.path) }], { bpftool: "7.1", byteOrder: "input" });
          pair.min = { file: minimizedFile(r.bytes), ids: idMap(r) };
        } catch (e) {
          pair.error = (e as Error).message;
        }
        pairs.push(pair);
      }
    }
    const done = pairs.filter((p) => p.min);
    const outs = await runCoreOracle(done.flatMap((p) => [{ obj: p.o.path, target: p.full }, { obj: p.o.path, target: p.min!.file }]));
    done.forEach((p, i) => results.set(p, { full: outs[2 * i], min: outs[2 * i + 1] }));
  }, 600_000);

  afterAll(() => {
    const lines = ["minimized BTF vs full target, libbpf decisions:"];
    for (const [label, t] of totals) lines.push(`  ${label}: ${JSON.stringify(t)}`);
    console.log(lines.join("\n"));
  });

  it("the comparison notices wrong decisions and maps type ids", () => {
    // Guards against a vacuous comparison, on a pair with TYPE_ID_TARGET ids that minimization renumbers.
    const p = pairs.find((x) => x.o.file === "load_type_ids.c" && x.t.label.startsWith("linux-6.1.0-56-amd64") && x.min)!;
    expect(p).toBeDefined();
    const { full, min } = results.get(p)!;
    expect(compareRuns(full, min, p.min!.ids)).toEqual([]);
    const renumbered = min.relos.filter((r) => r.kind === "target_type_id" && r.result === "patched" && r.value !== "0");
    expect(renumbered.length).toBeGreaterThan(0);
    // Without the id map, every renumbered id is a mismatch.
    const identity = new Map([...p.min!.ids.keys()].map((k): [number, number] => [k, k]));
    expect(compareRuns(full, min, identity)).toHaveLength(renumbered.length);
    const tampered = (f: (m: OracleOutput) => void) => {
      const copy: OracleOutput = { ...min, relos: min.relos.map((r) => ({ ...r })) };
      f(copy);
      return compareRuns(full, copy, p.min!.ids);
    };
    const at = min.relos.findIndex((r) => r.result === "patched" && r.kind !== "target_type_id");
    expect(at).toBeGreaterThanOrEqual(0);
    expect(tampered((m) => (m.relos[at].value = String(BigInt(m.relos[at].value!) + 1n)))).toHaveLength(1);
    expect(tampered((m) => (m.relos[at].result = "poisoned"))).toHaveLength(1);
    expect(tampered((m) => (m.relos[at].memsz = "8->4"))).toHaveLength(1);
    expect(tampered((m) => m.relos.splice(at, 1)).length).toBeGreaterThan(0);
  });

  for (const t of targets) {
    it(t.label, () => {
      const total = { minimized: 0, refused: 0, relos: 0, typeIds: 0, coreFailed: 0, mismatches: 0 };
      totals.set(t.label, total);
      const problems: string[] = [];
      for (const p of pairs.filter((x) => x.t === t)) {
        if (!p.min) {
          total.refused++;
          continue;
        }
        total.minimized++;
        const { full, min } = results.get(p)!;
        if (!full.reached) {
          problems.push(`${p.o.label}: libbpf never reached CO-RE on the full target:\n${full.log.slice(-2000)}`);
          continue;
        }
        total.relos += full.relos.length;
        if (full.coreFailed) total.coreFailed++;
        total.typeIds += full.relos.filter((r) => r.kind === "target_type_id" && r.result === "patched").length;
        const diffs = compareRuns(full, min, p.min.ids);
        total.mismatches += diffs.length;
        if (diffs.length) problems.push(`${p.o.label} on ${t.label} (minimized ${p.min.file}):\n  ${diffs.join("\n  ")}`);
      }
      expect(total.minimized).toBeGreaterThan(0);
      expect(problems.join("\n\n")).toBe("");
    });
  }
});

// --- the verifier -------------------------------------------------------------------

const KERNEL_BTF = "/sys/kernel/btf/vmlinux";

function canLoad(): boolean {
  // kernelLoads() and the oracles throw rather than skip under BTFKIT_REQUIRE_ORACLES=1.
  return kernelLoads() && available();
}

describe.skipIf(!canLoad())("programs relocated against minimized kernel BTF pass the verifier", () => {
  // The corpus files written to load ("Loadable" in their heading); both compilers.
  const loadable = coreObjects().filter((o) => o.file.startsWith("load_"));
  let kernel: ReturnType<typeof loadBtf>;
  beforeAll(() => {
    kernel = loadBtf(read(KERNEL_BTF));
  });

  for (const o of loadable) {
    it(o.label, async () => {
      // The default (7.8) dialect here, so libbpf also reads the 32-byte header.
      const r = minimizeBtf(kernel, [{ name: o.label, object: read(o.path) }]);
      const min = minimizedFile(r.bytes);
      const [full, small] = await Promise.all([runCoreOracleFresh(o.path, KERNEL_BTF), runCoreOracleFresh(o.path, min)]);
      expect(full.loadErr, `full kernel BTF:\n${full.log.slice(-3000)}`).toBe(0);
      expect(small.loadErr, `minimized kernel BTF (${min}):\n${small.log.slice(-3000)}`).toBe(0);
      expect(small.relos.length).toBeGreaterThan(0);
      expect(compareRuns(full, small, idMap(r))).toEqual([]);
    });
  }
});
