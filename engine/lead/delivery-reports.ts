import type { DeliveryReport } from "../../schemas/delivery-event";
import { dropDelivery } from "../sequence/deliveries";
import type { SequenceConfig } from "../sequence/sequence-config";
import { effect, log } from "./lead-change";
import { optOut } from "./lead-lifecycle";
import type { Change } from "./lead-state";

/**
 * What providers and mail servers report about the lead's address after a send: bounces,
 * complaints, deliveries and deferrals, each provider's vocabulary already mapped.
 */

/**
 * A delivery failure reported for the lead's address. Hard: the address is bad, so email
 * stops and it is suppressed. Soft: the next touches go as planned (the retry), and only
 * repeated soft failures with no sign of life between suppress it.
 */
export function bounced(
  change: Change,
  bounce: { bounceType: "hard" | "soft"; address: string; status?: string; diagnostic: string; evidence?: string },
  now: number,
  config: SequenceConfig,
): Change {
  const softBounces = (change.state.softBounces ?? 0) + (bounce.bounceType === "soft" ? 1 : 0);
  const suppressed = bounce.bounceType === "hard" || softBounces >= config.softBounceLimit;
  let c = log(change, now, { kind: "bounced", ...bounce, suppressed });
  c = { ...c, state: { ...c.state, softBounces } };
  if (!suppressed || c.state.emailUndeliverable) return c;
  const reason = bounce.bounceType === "hard" ? `hard bounce${bounce.status ? ` ${bounce.status}` : ""}` : `${softBounces} soft bounces`;
  c = { ...c, state: { ...c.state, emailUndeliverable: reason } };
  for (const delivery of c.state.deliveries.filter((d) => d.touch.channel === "email")) {
    const { touch } = delivery;
    c = log(dropDelivery(c, touch.key), now, {
      kind: "touch_skipped",
      enrolmentId: touch.enrolmentId,
      sequenceId: touch.sequenceId,
      stepId: touch.stepId,
      channel: "email",
      reason: `the address bounced: ${reason}`,
    });
  }
  return effect(c, { kind: "suppress", channel: "email", value: bounce.address, reason, ...(bounce.evidence ? { evidence: bounce.evidence } : {}) });
}

/** How many provider event ids a lead remembers: redeliveries come within hours, and a lead gets few touches. */
const REMEMBERED_DELIVERY_EVENTS = 100;

/**
 * A provider's report on a message we sent. Each provider's vocabulary is mapped before it
 * reaches here, so every provider takes the same path: a bounce is `bounced` (hard
 * suppresses, soft counts toward the limit), a complaint is an opt-out by `complaint`, and a
 * delivery or deferral goes on the timeline. The event's id is remembered, so the same event
 * delivered again (queues deliver at least once) changes nothing.
 */
export function deliveryReported(change: Change, report: DeliveryReport, now: number, config: SequenceConfig): Change {
  const deliveryEventIds = [...(change.state.deliveryEventIds ?? []), report.eventId].slice(-REMEMBERED_DELIVERY_EVENTS);
  const c: Change = { ...change, state: { ...change.state, deliveryEventIds } };
  switch (report.outcome) {
    case "bounced": {
      const { outcome: _, eventId: __, ...bounce } = report;
      return bounced(c, bounce, now, config);
    }
    case "complained":
      return optOut(c, "email", "complaint", now, report.evidence);
    case "delivered":
      return log(c, now, { kind: "touch_delivered", key: report.touchKey, messageId: report.messageId, detail: report.detail });
    case "deferred":
      return log(c, now, { kind: "touch_deferred_by_provider", key: report.touchKey, messageId: report.messageId, detail: report.detail });
    default:
      return report satisfies never;
  }
}
