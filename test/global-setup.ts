/**
 * Builds dist/ once before the tests, as `npm run build` does (tsc, then the
 * bundled executable: scripts/build-cli.ts), so CLI tests run what users run.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  run([path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
  run(["--import", "tsx", path.join(root, "scripts/build-cli.ts")]);
}
