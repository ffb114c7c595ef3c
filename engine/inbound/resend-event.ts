import type { DeliveryReport, ResendEmailEvent } from "../../schemas/delivery-event";
import type { SentTouch } from "./email-sending-event";

/** An RFC 3463 enhanced status code in a provider's diagnostic text, if it quotes one. */
const ENHANCED_STATUS = /\b([245]\.\d{1,3}\.\d{1,3})\b/;

/**
 * What a verified Resend webhook means for the lead, or why it means nothing: the same
 * reports Email Service's events become (engine/inbound/email-sending-event.ts). Resend
 * classifies bounces the way Amazon SES does: `Permanent` is the address (hard), `Transient`
 * and `Undetermined` may pass (soft). `email.suppressed` is Resend refusing an address that
 * bounced or complained before, so it is a hard bounce here too. Resend's own opens and
 * clicks are not used: the engine's pixel and links already judge those, human or machine.
 * `eventId` is the webhook's `svix-id`, the same on every retry of one event.
 */
export function resendReportOf(event: ResendEmailEvent, touch: SentTouch, eventId: string): DeliveryReport | { ignored: string } {
  const { data } = event;
  const evidence = `Resend webhook ${eventId} for email ${data.email_id} (our Message-ID <${touch.messageId.replace(/^<|>$/g, "")}>)`;
  const address = touch.to;
  switch (event.type) {
    case "email.delivered":
      return { outcome: "delivered", eventId, touchKey: touch.key, messageId: touch.messageId, detail: "accepted by the recipient's server (Resend)" };
    case "email.delivery_delayed":
      return { outcome: "deferred", eventId, touchKey: touch.key, messageId: touch.messageId, detail: "temporarily refused; Resend retries" };
    case "email.bounced": {
      const diagnostic = data.bounce?.message?.trim() || `bounced (${data.bounce?.type ?? "no type given"})`;
      const status = ENHANCED_STATUS.exec(diagnostic)?.[1];
      const bounceType = data.bounce?.type === "Permanent" ? "hard" : "soft";
      return { outcome: "bounced", eventId, bounceType, address, ...(status ? { status } : {}), diagnostic, evidence };
    }
    case "email.suppressed":
      return {
        outcome: "bounced",
        eventId,
        bounceType: "hard",
        address,
        diagnostic: `suppressed by Resend: ${data.suppressed?.message?.trim() || "the recipient bounced or complained before"}`,
        evidence,
      };
    case "email.complained":
      return { outcome: "complained", eventId, evidence: `complaint: ${evidence}` };
    case "email.failed":
      return { ignored: `failed (${data.failed?.reason ?? "no reason given"}): a sending error, not about the address` };
    default:
      return { ignored: `${event.type}: nothing for the lead (opens and clicks are judged by our own pixel and links)` };
  }
}
