import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { E2E_SECRETS, startEngine, type LocalEngine } from "./local-engine";

/**
 * `npm run doctor` as an owner runs it: on the local default (offline, through wrangler's
 * platform proxy) and against a running deployment with `-- --url`. It prints each missing
 * piece with what to do, and exits 1 while anything is missing.
 */

const ROOT = join(import.meta.dirname, "..", "..");
const doctor = (args: string[] = [], env: Record<string, string> = {}) =>
  spawnSync("npm", ["run", "--silent", "doctor", ...(args.length ? ["--", ...args] : [])], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", ...env },
    timeout: 240_000,
  });

let engine: LocalEngine;
beforeAll(async () => {
  engine = await startEngine();
}, 300_000);
afterAll(async () => engine?.stop());

describe("npm run doctor", () => {
  it("on the local default, names what production still needs and exits 1", () => {
    const run = doctor();
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain("Doctor: the local configuration");
    // The local default keeps mail in the outbox, serves the demo pages and runs on http.
    expect(run.stdout).toMatch(/MISSING +Email goes through outbox\n\s+→ EMAIL_TRANSPORT is outbox/);
    expect(run.stdout).toMatch(/MISSING +The demo pages are off/);
    expect(run.stdout).toMatch(/MISSING +The public address links point at \(http:\/\/localhost/);
    expect(run.stdout).toMatch(/\d+ missing\.\n/);
  }, 240_000);

  it("with --url, asks a running deployment with the owner token, and says so when the token is wrong", () => {
    const run = doctor(["--url", engine.url], { OWNER_TOKEN: E2E_SECRETS.OWNER_TOKEN });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain(`Doctor: ${engine.url}`);
    expect(run.stdout).toMatch(/ok +The secrets every route needs/);
    expect(run.stdout).toMatch(/MISSING +Email goes through outbox/);
    const refused = doctor(["--url", engine.url], { OWNER_TOKEN: "not-the-token" });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("/api/doctor answered 401: set OWNER_TOKEN");
  }, 240_000);
});
