import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { PeriodStats } from "../services/d1/stats";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import { liftAtProvider } from "../services/channels/select";
import { Install } from "../workers/dashboard/setup";
import { asOwner, call, unique } from "./helpers";
import { evidenceOf, leadWithFirstTouch, suppressed } from "./inbound-mail";
import { advance, freshLead, kinds, outboxFor, settle, submission, summaryOf, withEnv } from "./lead-harness";

/**
 * Resend's delivery webhooks through `POST /hooks/email/resend`, signed the Standard
 * Webhooks (Svix) way with the endpoint's secret, in the shapes Resend's docs and SDK give
 * (https://resend.com/docs/webhooks/event-types; resend-node `webhook-event.interface.ts`).
 * They take the same path as Email Service's queue events (delivery-events.test.ts).
 */

const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };
const signer = new Webhook(env.RESEND_WEBHOOK_SECRET!);

type Data = Record<string, unknown>;

/** A Resend email event about a message; Resend reports our Message-ID with its angle brackets. */
function resendEvent(type: string, to: string, ids: { messageId?: string; emailId?: string }, extra: Data = {}) {
  return {
    type,
    created_at: "2026-11-30T12:00:00.000Z",
    data: {
      created_at: "2026-11-30T11:59:58.000Z",
      email_id: ids.emailId ?? crypto.randomUUID(),
      ...(ids.messageId ? { message_id: ids.messageId } : {}),
      from: "Sam Rivera <sam@example.com>",
      to: [to],
      subject: "Thanks for your inquiry",
      ...extra,
    },
  };
}

/** Posts a body as Resend would: signed now (or `at`), with a fresh or given svix-id. */
function deliver(body: unknown, options: { id?: string; at?: Date; secret?: string; tamper?: (raw: string) => string } = {}) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const id = options.id ?? `msg_${crypto.randomUUID().replaceAll("-", "")}`;
  const at = options.at ?? new Date();
  const signature = (options.secret ? new Webhook(options.secret) : signer).sign(id, at, raw);
  return call("/hooks/email/resend", {
    method: "POST",
    headers: { "content-type": "application/json", "svix-id": id, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": signature },
    body: options.tamper ? options.tamper(raw) : raw,
  });
}

const permanentBounce = (to: string, messageId: string) =>
  resendEvent(
    "email.bounced",
    to,
    { messageId },
    { bounce: { type: "Permanent", subType: "General", message: "550 5.1.1 The email account that you tried to reach does not exist." } },
  );
const transientBounce = (to: string, messageId: string) =>
  resendEvent("email.bounced", to, { messageId }, { bounce: { type: "Transient", subType: "MailboxFull", message: "452 4.2.2 The recipient's inbox is out of storage space." } });

async function deliveredInStats(sequenceId: string, stepId: string): Promise<number> {
  const stats = (await (await asOwner("/api/stats?days=365")).json()) as PeriodStats;
  return stats.byStep.find((r) => r.sequenceId === sequenceId && r.stepId === stepId && r.channel === "email")?.delivered ?? 0;
}

afterEach(() => vi.restoreAllMocks());

describe("POST /hooks/email/resend: each kind of event changes the lead as a queue event would", () => {
  it("a permanent bounce suppresses the address with its status, and later email touches are skipped", async () => {
    const { leadId, stub, email, messageId } = await leadWithFirstTouch("rshard");
    const before = (await outboxFor(leadId)).length;
    const response = await deliver(permanentBounce(email, messageId));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ outcome: "applied" });
    await settle(stub);
    expect(await suppressed("email", email)).toBe("hard bounce 5.1.1");
    expect(await evidenceOf("email", email)).toMatch(/^Resend webhook msg_\w+ for email [\w-]+ \(our Message-ID </);
    expect((await summaryOf(stub)).timeline.find((e) => e.kind === "bounced")).toMatchObject({ bounceType: "hard", status: "5.1.1", address: email, suppressed: true });
    for (let i = 0; i < 4; i++) await advance(stub);
    expect((await outboxFor(leadId)).filter((m) => m.channel === "email")).toHaveLength(before);
    expect(kinds(await summaryOf(stub))).toContain("touch_skipped");
  });

  it("transient bounces count toward the soft limit: two leave email on, the third suppresses", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("rssoft");
    await deliver(transientBounce(email, messageId));
    await deliver(transientBounce(email, messageId));
    await settle(stub);
    expect(await suppressed("email", email)).toBeNull();
    await deliver(transientBounce(email, messageId));
    await settle(stub);
    expect(await suppressed("email", email)).toBe("3 soft bounces");
  });

  it("a complaint opts the lead out of email and suppresses the address", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("rsfbl");
    expect((await deliver(resendEvent("email.complained", email, { messageId }))).status).toBe(200);
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.status).toBe("unsubscribed");
    expect(summary.timeline.find((e) => e.kind === "unsubscribed")).toMatchObject({ channel: "email", method: "complaint" });
    expect(await evidenceOf("email", email)).toMatch(/^complaint: Resend webhook/);
  });

  it("Resend suppressing the recipient stops email like a hard bounce", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("rssup");
    await deliver(
      resendEvent("email.suppressed", email, { messageId }, { suppressed: { type: "OnAccountSuppressionList", message: "The recipient is on the account's suppression list." } }),
    );
    await settle(stub);
    expect(await suppressed("email", email)).toBe("hard bounce");
    expect((await summaryOf(stub)).timeline.find((e) => e.kind === "bounced")).toMatchObject({
      diagnostic: "suppressed by Resend: The recipient is on the account's suppression list.",
    });
  });

  it("delivered and delivery_delayed go on the timeline and into the step's delivered count, and stop nothing", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("rsok");
    const sent = (await summaryOf(stub)).timeline.find((e) => e.kind === "touch_sent") as { key: string; sequenceId: string; stepId: string };
    const deliveredBefore = await deliveredInStats(sent.sequenceId, sent.stepId);
    await deliver(resendEvent("email.delivery_delayed", email, { messageId }));
    await deliver(resendEvent("email.delivered", email, { messageId }));
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.timeline.find((e) => e.kind === "touch_deferred_by_provider")).toMatchObject({ key: sent.key });
    expect(summary.timeline.find((e) => e.kind === "touch_delivered")).toMatchObject({ key: sent.key });
    expect(kinds(summary)).not.toContain("bounced");
    expect(summary.status).toBe("active");
    expect(await deliveredInStats(sent.sequenceId, sent.stepId)).toBe(deliveredBefore + 1);
  });

  it("the same webhook retried (one svix-id) changes the lead once", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("rsdup");
    const event = transientBounce(email, messageId);
    const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
    for (let i = 0; i < 3; i++) expect((await deliver(event, { id })).status).toBe(200);
    await settle(stub);
    expect((await summaryOf(stub)).timeline.filter((e) => e.kind === "bounced")).toHaveLength(1);
    expect(await suppressed("email", email)).toBeNull();
  });
});

describe("POST /hooks/email/resend: what a stranger can send changes nothing", () => {
  it("a forged, tampered, stale or unsigned bounce is 401 and suppresses nothing", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("rsforge");
    const bounce = permanentBounce(email, messageId);
    const forged = await deliver(bounce, { secret: "whsec_c29tZW9uZS1lbHNlcy1zZWNyZXQ=" });
    const tampered = await deliver(transientBounce(email, messageId), { tamper: (raw) => raw.replace("Transient", "Permanent") });
    const stale = await deliver(bounce, { at: new Date(Date.now() - 6 * 60_000) });
    const unsigned = await call("/hooks/email/resend", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(bounce) });
    for (const response of [forged, tampered, stale, unsigned]) {
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: "bad_signature" } });
    }
    await settle(stub);
    expect(await suppressed("email", email)).toBeNull();
    expect(kinds(await summaryOf(stub))).not.toContain("bounced");
  });

  it("signed but not ours, not about that address, not an email event, or malformed: a clear answer and no change", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("rsodd");
    const timeline = (await summaryOf(stub)).timeline.length;
    const unmatched = await deliver(permanentBounce(email, "<never-sent@example.com>"));
    expect(await unmatched.json()).toEqual({ outcome: "unmatched" });
    // Our Message-ID, but the event names another recipient: not proof about this address.
    expect(await (await deliver(permanentBounce(`other-${email}`, messageId))).json()).toEqual({ outcome: "unmatched" });
    expect(await (await deliver(resendEvent("email.opened", email, { messageId }))).json()).toEqual({ outcome: "ignored" });
    expect(await (await deliver(resendEvent("email.failed", email, { messageId }, { failed: { reason: "reached_daily_quota" } }))).json()).toEqual({ outcome: "ignored" });
    const contact = await deliver({ type: "contact.updated", created_at: "2026-11-30T12:00:00.000Z", data: { id: "c1", email, unsubscribed: true } });
    expect(contact.status).toBe(200);
    expect(await contact.json()).toMatchObject({ outcome: "ignored" });
    // A recent event naming no touch yet: Resend is asked to retry, as the touch's record may still be on its way.
    const recent = { ...permanentBounce(email, "<not-yet-recorded@example.com>"), created_at: new Date().toISOString() };
    const early = await deliver(recent);
    expect(early.status).toBe(503);
    expect(await early.json()).toMatchObject({ error: { code: "not_yet_known" } });
    const notJson = await deliver("{ not json");
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: "malformed_body" } });
    const shapeless = await deliver({ type: "email.bounced", data: { to: "nobody" } });
    expect(shapeless.status).toBe(422);
    expect(await shapeless.json()).toMatchObject({ error: { code: "invalid_event" } });
    await settle(stub);
    expect((await summaryOf(stub)).timeline).toHaveLength(timeline);
    expect(await suppressed("email", email)).toBeNull();
  });
});

describe("the Resend transport", () => {
  /** Resend's API as the transport meets it; every request is recorded. */
  function fakeResend(
    answer: (path: string, method: string) => Response = (path) =>
      Response.json(path === "/emails" ? { id: crypto.randomUUID() } : { object: "suppression", id: crypto.randomUUID() }),
  ) {
    const requests: { method: string; path: string; body: unknown }[] = [];
    const original = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      if (url.hostname !== "api.resend.com") return original(input, init);
      requests.push({ method: request.method, path: url.pathname, body: request.method === "DELETE" ? null : await request.json() });
      return answer(url.pathname, request.method);
    });
    return requests;
  }

  it("records Resend's email_id on the touch, so a webhook naming only that id finds it", async () => {
    const requests = fakeResend();
    const { stub } = await freshLead();
    const email = `${unique("rsid")}@example.org`;
    await withEnv(stub, { EMAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_test" });
    await stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(stub);
    const sent = (await summaryOf(stub)).timeline.find((e) => e.kind === "touch_sent") as { providerId?: string; messageId: string };
    expect(requests.filter((r) => r.path === "/emails")).toHaveLength(1);
    expect(sent.providerId).toMatch(/^[\w-]{36}$/);
    const bounce = resendEvent("email.bounced", email, { emailId: sent.providerId! }, { bounce: { type: "Permanent", subType: "General", message: "550 5.1.1 user unknown" } });
    expect(await (await deliver(bounce)).json()).toEqual({ outcome: "applied" });
    await settle(stub);
    expect(await suppressed("email", email)).toBe("hard bounce 5.1.1");
  });

  it("an unsubscribe is pushed to Resend's suppression list, again after Resend fails, and lifted there when consent is restored", async () => {
    let failures = 1;
    const requests = fakeResend((path, method) => {
      if (path === "/suppressions" && method === "POST" && failures-- > 0) return Response.json({ message: "internal error" }, { status: 500 });
      return Response.json(path === "/emails" ? { id: crypto.randomUUID() } : { object: "suppression", id: crypto.randomUUID() });
    });
    const { stub } = await freshLead();
    const email = `${unique("rsunsub")}@example.org`;
    await withEnv(stub, { EMAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_test" });
    await stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(stub);
    await stub.unsubscribe("email", "one_click");
    await settle(stub);
    // The first push met a 500: the durable effect retries on the lead's next alarm.
    await advance(stub);
    const pushes = requests.filter((r) => r.path === "/suppressions" && r.method === "POST");
    expect(pushes.length).toBeGreaterThanOrEqual(2);
    expect(pushes.at(-1)!.body).toEqual({ email });
    expect(await suppressed("email", email)).toMatch(/unsubscribed/);
    await stub.restoreConsent("email", "owner", "the owner lifted it");
    await settle(stub);
    expect(requests.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual([`/suppressions/${encodeURIComponent(email)}`]);
  });

  it("the owner lifting a suppression takes the address off Resend's list first; Resend unreachable stops the lift, Resend refusing for good does not", async () => {
    const resend = { ...env, EMAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_test" };
    let status = 200;
    const requests = fakeResend(() => Response.json({ message: "answer" }, { status }));
    await liftAtProvider(resend, "Lifted@Example.org");
    expect(requests.at(-1)).toMatchObject({ method: "DELETE", path: `/suppressions/${encodeURIComponent("lifted@example.org")}` });
    status = 503;
    await expect(liftAtProvider(resend, "lifted@example.org")).rejects.toMatchObject({ status: 503, code: "provider_unavailable" });
    status = 403;
    await expect(liftAtProvider(resend, "lifted@example.org")).resolves.toBeUndefined();
    // Without Resend there is no provider list to change.
    const before = requests.length;
    await liftAtProvider(env, "lifted@example.org");
    expect(requests).toHaveLength(before);
  });

  it("without Resend, an unsubscribe touches no provider (the outbox has no suppression list)", async () => {
    const requests = fakeResend();
    const { stub } = await freshLead();
    const email = `${unique("rsnone")}@example.org`;
    await stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(stub);
    await stub.unsubscribe("email", "one_click");
    await settle(stub);
    expect(requests).toHaveLength(0);
    expect(await suppressed("email", email)).toMatch(/unsubscribed/);
  });
});

describe("the Install page", () => {
  const page = (transport: string) => String(Install({ base: "https://follow-up.example.com", forms: [], replyDomain: "reply.example.com", transport }));

  it("tells a Resend deployment where to point the webhook, and an Email Service one to subscribe the queue", () => {
    expect(page("resend")).toContain("https://follow-up.example.com/hooks/email/resend");
    expect(page("resend")).toContain("RESEND_WEBHOOK_SECRET");
    expect(page("resend")).not.toContain("edge-follow-up-email-events");
    expect(page("email-service")).toContain("edge-follow-up-email-events");
    expect(page("email-service")).not.toContain("/hooks/email/resend");
  });
});
