import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// The real D1 migrations, as `wrangler d1 migrations apply` runs them. Applying is
// idempotent, so running this before every test file is safe.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
