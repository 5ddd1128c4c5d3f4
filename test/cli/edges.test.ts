/**
 * The CLI at its edges (issue 14): a reader that closes stdout early, the
 * version, `-o -`, pretty JSON from `core explain`. Each runs the built CLI
 * and asserts the exit status, the absence of a stack trace and the output.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { coreSources } from "../helpers/core-oracle.js";
import { ROOT, clangBpf, modulePath, oracle, vmlinuxPath } from "../helpers/env.js";
import { smallTarget } from "../helpers/hostile.js";

const CLI = path.join(ROOT, "dist/cli/main.js");
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** A CO-RE corpus object (test/corpus/core), built little-endian. */
const corpusObject = (name: string) => clangBpf(coreSources().find((s) => s.name === name)!.source, { flags: ["-target", "bpfel"] });

/** A fresh directory holding `t.btf`, a small CO-RE target for the corpus objects. */
function targetDir(prefix: string): { dir: string; target: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const target = path.join(dir, "t.btf");
  fs.writeFileSync(target, smallTarget());
  return { dir, target };
}

function btfkit(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "buffer", maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString("utf8") };
}

/** Runs the CLI, closes its stdout after the first chunk arrives, and resolves with how it ended. */
function closeAfterFirstChunk(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.stdout.once("data", () => child.stdout.destroy());
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe("a reader that closes stdout early (| head)", () => {
  const vmlinux = vmlinuxPath("linux-6.18.44-fc-v657.btf");
  const dumps = {
    raw: ["btf", "dump", "file", vmlinux],
    "-j": ["-j", "btf", "dump", "file", vmlinux],
    "-p": ["-p", "btf", "dump", "file", vmlinux],
    "format c": ["btf", "dump", "file", vmlinux, "format", "c"],
  };
  for (const [label, words] of Object.entries(dumps)) {
    it(`ends the process quietly with 141, as bpftool: ${label}`, async () => {
      const r = await closeAfterFirstChunk(words);
      expect({ code: r.code, signal: r.signal, stderr: r.stderr }).toEqual({ code: 141, signal: null, stderr: "" });
    });
  }
});

describe("version", () => {
  it("-V, --version and `version` print the package version and the C dialects", () => {
    for (const args of [["-V"], ["--version"], ["version"]]) {
      const r = btfkit(args);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.toString("utf8")).toBe(`btfkit v${VERSION}\nformat c dialects: bpftool 7.8, 7.1\n`);
    }
  });

  it("as JSON with -j and -p", () => {
    for (const args of [["-j", "-V"], ["-p", "version"]]) {
      const r = btfkit(args);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.toString("utf8"))).toEqual({ version: VERSION, format_c_dialects: ["7.8", "7.1"] });
    }
    expect(btfkit(["-p", "-V"]).stdout.toString("utf8")).toContain('\n    "version"');
  });
});

describe("-o - writes to stdout", () => {
  it("for a dump, and for btf dedup's binary output, leaving no file named '-'", () => {
    const { dir, target: blob } = targetDir("btfkit-dash-");
    const plain = btfkit(["btf", "dump", "file", blob], dir);
    const dashed = btfkit(["btf", "dump", "file", blob, "-o", "-"], dir);
    expect(dashed.status, dashed.stderr).toBe(0);
    expect(dashed.stdout.equals(plain.stdout)).toBe(true);
    const toFile = btfkit(["btf", "dedup", blob, "-o", "out.btf"], dir);
    const toStdout = btfkit(["btf", "dedup", blob, "-o", "-"], dir);
    expect(toStdout.status, toStdout.stderr).toBe(0);
    expect(toStdout.stdout.equals(fs.readFileSync(path.join(dir, "out.btf")))).toBe(true);
    expect(toFile.status).toBe(0);
    expect(fs.existsSync(path.join(dir, "-"))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!oracle("clang"))("core explain -p", () => {
  it("is indented JSON with the same content as -j", () => {
    const object = corpusObject("cred_uid.c");
    const { dir, target } = targetDir("btfkit-explain-");
    const compact = btfkit(["-j", "core", "explain", object, "--btf", target]);
    const pretty = btfkit(["-p", "core", "explain", object, "--btf", target]);
    expect(pretty.status, pretty.stderr).toBe(0);
    expect(compact.stdout.toString("utf8").trimEnd().split("\n")).toHaveLength(1);
    expect(pretty.stdout.toString("utf8")).toMatch(/^\{\n {4}"decisions": \[/);
    expect(JSON.parse(pretty.stdout.toString("utf8"))).toEqual(JSON.parse(compact.stdout.toString("utf8")));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!oracle("clang"))("core reloc --report", () => {
  it("writes the .kconfig data as a hex string, not an object keyed by index", () => {
    const object = corpusObject("load_kconfig.c");
    const { dir, target } = targetDir("btfkit-report-");
    const args = ["core", "reloc", object, "--btf", target, "--kconfig-string", "CONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\nCONFIG_SMP=y"];
    const r = btfkit([...args, "--kernel-release", "6.1.0", "-o", path.join(dir, "out.o"), "--report", path.join(dir, "report.json")]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")) as { kconfig: { data: string; size: number } };
    expect(report.kconfig.data).toMatch(/^([0-9a-f]{2})+$/);
    // CONFIG_HZ (int 250) is the first extern laid out with its 4-byte alignment; its bytes are in the data.
    expect(report.kconfig.data).toContain("fa000000");
    expect(report.kconfig.data.length).toBeGreaterThanOrEqual(2 * report.kconfig.size);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!oracle("clang"))("standalone BTF where split BTF is expected", () => {

  it("two objects given as `file A file B` (B would be split on A) are refused, naming B", () => {
    const objects = ["cred_uid.c", "load_kconfig.c"].map(corpusObject);
    const r = btfkit(["btf", "dump", "file", objects[0], "file", objects[1]]);
    expect(r.status).toBe(3);
    expect(r.stderr.split("\n")[0]).toBe(`btfkit: error: ${objects[1]}: a BPF object's BTF is standalone, not split BTF on the given base (dump it without a base) (section .BTF)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a standalone raw blob with -B is refused; split module BTF on its base is not", () => {
    const { dir, target: blob } = targetDir("btfkit-split-");
    const vmlinux = vmlinuxPath("linux-6.1.0-56-amd64.btf");
    const r = btfkit(["-B", vmlinux, "btf", "dump", "file", blob]);
    expect(r.status).toBe(3);
    expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^btfkit: error: ${blob}: this is standalone BTF, not split BTF on the given base`));
    const module = btfkit(["-B", vmlinux, "btf", "dump", "file", modulePath("tcp_bbr.btf")]);
    expect(module.status, module.stderr).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
