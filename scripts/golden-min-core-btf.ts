/**
 * Golden outputs of bpftool 7.8's `gen min_core_btf` for every CO-RE corpus
 * object x every CO-RE target (test/helpers/core-oracle.ts), committed as one
 * brotli JSON file because CI has only Debian's bpftool 7.1.
 *
 *   BPFTOOL78=/path/to/bpftool-7.8 npx tsx scripts/golden-min-core-btf.ts
 *
 * Each entry is keyed by the object's and target's labels and a content hash
 * of each (see btfContentHash); it holds either bpftool's output bytes
 * (base64) or its failure (exit status and last stderr line).
 * test/core/minimize.test.ts compares minimizeBtf with it.
 */
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { Btf } from "../src/btf/btf.js";
import { openBpfObject } from "../src/btf/object.js";
import { isElf } from "../src/elf/read.js";
import { coreObjects, coreTargets } from "../test/helpers/core-oracle.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const MIN_CORE_BTF_GOLDEN = path.join(ROOT, "fixtures/golden-7.8/min_core_btf.json.br");

/** What the hashes of the golden cover, written into the file so a reader knows. */
const HASH_NOTE =
  "sha256 of the BTF content: every type record with each name offset replaced by its string, then (objects) every CO-RE record " +
  "with its section name and access string. Not the file bytes: clang -g writes the absolute source path and build directory into " +
  "DWARF and into .BTF's strings (line info), which shifts every name offset, so file bytes differ between checkouts.";

/**
 * A hash of what `gen min_core_btf` reads from an ELF object or raw BTF,
 * independent of where the object was built: type records with names in
 * place of string offsets, and the CO-RE relocation records (section name,
 * instruction offset, type id, access string, kind). Same for the same
 * types and relocations whatever the string table's layout.
 */
export function btfContentHash(bytes: Uint8Array): string {
  const elf = isElf(bytes);
  const obj = elf ? openBpfObject(bytes) : undefined;
  const btf = obj ? obj.btf : Btf.parse(bytes);
  const h = createHash("sha256");
  const str = (off: number) => JSON.stringify(btf.str(off) ?? `<bad string offset ${off}>`);
  const { words, offsets } = btf.ownRecords();
  let line: string[] = [];
  for (let i = 0; i < offsets.length; i++) {
    const start = offsets[i];
    const end = i + 1 < offsets.length ? offsets[i + 1] : words.length;
    const info = words[start + 1];
    const kind = (info >>> 24) & 0x7f;
    // Trailing elements whose first word is a name offset, by kind: members, enum values, params.
    const elem = kind === 4 || kind === 5 || kind === 19 ? 3 : kind === 6 || kind === 13 ? 2 : 0;
    line = [str(words[start])];
    for (let w = start + 1; w < end; w++) {
      const named = elem > 0 && w >= start + 3 && (w - start - 3) % elem === 0;
      line.push(named ? str(words[w]) : String(words[w]));
    }
    h.update(`${btf.startId + i} ${line.join(" ")}\n`);
  }
  if (obj) {
    const local = obj.btf;
    h.update(obj.ext ? "ext\n" : "no ext\n");
    for (const block of obj.ext?.coreRelos ?? []) {
      h.update(`section ${JSON.stringify(local.str(block.secNameOff))}\n`);
      for (const r of block.records) h.update(`${r.insnOff} ${r.typeId} ${JSON.stringify(local.str(r.accessStrOff))} ${r.kind}\n`);
    }
  }
  return h.digest("hex");
}

/** One object x target: bpftool's output, or how it failed. */
export interface MinCoreBtfEntry {
  object: string;
  objectSha256: string;
  target: string;
  targetSha256: string;
  /** The minimized BTF bpftool wrote (base64), when it exited 0. */
  output?: string;
  /** When bpftool exited non-zero: its status and the last non-empty line of its stderr (paths as OBJECT, TARGET). */
  error?: { status: number; stderr: string };
}

export interface MinCoreBtfGolden {
  generator: string;
  /** `bpftool version`, lines joined with " / ". */
  bpftool: string;
  bpftoolCommit: string;
  libbpfCommit: string;
  command: string;
  hash: string;
  entries: MinCoreBtfEntry[];
}

export function readMinCoreBtfGolden(): MinCoreBtfGolden {
  return JSON.parse(zlib.brotliDecompressSync(fs.readFileSync(MIN_CORE_BTF_GOLDEN)).toString("utf8")) as MinCoreBtfGolden;
}

interface RunResult {
  output?: Uint8Array;
  error?: { status: number; stderr: string };
}

/** The last non-empty line, with this machine's paths of the object and target replaced by OBJECT and TARGET. */
function lastLine(text: string, obj: string, target: string): string {
  const line = text.split("\n").map((l) => l.trim()).filter(Boolean).pop() ?? "";
  return line.split(obj).join("OBJECT").split(target).join("TARGET");
}

function runBpftool(bpftool: string, target: string, obj: string, out: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    fs.rmSync(out, { force: true });
    execFile(bpftool, ["gen", "min_core_btf", target, out, obj], { timeout: 120_000, killSignal: "SIGKILL", encoding: "utf8", maxBuffer: 1 << 26 }, (e, _stdout, stderr) => {
      if (e && typeof e.code !== "number") return reject(new Error(`${bpftool} gen min_core_btf ${target} ${out} ${obj}: ${e.message}`));
      if (e) return resolve({ error: { status: e.code as number, stderr: lastLine(stderr, obj, target) } });
      resolve({ output: new Uint8Array(fs.readFileSync(out)) });
    });
  });
}

/** Runs bpftool over every pair, a few processes at once. */
async function sweep(bpftool: string, pairs: Array<{ obj: string; target: string }>, dir: string): Promise<RunResult[]> {
  const results: RunResult[] = new Array(pairs.length);
  let next = 0;
  const worker = async (w: number) => {
    while (next < pairs.length) {
      const i = next++;
      results[i] = await runBpftool(bpftool, pairs[i].target, pairs[i].obj, path.join(dir, `out-${w}.btf`));
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, Math.min(8, os.availableParallelism())) }, (_, w) => worker(w)));
  return results;
}

const same = (a: RunResult, b: RunResult) =>
  a.output && b.output ? Buffer.compare(a.output, b.output) === 0 : !a.output && !b.output && JSON.stringify(a.error) === JSON.stringify(b.error);

async function writeGolden(bpftool: string): Promise<void> {
  const started = Date.now();
  const version = spawnSync(bpftool, ["version"], { encoding: "utf8" }).stdout.trim().split("\n").join(" / ");
  if (!version.startsWith("bpftool v7.8")) throw new Error(`${bpftool} is not bpftool 7.8: ${version}`);
  const objects = coreObjects().map((o) => ({ ...o, sha256: btfContentHash(new Uint8Array(fs.readFileSync(o.path))) }));
  const targets = coreTargets().map((t) => ({ ...t, sha256: btfContentHash(new Uint8Array(fs.readFileSync(t.path))) }));
  const pairs = objects.flatMap((o) => targets.map((t) => ({ o, t, obj: o.path, target: t.path })));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-min-core-btf-"));
  try {
    // Twice, to be sure the output does not depend on anything but the inputs.
    const first = await sweep(bpftool, pairs, dir);
    const second = await sweep(bpftool, pairs, dir);
    const unstable = pairs.filter((_, i) => !same(first[i], second[i])).map(({ o, t }) => `${o.label} on ${t.label}`);
    if (unstable.length) throw new Error(`bpftool gave different results on two runs for:\n${unstable.join("\n")}`);
    const entries: MinCoreBtfEntry[] = pairs.map(({ o, t }, i) => ({
      object: o.label,
      objectSha256: o.sha256,
      target: t.label,
      targetSha256: t.sha256,
      ...(first[i].output ? { output: Buffer.from(first[i].output!).toString("base64") } : { error: first[i].error }),
    }));
    const golden: MinCoreBtfGolden = {
      generator: "scripts/golden-min-core-btf.ts",
      bpftool: version,
      bpftoolCommit: process.env.BPFTOOL78_COMMIT ?? "0ffb9862c79c7e4b1586c6a4629c5e2cf795263d",
      libbpfCommit: process.env.LIBBPF18_COMMIT ?? "34e3ebf0f062cf81882c51ac95dce720101ca5cc",
      command: "bpftool gen min_core_btf TARGET OUTPUT OBJECT",
      hash: HASH_NOTE,
      entries,
    };
    const json = Buffer.from(JSON.stringify(golden).replace(/\},\{"object"/g, '},\n{"object"'));
    const br = zlib.brotliCompressSync(json, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT },
    });
    fs.writeFileSync(MIN_CORE_BTF_GOLDEN, br);
    const ok = entries.filter((e) => e.output);
    const outBytes = ok.reduce((n, e) => n + Buffer.from(e.output!, "base64").length, 0);
    const distinct = new Set(ok.map((e) => e.output)).size;
    const reasons = new Map<string, number>();
    for (const e of entries) if (e.error) reasons.set(e.error.stderr, (reasons.get(e.error.stderr) ?? 0) + 1);
    console.log(`${version}`);
    console.log(`${objects.length} objects x ${targets.length} targets = ${entries.length} pairs: ${ok.length} outputs (${distinct} distinct), ${entries.length - ok.length} failures`);
    for (const [reason, n] of reasons) console.log(`  ${n} x ${reason}`);
    console.log(`output bytes ${outBytes}, JSON ${json.length} bytes, ${path.relative(ROOT, MIN_CORE_BTF_GOLDEN)} ${br.length} bytes; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bpftool = process.env.BPFTOOL78;
  if (!bpftool) throw new Error("set BPFTOOL78 to a bpftool 7.8 binary");
  writeGolden(bpftool).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
