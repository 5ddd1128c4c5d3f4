/**
 * `btfkit completion bash` (issue 14, "Also"): the generated script is
 * sourced in bash and its function is called as bash's programmable
 * completion calls it (COMP_WORDS, COMP_CWORD), for a program holding
 * btfkit's commands and global options.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { C_ORDERS, DUMP_FORMATS, DUMP_OPTIONS, btfCommand } from "../../src/cli/btf.js";
import { bashCompletion, completionCommand } from "../../src/cli/completion.js";
import { coreCommand } from "../../src/cli/core.js";

function program(): Command {
  const p = new Command("btfkit").option("-j, --json").option("-B, --base-btf <file>");
  p.addCommand(btfCommand());
  p.addCommand(coreCommand());
  p.addCommand(completionCommand(p));
  return p;
}

let dir: string;
let script: string;
/** The directory completion runs in: file names complete from here. */
let cwd: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-completion-"));
  script = path.join(dir, "btfkit.bash");
  fs.writeFileSync(script, bashCompletion(program()));
  cwd = path.join(dir, "cwd");
  fs.mkdirSync(path.join(cwd, "vm-dir"), { recursive: true });
  fs.writeFileSync(path.join(cwd, "vmlinux.btf"), "");
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** COMPREPLY for a command line whose last word is being completed (`btfkit btf d` completes `d`). */
function complete(line: string): string[] {
  const words = line.split(" ");
  const r = spawnSync("bash", ["-c", 'source "$0" && COMP_WORDS=("$@") && COMP_CWORD=$(($# - 1)) && _btfkit && printf "%s\\n" "${COMPREPLY[@]}"', script, ...words], {
    cwd,
    encoding: "utf8",
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout.split("\n").filter(Boolean);
}

/** COMPREPLY of file names, sorted (bash sorts them for display; compgen lists them in directory order). */
const completeFiles = (line: string) => complete(line).sort();

describe("bash completion", () => {
  it("is valid bash", () => {
    const r = spawnSync("bash", ["-n", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("completes commands, whole or from a prefix of the words before", () => {
    expect(complete("btfkit b")).toEqual(["btf"]);
    expect(complete("btfkit ")).toEqual(["btf", "core", "completion", "help"]);
    expect(complete("btfkit btf d")).toEqual(["dump", "dedup", "diff"]);
    expect(completeFiles("btfkit b de ")).toEqual(["vm-dir", "vmlinux.btf"]);
    expect(complete("btfkit completion ")).toEqual(["bash"]);
  });

  it("completes btf dump's keywords and their values", () => {
    expect(complete("btfkit btf dump f")).toEqual(["file"]);
    expect(complete("btfkit btf dump ")).toEqual(["file"]);
    expect(completeFiles("btfkit btf dump file vm")).toEqual(["vm-dir", "vmlinux.btf"]);
    expect(complete("btfkit btf dump file x fo")).toEqual(["format"]);
    expect(complete("btfkit btf dump file x format ")).toEqual([...DUMP_FORMATS]);
    expect(complete("btfkit btf dump file x format c ")).toEqual([...C_ORDERS, ...DUMP_OPTIONS]);
    expect(complete("btfkit btf dump file x format c s")).toEqual(["sorted"]);
    expect(complete("btfkit btf dump file x format raw ")).toEqual([...DUMP_OPTIONS]);
    expect(complete("btfkit btf dump file x root_id ")).toEqual([]);
    expect(complete("btfkit b d f x fo c unsorted r")).toEqual(["root_id"]);
    // Options among the keywords are stepped over, with their values.
    expect(complete("btfkit btf dump -o out --sort file x -B base fo")).toEqual(["format"]);
    // Sources read with the bpf() syscall lead nowhere.
    expect(complete("btfkit btf dump id ")).toEqual([]);
  });

  it("completes options of the command and of those above it, and their values", () => {
    expect(complete("btfkit core reloc --k")).toEqual(["--kconfig", "--kconfig-max-size", "--kconfig-string", "--kernel-release"]);
    expect(complete("btfkit btf dump --b")).toEqual(["--bpftool", "--base-btf"]);
    expect(complete("btfkit btf dump --bpftool ")).toEqual(["7.8", "7.1"]);
    expect(complete("btfkit -B vml")).toEqual(["vmlinux.btf"]);
    expect(complete("btfkit core reloc --kconfig-string ")).toEqual([]);
    expect(completeFiles("btfkit core reloc --btf = vm")).toEqual(["vm-dir", "vmlinux.btf"]);
    expect(completeFiles("btfkit core explain --btf t.btf v")).toEqual(["vm-dir", "vmlinux.btf"]);
  });
});
