import { defineConfig } from "vitest/config";

// Browser tests run in Node: they start the engine with wrangler dev and drive Debian's
// chromium through playwright-core. `npm test` runs them after the Workers-runtime suite.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".ci/results/browser.json" },
  },
});
