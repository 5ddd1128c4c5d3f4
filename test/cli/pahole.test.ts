/**
 * `btf dump file X format pahole` as a user runs it: the whole file as
 * `pahole -F btf X` prints it, one struct as `pahole -F btf -C NAME X`, and
 * the refusals. (Every layout is compared in test/btf/layout.test.ts.)
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI, oracle, vmlinuxPath } from "../helpers/env.js";

function btfkit(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("btf dump file X format pahole", () => {
  const kernel = vmlinuxPath("linux-6.1.0-56-amd64.btf");

  it.runIf(oracle("pahole"))("prints the whole file and a root as pahole 1.24 does", () => {
    const all = btfkit(["btf", "dump", "file", kernel, "format", "pahole"]);
    expect(all.status).toBe(0);
    expect(all.stdout).toBe(spawnSync("pahole", ["-F", "btf", kernel], { encoding: "utf8", maxBuffer: 1 << 28 }).stdout);
    const one = btfkit(["btf", "dump", "file", kernel, "format", "pahole", "--root", "task_struct"]);
    expect(one.status).toBe(0);
    expect(one.stdout).toBe(spawnSync("pahole", ["-F", "btf", "-C", "task_struct", kernel], { encoding: "utf8" }).stdout);
  });

  it("refuses JSON and roots that name no struct or union", () => {
    // With -j an error is JSON on stdout, as bpftool prints it.
    expect(btfkit(["-j", "btf", "dump", "file", kernel, "format", "pahole"]).stdout).toBe('{"error":"format pahole has no JSON output (-j, -p)"}\n');
    const r = btfkit(["btf", "dump", "file", kernel, "format", "pahole", "--root", "pid_t"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("btfkit: format pahole prints structs and unions: pid_t names none\n");
  });
});
