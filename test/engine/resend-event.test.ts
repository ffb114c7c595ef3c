import { describe, expect, it } from "vitest";
import { resendReportOf } from "../../engine/inbound/resend-event";
import { ResendEmailEventSchema } from "../../schemas/delivery-event";

/** What each Resend email event means for the lead (its shapes: resend-node `webhook-event.interface.ts`). */

const touch = { key: "t1", to: "ann@example.org", messageId: "<t1.lead@example.com>" };
const event = (type: string, extra: Record<string, unknown> = {}) =>
  ResendEmailEventSchema.parse({
    type,
    created_at: "2026-11-30T12:00:00Z",
    data: { email_id: "e-1", message_id: touch.messageId, to: [touch.to], from: "sam@example.com", subject: "Hi", ...extra },
  });

describe("resendReportOf", () => {
  it("classifies bounces as Resend (and SES) do: only Permanent is hard; an enhanced status in the message is kept", () => {
    const bounce = (type: string, message: string) => resendReportOf(event("email.bounced", { bounce: { type, subType: "General", message } }), touch, "msg_1");
    expect(bounce("Permanent", "550 5.1.1 user unknown")).toMatchObject({
      outcome: "bounced",
      bounceType: "hard",
      status: "5.1.1",
      address: touch.to,
      diagnostic: "550 5.1.1 user unknown",
    });
    expect(bounce("Transient", "452 4.2.2 mailbox full")).toMatchObject({ bounceType: "soft", status: "4.2.2" });
    expect(bounce("Undetermined", "no reason given")).toMatchObject({ bounceType: "soft" });
    expect(bounce("Undetermined", "no reason given")).not.toHaveProperty("status");
  });

  it("a suppressed recipient is a hard bounce; a complaint is a complaint; delivered and delayed name the touch", () => {
    expect(resendReportOf(event("email.suppressed", { suppressed: { type: "OnAccountSuppressionList", message: "listed" } }), touch, "msg_2")).toMatchObject({
      outcome: "bounced",
      bounceType: "hard",
      diagnostic: "suppressed by Resend: listed",
    });
    expect(resendReportOf(event("email.complained"), touch, "msg_3")).toMatchObject({ outcome: "complained", eventId: "msg_3" });
    expect(resendReportOf(event("email.delivered"), touch, "msg_4")).toMatchObject({ outcome: "delivered", touchKey: "t1", messageId: touch.messageId });
    expect(resendReportOf(event("email.delivery_delayed"), touch, "msg_5")).toMatchObject({ outcome: "deferred", touchKey: "t1" });
  });

  it("sends, opens, clicks and sending failures change nothing about the address", () => {
    for (const type of ["email.sent", "email.opened", "email.clicked", "email.failed", "email.scheduled", "email.received"]) {
      expect(resendReportOf(event(type), touch, "msg_6")).toHaveProperty("ignored");
    }
  });
});
