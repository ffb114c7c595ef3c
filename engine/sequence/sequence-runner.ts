import type { BranchAction, Condition } from "../../schemas/sequence";
import type { Change, Enrolment, HumanSignal } from "../lead/lead-state";
import { effect, findEnrolment, log, updateEnrolment } from "../lead/lead-change";
import type { SequenceConfig } from "./sequence-config";
import { endEnrolment, planStep } from "./enrolment";
import { dispatch } from "./touch-dispatch";
import { wordingOf } from "./touch-wording";

/**
 * Runs a step when its timer fires: decides its branch from what the lead did as a person,
 * sends its touches (or holds them for review), and plans the next step.
 */

/** Did the lead, as a person, do what the condition asks within its window? */
function holds(condition: Condition, enrolment: Enrolment, signals: HumanSignal[]): boolean {
  const since = condition.since === "enrolment" ? enrolment.startedAt : enrolment.lastStepAt;
  const stepKeys = condition.step ? new Set(enrolment.emails.filter((m) => m.stepId === condition.step).map((m) => m.key)) : null;
  // Opens and clicks of a step that sent no email (a lead on the SMS path) cannot be seen: the branch does not apply.
  if (stepKeys?.size === 0 && (condition.signal === "opened" || condition.signal === "clicked")) return false;
  const recent = signals.filter((s) => s.at >= since);
  const ofStep = (s: HumanSignal) => stepKeys === null || (s.messageKey !== undefined && stepKeys.has(s.messageKey));
  let happened: boolean;
  switch (condition.signal) {
    // A click or a reply proves the email was opened, whatever the pixel saw.
    case "opened":
      happened = recent.some((s) => (s.kind === "open" || s.kind === "click" || s.kind === "reply") && ofStep(s));
      break;
    case "clicked":
      happened = recent.some((s) => s.kind === "click" && ofStep(s));
      break;
    case "visited":
      happened = recent.some((s) => s.kind === "visit" && (!condition.pageClass || s.pageClass === condition.pageClass));
      break;
    case "replied":
      happened = recent.some((s) => s.kind === "reply");
      break;
    case "engaged":
      happened = recent.length > 0;
      break;
    case "nothing":
      happened = recent.length === 0;
      break;
  }
  return condition.not ? !happened : happened;
}

function describe(condition: Condition): string {
  const what = condition.signal === "nothing" ? "did nothing" : `${condition.not ? "not " : ""}${condition.signal}`;
  const detail = [condition.step && `step ${condition.step}`, condition.pageClass && `${condition.pageClass} pages`].filter(Boolean).join(", ");
  return `${what}${detail ? ` (${detail})` : ""} since the ${condition.since === "enrolment" ? "enrolment" : "previous step"}`;
}

function describeAction(action: BranchAction): string {
  switch (action.do) {
    case "goto":
    case "resend":
      return `${action.do} ${action.step}`;
    case "enrol":
      return `enrol in ${action.sequence}`;
    default:
      return action.do;
  }
}

/** The step's timer fired: decide its branch, send its touches, plan the next step. */
export function runStep(change: Change, enrolmentId: string, now: number, config: SequenceConfig): Change {
  const enrolment = findEnrolment(change.state, enrolmentId);
  if (enrolment?.status !== "active" || !enrolment.next) {
    return effect(change, { kind: "unschedule", timer: { kind: "step", enrolmentId } });
  }
  const { next, sequence } = enrolment;
  // A timer that fires early (a duplicate, or a clock change) waits for its time.
  if (next.dueAt > now) return effect(change, { kind: "schedule", timer: { kind: "step", enrolmentId }, at: next.dueAt });
  const step = sequence.steps[next.stepIndex]!;
  const branch = step.branches.find((b) => holds(b.if, enrolment, change.state.humanSignals));
  const action: BranchAction = branch?.then ?? { do: "send" };
  let c = change;
  if (action.do === "send" && wordingOf(c.state, enrolment, step).origin === "hold") {
    // No timer until the owner reviews: the review runs the step (see reviewDraft).
    if (!next.held) {
      c = updateEnrolment(c, enrolmentId, (e) => ({ ...e, next: { ...next, held: true } }));
      c = log(c, now, { kind: "touch_held", enrolmentId, sequenceId: enrolment.sequenceId, stepId: step.id, reason: "its draft waits for the owner's review" });
    }
    return effect(c, { kind: "unschedule", timer: { kind: "step", enrolmentId } });
  }
  if (branch) {
    c = log(c, now, { kind: "step_branched", enrolmentId, sequenceId: enrolment.sequenceId, stepId: step.id, condition: describe(branch.if), action: describeAction(action) });
  }
  let continueAt = next.stepIndex + 1;
  const indexOf = (id: string) => sequence.steps.findIndex((s) => s.id === id);
  switch (action.do) {
    case "send":
      c = dispatch(c, enrolmentId, step, now, config);
      break;
    case "skip":
      c = log(c, now, { kind: "touch_skipped", enrolmentId, sequenceId: enrolment.sequenceId, stepId: step.id, reason: `branch: ${describe(branch!.if)}` });
      break;
    case "goto":
      c = dispatch(c, enrolmentId, sequence.steps[indexOf(action.step)]!, now, config);
      continueAt = indexOf(action.step) + 1;
      break;
    case "resend": {
      c = dispatch(c, enrolmentId, sequence.steps[indexOf(action.step)]!, now, config, action.subject);
      // The email goes again in place of this step's; this step's text (or task) still goes.
      const others = step.channels.filter((channel) => channel !== "email");
      if (others.length > 0) c = dispatch(c, enrolmentId, { ...step, channels: others }, now, config);
      break;
    }
    case "enrol":
      c = endEnrolment(c, enrolmentId, "moved", `moved to ${action.sequence}`, now);
      return effect(c, { kind: "enrol", sequenceId: action.sequence, reason: "branch" });
    case "complete":
      return endEnrolment(c, enrolmentId, "completed", `branch: ${describe(branch!.if)}`, now);
  }
  c = updateEnrolment(c, enrolmentId, (e) => ({ ...e, lastStepAt: now }));
  return planStep(c, enrolmentId, continueAt, now);
}
