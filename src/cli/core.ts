/** `btfkit core ...`: CO-RE relocation. */
import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { explainJson, explainText, relocateObject, type Btf } from "../index.js";
import { emit, loadBtfFile, readInput } from "./io.js";
import type { GlobalOptions } from "./btf.js";

const SYSFS_BTF = "/sys/kernel/btf";

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface TargetOptions extends GlobalOptions {
  btf?: string;
  module?: string[];
}

/**
 * The kernel to relocate against: --btf (or this machine's vmlinux) and its
 * modules (--module, or every module under /sys/kernel/btf when no --btf is
 * given, as libbpf does). With -B BASE, --btf is itself a module on BASE.
 */
export function openTarget(opts: TargetOptions): { target: Btf; modules: Array<{ name: string; btf: Btf }> } {
  const moduleName = (f: string) => path.basename(f).replace(/\.(btf|ko)$/, "");
  if (opts.baseBtf) {
    const target = loadBtfFile(opts.baseBtf);
    const files = [...(opts.btf ? [opts.btf] : []), ...(opts.module ?? [])];
    return { target, modules: files.map((f) => ({ name: moduleName(f), btf: loadBtfFile(f, target) })) };
  }
  const target = loadBtfFile(opts.btf ?? `${SYSFS_BTF}/vmlinux`);
  let files = opts.module ?? [];
  if (!opts.btf && !opts.module && fs.existsSync(SYSFS_BTF)) {
    files = fs.readdirSync(SYSFS_BTF).filter((f) => f !== "vmlinux").map((f) => `${SYSFS_BTF}/${f}`);
  }
  return { target, modules: files.map((f) => ({ name: moduleName(f), btf: loadBtfFile(f, target) })) };
}

export function coreCommand(): Command {
  const core = new Command("core").description("CO-RE relocation");
  core
    .command("explain")
    .description("show every CO-RE relocation of an object: candidates, decision, and why")
    .argument("<object>", "BPF object built with clang -g")
    .option("--btf <file>", "target kernel BTF (default: /sys/kernel/btf/vmlinux and its modules)")
    .option("--module <file>", "module BTF split on the target (repeatable)", collect)
    .option("-o, --output <file>", "write to FILE (atomically) instead of stdout")
    .action(async (object: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<TargetOptions>();
      const result = relocateObject(readInput(object), openTarget(opts));
      await emit(opts.json || opts.pretty ? explainJson(result) : explainText(result), opts.output);
    });
  return core;
}
