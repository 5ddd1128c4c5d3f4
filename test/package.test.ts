/**
 * The package as a user installs it (issue 14, item 14): `npm pack` of the
 * checkout (dist/ built by the global setup), installed into a fresh project
 * from the tarball, must give a working `btfkit` bin and an importable,
 * typed library. Fails if `files` leaves out what the bin or the library
 * loads, or ships what no user needs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpC, dumpRaw, loadBtf } from "../src/index.js";
import { ROOT } from "./helpers/env.js";
import { smallTarget } from "./helpers/hostile.js";

const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;

/** What a packed file may be: the manifest, the README, a licence, the library's JS and typings, the bundled CLI and its help. */
const SHIPPED = /^(package\.json|README\.md|LICENSE|dist\/(?!cli\/).+\.(js|d\.ts)|dist\/cli\/(btfkit\.cjs|btfkit-main\.cjs|help\.json))$/;

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm pack, installed into a fresh project", () => {
  let tmp: string;
  let app: string;
  let packed: string[];
  let btfFile: string;
  const bin = () => path.join(app, "node_modules/.bin/btfkit");

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-pack-"));
    // --ignore-scripts: dist/ is already built, and `prepare` would rebuild it under the other tests.
    const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: ROOT, encoding: "utf8" });
    const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
    packed = info.files.map((f) => f.path);
    app = path.join(tmp, "app");
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    // commander comes from npm's cache (filled by `npm ci`); the registry only when it is not there.
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(tmp, info.filename)], { cwd: app, stdio: "pipe" });
    btfFile = path.join(tmp, "t.btf");
    fs.writeFileSync(btfFile, smallTarget());
  }, 120_000);

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("ships dist, the README and the manifest only", () => {
    expect(packed.filter((f) => !SHIPPED.test(f))).toEqual([]);
    expect(packed).toEqual(expect.arrayContaining(["package.json", "README.md", "dist/index.js", "dist/index.d.ts", "dist/cli/btfkit.cjs", "dist/cli/btfkit-main.cjs", "dist/cli/help.json"]));
  });

  it("the bin runs: -V, and btf dump file", () => {
    expect(fs.readFileSync(path.join(app, "node_modules/btfkit/dist/cli/btfkit.cjs"), "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    const v = run(bin(), ["-V"], app);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout.split("\n")[0]).toBe(`btfkit v${VERSION}`);
    const dump = run(bin(), ["btf", "dump", "file", btfFile], app);
    expect(dump.status, dump.stderr).toBe(0);
    expect(dump.stdout).toBe(dumpRaw(loadBtf(smallTarget())));
  });

  it("the library imports as `btfkit` from an ESM script", () => {
    const script = path.join(app, "use.mjs");
    fs.writeFileSync(
      script,
      'import { readFileSync } from "node:fs";\nimport { loadBtf, dumpC } from "btfkit";\n' +
        "process.stdout.write(dumpC(loadBtf(new Uint8Array(readFileSync(process.argv[2])))));\n",
    );
    const r = run(process.execPath, [script, btfFile], app);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(dumpC(loadBtf(smallTarget())));
  });

  it("its typings resolve for a TypeScript user", () => {
    fs.writeFileSync(
      path.join(app, "use.ts"),
      'import { loadBtf, dumpC, type Btf } from "btfkit";\nconst btf: Btf = loadBtf(new Uint8Array(0));\nexport const header: string = dumpC(btf);\n',
    );
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    const r = run(process.execPath, [tsc, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "use.ts"], app);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
