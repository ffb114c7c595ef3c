import type { Sequence, SendingWindow, Step, Wait } from "../../schemas/sequence";
import type { Change, Enrolment, LeadState } from "../lead/lead-state";
import { effect, findEnrolment, updateEnrolment } from "../lead/lead-change";
import { addLocalDays } from "../time/local-time";
import { atPeakHour, peakHour, SMS_QUIET_HOURS } from "../time/sending-window";
import { nextOpeningFor } from "../lead/lead-timezone";

/**
 * When a step runs: its wait counted in the lead's own days, moved into the sequence's
 * sending window (and SMS quiet hours), at the lead's peak hour when the step asks for it.
 */

const HOUR = 3_600_000;

export function addWait(from: number, timeZone: string, wait: Wait): number {
  return addLocalDays(from, timeZone, wait.days) + wait.hours * HOUR;
}

/** When a step planned for `base` may run: inside its window, at the lead's peak hour when asked and known. */
export function dueTimeFor(state: LeadState, enrolment: Enrolment, stepIndex: number, base: number): number {
  const { sequence } = enrolment;
  const step = sequence.steps[stepIndex]!;
  const windows = stepWindows(sequence, step);
  const due = nextOpeningFor(state, windows, base);
  const { peakHour: peak } = sequence.rules;
  if (!step.atPeakHour || !peak.enabled) return due;
  const hour = peakHour(
    state.humanSignals.filter((s) => s.kind === "open" || s.kind === "click").map((s) => s.at),
    state.timezone,
    peak.minSignals,
  );
  if (hour === null) return due;
  const following = sequence.steps[stepIndex + 1];
  const limit = following ? addWait(base, state.timezone, following.wait) : due + 86_400_000;
  return atPeakHour(due, state.timezone, hour, windows, limit);
}

/** An instant step answers the lead at once; an SMS-only step also keeps quiet hours. */
function stepWindows(sequence: Sequence, step: Step): SendingWindow[] {
  if (step.instant) return [];
  return step.channels.every((c) => c === "sms") ? [sequence.window, SMS_QUIET_HOURS] : [sequence.window];
}

export function schedule(change: Change, enrolmentId: string, stepIndex: number, base: number, now: number, bent = false): Change {
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  const start = Math.max(base, now);
  const dueAt = dueTimeFor(change.state, enrolment, stepIndex, start);
  const next = { stepIndex, base: start, dueAt, bent };
  return effect(
    updateEnrolment(change, enrolmentId, (e) => ({ ...e, next })),
    { kind: "schedule", timer: { kind: "step", enrolmentId }, at: dueAt },
  );
}
