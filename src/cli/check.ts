/** `btfkit core check`: CO-RE objects against many kernels, as a matrix. */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command, Option } from "commander";
import { checkKernel as checkKernelBtf, type BpfObject, type PortabilityCell } from "../index.js";
import { kernelFiles, loadKernelFile, unpackedName } from "./archive.js";
import { CommandFailed, EXIT_BAD_INPUT, EXIT_PORTABILITY, UsageError } from "./errors.js";
import { emit, openObjectFiles } from "./io.js";
import type { GlobalOptions } from "./btf.js";
import { defaultJobs, runPool, serveWorker, workerSetupFor } from "./pool.js";

interface CheckOptions extends GlobalOptions {
  btf?: string[];
  btfDir?: string;
  failOn?: "poisoned" | "refused";
  jobs?: string;
}

/** A kernel's result: a cell per object, or why the kernel could not be read. */
type KernelResult = { kernel: string; cells?: PortabilityCell[]; error?: string };

const TASK = "core_check";

async function checkKernel(file: string, objects: Array<{ name: string; object: BpfObject }>): Promise<KernelResult> {
  try {
    const btf = await loadKernelFile(file);
    return { kernel: file, cells: checkKernelBtf(objects, { name: file, btf }) };
  } catch (e) {
    return { kernel: file, error: e instanceof Error ? e.message : String(e) };
  }
}

const workerObjects = workerSetupFor<string[]>(TASK);
if (workerObjects) {
  const files = workerObjects;
  serveWorker(() => {
    const objects = openObjectFiles(files);
    return (kernel: string) => checkKernel(kernel, objects);
  });
}

/** `linux-6.1.0-56-amd64.btf.tar.xz` -> `linux-6.1.0-56-amd64`. */
const kernelLabel = (file: string) => unpackedName(path.basename(file)).replace(/\.btf$/, "");

const cellText = (c: PortabilityCell) => (c.verdict === "ok" ? "ok" : c.verdict === "refused" ? "refused" : `${c.poisoned} poisoned`);

/** The matrix (objects as rows, kernels as columns), then what makes each cell other than ok. */
function matrixText(objects: string[], results: KernelResult[]): string {
  const columns = results.map((r) => kernelLabel(r.kernel));
  const rows = objects.map((o, i) => [o, ...results.map((r) => (r.cells ? cellText(r.cells[i]) : "unreadable"))]);
  const widths = [Math.max(...objects.map((o) => o.length)), ...columns.map((c, j) => Math.max(c.length, ...rows.map((r) => r[j + 1].length)))];
  const line = (cells: string[]) => cells.map((c, j) => (j === cells.length - 1 ? c : c.padEnd(widths[j]))).join("  ");
  const out = [line(["", ...columns]).trimEnd(), ...rows.map(line)];
  for (const r of results) if (r.error !== undefined) out.push("", `${kernelLabel(r.kernel)}: unreadable: ${r.error}`);
  for (let i = 0; i < objects.length; i++) {
    for (const r of results) {
      const c = r.cells?.[i];
      if (!c || c.verdict === "ok") continue;
      out.push("", `${objects[i]} on ${kernelLabel(r.kernel)}: ${cellText(c)}`);
      for (const f of c.failures) out.push(`  ${f.program} insn ${f.insn}: ${f.access} (${f.kind}): ${f.outcome}: ${f.reason}`);
    }
  }
  return `${out.join("\n")}\n`;
}

function matrixJson(objects: string[], results: KernelResult[], pretty: boolean): string {
  const entries = objects.flatMap((o, i) =>
    results.map((r) =>
      r.cells
        ? {
            object: o,
            kernel: r.kernel,
            verdict: r.cells[i].verdict,
            patched: r.cells[i].patched,
            poisoned: r.cells[i].poisoned,
            failures: r.cells[i].failures.map((f) => ({ program: f.program, insn: f.insn, access: f.access, kind: f.kind, outcome: f.outcome, reason: f.reason })),
          }
        : { object: o, kernel: r.kernel, verdict: "unreadable", error: r.error },
    ),
  );
  return `${JSON.stringify(entries, null, pretty ? 2 : undefined)}\n`;
}

export function checkCommand(): Command {
  return new Command("check")
    .description("which kernels each object loads on as libbpf would relocate it: ok, N poisoned or refused, and the relocations why")
    .argument("<objects...>", "BPF objects built with clang -g")
    .option("--btf <kernels...>", "kernel BTF files (raw, ELF, .btf.tar.xz, .btf.xz)")
    .option("--btf-dir <dir>", "every kernel BTF file in DIR")
    .addOption(new Option("--fail-on <verdict>", "exit 5 when some cell is refused, or (poisoned) poisoned or refused").choices(["poisoned", "refused"]))
    .option("--jobs <n>", "threads sharing the kernels (default: one, and one more per 32 kernels up to the number of CPUs)")
    .option("-o, --output <file>", "write to FILE (atomically) instead of stdout ('-': stdout)")
    .action(async (objectFiles: string[], _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<CheckOptions>();
      if (opts.jobs !== undefined && !/^[1-9][0-9]*$/.test(opts.jobs)) throw new UsageError(`--jobs ${opts.jobs}: want a positive number`);
      const kernels = [...(opts.btf ?? []), ...(opts.btfDir ? kernelFiles(opts.btfDir).map((n) => path.join(opts.btfDir!, n)) : [])];
      if (!kernels.length) throw new UsageError("core check: no kernels: give --btf KERNEL... or --btf-dir DIR");
      const objects = openObjectFiles(objectFiles);
      const results = new Map<string, KernelResult>();
      await runPool<string, KernelResult>({
        items: kernels,
        jobs: opts.jobs ? Number(opts.jobs) : defaultJobs(kernels.length),
        here: (k) => checkKernel(k, objects),
        workerFile: fileURLToPath(import.meta.url),
        workerStart: { task: TASK, setup: objectFiles },
        label: kernelLabel,
        done: (k, r) => results.set(k, r),
      });
      const ordered = kernels.map((k) => results.get(k)!);
      await emit(opts.json || opts.pretty ? matrixJson(objectFiles, ordered, opts.pretty === true) : matrixText(objectFiles, ordered), opts.output);
      const unreadable = ordered.filter((r) => r.error !== undefined);
      if (unreadable.length) throw new CommandFailed(`${unreadable.length} of ${kernels.length} kernels could not be read (in the output)`, EXIT_BAD_INPUT);
      const cells = ordered.flatMap((r) => r.cells ?? []);
      const tripped = opts.failOn === "refused" ? cells.filter((c) => c.verdict === "refused") : opts.failOn === "poisoned" ? cells.filter((c) => c.verdict !== "ok") : [];
      if (tripped.length) throw new CommandFailed(`--fail-on ${opts.failOn}: ${tripped.length} of ${cells.length} object-kernel pairs are ${opts.failOn === "refused" ? "refused" : "not ok"}`, EXIT_PORTABILITY);
    });
}
