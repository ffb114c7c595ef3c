import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LeadObject } from "../durable-objects/lead-object";
import { asOwner, call, OWNER_TOKEN, unique } from "./helpers";
import { advance, clocks, freshLead, outboxFor, settle, submission, summaryOf, withEnv } from "./lead-harness";
import { SequenceSchema } from "../schemas/sequence";

afterEach(() => vi.restoreAllMocks());

const HOOK = "https://crm.example/hooks/follow-up";
const SLACK = "https://hooks.slack.example/services/T0/B0/x";
const SECRET = "whsec-test";

/** A receiver's own check of our signature: HMAC-SHA256 over `<timestamp>.<body>`, hex. */
async function receiverAccepts(secret: string, timestamp: string, body: string, signature: string): Promise<boolean> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const hex = signature.replace(/^v1=/, "");
  const bytes = new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
  return crypto.subtle.verify("HMAC", key, bytes, new TextEncoder().encode(`${timestamp}.${body}`));
}

/** Destinations that answer in turn and remember every request. */
function destinations(webhookAnswers: (() => Response)[] = [() => new Response("ok")]) {
  const requests: { url: string; headers: Headers; body: string }[] = [];
  let webhookCalls = 0;
  const original = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url !== HOOK && request.url !== SLACK) return original(input, init);
    requests.push({ url: request.url, headers: request.headers, body: await request.text() });
    if (request.url === SLACK) return new Response("ok");
    return webhookAnswers[Math.min(webhookCalls++, webhookAnswers.length - 1)]!();
  });
  return requests;
}

const inBrowser = (url: string, cookie?: string, init: RequestInit = {}) =>
  exports.default.fetch(new Request(url, { redirect: "manual", ...init, headers: { accept: "text/html", ...(cookie ? { cookie } : {}), ...init.headers } }));

/** The owner signed in to the dashboard, as the person who follows a notice's link is. */
async function ownerSession(): Promise<string> {
  const login = await inBrowser(`${env.PUBLIC_URL}/dashboard/login`, undefined, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": unique("ip") },
    body: new URLSearchParams({ token: OWNER_TOKEN }),
  });
  return login.headers.get("set-cookie")!.split(";")[0]!;
}

async function handedOffLead() {
  const lead = await freshLead();
  await withEnv(lead.stub, { HANDOFF_WEBHOOK_URL: HOOK, HANDOFF_WEBHOOK_SECRET: SECRET, SLACK_WEBHOOK_URL: SLACK });
  await lead.stub.submitForm(
    submission(`${unique("hot")}@example.com`, { profile: { email: `${unique("hot")}@example.com`, name: "Hana Ito", timezone: "America/New_York" }, message: "Two buildings" }),
  );
  await settle(lead.stub);
  return lead;
}

describe("hand-off delivery", () => {
  it("a hot reply reaches the signed webhook, Slack and the owner's inbox, and pauses the lead", async () => {
    const requests = destinations();
    const { leadId, stub } = await handedOffLead();
    await stub.recordReply({ text: "What would this cost for both buildings?" });
    await settle(stub);

    const webhook = requests.find((r) => r.url === HOOK)!;
    const timestamp = webhook.headers.get("x-follow-up-timestamp")!;
    expect(await receiverAccepts(SECRET, timestamp, webhook.body, webhook.headers.get("x-follow-up-signature")!)).toBe(true);
    expect(await receiverAccepts("another-secret", timestamp, webhook.body, webhook.headers.get("x-follow-up-signature")!)).toBe(false);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const payload = JSON.parse(webhook.body);
    expect(payload).toMatchObject({
      type: "lead.handed_off",
      leadId,
      triggers: [{ trigger: "buying_intent", reason: "the reply asks about pricing" }],
      profile: { name: "Hana Ito" },
      summary: { needs: "Two buildings / What would this cost for both buildings?" },
    });
    expect(payload.transcript.at(-2)).toMatch(/replied: “What would this cost for both buildings\?”$/);
    // A person opens the dashboard's page (the API answers a browser 401); an integration keeps the API's address.
    const page = `${env.PUBLIC_URL}/dashboard/leads/${leadId}`;
    expect(payload).toMatchObject({ url: page, api: `${env.PUBLIC_URL}/api/leads/${leadId}` });

    const slack = JSON.parse(requests.find((r) => r.url === SLACK)!.body) as { text: string };
    expect(slack.text).toMatch(/^Hot lead: Hana Ito\nWhy: the reply asks about pricing/);
    expect(slack.text.trimEnd().split("\n").at(-1)).toBe(page);
    const mail = (await outboxFor(leadId)).find((m) => m.to === "owner@example.com" && m.subject === "Hot lead: Hana Ito");
    expect(mail?.text).toContain("Next: Call today");
    expect(mail?.text.trimEnd().split("\n").at(-1)).toBe(page);
    expect(mail?.text).not.toContain("/api/leads/");
    const opened = await inBrowser(page, await ownerSession());
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain("Hana Ito");

    const summary = await summaryOf(stub);
    expect(summary.status).toBe("with_rep");
    expect(summary.handOffs).toEqual([expect.objectContaining({ trigger: "buying_intent" })]);
  });

  it("a lead's name cannot ping a Slack channel or disguise a link: Slack's control characters are escaped", async () => {
    const requests = destinations();
    const lead = await freshLead();
    await withEnv(lead.stub, { SLACK_WEBHOOK_URL: SLACK });
    const name = "<!channel> <https://evil.example|Open CRM record>";
    await lead.stub.submitForm(submission(`${unique("slack")}@example.com`, { profile: { email: `${unique("slack")}@example.com`, name } }));
    await lead.stub.requestHandOff("Big account");
    await settle(lead.stub);
    const { text } = JSON.parse(requests.find((r) => r.url === SLACK)!.body) as { text: string };
    expect(text).not.toMatch(/<!channel>|<https:\/\/evil/);
    expect(text).toContain("&lt;!channel&gt; &lt;https://evil.example|Open CRM record&gt;");
  });

  it("a failing webhook is retried with backoff until it answers", async () => {
    const requests = destinations([() => new Response("down", { status: 503 }), () => new Response("ok")]);
    const { stub } = await handedOffLead();
    await stub.recordReply({ text: "Ready to move forward." });
    await settle(stub);
    expect(requests.filter((r) => r.url === HOOK)).toHaveLength(1);
    const due = await runInDurableObject(stub, (_o: LeadObject, state) =>
      state.storage.sql.exec<{ at: number; kind: string }>("SELECT due_at AS at, kind FROM due WHERE kind = 'handoff'").toArray(),
    );
    expect(due).toHaveLength(1);
    clocks.get(stub.id.toString())!.at = due[0]!.at;
    await runDurableObjectAlarm(stub);
    const attempts = requests.filter((r) => r.url === HOOK);
    expect(attempts).toHaveLength(2);
    expect(JSON.parse(attempts[1]!.body).id).toBe(JSON.parse(attempts[0]!.body).id);
    const left = await runInDurableObject(stub, (_o: LeadObject, state) => state.storage.sql.exec("SELECT id FROM due WHERE kind = 'handoff'").toArray());
    expect(left).toEqual([]);
  });
});

describe("objections the lead raised", () => {
  it("a form message about the price is on the lead's timeline and dashboard page, and is the package's top objection", async () => {
    const requests = destinations();
    const { leadId, stub } = await freshLead();
    await withEnv(stub, { HANDOFF_WEBHOOK_URL: HOOK, HANDOFF_WEBHOOK_SECRET: SECRET });
    const email = `${unique("pricey")}@example.com`;
    await stub.submitForm(submission(email, { profile: { email, name: "Pia Roth" }, message: "Interested, but worried it will be too expensive." }));
    await settle(stub);
    const form = (await summaryOf(stub)).timeline.find((e) => e.kind === "form_submitted")!;
    expect((await summaryOf(stub)).timeline).toContainEqual(expect.objectContaining({ kind: "objection_raised", source: "form", objection: "price", from: form.seq }));
    const page = await (await inBrowser(`${env.PUBLIC_URL}/dashboard/leads/${leadId}`, await ownerSession())).text();
    expect(page).toContain("price in the form message");

    await stub.requestHandOff("Big account");
    await settle(stub);
    const payload = JSON.parse(requests.find((r) => r.url === HOOK)!.body);
    expect(payload.summary.topObjection).toBe("price");
  });
});

describe("owner API: hand-off and the rep's decisions", () => {
  it("hands a lead off on request, then resumes, completes; unknown leads are 404", async () => {
    destinations();
    const { leadId, stub } = await handedOffLead();
    const handed = await asOwner(`/api/leads/${leadId}/hand-off`, { method: "POST", body: JSON.stringify({ reason: "Big account" }) });
    expect(handed.status).toBe(200);
    expect((await summaryOf(stub)).handOffs).toEqual([expect.objectContaining({ trigger: "manual", reason: "Big account" })]);
    expect(await (await asOwner(`/api/leads/${leadId}/resume`, { method: "POST", body: "{}" })).json()).toEqual({ status: "active" });
    expect((await summaryOf(stub)).enrolments).toEqual([]);
    expect(await (await asOwner(`/api/leads/${leadId}/complete`, { method: "POST", body: JSON.stringify({ note: "Signed" }) })).json()).toEqual({ status: "completed" });
    expect((await summaryOf(stub)).timeline.filter((e) => e.kind === "rep_action").map((e) => (e as { action: string }).action)).toEqual(["resume", "complete"]);
    expect((await asOwner(`/api/leads/${"1".repeat(32)}/resume`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await asOwner(`/api/leads/${leadId}/explode`, { method: "POST", body: "{}" })).status).toBe(404);
  });
});

describe("booking webhooks", () => {
  const hex = async (secret: string, text: string) => {
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return Array.from(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text))), (b) => b.toString(16).padStart(2, "0")).join("");
  };

  async function bookedLead() {
    const email = `${unique("booker")}@example.com`;
    const response = await asOwner(
      `/f/${((await (await asOwner("/api/forms", { method: "POST", body: JSON.stringify({ id: unique("bookform"), name: "b", thankYouUrl: "/demo/thanks", sequenceId: "warm" }) })).json()) as { id: string }).id}`,
      {
        method: "POST",
        body: JSON.stringify({ email }),
      },
    );
    const { leadId } = (await response.json()) as { leadId: string };
    return { email, leadId, stub: env.LEADS.getByName(leadId) };
  }

  it("Cal.com: a signed BOOKING_CREATED books the lead; a bad signature changes nothing", async () => {
    const { email, leadId, stub } = await bookedLead();
    const body = JSON.stringify({ triggerEvent: "BOOKING_CREATED", payload: { attendees: [{ email: email.toUpperCase(), name: "B" }], startTime: "2026-11-30T15:00:00Z" } });
    const forged = await call("/hooks/booking/calcom", { method: "POST", headers: { "x-cal-signature-256": await hex("wrong-secret", body) }, body });
    expect(forged.status).toBe(401);
    expect((await summaryOf(stub)).status).toBe("active");
    const ok = await call("/hooks/booking/calcom", { method: "POST", headers: { "x-cal-signature-256": await hex("test-calcom-secret", body) }, body });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ booked: 1 });
    const summary = await summaryOf(stub);
    expect(summary.status).toBe("booked");
    expect(summary.enrolments.map((e) => e.status)).toEqual(["completed"]);
    expect(summary.timeline.find((e) => e.kind === "booked")).toMatchObject({ source: "Cal.com" });
    const row = await env.DB.prepare("SELECT status FROM leads WHERE id = ?").bind(leadId).first();
    expect(row).toEqual({ status: "booked" });
  });

  it("Cal.com: only the booker books; a guest the booker added (a lead too) keeps its sequence", async () => {
    const booker = await bookedLead();
    const guest = await bookedLead();
    // As Cal.com sends it: the booker first in attendees and in responses.email, the guest after them and in responses.guests.
    const body = JSON.stringify({
      triggerEvent: "BOOKING_CREATED",
      payload: {
        responses: { email: { label: "email_address", value: booker.email }, guests: { label: "additional_notes", value: [guest.email] } },
        attendees: [
          { email: booker.email, name: "B" },
          { email: guest.email, name: "" },
        ],
        startTime: "2026-11-30T15:00:00Z",
      },
    });
    const response = await call("/hooks/booking/calcom", { method: "POST", headers: { "x-cal-signature-256": await hex("test-calcom-secret", body) }, body });
    expect(await response.json()).toEqual({ booked: 1 });
    expect((await summaryOf(booker.stub)).status).toBe("booked");
    const guestSummary = await summaryOf(guest.stub);
    expect(guestSummary.status).toBe("active");
    expect(guestSummary.enrolments.map((e) => e.status)).toEqual(["active"]);
    expect(guestSummary.timeline.some((e) => e.kind === "booked")).toBe(false);
  });

  it("Calendly: a fresh signed invitee.created books the lead; stale or forged signatures are refused", async () => {
    const { email, stub } = await bookedLead();
    const body = JSON.stringify({ event: "invitee.created", payload: { email, name: "B", scheduled_event: { start_time: "2026-11-30T15:00:00Z" } } });
    const now = Math.floor(Date.now() / 1000);
    const signed = async (t: number, key = "test-calendly-key") => `t=${t},v1=${await hex(key, `${t}.${body}`)}`;
    for (const signature of [await signed(now - 600), await signed(now, "wrong"), "t=abc,v1=00", ""]) {
      expect((await call("/hooks/booking/calendly", { method: "POST", headers: { "calendly-webhook-signature": signature }, body })).status).toBe(401);
    }
    expect((await summaryOf(stub)).status).toBe("active");
    const ok = await call("/hooks/booking/calendly", { method: "POST", headers: { "calendly-webhook-signature": await signed(now) }, body });
    expect(await ok.json()).toEqual({ booked: 1 });
    expect((await summaryOf(stub)).status).toBe("booked");
  });

  it("someone who never came in as a lead is not created; unknown providers are 404", async () => {
    const body = JSON.stringify({ triggerEvent: "BOOKING_CREATED", payload: { attendees: [{ email: `${unique("stranger")}@example.com` }] } });
    const response = await call("/hooks/booking/calcom", { method: "POST", headers: { "x-cal-signature-256": await hex("test-calcom-secret", body) }, body });
    expect(await response.json()).toEqual({ booked: 0 });
    expect((await call("/hooks/booking/acuity", { method: "POST", body })).status).toBe(404);
  });

  it("a rep task step lands where hand-offs go, as a task with the lead's package, and hands nothing off", async () => {
    const requests = destinations();
    const lead = await freshLead();
    await withEnv(lead.stub, { HANDOFF_WEBHOOK_URL: HOOK, HANDOFF_WEBHOOK_SECRET: SECRET, SLACK_WEBHOOK_URL: SLACK });
    const sequence = SequenceSchema.parse({
      id: "call-first",
      name: "Call first",
      steps: [{ id: "call", intent: "rep_task", channels: ["task"], task: { note: "Call {{name|this lead}} about the second site." } }],
    });
    await lead.stub.submitForm(
      submission(`${unique("task")}@example.com`, { profile: { email: `${unique("task")}@example.com`, name: "Kai Berg", timezone: "America/New_York" } }),
      { id: "call-first", version: 1, sequence },
    );
    await settle(lead.stub);
    await advance(lead.stub);
    const hook = requests.find((r) => r.url === HOOK)!;
    expect(JSON.parse(hook.body)).toMatchObject({
      type: "lead.task",
      task: "Call Kai Berg about the second site.",
      profile: { name: "Kai Berg" },
      triggers: [{ trigger: "rep_task" }],
    });
    expect(JSON.parse(requests.find((r) => r.url === SLACK)!.body).text).toMatch(/^Task: Call Kai Berg about the second site\./);
    const summary = await summaryOf(lead.stub);
    expect(summary.status).not.toBe("with_rep");
    expect(summary.timeline.map((e) => e.kind)).toContain("task_created");
  });
});
