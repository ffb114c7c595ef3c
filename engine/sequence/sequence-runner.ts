import type { ConsentMethod, Drafter, EnrolReason, RepAction, LeadStatus, TimelineEntry, TouchOrigin, TouchVariant } from "../../schemas/lead";
import type { BranchAction, Channel, Condition, EmailTemplate, Sequence, SequenceVersion, SendingWindow, Step, Wait } from "../../schemas/sequence";
import type { HumanSignal, Enrolment, Delivery, Change, LeadEffect, LeadState, Reply } from "../lead/lead-state";
import { addLocalDays, zonedTime } from "../time/local-time";
import { atPeakHour, nextOpeningInAll, peakHour, SMS_QUIET_HOURS } from "../time/sending-window";
import { renderTemplate, type MergeValues } from "./template";
import { leadFacts, wantsDraft, wordingFor, type Wording } from "../drafting/touch-drafts";
import { type DraftAnswered, type DraftContent, type DraftReview, type TouchDraft } from "../drafting/draft-types";
import { SequenceConfig } from "./sequence-config";

/**
 * Runs a lead through its sequences: plans each step in the lead's own time, decides
 * branches from what the lead did, renders touches, and bends timing on human signals.
 * Pure: timers and sends leave as effects for the object to perform.
 */

const HOUR = 3_600_000;

/** Statuses in which nothing more is sent automatically. */
const HALTED: LeadStatus[] = ["replied", "with_rep", "booked", "unsubscribed", "paused"];

type Draft<E> = E extends TimelineEntry ? Omit<E, "seq" | "at"> : never;
type TimelineDraft = Draft<TimelineEntry>;

/** Appends a timeline entry, numbered by the engine so later effects can refer to it. */
function log(change: Change, at: number, draft: TimelineDraft): Change {
  const seq = change.state.lastSeq + 1;
  const entry = { ...draft, seq, at } as TimelineEntry;
  return { state: { ...change.state, lastSeq: seq }, effects: [...change.effects, { kind: "append_timeline", entry }] };
}

const effect = (change: Change, ...effects: LeadEffect[]): Change => ({ state: change.state, effects: [...change.effects, ...effects] });

function updateEnrolment(change: Change, id: string, update: (e: Enrolment) => Enrolment): Change {
  return { ...change, state: { ...change.state, enrolments: change.state.enrolments.map((e) => (e.id === id ? update(e) : e)) } };
}

const findEnrolment = (state: LeadState, id: string) => state.enrolments.find((e) => e.id === id);

function addWait(from: number, timeZone: string, wait: Wait): number {
  return addLocalDays(from, timeZone, wait.days) + wait.hours * HOUR;
}

/** When a step planned for `base` may run: inside its window, at the lead's peak hour when asked and known. */
function dueTimeFor(state: LeadState, enrolment: Enrolment, stepIndex: number, base: number): number {
  const { sequence } = enrolment;
  const step = sequence.steps[stepIndex]!;
  const windows = stepWindows(sequence, step);
  const due = nextOpeningInAll(base, state.timezone, windows);
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

function schedule(change: Change, enrolmentId: string, stepIndex: number, base: number, now: number, bent = false): Change {
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  const start = Math.max(base, now);
  const dueAt = dueTimeFor(change.state, enrolment, stepIndex, start);
  const next = { stepIndex, base: start, dueAt, bent };
  return effect(
    updateEnrolment(change, enrolmentId, (e) => ({ ...e, next })),
    { kind: "schedule", timer: { kind: "step", enrolmentId }, at: dueAt },
  );
}

/**
 * Asks for a draft of the enrolment's next step, ahead of its time, so sending never waits
 * on a model. Instant steps answer the lead at once, so they go as written.
 */
function requestDraft(change: Change, enrolmentId: string, now: number, config: SequenceConfig, newSignal: boolean): Change {
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  const step = enrolment.next && enrolment.sequence.steps[enrolment.next.stepIndex];
  if (!step || step.instant || enrolment.sequence.drafting.mode === "off" || !step.channels.some((c) => c !== "task")) return change;
  const { state } = change;
  const existing = state.drafts.find((d) => d.enrolmentId === enrolmentId);
  // Rendering waits until a draft is wanted: this runs after every event, opens and page views included.
  if (!wantsDraft(existing, step.id, basisOf(state, enrolment, step), now, newSignal)) return change;
  const words = templateWords(state, enrolment, step, config);
  const { firstName, name, company, title, source } = state.profile;
  const profile = Object.fromEntries(Object.entries({ firstName, name, company, title, source }).filter(([, v]) => v !== undefined));
  const channels = step.channels.filter((c): c is Channel => c !== "task");
  const template = {
    ...(words.subject !== undefined ? { subject: words.subject } : {}),
    ...(words.body !== undefined && channels.includes("email") ? { body: words.body } : {}),
    ...(words.sms !== undefined && channels.includes("sms") ? { sms: words.sms } : {}),
  };
  const draft: TouchDraft = { enrolmentId, sequenceId: enrolment.sequenceId, stepId: step.id, intent: step.intent, template, basis: words.basis, status: "requested", requestedAt: now };
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
        facts: leadFacts(state),
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
  if (!draft || draft.status !== "requested" || draft.requestedAt !== answer.requestedAt) return change;
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
  if (!draft || draft.status !== "ready") return change;
  const enrolment = findEnrolment(change.state, review.enrolmentId)!;
  const status = review.decision === "approve" ? "approved" : review.decision === "edit" ? "edited" : "rejected";
  const content = review.decision === "edit" ? { ...draft.content, ...review.content } : draft.content;
  let c: Change = { ...change, state: { ...change.state, drafts: change.state.drafts.map((d) => (d === draft ? { ...d, status, ...(content ? { content } : {}) } : d)) } };
  c = log(c, now, { kind: "draft_reviewed", enrolmentId: enrolment.id, sequenceId: enrolment.sequenceId, stepId: draft.stepId, decision: review.decision });
  const next = enrolment.next;
  if (enrolment.status === "active" && next?.held) c = schedule(c, enrolment.id, next.stepIndex, now, now, next.bent);
  return c;
}

/** Plans the step at `stepIndex`, its wait counted from `from`; past the last step the enrolment completes. */
function planStep(change: Change, enrolmentId: string, stepIndex: number, from: number, now: number): Change {
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  const step = enrolment.sequence.steps[stepIndex];
  if (!step) return endEnrolment(change, enrolmentId, "completed", "every step has run", now);
  const planned = addWait(from, change.state.timezone, step.wait);
  // A step the window held back (a weekend) must not bunch up with the next one: keep up to a day between them.
  const spaced = now + Math.min(planned - from, 86_400_000);
  return schedule(change, enrolmentId, stepIndex, Math.max(planned, spaced), now);
}

type EndOutcome = "completed" | "moved" | "paused" | "booked" | "unsubscribed";

function endEnrolment(change: Change, enrolmentId: string, outcome: EndOutcome, reason: string, now: number): Change {
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

/** Did the lead, as a person, do what the condition asks within its window? */
function holds(condition: Condition, enrolment: Enrolment, signals: HumanSignal[]): boolean {
  const since = condition.since === "enrolment" ? enrolment.startedAt : enrolment.lastStepAt;
  const stepKeys = condition.step ? new Set(enrolment.emails.filter((m) => m.stepId === condition.step).map((m) => m.key)) : null;
  const recent = signals.filter((s) => s.at >= since);
  const ofStep = (s: HumanSignal) => stepKeys === null || (s.messageKey !== undefined && stepKeys.has(s.messageKey));
  let happened: boolean;
  switch (condition.signal) {
    // A click proves the email was opened, whatever the pixel saw.
    case "opened":
      happened = recent.some((s) => (s.kind === "open" || s.kind === "click") && ofStep(s));
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
  if (!enrolment || enrolment.status !== "active" || !enrolment.next) {
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
    case "resend":
      c = dispatch(c, enrolmentId, sequence.steps[indexOf(action.step)]!, now, config, action.subject);
      break;
    case "enrol":
      c = endEnrolment(c, enrolmentId, "moved", `moved to ${action.sequence}`, now);
      return effect(c, { kind: "enrol", sequenceId: action.sequence, reason: "branch" });
    case "complete":
      return endEnrolment(c, enrolmentId, "completed", `branch: ${describe(branch!.if)}`, now);
  }
  c = updateEnrolment(c, enrolmentId, (e) => ({ ...e, lastStepAt: now }));
  return planStep(c, enrolmentId, continueAt, next.base, now);
}

function mergeValues(state: LeadState, config: SequenceConfig): MergeValues {
  const { profile } = state;
  const firstName = profile.firstName ?? profile.name?.split(/\s+/)[0];
  return { ...config.merge, ...profile, firstName };
}

/** Emails of this enrolment not opened or clicked by a person: the last `count` of them all ignored? */
function ignoredLastEmails(enrolment: Enrolment, signals: HumanSignal[], count: number): boolean {
  const last = enrolment.emails.slice(-count);
  if (last.length < count) return false;
  const engaged = new Set(signals.filter((s) => s.kind === "open" || s.kind === "click").map((s) => s.messageKey));
  return last.every((m) => !engaged.has(m.key));
}

function chooseEmail(state: LeadState, enrolment: Enrolment, step: Step, resendSubject: string | undefined): { template: EmailTemplate; variant: TouchVariant } {
  const bySource = state.profile.source ? step.bySource?.[state.profile.source] : undefined;
  const base = bySource ?? step.email!;
  if (resendSubject !== undefined) return { template: { ...base, subject: resendSubject }, variant: "resend" };
  const silent = enrolment.sequence.rules.silentUsesAlternative;
  if (step.alternative && silent.enabled && ignoredLastEmails(enrolment, state.humanSignals, silent.afterEmails)) {
    return { template: step.alternative, variant: "alternative" };
  }
  return { template: base, variant: bySource ? "by_source" : "template" };
}

/** Which of the step's templates an email would use now (a step without email has only its template). */
const basisOf = (state: LeadState, enrolment: Enrolment, step: Step): TouchVariant => (step.email ? chooseEmail(state, enrolment, step, undefined).variant : "template");

/** The step's words as its templates render them for this lead now; `subject` is absent when the email continues its thread. */
function templateWords(state: LeadState, enrolment: Enrolment, step: Step, config: SequenceConfig) {
  const values = mergeValues(state, config);
  const email = step.email ? chooseEmail(state, enrolment, step, undefined) : undefined;
  const threaded = email?.template.subject === undefined && enrolment.thread !== undefined;
  return {
    basis: email?.variant ?? ("template" as TouchVariant),
    subject: email && !threaded ? renderTemplate(email.template.subject ?? "Following up", values) : undefined,
    body: email ? renderTemplate(email.template.body, values) : undefined,
    sms: step.sms ? renderTemplate(step.sms.text, values) : undefined,
  };
}

/** The wording a step sends with: its draft when the sequence's drafting mode allows, else the template. */
function wordingOf(state: LeadState, enrolment: Enrolment, step: Step, resendSubject?: string): Wording {
  // A resend is the same words under a new subject: it never takes a draft.
  if (resendSubject !== undefined) return { origin: "template" };
  const draft = state.drafts.find((d) => d.enrolmentId === enrolment.id);
  return wordingFor(enrolment.sequence.drafting, draft, step.id, basisOf(state, enrolment, step));
}

/** Renders the step's touches on each of its channels and queues them, or records why one cannot go. */
function dispatch(change: Change, enrolmentId: string, step: Step, now: number, config: SequenceConfig, resendSubject?: string): Change {
  let c = updateEnrolment(change, enrolmentId, (e) => ({ ...e, touches: e.touches + 1 }));
  const enrolment = findEnrolment(c.state, enrolmentId)!;
  const touchId = `${enrolmentId}-t${enrolment.touches}`;
  const { state } = c;
  const values = mergeValues(state, config);
  const wording = wordingOf(state, enrolment, step, resendSubject);
  const drafted = "content" in wording ? wording : undefined;
  const skip = (channel: string, reason: string) =>
    (c = log(c, now, { kind: "touch_skipped", enrolmentId, sequenceId: enrolment.sequenceId, stepId: step.id, channel, reason }));
  for (const channel of step.channels) {
    if (channel === "task") {
      const note = renderTemplate(step.task!.note, values);
      c = log(c, now, { kind: "task_created", enrolmentId, sequenceId: enrolment.sequenceId, stepId: step.id, note });
      c = effect(c, { kind: "alert", reason: "rep_task", message: note });
      continue;
    }
    if (channel === "email") {
      if (!state.profile.email) skip("email", "the lead has no email address");
      else if (state.consent.email?.granted === false) skip("email", "the lead withdrew email consent");
      else c = queueEmail(c, enrolmentId, step, touchId, values, now, drafted, resendSubject);
      continue;
    }
    if (!state.profile.phone) skip("sms", "the lead has no phone number");
    else if (state.consent.sms?.granted !== true) skip("sms", "no SMS consent recorded");
    else {
      const windows = step.instant ? [SMS_QUIET_HOURS] : [enrolment.sequence.window, SMS_QUIET_HOURS];
      c = queue(c, {
        touch: {
          key: `${touchId}-sms`,
          enrolmentId,
          sequenceId: enrolment.sequenceId,
          touchId,
          stepId: step.id,
          intent: step.intent,
          channel: "sms",
          to: state.profile.phone,
          text: drafted?.content.sms ?? renderTemplate(step.sms!.text, values),
          variant: "template",
          ...originOf(drafted, drafted?.content.sms),
          instant: step.instant,
          references: [],
        },
        dueAt: nextOpeningInAll(now, state.timezone, windows),
        attempts: 0,
        windows,
      });
    }
  }
  // The step has run: its draft is spent.
  return { ...c, state: { ...c.state, drafts: c.state.drafts.filter((d) => !(d.enrolmentId === enrolmentId && d.stepId === step.id)) } };
}

type Drafted = Extract<Wording, { content: DraftContent }>;

/** A channel's words came from the draft only when the draft wrote them for that channel. */
function originOf(drafted: Drafted | undefined, words: string | undefined): { origin: TouchOrigin; draftedBy?: Drafter } {
  return drafted && words !== undefined ? { origin: drafted.origin, draftedBy: drafted.by } : { origin: "template" };
}

function queueEmail(change: Change, enrolmentId: string, step: Step, touchId: string, values: MergeValues, now: number, drafted: Drafted | undefined, resendSubject?: string): Change {
  const draft = drafted?.content;
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  const { template, variant } = chooseEmail(change.state, enrolment, step, resendSubject);
  const key = `${touchId}-email`;
  let subject: string;
  let references: string[] = [];
  let thread = enrolment.thread;
  if (template.subject === undefined && thread) {
    // No subject of its own: the email follows up in the thread of the enrolment's previous one.
    subject = /^re:/i.test(thread.subject) ? thread.subject : `Re: ${thread.subject}`;
    references = thread.messageIds.slice(-10);
  } else {
    subject = draft?.subject ?? renderTemplate(template.subject ?? "Following up", values);
    thread = { id: touchId, subject, messageIds: [] };
  }
  const c = updateEnrolment(change, enrolmentId, (e) => ({ ...e, thread, emails: [...e.emails, { key, stepId: step.id }].slice(-50) }));
  return queue(c, {
    touch: {
      key,
      enrolmentId,
      sequenceId: enrolment.sequenceId,
      touchId,
      stepId: step.id,
      intent: step.intent,
      channel: "email",
      to: change.state.profile.email!,
      subject,
      text: draft?.body ?? renderTemplate(template.body, values),
      variant,
      ...originOf(drafted, draft?.body),
      instant: step.instant,
      references,
      threadId: thread.id,
    },
    dueAt: now,
    attempts: 0,
    windows: step.instant ? [] : [enrolment.sequence.window],
  });
}

function queue(change: Change, delivery: Delivery): Change {
  return effect(
    { ...change, state: { ...change.state, deliveries: [...change.state.deliveries, delivery] } },
    { kind: "schedule", timer: { kind: "delivery", key: delivery.touch.key }, at: delivery.dueAt },
  );
}

function dropDelivery(change: Change, key: string): Change {
  return effect(
    { ...change, state: { ...change.state, deliveries: change.state.deliveries.filter((d) => d.touch.key !== key) } },
    { kind: "unschedule", timer: { kind: "delivery", key } },
  );
}

/** A delivery's timer fired: hand the touch to the object to send, if it still may go now. */
export function fireDelivery(change: Change, key: string, now: number): Change {
  const delivery = change.state.deliveries.find((d) => d.touch.key === key);
  if (!delivery) return effect(change, { kind: "unschedule", timer: { kind: "delivery", key } });
  const { touch } = delivery;
  const skipped = (reason: string) =>
    log(dropDelivery(change, key), now, { kind: "touch_skipped", enrolmentId: touch.enrolmentId, sequenceId: touch.sequenceId, stepId: touch.stepId, channel: touch.channel, reason });
  const answersTheLead = touch.instant && change.state.status === "with_rep";
  if (HALTED.includes(change.state.status) && !answersTheLead) return skipped(`the lead is ${change.state.status}`);
  if (touch.channel === "sms" && change.state.consent.sms?.granted !== true) return skipped("no SMS consent recorded");
  if (touch.channel === "email" && change.state.consent.email?.granted === false) return skipped("the lead withdrew email consent");
  if (touch.channel === "email" && change.state.emailUndeliverable) return skipped(`the address bounced: ${change.state.emailUndeliverable}`);
  // A late alarm must not carry an SMS into the night.
  const opening = nextOpeningInAll(Math.max(now, delivery.dueAt), change.state.timezone, delivery.windows);
  if (opening > now) return reschedule(change, key, opening);
  return effect(change, { kind: "send", touch });
}

function reschedule(change: Change, key: string, at: number, attempts?: number): Change {
  const deliveries = change.state.deliveries.map((d) => (d.touch.key === key ? { ...d, dueAt: at, attempts: attempts ?? d.attempts } : d));
  return effect({ ...change, state: { ...change.state, deliveries } }, { kind: "schedule", timer: { kind: "delivery", key }, at });
}

export function deliverySent(change: Change, key: string, messageId: string, now: number): Change {
  const delivery = change.state.deliveries.find((d) => d.touch.key === key);
  if (!delivery) return change;
  const { touch } = delivery;
  let c = updateEnrolment(dropDelivery(change, key), touch.enrolmentId, (e) => ({
    ...e,
    emails: e.emails.map((m) => (m.key === key ? { ...m, messageId } : m)),
    thread: e.thread && e.thread.id === touch.threadId ? { ...e.thread, messageIds: [...e.thread.messageIds, messageId].slice(-20) } : e.thread,
  }));
  const { references: _references, threadId: _threadId, touchId: _touchId, instant: _instant, ...sent } = touch;
  c = log(c, now, { kind: "touch_sent", ...sent, messageId });
  return { ...c, state: { ...c.state, sentTouches: [...c.state.sentTouches, { key, intent: touch.intent, at: now }].slice(-50) } };
}

/** A passing failure retries with backoff; a permanent one, or one too many, marks the touch failed. */
export function deliveryFailed(change: Change, key: string, permanent: boolean, reason: string, now: number, config: SequenceConfig): Change {
  const delivery = change.state.deliveries.find((d) => d.touch.key === key);
  if (!delivery) return change;
  const { touch } = delivery;
  const failure = { enrolmentId: touch.enrolmentId, sequenceId: touch.sequenceId, stepId: touch.stepId, intent: touch.intent, channel: touch.channel, key, reason };
  const delay = config.retryDelaysMs[delivery.attempts];
  if (permanent || delay === undefined) {
    return log(dropDelivery(change, key), now, { kind: "touch_failed", ...failure, permanent: true });
  }
  const retryAt = now + delay;
  return log(reschedule(change, key, retryAt, delivery.attempts + 1), now, { kind: "touch_failed", ...failure, permanent: false, retryAt });
}

/** Refused at the moment of sending (a suppressed address): never sent, visibly. */
export function deliveryBlocked(change: Change, key: string, reason: string, now: number): Change {
  const delivery = change.state.deliveries.find((d) => d.touch.key === key);
  if (!delivery) return change;
  const { touch } = delivery;
  return log(dropDelivery(change, key), now, {
    kind: "touch_skipped",
    enrolmentId: touch.enrolmentId,
    sequenceId: touch.sequenceId,
    stepId: touch.stepId,
    channel: touch.channel,
    reason,
  });
}

/** The sender's pacing gave this touch a later slot: it waits for it, still inside its windows. */
export function deliveryDeferred(change: Change, key: string, until: number): Change {
  const delivery = change.state.deliveries.find((d) => d.touch.key === key);
  if (!delivery) return change;
  return reschedule(change, key, nextOpeningInAll(until, change.state.timezone, delivery.windows));
}

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
      c = log(c, now, { kind: "timing_changed", enrolmentId: enrolment.id, sequenceId: enrolment.sequenceId, stepId: nextStep.id, from: next.dueAt, to, reason: "opened: next touch pulled sooner" });
    }
  }
  return c;
}

/** Stops every pending touch and timer of the lead, recording why. */
function haltAll(change: Change, outcome: "paused" | "booked" | "unsubscribed", reason: string, now: number, keepInstant = false): Change {
  let c = change;
  for (const delivery of change.state.deliveries) {
    if (keepInstant && delivery.touch.instant) continue;
    const { touch } = delivery;
    c = dropDelivery(c, touch.key);
    c = log(c, now, { kind: "touch_skipped", enrolmentId: touch.enrolmentId, sequenceId: touch.sequenceId, stepId: touch.stepId, channel: touch.channel, reason });
  }
  for (const enrolment of change.state.enrolments) {
    if (enrolment.status === "active" || (outcome !== "paused" && enrolment.status === "paused")) {
      c = endEnrolment(c, enrolment.id, outcome, reason, now);
    }
  }
  return c;
}

/**
 * A person replied: automation pauses at once and the owner is alerted. What the reply
 * asks for then acts — an unsubscribe request opts the lead out of that channel, "not now"
 * holds it and resumes it later — unless the judgement was unsure (`needs_review`).
 */
export function receiveReply(change: Change, reply: Reply, now: number, config: SequenceConfig): Change {
  const touchKey = change.state.sentTouches.at(-1)?.key;
  let c = log(change, now, { kind: "reply_received", ...reply, ...(touchKey ? { touchKey } : {}) });
  c = { ...c, state: { ...c.state, status: "replied", lastActivityAt: Math.max(c.state.lastActivityAt, now), softBounces: 0 } };
  c = haltAll(c, "paused", "the lead replied", now);
  const intent = reply.intent && reply.intent !== "needs_review" ? ` (${reply.intent.replace("_", " ")})` : reply.intent ? " (needs review)" : "";
  c = effect(c, { kind: "alert", reason: "reply", message: `${reply.text ? reply.text.slice(0, 500) : "The lead replied."}${intent ? `\n\nRead as:${intent}` : ""}` });
  if (reply.intent === "unsubscribe") return optOut(c, reply.channel ?? "email", "reply", now);
  if (reply.intent === "not_now") return effect(c, { kind: "schedule", timer: { kind: "hold_ends" }, at: addLocalDays(now, c.state.timezone, config.notNowHoldDays) });
  return c;
}

/** Paused sequences carry on from the step they stopped at. */
function resumePaused(change: Change, now: number): Change {
  let c: Change = { ...change, state: { ...change.state, status: "active" } };
  for (const enrolment of change.state.enrolments.filter((e) => e.status === "paused")) {
    c = updateEnrolment(c, enrolment.id, (e) => ({ ...e, status: "active", lastStepAt: now }));
    c = planStep(c, enrolment.id, enrolment.resumeStep ?? 0, now, now);
  }
  return c;
}

/** The "not now" hold is over: the lead's sequences resume, unless someone has taken it since. */
export function holdEnds(change: Change, now: number): Change {
  const c = effect(change, { kind: "unschedule", timer: { kind: "hold_ends" } });
  if (c.state.status !== "replied") return c;
  return resumePaused(log(c, now, { kind: "automation_resumed", reason: "the not-now hold ended" }), now);
}

/**
 * An out-of-office: the sequence goes on, but nothing goes out before the day after the
 * stated return date (a default number of days when none is given), in the lead's zone.
 */
export function outOfOffice(change: Change, returnDate: string | undefined, now: number, config: SequenceConfig): Change {
  const zone = change.state.timezone;
  const [year, month, day] = (returnDate ?? "").split("-").map(Number) as [number, number, number];
  const stated = returnDate ? zonedTime(zone, { year, month, day: day + 1, hour: 0, minute: 0, second: 0 }) : NaN;
  // A return date in the past or absurdly far away is not believed.
  const until = stated > now && stated < addLocalDays(now, zone, 90) ? stated : addLocalDays(now, zone, config.outOfOfficeDays);
  let c = log(change, now, { kind: "auto_reply_received", ...(returnDate ? { returnDate } : {}), until });
  for (const enrolment of c.state.enrolments) {
    const next = enrolment.next;
    if (enrolment.status !== "active" || !next || next.dueAt >= until) continue;
    const step = enrolment.sequence.steps[next.stepIndex];
    c = updateEnrolment(c, enrolment.id, (e) => ({ ...e, next: { ...next, dueAt: until } }));
    c = effect(c, { kind: "schedule", timer: { kind: "step", enrolmentId: enrolment.id }, at: until });
    if (step) c = log(c, now, { kind: "timing_changed", enrolmentId: enrolment.id, sequenceId: enrolment.sequenceId, stepId: step.id, from: next.dueAt, to: until, reason: "out of office" });
  }
  for (const delivery of c.state.deliveries) if (delivery.dueAt < until) c = reschedule(c, delivery.touch.key, until);
  return c;
}

/**
 * A delivery failure reported for the lead's address. Hard: the address is bad, so email
 * stops and it is suppressed. Soft: the next touches go as planned (the retry), and only
 * repeated soft failures with no sign of life between suppress it.
 */
export function bounced(change: Change, bounce: { bounceType: "hard" | "soft"; address: string; status?: string; diagnostic: string }, now: number, config: SequenceConfig): Change {
  const softBounces = (change.state.softBounces ?? 0) + (bounce.bounceType === "soft" ? 1 : 0);
  const suppressed = bounce.bounceType === "hard" || softBounces >= config.softBounceLimit;
  let c = log(change, now, { kind: "bounced", ...bounce, suppressed });
  c = { ...c, state: { ...c.state, softBounces } };
  if (!suppressed || c.state.emailUndeliverable) return c;
  const reason = bounce.bounceType === "hard" ? `hard bounce${bounce.status ? ` ${bounce.status}` : ""}` : `${softBounces} soft bounces`;
  c = { ...c, state: { ...c.state, emailUndeliverable: reason } };
  for (const delivery of c.state.deliveries.filter((d) => d.touch.channel === "email")) {
    const { touch } = delivery;
    c = log(dropDelivery(c, touch.key), now, { kind: "touch_skipped", enrolmentId: touch.enrolmentId, sequenceId: touch.sequenceId, stepId: touch.stepId, channel: "email", reason: `the address bounced: ${reason}` });
  }
  return effect(c, { kind: "suppress", channel: "email", value: bounce.address, reason });
}

/** SMS START after a STOP: texts may go again, with the consent recorded anew (the webhook lifts the suppression). */
export function optIn(change: Change, now: number): Change {
  if (change.state.consent.sms?.granted !== false) return change;
  const c = log(change, now, { kind: "resubscribed", channel: "sms", method: "sms_start" });
  return { ...c, state: { ...c.state, consent: { ...c.state.consent, sms: { granted: true, at: now, method: "sms_start" } } } };
}

/** A booking completes every sequence the lead is in. */
export function markBooked(change: Change, source: string, now: number): Change {
  if (change.state.status === "booked") return change;
  let c = log(change, now, { kind: "booked", source });
  c = haltAll(c, "booked", "the lead booked", now);
  return { ...c, state: { ...c.state, status: "booked" } };
}

/**
 * The lead opted out. From email (the unsubscribe link) every sequence stops at once and
 * pending touches are dropped; from SMS (STOP) only texts stop. Either way the channel's
 * consent is recorded as withdrawn and the address goes on the suppression list.
 * Repeating it changes nothing.
 */
export function optOut(change: Change, channel: Channel, method: ConsentMethod, now: number): Change {
  const { state } = change;
  const address = channel === "email" ? state.profile.email : state.profile.phone;
  const suppressed = (c: Change) =>
    address ? effect(c, { kind: "suppress", channel, value: address, reason: method === "one_click" ? "unsubscribed (one-click)" : `unsubscribed (${method.replace("_", " ")})` }) : c;
  if (channel === "sms") {
    // STOP ends texts only: the lead's emails (and its own consent to them) are untouched.
    if (state.consent.sms?.granted === false) return change;
    let c = log(change, now, { kind: "unsubscribed", channel, method });
    c = { ...c, state: { ...c.state, consent: { ...c.state.consent, sms: { granted: false, at: now, method } } } };
    for (const delivery of state.deliveries.filter((d) => d.touch.channel === "sms")) {
      const { touch } = delivery;
      c = log(dropDelivery(c, touch.key), now, { kind: "touch_skipped", enrolmentId: touch.enrolmentId, sequenceId: touch.sequenceId, stepId: touch.stepId, channel: "sms", reason: "the lead replied STOP" });
    }
    return suppressed(c);
  }
  if (state.status === "unsubscribed" && state.consent.email?.granted === false) return change;
  let c = log(change, now, { kind: "unsubscribed", channel, method });
  c = { ...c, state: { ...c.state, status: "unsubscribed", consent: { ...c.state.consent, email: { granted: false, at: now, method } } } };
  return suppressed(haltAll(c, "unsubscribed", "the lead unsubscribed", now));
}

/**
 * A person takes over: each trigger is on the timeline with why it fired, the owner's
 * destinations get the package, and (by default) the lead's automation pauses.
 */
export function handOff(change: Change, fired: { trigger: string; reason: string }[], now: number, pauseAutomation: boolean, config: SequenceConfig): Change {
  let c = change;
  for (const f of fired) c = log(c, now, { kind: "handed_off", trigger: f.trigger, reason: f.reason, score: c.state.score });
  c = { ...c, state: { ...c.state, handOffs: [...c.state.handOffs, ...fired.map((f) => ({ ...f, at: now }))].slice(-50) } };
  if (pauseAutomation && !["booked", "unsubscribed"].includes(c.state.status)) {
    // The answer to the lead's own request still goes out (a CEO's form post gets its
    // acknowledgement); only the follow-ups wait for the rep.
    for (const enrolment of c.state.enrolments) {
      const step = enrolment.next && enrolment.sequence.steps[enrolment.next.stepIndex];
      if (enrolment.status === "active" && step?.instant && enrolment.next!.dueAt <= now) c = runStep(c, enrolment.id, now, config);
    }
    c = { ...c, state: { ...c.state, status: "with_rep" } };
    c = haltAll(c, "paused", "handed to a rep", now, true);
  }
  return effect(c, { kind: "hand_off", triggers: fired });
}

/**
 * What the owner or rep decides: `pause` stops the automation (pending touches are dropped)
 * until `resume`, which continues the paused sequences where they stopped;
 * `return` gives the lead back to automation in the monthly nurture; `complete` closes it.
 */
export function repAction(change: Change, action: RepAction, note: string | undefined, now: number, nurtureId: string): Change {
  const { state } = change;
  if (["booked", "unsubscribed"].includes(state.status)) return change;
  if (action === "pause" && state.status === "paused") return change;
  let c = log(change, now, { kind: "rep_action", action, ...(note ? { note } : {}) });
  if (action === "pause") {
    c = haltAll(c, "paused", "paused by the owner", now);
    return { ...c, state: { ...c.state, status: "paused" } };
  }
  if (action === "resume") return resumePaused(c, now);
  for (const delivery of c.state.deliveries) c = dropDelivery(c, delivery.touch.key);
  for (const enrolment of c.state.enrolments.filter((e) => e.status === "active" || e.status === "paused")) {
    c = endEnrolment(c, enrolment.id, "completed", action === "complete" ? "completed by the rep" : "returned to automation by the rep", now);
  }
  if (action === "complete") return { ...c, state: { ...c.state, status: "completed" } };
  c = { ...c, state: { ...c.state, status: "active" } };
  return effect(c, { kind: "enrol", sequenceId: nurtureId, reason: "api" });
}

/** A lead silent this long that comes back to the site starts the reactivation sequence. */
export function reactivateOnReturn(change: Change, silentSince: number, now: number, config: SequenceConfig): Change {
  const { reactivation } = config;
  const returning = now - silentSince >= reactivation.silentDays * 86_400_000;
  if (!returning || HALTED.includes(change.state.status) || isEnrolled(change.state, reactivation.sequenceId)) return change;
  return effect(change, { kind: "enrol", sequenceId: reactivation.sequenceId, reason: "reactivation" });
}

