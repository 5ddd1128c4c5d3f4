/**
 * Kernel BTF from archives (src/cli/archive.ts): btfhub-archive's
 * `.btf.tar.xz` and plain `.btf.xz`, made here with tar and xz, in the tar
 * formats GNU tar writes; and what is refused: bad xz, a tar without one BTF
 * file, a bad header, an xz bomb.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ArchiveError, btfFromTar, isTar, kernelBtfBytes, unpackedName } from "../../src/cli/archive.js";
import { oracle, REQUIRE_ORACLES, vmlinuxPath } from "../helpers/env.js";

const read = (p: string) => new Uint8Array(fs.readFileSync(p));
const KERNEL = vmlinuxPath("linux-6.18.44-fc-v657.btf");
const haveTools = REQUIRE_ORACLES || (oracle("xz") && oracle("tar"));

/** A tar of `files` (name -> bytes) in `format`, optionally xz-compressed. */
function makeTar(files: Record<string, Uint8Array>, format: string, xz: boolean): Uint8Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-tar-"));
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, "d", name)), { recursive: true });
    fs.writeFileSync(path.join(dir, "d", name), data);
  }
  const out = path.join(dir, "a.tar");
  execFileSync("tar", [`--format=${format}`, "-cf", out, "-C", path.join(dir, "d"), ...Object.keys(files)]);
  if (xz) execFileSync("xz", ["-0", "-T1", out]);
  return read(xz ? `${out}.xz` : out);
}

describe.runIf(haveTools)("kernel BTF from archives", () => {
  // Content does not matter here, only the bytes coming back whole: the first MiB of a kernel's BTF.
  const btf = read(KERNEL).slice(0, 1 << 20);

  it("reads NAME.btf.tar.xz in ustar, GNU and pax formats, and plain .btf.xz", async () => {
    for (const format of ["ustar", "gnu", "pax"]) {
      const got = await kernelBtfBytes(makeTar({ "5.4.0-42-generic.btf": btf }, format, true));
      expect(Buffer.from(got).equals(Buffer.from(btf)), format).toBe(true);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-xz-"));
    fs.writeFileSync(path.join(dir, "k.btf"), btf);
    execFileSync("xz", ["-0", "-T1", path.join(dir, "k.btf")]);
    expect(Buffer.from(await kernelBtfBytes(read(path.join(dir, "k.btf.xz")))).equals(Buffer.from(btf))).toBe(true);
  });

  it("finds the .btf file beside others, under a long GNU name, and passes raw BTF through", async () => {
    const long = `${"x".repeat(120)}/kernel.btf`;
    for (const format of ["gnu", "pax"]) {
      expect(Buffer.from(btfFromTar(makeTar({ README: new Uint8Array(10), [long]: btf }, format, false))).equals(Buffer.from(btf)), format).toBe(true);
    }
    expect(await kernelBtfBytes(btf)).toBe(btf);
    expect(isTar(btf)).toBe(false);
  });

  it("refuses bad xz, a tar without one BTF file, a damaged header and an xz bomb", async () => {
    const xz = makeTar({ "k.btf": btf }, "ustar", true);
    await expect(kernelBtfBytes(xz.subarray(0, 4000))).rejects.toThrow(/^not valid xz data/);
    expect(() => btfFromTar(makeTar({ "a.btf": btf.subarray(0, 100), "b.btf": btf.subarray(0, 100) }, "ustar", false))).toThrow(/holds 2 files/);
    const tar = makeTar({ "k.btf": btf.subarray(0, 1000) }, "ustar", false);
    tar[10] ^= 1;
    expect(() => btfFromTar(tar)).toThrow(ArchiveError);
    await expect(kernelBtfBytes(xz, 1 << 16)).rejects.toThrow(/decompresses to more than 65536 bytes/);
  });

  it("names the unpacked file as btfhub does", () => {
    expect(unpackedName("5.4.0-42-generic.btf.tar.xz")).toBe("5.4.0-42-generic.btf");
    expect(unpackedName("k.btf.xz")).toBe("k.btf");
    expect(unpackedName("k.btf")).toBe("k.btf");
  });
});
