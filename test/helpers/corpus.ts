/**
 * The clang-built objects the ELF and .BTF.ext tests run on: every C file
 * under test/corpus (BPF programs) for each available clang and both BPF byte
 * orders, and test/corpus/elf/module.c for several CPU architectures.
 */
import fs from "node:fs";
import path from "node:path";
import { ROOT, clangBpf, oracle } from "./env.js";

export interface BuiltObject {
  label: string;
  path: string;
}

const CORPUS = path.join(ROOT, "test/corpus");

/** BPF sources: test/corpus/*.c and test/corpus/ext/*.c. */
export function bpfSources(): Array<{ name: string; source: string }> {
  const out: Array<{ name: string; source: string }> = [];
  for (const dir of ["", "ext"]) {
    const d = path.join(CORPUS, dir);
    for (const f of fs.readdirSync(d).filter((f) => f.endsWith(".c")).sort()) {
      out.push({ name: path.join(dir, f), source: fs.readFileSync(path.join(d, f), "utf8") });
    }
  }
  return out;
}

/**
 * Each BPF source built with clang 14 and clang 16 for bpfel and bpfeb.
 * Sources marked "(clang >= 15)" skip clang 14. Call only when clang is present.
 */
export function bpfObjects(): BuiltObject[] {
  const compilers = ["clang", ...(oracle("clang-16") ? ["clang-16"] : [])];
  const out: BuiltObject[] = [];
  for (const { name, source } of bpfSources()) {
    for (const clang of compilers) {
      if (clang === "clang" && source.includes("(clang >= 15)")) continue;
      for (const target of ["bpfel", "bpfeb"]) {
        out.push({ label: `${name} (${clang}, ${target})`, path: clangBpf(source, { clang, flags: ["-target", target] }) });
      }
    }
  }
  return out;
}

/** ELF32 and ELF64, little and big endian, REL and RELA. */
export const MODULE_TARGETS = [
  "x86_64-linux-gnu",
  "i386-linux-gnu",
  "aarch64-linux-gnu",
  "armeb-linux-gnueabi",
  "powerpc-linux-gnu",
  "powerpc64-linux-gnu",
  "s390x-linux-gnu",
  "riscv64-linux-gnu",
  "mips-linux-gnu",
];

export function moduleObjects(): BuiltObject[] {
  const source = fs.readFileSync(path.join(CORPUS, "elf/module.c"), "utf8");
  return MODULE_TARGETS.map((t) => ({
    label: `module.c (${t})`,
    path: clangBpf(source, { flags: ["-target", t, "-ffunction-sections", "-fcommon"] }),
  }));
}
