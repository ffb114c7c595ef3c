import { Hono } from "hono";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { ResendEmailEventSchema } from "../../schemas/delivery-event";
import { resendReportOf } from "../../engine/inbound/resend-event";
import { AppError } from "../../services/app-error";
import { clockFrom } from "../../services/clock";
import { applyDeliveryEvent } from "../delivery-events";
import { touchOfMessage, touchOfProviderId } from "../inbound/lead-resolution";
import { limitBody } from "./body-limit";

/**
 * `/hooks/email/...`: delivery reports from a commercial sender's webhooks, feeding the same
 * path as Email Service's queue (workers/delivery-events.ts). docs/inbound.md "Delivery events".
 */
export const deliveryWebhooks = new Hono<{ Bindings: Env }>();

/**
 * Resend signs its webhooks the Standard Webhooks way (Svix): an HMAC-SHA256 over
 * `id.timestamp.body` with the endpoint's `whsec_…` secret, rejected when more than five
 * minutes old (https://resend.com/docs/webhooks/verify-webhooks-requests). Nothing is read
 * before the signature holds. A 2xx tells Resend to stop retrying, so an event that can
 * never apply (not ours, not about the address) is answered 200 with what became of it.
 */
deliveryWebhooks.post("/resend", limitBody(256 * 1024, "A Resend webhook"), async (c) => {
  const secret = c.env.RESEND_WEBHOOK_SECRET;
  if (!secret) throw new AppError(503, "not_configured", "RESEND_WEBHOOK_SECRET is not set on this deployment.");
  const body = await c.req.text();
  const headers = {
    "webhook-id": c.req.header("svix-id") ?? c.req.header("webhook-id") ?? "",
    "webhook-timestamp": c.req.header("svix-timestamp") ?? c.req.header("webhook-timestamp") ?? "",
    "webhook-signature": c.req.header("svix-signature") ?? c.req.header("webhook-signature") ?? "",
  };
  try {
    new Webhook(secret).verify(body, headers, { jsonParse: false });
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new AppError(401, "bad_signature", `The webhook signature does not verify: ${error.message}.`);
    throw new AppError(503, "not_configured", "RESEND_WEBHOOK_SECRET is not a valid signing secret (it starts with whsec_).");
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    throw new AppError(400, "malformed_body", "The webhook body is not JSON.");
  }
  const type = typeof payload === "object" && payload !== null && "type" in payload ? String(payload.type) : "";
  // Contact, domain and suppression events are Resend's bookkeeping, not about a message we sent.
  if (!type.startsWith("email.")) return c.json({ outcome: "ignored", reason: `${type.slice(0, 100) || "untyped"} events are not about a message` });
  const parsed = ResendEmailEventSchema.safeParse(payload);
  if (!parsed.success) {
    throw new AppError(
      422,
      "invalid_event",
      `The event is not a Resend email event: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")}`,
    );
  }
  const event = parsed.data;
  const eventId = headers["webhook-id"];
  const created = Date.parse(event.created_at ?? "");
  const outcome = await applyDeliveryEvent(
    c.env,
    { provider: "resend", type: event.type, eventId, recipient: event.data.to[0]!, at: Number.isFinite(created) ? created : clockFrom(c.env).wallNow() },
    async () => (await touchOfProviderId(c.env.DB, event.data.email_id)) ?? (event.data.message_id ? await touchOfMessage(c.env.DB, event.data.message_id) : null),
    (touch) => resendReportOf(event, touch, eventId),
  );
  // Resend retries a non-2xx answer on its own schedule: by then the touch is in D1.
  if (outcome === "not_yet") throw new AppError(503, "not_yet_known", "No message we sent has these ids yet; it may still be on its way to our records. Retry later.");
  return c.json({ outcome });
});
