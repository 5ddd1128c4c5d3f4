/** encode(decode(blob)) is byte-identical for every real blob: kernels, modules and clang objects. */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reencode } from "../../src/btf/builder.js";
import { Btf, parseElf } from "../../src/index.js";
import { MODULE_FIXTURES, ROOT, VMLINUX_FIXTURES, basePath, clangBpf, modulePath, oracle, vmlinuxPath } from "../helpers/env.js";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const read = (p: string) => new Uint8Array(fs.readFileSync(p));

/** sha256 of the uncompressed blobs, as published with the shared data set. */
const KNOWN_SHA256: Record<string, string> = {
  "linux-6.1.0-56-amd64.btf": "a53c4b97419ba67ae7ac95a171706d5888752e67c9812af22f50b48675414d87",
  "linux-6.1.0-56-arm64.btf": "3e593275d8112389168aed6b6a19660cf51579cc196d1775ed8cb7ee3b10e305",
  "linux-6.12.95+deb12-s390x.btf": "a6936a3a12d1e668ade808b34c11da260fd57b54338a38093776976f89d76d4b",
  "linux-6.18.44-fc-v657.btf": "0ad581b5657148c12456ad80d957c465e46fe4956759adde9133735423060b4b",
  "linux-7.1-layout.btf": "569235317538e2bee7a1c3fe84bfc64b2d09a36bbcaa8fe4599b94c8059da48a",
};

describe("round trip of kernel BTF", () => {
  for (const name of VMLINUX_FIXTURES) {
    it(name, () => {
      const bytes = read(vmlinuxPath(name));
      expect(sha256(bytes)).toBe(KNOWN_SHA256[name]);
      const btf = Btf.parse(bytes);
      expect(sha256(reencode(btf))).toBe(sha256(bytes));
    });
  }
  for (const m of MODULE_FIXTURES) {
    it(`${m.name} on ${m.base}`, () => {
      const base = Btf.parse(read(basePath(m.base)));
      const bytes = read(modulePath(m.name));
      const btf = Btf.parse(bytes, { base });
      expect(btf.startId).toBe(base.count);
      expect(sha256(reencode(btf))).toBe(sha256(bytes));
    });
  }
});

describe.skipIf(!oracle("clang") || !oracle("clang-16"))("round trip of clang-built .BTF", () => {
  const corpus = path.join(ROOT, "test/corpus");
  for (const file of fs.readdirSync(corpus).filter((f) => f.endsWith(".c"))) {
    const src = fs.readFileSync(path.join(corpus, file), "utf8");
    const builds = [
      ["clang-16", "bpfel"],
      ["clang-16", "bpfeb"],
    ];
    // Sources that need newer BTF kinds say so; the rest also build with clang 14.
    if (!src.includes("(clang >= 15)")) builds.push(["clang", "bpfel"], ["clang", "bpfeb"]);
    for (const [clang, target] of builds) {
      it(`${file} (${clang}, ${target})`, () => {
        const elf = parseElf(read(clangBpf(src, { clang, flags: ["-target", target] })));
        const sec = elf.section(".BTF");
        expect(sec).toBeDefined();
        const btf = Btf.parse(sec!.data);
        expect(sha256(reencode(btf))).toBe(sha256(sec!.data));
      });
    }
  }
});
