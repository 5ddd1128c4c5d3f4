/**
 * Differential tests: our raw and JSON dumps against Debian's bpftool 7.1 on
 * every kernel blob, every module blob on its base, and clang-built objects.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Btf, dumpJson, dumpRaw, loadBtf } from "../../src/index.js";
import {
  ROOT,
  clangBpf,
  oracle,
  run,
  expectSameText,
  kernelBlobs,
  type KernelBlob,
} from "../helpers/env.js";

type Case = KernelBlob;

const cases = kernelBlobs();

function bpftool(c: Case, flags: string[]): string {
  const base = c.base ? ["-B", c.base] : [];
  return run("bpftool", [...flags, ...base, "btf", "dump", "file", c.file]).toString("utf8");
}

function load(c: Case): Btf {
  const base = c.base ? loadBtf(new Uint8Array(fs.readFileSync(c.base))) : undefined;
  return loadBtf(new Uint8Array(fs.readFileSync(c.file)), { base });
}

const expectSame = expectSameText;

describe.skipIf(!oracle("bpftool"))("raw and JSON dump match bpftool 7.1", () => {
  for (const c of cases) {
    it(`raw: ${c.label}`, () => expectSame(bpftool(c, []), dumpRaw(load(c))));
    it(`json: ${c.label}`, () => expectSame(bpftool(c, ["-j"]), dumpJson(load(c))));
    it(`pretty json: ${c.label}`, () => expectSame(bpftool(c, ["-p"]), dumpJson(load(c), { pretty: true })));
  }
});

const corpus = path.join(ROOT, "test/corpus");
const objects: Array<{ label: string; clang: string; target?: string }> = [
  { label: "kinds.c", clang: "clang" },
  { label: "kinds.c", clang: "clang", target: "bpfeb" },
  { label: "kinds.c", clang: "clang-16" },
  { label: "enum64.c", clang: "clang-16" },
];

describe.skipIf(!oracle("bpftool") || !oracle("clang") || !oracle("clang-16"))("dumps of clang-built objects", () => {
  for (const o of objects) {
    const name = `${o.label} (${o.clang}${o.target ? `, ${o.target}` : ""})`;
    it(name, () => {
      const obj = clangBpf(fs.readFileSync(path.join(corpus, o.label), "utf8"), {
        clang: o.clang,
        flags: o.target ? ["-target", o.target] : [],
      });
      const c: Case = { label: name, file: obj };
      const btf = load(c);
      expect(btf.littleEndian).toBe(o.target !== "bpfeb");
      expectSame(bpftool(c, []), dumpRaw(btf));
      expectSame(bpftool(c, ["-j"]), dumpJson(btf));
    });
  }
});
