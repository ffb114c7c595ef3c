import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { loadFixtures } from "./test/load-fixtures.ts";

// The plugin asks for its options each time a test file starts a runtime; read the migrations
// (which loads wrangler, seconds of start-up) and the fixtures once, and only when a Workers
// file runs.
const once = <T>(make: () => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};
const migrations = once(() => readD1Migrations("./migrations"));
const fixtures = once(loadFixtures);

// Bare imports of the Worker and its tests (see `deps` below).
const PRE_BUNDLED = [
  "@hono/zod-validator",
  "ai",
  "ai/test",
  "drizzle-orm",
  "drizzle-orm/d1",
  "drizzle-orm/sqlite-core",
  "hono",
  "hono/bearer-auth",
  "hono/body-limit",
  "hono/cookie",
  "hono/cors",
  "hono/factory",
  "hono/html",
  "hono/http-exception",
  "hono/secure-headers",
  "hono/utils/http-status",
  "html-to-text",
  "isbot",
  "libphonenumber-js",
  "libphonenumber-js/max",
  "papaparse",
  "postal-mime",
  "standardwebhooks",
  "workers-ai-provider",
  "zod",
];

export default defineConfig({
  test: {
    projects: [
      {
        // The pure engine and readers in plain Node: no workerd to start, no migrations. Pure
        // functions hold no state between files, so one module graph serves them all.
        test: {
          name: "engine",
          environment: "node",
          include: ["test/engine/**/*.test.ts"],
          isolate: false,
        },
      },
      {
        // Everything that needs the runtime, bindings and the real D1 migrations.
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                OWNER_TOKEN: "test-owner-token",
                LEAD_ID_SECRET: "test-lead-id-secret",
                TOKEN_SECRET: "test-token-secret",
                TWILIO_AUTH_TOKEN: "test-twilio-token",
                CALCOM_WEBHOOK_SECRET: "test-calcom-secret",
                CALENDLY_WEBHOOK_SIGNING_KEY: "test-calendly-key",
                // Standard Webhooks secrets are base64 after the whsec_ prefix.
                RESEND_WEBHOOK_SECRET: "whsec_dGVzdC1yZXNlbmQtd2ViaG9vay1zZWNyZXQ=",
                TEST_MIGRATIONS: await migrations(),
                TEST_FIXTURES: fixtures(),
                // `npm run fuzz` sets FUZZ_DEPTH=full: every naughty string on every route.
                FUZZ_DEPTH: process.env.FUZZ_DEPTH ?? "slice",
              },
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/**/*.test.ts"],
          exclude: ["test/engine/**", "test/e2e/**"],
          setupFiles: ["./test/apply-migrations.ts"],
          // Every test file starts a fresh runtime that loads the whole Worker, module by
          // module; pre-bundled, each package below arrives as one module instead of hundreds
          // (zod, drizzle and libphonenumber alone are ~350), which takes about 40% off that
          // start-up. A package missing here still works, loaded file by file. (Vitest never
          // pre-bundles JSX runtimes; hono/jsx is imported only for types.)
          deps: { optimizer: { ssr: { enabled: true, include: PRE_BUNDLED } } },
        },
      },
    ],
    // CI sums both suites' counts into one closing line (.ci/run): one report for both projects.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".ci/results/workers.json" },
  },
});
