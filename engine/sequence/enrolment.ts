import type { EnrolReason } from "../../schemas/lead";
import type { SequenceVersion } from "../../schemas/sequence";
import type { Change, Enrolment, LeadState } from "../lead/lead-state";
import { effect, findEnrolment, HALTED, log, updateEnrolment } from "../lead/lead-change";
import { addWait, schedule } from "./step-schedule";
import { mayEnrol, refuseEnrolment } from "./lawful-basis";

/** A lead's enrolments: how one starts, how each step is planned after the last, how one ends. */

const DAY = 86_400_000;

/** The step's day as the sequence writes it: its waits added up from the enrolment's anchor, in the lead's own days. */
function anchoredTime(enrolment: Enrolment, stepIndex: number, timeZone: string): number {
  // Stored before anchors existed: count from the step that just ran, as those enrolments always did.
  const anchor = enrolment.anchor ?? { at: enrolment.lastStepAt, fromStep: stepIndex };
  const waits = enrolment.sequence.steps.slice(anchor.fromStep, stepIndex + 1).map((s) => s.wait);
  const days = waits.reduce((sum, w) => sum + w.days, 0);
  const hours = waits.reduce((sum, w) => sum + w.hours, 0);
  return addWait(anchor.at, timeZone, { days, hours });
}

/**
 * Plans the step at `stepIndex` on its anchored day; past the last step the enrolment
 * completes. A step that runs late (a weekend, an out-of-office) keeps some room before
 * the next — up to a day, or half that when the window moves a touch earlier — so late
 * steps never bunch up, and never push the ones after them.
 */
export function planStep(change: Change, enrolmentId: string, stepIndex: number, now: number): Change {
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  const step = enrolment.sequence.steps[stepIndex];
  if (!step) return endEnrolment(change, enrolmentId, "completed", "every step has run", now);
  const { timezone } = change.state;
  const room = Math.min(addWait(now, timezone, step.wait) - now, DAY);
  const planned = Math.max(anchoredTime(enrolment, stepIndex, timezone), now + room);
  return schedule(change, enrolmentId, stepIndex, planned, now, false, now + room / 2);
}

/** A paused enrolment continues: its next step keeps its own wait from now, and the ones after it their spacing. */
export function resumeEnrolment(change: Change, enrolmentId: string, now: number): Change {
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  const fromStep = enrolment.resumeStep ?? 0;
  // `lastStepAt` stays: what the lead did since the step before the pause still decides the next one's branch.
  const c = updateEnrolment(change, enrolmentId, (e) => ({ ...e, status: "active", anchor: { at: now, fromStep } }));
  return planStep(c, enrolmentId, fromStep, now);
}

export type EndOutcome = "completed" | "moved" | "paused" | "booked" | "unsubscribed";

export function endEnrolment(change: Change, enrolmentId: string, outcome: EndOutcome, reason: string, now: number): Change {
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  let c = updateEnrolment(change, enrolmentId, (e) => {
    const { next, ...rest } = e;
    if (outcome === "paused") return { ...rest, status: "paused", ...(next ? { resumeStep: next.stepIndex } : {}) };
    return { ...rest, status: outcome === "moved" || outcome === "unsubscribed" ? "ended" : "completed" };
  });
  c = effect(c, { kind: "unschedule", timer: { kind: "step", enrolmentId } });
  c = { ...c, state: { ...c.state, drafts: c.state.drafts.filter((d) => d.enrolmentId !== enrolmentId) } };
  c = log(c, now, { kind: "enrolment_ended", enrolmentId, sequenceId: enrolment.sequenceId, outcome, reason });
  if (c.state.status === "active" && !c.state.enrolments.some((e) => e.status === "active")) {
    c = { ...c, state: { ...c.state, status: "completed" } };
  }
  return c;
}

/**
 * Enrols the lead; nothing changes when it already runs (or holds) this sequence, or when
 * automation must not start. A lead runs one cadence at a time: the one it was in ends.
 */
export function enrol(change: Change, sequence: SequenceVersion, reason: EnrolReason, now: number): Change {
  if (HALTED.includes(change.state.status)) return change;
  if (isEnrolled(change.state, sequence.id)) return change;
  // Refused before anything ends: a marketing cadence the lead has no consent for leaves it where it is.
  if (!mayEnrol(change.state, sequence.sequence)) return refuseEnrolment(change, sequence, now);
  let c = change;
  for (const other of c.state.enrolments.filter((e) => e.status === "active" || e.status === "paused")) c = endEnrolment(c, other.id, "moved", `moved to ${sequence.id}`, now);
  const { state } = c;
  c = log(c, now, { kind: "enrolled", enrolmentId: `e${state.lastSeq + 1}`, sequenceId: sequence.id, version: sequence.version, reason });
  const enrolment: Enrolment = {
    id: `e${c.state.lastSeq}`,
    sequenceId: sequence.id,
    version: sequence.version,
    sequence: sequence.sequence,
    reason,
    status: "active",
    startedAt: now,
    lastStepAt: now,
    anchor: { at: now, fromStep: 0 },
    touches: 0,
    emails: [],
  };
  c = { ...c, state: { ...c.state, status: "active", enrolments: [...c.state.enrolments, enrolment] } };
  return planStep(c, enrolment.id, 0, now);
}

export function isEnrolled(state: LeadState, sequenceId: string): boolean {
  return state.enrolments.some((e) => e.sequenceId === sequenceId && (e.status === "active" || e.status === "paused"));
}
