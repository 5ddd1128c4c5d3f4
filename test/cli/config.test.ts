/**
 * `core reloc --kconfig`: a gzip config is inflated up to --kconfig-max-size
 * and no further, a broken one is a typed error naming the file, and the
 * config is read only when a CONFIG_ extern still needs it.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { clangBpf, CLI, oracle, vmlinuxPath } from "../helpers/env.js";
import { relocProgram } from "../helpers/reloc-program.js";

const hasClang = oracle("clang");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-config-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Address space the CLI may use: enough for a vmlinux and a capped config, far below what the bomb inflates to. */
const ADDRESS_SPACE_KB = 2_000_000;

function reloc(args: string[]) {
  const out = path.join(dir, "out.o");
  fs.rmSync(out, { force: true });
  // `ulimit -v` bounds memory outside the JS heap too, where zlib's output lives.
  const r = spawnSync("sh", ["-c", `ulimit -v ${ADDRESS_SPACE_KB} && exec "$0" "$@"`, process.execPath, CLI, "core", "reloc", ...args, "--btf", vmlinuxPath("linux-6.18.44-fc-v657.btf"), "-o", out], {
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, signal: r.signal, stderr: r.stderr, written: fs.existsSync(out) };
}

function file(name: string, data: Uint8Array | string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return p;
}

/** 1 MB on disk, 1 GiB inflated: 64 gzip members of 16 MiB of newlines each (gzip allows concatenated members). */
function bomb(): string {
  const member = zlib.gzipSync(Buffer.alloc(16 << 20, 0x0a), { level: 9 });
  return file("bomb.gz", Buffer.concat(Array.from({ length: 64 }, () => member)));
}

describe.skipIf(!hasClang)("core reloc --kconfig", () => {
  const hz = hasClang ? clangBpf(relocProgram('extern int CONFIG_HZ __attribute__((section(".kconfig")));', "t->pid + CONFIG_HZ")) : "";
  const plain = hasClang ? clangBpf(relocProgram("", "t->pid")) : "";
  const config = "# a kernel config\nCONFIG_BPF=y\nCONFIG_HZ=250\n";

  it("reads a plain or gzip config", () => {
    for (const f of [file("config", config), file("config.gz", zlib.gzipSync(config))]) {
      const r = reloc([hz, "--kconfig", f]);
      expect(r, r.stderr).toMatchObject({ status: 0, stderr: "", written: true });
    }
  });

  it("a gzip bomb stops at the default cap with a typed error naming the file", () => {
    const b = bomb();
    expect(fs.statSync(b).size).toBeLessThan(2 << 20);
    const r = reloc([hz, "--kconfig", b]);
    expect({ status: r.status, signal: r.signal }, r.stderr).toEqual({ status: 4, signal: null });
    expect(r.stderr).toBe(`btfkit: ${b}: kernel config is larger than ${64 << 20} bytes (--kconfig-max-size; a real one is about 300 KB)\n`);
    expect(r.written).toBe(false);
  });

  it("--kconfig-max-size sets the cap, for gzip and plain configs", () => {
    const big = "CONFIG_HZ=250\n" + "# padding\n".repeat(200);
    for (const f of [file("big", big), file("big.gz", zlib.gzipSync(big))]) {
      const r = reloc([hz, "--kconfig", f, "--kconfig-max-size", "1000"]);
      expect(r.status, r.stderr).toBe(4);
      expect(r.stderr).toContain(`${f}: kernel config is larger than 1000 bytes`);
      expect(reloc([hz, "--kconfig", f, "--kconfig-max-size", String(big.length)]).status).toBe(0);
    }
    for (const bad of ["0", "-1", "12k", "99999999999999999999"]) {
      const r = reloc([hz, "--kconfig", file("config", config), "--kconfig-max-size", bad]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr).toContain("is not a positive byte count");
    }
  });

  it("a corrupt gzip is a typed error naming the file", () => {
    const whole = zlib.gzipSync(config);
    const cases = {
      "bad method": Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from("not really gzip")]),
      truncated: whole.subarray(0, whole.length - 6),
      "bad crc": Buffer.concat([whole.subarray(0, whole.length - 8), Buffer.alloc(8, 0xff)]),
    };
    for (const [label, bytes] of Object.entries(cases)) {
      const f = file(`${label.replace(/ /g, "-")}.gz`, bytes);
      const r = reloc([hz, "--kconfig", f]);
      expect(r.status, `${label}: ${r.stderr}`).toBe(4);
      expect(r.stderr, label).toMatch(new RegExp(`^btfkit: ${f.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: not a valid gzip file: `));
    }
  });

  it("the config is not read when no extern needs it", () => {
    const b = bomb();
    // No kconfig externs at all; CONFIG_HZ given by --kconfig-string.
    expect(reloc([plain, "--kconfig", b])).toMatchObject({ status: 0, stderr: "", written: true });
    expect(reloc([hz, "--kconfig", b, "--kconfig-string", "CONFIG_HZ=100"])).toMatchObject({ status: 0, stderr: "", written: true });
    // One the string leaves unset: the file is read (and refused).
    expect(reloc([hz, "--kconfig", b, "--kconfig-string", "CONFIG_OTHER=1"]).status).toBe(4);
  });
});
