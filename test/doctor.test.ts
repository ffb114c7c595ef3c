import { describe, expect, it } from "vitest";
import { asOwner, call } from "./helpers";

/** `GET /api/doctor` on the local default: it runs, and says what production still needs. */

describe("GET /api/doctor", () => {
  it("reports the local default's missing pieces in plain words: the outbox, the demo pages, an http address", async () => {
    const response = await asOwner("/api/doctor");
    expect(response.status).toBe(200);
    const { ok, checks } = (await response.json()) as { ok: boolean; checks: { id: string; status: string; what: string; fix?: string }[] };
    expect(ok).toBe(false);
    const status = Object.fromEntries(checks.map((c) => [c.id, c.status]));
    expect(status).toMatchObject({ secrets: "ok", sender: "ok", "email-transport": "missing", "demo-pages": "missing", "public-url": "missing", "reply-mx": "unknown" });
    expect(checks.find((c) => c.id === "email-transport")!.fix).toContain("outbox");
  });

  it("is an owner route", async () => {
    expect((await call("/api/doctor")).status).toBe(401);
  });
});
