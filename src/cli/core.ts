/** `btfkit core ...`: CO-RE relocation. */
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { KconfigError, explainJson, explainObject, explainText, relocateForLoad, relocationReportJson, type Btf, type KernelConfigProvider, type PipelineOptions } from "../index.js";
import { UsageError } from "./errors.js";
import { emit, loadBtfFile, sameOutput, withInput } from "./io.js";
import { collect, outputOf, type GlobalOptions } from "./btf.js";
import { checkCommand } from "./check.js";

const SYSFS_BTF = "/sys/kernel/btf";

interface TargetOptions extends GlobalOptions {
  btf?: string;
  module?: string[];
}

/**
 * The kernel to relocate against: --btf (or this machine's vmlinux) and its
 * modules (--module, or every module under /sys/kernel/btf when no --btf is
 * given, as libbpf does). With -B BASE, --btf is itself a module on BASE.
 */
function openTarget(opts: TargetOptions): { target: Btf; modules: Array<{ name: string; btf: Btf }> } {
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

/**
 * Default of --kconfig-max-size. A real kernel config is about 300 KB (a
 * few thousand lines, 150 KB gzipped); a gzip file inflates up to about
 * 1000 times, so without a cap 1 MB on disk could ask for a gigabyte.
 */
const KCONFIG_MAX_SIZE = 64 << 20;

/**
 * A kernel config file, gunzipped when it is gzip (as /proc/config.gz is),
 * refused once it (or what it inflates to) exceeds `maxSize` bytes: the
 * inflater stops at the cap, so memory never exceeds it.
 */
function readConfig(file: string, maxSize: number): Uint8Array {
  return withInput(file, (bytes) => {
    const tooLarge = () =>
      new KconfigError(`kernel config is larger than ${maxSize} bytes (--kconfig-max-size; a real one is about 300 KB)`);
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      if (bytes.length > maxSize) throw tooLarge();
      return bytes;
    }
    try {
      // Loaded here: only a gzipped config needs it, and loading costs every core command.
      const zlib = createRequire(import.meta.url)("node:zlib") as typeof import("node:zlib");
      return new Uint8Array(zlib.gunzipSync(bytes, { maxOutputLength: maxSize }));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge();
      throw new KconfigError(`not a valid gzip file: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}

/** --kconfig FILE, or libbpf's search: /boot/config-$(uname -r), then /proc/config.gz. */
function configFile(file: string | undefined, maxSize: number): KernelConfigProvider {
  return () => {
    for (const f of file ? [file] : [`/boot/config-${os.release()}`, "/proc/config.gz"]) {
      if (file || fs.existsSync(f)) return { config: readConfig(f, maxSize), configName: f };
    }
    return undefined;
  };
}

/** Commander parser of a byte count. */
function byteCount(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) === 0) {
    throw new UsageError(`'${value}' is not a positive byte count`);
  }
  return Number(value);
}

interface KconfigCliOptions {
  kconfig?: string;
  kconfigMaxSize: number;
  kconfigString?: string;
  kernelRelease?: string;
  bpfCookie?: boolean;
  syscallWrapper?: boolean;
}

/** The kconfig options, shared by `core reloc` and `core explain` so that both decide the externs alike. */
function addKconfigOptions(cmd: Command): Command {
  return cmd
    .option("--kconfig <file>", "kernel config, plain or gzip (default: /boot/config-$(uname -r), then /proc/config.gz)")
    .option(
      "--kconfig-max-size <bytes>",
      "largest kernel config read, after gunzip; real configs are about 300 KB, the cap stops a gzip bomb",
      byteCount,
      KCONFIG_MAX_SIZE,
    )
    .option("--kconfig-string <text>", "config lines read before the file, e.g. 'CONFIG_HZ=250'")
    .option("--kernel-release <release>", "release for LINUX_KERNEL_VERSION (default: this machine's)")
    .option("--bpf-cookie", "LINUX_HAS_BPF_COOKIE is 1 (default: what the target BTF implies)")
    .option("--no-bpf-cookie", "LINUX_HAS_BPF_COOKIE is 0")
    .option("--syscall-wrapper", "LINUX_HAS_SYSCALL_WRAPPER is 1 (default: what the target BTF implies)")
    .option("--no-syscall-wrapper", "LINUX_HAS_SYSCALL_WRAPPER is 0");
}

/** The pipeline options the kconfig options give; the config file is read only if an extern needs it. */
function kconfigPipelineOptions(opts: KconfigCliOptions): Omit<PipelineOptions, "target"> {
  return {
    config: configFile(opts.kconfig, opts.kconfigMaxSize),
    kconfigString: opts.kconfigString,
    kernelRelease: opts.kernelRelease ?? os.release(),
    hasBpfCookie: opts.bpfCookie,
    hasSyscallWrapper: opts.syscallWrapper,
  };
}

interface RelocOptions extends TargetOptions, KconfigCliOptions {
  output?: string;
  report?: string;
  strict?: boolean;
}

export function coreCommand(): Command {
  const core = new Command("core").description("CO-RE relocation");
  const explain = core
    .command("explain")
    .description("show what core reloc decides: every CO-RE relocation (candidates, decision, why) and .kconfig extern (value and source, or why it fails)")
    .argument("<object>", "BPF object built with clang -g")
    .option("--btf <file>", "target kernel BTF (default: /sys/kernel/btf/vmlinux and its modules)")
    .option("--module <file>", "module BTF split on the target (repeatable)", collect)
    .option("-o, --output <file>", "write to FILE (atomically) instead of stdout ('-': stdout)");
  addKconfigOptions(explain).action(async (object: string, _opts: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<TargetOptions & KconfigCliOptions>();
    const target = openTarget(opts);
    const result = withInput(object, (bytes) => explainObject(bytes, { ...target, ...kconfigPipelineOptions(opts) }));
    await emit(opts.json || opts.pretty ? explainJson(result, { pretty: opts.pretty }) : explainText(result), opts.output);
  });
  const reloc = core
    .command("reloc")
    .description("apply CO-RE relocations and kconfig externs ahead of load; the output loads with any unmodified loader")
    .argument("<object>", "BPF object built with clang -g")
    .option("-o, --output <file>", "relocated object, required (written atomically; '-': stdout)")
    .option("--btf <file>", "target kernel BTF (default: /sys/kernel/btf/vmlinux and its modules)")
    .option("--module <file>", "module BTF split on the target (repeatable)", collect);
  addKconfigOptions(reloc)
    .option("--report <file>", "write every relocation decision and extern value as JSON")
    .option("--strict", "fail instead of poisoning an instruction")
    .action(async (object: string, _opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<RelocOptions>();
      const output = outputOf(opts, "core reloc");
      if (opts.report && sameOutput(opts.report, output)) {
        throw new UsageError(`--report ${opts.report} is the output object ${output}: it would be overwritten`);
      }
      const target = openTarget(opts);
      const result = withInput(object, (bytes) =>
        relocateForLoad(bytes, { ...target, ...kconfigPipelineOptions(opts), strict: opts.strict }),
      );
      // The object first: a report never describes an output that failed to be written.
      await emit(result.output, output);
      if (opts.report) await emit(relocationReportJson(result), opts.report);
      for (const w of result.kconfig?.warnings ?? []) process.stderr.write(`btfkit: warning: ${w}\n`);
    });
  core.addCommand(checkCommand());
  return core;
}
