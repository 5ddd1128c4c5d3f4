/**
 * `gen min_core_btf` (issue 16): every CO-RE corpus object against every
 * kernel fixture, as one btfkit batch call against one `bpftool gen
 * min_core_btf` call per kernel (Debian's bpftool 7.1, so btfkit writes its
 * dialect and the outputs are compared), and one kernel alone. Alternating
 * runs, medians.
 */
import fs from "node:fs";
import path from "node:path";
import { loadBtf, minimizeBtf } from "../dist/index.js";
import { CLI, KERNEL_FIXTURES as KERNELS, benchDir, buildCoreCorpus, fixture, hasCommand, row, timeCommands } from "./lib.js";

/** The corpus objects bpftool takes on every kernel (it refuses a whole call for one it gives up on). */
function objects(dir: string, kernels: string[]): string[] {
  const targets = kernels.map((k) => loadBtf(new Uint8Array(fs.readFileSync(k))));
  return buildCoreCorpus(dir).filter((obj) => {
    const bytes = new Uint8Array(fs.readFileSync(obj));
    try {
      for (const t of targets) minimizeBtf(t, [{ name: obj, object: bytes }]);
      return true;
    } catch {
      return false;
    }
  });
}

export function benchMinCore(): void {
  console.log("\n== gen min_core_btf: corpus objects x kernel fixtures (median of 10) ==");
  if (!hasCommand("bpftool") || !hasCommand("clang")) {
    row("skipped", "needs bpftool and clang");
    return;
  }
  const dir = path.join(benchDir(), "min-core");
  const inDir = path.join(dir, "in");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(inDir, { recursive: true });
  for (const k of KERNELS) fs.copyFileSync(fixture(`vmlinux/${k}`), path.join(inDir, k));
  const kernels = KERNELS.map((k) => path.join(inDir, k));
  const objs = objects(dir, kernels);
  const refDir = path.join(dir, "ref");
  const oursDir = path.join(dir, "ours");
  fs.mkdirSync(refDir);
  // An archive is many kernels: the 5 fixtures 4 times over, under other names, show how the batch scales.
  const in20 = path.join(dir, "in20");
  fs.mkdirSync(in20);
  for (const c of ["a", "b", "c", "d"]) for (const k of KERNELS) fs.copyFileSync(path.join(inDir, k), path.join(in20, `${c}-${k}`));
  const kernels20 = fs.readdirSync(in20).map((k) => path.join(in20, k));
  const perKernel20 = kernels20.map((k) => `bpftool gen min_core_btf '${k}' '${path.join(refDir, "k20.btf")}' ${objs.map((o) => `'${o}'`).join(" ")}`).join(" && ");
  const perKernel = kernels.map((k) => `bpftool gen min_core_btf '${k}' '${path.join(refDir, path.basename(k))}' ${objs.map((o) => `'${o}'`).join(" ")}`).join(" && ");
  const single = kernels[3];
  const times = timeCommands({
    node: ["node", "-e", "0"],
    batch: ["node", CLI, "gen", "min_core_btf", "--bpftool", "7.1", "--input-dir", inDir, "--output-dir", oursDir, ...objs],
    "ref batch": ["sh", "-c", perKernel],
    "batch of 20": ["node", CLI, "gen", "min_core_btf", "--bpftool", "7.1", "--input-dir", in20, "--output-dir", path.join(dir, "ours20"), ...objs],
    "ref batch of 20": ["sh", "-c", perKernel20],
    single: ["node", CLI, "gen", "min_core_btf", "--bpftool", "7.1", single, path.join(dir, "single-ours.btf"), ...objs],
    "ref single": ["bpftool", "gen", "min_core_btf", single, path.join(dir, "single-ref.btf"), ...objs],
  });
  const same = KERNELS.every((k) => fs.readFileSync(path.join(refDir, k)).equals(fs.readFileSync(path.join(oursDir, k))));
  const node = times.node.ms;
  row("objects x kernels", `${objs.length} x ${KERNELS.length} (objects bpftool refuses on some kernel left out)`);
  row("batch of 5 kernels vs a bpftool call per kernel", `${times.batch.ms.toFixed(0)} ms vs ${times["ref batch"].ms.toFixed(0)} ms: ratio ${(times.batch.ms / times["ref batch"].ms).toFixed(2)} (target <= 0.5)`);
  row("batch of 20 kernels vs a bpftool call per kernel", `${times["batch of 20"].ms.toFixed(0)} ms vs ${times["ref batch of 20"].ms.toFixed(0)} ms: ratio ${(times["batch of 20"].ms / times["ref batch of 20"].ms).toFixed(2)} (target <= 0.5)`);
  const s = times.single.ms;
  const r = times["ref single"].ms;
  row("one kernel (6.18)", `${s.toFixed(0)} ms vs ${r.toFixed(0)} ms: ratio ${(s / r).toFixed(2)}, work ratio ${((s - node) / r).toFixed(2)} (node ${node.toFixed(0)} ms)`);
  row("outputs byte-identical to bpftool's", same && fs.readFileSync(path.join(dir, "single-ours.btf")).equals(fs.readFileSync(path.join(dir, "single-ref.btf"))) ? "yes" : "NO");
}
