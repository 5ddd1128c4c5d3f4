/**
 * The executable (src/cli/bin.ts): the answers it prepares without loading
 * the CLI are the CLI's own, and its code cache can never break a run: no
 * cache directory, one it may not write, a damaged cache file; nor run code
 * another user could have written.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import type { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "../helpers/env.js";
import { smallTarget } from "../helpers/hostile.js";

// A copy of the built package in a world-readable directory, so that it also
// runs as an unprivileged user (root writes any directory), and so that a
// rebuild of dist/ by another test run cannot change it under this one.
const root = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-launcher-"));
fs.chmodSync(root, 0o755);
fs.cpSync(path.join(ROOT, "dist/cli"), path.join(root, "pkg/dist/cli"), { recursive: true });
fs.cpSync(path.join(ROOT, "package.json"), path.join(root, "pkg/package.json"));
const bin = path.join(root, "pkg", path.relative(ROOT, CLI));
const input = path.join(root, "t.btf");
fs.writeFileSync(input, smallTarget());
fs.chmodSync(input, 0o644);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function btfkit(args: string[], env: NodeJS.ProcessEnv, opts: SpawnSyncOptions = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, ...env }, ...opts });
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The cache files under `home` (XDG_CACHE_HOME), with their contents. */
function cacheFiles(home: string): Map<string, Buffer> {
  const dir = path.join(home, "btfkit");
  if (!fs.existsSync(dir)) return new Map();
  return new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
}

describe("prepared answers", () => {
  const bundle = createRequire(import.meta.url)(path.join(root, "pkg/dist/cli/btfkit-main.cjs")) as { buildProgram(): Command };

  it("the help of every command is the text commander prints for it", () => {
    const prepared = JSON.parse(fs.readFileSync(path.join(root, "pkg/dist/cli/help.json"), "utf8")) as Record<string, string>;
    const live: Record<string, string> = {};
    const walk = (cmd: Command, names: string[]) => {
      live[names.join(" ")] = cmd.helpInformation();
      for (const sub of cmd.commands) walk(sub, [...names, sub.name()]);
    };
    walk(bundle.buildProgram(), []);
    expect(prepared).toEqual(live);
    for (const args of [["--help"], ["btf", "dump", "-h"], ["help", "core", "reloc"]]) {
      const r = btfkit(args, {});
      const names = args.filter((a) => !a.startsWith("-") && a !== "help").join(" ");
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }, args.join(" ")).toEqual({ status: 0, stdout: live[names], stderr: "" });
    }
  });

  it("-V and version, as text and JSON, are what the CLI itself prints", () => {
    for (const args of [["-V"], ["--version"], ["version"], ["-j", "-V"], ["-p", "version"]]) {
      const prepared = btfkit(args, {});
      // The CLI's own answer: its main() run in a process of its own.
      const script = `require(${JSON.stringify(path.join(root, "pkg/dist/cli/btfkit-main.cjs"))}).main(["node", "btfkit", ...${JSON.stringify(args)}]).then((c) => (process.exitCode = c));`;
      const own = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
      expect({ status: prepared.status, stdout: prepared.stdout }, args.join(" ")).toEqual({ status: own.status, stdout: own.stdout });
      expect(prepared.stdout).toContain("0.");
    }
  });
});

describe("the code cache never breaks a run", () => {
  const expected = () => btfkit(["btf", "dump", "file", input], { XDG_CACHE_HOME: fs.mkdtempSync(path.join(root, "warm-")) }).stdout;

  it("no cache directory: the run works and writes the cache; the next run reads it and leaves it", () => {
    const home = path.join(root, "fresh", "cache");
    const first = btfkit(["btf", "dump", "file", input], { XDG_CACHE_HOME: home });
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: "" });
    expect(first.stdout).toBe(expected());
    const written = cacheFiles(home);
    expect([...written.keys()]).toEqual([expect.stringMatching(/^btf-dump-v\d+\.\d+\.\d+-\w+-\d+-\d+\.v8$/)]);
    const second = btfkit(["btf", "dump", "file", input], { XDG_CACHE_HOME: home });
    expect({ status: second.status, stdout: second.stdout, stderr: second.stderr }).toEqual(first);
    expect(cacheFiles(home)).toEqual(written);
  });

  it.each([
    ["garbage", () => Buffer.from("not a code cache at all".repeat(100))],
    ["truncated", (b: Buffer) => b.subarray(0, b.length >> 1)],
    ["a flipped byte in V8's payload", (b: Buffer) => Buffer.from(b.map((x, i) => (i === b.length - 100 ? x ^ 0xff : x)))],
    ["empty", () => Buffer.alloc(0)],
  ])("a damaged cache file (%s) is ignored and written again", (_label, damage) => {
    const home = fs.mkdtempSync(path.join(root, "damaged-"));
    expect(btfkit(["btf", "dump", "file", input], { XDG_CACHE_HOME: home }).status).toBe(0);
    const [[name, good]] = [...cacheFiles(home)];
    fs.writeFileSync(path.join(home, "btfkit", name), damage(good));
    const r = btfkit(["btf", "dump", "file", input], { XDG_CACHE_HOME: home });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(r.stdout).toBe(expected());
    const rewritten = cacheFiles(home).get(name);
    expect(rewritten && rewritten.length).toBeGreaterThan(20);
    expect(rewritten!.equals(damage(good))).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)("a cache directory the user may not write (run as nobody) is left alone and the run works", () => {
    const home = fs.mkdtempSync(path.join(root, "readonly-"));
    fs.mkdirSync(path.join(home, "btfkit"));
    fs.chmodSync(home, 0o555);
    fs.chmodSync(path.join(home, "btfkit"), 0o555);
    const r = btfkit(["btf", "dump", "file", input], { XDG_CACHE_HOME: home, HOME: home }, { uid: 65534, gid: 65534 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(r.stdout).toBe(expected());
    expect(fs.readdirSync(path.join(home, "btfkit"))).toEqual([]);
  });

  it("a cache directory another user could write is neither read nor written", () => {
    const worldWritable = fs.mkdtempSync(path.join(root, "shared-"));
    fs.mkdirSync(path.join(worldWritable, "btfkit"));
    fs.chmodSync(path.join(worldWritable, "btfkit"), 0o777);
    const homes = [worldWritable];
    if (process.getuid?.() === 0) {
      const foreign = fs.mkdtempSync(path.join(root, "foreign-"));
      fs.mkdirSync(path.join(foreign, "btfkit"), { mode: 0o700 });
      fs.chownSync(path.join(foreign, "btfkit"), 65534, 65534);
      homes.push(foreign);
    }
    for (const home of homes) {
      const r = btfkit(["btf", "dump", "file", input], { XDG_CACHE_HOME: home });
      expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }, home).toEqual({ status: 0, stderr: "", stdout: expected() });
      expect(fs.readdirSync(path.join(home, "btfkit")), home).toEqual([]);
    }
  });

  it("a cache directory that cannot exist (its parent is a file) is ignored", () => {
    const file = path.join(root, "a-file");
    fs.writeFileSync(file, "");
    const r = btfkit(["btf", "dump", "file", input], { XDG_CACHE_HOME: file });
    expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({ status: 0, stderr: "", stdout: expected() });
  });
});
