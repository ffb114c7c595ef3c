import { EmailSendingEventSchema, type DeliveryReport } from "../schemas/delivery-event";
import type { LeadId } from "../schemas/lead";
import { deliveryReportOf } from "../engine/inbound/email-sending-event";
import { clockFrom } from "../services/clock";
import { suppress } from "../services/d1/suppressions";
import { type SentTouchOfLead, touchOfMessage } from "./inbound/lead-resolution";
import { leadObject } from "./lead-stub";

/**
 * The queue an Email Service event subscription publishes to (README "Delivery events").
 * Locally Miniflare runs it; in production it is created with `wrangler queues create`.
 */
export const EMAIL_EVENTS_QUEUE = "edge-follow-up-email-events";

/** Every queue this Worker consumes, by name. */
export async function receiveQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue === EMAIL_EVENTS_QUEUE) return receiveEmailEvents(batch, env);
  // A queue wired to this Worker by mistake: retrying cannot make its messages ours.
  console.error(JSON.stringify({ event: "queue_unknown", queue: batch.queue, messages: batch.messages.length }));
  batch.ackAll();
}

/**
 * Email Service's lifecycle events for the messages we sent. Each is tied to the touch that
 * carried its Message-ID and applied through the lead's object. What can never apply (a
 * malformed event, one about a message we did not send) is acked and logged, so it is not
 * redelivered forever; a failing D1 read or object call is retried by the queue.
 */
async function receiveEmailEvents(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    try {
      await applyEvent(message.body, env);
      message.ack();
    } catch (error) {
      console.error(JSON.stringify({ event: "email_event_retry", id: message.id, attempts: message.attempts, error: String(error).slice(0, 300) }));
      message.retry();
    }
  }
}

async function applyEvent(body: unknown, env: Env): Promise<void> {
  const parsed = EmailSendingEventSchema.safeParse(body);
  if (!parsed.success) {
    const type = typeof body === "object" && body !== null && "type" in body ? String(body.type).slice(0, 100) : null;
    console.warn(JSON.stringify({ event: "email_event_malformed", type, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`) }));
    return;
  }
  const event = parsed.data;
  const { eventId, messageId, recipient } = event.payload;
  await applyDeliveryEvent(
    env,
    { provider: "email-service", type: event.type, eventId, recipient },
    () => touchOfMessage(env.DB, messageId),
    (touch) => deliveryReportOf(event, touch),
  );
}

/** One provider event about one message, however it arrived (a queue, a signed webhook). */
export interface ProviderEvent {
  provider: string;
  type: string;
  eventId: string;
  recipient: string;
}

export type DeliveryEventOutcome = "applied" | "unmatched" | "ignored";

/**
 * The one path every delivery event takes: find the touch the provider names, check the
 * event is about the address that touch went to, turn it into a report, and apply it
 * through the lead's object — which suppresses on a hard bounce or complaint, counts soft
 * bounces, and logs deliveries and deferrals. Throws only when trying again may help.
 */
export async function applyDeliveryEvent(
  env: Env,
  event: ProviderEvent,
  findTouch: () => Promise<SentTouchOfLead | null>,
  reportOf: (touch: SentTouchOfLead) => DeliveryReport | { ignored: string },
): Promise<DeliveryEventOutcome> {
  const touch = await findTouch();
  const log = { provider: event.provider, type: event.type, eventId: event.eventId.slice(0, 200) };
  // Other senders on the same domain or account (another Worker, a person) report to the same place.
  if (!touch || touch.to.toLowerCase() !== event.recipient.trim().toLowerCase()) {
    console.log(JSON.stringify({ event: "email_event_unmatched", ...log }));
    return "unmatched";
  }
  const report = reportOf(touch);
  if ("ignored" in report) {
    console.log(JSON.stringify({ event: "email_event_ignored", ...log, leadId: touch.leadId, reason: report.ignored }));
    return "ignored";
  }
  const known = await leadObject(env, touch.leadId).recordDelivery(report);
  if (!known) await suppressUnknown(env, touch.leadId, event.recipient, report);
  return "applied";
}

/** An erased lead's address that bounced hard or complained still must not be mailed again. */
async function suppressUnknown(env: Env, leadId: LeadId, address: string, report: DeliveryReport): Promise<void> {
  const reason =
    report.outcome === "complained" ? "complaint" : report.outcome === "bounced" && report.bounceType === "hard" ? `hard bounce${report.status ? ` ${report.status}` : ""}` : null;
  if (!reason || (report.outcome !== "complained" && report.outcome !== "bounced")) return;
  console.log(JSON.stringify({ event: "email_event_no_lead", leadId, outcome: report.outcome }));
  await suppress(env.DB, [{ channel: "email", value: address.trim().toLowerCase(), reason, evidence: report.evidence }], clockFrom(env).now());
}
