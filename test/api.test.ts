/**
 * The public API is deliberate: the committed report (api/btfkit.api.md) must
 * match what src/index.ts exports, every export carries TSDoc, and the API
 * reference builds without warnings (every type a public signature uses is
 * itself public).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { apiSurface, REPORT_FILE } from "../scripts/api-report.js";
import { ROOT } from "./helpers/env.js";

describe("public API", () => {
  const surface = apiSurface();

  it("matches the committed API report (update it with `npx tsx scripts/api-report.ts --write`)", () => {
    expect(surface.report).toBe(fs.readFileSync(REPORT_FILE, "utf8"));
  });

  it("documents every export", () => {
    expect(surface.undocumented).toEqual([]);
  });

  it("builds its reference docs without warnings", () => {
    const typedoc = path.join(ROOT, "node_modules", "typedoc", "bin", "typedoc");
    execFileSync(process.execPath, [typedoc, "--emit", "none", "--treatWarningsAsErrors"], { cwd: ROOT, stdio: "pipe" });
  });
});
