import type { DeliveryReport, EmailSendingEvent } from "../../schemas/delivery-event";

/** The touch an event's Message-ID names, as we recorded it when the touch went out. */
export interface SentTouch {
  key: string;
  to: string;
  messageId: string;
}

/**
 * What an Email Service event means for the lead, or why it means nothing. Only what the
 * recipient's side said about the address acts on the lead: a bounce, a complaint, and a
 * rejection because Email Service itself suppresses the address (it bounced or complained
 * before, perhaps from another Worker). A `failed` event (the platform's own error) or a
 * rejection of our content says nothing about the address, so it is logged, not applied.
 */
export function deliveryReportOf(event: EmailSendingEvent, touch: SentTouch): DeliveryReport | { ignored: string } {
  const { payload } = event;
  const { eventId } = payload;
  const smtp = payload.delivery.smtpResponse;
  const evidence = `Email Service event ${eventId} for our Message-ID <${touch.messageId.replace(/^<|>$/g, "")}>`;
  switch (event.type) {
    case "cf.email.sending.message.delivered":
      return { outcome: "delivered", eventId, touchKey: touch.key, messageId: touch.messageId, detail: smtp ?? "accepted by the recipient's server" };
    case "cf.email.sending.message.deferred":
      return {
        outcome: "deferred",
        eventId,
        touchKey: touch.key,
        messageId: touch.messageId,
        detail: payload.bounce?.reason ?? smtp ?? "temporarily refused; Email Service retries",
      };
    case "cf.email.sending.message.bounced": {
      const status = payload.delivery.smtpEnhancedStatusCode;
      // The docs send a bounce classification; without one, a 5.x.x status is the permanent kind.
      const bounceType = payload.bounce?.type ?? (status?.startsWith("5") ? "hard" : "soft");
      return {
        outcome: "bounced",
        eventId,
        bounceType,
        address: payload.recipient,
        ...(status ? { status } : {}),
        diagnostic: payload.bounce?.reason ?? smtp ?? "bounced",
        evidence,
      };
    }
    case "cf.email.sending.message.complained":
      return { outcome: "complained", eventId, evidence: `complaint (${payload.complaint?.type ?? "abuse"}): ${evidence}` };
    case "cf.email.sending.message.rejected":
      if (payload.rejection?.reason === "suppressed") {
        return {
          outcome: "bounced",
          eventId,
          bounceType: "hard",
          address: payload.recipient,
          diagnostic: `rejected by Email Service: ${payload.rejection.detail ?? "the recipient is suppressed"}`,
          evidence,
        };
      }
      return { ignored: `rejected (${payload.rejection?.reason ?? "no reason given"}): not about the address` };
    case "cf.email.sending.message.failed":
      return { ignored: `failed (${payload.failure?.reason ?? "no reason given"}): a platform error, not about the address` };
    default:
      return event.type satisfies never;
  }
}
