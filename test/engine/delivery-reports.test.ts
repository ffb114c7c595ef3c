import { describe, expect, it } from "vitest";
import { applyEvent } from "../../engine/lead/lead-engine";
import type { LeadState } from "../../engine/lead/lead-state";
import { deliveryReportOf } from "../../engine/inbound/email-sending-event";
import { EmailSendingEventSchema, type DeliveryReport } from "../../schemas/delivery-event";

const T0 = Date.UTC(2026, 10, 2, 9, 0);
const LEAD = "0123456789abcdef0123456789abcdef";

function lead(): LeadState {
  const outcome = applyEvent(
    null,
    { kind: "form_submitted", leadId: LEAD, submission: { formId: "demo", receivedAt: T0, profile: { email: "ann@example.com" }, consent: {}, utm: {}, custom: {} } },
    T0,
  );
  return outcome.state!;
}

const soft = (eventId: string): DeliveryReport => ({
  outcome: "bounced",
  eventId,
  bounceType: "soft",
  address: "ann@example.com",
  diagnostic: "452 4.2.2 Mailbox full",
  evidence: "test",
});

describe("delivery reports in the engine", () => {
  it("the same event id twice changes nothing the second time", () => {
    const once = applyEvent(lead(), { kind: "delivery_reported", report: soft("e1") }, T0 + 1).state!;
    expect(once.softBounces).toBe(1);
    const again = applyEvent(once, { kind: "delivery_reported", report: soft("e1") }, T0 + 2);
    expect(again.effects).toEqual([]);
    expect(again.state).toBe(once);
  });

  it("remembers a bounded number of event ids", () => {
    let state = lead();
    for (let i = 0; i < 120; i++)
      state = applyEvent(state, { kind: "delivery_reported", report: { outcome: "delivered", eventId: `d${i}`, touchKey: "k", messageId: "<m>", detail: "250 OK" } }, T0 + i)
        .state!;
    expect(state.deliveryEventIds).toHaveLength(100);
    expect(state.deliveryEventIds!.at(-1)).toBe("d119");
  });
});

describe("Email Service events read as delivery reports", () => {
  const touch = { key: "k1", to: "ann@example.com", messageId: "<abc@example.com>" };
  const event = (type: string, payload: Record<string, unknown>) =>
    EmailSendingEventSchema.parse({
      type: `cf.email.sending.message.${type}`,
      source: { type: "email.sending" },
      payload: { eventId: "e", messageId: "abc@example.com", recipient: "ann@example.com", delivery: { status: type }, ...payload },
    });

  it("a bounce without a classification is hard when its status is permanent (5.x.x)", () => {
    expect(deliveryReportOf(event("bounced", { delivery: { status: "bounced", smtpEnhancedStatusCode: "5.1.1" } }), touch)).toMatchObject({
      outcome: "bounced",
      bounceType: "hard",
      status: "5.1.1",
    });
    expect(deliveryReportOf(event("bounced", { delivery: { status: "bounced", smtpEnhancedStatusCode: "4.4.7" } }), touch)).toMatchObject({
      outcome: "bounced",
      bounceType: "soft",
    });
  });

  it("only a rejection for a suppressed recipient is about the address; a failure never is", () => {
    expect(deliveryReportOf(event("rejected", { rejection: { reason: "suppressed" } }), touch)).toMatchObject({ outcome: "bounced", bounceType: "hard" });
    expect(deliveryReportOf(event("rejected", { rejection: { reason: "spam" } }), touch)).toHaveProperty("ignored");
    expect(deliveryReportOf(event("failed", { failure: { reason: "delivery_failed" } }), touch)).toHaveProperty("ignored");
  });
});
