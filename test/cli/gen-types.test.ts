/**
 * `btfkit gen types` as a user runs it: the library's text on stdout or in
 * -o, --type before or after the object, and one-line errors naming the file
 * for a missing type, an ambiguous name, a type with no layout and a file
 * that is not a BPF object.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generateTypes } from "../../src/index.js";
import { clangBpf, CLI, oracle } from "../helpers/env.js";

const SOURCE = `
typedef unsigned int u32;
struct event { u32 pid; unsigned long long ts; unsigned flags: 3; char comm[16]; };
typedef int pair;
struct pair { int a, b; union { int i; float f; }; };
typedef void handler_fn(int);
struct { int (*type)[1]; int (*max_entries)[16]; u32 *key; struct event *value; } events __attribute__((section(".maps")));
const volatile int filter_pid = 0;
struct event last_event;
pair last_pair;
struct pair last_spair;
handler_fn *handler;
__attribute__((section("tp/x"), used)) int prog(void *ctx) { return filter_pid + last_event.pid + last_pair + last_spair.a + !!handler; }
`;

function btfkit(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.runIf(oracle("clang"))("gen types OBJECT", () => {
  const obj = clangBpf(SOURCE, { flags: ["-target", "bpfel"] });
  const lib = (types: string[] = []) => generateTypes(new Uint8Array(fs.readFileSync(obj)), { types, source: path.basename(obj) });

  it("prints the library's module; -o writes it; --type goes before or after the object", () => {
    const r = btfkit(["gen", "types", obj, "--type", "event"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(lib(["event"]));
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-types-")), "t.ts");
    const w = btfkit(["gen", "types", "--type", "struct pair", "--type", "typedef pair", "-o", out, obj]);
    expect(w.status).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe(lib(["struct pair", "typedef pair"]));
    expect(fs.readFileSync(out, "utf8")).toMatch(/^export const Pair: Codec<Pair, PairInput> =/m);
    expect(fs.readFileSync(out, "utf8")).toMatch(/^export type PairTypedef = number;$/m);
    expect(fs.readFileSync(out, "utf8")).toMatch(/^export const PairTypedef: Codec<PairTypedef> =/m);
  });

  it("refuses with one line naming the file: unknown, ambiguous, layout-less types; not an object", () => {
    const cases: Array<[string[], RegExp]> = [
      [["--type", "nope"], /^btfkit: .*: the object's BTF has no type 'nope'\n$/],
      [["--type", "pair"], /^btfkit: .*: 'pair' is ambiguous: say which of 'typedef pair', 'struct pair'\n$/],
      [["--type", "handler_fn"], /^btfkit: .*: TYPEDEF 'handler_fn' \[\d+\] has no layout user space can read/],
      [["--type", "struct {"], /^btfkit: .*: 'struct \{' is not a C type name/],
    ];
    for (const [args, message] of cases) {
      const r = btfkit(["gen", "types", obj, ...args]);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.split("\n").length).toBe(2);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe("");
    }
    const notElf = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-types-")), "x.o");
    fs.writeFileSync(notElf, "hello");
    const r = btfkit(["gen", "types", notElf]);
    expect(r.stderr).toMatch(new RegExp(`^btfkit: ${notElf}: not an ELF file`));
  });
});
