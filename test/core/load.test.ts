/**
 * The relocated objects `core reloc` writes load with an unmodified loader:
 * for every CO-RE corpus object, relocated against this machine's kernel BTF,
 * `bpftool prog loadall` (libbpf) loads our output exactly when it loads the
 * original, and the kernel's translated instructions of every program are
 * the same either way (map ids and addresses masked). Pins are removed.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { coreObjects } from "../helpers/core-oracle.js";
import { CLI, kernelLoads, oracle } from "../helpers/env.js";

const BPFFS = "/sys/fs/bpf";
const tag = `btfkit-load-${process.pid}`;
const pins: string[] = [];

function loadall(obj: string, name: string): { ok: boolean; progs: Map<string, string>; stderr: string } {
  const pin = path.join(BPFFS, `${tag}-${name}`);
  pins.push(pin);
  const r = spawnSync("bpftool", ["prog", "loadall", obj, pin], { encoding: "utf8" });
  const progs = new Map<string, string>();
  if (r.status === 0) {
    for (const p of fs.readdirSync(pin)) {
      const x = spawnSync("bpftool", ["prog", "dump", "xlated", "pinned", path.join(pin, p)], { encoding: "utf8" });
      progs.set(p, mask(x.stdout));
    }
  }
  fs.rmSync(pin, { recursive: true, force: true });
  return { ok: r.status === 0, progs, stderr: r.stderr };
}

/** Map ids, map value addresses and program ids differ between two loads. */
function mask(xlated: string): string {
  return xlated
    .replace(/map\[id:\d+\]/g, "map[id:N]")
    .replace(/0x[0-9a-f]{8,16}/g, "0xADDR")
    .replace(/\bprog_id \d+/g, "prog_id N");
}

describe.skipIf(!oracle("bpftool") || !oracle("clang") || !kernelLoads())("relocated objects load like the originals", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-load-"));
  afterAll(() => {
    for (const p of pins) fs.rmSync(p, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  const totals = { objects: 0, bothLoad: 0, bothFail: 0, programs: 0 };
  afterAll(() => console.log(`load comparison: ${JSON.stringify(totals)}`));

  for (const o of coreObjects()) {
    it(o.label, () => {
      const name = o.label.replace(/[^a-z0-9]+/gi, "_");
      const ref = loadall(o.path, `${name}-orig`);
      const out = path.join(tmp, `${name}.o`);
      const reloc = spawnSync(process.execPath, [CLI, "core", "reloc", o.path, "-o", out, "--btf", "/sys/kernel/btf/vmlinux"], { encoding: "utf8" });
      totals.objects++;
      if (reloc.status !== 0) {
        // Only a relocation libbpf also refuses may stop us.
        expect(reloc.status, reloc.stderr).toBe(4);
        expect(ref.ok, `libbpf loaded what we refused: ${reloc.stderr}`).toBe(false);
        expect(fs.existsSync(out)).toBe(false);
        totals.bothFail++;
        return;
      }
      const ours = loadall(out, `${name}-ours`);
      expect(ours.ok, `ours: ${ours.stderr.slice(-1500)}\nlibbpf: ${ref.stderr.slice(-500)}`).toBe(ref.ok);
      if (!ref.ok) {
        totals.bothFail++;
        return;
      }
      totals.bothLoad++;
      expect([...ours.progs.keys()].sort()).toEqual([...ref.progs.keys()].sort());
      for (const [prog, xlated] of ref.progs) {
        totals.programs++;
        expect(ours.progs.get(prog), `${prog} translated differently`).toBe(xlated);
      }
    });
  }
});
