/**
 * `btfkit core check` as a user runs it: the matrix and its details, -j,
 * --fail-on as a CI gate, kernels from a directory and from archives, an
 * unreadable kernel reported in its column, and worker threads giving what
 * one thread gives.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { coreSources } from "../helpers/core-oracle.js";
import { clangBpf, CLI, oracle, REQUIRE_ORACLES, vmlinuxPath } from "../helpers/env.js";

const corpusObject = (name: string) => clangBpf(coreSources().find((s) => s.name === name)!.source, { flags: ["-target", "bpfel"] });

function btfkit(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("core check OBJECT... --btf KERNEL...", () => {
  const ok = corpusObject("task_offsets.c");
  const poisoned = corpusObject("load_flavors.c");
  const refused = corpusObject("ambiguous_syscall_tp.c");
  const amd64 = vmlinuxPath("linux-6.1.0-56-amd64.btf");
  const v618 = vmlinuxPath("linux-6.18.44-fc-v657.btf");

  it("prints the matrix, then the relocations behind each cell that is not ok", () => {
    const r = btfkit(["core", "check", ok, poisoned, refused, "--btf", amd64, v618]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0].trim().split(/\s+/)).toEqual(["linux-6.1.0-56-amd64", "linux-6.18.44-fc-v657"]);
    expect(lines[1].split(/\s{2,}/)).toEqual([ok, "ok", "ok"]);
    expect(lines[2].split(/\s{2,}/)).toEqual([poisoned, "1 poisoned", "1 poisoned"]);
    expect(lines[3].split(/\s{2,}/)).toEqual([refused, "refused", "refused"]);
    expect(r.stdout).toContain(`${poisoned} on linux-6.1.0-56-amd64: 1 poisoned\n  state_flavor insn 3: task_struct___old.state (byte_off): poisoned: `);
    expect(r.stdout).toMatch(/amb_size insn 0: syscall_tp_t \(type_size\): refused: relocation decision ambiguity/);
  });

  it("-j prints one entry per object and kernel", () => {
    const r = btfkit(["-j", "core", "check", ok, poisoned, "--btf", amd64, v618]);
    expect(r.status).toBe(0);
    const entries = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(entries.map((e) => [e.object, e.kernel, e.verdict])).toEqual([
      [ok, amd64, "ok"],
      [ok, v618, "ok"],
      [poisoned, amd64, "poisoned"],
      [poisoned, v618, "poisoned"],
    ]);
    const p = entries[2] as { patched: number; poisoned: number; failures: Array<Record<string, unknown>> };
    expect(p.poisoned).toBe(1);
    expect(p.patched).toBeGreaterThan(0);
    expect(Object.keys(p.failures[0])).toEqual(["program", "insn", "access", "kind", "outcome", "reason"]);
  });

  it("--fail-on is a CI gate: exit 5 when the matrix has what it names", () => {
    expect(btfkit(["core", "check", ok, "--btf", amd64, "--fail-on", "poisoned"]).status).toBe(0);
    const p = btfkit(["core", "check", ok, poisoned, "--btf", amd64, "--fail-on", "poisoned"]);
    expect(p.status).toBe(5);
    expect(p.stderr).toBe("btfkit: --fail-on poisoned: 1 of 2 object-kernel pairs are not ok\n");
    expect(btfkit(["core", "check", poisoned, "--btf", amd64, "--fail-on", "refused"]).status).toBe(0);
    expect(btfkit(["core", "check", refused, "--btf", amd64, "--fail-on", "refused"]).status).toBe(5);
  });

  it("reads a directory of kernels (archives too) on worker threads as on one, and reports an unreadable kernel in its column", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-check-"));
    fs.copyFileSync(amd64, path.join(dir, "a.btf"));
    fs.copyFileSync(v618, path.join(dir, "b.btf"));
    if (REQUIRE_ORACLES || oracle("xz")) {
      fs.copyFileSync(v618, path.join(dir, "c.btf"));
      spawnSync("xz", ["-0", "-T1", path.join(dir, "c.btf")]);
    }
    fs.writeFileSync(path.join(dir, "broken.btf"), fs.readFileSync(v618).subarray(0, 3000));
    const one = btfkit(["core", "check", ok, poisoned, "--btf-dir", dir, "--jobs", "1"]);
    const two = btfkit(["core", "check", ok, poisoned, "--btf-dir", dir, "--jobs", "2"]);
    expect(one.status).toBe(3);
    expect(two.status).toBe(3);
    expect(two.stdout).toBe(one.stdout);
    expect(one.stdout.split("\n")[1].split(/\s{2,}/)).toEqual([ok, "ok", "ok", "unreadable", ...(fs.existsSync(path.join(dir, "c.btf.xz")) ? ["ok"] : [])]);
    expect(one.stdout).toMatch(/\nbroken: unreadable: .*broken\.btf: /);
    expect(one.stderr).toMatch(/^btfkit: 1 of [34] kernels could not be read \(in the output\)\n$/);
  });

  it("asks for kernels", () => {
    const r = btfkit(["core", "check", ok]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("btfkit: core check: no kernels: give --btf KERNEL... or --btf-dir DIR\n");
  });
});
