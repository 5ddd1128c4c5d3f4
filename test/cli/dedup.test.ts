/** `btfkit btf dedup` and `btfkit btf merge` end to end: libbpf's bytes, objects the kernel loads, exit codes, no partial output. */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Btf, loadBtf, mergeBtf, parseElf } from "../../src/index.js";
import { bpfObjects } from "../helpers/corpus.js";
import { dedupOracleAvailable, oracleDedup, oracleDedupElf, oracleMerge } from "../helpers/dedup-oracle.js";
import { basePath, clangBpf, CLI, kernelLoads, modulePath, oracle, ROOT, run } from "../helpers/env.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-dedup-"));
const out = (name: string) => path.join(tmp, name);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function btfkit(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

const read = (file: string) => new Uint8Array(fs.readFileSync(file));
const amd64 = () => basePath("linux-6.1.0-56-amd64.btf");

describe.skipIf(!dedupOracleAvailable() || !oracle("clang"))("btf dedup and btf merge write libbpf's bytes", () => {
  it("merge of clang-built objects", () => {
    const objs = bpfObjects().slice(0, 6).map((o) => o.path);
    expect(btfkit(["btf", "merge", ...objs, "-o", out("objs.btf")])).toEqual({ status: 0, stderr: "" });
    expect(Buffer.from(read(out("objs.btf"))).equals(Buffer.from(oracleMerge(objs)))).toBe(true);
  });

  it("dedup of a module on its base (-B)", () => {
    const mod = modulePath("nf_tables.btf");
    expect(btfkit(["-B", amd64(), "btf", "dedup", mod, "-o", out("nf.btf")])).toEqual({ status: 0, stderr: "" });
    expect(Buffer.from(read(out("nf.btf"))).equals(Buffer.from(oracleDedup(mod, amd64())))).toBe(true);
  });

  it("merge of two modules on their base: split BTF on it, as the library makes it", () => {
    const mods = [modulePath("nf_tables.btf"), modulePath("ext4.btf")];
    expect(btfkit(["btf", "merge", "-B", amd64(), ...mods, "-o", out("mods.btf")])).toEqual({ status: 0, stderr: "" });
    const base = loadBtf(read(amd64()));
    const merged = Btf.parse(read(out("mods.btf")), { base });
    const lib = mergeBtf(mods.map((m) => loadBtf(read(m), { base })), { base });
    expect(Buffer.from(merged.bytes).equals(Buffer.from(lib.bytes))).toBe(true);
    expect(merged.startId).toBe(base.count);
  });

  it("dedup of an object rewrites .BTF and .BTF.ext as libbpf does and keeps every other section", () => {
    const obj = bpfObjects().find((o) => o.label.includes("bpfel"))!.path;
    expect(btfkit(["btf", "dedup", obj, "-o", out("obj.o")])).toEqual({ status: 0, stderr: "" });
    const before = parseElf(read(obj));
    const after = parseElf(read(out("obj.o")));
    const libbpf = oracleDedupElf(obj);
    expect(Buffer.from(after.section(".BTF")!.data).equals(Buffer.from(libbpf.btf))).toBe(true);
    expect(Buffer.from(after.section(".BTF.ext")!.data).equals(Buffer.from(libbpf.ext))).toBe(true);
    expect(after.sections.map((s) => s.name)).toEqual(before.sections.map((s) => s.name));
    // bpftool reads the result.
    run("bpftool", ["btf", "dump", "file", out("obj.o")]);
  });
});

describe.skipIf(!oracle("clang") || !oracle("bpftool") || !kernelLoads())("the kernel loads a deduplicated object", () => {
  it("xdp program with maps, globals and func/line info", () => {
    const src = fs.readFileSync(path.join(ROOT, "test/corpus/elf/xdp_pass.c"), "utf8");
    const obj = clangBpf(src);
    expect(btfkit(["btf", "dedup", obj, "-o", out("xdp.o")]).status).toBe(0);
    const pin = `/sys/fs/bpf/btfkit-dedup-${process.pid}`;
    try {
      run("bpftool", ["prog", "loadall", out("xdp.o"), pin]);
      expect(fs.readdirSync(pin)).toEqual(["xdp_pass"]);
    } finally {
      fs.rmSync(pin, { recursive: true, force: true });
    }
  });
});

describe("errors", () => {
  it("no -o is a usage error", () => {
    expect(btfkit(["btf", "merge", amd64()]).status).toBe(2);
    expect(btfkit(["btf", "dedup", amd64()]).status).toBe(2);
  });

  it("bad input exits 3, names the file and leaves no output", () => {
    const bad = out("bad.btf");
    const good = read(modulePath("crc8.btf"));
    // Not BTF at all: the magic is wrong.
    fs.writeFileSync(bad, Buffer.concat([Buffer.from("garbage"), Buffer.from(good)]));
    const r = btfkit(["btf", "dedup", bad, "-o", out("never.btf")]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(bad);
    expect(fs.existsSync(out("never.btf"))).toBe(false);
    const m = btfkit(["btf", "merge", amd64(), bad, "-o", out("never2.btf")]);
    expect(m.status).toBe(3);
    expect(fs.existsSync(out("never2.btf"))).toBe(false);
  });

  it("split BTF without its base is refused, not misread", () => {
    const r = btfkit(["btf", "dedup", modulePath("crc8.btf"), "-o", out("never3.btf")]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/crc8\.btf/);
    expect(fs.existsSync(out("never3.btf"))).toBe(false);
  });

  it("a missing input exits 1", () => {
    expect(btfkit(["btf", "dedup", out("nope.btf"), "-o", out("never4.btf")]).status).toBe(1);
  });
});
