/**
 * The `btfkit` executable (bundled to dist/cli/btfkit.cjs). Start-up is part
 * of every command's cost, so:
 *
 * - `-V`, `version` and `--help` are answered without loading the CLI:
 *   commander alone takes longer to load than all of Node's own start-up
 *   budget for them. The help texts are rendered by the build from the
 *   command tree (dist/cli/help.json), the same text commander prints.
 * - Every other command runs the bundled CLI (dist/cli/btfkit-main.cjs, one
 *   file: no module graph to resolve) compiled with V8's code cache, kept in
 *   the user's cache directory (see codeCache). A cache that is missing,
 *   unreadable, unwritable or corrupt is ignored and, where it can be,
 *   written again: it can never make a run fail. One that another user
 *   could have written is never read (see ours).
 */
import fs from "node:fs";
import { createRequire, wrap } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { versionRequest, versionText } from "./version.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(HERE, "btfkit-main.cjs");
const HELP = path.join(HERE, "help.json");

/** Writes `text` to stdout; a reader that has gone (`| head`) ends the run quietly, as in the CLI. */
function print(text: string): number {
  try {
    fs.writeSync(1, text);
    return 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EPIPE") return 141;
    throw e;
  }
}

/** What `-V`/`version` and `--help` print, when `words` ask only for that; undefined otherwise. */
function preparedAnswer(words: string[]): string | undefined {
  const version = versionRequest(words);
  if (version) return versionText(version);
  if (words.some((w) => w === "-j" || w === "--json" || w === "-p" || w === "--pretty")) return undefined;
  // `[COMMAND...] --help` / `-h`, or `help [COMMAND...]`, with whole command names.
  const last = words[words.length - 1];
  const names = last === "--help" || last === "-h" ? words.slice(0, -1) : words[0] === "help" ? words.slice(1) : undefined;
  if (!names || names.some((w) => w.startsWith("-"))) return undefined;
  try {
    const texts = JSON.parse(fs.readFileSync(HELP, "utf8")) as Record<string, string>;
    return Object.hasOwn(texts, names.join(" ")) ? texts[names.join(" ")] : undefined;
  } catch {
    return undefined; // No prepared help (a build without it): commander prints it.
  }
}

/**
 * The code cache of the CLI bundle for one command: V8's compiled bytecode
 * of the functions a run of that command compiled, so the next run skips
 * compiling them. One file per command word pair (`btf-dump`), as each
 * command compiles different functions, named after the Node version and
 * the bundle's size and time, so an upgrade never reads a stale one. The
 * file is `sha1(payload) + payload`: V8 checks a cache's header, not all of
 * its payload, so a damaged file is caught here before V8 sees it.
 */
function codeCache(source: string, words: string[], sha1: (data: Buffer) => Buffer): { data?: Buffer; save(data: Buffer): void } {
  const none = { save() {} };
  const root = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), ".cache") : "");
  if (!path.isAbsolute(root)) return none;
  const dir = path.join(root, "btfkit");
  const key = words.filter((w) => /^[a-z]{2,8}$/.test(w)).slice(0, 2).join("-") || "none";
  let stat: fs.Stats;
  try {
    stat = fs.statSync(MAIN);
  } catch {
    return none;
  }
  const file = path.join(dir, `${key}-${process.version}-${process.arch}-${source.length}-${Math.trunc(stat.mtimeMs)}.v8`);
  let data: Buffer | undefined;
  try {
    if (!ours(dir) || !ours(file)) throw new Error("not ours");
    const raw = fs.readFileSync(file);
    const payload = raw.subarray(20);
    if (raw.length > 20 && sha1(payload).equals(raw.subarray(0, 20))) data = payload;
  } catch {
    // No cache yet, or one we cannot read.
  }
  return {
    data,
    save(payload: Buffer) {
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        if (!ours(dir)) return;
        fs.writeFileSync(tmp, Buffer.concat([sha1(payload), payload]), { mode: 0o600 });
        fs.renameSync(tmp, file);
        // The same command's caches of older bundles or Node versions.
        for (const old of fs.readdirSync(dir)) {
          if (old.startsWith(`${key}-`) && old.endsWith(".v8") && path.join(dir, old) !== file) fs.rmSync(path.join(dir, old), { force: true });
        }
      } catch {
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // Nothing was written where nothing can be.
        }
      }
    },
  };
}

/**
 * Whether `p` (not a symlink) belongs to this user and no one else may write
 * it. A code cache is code this process runs: one that another user could
 * have written (a shared or planted XDG_CACHE_HOME, root running with someone
 * else's HOME) is never read, and that directory never written.
 */
function ours(p: string): boolean {
  const st = fs.lstatSync(p);
  const uid = process.geteuid?.();
  return !st.isSymbolicLink() && (uid === undefined || (st.uid === uid && (st.mode & 0o022) === 0));
}

/** Runs the bundled CLI, compiled with (and, when it had none or V8 refused it, writing) its code cache. */
async function runBundled(argv: string[]): Promise<number> {
  // Loaded here, not at the top: the prepared answers need neither.
  const [{ createHash }, vm] = await Promise.all([import("node:crypto"), import("node:vm")]);
  const source = fs.readFileSync(MAIN, "utf8");
  const cache = codeCache(source, argv.slice(2), (data) => createHash("sha1").update(data).digest());
  const script = new vm.Script(wrap(source), { filename: MAIN, cachedData: cache.data });
  const mod = { exports: {} as { main(argv: string[]): Promise<number> } };
  script.runInThisContext()(mod.exports, createRequire(MAIN), mod, MAIN, HERE);
  const code = await mod.exports.main(argv);
  // After the run: the cache then holds every function the command compiled.
  if (!cache.data || script.cachedDataRejected) cache.save(script.createCachedData());
  return code;
}

async function run(argv: string[]): Promise<number> {
  const answer = preparedAnswer(argv.slice(2));
  return answer !== undefined ? print(answer) : runBundled(argv);
}

run(process.argv).then((code) => {
  process.exitCode = code;
});
