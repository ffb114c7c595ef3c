import type { Channel } from "../../schemas/sequence";
import { answersAtOnce } from "./step-schedule";
import type { Change } from "../lead/lead-state";
import { effect, findEnrolment, HALTED, log } from "../lead/lead-change";
import { draftCalledFor, leadFacts, wantsDraft, worthALine } from "../drafting/touch-drafts";
import type { DraftAnswered, DraftReview, TouchDraft } from "../drafting/draft-types";
import type { SequenceConfig } from "./sequence-config";
import { mergeableProfile } from "./merge-values";
import { schedule } from "./step-schedule";
import { basisOf, templateWords } from "./touch-wording";
import { statedObjection } from "../hand-off/raised-objections";

/**
 * Drafts of the next touches: asked for ahead of their time, answered by a drafter, and
 * reviewed by the owner where the sequence asks for it.
 */

/**
 * Asks for a draft of the enrolment's next step, ahead of its time, so sending never waits
 * on a model. Instant steps answer the lead at once, so they go as written.
 */
function requestDraft(change: Change, enrolmentId: string, now: number, config: SequenceConfig, newSignal: boolean): Change {
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  const step = enrolment.next && enrolment.sequence.steps[enrolment.next.stepIndex];
  if (!step || answersAtOnce(enrolment, step) || enrolment.sequence.drafting.mode === "off" || !step.channels.some((c) => c !== "task")) return change;
  const { state } = change;
  const existing = state.drafts.find((d) => d.enrolmentId === enrolmentId);
  // Rendering waits until a draft is wanted: this runs after every event, opens and page views included.
  // Only a signal a draft could mention refreshes one.
  if (!wantsDraft(existing, step.id, basisOf(state, enrolment, step), now, newSignal && worthALine(state.humanSignals.at(-1)))) return change;
  if (!draftCalledFor(step, enrolment.lastStepAt, state.humanSignals)) return change;
  const words = templateWords(state, enrolment, step, config);
  // The model reads only what a template could merge: a stranger's form field is no instruction to it.
  const { firstName, name, company, title, source } = mergeableProfile(state.profile);
  const profile = Object.fromEntries(Object.entries({ firstName, name, company, title, source }).filter(([, v]) => v !== undefined));
  const channels = step.channels.filter((c): c is Channel => c !== "task");
  const template = {
    ...(words.subject !== undefined ? { subject: words.subject } : {}),
    ...(words.body !== undefined && channels.includes("email") ? { body: words.body } : {}),
    ...(words.sms !== undefined && channels.includes("sms") ? { sms: words.sms } : {}),
  };
  // The objection step answers what the lead said worries it, when it said so.
  const stated = step.intent === "objection" ? statedObjection(state)?.objection : undefined;
  const draft: TouchDraft = {
    enrolmentId,
    sequenceId: enrolment.sequenceId,
    stepId: step.id,
    intent: step.intent,
    template,
    basis: words.basis,
    status: "requested",
    requestedAt: now,
  };
  return effect(
    { ...change, state: { ...state, drafts: [...state.drafts.filter((d) => d.enrolmentId !== enrolmentId), draft] } },
    {
      kind: "draft",
      request: {
        leadId: state.id,
        enrolmentId,
        sequenceId: enrolment.sequenceId,
        stepId: step.id,
        intent: step.intent,
        channels,
        basis: words.basis,
        template,
        profile,
        ...(step.knowledge ? { knowledge: step.knowledge } : {}),
        facts: leadFacts(state),
        ...(stated ? { statedObjection: stated } : {}),
        ...(config.merge.bookingUrl ? { bookingUrl: config.merge.bookingUrl } : {}),
        dueAt: enrolment.next!.dueAt,
        requestedAt: now,
      },
    },
  );
}

/**
 * After every event: each active enrolment's next step has a draft on the way, and new
 * human signals have drafts made again, so they can speak to what the lead just did.
 */
export function requestDrafts(change: Change, now: number, config: SequenceConfig, newSignal: boolean): Change {
  if (HALTED.includes(change.state.status)) return change;
  let c = change;
  for (const enrolment of change.state.enrolments) {
    if (enrolment.status === "active" && enrolment.next && !enrolment.next.held) c = requestDraft(c, enrolment.id, now, config, newSignal);
  }
  return c;
}

/** A drafter answered. An answer to a request that has since been replaced (or whose step has run) is dropped. */
export function draftReady(change: Change, answer: DraftAnswered, now: number): Change {
  const draft = change.state.drafts.find((d) => d.enrolmentId === answer.enrolmentId);
  if (draft?.status !== "requested" || draft.requestedAt !== answer.requestedAt) return change;
  const made: TouchDraft = {
    ...draft,
    status: answer.content ? "ready" : "failed",
    madeAt: now,
    by: answer.by,
    ...(answer.content ? { content: answer.content } : {}),
    ...(answer.notes.length > 0 ? { notes: answer.notes } : {}),
    ...(answer.predictedObjection ? { predictedObjection: answer.predictedObjection } : {}),
  };
  return { ...change, state: { ...change.state, drafts: change.state.drafts.map((d) => (d === draft ? made : d)) } };
}

/**
 * The owner's review: approve sends the draft, edit sends the owner's words, reject sends
 * the template. A step held for this review runs now (inside its window).
 */
export function reviewDraft(change: Change, review: DraftReview, now: number): Change {
  const draft = change.state.drafts.find((d) => d.enrolmentId === review.enrolmentId && d.stepId === review.stepId);
  if (draft?.status !== "ready") return change;
  const enrolment = findEnrolment(change.state, review.enrolmentId)!;
  const status = review.decision === "approve" ? "approved" : review.decision === "edit" ? "edited" : "rejected";
  const content = review.decision === "edit" ? { ...draft.content, ...review.content } : draft.content;
  let c: Change = { ...change, state: { ...change.state, drafts: change.state.drafts.map((d) => (d === draft ? { ...d, status, ...(content ? { content } : {}) } : d)) } };
  c = log(c, now, { kind: "draft_reviewed", enrolmentId: enrolment.id, sequenceId: enrolment.sequenceId, stepId: draft.stepId, decision: review.decision });
  const next = enrolment.next;
  if (enrolment.status === "active" && next?.held) c = schedule(c, enrolment.id, next.stepIndex, now, now, next.bent);
  return c;
}
