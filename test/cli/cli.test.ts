/** The CLI end to end: bpftool-compatible syntax, exit codes, atomic output. */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, basePath, clangBpf, modulePath, oracle, run, vmlinuxPath } from "../helpers/env.js";

const CLI = path.join(ROOT, "dist/cli/main.js");

function btfkit(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "buffer", maxBuffer: 1 << 30 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString("utf8") };
}

const vmlinux = () => vmlinuxPath("linux-6.18.44-fc-v657.btf");

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
