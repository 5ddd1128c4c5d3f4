/**
 * The CLI at its edges (issue 14): a reader that closes stdout early, the
 * version, `-o -`, pretty JSON from `core explain`, split and standalone
 * BTF, one-line messages (JSON with -j), usage and contradictions, bpftool's
 * keyword prefixes. Each runs the built CLI and asserts the exit status, the
 * absence of a stack trace and the output or the exact message.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BpfObject, dumpExt } from "../../src/index.js";
import { coreSources } from "../helpers/core-oracle.js";
import { clangBpf, CLI, modulePath, oracle, ROOT, vmlinuxPath } from "../helpers/env.js";
import { smallTarget } from "../helpers/hostile.js";

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
    expect(r.stderr.split("\n")[0]).toBe(`btfkit: ${objects[1]}: a BPF object's BTF is standalone, not split BTF on the given base (dump it without a base) (section .BTF)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a standalone raw blob with -B is refused; split module BTF on its base is not", () => {
    const { dir, target: blob } = targetDir("btfkit-split-");
    const vmlinux = vmlinuxPath("linux-6.1.0-56-amd64.btf");
    const r = btfkit(["-B", vmlinux, "btf", "dump", "file", blob]);
    expect(r.status).toBe(3);
    expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^btfkit: ${blob}: this is standalone BTF, not split BTF on the given base`));
    const module = btfkit(["-B", vmlinux, "btf", "dump", "file", modulePath("tcp_bbr.btf")]);
    expect(module.status, module.stderr).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/** The first line of a failed run's message, after checking it failed with `status` and without a stack trace. */
function failure(args: string[], status: number, cwd = ROOT): string {
  const r = btfkit(args, cwd);
  expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(status);
  expect(r.stderr, args.join(" ")).not.toMatch(/\n\s+at |TypeError|RangeError/);
  expect(r.stdout.length, args.join(" ")).toBe(0);
  expect(r.stderr.endsWith("\n") && r.stderr.split("\n").length, args.join(" ")).toBe(2);
  return r.stderr.trimEnd();
}

describe("errors: one line, `btfkit: PATH: what`", () => {
  const { dir, target } = targetDir("btfkit-errors-");
  const garbage = path.join(dir, "garbage.o");
  fs.writeFileSync(garbage, "not an object at all, just some text\n");
  const missing = path.join(dir, "missing.btf");

  it("a missing input or a directory: the path once and the reason, without Node's code", () => {
    expect(failure(["btf", "dump", "file", missing], 1)).toBe(`btfkit: ${missing}: no such file or directory`);
    expect(failure(["btf", "dump", "file", dir], 1)).toBe(`btfkit: ${dir}: is a directory`);
    expect(failure(["core", "explain", missing, "--btf", target], 1)).toBe(`btfkit: ${missing}: no such file or directory`);
    expect(failure(["core", "explain", garbage, "--btf", missing], 1)).toBe(`btfkit: ${missing}: no such file or directory`);
  });

  it("core explain and core reloc name the object", () => {
    const notElf = `btfkit: ${garbage}: not an ELF file (bad magic) (offset 0x0)`;
    expect(failure(["core", "explain", garbage, "--btf", target], 3)).toBe(notElf);
    expect(failure(["core", "reloc", garbage, "--btf", target, "-o", path.join(dir, "out.o")], 3)).toBe(notElf);
  });

  it("format c failures name the file", () => {
    expect(failure(["btf", "dump", "file", target, "format", "c", "--root", "no_such_type"], 3)).toBe(
      `btfkit: ${target}: no struct, union, enum or typedef matches 'no_such_type'`,
    );
  });

  it("an output that cannot be created says why, naming OUT", () => {
    expect(failure(["btf", "dump", "file", target, "-o", "/proc/version"], 1)).toBe(
      "btfkit: /proc/version: cannot write: cannot create a file in /proc to write it to and rename over it (no such file or directory)",
    );
    expect(failure(["btf", "dump", "file", target, "-o", path.join(missing, "x")], 1)).toBe(`btfkit: ${path.join(missing, "x")}: cannot write: no such file or directory`);
  });

  it("split BTF without its base says so and how to give it", () => {
    const mod = modulePath("tcp_bbr.btf");
    expect(failure(["btf", "dump", "file", mod], 3)).toMatch(
      new RegExp(`^btfkit: ${mod}: string section does not start with the empty string: this looks like split BTF \\(a kernel module's\\), which is read on its base BTF \\(section strings, offset 0x[0-9a-f]+\\): give its base with -B BASE$`),
    );
  });

  it("with -j or -p an error is JSON on stdout, stderr stays empty, the exit code is the same", () => {
    for (const [args, status, error] of [
      [["-j", "btf", "dump", "file", missing], 1, `${missing}: no such file or directory`],
      [["-j", "core", "explain", garbage, "--btf", target], 3, `${garbage}: not an ELF file (bad magic) (offset 0x0)`],
      [["-j", "btf", "frobnicate"], 2, "unknown command 'frobnicate'"],
      [["-j", "btf", "dump", "file", target, "format", "c"], 2, "format c has no JSON output (-j, -p)"],
    ] as const) {
      const r = btfkit([...args]);
      expect({ status: r.status, stderr: r.stderr, stdout: r.stdout.toString("utf8") }, args.join(" ")).toEqual({ status, stderr: "", stdout: `${JSON.stringify({ error })}\n` });
    }
    const pretty = btfkit(["-p", "btf", "dump", "file", missing]);
    expect({ status: pretty.status, stderr: pretty.stderr }).toEqual({ status: 1, stderr: "" });
    expect(pretty.stdout.toString("utf8")).toBe(`{\n    "error": "${missing}: no such file or directory"\n}\n`);
  });
});

describe("usage: what is wrong, in words", () => {
  const { target } = targetDir("btfkit-usage-");
  it.each([
    [["btf", "dump"], "btfkit: btf dump: missing 'file PATH' (usage: btf dump file PATH... [format raw|c [sorted|unsorted]|ext|pahole] [root_id ID]...)"],
    [["btf", "dump", "file", target, "format", "raw", "sorted"], "btfkit: 'sorted' follows 'format c' only"],
    [["btf", "dump", "file", target, "format", "yaml"], "btfkit: unknown format 'yaml' (want raw, c, ext, pahole)"],
    [["btf", "dump", "file"], "btfkit: 'file' needs a PATH"],
    [["-B", "btf", "dump", "file", target], "btfkit: -B needs a file: 'btf' is a command (usage: btfkit -B FILE btf ...)"],
    [["btf", "dedup"], "btfkit: missing required argument 'input'"],
    [["btf", "dedup", target], "btfkit: btf dedup: missing -o OUT (the output file; '-' for stdout)"],
    [["btf", "merge", target], "btfkit: btf merge: missing -o OUT (the output file; '-' for stdout)"],
    [["frobnicate"], "btfkit: unknown command 'frobnicate'"],
    [["core", "reloc", "x.o"], "btfkit: core reloc: missing -o OUT (the output file; '-' for stdout)"],
    [["completion", "zsh"], "btfkit: command-argument value 'zsh' is invalid for argument 'shell'. Allowed choices are bash."],
  ])("%j", (args, line) => {
    expect(failure(args, 2)).toBe(line);
  });

  it("a command without its subcommand prints its help on stderr and exits 2", () => {
    const r = btfkit(["core"]);
    expect({ status: r.status, stdout: r.stdout.toString("utf8") }).toEqual({ status: 2, stdout: "" });
    expect(r.stderr.split("\n")[0]).toBe("Usage: btfkit core [options] [command]");
    expect(r.stderr).not.toMatch(/^btfkit: /m);
  });
});

describe("completion bash", () => {
  it("is a bash script that defines the completion of btfkit", () => {
    const r = btfkit(["completion", "bash"]);
    expect(r.status, r.stderr).toBe(0);
    const check = spawnSync("bash", ["-c", `${r.stdout.toString("utf8")}\ncomplete -p btfkit`], { encoding: "utf8" });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: "" });
    expect(check.stdout).toMatch(/^complete .* btfkit\n$/);
  });
});

describe("contradictory or ignored options are refused", () => {
  const { target } = targetDir("btfkit-contra-");
  const c = ["btf", "dump", "file", target, "format", "c"];
  const raw = ["btf", "dump", "file", target];
  it.each([
    [[...c, "unsorted", "--sort"], "btfkit: 'format c unsorted' contradicts --sort"],
    [[...raw, "--sort"], "btfkit: --sort applies to format c only"],
    [[...raw, "--guard-kfuncs"], "btfkit: --guard-kfuncs applies to format c only"],
    [[...raw, "--no-kfuncs"], "btfkit: --no-kfuncs applies to format c only"],
    [[...raw, "--exclude", "bpf_*"], "btfkit: --exclude applies to format c only"],
    [[...c, "--bpftool", "7.1", "--guard-kfuncs"], "btfkit: --guard-kfuncs applies to --bpftool 7.8 only (bpftool 7.1 writes no kfunc block)"],
    [[...c, "--bpftool", "7.1", "--no-kfuncs"], "btfkit: --no-kfuncs applies to --bpftool 7.8 only (bpftool 7.1 writes no kfunc block)"],
    [[...c, "--no-kfuncs", "--exclude", "bpf_*"], "btfkit: --exclude contradicts --no-kfuncs (there is no kfunc block)"],
    [[...raw, "--bpftool", "7.1"], "btfkit: --bpftool applies to format c, or to several files, only"],
  ])("%j", (args, line) => {
    expect(failure(args, 2)).toBe(line);
  });

  it("an --exclude glob that matches no kfunc is a warning naming it", () => {
    const vmlinux = vmlinuxPath("linux-6.18.44-fc-v657.btf");
    const r = btfkit(["btf", "dump", "file", vmlinux, "format", "c", "--exclude", "bpf_nope_*", "--exclude", "bpf_obj_new*", "-o", "/dev/null"]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: `btfkit: warning: ${vmlinux}: --exclude 'bpf_nope_*' matches no kfunc\n` });
  });

  it("--root in a raw or JSON dump lists just those types, as root_id does", () => {
    const byRoot = btfkit(["btf", "dump", "file", target, "--root", "1"]);
    const byId = btfkit(["btf", "dump", "file", target, "root_id", "1"]);
    expect(byRoot.status, byRoot.stderr).toBe(0);
    expect(byRoot.stdout.toString("utf8")).toBe(byId.stdout.toString("utf8"));
    expect(byRoot.stdout.toString("utf8").startsWith("[1] ")).toBe(true);
  });
});

describe("bpftool's keyword prefixes", () => {
  const { target } = targetDir("btfkit-prefix-");
  it("`btf d f X fo c` is `btf dump file X format c`; `b de` is `btf dedup`", () => {
    const full = btfkit(["btf", "dump", "file", target, "format", "c"]);
    const short = btfkit(["b", "d", "f", target, "fo", "c"]);
    expect(short.status, short.stderr).toBe(0);
    expect(short.stdout.equals(full.stdout)).toBe(true);
    const dedup = btfkit(["b", "de", target, "-o", "-"]);
    expect(dedup.status, dedup.stderr).toBe(0);
    expect(dedup.stdout.equals(btfkit(["btf", "dedup", target, "-o", "-"]).stdout)).toBe(true);
    expect(btfkit(["-j", "v"]).stdout.toString("utf8")).toBe(`${JSON.stringify({ version: VERSION, format_c_dialects: ["7.8", "7.1"] })}\n`);
  });

  it.each(["id", "prog", "map", "i", "p", "m"])("`btf dump %s ...` is not supported, and says why", (word) => {
    const source = ["id", "prog", "map"].find((s) => s.startsWith(word))!;
    expect(failure(["btf", "dump", word, "1"], 2)).toBe(
      `btfkit: btf dump ${source}: not supported: BTF by ${source} is read with the bpf() syscall, which btfkit (pure TypeScript) cannot make; ` +
        "dump the kernel's BTF with 'file /sys/kernel/btf/vmlinux' (a module's: /sys/kernel/btf/MODULE)",
    );
  });
});

describe.skipIf(!oracle("clang"))("btf dump ... format ext", () => {
  it("lists the object's .BTF.ext as the library does, as text and as JSON", () => {
    const object = corpusObject("cred_uid.c");
    const obj = BpfObject.open(new Uint8Array(fs.readFileSync(object)));
    const text = btfkit(["btf", "dump", "file", object, "format", "ext"]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout.toString("utf8")).toBe(dumpExt(obj));
    expect(text.stdout.toString("utf8")).toMatch(/^section '.+':\n {2}func_info:\n/);
    const json = btfkit(["-p", "btf", "dump", "file", object, "format", "ext"]);
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout.toString("utf8"))).toEqual(JSON.parse(dumpExt(obj, { format: "json" })));
  });

  it("refuses what it cannot list", () => {
    const object = corpusObject("cred_uid.c");
    const { target } = targetDir("btfkit-ext-");
    expect(failure(["btf", "dump", "file", object, "format", "ext", "root_id", "1"], 2)).toBe("btfkit: root_id and --root do not apply to format ext");
    expect(failure(["btf", "dump", "file", object, "file", object, "format", "ext"], 2)).toBe("btfkit: format ext lists one object's .BTF.ext: give one file");
    expect(failure(["btf", "dump", "file", target, "format", "ext"], 3)).toBe(`btfkit: ${target}: not an ELF file (bad magic) (offset 0x0)`);
  });
});

describe("the quick start leaves the clone clean", () => {
  it("vmlinux.h, which it writes into the clone, is ignored by git", () => {
    const r = spawnSync("git", ["check-ignore", "-q", "vmlinux.h"], { cwd: ROOT });
    expect(r.status).toBe(0);
  });
});
