/**
 * Full sweep of `btf diff` against the raw dump: for every ordered pair of
 * fixture kernels, the diff of all named types, then for every struct and
 * union both kernels define once, every member offset the diff reports and
 * every move, addition and removal the two raw dumps show. The test
 * (test/btf/diff.test.ts) does this for seven well-known structs; this does
 * all of them (some 110,000 struct pairs, a minute or two).
 *
 *   npx tsx scripts/diff-sweep.ts            # bpftool's raw dump when installed, else btfkit's (byte-identical)
 *
 * Exits 1 on the first 20 disagreements, listed.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { dumpRaw, loadBtf, type Btf } from "../src/index.js";
import { diffBtf, type MemberChange } from "../src/btf/diff.js";
import { parseRaw, rawPaths, type RawType } from "../test/helpers/raw-listing.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURES = path.join(ROOT, "fixtures/vmlinux");

function uniqueComposites(types: Map<number, RawType>): Map<string, number> {
  const seen = new Map<string, number | null>();
  for (const [id, t] of types) {
    if ((t.kind !== "STRUCT" && t.kind !== "UNION") || t.name === "(anon)") continue;
    const k = `${t.kind}:${t.name}`;
    seen.set(k, seen.has(k) ? null : id);
  }
  return new Map([...seen].filter((e): e is [string, number] => e[1] !== null));
}

const haveBpftool = spawnSync("sh", ["-c", "command -v bpftool"]).status === 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-diff-sweep-"));
const kernels = fs
  .readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".btf.br"))
  .map((f) => {
    const bytes = zlib.brotliDecompressSync(fs.readFileSync(path.join(FIXTURES, f)));
    const btf = loadBtf(new Uint8Array(bytes));
    let text: string;
    if (haveBpftool) {
      const file = path.join(tmp, f.replace(/\.br$/, ""));
      fs.writeFileSync(file, bytes);
      text = spawnSync("bpftool", ["btf", "dump", "file", file], { maxBuffer: 1 << 30, encoding: "utf8" }).stdout;
    } else {
      text = dumpRaw(btf);
    }
    return { name: f.replace(/\.br$/, ""), btf, raw: parseRaw(text) };
  });
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`raw dumps from ${haveBpftool ? "bpftool" : "btfkit's dumpRaw"}`);

const failures: string[] = [];
let structs = 0;
let entries = 0;
for (const a of kernels) {
  for (const b of kernels) {
    if (a === b) continue;
    const t0 = performance.now();
    const d = diffBtf(a.btf as Btf, b.btf as Btf);
    const ms = performance.now() - t0;
    const changed = new Map(d.changed.filter((c) => c.kind === "struct" || c.kind === "union").map((c) => [`${c.kind.toUpperCase()}:${c.name}`, c]));
    const ub = uniqueComposites(b.raw);
    for (const [key, oid] of uniqueComposites(a.raw)) {
      const nid = ub.get(key);
      if (nid === undefined) continue;
      structs++;
      const fail = (msg: string) => failures.push(`${a.name} -> ${b.name}: ${key}: ${msg}`);
      const o = rawPaths(a.raw, oid);
      const n = rawPaths(b.raw, nid);
      const c = changed.get(key);
      const members: MemberChange[] = c?.members ?? [];
      if (!c && a.raw.get(oid)!.size !== b.raw.get(nid)!.size) fail("size change not reported");
      for (const m of members) {
        entries++;
        if (m.old && o.get(m.oldName ?? m.name) !== m.old.bitOffset) fail(`${m.change} ${m.oldName ?? m.name}: old offset ${m.old.bitOffset}, raw ${o.get(m.oldName ?? m.name)}`);
        if (m.new && n.get(m.name) !== m.new.bitOffset) fail(`${m.change} ${m.name}: new offset ${m.new.bitOffset}, raw ${n.get(m.name)}`);
      }
      const names = (change: string, old = false) => new Set(members.filter((m) => m.change === change).map((m) => (old ? m.oldName : m.name)));
      const moved = names("moved");
      const renamedFrom = names("renamed", true);
      const renamedTo = names("renamed");
      const removed = names("removed");
      const added = names("added");
      for (const [p, off] of o) {
        const now = n.get(p);
        if (now === undefined) {
          if (!removed.has(p) && !renamedFrom.has(p)) fail(`${p} is gone but not reported`);
        } else if (moved.has(p) !== (off !== now)) fail(`${p}: ${off} -> ${now}, moved ${moved.has(p)}`);
      }
      for (const p of n.keys()) if (!o.has(p) && !added.has(p) && !renamedTo.has(p)) fail(`${p} is new but not reported`);
    }
    console.log(`${a.name} -> ${b.name}: ${ms.toFixed(0)} ms, ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`);
  }
}
console.log(`${structs} struct/union pairs, ${entries} member entries checked, ${failures.length} disagreements`);
for (const f of failures.slice(0, 20)) console.log(`  ${f}`);
process.exit(failures.length ? 1 : 0);
