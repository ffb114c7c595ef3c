import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import type { PeriodStats } from "../services/d1/stats";
import { pacingRulesFrom, settingsFromVars } from "../services/deployment-settings";
import worker from "../workers/index";
import { asOwner, makeForm, OWNER_TOKEN, postJson, unique } from "./helpers";
import { BASE, get, login, post } from "./dashboard-session";
import { freshLead, MONDAY_10_NY, settle, stubFor, submission, summaryOf, withEnv } from "./lead-harness";

/** The dashboard through its routes: login, session, CSRF, throttling, every page, escaping, import and export. */

describe("dashboard login", () => {
  it("sends a visitor without a session to the login page, and a good token gets a session", async () => {
    const anonymous = await get("/dashboard");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/dashboard/login");
    expect((await get("/dashboard/login")).status).toBe(200);
    const { cookie } = await login();
    const overview = await get("/dashboard", cookie);
    expect(overview.status).toBe(200);
    expect(overview.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await overview.text()).toContain("Leads in");
    // Outside localhost the cookie is Secure too.
    const remote = await exports.default.fetch(
      new Request("https://engine.example/dashboard/login", {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `token=${OWNER_TOKEN}`,
      }),
    );
    expect(remote.headers.get("set-cookie")).toMatch(/Secure/);
  });

  it("slows down an address that keeps guessing with a 429 and Retry-After; the right token still gets in from there, and other addresses are not held up", async () => {
    const client = unique("guesser");
    for (let i = 0; i < 5; i++) expect((await post("/dashboard/login", { token: `wrong-${i}` }, { "cf-connecting-ip": client })).status).toBe(401);
    const throttled = await post("/dashboard/login", { token: "wrong-again" }, { "cf-connecting-ip": client });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    // A shared address (an office, a carrier's NAT) full of guessers does not lock the owner out.
    await login(client);
    // Another address is judged on its own.
    expect((await post("/dashboard/login", { token: "wrong" }, { "cf-connecting-ip": unique("other") })).status).toBe(401);
  });

  it("refuses a forged or tampered session cookie, and a POST without the CSRF token", async () => {
    const { cookie, csrf } = await login();
    expect((await get("/dashboard", `${cookie}x`)).status).toBe(303);
    expect((await get("/dashboard", "fu_session=k1.e30.AAAA")).status).toBe(303);
    expect((await post("/dashboard/logout", {}, { cookie })).status).toBe(403);
    expect((await post("/dashboard/logout", { _csrf: `${csrf}x` }, { cookie })).status).toBe(403);
    expect((await post("/dashboard/logout", { _csrf: csrf })).status).toBe(401);
    const out = await post("/dashboard/logout", { _csrf: csrf }, { cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/fu_session=;/);
  });

  it("a logged-out cookie is refused by the server, not only dropped by the browser", async () => {
    const { cookie, csrf } = await login();
    expect((await post("/dashboard/logout", { _csrf: csrf }, { cookie })).status).toBe(303);
    // Someone who copied the cookie before the logout replays it.
    const replayed = await get("/dashboard", cookie);
    expect(replayed.status).toBe(303);
    expect(replayed.headers.get("location")).toBe("/dashboard/login");
    expect((await post(`/dashboard/leads/${"0".repeat(32)}/pause`, { _csrf: csrf }, { cookie })).status).toBe(401);
  });

  it("log out everywhere, on the settings page, ends every session on every device", async () => {
    const laptop = await login();
    const phone = await login();
    const settings = await (await get("/dashboard/settings", phone.cookie)).text();
    expect(settings).toContain('action="/dashboard/logout-everywhere"');
    // The doctor's checklist heads the page: the local default keeps email in the outbox.
    expect(settings).toContain('data-check="email-transport" data-status="missing"');
    const out = await post("/dashboard/logout-everywhere", { _csrf: phone.csrf }, { cookie: phone.cookie });
    expect(out.status).toBe(303);
    for (const device of [laptop, phone]) expect((await get("/dashboard", device.cookie)).status).toBe(303);
    // A new login works as before.
    expect((await get("/dashboard", (await login()).cookie)).status).toBe(200);
  });

  it("a malformed multipart body is a 400 with a reason, on the login and on every dashboard POST", async () => {
    const truncated = (extra: Record<string, string> = {}) => ({
      method: "POST",
      redirect: "manual" as const,
      headers: { accept: "application/json", "content-type": "multipart/form-data; boundary=XyZ", ...extra },
      body: '--XyZ\r\nContent-Disposition: form-data; name="token"\r\n\r\nabc',
    });
    const login400 = await exports.default.fetch(new Request(`${BASE}/dashboard/login`, truncated({ "cf-connecting-ip": unique("ip") })));
    expect(login400.status).toBe(400);
    expect(await login400.json()).toMatchObject({ error: { code: "malformed_body" } });
    const { cookie } = await login();
    for (const path of ["/dashboard/logout", "/dashboard/logout-everywhere", `/dashboard/leads/${"0".repeat(32)}/erase`, "/dashboard/sequences/warm/drafting"]) {
      const response = await exports.default.fetch(new Request(`${BASE}${path}`, truncated({ cookie })));
      expect(response.status, path).toBe(400);
      expect(await response.json(), path).toMatchObject({ error: { code: "malformed_body" } });
    }
    // The session survived: nothing was acted on.
    expect((await get("/dashboard", cookie)).status).toBe(200);
  });

  it("a dashboard form too large for any page is refused with 413 before it is read, even with a valid session and token", async () => {
    const { cookie, csrf } = await login();
    const before = await (await asOwner("/api/settings")).json();
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=XyZ"]) {
      const body = type.startsWith("multipart")
        ? `--XyZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--XyZ\r\nContent-Disposition: form-data; name="senderName"\r\n\r\n${"x".repeat(400 * 1024)}\r\n--XyZ--\r\n`
        : `_csrf=${csrf}&senderName=${"x".repeat(400 * 1024)}`;
      const response = await exports.default.fetch(
        new Request(`${BASE}/dashboard/settings`, { method: "POST", redirect: "manual", headers: { accept: "application/json", "content-type": type, cookie }, body }),
      );
      expect(response.status, type).toBe(413);
      expect(await response.json(), type).toMatchObject({ error: { code: "too_large", message: "A dashboard form may be at most 320 KB." } });
    }
    expect(await (await asOwner("/api/settings")).json()).toEqual(before);
  });
});

describe("dashboard pages", () => {
  it("every page renders behind the session", async () => {
    const { cookie } = await login();
    for (const path of [
      "/dashboard",
      "/dashboard?days=7",
      "/dashboard/leads",
      "/dashboard/leads?q=ann&status=active&minScore=5",
      "/dashboard/hand-offs",
      "/dashboard/review",
      "/dashboard/outbox",
      "/dashboard/sequences",
      "/dashboard/sequences/new-inquiry",
      "/dashboard/install",
      "/dashboard/settings",
      "/dashboard/import",
    ]) {
      const response = await get(path, cookie);
      expect(response.status, path).toBe(200);
    }
    expect((await get(`/dashboard/leads/${"0".repeat(32)}`, cookie)).status).toBe(404);
    expect((await get("/dashboard/leads/nope", cookie)).status).toBe(404);
    expect((await get("/dashboard/sequences/nope", cookie)).status).toBe(404);
    expect((await get("/dashboard/leads?minScore=-4", cookie)).status).toBe(422);
  });

  it("the overview's numbers are the owner API's", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const response = await postJson(form.id, { email: `${unique("ov")}@example.com`, name: "Overview Lead" });
    await settle(stubFor(((await response.json()) as { leadId: string }).leadId));
    const { cookie } = await login();
    const page = await (await get("/dashboard?days=30", cookie)).text();
    const api = (await (await asOwner("/api/stats?days=30")).json()) as PeriodStats;
    for (const key of ["leads", "enrolled", "contacted", "opened", "clicked", "replied", "booked"] as const) {
      const shown = new RegExp(`data-metric="${key}"><span class="muted">[^<]*</span><b>(\\d+)</b>`).exec(page)![1];
      expect(Number(shown), key).toBe(api.funnel[key]);
    }
    expect(api.funnel.leads).toBeGreaterThan(0);
  });

  it("a lead's page shows where its zone came from, and every zone its SMS keeps quiet hours in while the zone is a guess", async () => {
    const form = await makeForm();
    const { leadId } = (await (await postJson(form.id, { email: `${unique("zone")}@example.com`, phone: "+18005550123" })).json()) as { leadId: string };
    const { cookie } = await login();
    const page = await (await get(`/dashboard/leads/${leadId}`, cookie)).text();
    expect(page).toContain("zone America/New_York");
    expect(page).toMatch(/guessed from the phone(&#39;|')s country; SMS only at hours that are 08:00–21:00 in each of [^<]*Pacific\/Honolulu/);
  });

  it("a lead's page shows each suppression of its address with what proved it, and the owner can lift it", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const email = `${unique("lift")}@example.com`;
    const { leadId } = (await (await postJson(form.id, { email, name: "Lee" })).json()) as { leadId: string };
    const stub = stubFor(leadId);
    await settle(stub);
    await stub.unsubscribe("email", "one_click");
    await settle(stub);
    const { cookie, csrf } = await login();
    const page = await (await get(`/dashboard/leads/${leadId}`, cookie)).text();
    expect(page).toContain("proved by signed one-click unsubscribe (RFC 8058)");
    expect(page).toContain(`/dashboard/leads/${leadId}/suppressions/email/lift`);
    const lifted = await post(`/dashboard/leads/${leadId}/suppressions/email/lift`, { _csrf: csrf }, { cookie });
    expect(lifted.status).toBe(303);
    expect(await env.DB.prepare("SELECT reason FROM suppressions WHERE channel = 'email' AND value = ?").bind(email).first()).toBeNull();
    // Lifting undoes the unsubscribe itself: consent granted again by the owner, the lead free to enrol (nothing resumes).
    await settle(stub);
    const restored = (await stub.summary())!;
    expect(restored.consent.email).toMatchObject({ granted: true, method: "owner" });
    expect(restored.status).toBe("completed");
    expect(restored.timeline.filter((e) => e.kind === "resubscribed")).toEqual([expect.objectContaining({ channel: "email", method: "owner", evidence: "owner action" })]);
    const after = await (await get(lifted.headers.get("location")!, cookie)).text();
    expect(after).toContain("Suppression lifted");
    expect(after).not.toContain(`/dashboard/leads/${leadId}/suppressions/email/lift`);
    expect((await post(`/dashboard/leads/${leadId}/suppressions/email/lift`, { _csrf: csrf }, { cookie })).status).toBe(404);
  });

  it("a lead's page shows its timeline with lead-supplied text escaped, and its actions work", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    // minimaxir/big-list-of-naughty-strings (MIT), as the fixtures README cites it.
    const hostile = env.TEST_FIXTURES.naughtyStrings.find((s) => s.includes("<script>"))!;
    const response = await postJson(form.id, { email: `${unique("xss")}@example.com`, name: hostile, company: '"><img src=x onerror=alert(1)>', message: hostile });
    const { leadId } = (await response.json()) as { leadId: string };
    await settle(stubFor(leadId));
    const { cookie, csrf } = await login();
    const page = await (await get(`/dashboard/leads/${leadId}`, cookie)).text();
    expect(page).toContain(`Posted the form “${form.id}”`);
    expect(page).toContain("Sent an email for step “acknowledge”");
    // No consent box on the form: the inquiry is answered on legitimate interest, and the page says so.
    expect(page).toMatch(new RegExp(`email · inquiry</th><td>legitimate interest · form ${form.id}`));
    expect(page).not.toContain(hostile);
    expect(page).not.toContain("<img src=x");
    const list = await (await get(`/dashboard/leads?q=${encodeURIComponent("onerror")}`, cookie)).text();
    expect(list).toContain(`/dashboard/leads/${leadId}`);
    expect(list).not.toContain("<img src=x");

    const paused = await post(`/dashboard/leads/${leadId}/pause`, { _csrf: csrf }, { cookie });
    expect(paused.status).toBe(303);
    expect((await stubFor(leadId).summary())!.status).toBe("paused");
    expect(await (await get(paused.headers.get("location")!, cookie)).text()).toContain("Paused: nothing more goes out until you resume.");
    await post(`/dashboard/leads/${leadId}/resume`, { _csrf: csrf }, { cookie });
    expect((await stubFor(leadId).summary())!.status).toBe("active");
    // The owner API pauses the same way.
    const viaApi = await asOwner(`/api/leads/${leadId}/pause`, { method: "POST", body: "{}" });
    expect(await viaApi.json()).toEqual({ status: "paused" });
    expect((await stubFor(leadId).summary())!.pendingTouches).toEqual([]);
    await asOwner(`/api/leads/${leadId}/resume`, { method: "POST", body: "{}" });
    await post(`/dashboard/leads/${leadId}/booked`, { _csrf: csrf }, { cookie });
    expect((await stubFor(leadId).summary())!.status).toBe("booked");
    expect((await get(`/dashboard/leads/${leadId}/export`, cookie)).status).toBe(200);
    expect((await post(`/dashboard/leads/${leadId}/erase`, { _csrf: csrf }, { cookie })).status).toBe(422);
    expect((await post(`/dashboard/leads/${leadId}/erase`, { _csrf: csrf, confirm: "yes" }, { cookie })).status).toBe(303);
    expect(await stubFor(leadId).summary()).toBeNull();
  });

  it("the hand-off queue shows a lead handed to a rep with why and the brief; the outbox shows what was sent", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const response = await postJson(form.id, { email: `${unique("hot")}@example.com`, name: "Hot Lead", message: "We need a new roof before winter." });
    const { leadId } = (await response.json()) as { leadId: string };
    await settle(stubFor(leadId));
    expect((await asOwner(`/api/leads/${leadId}/hand-off`, { method: "POST", body: JSON.stringify({ reason: "asked for a call" }) })).status).toBe(200);
    await settle(stubFor(leadId));
    const { cookie } = await login();
    const queue = await (await get("/dashboard/hand-offs", cookie)).text();
    expect(queue).toContain(`/dashboard/leads/${leadId}`);
    expect(queue).toContain("asked for a call");
    expect(queue).toContain("We need a new roof before winter.");
    const outbox = await (await get("/dashboard/outbox", cookie)).text();
    expect(outbox).toContain("Got your request");
    expect(outbox).toContain("List-Unsubscribe");
    expect(outbox).toContain('sandbox=""');
  });

  it("a sequence's drafting mode is changed as a new version", async () => {
    const id = unique("seq");
    expect(
      (
        await asOwner(`/api/sequences/${id}`, {
          method: "PUT",
          body: JSON.stringify({ name: "Mine", steps: [{ id: "one", intent: "value", channels: ["email"], email: { subject: "Hi", body: "Hello" } }] }),
        })
      ).status,
    ).toBe(201);
    const { cookie, csrf } = await login();
    const page = await (await get(`/dashboard/sequences/${id}`, cookie)).text();
    expect(page).toContain("Silent: 1 touches");
    expect((await post(`/dashboard/sequences/${id}/drafting`, { _csrf: csrf, mode: "auto", unreviewed: "hold" }, { cookie })).status).toBe(303);
    const current = (await (await asOwner(`/api/sequences/${id}`)).json()) as { version: number; sequence: { drafting: unknown } };
    expect(current).toMatchObject({ version: 2, sequence: { drafting: { mode: "auto", unreviewed: "hold" } } });
    expect((await post(`/dashboard/sequences/${id}/drafting`, { _csrf: csrf, mode: "sometimes" }, { cookie })).status).toBe(422);
  });
});

/**
 * A dashboard page as the Worker renders it with these settings at engine time `at` (the
 * leads' injected clock): the deployment clock's own compression, 2× from an epoch chosen
 * so that its now is `at`.
 */
async function pageAt(at: number, path: string, cookie: string, settings: Partial<Env>): Promise<string> {
  const ctx = createExecutionContext();
  const clock = { CLOCK_SPEED: "2", CLOCK_EPOCH: String(2 * Date.now() - at) };
  const response = await worker.fetch(new Request(`${BASE}${path}`, { headers: { accept: "text/html", cookie } }), { ...env, ...settings, ...clock }, ctx);
  await waitOnExecutionContext(ctx);
  expect(response.status).toBe(200);
  return response.text();
}

describe("the sending address's daily cap, as the owner sees it", () => {
  it("an acknowledgement the warm-up cap holds back is on the lead's timeline and page, and the overview counts it with the day's limit", async () => {
    const newInquiry: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };
    // A new address on its first day: the ramp starts at 2 a day, well inside the warm-up.
    const warming = { SENDER_EMAIL: `${unique("warming")}@example.com`, WARMUP_FIRST_DAY: "2" };
    const leads = [];
    for (let i = 0; i < 4; i++) {
      const lead = await freshLead();
      await withEnv(lead.stub, warming);
      await lead.stub.submitForm(submission(`${unique("warm")}@example.com`), newInquiry);
      await settle(lead.stub);
      leads.push(lead);
    }
    const timelines = await Promise.all(leads.map(async (l) => (await summaryOf(l.stub)).timeline));
    expect(timelines.map((t) => t.filter((e) => e.kind === "touch_sent").length)).toEqual([1, 1, 0, 0]);
    expect(timelines.map((t) => t.filter((e) => e.kind === "touch_deferred").length)).toEqual([0, 0, 1, 1]);
    const nextMidnightNy = Date.UTC(2026, 10, 3, 5, 0);
    expect(timelines[2]!.find((e) => e.kind === "touch_deferred")).toMatchObject({
      stepId: "acknowledge",
      channel: "email",
      until: nextMidnightNy,
      cap: { day: 1, limit: 2, warmupDays: 30 },
      reason: "the sender's daily cap held it: 2 a day on warm-up day 1 of 30",
    });
    expect((await summaryOf(leads[2]!.stub)).pendingTouches).toEqual([expect.objectContaining({ channel: "email", dueAt: nextMidnightNy })]);
    // The next one held keeps its order and spacing behind it.
    const second = timelines[3]!.find((e) => e.kind === "touch_deferred");
    expect(second?.kind === "touch_deferred" && second.until - nextMidnightNy).toBeGreaterThanOrEqual(20_000);

    const { cookie } = await login();
    const leadPage = await pageAt(MONDAY_10_NY, `/dashboard/leads/${leads[2]!.leadId}`, cookie, warming);
    // Midnight in New York, where the business is, named as such.
    expect(leadPage).toContain("The email for step “acknowledge” waits until 2026-11-03 00:00 EST: the sender&#39;s daily cap held it: 2 a day on warm-up day 1 of 30.");
    const overview = await pageAt(MONDAY_10_NY + 60_000, "/dashboard", cookie, warming);
    expect(overview).toMatch(/data-metric="sentToday"><span class="muted">Sent today, warm-up day 1 of 30<\/span><b>2 \/ 2<\/b>/);
    expect(overview).toMatch(/data-metric="heldBack"><span class="muted">Touches held back by the sending cap<\/span><b class="warn">2<\/b>/);
    // The next day they are that day's sends, and nothing waits.
    const tomorrow = await pageAt(Date.UTC(2026, 10, 3, 15, 0), "/dashboard", cookie, warming);
    expect(tomorrow).toMatch(/Sent today, warm-up day 2 of 30<\/span><b>2 \/ 2<\/b>/);
    expect(tomorrow).toMatch(/data-metric="heldBack"><span class="muted">Touches held back by the sending cap<\/span><b>0<\/b>/);
  });

  it("a warm-up limit of 50 or more is refused on the Settings page with why, and the playbook's 49 holds", async () => {
    const { cookie } = await login();
    const asked = { WARMUP_DAILY_LIMIT: "80", WARMUP_DAILY_GROWTH: "1" };
    const page = await pageAt(MONDAY_10_NY, "/dashboard/settings", cookie, asked);
    expect(page).toContain("WARMUP_DAILY_LIMIT=80 refused: a warming address sends fewer than 50 a day (set WARMUP_DAYS=0 for one that is already warm); 49 is used");
    expect(page).toContain("WARMUP_DAILY_GROWTH=1 refused: a factor above 1, or the address never grows; 1.3 is used");
    expect(page).toContain("200 after a 30-day warm-up (from 20/day, ×1.3 a day, at most 49/day while warming up)");
    expect(pacingRulesFrom(settingsFromVars({ ...env, ...asked }).values)).toMatchObject({ warmupDailyLimit: 49, warmupGrowth: 1.3, warmupDays: 30 });
    // An address that is already warm says so, and is not held to the warm-up.
    const warm = await pageAt(MONDAY_10_NY, "/dashboard/settings", cookie, { WARMUP_DAYS: "0" });
    expect(warm).toContain("200 from the first day (no warm-up: WARMUP_DAYS is 0)");
    expect(warm).not.toContain("Refused setting");
  });
});
