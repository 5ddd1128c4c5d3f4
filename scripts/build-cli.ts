/**
 * Builds the executable after tsc: the CLI bundled into one CommonJS file
 * (dist/cli/btfkit-main.cjs: one file to read and compile instead of a graph
 * of modules to resolve, and a script V8 can keep a code cache of), the
 * launcher (dist/cli/btfkit.cjs, src/cli/bin.ts) and the help of every
 * command rendered from the command tree (dist/cli/help.json), which the
 * launcher prints without loading the CLI.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { build, type BuildOptions, type Plugin } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = (f: string) => path.join(root, "dist/cli", f);
// A CommonJS bundle has no import.meta: version.ts and bin.ts locate files from it.
const IMPORT_META_URL = 'const __btfkitUrl = require("node:url").pathToFileURL(__filename).href;';
/**
 * commander requires node:child_process at load, for executable subcommands,
 * which btfkit has none of; loading it (and net, dgram, ... behind it) costs
 * every run a few milliseconds. It gets a stand-in that loads the module on
 * first use.
 */
const lazyChildProcess: Plugin = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: "lazy-child-process", namespace: "btfkit" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "btfkit" }, () => ({
      contents: 'module.exports = new Proxy({}, { get: (_, key) => require("node:child_process")[key] });',
      loader: "js",
    }));
  },
};

const common: BuildOptions = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  define: { "import.meta.url": "__btfkitUrl" },
  logLevel: "warning",
  absWorkingDir: root,
  plugins: [lazyChildProcess],
};

await build({ ...common, entryPoints: ["src/cli/main.ts"], outfile: out("btfkit-main.cjs"), banner: { js: IMPORT_META_URL } });
await build({ ...common, entryPoints: ["src/cli/bin.ts"], outfile: out("btfkit.cjs"), banner: { js: `#!/usr/bin/env node\n${IMPORT_META_URL}` } });
fs.chmodSync(out("btfkit.cjs"), 0o755);

const { buildProgram } = createRequire(import.meta.url)(out("btfkit-main.cjs")) as { buildProgram(): Command };
const texts: Record<string, string> = {};
const render = (cmd: Command, names: string[]) => {
  texts[names.join(" ")] = cmd.helpInformation();
  for (const sub of cmd.commands) render(sub, [...names, sub.name()]);
};
render(buildProgram(), []);
fs.writeFileSync(out("help.json"), JSON.stringify(texts));
