import type { SendingWindow, Step, Wait } from "../../schemas/sequence";
import { isTextChannel } from "../../schemas/lead";
import type { Change, Enrolment, LeadState } from "../lead/lead-state";
import { effect, findEnrolment, updateEnrolment } from "../lead/lead-change";
import { addLocalDays, localTimeOnDay } from "../time/local-time";
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

/**
 * The opening nearest to `base`: the next one, or the latest one before it when that is
 * closer and not before `earliest`. A day-5 touch that lands on a Saturday goes on Friday
 * rather than Monday, so the playbook's days hold within one.
 */
function nearestOpening(base: number, state: LeadState, windows: SendingWindow[], earliest: number): number {
  const timeZone = state.timezone;
  const next = nextOpeningFor(state, windows, base);
  if (next === base || earliest >= base) return next;
  for (let daysBack = 0; daysBack <= 3; daysBack++) {
    for (const window of windows.filter((w) => w !== SMS_QUIET_HOURS)) {
      // The same local time of day, or the window's last half hour when the touch falls after it.
      const sameTime = addLocalDays(base, timeZone, -daysBack);
      const lastHalfHour = localTimeOnDay(sameTime, timeZone, 0, window.end) - 30 * 60_000;
      for (const candidate of [sameTime, lastHalfHour]) {
        if (candidate > base || candidate < earliest || nextOpeningFor(state, windows, candidate) !== candidate) continue;
        return base - candidate < next - base ? candidate : next;
      }
    }
  }
  return next;
}

/**
 * When a step planned for `base` may run: inside its window (the nearest opening, never
 * before `earliest`), at the lead's peak hour when asked and known.
 */
export function dueTimeFor(state: LeadState, enrolment: Enrolment, stepIndex: number, base: number, earliest = base): number {
  const { sequence } = enrolment;
  const step = sequence.steps[stepIndex]!;
  const windows = stepWindows(enrolment, step);
  const due = nearestOpening(base, state, windows, earliest);
  const { peakHour: peak } = sequence.rules;
  if (!step.atPeakHour || !peak.enabled) return due;
  const hour = peakHour(
    state.humanSignals.filter((s) => s.kind === "open" || s.kind === "click").map((s) => s.at),
    state.timezone,
    peak.minSignals,
  );
  if (hour === null) return due;
  const following = sequence.steps[stepIndex + 1];
  const limit = following ? addWait(Math.max(base, due), state.timezone, following.wait) : due + 86_400_000;
  return atPeakHour(due, state.timezone, hour, windows, limit);
}

/**
 * An instant step answers the lead's own request at once: only in the enrolment its form
 * post started. Entered any other way (routing, the owner, a branch), it keeps the window.
 */
export function answersAtOnce(enrolment: Enrolment, step: Step): boolean {
  return step.instant && (enrolment.reason === undefined || enrolment.reason === "form");
}

/** An instant step answers the lead at once; a step only of texts (SMS, WhatsApp) also keeps quiet hours. */
function stepWindows(enrolment: Enrolment, step: Step): SendingWindow[] {
  if (answersAtOnce(enrolment, step)) return [];
  const { sequence } = enrolment;
  return step.channels.every(isTextChannel) ? [sequence.window, SMS_QUIET_HOURS] : [sequence.window];
}

/** Plans the step for `base` (not before `earliest`, which defaults to `base`: no earlier than planned). */
export function schedule(change: Change, enrolmentId: string, stepIndex: number, base: number, now: number, bent = false, earliest = base): Change {
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  const start = Math.max(base, now);
  const dueAt = dueTimeFor(change.state, enrolment, stepIndex, start, Math.max(earliest, now));
  const next = { stepIndex, base: start, dueAt, bent };
  return effect(
    updateEnrolment(change, enrolmentId, (e) => ({ ...e, next })),
    { kind: "schedule", timer: { kind: "step", enrolmentId }, at: dueAt },
  );
}
