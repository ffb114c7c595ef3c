import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import worker from "../workers/index";
import { inStepOrder } from "../workers/dashboard/overview";
import { asOwner, makeForm, postJson, unique } from "./helpers";
import { BASE, get, login, post } from "./dashboard-session";
import { freshLead, outboxFor, settle, stubFor, submission, summaryOf } from "./lead-harness";

/**
 * The dashboard as the owner reads it: numbers that looking does not change (the outbox
 * preview loads nothing), times in the business's zone with the zone named, a timeline in
 * sentences, the actions the lead's state allows, and pages any browser renders in
 * standards mode with a navigation landmark and a skip link.
 */

const newInquiry: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };

/** A dashboard page rendered with these settings (the deployment's vars). */
async function pageWith(path: string, cookie: string, settings: Partial<Env>): Promise<string> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`${BASE}${path}`, { headers: { accept: "text/html", cookie } }), { ...env, ...settings }, ctx);
  await waitOnExecutionContext(ctx);
  expect(response.status).toBe(200);
  return response.text();
}

/** A lead that posted a form and got its acknowledgement email. */
async function acknowledgedLead() {
  const form = await makeForm({ sequenceId: "new-inquiry" });
  const { leadId } = (await (await postJson(form.id, { email: `${unique("look")}@example.com`, name: "Lou Look", message: "Do you cover Queens?" })).json()) as { leadId: string };
  await settle(stubFor(leadId));
  const [ack] = await outboxFor(leadId);
  expect(ack?.html).toMatch(/\/o\/[^"]+/);
  return { leadId, ack: ack! };
}

const opensOf = async (leadId: string) => (await summaryOf(stubFor(leadId))).engagement.opens;

describe("the outbox preview loads nothing", () => {
  it("the outbox page and the preview carry no pixel and no tracked link, the preview allows data: images only, and looking leaves the opens as they were", async () => {
    const { leadId, ack } = await acknowledgedLead();
    const before = await opensOf(leadId);
    const statsBefore = (await (await asOwner("/api/stats?days=30")).json()) as { opens: unknown; funnel: unknown };
    const { cookie } = await login();
    const pixel = /\/o\/[^"]+/.exec(ack.html!)![0];
    const tracked = /\/c\/[^"]+/.exec(ack.html!)![0];

    const outbox = await get("/dashboard/outbox", cookie);
    const page = await outbox.text();
    expect(page).toContain(`src="/dashboard/outbox/${encodeURIComponent(ack.id)}/preview"`);
    expect(page).toContain('sandbox=""');
    expect(page).not.toContain(pixel);
    expect(page).not.toContain("srcdoc");

    const preview = await get(`/dashboard/outbox/${encodeURIComponent(ack.id)}/preview`, cookie);
    expect(preview.status).toBe(200);
    const policy = preview.headers.get("content-security-policy")!;
    expect(policy).toContain("img-src data:;");
    expect(policy).toContain("default-src 'none'");
    expect(policy).toMatch(/(^|; )sandbox($|;)/);
    expect(policy).not.toContain("'self' data:");
    const document = await preview.text();
    // The words are there; nothing that would fetch or count is.
    expect(document).toContain("Lou");
    expect(document).not.toContain(pixel);
    expect(document).not.toContain("<img");
    expect(document).not.toContain(tracked);
    expect(document).not.toMatch(/href=/i);
    expect(document).not.toContain("/u/");

    expect(await opensOf(leadId)).toEqual(before);
    expect(((await (await asOwner("/api/stats?days=30")).json()) as { opens: unknown }).opens).toEqual(statsBefore.opens);
  });

  it("keeps an inline data: image, drops every other fetch, and is for the owner only", async () => {
    const id = unique("kept");
    const html = `<!doctype html><html><head><link rel="stylesheet" href="https://evil.example/x.css"><script>alert(1)</script></head><body background="https://evil.example/bg.png">
<p>Hello <a href="https://engine.example/c/abc" target="_blank">https://owner.example/</a></p><img src="data:image/png;base64,iVBORw0KGgo=" alt="logo"><img srcset="https://evil.example/a.png 2x" src="https://evil.example/a.png"><iframe src="https://evil.example/"></iframe></body></html>`;
    await env.DB.prepare(
      "INSERT INTO outbox (id, lead_id, channel, \"from\", \"to\", subject, text, html, headers, message_id, created_at) VALUES (?1, ?2, 'email', 'a', 'b', 's', 't', ?3, '{}', ?1, ?4)",
    )
      .bind(id, "0".repeat(32), html, Date.now())
      .run();
    const { cookie } = await login();
    const preview = await (await get(`/dashboard/outbox/${id}/preview`, cookie)).text();
    expect(preview).toContain('src="data:image/png;base64,iVBORw0KGgo="');
    expect(preview).toContain("https://owner.example/");
    expect(preview).not.toContain("evil.example");
    expect(preview).not.toContain("engine.example/c/");
    expect(preview).not.toContain("<script");
    expect((await get(`/dashboard/outbox/${unique("none")}/preview`, cookie)).status).toBe(404);
    const anonymous = await get(`/dashboard/outbox/${id}/preview`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/dashboard/login");
  });
});

describe("times in the business's zone", () => {
  it("shows every time on the lead page in the business's zone with the zone named, and says which zone that is", async () => {
    const lead = await freshLead();
    await lead.stub.submitForm(submission(`${unique("tz")}@example.com`), newInquiry);
    await settle(lead.stub);
    const { cookie } = await login();
    // 15:00 UTC on Monday 2 November 2026 is 10:00 in New York, 16:00 in Berlin.
    const newYork = await pageWith(`/dashboard/leads/${lead.leadId}`, cookie, { DEFAULT_TIMEZONE: "America/New_York" });
    expect(newYork).toContain("came in 2026-11-02 10:00 EST");
    expect(newYork).toContain("Times are in America/New_York, the business&#39;s time zone.");
    expect(newYork).not.toMatch(/\d{2}:\d{2} UTC/);
    const berlin = await pageWith(`/dashboard/leads/${lead.leadId}`, cookie, { DEFAULT_TIMEZONE: "Europe/Berlin" });
    expect(berlin).toContain("came in 2026-11-02 16:00 GMT+1");
    expect(berlin).toContain("Times are in Europe/Berlin");
    // The outbox and the lists read the same way.
    expect(await pageWith("/dashboard/leads", cookie, { DEFAULT_TIMEZONE: "Europe/Berlin" })).toContain("GMT+1");
  });
});

describe("the lead's page in plain words", () => {
  it("tells the timeline in sentences, with no raw JSON or field names", async () => {
    const { leadId } = await acknowledgedLead();
    await asOwner(`/api/leads/${leadId}/pause`, { method: "POST", body: "{}" });
    await settle(stubFor(leadId));
    const { cookie } = await login();
    const page = await (await get(`/dashboard/leads/${leadId}`, cookie)).text();
    const timeline = /<table data-testid="timeline">([\s\S]*?)<\/table>/.exec(page)![1]!;
    expect(timeline).toMatch(/Posted the form “form-[^”]+”, giving Email, Name/);
    expect(timeline).toContain("Do you cover Queens?");
    expect(timeline).toContain("Started the sequence “new-inquiry” (version 0) after a form post.");
    expect(timeline).toContain("Sent an email for step “acknowledge”");
    expect(timeline).toContain("Paused by you or a rep.");
    // Outside the words sent and received (which are the lead's and ours, as written).
    const sentences = timeline.replace(/<pre>[\s\S]*?<\/pre>/g, "").replace(/data-kind="\w+"/g, "");
    expect(sentences).not.toMatch(/[{}]|&quot;|\b(firstName|formPost|form_submitted|touch_sent|rep_action)\b/);
    // The rest of the page too: profile fields and score factors by their names in words.
    expect(page).toContain("<th>Name</th>");
    expect(page).toContain("Form posts");
    expect(page).not.toMatch(/>\s*(firstName|formPost|email|sms)\s*</);
  });

  it("shows Pause while the lead runs, Resume once it is paused, and neither once it booked", async () => {
    const { leadId } = await acknowledgedLead();
    const { cookie, csrf } = await login();
    const buttons = async () => [...(await (await get(`/dashboard/leads/${leadId}`, cookie)).text()).matchAll(/data-action="([a-z-]+)"/g)].map((m) => m[1]);
    expect(await buttons()).toEqual(["pause", "complete", "booked", "hand-off"]);
    expect((await post(`/dashboard/leads/${leadId}/pause`, { _csrf: csrf }, { cookie })).status).toBe(303);
    expect(await buttons()).toEqual(["resume", "complete", "booked", "hand-off"]);
    expect((await post(`/dashboard/leads/${leadId}/booked`, { _csrf: csrf }, { cookie })).status).toBe(303);
    expect(await buttons()).toEqual([]);
  });
});

describe("every page, in any browser", () => {
  it("starts with a doctype, has a skip link to the content and a navigation landmark", async () => {
    const { leadId } = await acknowledgedLead();
    const { cookie } = await login();
    for (const path of [
      "/dashboard",
      `/dashboard/leads/${leadId}`,
      "/dashboard/leads",
      "/dashboard/outbox",
      "/dashboard/sequences/new-inquiry",
      "/dashboard/settings",
      "/dashboard/import",
    ]) {
      const page = await (await get(path, cookie)).text();
      expect(page.startsWith("<!doctype html>"), path).toBe(true);
      expect(page, path).toContain('<a class="skip" href="#main">Skip to content</a>');
      expect(page, path).toContain('<main id="main">');
      expect(page, path).toContain('<nav aria-label="Dashboard">');
    }
    expect((await (await get("/dashboard/login")).text()).startsWith("<!doctype html>")).toBe(true);
  });

  it("answers /dashboard/ with a trailing slash by sending the browser to the page without it", async () => {
    const { cookie } = await login();
    const slash = await get("/dashboard/", cookie);
    expect(slash.status).toBe(301);
    expect(slash.headers.get("location")).toBe("/dashboard");
    const deeper = await get("/dashboard/leads/?status=active", cookie);
    expect(deeper.headers.get("location")).toBe("/dashboard/leads?status=active");
    // No session yet: the same redirect, then the login.
    expect((await get("/dashboard/")).headers.get("location")).toBe("/dashboard");
  });

  it("the overview draws the funnel from leads to booked, in that order, with the owner API's numbers", async () => {
    await acknowledgedLead();
    const { cookie } = await login();
    const page = await (await get("/dashboard?days=30", cookie)).text();
    const api = (await (await asOwner("/api/stats?days=30")).json()) as { funnel: Record<string, number> };
    const chart = /<ol class="funnel" data-testid="funnel-chart">([\s\S]*?)<\/ol>/.exec(page)![1]!;
    const steps = [...chart.matchAll(/data-step="(\w+)"[\s\S]*?class="funnel-value">(\d+) · /g)].map((m) => [m[1], Number(m[2])]);
    expect(steps.map(([step]) => step)).toEqual(["leads", "contacted", "opened", "clicked", "replied", "booked"]);
    for (const [step, shown] of steps) expect(shown, String(step)).toBe(api.funnel[step as string]);
  });

  it("lists per-step figures in the order the sequence runs its steps, not the order they were first sent", () => {
    const rows = [
      { sequenceId: "b", stepId: "third" },
      { sequenceId: "a", stepId: "second" },
      { sequenceId: "b", stepId: "gone" },
      { sequenceId: "a", stepId: "first" },
      { sequenceId: "b", stepId: "first" },
    ];
    const orders = new Map([
      ["a", ["first", "second"]],
      ["b", ["first", "second", "third"]],
    ]);
    expect(inStepOrder(rows, orders).map((r) => `${r.sequenceId}:${r.stepId}`)).toEqual(["a:first", "a:second", "b:first", "b:third", "b:gone"]);
  });
});
