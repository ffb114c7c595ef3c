import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { asOwner, call, makeForm, postJson, unique } from "./helpers";

describe("owner API authentication", () => {
  it("refuses /api routes without a token, with a reason", async () => {
    const response = await call("/api/leads");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    expect(await response.json()).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("refuses a wrong token", async () => {
    const response = await call("/api/forms", { headers: { authorization: "Bearer not-the-owner-token" } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { message: "The owner token is not valid." } });
  });

  it("slows down an address that keeps sending wrong tokens (429, Retry-After); the right token still answers from there, and other addresses are not held up", async () => {
    const from = (ip: string, token: string) => call("/api/forms", { headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": ip } });
    const guesser = unique("api-guesser");
    for (let i = 0; i < 5; i++) expect((await from(guesser, `wrong-${i}`)).status).toBe(401);
    const throttled = await from(guesser, "wrong-again");
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await throttled.json()).toMatchObject({ error: { code: "too_many_attempts" } });
    expect((await from(guesser, "test-owner-token")).status).toBe(200);
    expect((await from(unique("api-other"), "wrong")).status).toBe(401);
  });

  it("refuses a malformed Authorization header with 400", async () => {
    const response = await call("/api/forms", { headers: { authorization: "Basic abc" } });
    expect(response.status).toBe(400);
  });

  it("answers with the owner token", async () => {
    const response = await asOwner("/api/leads");
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty("leads");
  });
});

describe("forms API", () => {
  it("creates, reads, lists and replaces a form", async () => {
    const form = await makeForm({ allowedOrigins: ["https://Shop.Example"] });
    expect(form.allowedOrigins).toEqual(["https://shop.example"]);
    expect(form.honeypotField).toBe("website_url");

    expect(await (await asOwner(`/api/forms/${form.id}`)).json()).toEqual(form);
    const list = (await (await asOwner("/api/forms")).json()) as { forms: { id: string }[] };
    expect(list.forms.map((f) => f.id)).toContain(form.id);

    const replaced = await asOwner(`/api/forms/${form.id}`, {
      method: "PUT",
      body: JSON.stringify({ name: "Renamed", thankYouUrl: "/demo/thanks", defaultSource: "ads" }),
    });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ id: form.id, name: "Renamed", thankYouUrl: "/demo/thanks", allowedOrigins: [] });
  });

  it("refuses a duplicate id with 409 and an invalid form with field reasons", async () => {
    const form = await makeForm();
    const again = await asOwner("/api/forms", { method: "POST", body: JSON.stringify(form) });
    expect(again.status).toBe(409);

    const bad = await asOwner("/api/forms", {
      method: "POST",
      body: JSON.stringify({ id: "Bad Id!", name: "", thankYouUrl: "//evil.example", allowedOrigins: ["evil"] }),
    });
    expect(bad.status).toBe(422);
    const { error } = (await bad.json()) as { error: { issues: { field: string }[] } };
    expect(error.issues.map((i) => i.field).sort()).toEqual(["allowedOrigins.0", "id", "name", "thankYouUrl"]);
  });

  it("a form declares its lawful basis (legitimate interest unless it says consent), and each lead records it", async () => {
    const inquiry = await makeForm();
    expect(inquiry.lawfulBasis).toBe("legitimate_interest");
    const unfounded = await asOwner("/api/forms", {
      method: "POST",
      body: JSON.stringify({ id: unique("consent-form"), name: "News", thankYouUrl: "/thanks", lawfulBasis: "consent" }),
    });
    expect(unfounded.status).toBe(422);
    expect(await unfounded.json()).toMatchObject({ error: { code: "unfounded_lawful_basis" } });
    const newsletter = await makeForm({ lawfulBasis: "consent", consent: { email: { required: true, wording: "Send me the monthly letter" } } });
    expect(await (await asOwner(`/api/forms/${newsletter.id}`)).json()).toMatchObject({ lawfulBasis: "consent" });

    const response = await postJson(newsletter.id, { email: `${unique("basis")}@example.com`, consent_email: "yes" });
    const { leadId } = (await response.json()) as { leadId: string };
    const lead = (await (await asOwner(`/api/leads/${leadId}`)).json()) as { lawfulBasis: { channel: string; purpose: string; basis: string; formId: string }[] };
    expect(lead.lawfulBasis.map(({ channel, purpose, basis, formId }) => ({ channel, purpose, basis, formId }))).toEqual([
      { channel: "email", purpose: "inquiry", basis: "consent", formId: newsletter.id },
      { channel: "email", purpose: "marketing", basis: "consent", formId: newsletter.id },
    ]);
  });

  it("answers malformed JSON with 400", async () => {
    const response = await asOwner("/api/forms", { method: "POST", body: "{" });
    expect(response.status).toBe(400);
  });
});

describe("leads API", () => {
  it("lists leads newest first, filters by status and pages with a cursor", async () => {
    const form = await makeForm();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const response = await postJson(form.id, { email: `${unique("page")}@example.com` });
      ids.add(((await response.json()) as { leadId: string }).leadId);
    }
    type Page = { leads: { id: string; createdAt: number; status: string }[]; nextCursor: string | null };
    const seen: Page["leads"] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = (await (await asOwner(`/api/leads?limit=2&status=new${cursor ? `&cursor=${cursor}` : ""}`)).json()) as Page;
      expect(page.leads.length).toBeLessThanOrEqual(2);
      seen.push(...page.leads);
      cursor = page.nextCursor;
    }
    expect(new Set(seen.map((l) => l.id)).size).toBe(seen.length);
    for (const id of ids) expect(seen.map((l) => l.id)).toContain(id);
    for (let i = 1; i < seen.length; i++) expect(seen[i - 1]!.createdAt).toBeGreaterThanOrEqual(seen[i]!.createdAt);
    expect(seen.every((l) => l.status === "new")).toBe(true);
    const booked = (await (await asOwner("/api/leads?status=booked")).json()) as Page;
    expect(booked.leads).toEqual([]);
  });

  it("rejects a bad status filter and a forged cursor with reasons", async () => {
    expect((await asOwner("/api/leads?status=vip")).status).toBe(422);
    expect((await asOwner("/api/leads?limit=5000")).status).toBe(422);
    const forged = await asOwner("/api/leads?cursor=%%%");
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: "bad_cursor" } });
  });

  it("shows one lead's profile, status and timeline", async () => {
    const form = await makeForm();
    const email = `${unique("tim")}@example.com`;
    const { leadId } = (await (await postJson(form.id, { email, name: "Tim", message: "Need a quote" })).json()) as { leadId: string };
    const response = await asOwner(`/api/leads/${leadId}`);
    expect(response.status).toBe(200);
    const lead = (await response.json()) as { id: string; status: string; profile: object; timeline: { kind: string }[] };
    expect(lead).toMatchObject({ id: leadId, status: "new", profile: { email, name: "Tim" } });
    expect(lead.timeline).toMatchObject([{ kind: "form_submitted", submission: { message: "Need a quote" } }]);
  });

  it("answers 404 for an unknown or malformed lead id", async () => {
    expect((await asOwner(`/api/leads/${"0".repeat(32)}`)).status).toBe(404);
    expect((await asOwner("/api/leads/not-an-id")).status).toBe(404);
  });
});

describe("projection into D1", () => {
  it("writes the lead row and one event per submission", async () => {
    const form = await makeForm({ defaultSource: "spring-campaign" });
    const email = `${unique("proj")}@example.com`;
    const { leadId } = (await (await postJson(form.id, { email, name: "Pat", company: "Pat Inc", title: "Engineer" })).json()) as {
      leadId: string;
    };
    await postJson(form.id, { email, message: "again" });
    const row = await env.DB.prepare("SELECT * FROM leads WHERE id = ?").bind(leadId).first();
    expect(row).toMatchObject({ email, name: "Pat", company: "Pat Inc", title: "Engineer", source: "spring-campaign", status: "new", score: 25 });
    expect(row!.last_activity_at as number).toBeGreaterThanOrEqual(row!.created_at as number);
    const events = await env.DB.prepare("SELECT id, kind FROM events WHERE lead_id = ? ORDER BY at").bind(leadId).all();
    expect(events.results).toEqual([
      { id: `${leadId}:1`, kind: "form_submitted" },
      { id: `${leadId}:2`, kind: "form_submitted" },
    ]);
  });
});

describe("health", () => {
  it("GET /healthz answers ok without authentication", async () => {
    const response = await call("/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("an unknown address gets a JSON 404", async () => {
    const response = await call("/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
  });
});
