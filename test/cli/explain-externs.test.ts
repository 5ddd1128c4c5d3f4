/**
 * `core explain` shows the `.kconfig` externs as `core reloc` decides them
 * (issue 14, item 8): an unresolvable strong CONFIG_NOPE is shown as a
 * failure (explain is a diagnostic: it exits 0, as with a failed
 * relocation), where reloc exits 4 with the same reason. Both commands take
 * the same kconfig options, and read the config under the same condition.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { clangBpf, CLI, oracle } from "../helpers/env.js";
import { smallTarget } from "../helpers/hostile.js";
import { relocProgram } from "../helpers/reloc-program.js";

const hasClang = oracle("clang");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-explain-externs-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const target = path.join(dir, "t.btf");
fs.writeFileSync(target, smallTarget());
const config = path.join(dir, "config");
fs.writeFileSync(config, "# a kernel config\nCONFIG_BPF=y\n");

function btfkit(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const KC = '__attribute__((section(".kconfig")))';
const DECLS = `extern int CONFIG_HZ ${KC};
extern _Bool CONFIG_BPF ${KC} __attribute__((weak));
extern unsigned int LINUX_KERNEL_VERSION ${KC};
extern int CONFIG_NOPE ${KC};`;

describe.skipIf(!hasClang)("core explain: .kconfig externs", () => {
  const nope = hasClang ? clangBpf(relocProgram(DECLS, "t->pid + CONFIG_HZ + CONFIG_BPF + LINUX_KERNEL_VERSION + CONFIG_NOPE")) : "";
  const hz = hasClang ? clangBpf(relocProgram(`extern int CONFIG_HZ ${KC};`, "t->pid + CONFIG_HZ")) : "";
  const kconfig = ["--btf", target, "--kconfig", config, "--kconfig-string", "CONFIG_HZ=250", "--kernel-release", "6.1.0-18-amd64"];

  it("an unresolvable strong CONFIG_NOPE: explain shows the failure and exits 0; reloc exits 4 with the same reason", () => {
    const r = btfkit(["core", "explain", nope, ...kconfig]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    const lines = r.stdout.split("\n");
    const at = lines.indexOf(".kconfig externs:");
    expect(lines[0]).toBe("tp_btf/sched_switch: prog 'prog' relo #0 insn #1 (byte_off)");
    const failed = lines.find((l) => l.startsWith("  FAILED: extern 'CONFIG_NOPE'"))!;
    expect(lines.slice(at)).toEqual([
      ".kconfig externs:",
      "  CONFIG_HZ = 250 (int, strong): from kconfigString",
      "  CONFIG_NOPE (int, strong): not resolved",
      "  LINUX_KERNEL_VERSION = 393472 (int, strong): from kernel release \"6.1.0-18-amd64\"",
      `  CONFIG_BPF = 1 (bool, weak): from ${config}`,
      failed,
      "          libbpf refuses to load an object with these externs",
      "",
      "1 relocations: 1 patched, 0 poisoned, 0 failed; 4 externs: 3 resolved, 1 failed",
      "",
    ]);
    const reason = failed.slice("  FAILED: ".length);
    expect(reason).toMatch(new RegExp(`^extern 'CONFIG_NOPE' \\(strong\\) is not resolved: not set by kconfigString or ${config.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\(section \\.kconfig, type \\[\\d+\\]\\)$`));

    const reloc = btfkit(["core", "reloc", nope, ...kconfig, "-o", path.join(dir, "out.o")]);
    expect(reloc.status).toBe(4);
    expect(reloc.stderr).not.toMatch(/\n\s+at /);
    expect(reloc.stderr.trimEnd().endsWith(`${nope}: ${reason}`)).toBe(true);
    expect(fs.existsSync(path.join(dir, "out.o"))).toBe(false);

    const json = btfkit(["-j", "core", "explain", nope, ...kconfig]);
    expect(json.status).toBe(0);
    const k = (JSON.parse(json.stdout) as { kconfig: { error: string; externs: Array<{ name: string; value?: string; source?: string }> } }).kconfig;
    expect(k.error).toBe(reason);
    expect(k.externs.map((e) => [e.name, e.value, e.source])).toEqual([
      ["CONFIG_HZ", "250", "kconfigString"],
      ["CONFIG_NOPE", undefined, undefined],
      ["LINUX_KERNEL_VERSION", "393472", "virtual"],
      ["CONFIG_BPF", "1", "config"],
    ]);
  });

  it("resolved externs: explain reports what reloc writes", () => {
    const r = btfkit(["core", "explain", hz, ...kconfig]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(r.stdout).toContain("\n.kconfig externs:\n  CONFIG_HZ = 250 (int, strong): from kconfigString\n\n1 relocations: 1 patched, 0 poisoned, 0 failed; 1 externs: 1 resolved, 0 failed\n");
    expect(btfkit(["core", "reloc", hz, ...kconfig, "-o", path.join(dir, "hz.o")]).status).toBe(0);
  });

  it("takes reloc's kconfig options and reads the config only when an extern needs it", () => {
    const help = (cmd: string) => btfkit(["core", cmd, "--help"]).stdout.split("\n").filter((l) => /^\s+--(kconfig|kernel-release|no-bpf|bpf-cookie|syscall|no-syscall)/.test(l));
    expect(help("explain")).toEqual(help("reloc"));
    expect(help("explain").length).toBe(8);
    const missing = path.join(dir, "no-such-config");
    for (const cmd of ["explain", "reloc"]) {
      const out = cmd === "reloc" ? ["-o", path.join(dir, "x.o")] : [];
      // CONFIG_HZ is given by --kconfig-string: the missing file is never opened.
      expect(btfkit(["core", cmd, hz, "--btf", target, "--kconfig", missing, "--kconfig-string", "CONFIG_HZ=1", ...out]).status, cmd).toBe(0);
      const r = btfkit(["core", cmd, hz, "--btf", target, "--kconfig", missing, ...out]);
      expect(r.status, cmd).toBe(1);
      expect(r.stderr, cmd).toContain(`${missing}: `);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("an object without externs prints no externs block", () => {
    const plain = clangBpf(relocProgram("", "t->pid"));
    const r = btfkit(["core", "explain", plain, "--btf", target]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain(".kconfig");
    expect(r.stdout.endsWith("\n\n1 relocations: 1 patched, 0 poisoned, 0 failed\n")).toBe(true);
  });
});
