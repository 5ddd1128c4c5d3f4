/** `btfkit core reloc`: errors give a clear message, a distinct exit code, and never an output file. */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CoreReloKind, encodeBtfExt, openBpfObject } from "../../src/index.js";
import { clangBpf, CLI, oracle, vmlinuxPath } from "../helpers/env.js";
import { relocProgram } from "../helpers/reloc-program.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-reloc-"));
const target = () => vmlinuxPath("linux-6.18.44-fc-v657.btf");

function reloc(args: string[]) {
  const out = path.join(tmp, `out-${Math.random().toString(36).slice(2)}.o`);
  const r = spawnSync(process.execPath, [CLI, "core", "reloc", ...args, "-o", out], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr, out, written: fs.existsSync(out) };
}


describe.skipIf(!oracle("clang"))("core reloc errors", () => {
  it("succeeds and leaves no temporary files", () => {
    const r = reloc([clangBpf(relocProgram("", "t->pid")), "--btf", target()]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.written).toBe(true);
    expect(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("a strong extern the config lacks names the extern and the config", () => {
    const obj = clangBpf(relocProgram('extern int CONFIG_BTFKIT_NOPE __attribute__((section(".kconfig")));', "t->pid + CONFIG_BTFKIT_NOPE"));
    const r = reloc([obj, "--btf", target(), "--kconfig-string", "CONFIG_HZ=250"]);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain("CONFIG_BTFKIT_NOPE");
    expect(r.stderr).toContain("kconfigString");
    expect(r.written).toBe(false);
  });

  it("weak externs with no config at all succeed (libbpf would fail here)", () => {
    const obj = clangBpf(relocProgram('extern int CONFIG_BTFKIT_WEAK __attribute__((section(".kconfig"), weak));', "t->pid + CONFIG_BTFKIT_WEAK"));
    const r = reloc([obj, "--btf", target(), "--kconfig", "/dev/null"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("an extern type kconfig cannot hold", () => {
    const obj = clangBpf(relocProgram('struct cfg { int a; }; extern struct cfg CONFIG_BTFKIT_STRUCT __attribute__((section(".kconfig")));', "t->pid + CONFIG_BTFKIT_STRUCT.a"));
    const r = reloc([obj, "--btf", target(), "--kconfig-string", "CONFIG_BTFKIT_STRUCT=1"]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/CONFIG_BTFKIT_STRUCT.*unsupported/);
    expect(r.written).toBe(false);
  });

  it("an object without BTF", () => {
    const plain = path.join(tmp, "plain.o");
    spawnSync("clang", ["-O2", "-target", "bpf", "-c", "-x", "c", "-", "-o", plain], { input: "int x;" });
    const r = reloc([plain, "--btf", target()]);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(".BTF");
    expect(r.written).toBe(false);
  });

  it("an unknown relocation kind names section, record and instruction", () => {
    const src = clangBpf(relocProgram("", "t->pid"));
    const bytes = new Uint8Array(fs.readFileSync(src));
    const o = openBpfObject(bytes);
    const ext = o.ext!;
    ext.coreRelos[0].records[0].kind = 13;
    const sec = o.elf.section(".BTF.ext")!;
    bytes.set(encodeBtfExt({ ...ext, layout: undefined }), sec.offset);
    const bad = path.join(tmp, "badkind.o");
    fs.writeFileSync(bad, bytes);
    const r = reloc([bad, "--btf", target()]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/relo #0.*kind 13|unknown.*13/);
    expect(r.stderr).toMatch(/section tp_btf\/sched_switch, record #0, insn #\d+/);
    expect(r.written).toBe(false);
  });

  it("--strict fails where an instruction would be poisoned", () => {
    const obj = clangBpf(relocProgram("struct task_struct___x { int btfkit_missing; } __attribute__((preserve_access_index));", "t->pid + ((struct task_struct___x *)t)->btfkit_missing"));
    expect(reloc([obj, "--btf", target()]).status).toBe(0);
    const r = reloc([obj, "--btf", target(), "--strict"]);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain("btfkit_missing");
    expect(r.written).toBe(false);
  });

  it("--report lists every decision and extern value", () => {
    const obj = clangBpf(relocProgram('extern int CONFIG_HZ __attribute__((section(".kconfig")));', "t->pid + CONFIG_HZ"));
    const report = path.join(tmp, "report.json");
    const r = reloc([obj, "--btf", target(), "--kconfig-string", "CONFIG_HZ=300", "--report", report]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(fs.readFileSync(report, "utf8"));
    expect(doc.relocations[0].kind).toBe(CoreReloKind.FIELD_BYTE_OFFSET);
    expect(doc.kconfig.externs.find((e: { name: string }) => e.name === "CONFIG_HZ").value).toBe("300");
  });
});
