import type { Change, Delivery, LeadState } from "../lead/lead-state";
import { isTextChannel, type SendingDay, type TextChannel } from "../../schemas/lead";
import { effect, HALTED, log, updateEnrolment } from "../lead/lead-change";
import { nextOpeningFor } from "../lead/lead-timezone";
import type { SequenceConfig } from "./sequence-config";
import { describeTemplate, whatsappForm } from "./whatsapp-session";

/**
 * Touches on their way out: queued, fired when due (if the lead may still get them and
 * their window is open; a WhatsApp touch as free text or its template, as WhatsApp's
 * 24-hour window allows at that moment), then sent, retried, refused or deferred as the channel answers.
 */

const TEXT_CHANNEL_NAMES: Record<TextChannel, string> = { sms: "SMS", whatsapp: "WhatsApp" };

/** Why a text channel may not carry a touch to the lead: SMS and WhatsApp each need the lead's own consent on record. */
export function textConsentMissing(state: LeadState, channel: TextChannel): string | undefined {
  return state.consent[channel]?.granted === true ? undefined : `no ${TEXT_CHANNEL_NAMES[channel]} consent recorded`;
}

export function queue(change: Change, delivery: Delivery): Change {
  return effect(
    { ...change, state: { ...change.state, deliveries: [...change.state.deliveries, delivery] } },
    { kind: "schedule", timer: { kind: "delivery", key: delivery.touch.key }, at: delivery.dueAt },
  );
}

export function dropDelivery(change: Change, key: string): Change {
  return effect(
    { ...change, state: { ...change.state, deliveries: change.state.deliveries.filter((d) => d.touch.key !== key) } },
    { kind: "unschedule", timer: { kind: "delivery", key } },
  );
}

/** A delivery's timer fired: hand the touch to the object to send, if it still may go now. */
export function fireDelivery(change: Change, key: string, now: number): Change {
  const delivery = change.state.deliveries.find((d) => d.touch.key === key);
  if (!delivery) return effect(change, { kind: "unschedule", timer: { kind: "delivery", key } });
  const { touch } = delivery;
  const skipped = (reason: string) =>
    log(dropDelivery(change, key), now, {
      kind: "touch_skipped",
      enrolmentId: touch.enrolmentId,
      sequenceId: touch.sequenceId,
      stepId: touch.stepId,
      channel: touch.channel,
      reason,
    });
  const answersTheLead = touch.instant && change.state.status === "with_rep";
  if (HALTED.includes(change.state.status) && !answersTheLead) return skipped(`the lead is ${change.state.status}`);
  const noConsent = isTextChannel(touch.channel) ? textConsentMissing(change.state, touch.channel) : undefined;
  if (noConsent) return skipped(noConsent);
  if (touch.channel === "email" && change.state.consent.email?.granted === false) return skipped("the lead withdrew email consent");
  if (touch.channel === "email" && change.state.emailUndeliverable) return skipped(`the address bounced: ${change.state.emailUndeliverable}`);
  // A late alarm must not carry an SMS into the night.
  const opening = nextOpeningFor(change.state, delivery.windows, Math.max(now, delivery.dueAt));
  if (opening > now) return reschedule(change, key, opening);
  if (touch.channel !== "whatsapp") return effect(change, { kind: "send", touch });
  const form = whatsappForm(touch, change.state.whatsappInboundAt, now);
  if ("blocked" in form) return skipped(form.blocked);
  // Kept on the delivery, so that its report says which form went.
  const decided = { ...touch, sentAs: form.sentAs };
  const deliveries = change.state.deliveries.map((d) => (d.touch.key === key ? { ...d, touch: decided } : d));
  return effect({ ...change, state: { ...change.state, deliveries } }, { kind: "send", touch: decided });
}

export function reschedule(change: Change, key: string, at: number, attempts?: number): Change {
  const deliveries = change.state.deliveries.map((d) => (d.touch.key === key ? { ...d, dueAt: at, attempts: attempts ?? d.attempts } : d));
  return effect({ ...change, state: { ...change.state, deliveries } }, { kind: "schedule", timer: { kind: "delivery", key }, at });
}

export function deliverySent(change: Change, key: string, messageId: string, now: number, providerId?: string): Change {
  const delivery = change.state.deliveries.find((d) => d.touch.key === key);
  if (!delivery) return change;
  const { touch } = delivery;
  let c = updateEnrolment(dropDelivery(change, key), touch.enrolmentId, (e) => ({
    ...e,
    emails: e.emails.map((m) => (m.key === key ? { ...m, messageId } : m)),
    thread: e.thread && e.thread.id === touch.threadId ? { ...e.thread, messageIds: [...e.thread.messageIds, messageId].slice(-20) } : e.thread,
  }));
  const { references: _references, threadId: _threadId, touchId: _touchId, instant: _instant, whatsappTemplate, sentAs, ...sent } = touch;
  const template = sentAs === "template" && whatsappTemplate ? { template: whatsappTemplate, text: describeTemplate(whatsappTemplate) } : {};
  c = log(c, now, { kind: "touch_sent", ...sent, ...template, messageId, ...(providerId ? { providerId } : {}) });
  return { ...c, state: { ...c.state, sentTouches: [...c.state.sentTouches, { key, intent: touch.intent, at: now }].slice(-50) } };
}

/** A passing failure retries with backoff; a permanent one, or one too many, marks the touch failed. */
export function deliveryFailed(change: Change, key: string, permanent: boolean, reason: string, now: number, config: SequenceConfig): Change {
  const delivery = change.state.deliveries.find((d) => d.touch.key === key);
  if (!delivery) return change;
  const { touch } = delivery;
  const failure = { enrolmentId: touch.enrolmentId, sequenceId: touch.sequenceId, stepId: touch.stepId, intent: touch.intent, channel: touch.channel, key, reason };
  const delay = config.retryDelaysMs[delivery.attempts];
  if (permanent || delay === undefined) {
    return log(dropDelivery(change, key), now, { kind: "touch_failed", ...failure, permanent: true });
  }
  const retryAt = now + delay;
  return log(reschedule(change, key, retryAt, delivery.attempts + 1), now, { kind: "touch_failed", ...failure, permanent: false, retryAt });
}

/** Refused at the moment of sending (a suppressed address): never sent, visibly. */
export function deliveryBlocked(change: Change, key: string, reason: string, now: number): Change {
  const delivery = change.state.deliveries.find((d) => d.touch.key === key);
  if (!delivery) return change;
  const { touch } = delivery;
  return log(dropDelivery(change, key), now, {
    kind: "touch_skipped",
    enrolmentId: touch.enrolmentId,
    sequenceId: touch.sequenceId,
    stepId: touch.stepId,
    channel: touch.channel,
    reason,
  });
}

/**
 * The sender's pacing gave this touch a later slot: it waits for it, still inside its windows.
 * When the address's daily cap is what held it, the lead's timeline says so (seconds of spacing do not).
 */
export function deliveryDeferred(change: Change, key: string, until: number, now: number, heldBy?: SendingDay): Change {
  const delivery = change.state.deliveries.find((d) => d.touch.key === key);
  if (!delivery) return change;
  const at = nextOpeningFor(change.state, delivery.windows, until);
  const rescheduled = reschedule(change, key, at);
  if (!heldBy) return rescheduled;
  const { enrolmentId, sequenceId, stepId, intent, channel } = delivery.touch;
  const warmingUp = heldBy.day <= heldBy.warmupDays;
  return log(rescheduled, now, {
    kind: "touch_deferred",
    enrolmentId,
    sequenceId,
    stepId,
    intent,
    channel,
    key,
    until: at,
    reason: `the sender's daily cap held it: ${heldBy.limit} a day on ${warmingUp ? `warm-up day ${heldBy.day} of ${heldBy.warmupDays}` : `day ${heldBy.day} of sending, warm-up over`}`,
    cap: heldBy,
  });
}
