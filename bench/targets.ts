/**
 * The speed targets (issue 15), each command beside its reference in one
 * session of alternating runs. For a one-shot command the figure that counts
 * is the work ratio, (btfkit wall - `node -e 0` wall) / reference wall: what
 * the command itself costs beyond the runtime's floor, measured in the same
 * rounds as the floor. Medians; peak RSS from /usr/bin/time.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Btf, dedupBtf, mergeBtf } from "../dist/index.js";
import { CLI, ROOT, benchDir, fixture, hasCommand, libbpfHarness, row, timeCommands, timeMs, type CommandTiming } from "./lib.js";

interface Target {
  label: string;
  btfkit: string[];
  reference?: string[];
  /** "work": (btfkit - node) / reference; "plain": btfkit / reference; "startup": btfkit / node. */
  ratio: "work" | "plain" | "startup";
  goal: number;
  /** Largest btfkit / reference peak RSS, where the issue sets one. */
  rssGoal?: number;
}

function targets(): Target[] {
  const v618 = fixture("vmlinux/linux-6.18.44-fc-v657.btf");
  const amd64 = fixture("vmlinux/linux-6.1.0-56-amd64.btf");
  const arm64 = fixture("vmlinux/linux-6.1.0-56-arm64.btf");
  const dir = benchDir();
  const cli = (...args: string[]) => ["node", CLI, ...args];
  const list: Target[] = [
    { label: "btfkit -V", btfkit: cli("-V"), ratio: "startup", goal: 1.15 },
    { label: "btfkit --help", btfkit: cli("--help"), ratio: "startup", goal: 1.15 },
  ];
  if (hasCommand("bpftool")) {
    list.push(
      { label: "btf dump (raw), 6.18", btfkit: cli("btf", "dump", "file", v618), reference: ["bpftool", "btf", "dump", "file", v618], ratio: "work", goal: 0.8 },
      { label: "btf dump -j, 6.18", btfkit: cli("-j", "btf", "dump", "file", v618), reference: ["bpftool", "-j", "btf", "dump", "file", v618], ratio: "work", goal: 0.8 },
      {
        label: "format c --bpftool 7.1, 6.18",
        btfkit: cli("btf", "dump", "file", v618, "format", "c", "--bpftool", "7.1"),
        reference: ["bpftool", "btf", "dump", "file", v618, "format", "c"],
        ratio: "work",
        goal: 0.8,
        rssGoal: 4,
      },
      {
        label: "format c (7.8, sorted), 6.18",
        btfkit: cli("btf", "dump", "file", v618, "format", "c"),
        reference: ["bpftool", "btf", "dump", "file", v618, "format", "c"],
        ratio: "work",
        goal: 0.8,
        rssGoal: 4,
      },
    );
  }
  if (hasCommand("gcc") && fs.existsSync("/usr/include/bpf/btf.h")) {
    const dedup = libbpfHarness("dedup-oracle");
    list.push(
      {
        label: "btf merge 6.1 amd64 + arm64",
        btfkit: cli("btf", "merge", amd64, arm64, "-o", path.join(dir, "merged-btfkit.btf")),
        reference: [dedup, "merge", path.join(dir, "merged-libbpf.btf"), amd64, arm64],
        ratio: "plain",
        goal: 1.0,
        rssGoal: 2,
      },
      {
        label: "btf dedup 6.18",
        btfkit: cli("btf", "dedup", v618, "-o", path.join(dir, "dedup-btfkit.btf")),
        reference: [dedup, "dedup", path.join(dir, "dedup-libbpf.btf"), v618],
        ratio: "plain",
        goal: 1.0,
        rssGoal: 2,
      },
    );
  }
  if (hasCommand("clang") && hasCommand("gcc") && fs.existsSync("/usr/include/bpf/libbpf.h")) {
    const obj = path.join(dir, "sock_userlocks.o");
    const corpus = path.join(ROOT, "test/corpus/core");
    execFileSync("clang", ["-g", "-O2", "-target", "bpf", "-I", corpus, "-c", path.join(corpus, "sock_userlocks.c"), "-o", obj]);
    const relos = (execFileSync("node", [CLI, "-j", "core", "explain", obj, "--btf", v618]).toString().match(/"relo":/g) ?? []).length;
    list.push({
      label: `core reloc (${relos} relocations), 6.18`,
      btfkit: cli("core", "reloc", obj, "--btf", v618, "--kconfig-string", "CONFIG_HZ=250", "-o", path.join(dir, "reloc.o")),
      reference: [libbpfHarness("core-oracle"), obj, v618],
      ratio: "work",
      goal: 2.0,
    });
  }
  return list;
}

const fmt = (t: CommandTiming) => `${t.ms.toFixed(0)} ms / ${t.maxRssMiB?.toFixed(0) ?? "?"} MiB`;

export function benchTargets(): void {
  console.log("\n== Targets: cold one-shot commands, alternating runs (median of 10) ==");
  const list = targets();
  const cmds: Record<string, string[]> = { node: ["node", "-e", "0"] };
  for (const t of list) {
    cmds[t.label] = t.btfkit;
    if (t.reference) cmds[`ref ${t.label}`] = t.reference;
  }
  const times = timeCommands(cmds);
  const node = times.node.ms;
  row("node -e 0 (the runtime's floor)", `${node.toFixed(0)} ms`);
  for (const t of list) {
    const ours = times[t.label];
    const ref = t.reference ? times[`ref ${t.label}`] : undefined;
    const value = t.ratio === "startup" ? ours.ms / node : t.ratio === "plain" ? ours.ms / ref!.ms : (ours.ms - node) / ref!.ms;
    const name = t.ratio === "startup" ? "x node" : t.ratio === "plain" ? "ratio" : "work ratio";
    const rss = ref && ours.maxRssMiB && ref.maxRssMiB ? ours.maxRssMiB / ref.maxRssMiB : undefined;
    const rssText = t.rssGoal && rss !== undefined ? `, RSS ${rss.toFixed(2)}x (target <= ${t.rssGoal})` : "";
    row(t.label, `${fmt(ours)}${ref ? ` vs ${fmt(ref)}` : ""}: ${name} ${value.toFixed(2)} (target <= ${t.goal})${rssText}`);
  }
  const dir = benchDir();
  const same = (a: string, b: string) => fs.existsSync(path.join(dir, a)) && fs.readFileSync(path.join(dir, a)).equals(fs.readFileSync(path.join(dir, b)));
  row("merge and dedup outputs byte-identical to libbpf's", same("merged-btfkit.btf", "merged-libbpf.btf") && same("dedup-btfkit.btf", "dedup-libbpf.btf") ? "yes" : "NO");
  // Warm, in process: the same work with V8 warmed up, against the reference's whole run.
  const ref = (label: string) => times[`ref ${label}`]?.ms;
  const a = Btf.parse(new Uint8Array(fs.readFileSync(fixture("vmlinux/linux-6.1.0-56-amd64.btf"))));
  const b = Btf.parse(new Uint8Array(fs.readFileSync(fixture("vmlinux/linux-6.1.0-56-arm64.btf"))));
  const v618 = Btf.parse(new Uint8Array(fs.readFileSync(fixture("vmlinux/linux-6.18.44-fc-v657.btf"))));
  for (const [label, run] of [
    ["btf merge 6.1 amd64 + arm64", () => mergeBtf([a, b])],
    ["btf dedup 6.18", () => dedupBtf(v618)],
  ] as const) {
    const warm = timeMs(run, 5, 2);
    const r = ref(label);
    row(`${label}, warm in process`, `${warm.toFixed(0)} ms${r ? `: ratio ${(warm / r).toFixed(2)} (target <= 0.6)` : ""}`);
  }
}
