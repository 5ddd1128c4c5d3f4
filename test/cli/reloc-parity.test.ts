/**
 * `btfkit core reloc` is `relocateForLoad` behind a command line: for the
 * same object, target and settings both give the same bytes, and so do the
 * defaults, which the library applies (LINUX_HAS_* from the target BTF when
 * not given; the config read only when a CONFIG_ extern needs it) and the
 * CLI only passes through.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { loadBtf, relocateForLoad, virtualExternsFromBtf, type PipelineOptions } from "../../src/index.js";
import { coreObjects } from "../helpers/core-oracle.js";
import { clangBpf, CLI, fixtureBytes, oracle, vmlinuxPath } from "../helpers/env.js";
import { relocProgram } from "../helpers/reloc-program.js";

const TARGETS = ["linux-6.18.44-fc-v657", "linux-6.1.0-56-amd64"];
const RELEASE = "6.1.0-56-amd64";

/** Every kind of extern the pipeline resolves: virtual ones, a config value, a weak one the config lacks. */
const EXTERNS = `
extern _Bool LINUX_HAS_BPF_COOKIE __attribute__((section(".kconfig")));
extern _Bool LINUX_HAS_SYSCALL_WRAPPER __attribute__((section(".kconfig")));
extern unsigned int LINUX_KERNEL_VERSION __attribute__((section(".kconfig")));
extern int CONFIG_HZ __attribute__((section(".kconfig")));
extern int CONFIG_BTFKIT_ABSENT __attribute__((section(".kconfig"), weak));
`;
const BODY = "t->pid + LINUX_HAS_BPF_COOKIE + LINUX_HAS_SYSCALL_WRAPPER + LINUX_KERNEL_VERSION + CONFIG_HZ + CONFIG_BTFKIT_ABSENT";

interface Case {
  label: string;
  /** Extra CLI flags and the library options they stand for. */
  flags: string[];
  opts: Partial<PipelineOptions>;
}

describe.skipIf(!oracle("clang"))("core reloc and relocateForLoad agree", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-reloc-parity-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const config = (name: string) => fixtureBytes(`config/${name}.config.br`);
  const gzConfig = (name: string) => {
    const file = path.join(tmp, `${name}.config.gz`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, zlib.gzipSync(config(name)));
    return file;
  };
  const plainConfig = (name: string) => {
    const file = path.join(tmp, `${name}.config`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, config(name));
    return file;
  };

  const cases = (target: string): Case[] => [
    { label: "defaults", flags: ["--kconfig", plainConfig(target)], opts: { config: config(target) } },
    {
      label: "flags given, gzip config, kconfig string",
      flags: ["--no-bpf-cookie", "--syscall-wrapper", "--kconfig", gzConfig(target), "--kconfig-string", "CONFIG_HZ=1000"],
      opts: { hasBpfCookie: false, hasSyscallWrapper: true, config: config(target), kconfigString: "CONFIG_HZ=1000" },
    },
  ];

  const externs = clangBpf(relocProgram(EXTERNS, BODY));
  const objects = [{ label: "every extern kind", path: externs }, ...coreObjects().slice(0, 4)];

  for (const t of TARGETS) {
    for (const c of cases(t)) {
      for (const o of objects) {
        it(`${o.label} on ${t}: ${c.label}`, () => {
          const targetFile = vmlinuxPath(`${t}.btf`);
          const out = path.join(tmp, `out-${Math.random().toString(36).slice(2)}.o`);
          const cli = spawnSync(process.execPath, [CLI, "core", "reloc", o.path, "--btf", targetFile, "--kernel-release", RELEASE, ...c.flags, "-o", out], {
            encoding: "utf8",
          });
          const target = loadBtf(new Uint8Array(fs.readFileSync(targetFile)));
          let lib: ReturnType<typeof relocateForLoad> | undefined;
          let libError: unknown;
          try {
            lib = relocateForLoad(new Uint8Array(fs.readFileSync(o.path)), { target, kernelRelease: RELEASE, ...c.opts });
          } catch (e) {
            libError = e;
          }
          if (!lib) {
            // Both refuse the object, for the same reason.
            expect(cli.status, cli.stderr).not.toBe(0);
            expect(cli.stderr).toContain((libError as Error).message);
            return;
          }
          expect(cli.stderr).toBe("");
          expect(cli.status).toBe(0);
          expect(Buffer.from(fs.readFileSync(out)).equals(Buffer.from(lib.output))).toBe(true);
          if (o.path === externs && c.label === "defaults") {
            // The defaults are the target's, not false.
            const implied = virtualExternsFromBtf(target);
            const value = (name: string) => lib!.kconfig!.externs.find((e) => e.name === name)!.value;
            expect(value("LINUX_HAS_BPF_COOKIE")).toBe(implied.hasBpfCookie ? 1n : 0n);
            expect(value("LINUX_HAS_SYSCALL_WRAPPER")).toBe(implied.hasSyscallWrapper ? 1n : 0n);
          }
        });
      }
    }
  }

  it("a config provider is called only when a CONFIG_ extern needs it", () => {
    const target = loadBtf(new Uint8Array(fs.readFileSync(vmlinuxPath(`${TARGETS[0]}.btf`))));
    const bytes = new Uint8Array(fs.readFileSync(clangBpf(relocProgram("extern unsigned int LINUX_KERNEL_VERSION __attribute__((section(\".kconfig\")));", "t->pid + LINUX_KERNEL_VERSION"))));
    let calls = 0;
    const provider = () => {
      calls++;
      return { config: config(TARGETS[0]), configName: "test config" };
    };
    relocateForLoad(bytes, { target, kernelRelease: RELEASE, config: provider });
    expect(calls).toBe(0);
    const withConfig = relocateForLoad(new Uint8Array(fs.readFileSync(externs)), { target, kernelRelease: RELEASE, config: provider });
    expect(calls).toBe(1);
    expect(withConfig.output).toEqual(relocateForLoad(new Uint8Array(fs.readFileSync(externs)), { target, kernelRelease: RELEASE, config: config(TARGETS[0]) }).output);
  });
});
