import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LeadSummary } from "../schemas/lead";
import { leadIdFor } from "../services/crypto/lead-identity";
import { SITEVERIFY_URL } from "../services/turnstile";
import { asOwner, call, callAndSettle, leadSummary, makeForm, postJson, unique } from "./helpers";
import { outboxFor, settle, stubFor } from "./lead-harness";

/**
 * Issue #17: public routes are rate-limited (the Rate Limiting bindings in wrangler.toml,
 * which Miniflare runs) and a form may require Turnstile. An abusive request gets a 4xx
 * with its reason; a legitimate lead is never lost.
 *
 * The bindings count in fixed 60-second windows, so a flood here sends twice the limit and
 * one more: whichever window boundary it straddles, one window holds more than the limit.
 */
const PER_CLIENT = 10;
const PER_FORM = 30;
const PER_VISITOR = 60;
const flood = (limit: number) => 2 * limit + 1;

afterEach(() => vi.restoreAllMocks());

/** A made-up client address, unique to the test: the limits count per address. */
const address = () => `198.51.100.${Math.floor(Math.random() * 250)}-${unique("ip")}`;

const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

describe("form posts from one client", () => {
  it("one address posting more than a person would gets 429 with its reason, and creates no lead; other addresses still get through", async () => {
    const form = await makeForm();
    const client = address();
    const answers: { status: number; email: string; response: Response }[] = [];
    for (let i = 0; i < flood(PER_CLIENT); i++) {
      const email = `${unique("repost")}@example.com`;
      const response = await call(`/f/${form.id}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", "cf-connecting-ip": client },
        body: new URLSearchParams({ email }).toString(),
      });
      answers.push({ status: response.status, email, response });
    }
    expect(answers.slice(0, PER_CLIENT).map((a) => a.status)).toEqual(Array(PER_CLIENT).fill(303));
    const refused = answers.filter((a) => a.status !== 303);
    expect(refused.length).toBeGreaterThan(0);
    for (const { status, response, email } of refused) {
      expect(status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("60");
      expect(response.headers.get("content-type")).toContain("text/html");
      expect(await response.text()).toMatch(/<h1>Too many form posts from your address in the last minute/);
      // Refused before the body was read: the post made no lead.
      expect((await asOwner(`/api/leads/${await leadIdFor(env.LEAD_ID_SECRET, { email })}`)).status).toBe(404);
    }

    // Another address, and an API client, are counted on their own.
    const other = await postJson(form.id, { email: `${unique("other")}@example.com` }, { "cf-connecting-ip": address() });
    expect(other.status).toBe(202);
  });

  it("addresses of one IPv6 /64 count as one client: rotating through them does not get past the limit", async () => {
    const form = await makeForm();
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
    const statuses: number[] = [];
    for (let i = 1; i <= flood(PER_CLIENT); i++) {
      const response = await postJson(form.id, { email: `${unique("v6")}@example.com` }, { "cf-connecting-ip": `${prefix}::${i.toString(16)}` });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, PER_CLIENT)).toEqual(Array(PER_CLIENT).fill(202));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    // The next /64 is another client.
    expect((await postJson(form.id, { email: `${unique("v6b")}@example.com` }, { "cf-connecting-ip": `${prefix.replace(/:[0-9a-f]+$/, ":ffff")}::1` })).status).toBe(202);
  });

  it("an API client over the limit reads the reason as JSON", async () => {
    const form = await makeForm();
    const client = address();
    const statuses: Response[] = [];
    for (let i = 0; i < flood(PER_CLIENT); i++) statuses.push(await postJson(form.id, { email: `${unique("api")}@example.com` }, { "cf-connecting-ip": client }));
    const refused = statuses.find((r) => r.status === 429)!;
    expect(refused).toBeDefined();
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await errorOf(refused)).toMatchObject({ code: "too_many_posts", message: expect.stringMatching(/wait a minute/i) });
  });
});

describe("a flood on one form", () => {
  it("every post keeps its lead, but past the form's limit the lead's sequence waits, paused, for the owner and nothing is sent", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const leadIds: string[] = [];
    // Each post from its own address, as a flood from many machines is.
    for (let i = 0; i < flood(PER_FORM); i++) {
      const response = await postJson(form.id, { email: `${unique("flood")}@example.com`, phone: "+1 212 555 0147", consent_sms: "on" }, { "cf-connecting-ip": address() });
      expect(response.status).toBe(202);
      leadIds.push(((await response.json()) as { leadId: string }).leadId);
    }
    const leads: LeadSummary[] = [];
    for (const leadId of leadIds) {
      await settle(stubFor(leadId));
      const lead = await leadSummary(leadId);
      expect(lead, `lead ${leadId} kept`).not.toBeNull();
      leads.push(lead!);
    }
    // Every lead is in the owner's index too.
    const indexed = await env.DB.prepare(`SELECT COUNT(*) AS n FROM leads WHERE id IN (${leadIds.map(() => "?").join(",")})`)
      .bind(...leadIds)
      .first<{ n: number }>();
    expect(indexed?.n).toBe(leadIds.length);

    const heldReason = (lead: LeadSummary) => lead.timeline.find((e) => e.kind === "enrolment_ended" && e.reason.startsWith("held: form flood"));
    // Within the limit, leads start their sequence as usual.
    for (const lead of leads.slice(0, PER_FORM)) {
      expect(heldReason(lead)).toBeUndefined();
      expect(lead.enrolments.some((e) => e.sequenceId === "new-inquiry" && e.status === "active")).toBe(true);
    }
    const held = leads.filter((lead) => heldReason(lead));
    expect(held.length).toBeGreaterThan(0);
    for (const lead of held) {
      expect(lead.status).toBe("paused");
      expect(lead.enrolments).toMatchObject([{ sequenceId: "new-inquiry", status: "paused" }]);
      expect(lead.timeline.some((e) => e.kind === "touch_sent")).toBe(false);
      expect(await outboxFor(lead.id)).toEqual([]);
    }

    // The owner vouches for one: Resume starts its sequence from the first step.
    const vouched = held[0]!;
    const resumed = await asOwner(`/api/leads/${vouched.id}/resume`, { method: "POST", body: "{}" });
    expect(resumed.status).toBe(200);
    const after = (await leadSummary(vouched.id))!;
    expect(after.status).toBe("active");
    expect(after.enrolments).toMatchObject([{ sequenceId: "new-inquiry", status: "active" }]);
  }, 60_000);
});

describe("beacons from one visitor", () => {
  it("past the visitor's limit a beacon gets 429 and is not recorded; other visitors are still heard", async () => {
    const origin = `https://${unique("site")}.example`;
    expect((await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin }) })).status).toBe(200);
    const form = await makeForm({ allowedOrigins: [origin] });
    const visitor = unique("busy").replace(/[^A-Za-z0-9_-]/g, "");
    const linked = await callAndSettle(`/f/${form.id}`, {
      method: "POST",
      headers: { origin, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ email: `${unique("busy")}@example.com`, fu_vid: visitor }),
    });
    expect(linked.status).toBe(202);
    const { leadId } = (await linked.json()) as { leadId: string };

    const beacon = (v: string, p: string) =>
      callAndSettle("/e", {
        method: "POST",
        headers: { origin, "content-type": "text/plain;charset=UTF-8", "user-agent": "Mozilla/5.0 (Macintosh) Safari/605.1.15" },
        body: JSON.stringify({ v, p, t: "view", u: `${origin}/page-${p}` }),
      });
    const answers: { p: string; response: Response }[] = [];
    for (let i = 0; i < flood(PER_VISITOR); i++) {
      const p = `pv-${i}`;
      answers.push({ p, response: await beacon(visitor, p) });
    }
    expect(answers.slice(0, PER_VISITOR).every((a) => a.response.status === 204)).toBe(true);
    const refused = answers.filter((a) => a.response.status !== 204);
    expect(refused.length).toBeGreaterThan(0);
    for (const { response } of refused) {
      expect(response.status).toBe(429);
      expect(response.headers.get("retry-after")).toBe("60");
      expect(await errorOf(response)).toMatchObject({ code: "too_many_beacons" });
    }
    const seen = new Set((await leadSummary(leadId))!.timeline.flatMap((e) => (e.kind === "page_viewed" ? [e.pageViewId] : [])));
    for (const { p } of refused) expect(seen.has(p), `refused beacon ${p} recorded`).toBe(false);

    expect((await beacon(unique("calm").replace(/[^A-Za-z0-9_-]/g, ""), "pv-0")).status).toBe(204);
  }, 60_000);
});

describe("Turnstile on a form", () => {
  const PASS_SECRET = "1x0000000000000000000000000000000AA";
  const FAIL_SECRET = "2x0000000000000000000000000000000AA";
  const TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

  /** Siteverify as Cloudflare's test secrets make it answer; nothing leaves the machine. */
  function siteverify(): { secret: string; response: string; remoteip?: string }[] {
    const asked: { secret: string; response: string; remoteip?: string }[] = [];
    const original = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (request.url !== SITEVERIFY_URL) return original(input, init);
      const body = (await request.json()) as { secret: string; response: string; remoteip?: string };
      asked.push(body);
      if (body.secret === PASS_SECRET) return Response.json({ success: true, "error-codes": [], challenge_ts: new Date(0).toISOString(), hostname: "example.com" });
      if (body.secret === FAIL_SECRET) return Response.json({ success: false, "error-codes": ["invalid-input-response"] });
      return Response.json({ success: false, "error-codes": ["invalid-input-secret"] });
    });
    return asked;
  }

  const browserPost = (formId: string, fields: Record<string, string>) =>
    call(`/f/${formId}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", "cf-connecting-ip": address() },
      body: new URLSearchParams(fields).toString(),
    });

  it("a post without a token is refused with a page that says why, and makes no lead", async () => {
    const asked = siteverify();
    const form = await makeForm({ turnstile: { siteKey: "1x00000000000000000000AA", secret: PASS_SECRET } });
    const email = `${unique("noturn")}@example.com`;
    const response = await browserPost(form.id, { email });
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/<h1>This form needs its security check \(Cloudflare Turnstile\) completed/);
    expect(asked).toEqual([]);
    expect((await asOwner(`/api/leads/${await leadIdFor(env.LEAD_ID_SECRET, { email })}`)).status).toBe(404);
  });

  it("a token siteverify passes is accepted, and the token is not kept on the lead", async () => {
    const asked = siteverify();
    const form = await makeForm({ turnstile: { siteKey: "1x00000000000000000000AA", secret: PASS_SECRET } });
    const client = address();
    const response = await postJson(form.id, { email: `${unique("pass")}@example.com`, "cf-turnstile-response": TOKEN }, { "cf-connecting-ip": client });
    expect(response.status).toBe(202);
    expect(asked).toEqual([{ secret: PASS_SECRET, response: TOKEN, remoteip: client, idempotency_key: expect.any(String) }]);
    const { leadId } = (await response.json()) as { leadId: string };
    const submitted = (await leadSummary(leadId))!.timeline.find((e) => e.kind === "form_submitted");
    expect(submitted?.kind === "form_submitted" && submitted.submission.custom).toEqual({});
  });

  it("a token siteverify fails is refused with its reason, and makes no lead", async () => {
    siteverify();
    const form = await makeForm({ turnstile: { siteKey: "2x00000000000000000000AB", secret: FAIL_SECRET } });
    const email = `${unique("fail")}@example.com`;
    const response = await postJson(form.id, { email, "cf-turnstile-response": TOKEN }, { "cf-connecting-ip": address() });
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toMatchObject({ code: "turnstile_failed", message: expect.stringContaining("invalid-input-response") });
    expect((await asOwner(`/api/leads/${await leadIdFor(env.LEAD_ID_SECRET, { email })}`)).status).toBe(404);
  });

  it("when siteverify cannot answer, the post is kept and its sequence waits for the owner", async () => {
    const original = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) =>
      new Request(input, init).url === SITEVERIFY_URL ? new Response("unavailable", { status: 503 }) : original(input, init),
    );
    const form = await makeForm({ sequenceId: "new-inquiry", turnstile: { siteKey: "1x00000000000000000000AA", secret: PASS_SECRET } });
    const response = await postJson(form.id, { email: `${unique("outage")}@example.com`, "cf-turnstile-response": TOKEN }, { "cf-connecting-ip": address() });
    expect(response.status).toBe(202);
    const { leadId } = (await response.json()) as { leadId: string };
    await settle(stubFor(leadId));
    const lead = (await leadSummary(leadId))!;
    expect(lead.status).toBe("paused");
    expect(lead.timeline.find((e) => e.kind === "enrolment_ended")).toMatchObject({
      outcome: "paused",
      reason: expect.stringContaining("Turnstile unverified: siteverify answered 503"),
    });
    expect(await outboxFor(leadId)).toEqual([]);
  });

  it("a form's turnstile setting is validated and kept", async () => {
    const form = await makeForm({ turnstile: true });
    expect(form.turnstile).toBe(true);
    const bad = await asOwner("/api/forms", { method: "POST", body: JSON.stringify({ id: unique("form"), name: "x", thankYouUrl: "/thanks", turnstile: { secret: "s" } }) });
    expect(bad.status).toBe(422);
    expect((await makeForm()).turnstile).toBe(false);
  });
});
