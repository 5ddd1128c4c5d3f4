/**
 * `btfkit gen min_core_btf` as a user runs it: bpftool's syntax and bytes,
 * the batch form over a directory of kernels (equal to the single form, a
 * corrupt kernel reported without losing the others), --keep-going,
 * --report, --byte-order, module BTF with -B, and its refusals.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadBtf, minimizeBtf, relocateObject } from "../../src/index.js";
import { coreOracleWorks, coreSources, runCoreOracle } from "../helpers/core-oracle.js";
import { basePath, clangBpf, CLI, libbpfDev, modulePath, oracle, REQUIRE_ORACLES, vmlinuxPath } from "../helpers/env.js";

const corpusObject = (name: string) => clangBpf(coreSources().find((s) => s.name === name)!.source, { flags: ["-target", "bpfel"] });
const read = (p: string) => new Uint8Array(fs.readFileSync(p));
const KERNELS = ["linux-6.1.0-56-amd64.btf", "linux-6.12.95+deb12-s390x.btf", "linux-6.18.44-fc-v657.btf"];

function btfkit(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-gen-"));

describe("gen min_core_btf INPUT OUTPUT OBJECT...", () => {
  const obj = corpusObject("task_offsets.c");
  const obj2 = corpusObject("enumval_map_type.c");
  const kernel = vmlinuxPath("linux-6.18.44-fc-v657.btf");

  it("writes what the library writes, 32-byte header by default and 24 with --bpftool 7.1", () => {
    const dir = tempDir();
    for (const v of ["7.8", "7.1"] as const) {
      const out = path.join(dir, `min-${v}.btf`);
      const r = btfkit(["gen", "min_core_btf", ...(v === "7.1" ? ["--bpftool", "7.1"] : []), kernel, out, obj, obj2]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const lib = minimizeBtf(loadBtf(read(kernel)), [obj, obj2].map((o) => ({ name: o, object: read(o) })), { bpftool: v });
      expect(Buffer.from(read(out)).equals(Buffer.from(lib.bytes))).toBe(true);
      expect(new DataView(lib.bytes.buffer).getUint32(4, true)).toBe(v === "7.8" ? 32 : 24);
    }
  });

  it.runIf(oracle("bpftool"))("is byte-identical to Debian's bpftool 7.1 for two objects at once", () => {
    const dir = tempDir();
    const ours = path.join(dir, "ours.btf");
    const theirs = path.join(dir, "theirs.btf");
    expect(btfkit(["gen", "min_core_btf", "--bpftool", "7.1", kernel, ours, obj, obj2]).status).toBe(0);
    const b = spawnSync("bpftool", ["gen", "min_core_btf", kernel, theirs, obj, obj2], { encoding: "utf8" });
    expect(b.status, b.stderr).toBe(0);
    expect(Buffer.from(read(ours)).equals(Buffer.from(read(theirs)))).toBe(true);
  });

  it("--byte-order big writes big-endian BTF with the same types", () => {
    const dir = tempDir();
    const le = path.join(dir, "le.btf");
    const be = path.join(dir, "be.btf");
    expect(btfkit(["gen", "min_core_btf", kernel, le, obj]).status).toBe(0);
    expect(btfkit(["gen", "min_core_btf", "--byte-order", "big", kernel, be, obj]).status).toBe(0);
    expect([...read(be).subarray(0, 2)]).toEqual([0xeb, 0x9f]);
    const a = loadBtf(read(le));
    const b = loadBtf(read(be));
    expect(b.littleEndian).toBe(false);
    expect([...b.ownIds()].map((id) => b.type(id))).toEqual([...a.ownIds()].map((id) => a.type(id)));
  });

  it("refuses an object without .BTF.ext (exit 3, naming it, no output), as bpftool does", () => {
    const dir = tempDir();
    const plain = clangBpf("int x;\n", { flags: ["-target", "bpfel", "-g0"] });
    const out = path.join(dir, "min.btf");
    const r = btfkit(["gen", "min_core_btf", kernel, out, plain]);
    expect(r.status).toBe(3);
    expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^btfkit: ${plain.replace(/[.+]/g, "\\$&")}: `));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  });

  it("stops on a relocation bpftool stops on (exit 4, no output); --keep-going writes the rest and warns", () => {
    const dir = tempDir();
    const amb = corpusObject("ambiguous_syscall_tp.c");
    const target = vmlinuxPath("linux-6.1.0-56-amd64.btf");
    const out = path.join(dir, "min.btf");
    const r = btfkit(["gen", "min_core_btf", target, out, amb]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/^btfkit: .*ambiguous_syscall_tp\.c|^btfkit: .*\.o: .*ambiguity/);
    expect(fs.existsSync(out)).toBe(false);
    const report = path.join(dir, "report.json");
    const k = btfkit(["gen", "min_core_btf", "--keep-going", "--report", report, target, out, amb]);
    expect(k.status).toBe(0);
    expect(k.stderr).toMatch(/^btfkit: warning: .*: [1-9][0-9]* relocation\(s\) failed/);
    const rep = JSON.parse(fs.readFileSync(report, "utf8")) as { kernels: Array<{ failed: number; relocations: Array<{ outcome: string; error?: string }> }> };
    expect(rep.kernels[0].failed).toBeGreaterThan(0);
    expect(rep.kernels[0].relocations.filter((x) => x.outcome === "failed").every((x) => /ambiguity/.test(x.error ?? ""))).toBe(true);
    expect(loadBtf(read(out)).count).toBeGreaterThan(0);
  });

  it("refuses a --report that is the output, and usage mistakes, with exit 2", () => {
    const dir = tempDir();
    const out = path.join(dir, "min.btf");
    expect(btfkit(["gen", "min_core_btf", "--report", out, kernel, out, obj]).status).toBe(2);
    expect(btfkit(["gen", "min_core_btf", kernel, out]).stderr).toMatch(/^btfkit: gen min_core_btf: want INPUT OUTPUT OBJECT/);
    expect(btfkit(["gen", "min_core_btf", "--input-dir", dir, obj]).stderr).toMatch(/--input-dir and --output-dir go together/);
    expect(btfkit(["gen", "min_core_btf", "--input-dir", dir, "--output-dir", dir, "--jobs", "0", obj]).status).toBe(2);
  });
});

describe("gen min_core_btf --input-dir IN --output-dir OUT OBJECT...", () => {
  it("writes every kernel as the single form does, and reports a corrupt one without losing the others", () => {
    const objs = [corpusObject("task_offsets.c"), corpusObject("field_exists.c")];
    const dir = tempDir();
    const inDir = path.join(dir, "in");
    const outDir = path.join(dir, "out");
    fs.mkdirSync(inDir);
    for (const k of KERNELS) fs.copyFileSync(vmlinuxPath(k), path.join(inDir, k));
    fs.writeFileSync(path.join(inDir, "broken.btf"), read(vmlinuxPath(KERNELS[0])).subarray(0, 4000));
    const report = path.join(dir, "report.json");
    const r = btfkit(["gen", "min_core_btf", "--jobs", "2", "--report", report, "--input-dir", inDir, "--output-dir", outDir, ...objs]);
    expect(r.status).toBe(3);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^btfkit: .*broken\.btf: /);
    expect(lines.at(-1)).toBe(`btfkit: 1 of ${KERNELS.length + 1} kernels failed (listed above); the other ${KERNELS.length} were written`);
    expect(fs.readdirSync(outDir).sort()).toEqual([...KERNELS].sort());
    for (const k of KERNELS) {
      const single = path.join(dir, `single-${k}`);
      expect(btfkit(["gen", "min_core_btf", vmlinuxPath(k), single, ...objs]).status).toBe(0);
      expect(Buffer.from(read(path.join(outDir, k))).equals(Buffer.from(read(single))), k).toBe(true);
    }
    const rep = JSON.parse(fs.readFileSync(report, "utf8")) as { kernels: Array<{ input: string; error?: string; types?: unknown[] }> };
    expect(rep.kernels.map((x) => path.basename(x.input))).toEqual(["broken.btf", ...KERNELS].sort());
    expect(rep.kernels.find((x) => x.input.endsWith("broken.btf"))!.error).toMatch(/broken\.btf: /);
  });
});

describe.runIf(REQUIRE_ORACLES || (oracle("xz") && oracle("tar")))("gen min_core_btf over btfhub-archive's files", () => {
  it("reads NAME.btf.tar.xz and NAME.btf.xz, writes OUT/NAME.btf, equal to the raw kernel's output", () => {
    const obj = corpusObject("task_offsets.c");
    const dir = tempDir();
    const inDir = path.join(dir, "in");
    fs.mkdirSync(inDir);
    const kernel = vmlinuxPath(KERNELS[0]);
    fs.copyFileSync(kernel, path.join(dir, "k1.btf"));
    spawnSync("tar", ["-cJf", path.join(inDir, "k1.btf.tar.xz"), "-C", dir, "k1.btf"]);
    fs.copyFileSync(kernel, path.join(inDir, "k2.btf"));
    spawnSync("xz", ["-0", "-T1", path.join(inDir, "k2.btf")]);
    const outDir = path.join(dir, "out");
    const r = btfkit(["gen", "min_core_btf", "--input-dir", inDir, "--output-dir", outDir, obj]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(fs.readdirSync(outDir).sort()).toEqual(["k1.btf", "k2.btf"]);
    const single = path.join(dir, "single.btf");
    expect(btfkit(["gen", "min_core_btf", kernel, single, obj]).status).toBe(0);
    for (const f of ["k1.btf", "k2.btf"]) expect(Buffer.from(read(path.join(outDir, f))).equals(Buffer.from(read(single))), f).toBe(true);
  });
});

/** A program that reads a field of the tcp_bbr module's own `struct bbr` and one of vmlinux's `struct sock`. */
const MODULE_PROGRAM = `
#define SEC(n) __attribute__((section(n), used))
struct bbr { unsigned int min_rtt_us; unsigned int min_rtt_stamp; } __attribute__((preserve_access_index));
struct sock { int sk_rcvbuf; } __attribute__((preserve_access_index));
SEC("tp/x") int p(struct bbr *b) { return b->min_rtt_stamp; }
SEC("tp/y") int q(struct sock *s) { return s->sk_rcvbuf; }
char _license[] SEC("license") = "GPL";
`;

describe("gen min_core_btf -B BASE MODULE: module BTF", () => {
  const base = basePath("linux-6.1.0-56-amd64.btf");
  const mod = modulePath("tcp_bbr.btf");

  it("keeps the module's types and the base's in one standalone BTF, deciding as the engine does with modules", () => {
    const obj = clangBpf(MODULE_PROGRAM, { flags: ["-target", "bpfel"] });
    const dir = tempDir();
    const out = path.join(dir, "min.btf");
    const r = btfkit(["-B", base, "gen", "min_core_btf", mod, out, obj]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const min = loadBtf(read(out));
    const names = [...min.ownIds()].map((id) => min.name(id));
    expect(names).toContain("bbr");
    expect(names).toContain("sock");
    const baseBtf = loadBtf(read(base));
    const full = relocateObject(read(obj), { target: baseBtf, modules: [{ name: "tcp_bbr", btf: loadBtf(read(mod), { base: baseBtf }) }] });
    const viaMin = relocateObject(read(obj), { target: min });
    expect(viaMin.decisions.map((d) => [d.relo, d.newValue, d.poisoned, d.error])).toEqual(full.decisions.map((d) => [d.relo, d.newValue, d.poisoned, d.error]));
  });

  it.runIf(oracle("clang") && libbpfDev() && (REQUIRE_ORACLES || coreOracleWorks()))("libbpf, given it as btf_custom_path, patches the same values", async () => {
    const obj = clangBpf(MODULE_PROGRAM, { flags: ["-target", "bpfel"] });
    const dir = tempDir();
    const out = path.join(dir, "min.btf");
    expect(btfkit(["-B", base, "gen", "min_core_btf", mod, out, obj]).status).toBe(0);
    const [theirs] = await runCoreOracle([{ obj, target: out }]);
    const baseBtf = loadBtf(read(base));
    const full = relocateObject(read(obj), { target: baseBtf, modules: [{ name: "tcp_bbr", btf: loadBtf(read(mod), { base: baseBtf }) }] });
    expect(theirs.relos.map((x) => [x.prog, x.relo, x.result, x.value])).toEqual(
      full.decisions.map((d) => [d.program, d.relo, d.poisoned ? "poisoned" : "patched", d.poisoned ? undefined : String(d.newValue)]),
    );
  });
});
