import type { EnrolReason } from "../../schemas/lead";
import type { SequenceVersion } from "../../schemas/sequence";
import type { Change, Enrolment, LeadState } from "../lead/lead-state";
import { effect, findEnrolment, HALTED, log, updateEnrolment } from "../lead/lead-change";
import { addWait, schedule } from "./step-schedule";
import { mayEnrol, refuseEnrolment } from "./lawful-basis";

/** A lead's enrolments: how one starts, how each step is planned after the last, how one ends. */

/** Plans the step at `stepIndex`, its wait counted from `from`; past the last step the enrolment completes. */
export function planStep(change: Change, enrolmentId: string, stepIndex: number, from: number, now: number): Change {
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  const step = enrolment.sequence.steps[stepIndex];
  if (!step) return endEnrolment(change, enrolmentId, "completed", "every step has run", now);
  const planned = addWait(from, change.state.timezone, step.wait);
  // A step the window held back (a weekend) must not bunch up with the next one: keep up to a day between them.
  const spaced = now + Math.min(planned - from, 86_400_000);
  return schedule(change, enrolmentId, stepIndex, Math.max(planned, spaced), now);
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

/** Enrols the lead; nothing changes when it already runs (or holds) this sequence, or when automation must not start. */
export function enrol(change: Change, sequence: SequenceVersion, reason: EnrolReason, now: number): Change {
  const { state } = change;
  if (HALTED.includes(state.status)) return change;
  if (state.enrolments.some((e) => e.sequenceId === sequence.id && (e.status === "active" || e.status === "paused"))) return change;
  if (!mayEnrol(state, sequence.sequence)) return refuseEnrolment(change, sequence, now);
  let c = log(change, now, { kind: "enrolled", enrolmentId: `e${state.lastSeq + 1}`, sequenceId: sequence.id, version: sequence.version, reason });
  const enrolment: Enrolment = {
    id: `e${c.state.lastSeq}`,
    sequenceId: sequence.id,
    version: sequence.version,
    sequence: sequence.sequence,
    status: "active",
    startedAt: now,
    lastStepAt: now,
    touches: 0,
    emails: [],
  };
  c = { ...c, state: { ...c.state, status: "active", enrolments: [...c.state.enrolments, enrolment] } };
  return planStep(c, enrolment.id, 0, now, now);
}

export function isEnrolled(state: LeadState, sequenceId: string): boolean {
  return state.enrolments.some((e) => e.sequenceId === sequenceId && (e.status === "active" || e.status === "paused"));
}
