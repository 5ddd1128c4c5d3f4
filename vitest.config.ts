import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // The JSON report lets .ci/run print plain pass/fail counts.
    reporters: ["default", ["json", { outputFile: ".cache/vitest-report.json" }]],
  },
});
