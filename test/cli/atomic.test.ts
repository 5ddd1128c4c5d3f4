/**
 * `-o OUT` under kills and failures, on the built CLI with real inputs.
 *
 * Killed at any moment, OUT is the old file, absent, or byte-identical to an
 * uninterrupted run's output. After SIGTERM, SIGINT or SIGHUP no temporary
 * file remains (after SIGKILL at most a hidden `.OUT.*.tmp`). A command that
 * fails leaves an existing OUT untouched, creates none, leaves no temporary
 * file, and exits 1 (I/O), 2 (usage), 3 (invalid input) or 4 (relocation).
 *
 * Kill times come from a fixed list; the outcome of each kill depends on the
 * machine's speed, so every assertion holds for every possible outcome.
 * "temp" kills the moment the temporary file appears (inotify), which lands
 * the signal inside the write itself.
 */
import { spawn, spawnSync, type SpawnOptions } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, clangBpf, fixturePath, oracle, vmlinuxPath } from "../helpers/env.js";
import { sharedMemberNamesBtf } from "../helpers/long-names.js";
import { relocProgram } from "../helpers/reloc-program.js";

// The CLI the global setup built (the bundle holds its dependency), copied
// with package.json: another test run's global setup may rebuild dist/
// meanwhile, and the build rewrites files in place (an empty file would exit
// 0 having written nothing). Outside the project, in a world-readable directory, because the
// unwritable-directory case runs it as an unprivileged user, who may not be
// able to enter the project's directory.
const root = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-atomic-"));
fs.chmodSync(root, 0o755);
const pkg = path.join(root, "pkg");
fs.cpSync(path.join(ROOT, "dist"), path.join(pkg, "dist"), { recursive: true });
fs.cpSync(path.join(ROOT, "package.json"), path.join(pkg, "package.json"));
const CLI = path.join(pkg, "dist/cli/btfkit.cjs");
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A copy of an input in the world-readable directory, for runs as the unprivileged user. */
function shared(file: string): string {
  const copy = path.join(root, "in", path.basename(file));
  if (!fs.existsSync(copy)) {
    fs.mkdirSync(path.dirname(copy), { recursive: true, mode: 0o755 });
    fs.copyFileSync(file, copy);
  }
  return copy;
}

const v618 = () => vmlinuxPath("linux-6.18.44-fc-v657.btf");
const v61 = () => vmlinuxPath("linux-6.1.0-56-amd64.btf");
/** A 4 KB standalone blob, for failures that do not depend on the input's size. */
const small = () => fixturePath("modules/bpf_testmod-7.1.distilled-base.btf");
const OLD = Buffer.from("old output, must survive a failed or killed run\n");
const OUT = "out.bin";
const TEMP = /^\.out\.bin\.\d+\.[0-9a-f]+\.tmp$/;

const MISSING_FIELD = "struct task_struct___x { int btfkit_gone; } __attribute__((preserve_access_index));";
const hasClang = oracle("clang");
const relocObj = () => clangBpf(relocProgram("", "t->pid + t->tgid"));

interface Command {
  name: string;
  args: (out: string) => string[];
  needsClang?: boolean;
}

const COMMANDS: Command[] = [
  { name: "btf dump format c", args: (o) => ["btf", "dump", "file", v618(), "format", "c", "-o", o] },
  { name: "btf dump -j", args: (o) => ["-j", "btf", "dump", "file", v618(), "-o", o] },
  { name: "btf merge", args: (o) => ["btf", "merge", v618(), v61(), "-o", o] },
  { name: "btf dedup", args: (o) => ["btf", "dedup", v618(), "-o", o] },
  { name: "core reloc", args: (o) => ["core", "reloc", relocObj(), "--btf", v618(), "-o", o], needsClang: true },
];

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The first 64 KiB of stdout (where -j puts an error); undefined when empty, so outcomes compare without it. */
  stdout?: string;
}

interface Kill {
  signal: NodeJS.Signals;
  /** Milliseconds after spawn, or "temp": as soon as a temporary file appears in `dir`. */
  after: number | "temp";
  dir: string;
}

interface RunOptions {
  kill?: Kill;
  spawn?: SpawnOptions;
  /** A shell command run first, in a shell that then execs the CLI (e.g. `ulimit -f 1024`). */
  shell?: string;
}

/** Runs the CLI, optionally killing it; resolves when it has exited. */
function runCli(args: string[], { kill, spawn: opts = {}, shell }: RunOptions = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let watcher: fs.FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    let sent = false;
    const send = () => {
      if (!sent) {
        sent = true;
        child.kill(kill!.signal);
      }
    };
    if (kill?.after === "temp") watcher = fs.watch(kill.dir, (_event, name) => name && TEMP.test(String(name)) && send());
    const argv = [process.execPath, CLI, ...args];
    const [file, ...rest] = shell ? ["sh", "-c", `${shell} && exec "$0" "$@"`, ...argv] : argv;
    const child = spawn(file, rest, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stderr!.on("data", (d) => (stderr += d));
    child.stdout!.on("data", (d) => stdout.length < 1 << 16 && (stdout += d));
    if (kill && kill.after !== "temp") {
      if (kill.after === 0) send();
      else timer = setTimeout(send, kill.after);
    }
    child.on("error", reject);
    child.on("close", (code, signal) => {
      watcher?.close();
      clearTimeout(timer);
      resolve({ code, signal, stderr, stdout: stdout || undefined });
    });
  });
}

const references = new Map<string, Buffer>();

/** A fresh directory, with OUT holding OLD when `old` is set. */
function trialDir(label: string, old: boolean): { dir: string; out: string } {
  const dir = fs.mkdtempSync(path.join(root, `${label.replace(/\W+/g, "-")}-`));
  const out = path.join(dir, OUT);
  if (old) fs.writeFileSync(out, OLD);
  return { dir, out };
}

/** Directory entries besides OUT. */
const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => f !== OUT);

async function pool<T>(items: T[], width: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await f(items[next++]);
  }));
}

const KILL_DELAYS = [0, 300, 800];
const ALSO_CAUGHT: NodeJS.Signals[] = ["SIGINT", "SIGHUP"];

describe("a killed -o run leaves OUT old, absent or complete", () => {
  beforeAll(async () => {
    // Uninterrupted runs: the bytes every completed OUT must equal.
    await pool(COMMANDS.filter((c) => !c.needsClang || hasClang), 2, async (c) => {
      const { dir, out } = trialDir(`ref-${c.name}`, false);
      const r = await runCli(c.args(out));
      expect(r, c.name).toEqual({ code: 0, signal: null, stderr: "" });
      expect(leftovers(dir), c.name).toEqual([]);
      references.set(c.name, fs.readFileSync(out));
    });
  });

  COMMANDS.forEach((c, index) => {
    it.skipIf(c.needsClang && !hasClang)(c.name, async () => {
      const ref = references.get(c.name)!;
      expect(ref.length).toBeGreaterThan(0);
      // Every signal both with and without an old OUT, alternating along the delays.
      const trials: Array<{ signal: NodeJS.Signals; after: number | "temp"; old: boolean }> = [];
      KILL_DELAYS.forEach((after, i) => {
        trials.push({ signal: "SIGKILL", after, old: i % 2 === 0 }, { signal: "SIGTERM", after, old: i % 2 === 1 });
      });
      // Inside the write: SIGKILL, SIGTERM, and SIGINT or SIGHUP by turns.
      trials.push(
        { signal: "SIGKILL", after: "temp", old: index % 2 === 0 },
        { signal: "SIGTERM", after: "temp", old: index % 2 === 1 },
        { signal: ALSO_CAUGHT[index % 2], after: "temp", old: true },
      );

      await pool(trials, 2, async ({ signal, after, old }) => {
        const label = `${c.name} ${signal} @${after}${old ? " over an old OUT" : ""}`;
        const { dir, out } = trialDir(label, old);
        const r = await runCli(c.args(out), { kill: { signal, after, dir } });
        const caught = signal !== "SIGKILL";

        // Finished, or ended by the signal (128+N is the fallback exit of a caught one).
        const signo = os.constants.signals[signal];
        const ended = r.signal === signal || (r.signal === null && (r.code === 0 || (caught && r.code === 128 + signo)));
        expect(ended, `${label}: ${JSON.stringify(r)}`).toBe(true);
        if (r.code === 0) expect(r.stderr, label).toBe("");

        const content = fs.existsSync(out) ? fs.readFileSync(out) : undefined;
        const complete = content !== undefined && content.equals(ref);
        const allowed = complete || (old ? content !== undefined && content.equals(OLD) : content === undefined);
        expect(allowed, `${label}: OUT is ${content === undefined ? "absent" : `${content.length} bytes, neither old nor complete`}`).toBe(true);
        if (r.code === 0) expect(complete, `${label}: exit 0 with an incomplete OUT`).toBe(true);
        // This implementation holds a caught signal that arrives once the
        // temporary file exists until the file is complete and renamed.
        if (caught && after === "temp") expect(complete, `${label}: signal during the write, OUT not complete`).toBe(true);

        const rest = leftovers(dir);
        if (caught) expect(rest, `${label}: temporary file left behind`).toEqual([]);
        else expect(rest.filter((f) => !TEMP.test(f)), `${label}: unexpected files`).toEqual([]);
      });
    });
  });
});

describe("a failed -o run leaves no OUT, no temporary file and a distinct exit code", () => {
  /** Runs a failing command twice (no OUT; an old OUT) and checks both. */
  async function fails(label: string, args: (out: string) => string[], code: number, stderr?: RegExp, run: RunOptions = {}) {
    for (const old of [false, true]) {
      const { dir, out } = trialDir(`${label}${old ? "-old" : ""}`, old);
      const r = await runCli(args(out), run);
      expect({ code: r.code, signal: r.signal }, `${label}: ${r.stderr}`).toEqual({ code, signal: null });
      // One line: on stderr, or with -j as bpftool's {"error": ...} on stdout.
      const message = args(out).includes("-j") ? `btfkit: ${(JSON.parse(r.stdout ?? "") as { error: string }).error}\n` : r.stderr;
      expect(message, label).toMatch(/^btfkit: (?!error: )[^\n]+\n$/);
      if (stderr) expect(message, label).toMatch(stderr);
      if (old) expect(fs.readFileSync(out).equals(OLD), `${label}: old OUT changed`).toBe(true);
      else expect(fs.existsSync(out), `${label}: OUT created`).toBe(false);
      expect(leftovers(dir), `${label}: files left behind`).toEqual([]);
    }
  }

  const garbage = path.join(root, "garbage.bin");
  const missing = path.join(root, "does-not-exist.btf");
  beforeAll(() => fs.writeFileSync(garbage, Buffer.from("\x7fELF, or so it says, and then nothing that makes sense ".repeat(8))));

  it("usage errors exit 2", async () => {
    await fails("dump usage", (o) => ["btf", "dump", "file", small(), "format", "yaml", "-o", o], 2);
    await fails("dump c json", (o) => ["-j", "btf", "dump", "file", small(), "format", "c", "-o", o], 2);
    await fails("merge usage", (o) => ["btf", "merge", small(), "--no-such-option", "-o", o], 2);
    await fails("reloc usage", (o) => ["core", "reloc", garbage, "--bogus", "-o", o], 2);
  });

  it("invalid input exits 3 and names the file", async () => {
    const named = new RegExp(garbage.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));
    await fails("dump bad", (o) => ["btf", "dump", "file", garbage, "format", "c", "-o", o], 3, named);
    await fails("dedup bad", (o) => ["btf", "dedup", garbage, "-o", o], 3, named);
    await fails("merge bad", (o) => ["btf", "merge", small(), garbage, "-o", o], 3, named);
    await fails("reloc bad", (o) => ["core", "reloc", garbage, "--btf", v618(), "-o", o], 3);
    await fails("reloc bad target", (o) => ["core", "reloc", hasClang ? relocObj() : garbage, "--btf", garbage, "-o", o], 3, named);
  });

  it("a missing input exits 1", async () => {
    await fails("dump missing", (o) => ["btf", "dump", "file", missing, "-o", o], 1, /: no such file or directory\n$/);
    await fails("dedup missing", (o) => ["btf", "dedup", missing, "-o", o], 1, /: no such file or directory\n$/);
    await fails("merge missing", (o) => ["btf", "merge", small(), missing, "-o", o], 1, /: no such file or directory\n$/);
    await fails("reloc missing", (o) => ["core", "reloc", missing, "--btf", v618(), "-o", o], 1, /: no such file or directory\n$/);
  });

  it.skipIf(!hasClang)("a relocation libbpf would refuse, or --strict poisoning, exits 4", async () => {
    const poisoned = clangBpf(relocProgram(MISSING_FIELD, "t->pid + ((struct task_struct___x *)t)->btfkit_gone"));
    const report = path.join(root, "strict-report.json");
    await fails("reloc strict", (o) => ["core", "reloc", poisoned, "--btf", v618(), "--strict", "--report", report, "-o", o], 4, /btfkit_gone/);
    expect(fs.existsSync(report)).toBe(false);
    const extern = clangBpf(relocProgram('extern int CONFIG_BTFKIT_ABSENT __attribute__((section(".kconfig")));', "t->pid + CONFIG_BTFKIT_ABSENT"));
    await fails("reloc extern", (o) => ["core", "reloc", extern, "--btf", v618(), "--kconfig-string", "CONFIG_HZ=100", "-o", o], 4, /CONFIG_BTFKIT_ABSENT/);
  });

  it("an output that cannot be written exits 1", async () => {
    // The parent is missing, is a file, or OUT is a directory (which stays as it was).
    await fails("no parent", (o) => ["btf", "dedup", small(), "-o", path.join(o, "sub", "x.btf")], 1, /: cannot write: (no such file or directory|not a directory)\n$/);
    await fails("parent is a file", () => ["btf", "dump", "file", small(), "format", "c", "-o", path.join(garbage, "x.h")], 1, /: cannot write: not a directory\n$/);
    const { dir } = trialDir("out-is-dir", false);
    const asDir = path.join(dir, "dir.h");
    fs.mkdirSync(asDir);
    fs.writeFileSync(path.join(asDir, "keep"), "kept");
    const r = await runCli(["btf", "dump", "file", small(), "format", "c", "-o", asDir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toBe(`btfkit: ${asDir}: cannot write: is a directory\n`);
    expect(fs.readdirSync(dir)).toEqual(["dir.h"]);
    expect(fs.readdirSync(asDir)).toEqual(["keep"]);
  });

  it("an unwritable output directory exits 1", async () => {
    // Root ignores directory permissions, so under root the CLI runs as nobody.
    const asUser: SpawnOptions = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const commands: Array<[string, (o: string) => string[]]> = [
      ["dump c", (o) => ["btf", "dump", "file", shared(small()), "format", "c", "-o", o]],
      ["merge", (o) => ["btf", "merge", shared(small()), shared(small()), "-o", o]],
      ["dedup", (o) => ["btf", "dedup", shared(small()), "-o", o]],
    ];
    if (hasClang) commands.push(["reloc", (o) => ["core", "reloc", shared(relocObj()), "--btf", shared(v618()), "-o", o]]);
    for (const [i, [name, args]] of commands.entries()) {
      const old = i % 2 === 1;
      const { dir, out } = trialDir(`ro-${name}`, old);
      fs.chmodSync(dir, 0o555);
      try {
        const r = await runCli(args(out), { spawn: asUser });
        expect({ code: r.code, signal: r.signal }, `${name}: ${r.stderr}`).toEqual({ code: 1, signal: null });
        expect(r.stderr, name).toMatch(/: cannot write: .*(permission denied|operation not permitted)/);
        if (old) expect(fs.readFileSync(out).equals(OLD), name).toBe(true);
        else expect(fs.existsSync(out), name).toBe(false);
        expect(leftovers(dir), name).toEqual([]);
      } finally {
        fs.chmodSync(dir, 0o755);
      }
    }
  });

  it("a write that fails halfway (file size limit) removes its temporary file and keeps the old OUT", async () => {
    // RLIMIT_FSIZE (1024 blocks of 512 bytes or 1 KiB) below the 2.8 MB
    // header: the kernel refuses the rest of the write with EFBIG (node ignores
    // SIGXFSZ) once part of it is on disk.
    const args = (o: string) => ["btf", "dump", "file", v618(), "format", "c", "-o", o];
    await fails("file size limit", args, 1, /: cannot write: file too large\n$/, { shell: "ulimit -f 1024" });
  });
});

describe("what OUT is", () => {
  it("a symlink has its target replaced, an existing file keeps its mode, a FIFO is written in place", async () => {
    const args = (o: string) => ["btf", "dump", "file", small(), "format", "c", "-o", o];
    const { dir, out } = trialDir("kinds", false);
    expect((await runCli(args(out))).code).toBe(0);
    const ref = fs.readFileSync(out);

    const real = path.join(dir, "real.h");
    const link = path.join(dir, "link.h");
    fs.writeFileSync(real, OLD);
    fs.chmodSync(real, 0o640);
    fs.symlinkSync("real.h", link);
    expect(await runCli(args(link))).toEqual({ code: 0, signal: null, stderr: "" });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real).equals(ref)).toBe(true);
    expect(fs.statSync(real).mode & 0o777).toBe(0o640);

    const fifo = path.join(dir, "fifo.h");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const chunks: Buffer[] = [];
    const read = new Promise<void>((resolve, reject) => {
      fs.createReadStream(fifo).on("data", (d) => chunks.push(d as Buffer)).on("end", resolve).on("error", reject);
    });
    expect(await runCli(args(fifo))).toEqual({ code: 0, signal: null, stderr: "" });
    await read;
    expect(Buffer.concat(chunks).equals(ref)).toBe(true);
    expect(fs.statSync(fifo).isFIFO()).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(["fifo.h", "link.h", OUT, "real.h"].sort());
  });
});

describe("output rules", () => {
  const isRoot = process.getuid?.() === 0;
  const NOBODY = 65534;
  const asNobody: SpawnOptions = { uid: NOBODY, gid: NOBODY };
  const dump = (o: string) => ["btf", "dump", "file", shared(small()), "format", "c", "-o", o];
  let ref: Buffer;
  beforeAll(async () => {
    const { out } = trialDir("rules-ref", false);
    expect((await runCli(dump(out))).code).toBe(0);
    ref = fs.readFileSync(out);
  });
  const ok = { code: 0, signal: null, stderr: "" };

  it("a symlink, dangling or not, is followed and the file at its end replaced or created", async () => {
    const { dir } = trialDir("follow", false);
    // Dangling, through a chain of two links, one of them relative to another directory.
    fs.mkdirSync(path.join(dir, "sub"));
    fs.symlinkSync("sub/hop.h", path.join(dir, "dangling.h"));
    fs.symlinkSync("../made.h", path.join(dir, "sub", "hop.h"));
    expect(await runCli(dump(path.join(dir, "dangling.h")))).toEqual(ok);
    expect(fs.lstatSync(path.join(dir, "dangling.h")).isSymbolicLink()).toBe(true);
    expect(fs.lstatSync(path.join(dir, "sub", "hop.h")).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, "made.h")).equals(ref)).toBe(true);
    // A loop is an error, not a hang.
    fs.symlinkSync("loop-b.h", path.join(dir, "loop-a.h"));
    fs.symlinkSync("loop-a.h", path.join(dir, "loop-b.h"));
    const r = await runCli(dump(path.join(dir, "loop-a.h")));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: `btfkit: ${path.join(dir, "loop-a.h")}: cannot write: too many levels of symbolic links\n` });
  });

  it.skipIf(!isRoot)("the new file keeps the old one's mode, owner and group; other hard links keep the old contents (chown needs root)", async () => {
    const { dir } = trialDir("owner", false);
    const real = path.join(dir, "real.h");
    fs.writeFileSync(real, OLD);
    fs.chmodSync(real, 0o640);
    fs.chownSync(real, NOBODY, NOBODY);
    fs.linkSync(real, path.join(dir, "hard.h"));
    fs.symlinkSync("real.h", path.join(dir, "link.h"));
    expect(await runCli(dump(path.join(dir, "link.h")))).toEqual(ok);
    const st = fs.statSync(real);
    expect({ mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, nlink: st.nlink }).toEqual({ mode: 0o640, uid: NOBODY, gid: NOBODY, nlink: 1 });
    expect(fs.readFileSync(real).equals(ref)).toBe(true);
    expect(fs.readFileSync(path.join(dir, "hard.h")).equals(OLD)).toBe(true);
  });

  it.skipIf(!isRoot)("a symlink another user planted in a sticky world-writable directory is refused (needs root to own files as another user)", async () => {
    const { dir } = trialDir("sticky", false);
    fs.chmodSync(dir, 0o1777);
    const victim = path.join(dir, "victim");
    fs.writeFileSync(victim, OLD);
    // Nobody's: in a sticky directory only a file's owner may rename over it.
    fs.chownSync(victim, NOBODY, NOBODY);
    const plant = (name: string, uid: number) => {
      const link = path.join(dir, name);
      fs.symlinkSync("victim", link);
      fs.lchownSync(link, uid, uid);
      return link;
    };
    const refused = (link: string) => `btfkit: ${link}: refusing to follow a symlink owned by another user in a sticky world-writable directory\n`;
    // Root following nobody's link in root's /tmp-like directory; nobody following a third user's.
    const byNobody = plant("by-nobody.h", NOBODY);
    expect(await runCli(dump(byNobody))).toEqual({ code: 1, signal: null, stderr: refused(byNobody) });
    const byOther = plant("by-other.h", 4242);
    expect(await runCli(dump(byOther), { spawn: asNobody })).toEqual({ code: 1, signal: null, stderr: refused(byOther) });
    expect(fs.readFileSync(victim).equals(OLD)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(["by-nobody.h", "by-other.h", "victim"]);
    // Followed: our own link, and one owned by the directory's owner.
    expect(await runCli(dump(byNobody), { spawn: asNobody })).toEqual(ok);
    expect(fs.readFileSync(victim).equals(ref)).toBe(true);
    fs.writeFileSync(victim, OLD);
    const byRoot = plant("by-root.h", 0);
    expect(await runCli(dump(byRoot), { spawn: asNobody })).toEqual(ok);
    expect(fs.readFileSync(victim).equals(ref)).toBe(true);
    // Not sticky: the rule does not apply.
    fs.chmodSync(dir, 0o777);
    fs.writeFileSync(victim, OLD);
    expect(await runCli(dump(byNobody))).toEqual(ok);
    expect(fs.readFileSync(victim).equals(ref)).toBe(true);
  });

  it.skipIf(!isRoot)("an existing OUT we may not write is refused, as a shell redirect is; root writes it (needs root to run as another user)", async () => {
    const { dir } = trialDir("readonly", false);
    fs.chmodSync(dir, 0o777);
    const mine = path.join(dir, "mine-0444.h");
    const roots = path.join(dir, "root-0644.h");
    for (const [f, mode, uid] of [
      [mine, 0o444, NOBODY],
      [roots, 0o644, 0],
    ] as const) {
      fs.writeFileSync(f, OLD);
      fs.chmodSync(f, mode);
      fs.chownSync(f, uid, uid);
      const shell = spawnSync("sh", ["-c", 'echo x > "$0"', f], asNobody);
      expect(shell.status, `${f}: the shell writes it`).not.toBe(0);
      const r = await runCli(dump(f), { spawn: asNobody });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: `btfkit: ${f}: cannot write: permission denied\n` });
      expect(fs.readFileSync(f).equals(OLD)).toBe(true);
    }
    expect(fs.readdirSync(dir).sort()).toEqual([mine, roots].map((f) => path.basename(f)).sort());
    expect(await runCli(dump(mine))).toEqual(ok);
    expect(fs.readFileSync(mine).equals(ref)).toBe(true);
    expect(fs.statSync(mine).mode & 0o777).toBe(0o444);
  });

  it("temporary files of OUT whose process is gone are removed by the next write", async () => {
    const { dir, out } = trialDir("stale", true);
    const real = path.join(dir, "real.bin");
    fs.writeFileSync(real, OLD);
    fs.rmSync(out);
    fs.symlinkSync("real.bin", out);
    const gone = spawnSync("true").pid!;
    const names = {
      stale: `.real.bin.${gone}.0badf00d.tmp`,
      live: `.real.bin.${process.pid}.cafe0001.tmp`,
      otherOutput: `.other.bin.${gone}.0badf00d.tmp`,
      notOurs: `.real.bin.${gone}.tmp`,
      beside: `.out.bin.${gone}.0badf00d.tmp`,
    };
    for (const n of Object.values(names)) fs.writeFileSync(path.join(dir, n), "partial");
    expect(await runCli(dump(out))).toEqual(ok);
    expect(fs.readFileSync(real).equals(ref)).toBe(true);
    // Beside the symlink's target only; OUT's own name is the link.
    const left = fs.readdirSync(dir).sort();
    expect(left).toEqual([OUT, "real.bin", names.live, names.otherOutput, names.notOurs, names.beside].sort());
  });

  it.skipIf(!hasClang)("--report naming the output object is refused before anything is written", async () => {
    const { dir, out } = trialDir("report", true);
    const obj = relocObj();
    fs.symlinkSync(OUT, path.join(dir, "via-link.json"));
    fs.linkSync(out, path.join(dir, "hard.json"));
    fs.mkdirSync(path.join(dir, "sub"));
    for (const report of [out, `${dir}/./${OUT}`, path.join(dir, "via-link.json"), path.join(dir, "hard.json"), `${dir}/sub/../${OUT}`]) {
      const r = await runCli(["core", "reloc", obj, "--btf", v618(), "--report", report, "-o", out]);
      expect(r.code, `${report}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toBe(`btfkit: --report ${report} is the output object ${out}: it would be overwritten\n`);
      expect(fs.readFileSync(out).equals(OLD)).toBe(true);
    }
    // A new OUT and the report through a dangling link to it.
    fs.rmSync(out);
    fs.rmSync(path.join(dir, "hard.json"));
    const r = await runCli(["core", "reloc", obj, "--btf", v618(), "--report", path.join(dir, "via-link.json"), "-o", out]);
    expect(r.code, r.stderr).toBe(2);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(["sub", "via-link.json"]);
  });
});

describe("a streamed output", () => {
  it("that fails halfway leaves the old OUT, no temporary file, and exits 3", async () => {
    // A struct of 1,000 members sharing one 100 KB name: 112 KB of BTF asking for 100 MB of JSON, over the dump's output limit.
    const input = path.join(root, "shared-name.btf");
    fs.writeFileSync(input, sharedMemberNamesBtf({ count: 1000, length: 100_000 }));
    // Raw, -j and -p (the struct is anonymous, so format c never prints its members: cli.test.ts covers C).
    for (const flag of ["", "-j", "-p"]) {
      const { dir, out } = trialDir(`stream-fail${flag}`, true);
      const r = await runCli([...(flag ? [flag] : []), "btf", "dump", "file", input, "-o", out]);
      expect({ code: r.code, signal: r.signal }, r.stderr).toEqual({ code: 3, signal: null });
      const message = flag ? (JSON.parse(r.stdout ?? "") as { error: string }).error : r.stderr;
      expect(message).toMatch(/^(btfkit: )?.*the dump would exceed \d+ bytes/);
      expect(fs.readFileSync(out).equals(OLD)).toBe(true);
      expect(leftovers(dir)).toEqual([]);
    }
  });
});
