import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { leads } from "../../schemas/d1";
import type { LeadId } from "../../schemas/lead";
import { clockFrom } from "../clock";
import { AppError } from "../errors";
import { leadObject } from "../lead-stub";
import { suppress } from "../suppressions";
import { validTwilioSignature } from "../twilio-signature";

/** `/hooks/...`: providers calling us. Each is verified before anything is read. */
export const hooks = new Hono<{ Bindings: Env }>();

/** The opt-out words carriers and Twilio recognise, in any case. */
const STOP_WORDS = new Set(["stop", "stopall", "unsubscribe", "cancel", "end", "quit", "optout", "revoke"]);

const twiml = () => new Response("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>", { headers: { "content-type": "text/xml" } });

/**
 * Inbound SMS from a Twilio-compatible provider. STOP (and its synonyms) withdraws SMS
 * consent and suppresses the number; anything else is a reply from a person, which
 * pauses the lead's automation and alerts the owner.
 */
hooks.post(
  "/sms/twilio",
  bodyLimit({
    maxSize: 64 * 1024,
    onError: () => {
      throw new AppError(413, "too_large", "An inbound SMS webhook is at most 64 KB.");
    },
  }),
  async (c) => {
    if (!c.env.TWILIO_AUTH_TOKEN) throw new AppError(503, "not_configured", "TWILIO_AUTH_TOKEN is not set on this deployment.");
    const form = await c.req.formData().catch(() => {
      throw new AppError(400, "malformed_body", "The webhook body is not form-encoded.");
    });
    const params: Record<string, string> = {};
    for (const [name, value] of form.entries()) if (typeof value === "string") params[name] = value;
    if (!(await validTwilioSignature(c.env.TWILIO_AUTH_TOKEN, c.req.url, params, c.req.header("x-twilio-signature")))) {
      throw new AppError(403, "bad_signature", "The X-Twilio-Signature does not match this request.");
    }
    const from = parsePhoneNumberFromString(params.From ?? "");
    if (!from?.isValid()) throw new AppError(422, "invalid_from", "From is not a phone number.");
    const phone = from.number;
    const body = (params.Body ?? "").trim();
    const now = clockFrom(c.env).now();
    const leadIds = (await drizzle(c.env.DB).select({ id: leads.id }).from(leads).where(eq(leads.phone, phone)).all()).map((r) => r.id as LeadId);
    if (STOP_WORDS.has(body.toLowerCase())) {
      await suppress(c.env.DB, [{ channel: "sms", value: phone, reason: `replied ${body.toUpperCase()}` }], now);
      await Promise.all(leadIds.map((id) => leadObject(c.env, id).unsubscribe(id, "sms", "sms_stop")));
    } else if (body) {
      await Promise.all(leadIds.map((id) => leadObject(c.env, id).recordReply(id, { text: body.slice(0, 2000) })));
    }
    return twiml();
  },
);
