import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, makeForm, postJson, unique } from "./helpers";

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

async function leadIdFrom(response: Response): Promise<string> {
  expect(response.status).toBe(202);
  const body = (await response.json()) as { leadId: string };
  expect(body.leadId).toMatch(/^[0-9a-f]{32}$/);
  return body.leadId;
}

async function leadRow(id: string) {
  return env.DB.prepare("SELECT * FROM leads WHERE id = ?").bind(id).first<Record<string, unknown>>();
}

describe("POST /f/:formId content types", () => {
  it("a browser posting urlencoded fields is sent to the thank-you page with 303", async () => {
    const form = await makeForm({ thankYouUrl: "https://site.example/thank-you" });
    const email = `${unique("ann")}@example.com`;
    const response = await call(`/f/${form.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: BROWSER_ACCEPT },
      body: new URLSearchParams({ email, name: "Ann Lee", company: "Lee Roofing", plan: "gold" }).toString(),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("https://site.example/thank-you");
    const row = await env.DB.prepare("SELECT * FROM leads WHERE email = ?").bind(email).first<Record<string, unknown>>();
    expect(row).toMatchObject({ name: "Ann Lee", company: "Lee Roofing", source: "website", status: "new" });
  });

  it("a multipart post is accepted and keeps unknown fields as custom fields", async () => {
    const form = await makeForm();
    const body = new FormData();
    body.set("email", `${unique("bo")}@example.com`);
    body.set("first_name", "Bo");
    body.set("last_name", "Ek");
    body.set("budget", "10-20k");
    body.set("utm_source", "newsletter");
    const leadId = await leadIdFrom(await call(`/f/${form.id}`, { method: "POST", headers: { accept: "application/json" }, body }));
    const lead = await env.LEADS.getByName(leadId).summary();
    expect(lead?.profile).toMatchObject({ name: "Bo Ek", firstName: "Bo", lastName: "Ek" });
    const [entry] = lead!.timeline;
    if (entry?.kind !== "form_submitted") throw new Error("expected the submission first");
    expect(entry.submission.custom).toEqual({ budget: "10-20k" });
    expect(entry.submission.utm).toEqual({ utm_source: "newsletter" });
  });

  it("a JSON post from an API client gets 202 with the lead id", async () => {
    const form = await makeForm({ defaultSource: "partner-api" });
    const leadId = await leadIdFrom(await postJson(form.id, { email: `${unique("cy")}@example.com`, title: "Head of Ops", consent_email: true }));
    const row = await leadRow(leadId);
    expect(row).toMatchObject({ title: "Head of Ops", source: "partner-api" });
    const lead = await env.LEADS.getByName(leadId).summary();
    expect(lead?.consent.email).toMatchObject({ granted: true, formId: form.id });
  });

  it("a body in another content type is refused with 415 and a reason", async () => {
    const form = await makeForm();
    const response = await call(`/f/${form.id}`, { method: "POST", headers: { "content-type": "text/plain" }, body: "email=a@b.co" });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: { code: "unsupported_content_type" } });
  });

  it("malformed JSON and truncated multipart get 400, not 500", async () => {
    const form = await makeForm();
    const json = await call(`/f/${form.id}`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"email": "a@' });
    expect(json.status).toBe(400);
    const multipart = await call(`/f/${form.id}`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=XYZ" },
      body: '--XYZ\r\nContent-Disposition: form-data; name="email"\r\n\r\nx@y.co',
    });
    expect(multipart.status).toBe(400);
    expect(await multipart.json()).toMatchObject({ error: { code: "malformed_body" } });
  });
});

describe("one lead per person", () => {
  it("two concurrent posts with the same email reach one lead with both submissions", async () => {
    const form = await makeForm();
    const email = `${unique("dee")}@example.com`;
    const [first, second] = await Promise.all([
      postJson(form.id, { email, name: "Dee", message: "first" }),
      postJson(form.id, { email: email.toUpperCase(), company: "Dee & Co", message: "second" }),
    ]);
    const firstId = await leadIdFrom(first!);
    expect(await leadIdFrom(second!)).toBe(firstId);
    const { results } = await env.DB.prepare("SELECT id FROM leads WHERE email = ?").bind(email).all();
    expect(results).toHaveLength(1);
    const lead = await env.LEADS.getByName(firstId).summary();
    expect(lead?.timeline.map((e) => (e.kind === "form_submitted" ? e.submission.message : undefined)).sort()).toEqual(["first", "second"]);
    expect(lead?.profile).toMatchObject({ name: "Dee", company: "Dee & Co", email });
  });

  it("a later post fills empty fields and keeps the known ones", async () => {
    const form = await makeForm();
    const email = `${unique("eve")}@example.com`;
    const leadId = await leadIdFrom(await postJson(form.id, { email, name: "Eve", company: "Old Co", phone: "+1 415 555 2671" }));
    await leadIdFrom(await postJson(form.id, { email, company: "New Co", title: "Buyer", phone: "" }));
    expect(await leadRow(leadId)).toMatchObject({ name: "Eve", company: "Old Co", title: "Buyer", phone: "+14155552671" });
  });

  it("a lead with only a phone number is keyed by its E.164 form", async () => {
    const form = await makeForm();
    const a = await leadIdFrom(await postJson(form.id, { phone: "(415) 555-0132", name: "Phone Only" }));
    const b = await leadIdFrom(await postJson(form.id, { phone: "+1 415-555-0132" }));
    expect(b).toBe(a);
    expect(await leadRow(a)).toMatchObject({ phone: "+14155550132", email: null, name: "Phone Only" });
  });
});

describe("bad input", () => {
  it("a post with neither email nor phone gets 422 with the field named", async () => {
    const form = await makeForm();
    const response = await postJson(form.id, { name: "Nobody" });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: { code: string; issues: { field: string; message: string }[] } };
    expect(body.error.code).toBe("invalid_submission");
    expect(body.error.issues).toContainEqual({ field: "email", message: "an email address or a phone number is required" });
  });

  it("an invalid email and an invalid phone are each reported", async () => {
    const form = await makeForm();
    const response = await postJson(form.id, { email: "not-an-email", phone: "12" });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as { error: { issues: { field: string }[] } };
    expect(error.issues.map((i) => i.field).sort()).toEqual(["email", "phone"]);
  });

  it("a browser gets a readable error page that escapes what was posted", async () => {
    const form = await makeForm();
    const response = await call(`/f/${form.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: BROWSER_ACCEPT },
      body: new URLSearchParams({ email: "<script>alert(1)</script>" }).toString(),
    });
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain("email");
    expect(html).not.toContain("<script>alert(1)</script>");
  });

  it("an unknown form gets 404", async () => {
    const response = await postJson("no-such-form", { email: "a@example.com" });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "unknown_form" } });
  });

  it("a body over 64 KB gets 413, with or without a Content-Length", async () => {
    const form = await makeForm();
    const big = JSON.stringify({ email: "big@example.com", message: "x".repeat(70 * 1024) });
    expect((await postJson(form.id, { email: "big@example.com", message: "x".repeat(70 * 1024) })).status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const chunked = await call(`/f/${form.id}`, { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toMatchObject({ error: { code: "too_large" } });
  });

  it("a filled honeypot gets the normal answer and creates no lead", async () => {
    const form = await makeForm({ honeypotField: "fax_number" });
    const email = `${unique("bot")}@example.com`;
    const response = await call(`/f/${form.id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email, fax_number: "555-0100" }).toString(),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe(form.thankYouUrl);
    expect(await env.DB.prepare("SELECT id FROM leads WHERE email = ?").bind(email).first()).toBeNull();
  });
});

describe("cross-origin posts", () => {
  it("a preflight from an allowed origin is answered with CORS headers", async () => {
    const form = await makeForm({ allowedOrigins: ["https://shop.example"] });
    const response = await call(`/f/${form.id}`, {
      method: "OPTIONS",
      headers: { origin: "https://shop.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
  });

  it("an allowed origin's post carries the CORS header", async () => {
    const form = await makeForm({ allowedOrigins: ["https://shop.example"] });
    const response = await postJson(form.id, { email: `${unique("co")}@example.com` }, { origin: "https://shop.example" });
    expect(response.status).toBe(202);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://shop.example");
  });

  it("a post from an origin the form does not allow is answered as received and creates no lead (it waits for the owner)", async () => {
    const form = await makeForm({ allowedOrigins: ["https://shop.example"] });
    // The preflight passes, so a fetch() on that site resolves instead of failing on CORS.
    const preflight = await call(`/f/${form.id}`, {
      method: "OPTIONS",
      headers: { origin: "https://elsewhere.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    const email = `${unique("elsewhere")}@example.com`;
    const post = await postJson(form.id, { email }, { origin: "https://elsewhere.example" });
    expect(post.status).toBe(202);
    expect(post.headers.get("access-control-allow-origin")).toBe("https://elsewhere.example");
    expect(await post.json()).toEqual({ received: true });
    expect(await env.DB.prepare("SELECT id FROM leads WHERE email = ?").bind(email).first()).toBeNull();
  });
});

describe("POST /f/:formId: the edge's zone for the lead", () => {
  const CF = { cf: { timezone: "America/Chicago" } } as RequestInit;

  it("a browser post with no timezone field takes the zone the edge sees for the client", async () => {
    const form = await makeForm();
    const email = `${unique("edge")}@example.com`;
    const response = await call(`/f/${form.id}`, {
      ...CF,
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: BROWSER_ACCEPT },
      body: new URLSearchParams({ email }).toString(),
    });
    expect(response.status).toBe(303);
    const row = await env.DB.prepare("SELECT id FROM leads WHERE email = ?").bind(email).first<{ id: string }>();
    const lead = await env.LEADS.getByName(row!.id).summary();
    expect(lead).toMatchObject({ timezone: "America/Chicago", timezoneSource: "edge" });
  });

  it("an API client's post ignores the edge's zone: its address is the poster's server, not the lead", async () => {
    const form = await makeForm();
    const response = await call(`/f/${form.id}`, {
      ...CF,
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ email: `${unique("api")}@example.com`, phone: "+14155550123" }),
    });
    const lead = await env.LEADS.getByName(await leadIdFrom(response)).summary();
    expect(lead).toMatchObject({ timezone: "America/Los_Angeles", timezoneSource: "phone_area" });
    const [entry] = lead!.timeline;
    if (entry?.kind !== "form_submitted") throw new Error("expected the submission first");
    expect(entry.submission.edgeTimezone).toBeUndefined();
  });
});
