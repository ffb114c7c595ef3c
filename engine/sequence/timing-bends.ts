import type { Change, HumanSignal } from "../lead/lead-state";
import { findEnrolment, log } from "../lead/lead-change";
import { dueTimeFor, schedule } from "./step-schedule";

const HOUR = 3_600_000;

/** Human signals bend timing: an open pulls the next touch sooner, a click jumps to the booking ask. */
export function bendTiming(change: Change, signal: HumanSignal, now: number): Change {
  let c = change;
  for (const enrolment of change.state.enrolments) {
    if (enrolment.status !== "active" || !enrolment.next || !signal.messageKey) continue;
    if (!enrolment.emails.some((m) => m.key === signal.messageKey)) continue;
    const { next, sequence } = enrolment;
    const { openedSooner, clickedToBookingAsk } = sequence.rules;
    const nextStep = sequence.steps[next.stepIndex]!;
    if (signal.kind === "click" && clickedToBookingAsk.enabled) {
      const booking = sequence.steps.findIndex((s, i) => i >= next.stepIndex && s.intent === "booking_ask");
      const base = now + clickedToBookingAsk.afterHours * HOUR;
      if (booking >= 0 && (booking !== next.stepIndex || base < next.base)) {
        c = schedule(c, enrolment.id, booking, base, now, true);
        const to = findEnrolment(c.state, enrolment.id)!.next!.dueAt;
        c = log(c, now, {
          kind: "timing_changed",
          enrolmentId: enrolment.id,
          sequenceId: enrolment.sequenceId,
          stepId: sequence.steps[booking]!.id,
          from: next.dueAt,
          to,
          reason: booking === next.stepIndex ? "clicked: booking ask brought forward" : `clicked: jumped from ${nextStep.id} to the booking ask`,
        });
        continue;
      }
    }
    const latest = enrolment.emails.at(-1)?.key === signal.messageKey;
    if ((signal.kind === "open" || signal.kind === "click") && openedSooner.enabled && latest && !next.bent) {
      const base = Math.max(now + openedSooner.minHours * HOUR, enrolment.lastStepAt + (next.base - enrolment.lastStepAt) * openedSooner.keepFraction);
      if (base >= next.base) continue;
      // The window may put it back where it was: then the plan stands.
      if (dueTimeFor(c.state, enrolment, next.stepIndex, Math.max(base, now)) >= next.dueAt) continue;
      c = schedule(c, enrolment.id, next.stepIndex, base, now, true);
      const to = findEnrolment(c.state, enrolment.id)!.next!.dueAt;
      c = log(c, now, {
        kind: "timing_changed",
        enrolmentId: enrolment.id,
        sequenceId: enrolment.sequenceId,
        stepId: nextStep.id,
        from: next.dueAt,
        to,
        reason: "opened: next touch pulled sooner",
      });
    }
  }
  return c;
}
