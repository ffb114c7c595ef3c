import { z } from "zod";

/**
 * What Cloudflare Email Service publishes to a queue for each outbound message's lifecycle
 * (an Email Sending event subscription). Shape as documented, event schema version 1:
 * https://developers.cloudflare.com/email-service/platform/event-subscriptions/
 * Only the fields we act on are required; the rest pass through so that a field the
 * platform adds later does not turn a good event into a malformed one.
 */
const smtp = { smtpStatusCode: z.string().optional(), smtpEnhancedStatusCode: z.string().optional(), smtpResponse: z.string().optional() };

export const EmailSendingEventSchema = z.object({
  type: z.enum([
    "cf.email.sending.message.delivered",
    "cf.email.sending.message.deferred",
    "cf.email.sending.message.bounced",
    "cf.email.sending.message.failed",
    "cf.email.sending.message.rejected",
    "cf.email.sending.message.complained",
  ]),
  source: z.object({ type: z.literal("email.sending"), domain: z.string().optional() }).passthrough(),
  payload: z
    .object({
      eventId: z.string().min(1).max(200),
      messageId: z.string().min(1).max(998),
      recipient: z.string().min(3).max(320),
      delivery: z.object({ status: z.string(), ...smtp }).passthrough(),
      bounce: z
        .object({ type: z.enum(["hard", "soft"]), classification: z.string().optional(), reason: z.string().optional() })
        .passthrough()
        .optional(),
      rejection: z.object({ reason: z.string(), party: z.string().optional(), detail: z.string().optional() }).passthrough().optional(),
      complaint: z.object({ type: z.string().optional() }).passthrough().optional(),
      failure: z.object({ reason: z.string().optional() }).passthrough().optional(),
    })
    .passthrough(),
  metadata: z.object({ eventTimestamp: z.string().optional() }).passthrough().optional(),
});
export type EmailSendingEvent = z.infer<typeof EmailSendingEventSchema>;

/**
 * A provider's report about one message we sent, as the lead's engine takes it: whatever
 * the provider (Email Service's queue, a signed webhook), it comes down to one of these.
 * `eventId` is the provider's own id for the event: the same event twice changes the lead once.
 */
export const DeliveryReportSchema = z.discriminatedUnion("outcome", [
  z.object({ outcome: z.literal("delivered"), eventId: z.string(), touchKey: z.string(), messageId: z.string(), detail: z.string() }),
  z.object({ outcome: z.literal("deferred"), eventId: z.string(), touchKey: z.string(), messageId: z.string(), detail: z.string() }),
  z.object({
    outcome: z.literal("bounced"),
    eventId: z.string(),
    bounceType: z.enum(["hard", "soft"]),
    address: z.string(),
    status: z.string().optional(),
    diagnostic: z.string(),
    evidence: z.string(),
  }),
  z.object({ outcome: z.literal("complained"), eventId: z.string(), evidence: z.string() }),
]);
export type DeliveryReport = z.infer<typeof DeliveryReportSchema>;

/**
 * A Resend webhook about an email (https://resend.com/docs/webhooks/event-types), after its
 * signature is verified. `message_id` is the Message-ID header (ours), `email_id` Resend's
 * own id; either ties the event to a touch. Fields we do not act on pass through.
 */
export const ResendEmailEventSchema = z.object({
  type: z.string().regex(/^email\.[a-z_]+$/),
  created_at: z.string().optional(),
  data: z
    .object({
      email_id: z.string().min(1).max(200),
      message_id: z.string().max(998).optional(),
      to: z.array(z.string().max(320)).min(1).max(50),
      bounce: z
        .object({ message: z.string().max(2000).optional(), type: z.string().max(100).optional(), subType: z.string().max(100).optional() })
        .passthrough()
        .optional(),
      suppressed: z
        .object({ message: z.string().max(2000).optional(), type: z.string().max(100).optional() })
        .passthrough()
        .optional(),
      failed: z
        .object({ reason: z.string().max(2000).optional() })
        .passthrough()
        .optional(),
    })
    .passthrough(),
});
export type ResendEmailEvent = z.infer<typeof ResendEmailEventSchema>;
