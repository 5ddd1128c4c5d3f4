/** The CLI end to end: bpftool-compatible syntax, exit codes, atomic output. */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BtfBuilder, dumpC, dumpRaw } from "../../src/index.js";
import { basePath, clangBpf, CLI, modulePath, oracle, ROOT, run, vmlinuxPath } from "../helpers/env.js";
import { rawBtf } from "../helpers/long-names.js";


function btfkit(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "buffer", maxBuffer: 1 << 30 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString("utf8") };
}

const vmlinux = () => vmlinuxPath("linux-6.18.44-fc-v657.btf");

/** A raw BTF blob of INTs with the given names, then `ptrs` pointers to void. */
function blob(names: Buffer[], ptrs = 0): Buffer {
  const strs = Buffer.concat([Buffer.alloc(1), ...names.flatMap((n) => [n, Buffer.alloc(1)])]);
  const types = Buffer.alloc(16 * names.length + 12 * ptrs);
  let nameOff = 1;
  names.forEach((n, i) => {
    types.writeUInt32LE(nameOff, 16 * i);
    types.writeUInt32LE(1 << 24, 16 * i + 4); // INT
    types.writeUInt32LE(4, 16 * i + 8);
    types.writeUInt32LE(32, 16 * i + 12);
    nameOff += n.length + 1;
  });
  for (let i = 0, at = 16 * names.length; i < ptrs; i++, at += 12) types.writeUInt32LE(2 << 24, at + 4); // PTR to void
  return Buffer.from(rawBtf(types, strs));
}
const blobFile = (name: string, bytes: Buffer) => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-blob-")), name);
  fs.writeFileSync(f, bytes);
  return f;
};

describe.skipIf(!oracle("bpftool"))("btfkit btf dump matches bpftool byte for byte", () => {
  const cases: Array<[string, string[]]> = [
    ["raw", []],
    ["-j", ["-j"]],
    ["-p", ["-p"]],
  ];
  for (const [label, flags] of cases) {
    it(`${label} on a module with -B`, () => {
      const args = [...flags, "-B", basePath("linux-6.1.0-56-amd64.btf"), "btf", "dump", "file", modulePath("nf_tables.btf")];
      const ours = btfkit(args);
      expect(ours.stderr).toBe("");
      expect(ours.status).toBe(0);
      expect(ours.stdout.equals(run("bpftool", args))).toBe(true);
    });
  }
  it("format c of a vmlinux (--bpftool 7.1)", () => {
    const args = ["btf", "dump", "file", vmlinux(), "format", "c"];
    const ours = btfkit([...args, "--bpftool", "7.1"]);
    expect(ours.status).toBe(0);
    expect(ours.stdout.equals(run("bpftool", args))).toBe(true);
  });
  it("-j and -p of names with every byte json_writer escapes, quotes and invalid UTF-8", () => {
    const names = ["tab\tnl\ncr\rff\fbs\b", 'back\\slash "quoted" \'single\'', "caf\u00e9"].map((n) => Buffer.from(n));
    names.push(Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0xc3, 0x27]));
    const file = blobFile("escapes.btf", blob(names, 1));
    for (const flag of ["-j", "-p"]) {
      const ours = btfkit([flag, "btf", "dump", "file", file]);
      expect(ours.stderr).toBe("");
      expect(ours.stdout.equals(run("bpftool", [flag, "btf", "dump", "file", file])), flag).toBe(true);
    }
  });
  it("options after the subcommand work too", () => {
    const ours = btfkit(["btf", "dump", "file", modulePath("crc8.btf"), "-B", basePath("linux-6.1.0-56-amd64.btf"), "-j"]);
    const ref = run("bpftool", ["-j", "-B", basePath("linux-6.1.0-56-amd64.btf"), "btf", "dump", "file", modulePath("crc8.btf")]);
    expect(ours.stdout.equals(ref)).toBe(true);
  });
});

describe.skipIf(!oracle("clang"))("format c beyond bpftool 7.1", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-c-"));
  const compiles = (header: Buffer) => {
    const file = path.join(tmp, `h${Math.random().toString(36).slice(2)}.h`);
    fs.writeFileSync(file, header);
    run("clang", ["-target", "bpf", "-fsyntax-only", "-x", "c", file]);
  };

  it("the default header is bpftool 7.8's: sorted, with the preamble and the kfunc block, and format c unsorted", () => {
    const sorted = btfkit(["btf", "dump", "file", vmlinux(), "format", "c"]);
    const unsorted = btfkit(["btf", "dump", "file", vmlinux(), "format", "c", "unsorted"]);
    expect(sorted.status).toBe(0);
    expect(sorted.stdout.toString()).toContain("#define __ksym __attribute__((section(\".ksyms\")))");
    expect(sorted.stdout.toString()).toContain("/* BPF kfuncs */");
    expect(unsorted.stdout.equals(sorted.stdout)).toBe(false);
    expect(unsorted.stdout.length).toBeLessThan(sorted.stdout.length);
  });

  it("--no-kfuncs, --exclude and --guard-kfuncs", () => {
    const plain = btfkit(["btf", "dump", "file", vmlinux(), "format", "c"]).stdout.toString();
    const none = btfkit(["btf", "dump", "file", vmlinux(), "format", "c", "--no-kfuncs"]).stdout.toString();
    const some = btfkit(["btf", "dump", "file", vmlinux(), "format", "c", "--exclude", "bpf_obj_*", "--exclude", "bpf_rcu_read_lock"]).stdout.toString();
    const guarded = btfkit(["btf", "dump", "file", vmlinux(), "format", "c", "--guard-kfuncs"]).stdout.toString();
    expect(plain).toContain(" bpf_rcu_read_lock(void) __weak __ksym;");
    expect(none).not.toContain("/* BPF kfuncs */");
    expect(some).not.toMatch(/bpf_obj_\w*\(|bpf_rcu_read_lock\(/);
    expect(some).toContain(" bpf_rcu_read_unlock(void) __weak __ksym;");
    expect(guarded).toContain("#ifndef BPF_NO_KFUNC_bpf_rcu_read_lock\nextern void bpf_rcu_read_lock(void) __weak __ksym;\n#endif\n");
  });

  it("vmlinux + two modules merge into one header that compiles", () => {
    const base = basePath("linux-6.1.0-56-amd64.btf");
    const r = btfkit(["btf", "dump", "file", base, "file", modulePath("nf_tables.btf"), "file", modulePath("ext4.btf"), "format", "c"]);
    expect(r.status).toBe(0);
    const text = r.stdout.toString();
    expect(text).toContain("struct nft_chain {");
    expect(text).toContain("struct ext4_sb_info {");
    compiles(r.stdout);
  });

  it("--root with a name and a glob gives a small header that compiles", () => {
    const r = btfkit(["btf", "dump", "file", vmlinux(), "format", "c", "--root", "task_struct", "--root", "bpf_map_typ*"]);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBeLessThan(100_000);
    expect(r.stdout.toString()).toContain("struct task_struct {");
    expect(r.stdout.toString()).toContain("enum bpf_map_type {");
    compiles(r.stdout);
  });

  it("--sort gives a header that compiles", () => {
    const r = btfkit(["btf", "dump", "file", vmlinux(), "format", "c", "sorted"]);
    expect(r.status).toBe(0);
    compiles(r.stdout);
  });

  it("an unknown --root is an error naming it", () => {
    const r = btfkit(["btf", "dump", "file", vmlinux(), "format", "c", "--root", "no_such_type_xyz"]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("no_such_type_xyz");
  });
});

describe.skipIf(!oracle("clang"))("btfkit core explain", () => {
  const src = fs.readFileSync(path.join(ROOT, "test/corpus/ext/core_fields.c"), "utf8");
  const obj = () => clangBpf(src, { flags: ["-target", "bpfel"] });

  it("explains every relocation in words", () => {
    const r = btfkit(["core", "explain", obj(), "--btf", vmlinux()]);
    expect(r.status).toBe(0);
    const text = r.stdout.toString();
    expect(text).toMatch(/prog 'on_exit' relo #\d+ insn #\d+ \(byte_off\)/);
    expect(text).toContain("candidates:");
    expect(text).toMatch(/\d+ relocations: \d+ patched, \d+ poisoned, \d+ failed\n$/);
  });

  it("-j gives one JSON document with every decision", () => {
    const r = btfkit(["-j", "core", "explain", obj(), "--btf", vmlinux()]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout.toString());
    expect(doc.decisions.length).toBeGreaterThan(10);
    expect(typeof doc.decisions[0].newValue).toBe("string");
  });

  it("an object without BTF is invalid input", () => {
    const plain = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-core-")), "plain.o");
    run("clang", ["-O2", "-target", "bpf", "-c", path.join(ROOT, "test/corpus/ext/no_core.c"), "-o", plain]);
    const r = btfkit(["core", "explain", plain, "--btf", vmlinux()]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(".BTF");
  });
});

describe("btfkit btf dump -j of 400,000 pointers", () => {
  it("streams bytes: no JS heap in proportion to the output", () => {
    const file = blobFile("ptrs.btf", blob([], 400_000));
    for (const flag of ["-j", "-p"]) {
      // The 22 MB (-j) and 48 MB (-p) documents live outside the JS heap; as strings they needed 590 MB of it.
      const r = spawnSync(process.execPath, ["--max-old-space-size=64", CLI, flag, "btf", "dump", "file", file], { encoding: "buffer", maxBuffer: 1 << 30 });
      expect({ status: r.status, signal: r.signal }, r.stderr.toString()).toEqual({ status: 0, signal: null });
      const text = r.stdout.toString();
      expect(text.startsWith('{"types":[{"id":1,"kind":"PTR","name":"(anon)","type_id":0}') || text.startsWith('{\n    "types": [{\n')).toBe(true);
      expect(text.split('"kind"').length - 1).toBe(400_000);
    }
  });
});

/** A blob of unions whose members all share one long name: little BTF, much dump text. */
function sharedNameUnions(unions: number, members: number, nameLength: number) {
  const b = new BtfBuilder();
  const int = b.add({ kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 });
  const name = "m".repeat(nameLength);
  for (let u = 0; u < unions; u++) {
    b.add({ kind: "union", name: `u${u}`, size: 4, kflag: false, members: Array.from({ length: members }, () => ({ name, type: int, bitOffset: 0, bitfieldSize: 0 })) });
  }
  return b.build();
}

describe("btfkit btf dump streams the raw and C dumps", () => {
  /**
   * Writes the child's peak RSS at exit. VmHWM, not getrusage's maxrss: that
   * one starts from the RSS of the process that forked the child (this
   * worker, holding the last test's 100 MB strings).
   */
  const PEAK_RSS = `data:text/javascript,import fs from "node:fs"; process.on("exit", () => fs.writeFileSync(process.env.BTFKIT_RSS_FILE, String(1024 * /VmHWM:\\s*(\\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))[1])));`;
  /** Runs the CLI under a 64 MiB V8 heap; returns its exit, output and peak RSS. */
  const dump = (args: string[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-stream-"));
    const rssFile = path.join(dir, "rss");
    const r = spawnSync(process.execPath, ["--max-old-space-size=64", "--import", PEAK_RSS, CLI, "btf", "dump", ...args], {
      cwd: dir,
      env: { ...process.env, BTFKIT_RSS_FILE: rssFile },
      encoding: "buffer",
      maxBuffer: 1 << 30,
      timeout: 120_000,
    });
    return { dir, exit: { status: r.status, signal: r.signal }, stdout: r.stdout, stderr: r.stderr.toString(), rss: Number(fs.readFileSync(rssFile, "utf8")) };
  };

  // 240,000 members sharing a 400-byte name: 2.9 MB of BTF, about 100 MB of either dump.
  const btf = sharedNameUnions(4, 60_000, 400);
  const file = blobFile("unions.btf", Buffer.from(btf.bytes));
  it.each<[string, string[], () => string]>([
    ["raw to stdout", [], () => dumpRaw(btf)],
    ["format c to stdout", ["format", "c"], () => dumpC(btf)],
    ["format c --sort to -o", ["format", "c", "--sort", "-o", "out.h"], () => dumpC(btf, { sorted: true, stableOrder: true })],
  ])("%s holds a chunk of the output, not all of it", (_, args, library) => {
    const r = dump(["file", file, ...args]);
    expect(r.exit, r.stderr).toEqual({ status: 0, signal: null });
    const out = args.includes("-o") ? fs.readFileSync(path.join(r.dir, "out.h")) : r.stdout;
    expect(out.length).toBeGreaterThan(90e6);
    // Node itself takes about 60 MB; holding the whole dump took 213 MB (raw) and 223 MB (C).
    expect(r.rss).toBeLessThan(out.length);
    expect(out.toString("latin1") === library()).toBe(true);
  });

  it("past the output limit: exit 3 and a typed error; -o leaves nothing, stdout keeps what came before", () => {
    // 1,000 members sharing a 100 KB name: 112 KB of BTF asking for 100 MB of text, over its 23 MB limit.
    const big = blobFile("big.btf", Buffer.from(sharedNameUnions(1, 1000, 100_000).bytes));
    for (const format of [[], ["format", "c"]]) {
      const toFile = dump(["file", big, ...format, "-o", "out"]);
      expect(toFile.exit, toFile.stderr).toEqual({ status: 3, signal: null });
      expect(toFile.stderr.startsWith(`btfkit: ${big}: the dump would exceed `), toFile.stderr).toBe(true);
      expect(fs.readdirSync(toFile.dir)).toEqual(["rss"]);
      const toStdout = dump(["file", big, ...format]);
      expect(toStdout.exit).toEqual({ status: 3, signal: null });
      const limit = Number(/exceed (\d+) bytes/.exec(toStdout.stderr)![1]);
      expect(toStdout.stdout.length).toBeGreaterThan(0);
      expect(toStdout.stdout.length).toBeLessThanOrEqual(limit);
    }
  });
});

describe("btfkit errors and exit codes", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-cli-"));

  it("usage errors exit 2", () => {
    expect(btfkit(["btf", "dump"]).status).toBe(2);
    expect(btfkit(["btf", "dump", "file"]).status).toBe(2);
    expect(btfkit(["btf", "dump", "file", vmlinux(), "format", "yaml"]).status).toBe(2);
    expect(btfkit(["btf", "dump", "file", vmlinux(), "root_id", "x"]).status).toBe(2);
    expect(btfkit(["nonsense"]).status).toBe(2);
  });

  it("invalid input exits 3 and names the file", () => {
    const bad = path.join(tmp, "garbage.btf");
    fs.writeFileSync(bad, Buffer.from("this is not BTF at all, not even close"));
    const r = btfkit(["btf", "dump", "file", bad]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(/BtfError|bad BTF magic/);
  });

  it("a missing file exits 1", () => {
    expect(btfkit(["btf", "dump", "file", path.join(tmp, "nope")]).status).toBe(1);
  });

  it("-o writes atomically and leaves nothing behind on failure", () => {
    const out = path.join(tmp, "out.txt");
    expect(btfkit(["btf", "dump", "file", modulePath("crc8.btf"), "-B", basePath("linux-6.1.0-56-amd64.btf"), "-o", out]).status).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toMatch(/^\[100751\] /);
    const failed = path.join(tmp, "failed.txt");
    const bad = path.join(tmp, "garbage.btf");
    expect(btfkit(["btf", "dump", "file", bad, "-o", failed]).status).toBe(3);
    expect(fs.existsSync(failed)).toBe(false);
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("root_id dumps only the given types", () => {
    const r = btfkit(["btf", "dump", "file", vmlinux(), "root_id", "1", "root_id", "2"]);
    expect(r.status).toBe(0);
    expect(r.stdout.toString().split("\n").filter((l) => l.startsWith("["))).toHaveLength(2);
  });
});
