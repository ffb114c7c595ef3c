// `npm run deploy`: checks that production's required secrets are set, applies the remote D1
// migrations, then deploys — in that order, so a missing secret stops it before anything
// changes, and the code never runs against a database without its tables.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { missingSecrets, requiredSecrets } from "./deploy-secrets";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const wrangler = (args: string[], capture = false) =>
  spawnSync("npx", ["wrangler", ...args], { env, encoding: "utf8", stdio: capture ? ["inherit", "pipe", "inherit"] : "inherit" });

const required = requiredSecrets(readFileSync("wrangler.toml", "utf8"));
const listed = wrangler(["secret", "list", "--env", "production", "--format", "json"], true);
let parsed: unknown = null;
try {
  parsed = JSON.parse(listed.stdout ?? "");
} catch {
  // Not JSON: wrangler said why on stderr (not logged in, no such Worker yet).
}
const missing = listed.status === 0 ? missingSecrets(required, parsed) : null;
if (missing === null) {
  console.error('\nCould not list the production Worker\'s secrets (see above). Log in with `npx wrangler login`, and set the secrets first: README "Production set-up", step 4.');
  process.exit(1);
}
if (missing.length > 0) {
  console.error(`\nNot deploying: set ${missing.join(", ")} first, each with \`npx wrangler secret put <NAME> --env production\`.`);
  process.exit(1);
}
for (const step of [
  ["d1", "migrations", "apply", "DB", "--remote", "--env", "production"],
  ["deploy", "--env", "production"],
]) {
  const run = wrangler(step);
  if (run.status !== 0) process.exit(run.status ?? 1);
}
