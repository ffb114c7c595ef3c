import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../workers/index";
import { EMAIL_EVENTS_QUEUE } from "../workers/delivery-events";
import type { PeriodStats } from "../services/d1/stats";
import { asOwner, unique } from "./helpers";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import { evidenceOf, leadWithFirstTouch, suppressed } from "./inbound-mail";
import { advance, freshLead, kinds, outboxFor, settle, submission, summaryOf, withEnv } from "./lead-harness";

/**
 * Email Service's delivery events (Queues event subscription) through the Worker's
 * `queue()` entry, in the shape its docs give:
 * https://developers.cloudflare.com/email-service/platform/event-subscriptions/
 */

const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };

type EventType = "delivered" | "deferred" | "bounced" | "failed" | "rejected" | "complained";

/** An event for a message we sent; the platform reports Message-IDs without angle brackets. */
function emailEvent(type: EventType, messageId: string, recipient: string, payload: Record<string, unknown> = {}, eventId: string = crypto.randomUUID()) {
  return {
    type: `cf.email.sending.message.${type}`,
    source: { type: "email.sending", zoneId: "023e105f4ecef8ad9ca31a8372d0c353", domain: "example.com" },
    payload: {
      eventId,
      messageId: messageId.replace(/^<|>$/g, ""),
      sender: "sam@example.com",
      recipient,
      subject: "Thanks",
      terminal: type !== "deferred",
      delivery: { status: type },
      ...payload,
    },
    metadata: {
      accountId: "f9f79265f388666de8122cfb508d7776",
      eventSubscriptionId: "1830c4bb612e43c3af7f4cada31fbf3f",
      eventSchemaVersion: 1,
      eventTimestamp: "2026-11-02T15:01:00.000Z",
    },
  };
}

const hardBounce = (messageId: string, recipient: string, eventId?: string) =>
  emailEvent(
    "bounced",
    messageId,
    recipient,
    {
      delivery: { status: "bounced", smtpStatusCode: "550", smtpEnhancedStatusCode: "5.1.1", smtpResponse: "550 5.1.1 User unknown" },
      bounce: { type: "hard", classification: "permanent_failure", reason: "550 5.1.1 User unknown" },
    },
    eventId,
  );

const softBounce = (messageId: string, recipient: string) =>
  emailEvent("bounced", messageId, recipient, {
    delivery: { status: "bounced", smtpEnhancedStatusCode: "4.2.2", smtpResponse: "452 4.2.2 Mailbox full" },
    bounce: { type: "soft", classification: "temporary_failure", reason: "452 4.2.2 Mailbox full" },
  });

/** How many of this step's emails the per-step stats count as delivered. */
async function deliveredInStats(sequenceId: string, stepId: string): Promise<number> {
  const stats = (await (await asOwner("/api/stats?days=365")).json()) as PeriodStats;
  return stats.byStep.find((r) => r.sequenceId === sequenceId && r.stepId === stepId && r.channel === "email")?.delivered ?? 0;
}

/** Hands a batch to queue() as the queue would, and says what was acked and retried. */
async function consume(...bodies: unknown[]) {
  const batch = createMessageBatch(
    EMAIL_EVENTS_QUEUE,
    bodies.map((body, i) => ({ id: `m${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe("queue(): Email Service delivery events", () => {
  it("a hard bounce suppresses the address and the lead's later email touches are skipped", async () => {
    const { leadId, stub, email, messageId } = await leadWithFirstTouch("qhard");
    const before = (await outboxFor(leadId)).filter((m) => m.to === email).length;
    const result = await consume(hardBounce(messageId, email));
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(0);
    await settle(stub);
    expect(await suppressed("email", email)).toBe("hard bounce 5.1.1");
    expect(await evidenceOf("email", email)).toMatch(/^Email Service event .+ for our Message-ID </);
    expect((await summaryOf(stub)).timeline.find((e) => e.kind === "bounced")).toMatchObject({ bounceType: "hard", status: "5.1.1", address: email, suppressed: true });
    for (let i = 0; i < 4; i++) await advance(stub);
    expect((await outboxFor(leadId)).filter((m) => m.to === email)).toHaveLength(before);
    expect(kinds(await summaryOf(stub))).toContain("touch_skipped");
  });

  it("soft bounces count toward the limit: the first leaves email on, the third suppresses", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("qsoft");
    await consume(softBounce(messageId, email));
    await settle(stub);
    expect(await suppressed("email", email)).toBeNull();
    await consume(softBounce(messageId, email), softBounce(messageId, email));
    await settle(stub);
    expect(await suppressed("email", email)).toBe("3 soft bounces");
  });

  it("a complaint opts the lead out and suppresses the address", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("qfbl");
    await consume(emailEvent("complained", messageId, email, { complaint: { type: "abuse" } }));
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.status).toBe("unsubscribed");
    expect(summary.timeline.find((e) => e.kind === "unsubscribed")).toMatchObject({ channel: "email", method: "complaint" });
    expect(await suppressed("email", email)).toMatch(/unsubscribed/);
    expect(await evidenceOf("email", email)).toMatch(/^complaint \(abuse\): Email Service event/);
  });

  it("a rejection because Email Service suppresses the recipient stops email like a hard bounce", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("qrej");
    await consume(emailEvent("rejected", messageId, email, { rejection: { reason: "suppressed", party: "recipient", detail: "Recipient is suppressed" } }));
    await settle(stub);
    expect(await suppressed("email", email)).toBe("hard bounce");
    expect((await summaryOf(stub)).timeline.find((e) => e.kind === "bounced")).toMatchObject({
      bounceType: "hard",
      diagnostic: "rejected by Email Service: Recipient is suppressed",
    });
  });

  it("delivered and deferred go on the timeline with the touch they are about, and stop nothing", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("qok");
    const sentEntry = (await summaryOf(stub)).timeline.find((e) => e.kind === "touch_sent") as { key: string; sequenceId: string; stepId: string };
    const deliveredBefore = await deliveredInStats(sentEntry.sequenceId, sentEntry.stepId);
    await consume(
      emailEvent("deferred", messageId, email, {
        delivery: { status: "deferred", smtpResponse: "451 4.2.0 Temporary mailbox error" },
        bounce: { type: "soft", classification: "temporary_failure", reason: "451 4.2.0 Temporary mailbox error" },
      }),
      emailEvent("delivered", messageId, email, { delivery: { status: "delivered", smtpResponse: "250 2.0.0 OK" } }),
    );
    await settle(stub);
    const summary = await summaryOf(stub);
    const sent = summary.timeline.find((e) => e.kind === "touch_sent") as { key: string };
    expect(summary.timeline.find((e) => e.kind === "touch_deferred_by_provider")).toMatchObject({ key: sent.key, detail: "451 4.2.0 Temporary mailbox error" });
    expect(summary.timeline.find((e) => e.kind === "touch_delivered")).toMatchObject({ key: sent.key, detail: "250 2.0.0 OK" });
    // A deferral is the provider retrying, not a bounce: nothing counts toward the soft limit.
    expect(kinds(summary)).not.toContain("bounced");
    expect(summary.status).toBe("active");
    expect(await suppressed("email", email)).toBeNull();
    // The delivery counts for the step that sent it, once, in the owner's per-step stats.
    expect(await deliveredInStats(sentEntry.sequenceId, sentEntry.stepId)).toBe(deliveredBefore + 1);
  });

  it("a malformed, unknown or unmatched event is acked without effect, never retried", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("qbad");
    const timeline = (await summaryOf(stub)).timeline.length;
    const result = await consume(
      "not json at all",
      { type: "cf.email.sending.message.bounced", payload: { messageId } },
      { ...hardBounce(messageId, email), type: "cf.email.sending.message.opened" },
      hardBounce("<never-sent@example.com>", email),
      hardBounce(messageId, `other-${email}`),
      emailEvent("failed", messageId, email, { failure: { reason: "delivery_failed" } }),
    );
    expect(result.explicitAcks).toHaveLength(6);
    expect(result.retryMessages).toHaveLength(0);
    await settle(stub);
    expect((await summaryOf(stub)).timeline).toHaveLength(timeline);
    expect(await suppressed("email", email)).toBeNull();
  });

  it("a recent event naming no touch yet is asked again later, not dropped: the touch's record may still be on its way", async () => {
    const { email } = await leadWithFirstTouch("qsoon");
    const early = hardBounce("<not-yet-recorded@example.com>", email);
    early.metadata.eventTimestamp = new Date().toISOString();
    const result = await consume(early);
    expect(result.explicitAcks).toHaveLength(0);
    expect(result.retryMessages).toHaveLength(1);
    expect(await suppressed("email", email)).toBeNull();
  });

  it("the same event delivered twice changes the lead once", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("qdup");
    const eventId = crypto.randomUUID();
    const soft = { ...softBounce(messageId, email) };
    soft.payload.eventId = eventId;
    await consume(soft);
    await consume(soft, soft);
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.timeline.filter((e) => e.kind === "bounced")).toHaveLength(1);
    const delivered = emailEvent("delivered", messageId, email, {}, crypto.randomUUID());
    await consume(delivered, delivered);
    await settle(stub);
    expect((await summaryOf(stub)).timeline.filter((e) => e.kind === "touch_delivered")).toHaveLength(1);
  });
});

describe("send_email: a recipient Email Service suppresses", () => {
  it("E_RECIPIENT_SUPPRESSED is a permanent, visible failure that suppresses the address and stops later email touches", async () => {
    const { leadId, stub } = await freshLead();
    const email = `${unique("cfsup")}@example.org`;
    const refusals: string[] = [];
    // The binding's refusal as the platform raises it: an error carrying its E_* code.
    const EMAIL = {
      async send(message: { to: string }) {
        refusals.push(message.to);
        throw Object.assign(new Error("E_RECIPIENT_SUPPRESSED: recipient is suppressed"), { code: "E_RECIPIENT_SUPPRESSED" });
      },
    } as unknown as SendEmail;
    await withEnv(stub, { EMAIL_TRANSPORT: "email-service", EMAIL });
    await stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.timeline.find((e) => e.kind === "touch_failed")).toMatchObject({ permanent: true, reason: expect.stringContaining("E_RECIPIENT_SUPPRESSED") });
    expect(summary.timeline.find((e) => e.kind === "bounced")).toMatchObject({ bounceType: "hard", address: email, suppressed: true });
    expect(await suppressed("email", email)).toBe("hard bounce");
    const tried = refusals.length;
    for (let i = 0; i < 4; i++) await advance(stub);
    expect(refusals).toHaveLength(tried);
    expect((await outboxFor(leadId)).filter((m) => m.channel === "email")).toHaveLength(0);
  });
});
