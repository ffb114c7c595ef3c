import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { missingSecrets, requiredSecrets } from "../../scripts/deploy-secrets";

/** `npm run deploy` stops before migrating or deploying while a required production secret is missing. */

const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");

describe("npm run deploy's secret check", () => {
  it("reads the required secrets from wrangler.toml's production table", () => {
    expect(requiredSecrets(toml)).toEqual(["OWNER_TOKEN", "LEAD_ID_SECRET", "TOKEN_SECRET"]);
    expect(requiredSecrets('name = "x"\n[vars]\nA = "1"\n')).toEqual([]);
  });

  it("names each missing one from wrangler's secret list, and cannot be fooled by output that is not a list", () => {
    const required = requiredSecrets(toml);
    expect(missingSecrets(required, [{ name: "OWNER_TOKEN", type: "secret_text" }])).toEqual(["LEAD_ID_SECRET", "TOKEN_SECRET"]);
    expect(
      missingSecrets(
        required,
        required.map((name) => ({ name, type: "secret_text" })),
      ),
    ).toEqual([]);
    expect(missingSecrets(required, { error: "not logged in" })).toBeNull();
    expect(missingSecrets(required, null)).toBeNull();
  });
});
