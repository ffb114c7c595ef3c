import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { loadFixtures } from "./test/load-fixtures.ts";

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          OWNER_TOKEN: "test-owner-token",
          LEAD_ID_SECRET: "test-lead-id-secret",
          TOKEN_SECRET: "test-token-secret",
          TWILIO_AUTH_TOKEN: "test-twilio-token",
          CALCOM_WEBHOOK_SECRET: "test-calcom-secret",
          CALENDLY_WEBHOOK_SIGNING_KEY: "test-calendly-key",
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          TEST_FIXTURES: loadFixtures(),
          // `npm run fuzz` sets FUZZ_DEPTH=full: every naughty string on every route.
          FUZZ_DEPTH: process.env.FUZZ_DEPTH ?? "slice",
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**"],
    // CI sums both suites' counts into one closing line (.ci/run).
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".ci/results/workers.json" },
    setupFiles: ["./test/apply-migrations.ts"],
  },
}));
