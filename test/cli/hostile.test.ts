/**
 * Hostile inputs (test/helpers/hostile.ts) through every command and every
 * library entry point, each in a child process under a heap limit, its peak
 * RSS measured by /usr/bin/time and a time limit that only catches hangs:
 * success or a typed error, never a signal, never over the memory bound.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { coreSources } from "../helpers/core-oracle.js";
import { clangBpf, CLI, oracle, ROOT } from "../helpers/env.js";
import { hostileCommands, hostileInputs, smallTarget } from "../helpers/hostile.js";

const LIB_RUNNER = path.join(ROOT, "test/helpers/hostile-lib.mjs");
const RSS_PRELOAD = pathToFileURL(path.join(ROOT, "test/helpers/peak-rss.mjs")).href;
/** V8's heap limit for each child (MiB). */
const HEAP_MIB = 384;
/** Peak RSS allowed to a command: Node itself plus a small multiple of the input (dumps stream their output). */
const rssBound = (inputBytes: number) => 200 * 2 ** 20 + 16 * inputBytes;
/**
 * Peak RSS allowed to the library runner: as a command, plus the string
 * dumps' whole output (at most 64 bytes per input byte + 16 MiB, as bytes
 * and as the string decoded from them).
 */
const libraryRssBound = (inputBytes: number) => rssBound(inputBytes) + 2 * (64 * inputBytes + 16 * 2 ** 20);
/** Catches hangs only; every input here finishes in seconds. */
const HANG_MS = 90_000;
/** Sizes at a quarter of the audit's: still far past the heap limit when decoded naively. */
const SCALE = 0.25;

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  rssBytes: number;
}

/**
 * Runs node with `args` under the heap limit and the hang timeout. stdout
 * goes to a file (a dump's output can be far larger than a pipe buffer that
 * spawnSync would kill the child for); its last `keepStdout` bytes are read back.
 */
function timed(args: string[], keepStdout = 0): Run {
  const rssFile = path.join(dir, "peak-rss.txt");
  const outFile = path.join(dir, "stdout.txt");
  fs.rmSync(rssFile, { force: true });
  const out = fs.openSync(outFile, "w");
  const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MIB}`, "--import", RSS_PRELOAD, ...args], {
    cwd: dir,
    env: { ...process.env, BTFKIT_RSS_FILE: rssFile },
    timeout: HANG_MS,
    killSignal: "SIGKILL",
    maxBuffer: 1 << 20,
    encoding: "utf8",
    stdio: ["ignore", out, "pipe"],
  });
  fs.closeSync(out);
  const stdout = readEnd(outFile, keepStdout);
  fs.rmSync(outFile);
  return {
    status: r.status,
    signal: r.signal,
    stdout,
    stderr: r.stderr ?? "",
    rssBytes: fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, "utf8")) : Infinity,
  };
}

/** The last `max` bytes of a file, as UTF-8. */
function readEnd(file: string, max: number): string {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(max, size));
    return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, size - buf.length)).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

const hasTools = oracle("clang");
const sources = new Map(coreSources().map((s) => [s.name, s.source]));
const bpfel = { flags: ["-target", "bpfel"] };
const kconfigObject = hasTools ? clangBpf(sources.get("load_kconfig.c")!, bpfel) : "";
const plainObject = hasTools ? clangBpf(sources.get("cred_uid.c")!, bpfel) : "";
const inputs = hasTools ? hostileInputs(SCALE, new Uint8Array(fs.readFileSync(kconfigObject))) : [];
let dir: string;
let target: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-hostile-"));
  target = path.join(dir, "target.btf");
  fs.writeFileSync(target, smallTarget());
  fs.writeFileSync(path.join(dir, "small.config"), "CONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\nCONFIG_SMP=y\n");
  for (const input of inputs) fs.writeFileSync(path.join(dir, input.name), input.bytes);
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasTools)("hostile inputs", () => {
  it("every generator makes an input small on disk", () => {
    for (const input of inputs) expect(input.bytes.length, input.name).toBeLessThan(8 << 20);
  });

  describe.each(["cli", "library"])("%s", (side) => {
    it.each(inputs.map((input) => [input.name, input] as const))("%s: success or a typed error within the limits", (_name, input) => {
      const inputSize = input.bytes.length + fs.statSync(kconfigObject).size;
      if (side === "library") {
        const r = timed([LIB_RUNNER, path.join(ROOT, "dist"), input.form, input.name, kconfigObject, target], 1 << 30);
        expect(r.signal, `${input.name}: ${r.stderr.slice(-500)}`).toBeNull();
        expect(r.status, `${input.name}: ${r.stdout.slice(0, 2000)}${r.stderr.slice(-500)}`).toBe(0);
        expect(r.rssBytes, `${input.name}: peak RSS`).toBeLessThanOrEqual(libraryRssBound(inputSize));
        const results = JSON.parse(r.stdout) as Record<string, string>;
        const objectEntries = ["relocateObject", "relocateForLoad"];
        for (const [entry, result] of Object.entries(results)) {
          const want = input.form === "elf" && objectEntries.includes(entry) ? (input.asObject ?? input.expect) : input.expect;
          if (want) expect(result === "ok" ? "ok" : "typed-error", `${input.name}: ${entry} gave ${result}`).toBe(want);
        }
        return;
      }
      const companions = { kconfigObject, plainObject, target, config: "small.config" };
      for (const { args, expect: want = input.expect } of hostileCommands(input, input.name, companions, "out.bin")) {
        const label = `${input.name}: btfkit ${args.join(" ")}`;
        fs.rmSync(path.join(dir, "out.bin"), { force: true });
        // With -j an error is JSON on stdout (as bpftool's), its last line, after what a dump wrote before it failed.
        const json = args.includes("-j") || args.includes("-p");
        const run = timed([CLI, ...args], json ? 1 << 16 : 0);
        const error = () => (JSON.parse(run.stdout.slice(run.stdout.lastIndexOf("\n", run.stdout.length - 2) + 1)) as { error: string }).error;
        const r = json && run.status !== 0 ? { ...run, stderr: `btfkit: ${error()}\n` } : run;
        expect(r.signal, `${label}: ${r.stderr.slice(-500)}`).toBeNull();
        // 0 success, 3 invalid input, 4 unresolvable relocation or extern: never 1 (an untyped failure) or a signal.
        expect([0, 3, 4], `${label}: exit ${r.status}: ${r.stderr.slice(-500)}`).toContain(r.status);
        expect(r.rssBytes, `${label}: peak RSS`).toBeLessThanOrEqual(rssBound(inputSize));
        if (r.status !== 0) {
          // One line, naming one of the files the command was given.
          expect(r.stderr, label).toMatch(/^btfkit: [^\n]+\n$/);
          expect(
            args.some((a) => r.stderr.includes(`${a}:`)),
            `${label}: ${r.stderr}`,
          ).toBe(true);
          expect(fs.existsSync(path.join(dir, "out.bin")), `${label}: no output after a failure`).toBe(false);
        }
        if (want) expect(r.status === 0 ? "ok" : "typed-error", `${label}: ${r.stderr}`).toBe(want);
      }
    });
  });
});
