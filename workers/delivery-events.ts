import { EmailSendingEventSchema, type DeliveryReport } from "../schemas/delivery-event";
import type { LeadId } from "../schemas/lead";
import { deliveryReportOf } from "../engine/inbound/email-sending-event";
import { clockFrom } from "../services/clock";
import { suppress } from "../services/d1/suppressions";
import { type SentTouchOfLead, touchOfMessage } from "./inbound/lead-resolution";
import { leadObject } from "./lead-stub";

/**
 * The queue an Email Service event subscription publishes to (docs/inbound.md "Delivery events").
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
      // Not yet in D1 (the touch's record follows its send by moments): asked again later.
      if ((await applyEvent(message.body, message.timestamp.getTime(), env)) === "not_yet") message.retry({ delaySeconds: 120 });
      else message.ack();
    } catch (error) {
      console.error(JSON.stringify({ event: "email_event_retry", id: message.id, attempts: message.attempts, error: String(error).slice(0, 300) }));
      message.retry();
    }
  }
}

/** `queuedAt`: when the queue took the message, for an event that does not say when it happened. */
async function applyEvent(body: unknown, queuedAt: number, env: Env): Promise<DeliveryEventOutcome | "malformed"> {
  const parsed = EmailSendingEventSchema.safeParse(body);
  if (!parsed.success) {
    const type = typeof body === "object" && body !== null && "type" in body ? String(body.type).slice(0, 100) : null;
    console.warn(JSON.stringify({ event: "email_event_malformed", type, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`) }));
    return "malformed";
  }
  const event = parsed.data;
  const { eventId, messageId, recipient } = event.payload;
  const at = Date.parse(event.metadata?.eventTimestamp ?? "");
  return applyDeliveryEvent(
    env,
    { provider: "email-service", type: event.type, eventId, recipient, at: Number.isFinite(at) ? at : queuedAt },
    () => touchOfMessage(env.DB, messageId),
    (touch) => deliveryReportOf(event, touch),
  );
}

/** One provider event about one message, however it arrived (a queue, a signed webhook). */
interface ProviderEvent {
  provider: string;
  type: string;
  eventId: string;
  recipient: string;
  /** When the provider says it happened (wall-clock ms). */
  at: number;
}

/** `not_yet`: no touch has the event's ids yet, and the event is recent enough that one may. */
type DeliveryEventOutcome = "applied" | "unmatched" | "ignored" | "not_yet";

/**
 * A touch reaches D1 moments after its send (a projection due row), and a fast bounce can
 * arrive first. An event this recent that names no touch is asked again rather than dropped;
 * an older one is another sender's on the same domain or account.
 */
const WAIT_FOR_TOUCH_MS = 60 * 60_000;

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
  if (!touch && clockFrom(env).wallNow() - event.at < WAIT_FOR_TOUCH_MS) {
    console.log(JSON.stringify({ event: "email_event_not_yet", ...log }));
    return "not_yet";
  }
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
