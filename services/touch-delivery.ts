import type { OutgoingTouch } from "../engine/lead/lead-state";
import type { LeadId, SendingDay } from "../schemas/lead";
import type { EmailTransport } from "./channels/transport";
import type { Transports } from "./channels/select";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { Settings } from "../schemas/settings";
import type { SlotAsk } from "../engine/time/sender-pacing";
import { pacingRulesFrom, senderFrom, smsCountriesFrom } from "./deployment-settings";
import { composeEmail, composeSms, type Sender } from "./email-composer";
import { tokenKeys } from "./crypto/signed-token";
import { knownSites } from "./d1/sites";
import { suppressionOf } from "./d1/suppressions";
import { PACING_LIMITS, slotBatcher } from "./pacing-batches";

/** What became of one attempt to send a touch; the lead's engine decides what follows. */
export type DeliveryOutcome =
  | { kind: "sent"; messageId: string; providerId?: string }
  | { kind: "failed"; permanent: boolean; reason: string; recipientSuppressed?: true }
  | { kind: "blocked"; reason: string }
  | { kind: "deferred"; until: number; heldBy?: SendingDay };

export interface DeliveryDeps {
  env: Env;
  settings: Settings;
  transports: Transports;
  now: number;
}

/**
 * Sends one touch: checks the suppression list at this very moment, takes a slot from the
 * sender's pacing, composes the message and hands it to the channel with the touch's
 * idempotency key.
 */
export async function deliverTouch({ env, settings, transports, now }: DeliveryDeps, leadId: LeadId, touch: OutgoingTouch): Promise<DeliveryOutcome> {
  let suppressed: string | null;
  try {
    suppressed = await suppressionOf(env.DB, env.LEAD_ID_SECRET, touch.channel, touch.to);
  } catch (error) {
    // Never send when we cannot tell whether the address opted out.
    return { kind: "failed", permanent: false, reason: `could not read the suppression list: ${String(error).slice(0, 120)}` };
  }
  if (suppressed) return { kind: "blocked", reason: suppressed };
  const idempotencyKey = `${leadId}:${touch.key}`;

  if (touch.channel === "sms") {
    if (!env.SMS_FROM) return { kind: "failed", permanent: false, reason: "SMS_FROM is not set" };
    const country = parsePhoneNumberFromString(touch.to)?.country;
    const allowed = smsCountriesFrom(settings, env);
    if (!country || !allowed.includes(country))
      return { kind: "blocked", reason: `SMS to ${country ?? "this number's country"} is not on the allow-list (SMS countries: ${allowed.join(", ")})` };
    return outcomeOf(await transports.sms.sendSms({ from: env.SMS_FROM, to: touch.to, text: composeSms(touch.text) }, idempotencyKey, leadId));
  }

  if (touch.channel === "whatsapp") {
    if (!env.TWILIO_WHATSAPP_FROM) return { kind: "failed", permanent: false, reason: "TWILIO_WHATSAPP_FROM is not set" };
    // The engine chose the form when the touch fired, as WhatsApp's 24-hour window allowed.
    const form = touch.sentAs === "template" && touch.whatsappTemplate ? { template: touch.whatsappTemplate } : { text: touch.text };
    return outcomeOf(await transports.whatsapp.sendWhatsapp({ from: env.TWILIO_WHATSAPP_FROM, to: touch.to, ...form }, idempotencyKey, leadId));
  }

  const identity = senderFrom(settings);
  if ("missing" in identity) return { kind: "failed", permanent: false, reason: `sender identity incomplete: set ${identity.missing.join(", ")} under Settings` };
  const keys = tokenKeys(env);
  if (!keys) return { kind: "failed", permanent: false, reason: "TOKEN_SECRET is not set" };
  const { sender } = identity;
  const recipientDomain = touch.to.slice(touch.to.lastIndexOf("@") + 1);
  const reservation = await slotFor(env, sender, settings, { key: idempotencyKey, now, instant: touch.instant, recipientDomain }).catch((error: unknown) => ({
    unanswered: String(error),
  }));
  // The engine retries a passing failure; if the request reached the sender, the retry gets the slot it was given.
  if ("unanswered" in reservation) return { kind: "failed", permanent: false, reason: `no slot from the sending address's pacing: ${reservation.unanswered.slice(0, 120)}` };
  if ("refused" in reservation) return { kind: "blocked", reason: reservation.refused };
  if (reservation.slot > now) return { kind: "deferred", until: reservation.slot, ...(reservation.heldBy ? { heldBy: reservation.heldBy } : {}) };
  // Click tickets identify visitors: only for sites that track individuals.
  const siteOrigins = new Set([...(await knownSites(env.DB)).values()].filter((s) => s.tracking !== "aggregate").map((s) => s.origin));
  const email = await composeEmail(keys, sender, siteOrigins, leadId, touch, now);
  return outcomeOf(await transports.email.sendEmail(email, idempotencyKey, leadId));
}

/** The sending address's pacing: one object per address, however its case is written. */
const pacingOf = (env: Env, sender: Sender) => env.SENDERS.getByName(sender.email.toLowerCase());

/** This isolate's batches of slot requests (see pacing-batches.ts): lanes by address and rules. */
const batchedSlot = slotBatcher(PACING_LIMITS);

/** A touch's send slot from its address's pacing, asked with the other touches asking at the moment. */
function slotFor(env: Env, sender: Sender, settings: Settings, ask: SlotAsk) {
  const rules = pacingRulesFrom(settings);
  // Touches under different rules (settings just changed) never share a call.
  const lane = `${sender.email.toLowerCase()} ${JSON.stringify(rules)}`;
  return batchedSlot(lane, ask, (asks) => pacingOf(env, sender).reserveMany(asks, rules));
}

/** Where the sending address stands today (its cap, its sends, the touches the cap holds back); null while the sender is not set. */
export async function sendingToday(env: Env, settings: Settings, now: number) {
  const identity = senderFrom(settings);
  if ("missing" in identity) return null;
  return { address: identity.sender.email, ...(await pacingOf(env, identity.sender).today(now, pacingRulesFrom(settings))) };
}
export type SendingToday = NonNullable<Awaited<ReturnType<typeof sendingToday>>>;

function outcomeOf(result: Awaited<ReturnType<EmailTransport["sendEmail"]>>): DeliveryOutcome {
  if (result.ok) return { kind: "sent", messageId: result.messageId, ...(result.providerId ? { providerId: result.providerId } : {}) };
  return { kind: "failed", permanent: result.permanent, reason: result.reason, ...(result.recipientSuppressed ? { recipientSuppressed: true as const } : {}) };
}
