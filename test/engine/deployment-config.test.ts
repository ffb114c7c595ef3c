import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * A plain `wrangler deploy` deploys the top-level (local demo) configuration. Under the
 * production Worker's name it would replace production with demo pages, the outbox and the
 * demo sender: the two names must differ.
 */

const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");

/** The `name = "…"` of a table: the first one after its header (or before any header, for the top level). */
function workerName(table: string | null): string | undefined {
  const start = table === null ? 0 : toml.indexOf(`\n[${table}]`);
  if (start < 0) return undefined;
  const body = toml.slice(start + 1);
  const end = table === null ? body.search(/^\[/m) : body.slice(1).search(/^\[/m) + 1;
  return /^name\s*=\s*"([^"]+)"/m.exec(end > 0 ? body.slice(0, end) : body)?.[1];
}

describe("deployment configuration", () => {
  it("a plain deploy cannot reach production: the local configuration's Worker name is not production's", () => {
    const local = workerName(null);
    const production = workerName("env.production");
    expect(local).toBeDefined();
    expect(production).toBeDefined();
    expect(local).not.toBe(production);
  });

  it("production names its database, never one deployment's id: the tracked file holds nothing to edit per deployment", () => {
    const production = toml.slice(toml.indexOf("\n[env.production]"));
    const d1 = production.slice(production.indexOf("[[env.production.d1_databases]]"));
    const body = d1.slice(d1.indexOf("\n") + 1);
    const block = body.slice(0, body.search(/^\[/m));
    expect(block).toMatch(/^database_name = "edge-follow-up"$/m);
    expect(block).not.toMatch(/database_id/);
  });
});
