import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono, type Context } from "hono";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { leads } from "../../schemas/d1";
import type { LeadId, TextChannel } from "../../schemas/lead";
import { clockFrom } from "../../services/clock";
import { AppError } from "../../services/app-error";
import { hmacSha256, toHex } from "../../services/crypto/hmac";
import { leadIdFor } from "../../services/crypto/lead-identity";
import { leadObject } from "../lead-stub";
import { sameSecret } from "../../services/crypto/same-secret";
import { replyJudgeFor } from "../../services/ai/reply-judgement";
import { effectiveSettings } from "../../services/deployment-settings";
import type { Settings } from "../../schemas/settings";
import { removeSuppression, suppress } from "../../services/d1/suppressions";
import { validTwilioSignature } from "../../services/crypto/twilio-signature";
import { escapeMarkup } from "../../engine/markup";
import { limitBody } from "./body-limit";
import { deliveryWebhooks } from "./delivery-webhooks";

/** `/hooks/...`: providers calling us. Each is verified before anything is read. */
export const hooks = new Hono<{ Bindings: Env }>();

hooks.route("/email", deliveryWebhooks);

/** The opt-out words carriers and Twilio recognise, in any case. */
const STOP_WORDS = new Set(["stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke"]);

/** Words that ask for texts to start again after a STOP. */
const START_WORDS = new Set(["start", "unstop", "yes"]);
const HELP_WORDS = new Set(["help", "info"]);

const twiml = (reply?: string) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?>${reply ? `<Response><Message>${escapeMarkup(reply)}</Message></Response>` : "<Response/>"}`, {
    headers: { "content-type": "text/xml" },
  });

/** The HELP answer carriers require: who is writing, how to stop, how to reach a person. */
function helpText(settings: Settings, channel: TextChannel): string {
  const who = settings.senderCompany || settings.senderName || (channel === "sms" ? "This number" : "This account");
  const contact = settings.ownerEmail ? ` Questions: ${settings.ownerEmail}.` : "";
  const rates = channel === "sms" ? " Msg & data rates may apply." : "";
  return `${who}: follow-up messages about your inquiry. Reply STOP to stop, START to resume.${contact}${rates}`.slice(0, 320);
}

/** How each text channel's provider writes the sender: a bare number for SMS, `whatsapp:+E164` for WhatsApp. */
const SENDER_PREFIX: Record<TextChannel, string> = { sms: "", whatsapp: "whatsapp:" };

/**
 * Inbound SMS or WhatsApp from a Twilio-compatible provider, verified by its signature. STOP
 * (and its synonyms) withdraws that channel's consent and suppresses the number on it;
 * START or UNSTOP after a STOP lifts both; HELP is answered with who we are and how to stop;
 * anything else is a reply from a person, which pauses the lead's automation and alerts the
 * owner (and on WhatsApp opens the 24-hour window for free text).
 */
function textHook(channel: TextChannel) {
  return async (c: Context<{ Bindings: Env }>) => {
    if (!c.env.TWILIO_AUTH_TOKEN) throw new AppError(503, "not_configured", "TWILIO_AUTH_TOKEN is not set on this deployment.");
    const form = await c.req.formData().catch(() => {
      throw new AppError(400, "malformed_body", "The webhook body is not form-encoded.");
    });
    const params: Record<string, string> = {};
    for (const [name, value] of form.entries()) if (typeof value === "string") params[name] = value;
    if (!(await validTwilioSignature(c.env.TWILIO_AUTH_TOKEN, c.req.url, params, c.req.header("x-twilio-signature")))) {
      throw new AppError(403, "bad_signature", "The X-Twilio-Signature does not match this request.");
    }
    const sender = params.From ?? "";
    const prefix = SENDER_PREFIX[channel];
    if (prefix && !sender.startsWith(prefix)) throw new AppError(422, "invalid_from", `From is not a ${prefix}+E.164 address.`);
    const from = parsePhoneNumberFromString(sender.slice(prefix.length));
    if (!from?.isValid()) throw new AppError(422, "invalid_from", "From is not a phone number.");
    const phone = from.number;
    const body = (params.Body ?? "").trim();
    const now = clockFrom(c.env).now();
    const leadIds = (await drizzle(c.env.DB).select({ id: leads.id }).from(leads).where(eq(leads.phone, phone)).all()).map((r) => r.id as LeadId);
    const word = body.toLowerCase().replace(/[.!]+$/, "");
    if (STOP_WORDS.has(word)) {
      const evidence = `STOP from the ${channel === "sms" ? "number" : "WhatsApp number"} (signed provider webhook)`;
      await suppress(c.env.DB, [{ channel, value: phone, reason: `replied ${body.toUpperCase()}`, evidence }], now);
      await Promise.all(leadIds.map((id) => leadObject(c.env, id).unsubscribe(channel, `${channel}_stop`)));
    } else if (START_WORDS.has(word) && (await removeSuppression(c.env.DB, channel, phone))) {
      // START only means something after a STOP; "yes" to anything else is a reply.
      await Promise.all(leadIds.map((id) => leadObject(c.env, id).resubscribeByStart(channel)));
    } else if (channel === "whatsapp" && leadIds.length === 0) {
      // WhatsApp is open to anyone with the number: a stranger gets no answer and becomes no lead.
      return twiml();
    } else if (HELP_WORDS.has(word)) {
      return twiml(helpText((await effectiveSettings(c.env)).values, channel));
    } else if (body) {
      const judgement = await replyJudgeFor(c.env, (await effectiveSettings(c.env)).values)(body);
      const reply = { text: body.slice(0, 2000), channel, judgement };
      await Promise.all(leadIds.map((id) => leadObject(c.env, id).recordReply(reply)));
    }
    return twiml();
  };
}

hooks.post("/sms/twilio", limitBody(64 * 1024, "An inbound SMS webhook"), textHook("sms"));

/**
 * WhatsApp has its own route rather than the SMS one reading the `whatsapp:` prefix: Twilio
 * sets a WhatsApp sender's webhook apart from a number's, and the route naming the channel
 * means a STOP on one can never withdraw the other, whatever a provider writes in From.
 */
hooks.post("/whatsapp/twilio", limitBody(64 * 1024, "An inbound WhatsApp webhook"), textHook("whatsapp"));

/** Calendly signatures older than this are refused, so a captured request cannot be replayed. */
const CALENDLY_TOLERANCE_S = 180;

/**
 * Who booked, per provider, after checking its signature over the raw body: Cal.com signs
 * the body (`X-Cal-Signature-256`, hex HMAC-SHA256); Calendly signs `<t>.<body>`
 * (`Calendly-Webhook-Signature: t=…,v1=…`). Other events are acknowledged and ignored.
 */
const BOOKING_PROVIDERS = {
  calcom: {
    secret: (env: Env) => env.CALCOM_WEBHOOK_SECRET,
    async verify(secret: string, body: string, headers: Headers): Promise<boolean> {
      const given = headers.get("x-cal-signature-256") ?? "";
      return sameSecret(given.toLowerCase(), toHex(await hmacSha256(secret, body)));
    },
    /**
     * Only the booker books. Cal.com's payload lists every attendee, guests the booker added
     * included (their addresses are also in `responses.guests`); the booker is the one who
     * filled in the booking form's `email` field (`responses.email.value`), which Cal.com also
     * puts first in `attendees`. A guest — anyone the booker typed in — must not end a lead's
     * sequence.
     */
    attendees(payload: unknown): string[] {
      const event = payload as { triggerEvent?: string; payload?: { responses?: { email?: { value?: unknown } }; attendees?: { email?: unknown }[] } };
      if (event.triggerEvent !== "BOOKING_CREATED") return [];
      const booker = event.payload?.responses?.email?.value ?? event.payload?.attendees?.[0]?.email;
      return typeof booker === "string" ? [booker] : [];
    },
    meetingEnd: (payload: unknown) => (payload as { payload?: { endTime?: unknown } }).payload?.endTime,
  },
  calendly: {
    secret: (env: Env) => env.CALENDLY_WEBHOOK_SIGNING_KEY,
    async verify(secret: string, body: string, headers: Headers, wallNowMs: number): Promise<boolean> {
      const parts = Object.fromEntries((headers.get("calendly-webhook-signature") ?? "").split(",").map((p) => p.trim().split("=", 2) as [string, string]));
      const t = Number(parts.t);
      if (!Number.isInteger(t) || Math.abs(wallNowMs / 1000 - t) > CALENDLY_TOLERANCE_S || !parts.v1) return false;
      return sameSecret(parts.v1.toLowerCase(), toHex(await hmacSha256(secret, `${t}.${body}`)));
    },
    attendees(payload: unknown): string[] {
      const event = payload as { event?: string; payload?: { email?: unknown } };
      return event.event === "invitee.created" && typeof event.payload?.email === "string" ? [event.payload.email] : [];
    },
    meetingEnd: (payload: unknown) => (payload as { payload?: { scheduled_event?: { end_time?: unknown } } }).payload?.scheduled_event?.end_time,
  },
} as const;

/** A meeting's end as the provider wrote it (ISO 8601), when it is a real time: the post-demo rule counts from it. */
function instant(value: unknown): number | undefined {
  const at = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isFinite(at) ? at : undefined;
}

/** A booking confirmed by Cal.com or Calendly: the lead's sequences complete, and the booking is on its timeline. */
hooks.post("/booking/:provider", limitBody(256 * 1024, "A booking webhook"), async (c) => {
  const name = c.req.param("provider");
  const provider = name === "calcom" || name === "calendly" ? BOOKING_PROVIDERS[name] : undefined;
  if (!provider) throw new AppError(404, "unknown_provider", "Booking webhooks are /hooks/booking/calcom and /hooks/booking/calendly.");
  const secret = provider.secret(c.env);
  if (!secret) throw new AppError(503, "not_configured", `The ${name} webhook secret is not set on this deployment.`);
  const body = await c.req.text();
  if (!(await provider.verify(secret, body, c.req.raw.headers, Date.now()))) throw new AppError(401, "bad_signature", "The webhook signature does not match.");
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    throw new AppError(400, "malformed_body", "The webhook body is not JSON.");
  }
  const booked: string[] = [];
  const endsAt = instant(provider.meetingEnd(payload));
  for (const raw of provider.attendees(payload)) {
    const email = raw.trim().toLowerCase();
    const leadId = await leadIdFor(c.env.LEAD_ID_SECRET, { email });
    // Attendees who never came in as leads are not created here.
    if (await leadObject(c.env, leadId).markBooked(name === "calcom" ? "Cal.com" : "Calendly", endsAt)) booked.push(leadId);
  }
  return c.json({ booked: booked.length });
});
