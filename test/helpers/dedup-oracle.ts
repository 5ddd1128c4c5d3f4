/**
 * The libbpf side of the dedup differential: test/oracle/dedup-oracle.c runs
 * libbpf 1.1.2's btf__dedup (after btf__add_btf for merges) and writes the
 * raw result. Inputs are file paths or in-memory blobs (written once under
 * .cache/dedup-oracle/in, named by content); outputs are cached under
 * .cache/dedup-oracle by a hash of the harness binary, the mode and every
 * input, so reruns do not run libbpf again. The same harness answers whether
 * libbpf parses a blob at all, one at a time or many per run.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CACHE, fileHash, libbpfDev, libbpfHarness, oracle, tempPath, writeCacheFile } from "./env.js";

const DIR = path.join(CACHE, "dedup-oracle");

/** A BTF or ELF input: a file path, or bytes to be written to a file first. */
export type OracleInput = string | Uint8Array;

/** libbpf refused the input or failed to deduplicate it; `log` is its stderr. */
export class DedupOracleError extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
    this.name = "DedupOracleError";
  }
}

/**
 * Whether the harness can be built here (gcc and libbpf-dev). Evaluates both
 * checks so that, under BTFKIT_REQUIRE_ORACLES=1, a missing one throws.
 */
export function dedupOracleAvailable(): boolean {
  const tools = [oracle("gcc"), libbpfDev()];
  return tools.every(Boolean);
}

export function dedupOracleBinary(): string {
  return libbpfHarness("test/oracle/dedup-oracle.c");
}

/** A path for the input: itself, or a content-named file holding the bytes. */
function materialize(input: OracleInput): { file: string; hash: string } {
  if (typeof input === "string") return { file: input, hash: fileHash(input) };
  const hash = createHash("sha256").update(input).digest("hex");
  const file = path.join(DIR, "in", `${hash.slice(0, 24)}.bin`);
  if (!fs.existsSync(file)) writeCacheFile(file, input);
  return { file, hash };
}

/**
 * Runs the harness unless every output is cached. `argv` builds the command
 * line from output paths and input files; the cache key is that command line
 * with outputs as placeholders and inputs as content hashes.
 */
function runCached(
  inputs: readonly OracleInput[],
  outputs: readonly string[],
  argv: (outs: readonly string[], files: readonly string[]) => string[],
): Uint8Array[] {
  const bin = dedupOracleBinary();
  const ins = inputs.map(materialize);
  const shape = argv(outputs.map((_, i) => `OUT${i}`), ins.map((i) => i.hash));
  const key = createHash("sha256").update(fileHash(bin)).update(JSON.stringify(shape)).digest("hex").slice(0, 24);
  const outs = outputs.map((ext) => path.join(DIR, `${key}.${ext}`));
  if (!outs.every((o) => fs.existsSync(o))) {
    // The harness writes to temporary names, renamed only once it has succeeded.
    const tmps = outs.map(tempPath);
    fs.mkdirSync(DIR, { recursive: true });
    const args = argv(tmps, ins.map((i) => i.file));
    const r = spawnSync(bin, args, { encoding: "utf8", timeout: 300_000, killSignal: "SIGKILL" });
    if (r.status !== 0) {
      for (const t of tmps) fs.rmSync(t, { force: true });
      const why = r.error ? r.error.message : `exited ${r.status ?? r.signal}`;
      throw new DedupOracleError(`dedup-oracle ${args.join(" ")}: ${why}\n${r.stderr.slice(-4000)}`, r.stderr);
    }
    tmps.forEach((t, i) => fs.renameSync(t, outs[i]));
  }
  return outs.map((o) => new Uint8Array(fs.readFileSync(o)));
}

/** libbpf: btf__new_empty (or split on `base`), btf__add_btf of each input in order, btf__dedup. */
export function oracleMerge(inputs: readonly OracleInput[], base?: OracleInput): Uint8Array {
  if (inputs.length === 0) throw new Error("oracleMerge needs at least one input");
  if (base === undefined) return runCached(inputs, ["btf"], ([o], files) => ["merge", o, ...files])[0];
  return runCached([base, ...inputs], ["btf"], ([o], [b, ...files]) => ["merge", o, "--base", b, ...files])[0];
}

/** libbpf: btf__parse (or btf__parse_split on `base`) then btf__dedup. */
export function oracleDedup(input: OracleInput, base?: OracleInput): Uint8Array {
  if (base === undefined) return runCached([input], ["btf"], ([o], [f]) => ["dedup", o, f])[0];
  return runCached([input, base], ["btf"], ([o], [f, b]) => ["dedup", o, f, "--base", b])[0];
}

/** libbpf: btf__parse_elf with its .BTF.ext, then btf__dedup rewriting both. */
export function oracleDedupElf(obj: OracleInput): { btf: Uint8Array; ext: Uint8Array } {
  const [btf, ext] = runCached([obj], ["btf", "ext"], ([b, e], [o]) => ["dedup-elf", b, e, o]);
  return { btf, ext };
}

/** Whether libbpf parses `input` (split on `base` when given). Not cached: it is quick. */
export function oracleParses(input: OracleInput, base?: OracleInput): boolean {
  const args = ["parse", materialize(input).file];
  if (base !== undefined) args.push("--base", materialize(base).file);
  const r = spawnSync(dedupOracleBinary(), args, { encoding: "utf8", timeout: 120_000 });
  return r.status === 0;
}

/** libbpf's verdict on one blob: accepted, or refused with this errno (EINVAL 22, ENOTSUP 95, ...). */
export type ParseVerdict = { ok: true } | { ok: false; errno: number };

/** Input bytes per harness run: bounds the stdin buffer; each run parses the base once. */
const STREAM_CHUNK_BYTES = 64 << 20;

/**
 * libbpf's accept/reject for many raw BTF blobs (split on `base` when
 * given), through `dedup-oracle parse-stream`: one harness run per 64 MiB
 * of input instead of one per blob. Not cached (it is quick).
 */
export function oracleParseMany(blobs: readonly Uint8Array[], base?: OracleInput): ParseVerdict[] {
  const bin = dedupOracleBinary();
  const args = ["parse-stream", ...(base === undefined ? [] : ["--base", materialize(base).file])];
  const verdicts: ParseVerdict[] = [];
  for (let from = 0; from < blobs.length; ) {
    let to = from;
    let bytes = 0;
    // At least one blob per run, however large.
    while (to < blobs.length && (to === from || bytes + 4 + blobs[to].length <= STREAM_CHUNK_BYTES)) bytes += 4 + blobs[to++].length;
    const input = Buffer.alloc(bytes);
    let at = 0;
    for (let i = from; i < to; i++) {
      at = input.writeUInt32LE(blobs[i].length, at);
      input.set(blobs[i], at);
      at += blobs[i].length;
    }
    const r = spawnSync(bin, args, { input, encoding: "utf8", maxBuffer: 16 * (to - from) + 4096, timeout: 300_000, killSignal: "SIGKILL" });
    const lines = r.status === 0 ? r.stdout.split("\n").slice(0, -1) : [];
    if (lines.length !== to - from) {
      const why = r.error ? r.error.message : `exited ${r.status ?? r.signal} with ${lines.length} verdicts for ${to - from} blobs`;
      throw new DedupOracleError(`dedup-oracle ${args.join(" ")}: ${why}\n${r.stderr.slice(-4000)}`, r.stderr);
    }
    for (const line of lines) {
      const m = /^(?:ok|err (\d+))$/.exec(line);
      if (!m) throw new DedupOracleError(`dedup-oracle parse-stream: unexpected line ${JSON.stringify(line)}`, r.stderr);
      verdicts.push(m[1] === undefined ? { ok: true } : { ok: false, errno: Number(m[1]) });
    }
    from = to;
  }
  return verdicts;
}
