import type { Engagement, LeadId, LeadProfile } from "../../schemas/lead";
import { recordClick, recordOpen, recordPageLeft, recordPageView, seenPageView } from "../signals/engagement";
import { detectTriggers, freshTriggers, type Fired } from "../hand-off/hand-off-triggers";
import { computeScore } from "../hand-off/lead-score";
import { Outcome, LeadState, LeadEvent, LeadEffect } from "./lead-state";
import { leadTimezone, zoneKnown } from "./lead-timezone";
import { consentAfterPost, lawfulBasisAfterPost, refusedChange, refusedFields } from "./form-post";
import { isTimeZone } from "../../schemas/time-zone";
import { withMilestones } from "./milestones";
import { enrol } from "../sequence/enrolment";
import { runStep } from "../sequence/sequence-runner";
import { draftReady, requestDrafts, reviewDraft } from "../sequence/draft-requests";
import { deliveryBlocked, deliveryDeferred, deliveryFailed, deliverySent, fireDelivery } from "../sequence/deliveries";
import { bendTiming } from "../sequence/timing-bends";
import { bounced, handOff, holdEnds, holdNewEnrolments, markBooked, optIn, optOut, outOfOffice, reactivateOnReturn, receiveReply, repAction, requestReconsent, restoreConsent } from "./lead-lifecycle";
import { type Change, type HumanSignal } from "./lead-state";
import { judgeReply, withReturnDay } from "../inbound/reply-judgement";
import { EngineConfig, DEFAULT_ENGINE_CONFIG } from "../engine-config";

/**
 * The lead's engine: `(state, event, now) -> { state, effects }`. No I/O, no clock, no
 * randomness, so every rule is tested by walking simulated time in milliseconds.
 */

/**
 * The first non-empty value of each field stays; a later post fills only what is empty.
 * Anyone can post a form for an address, so a post adds to a lead and never rewrites it
 * (form-post.ts). What is per post — the message, custom fields, UTM tags, the page — lives
 * in that post's submission on the timeline.
 */
export function mergeProfile(current: LeadProfile, incoming: LeadProfile): LeadProfile {
  const merged: LeadProfile = { ...current };
  for (const [field, value] of Object.entries(incoming) as [keyof LeadProfile, string | undefined][]) {
    if (value === undefined || value === "") continue;
    if (current[field] === undefined || current[field] === "") merged[field] = value;
  }
  return merged;
}

const noCounts = () => ({ human: 0, auto: 0, machine: 0 });

function emptyLead(id: LeadId, now: number, timezone: string): LeadState {
  return {
    id,
    status: "new",
    timezone,
    enrolments: [],
    deliveries: [],
    drafts: [],
    humanSignals: [],
    formPostTimes: [],
    scoreFactors: [],
    handOffs: [],
    sentTouches: [],
    score: 0,
    profile: {},
    consent: {},
    createdAt: now,
    lastActivityAt: now,
    engagement: { opens: noCounts(), clicks: noCounts(), pageViews: noCounts(), visits: [], openedMessages: [] },
    recentClicks: [],
    lastSeq: 0,
    version: 0,
  };
}

function submitForm(current: LeadState | null, event: Extract<LeadEvent, { kind: "form_submitted" }>, now: number, config: EngineConfig): Outcome {
  const base = current ?? emptyLead(event.leadId, now, config.sequences.defaultTimezone);
  const { submission } = event;
  const seq = base.lastSeq + 1;
  const profile = mergeProfile(base.profile, submission.profile);
  const { consent, refused } = consentAfterPost(base.consent, submission, now);
  const kept = refusedChange(seq + 1, now, submission, refusedFields(base.profile, submission.profile), refused);
  // A known zone times the lead's quiet hours: only a lead still on the business default takes one from a post.
  const timezone = current && zoneKnown(base.profile, base.browserTimezone) ? base.timezone : leadTimezone(profile, base.browserTimezone, config.sequences.defaultTimezone);
  const state: LeadState = {
    ...base,
    profile,
    timezone,
    consent,
    lawfulBasis: lawfulBasisAfterPost(base.lawfulBasis ?? [], submission, consent, now),
    lastActivityAt: Math.max(base.lastActivityAt, now),
    formPostTimes: [...base.formPostTimes, now].slice(-20),
    lastSeq: kept ? seq + 1 : seq,
  };
  const entries: LeadEffect[] = [{ kind: "append_timeline", entry: { seq, at: now, kind: "form_submitted", submission } }];
  if (kept) entries.push({ kind: "append_timeline", entry: kept });
  // Only an existing lead can have unsubscribed; the post itself grants nothing back.
  const submitted: Change = current ? requestReconsent({ state, effects: entries }, submission, now) : { state, effects: entries };
  const enrolled = event.sequence ? enrol(submitted, event.sequence, "form", now) : submitted;
  return finish(base, event.hold ? holdNewEnrolments(enrolled, state, event.hold, now) : enrolled);
}

/** Whether the lead has opened anything: every open from a privacy proxy proves nothing. */
export function openedStatus(engagement: Engagement): "yes" | "no" | "unknown" {
  if (engagement.opens.human > 0 || engagement.clicks.human > 0) return "yes";
  return engagement.opens.auto > 0 ? "unknown" : "no";
}

const MAX_HUMAN_SIGNALS = 100;

/**
 * One version bump and one projection per event, whatever the rules added; an event that
 * changed nothing (a stale timer) writes nothing.
 */
function finish(before: LeadState, change: Change): Outcome {
  const effects = change.effects.filter((e) => e.kind !== "project");
  const recorded = effects.some((e) => e.kind === "append_timeline" || e.kind === "rejudge_timeline");
  if (!recorded && change.state === before) return { state: before, effects };
  return { state: { ...change.state, version: before.version + 1 }, effects: [...effects, { kind: "project" }] };
}

/** The person-made signals among newly written entries; re-judged entries leave the list. */
function humanSignalsIn(effects: LeadEffect[]): { added: HumanSignal[]; withdrawn: number[] } {
  const added: HumanSignal[] = [];
  const withdrawn: number[] = [];
  for (const effect of effects) {
    if (effect.kind === "rejudge_timeline") withdrawn.push(...effect.seqs);
    if (effect.kind !== "append_timeline") continue;
    const { entry } = effect;
    if (entry.kind === "email_opened" && entry.verdict === "human") added.push({ seq: entry.seq, at: entry.at, kind: "open", messageKey: entry.messageId });
    if (entry.kind === "link_clicked" && entry.verdict === "human") added.push({ seq: entry.seq, at: entry.at, kind: "click", messageKey: entry.messageId });
    if (entry.kind === "page_viewed" && entry.verdict === "human") added.push({ seq: entry.seq, at: entry.at, kind: "visit", pageClass: entry.pageClass });
  }
  return { added, withdrawn };
}

/** After a signal is judged: remember what people did, and let it bend the sequence's timing. */
function afterSignal(before: LeadState, outcome: Outcome, now: number, config: EngineConfig): Outcome {
  if (outcome.state === null || outcome.effects.length === 0) return outcome;
  const { added, withdrawn } = humanSignalsIn(outcome.effects);
  const humanSignals = [...outcome.state.humanSignals.filter((s) => !withdrawn.includes(s.seq)), ...added].slice(-MAX_HUMAN_SIGNALS);
  let change: Change = { state: { ...outcome.state, humanSignals }, effects: outcome.effects };
  for (const signal of added) {
    change = bendTiming(change, signal, now);
    if (signal.kind === "visit") change = reactivateOnReturn(change, before.lastActivityAt, now, config.sequences);
  }
  return finish(before, change);
}

/**
 * A person's browser tells the lead's zone when nothing else did. Once the zone is known
 * (form, browser, phone) a beacon never moves it: beacons are anyone's, and the zone times
 * the lead's quiet hours.
 */
function withBrowserZone(state: LeadState, event: Extract<LeadEvent, { kind: "page_viewed" }>, config: EngineConfig): LeadState {
  if (!event.timezone || event.facts.botAgent || !isTimeZone(event.timezone) || zoneKnown(state.profile, state.browserTimezone)) return state;
  const browserTimezone = event.timezone;
  return { ...state, browserTimezone, timezone: leadTimezone(state.profile, browserTimezone, config.sequences.defaultTimezone) };
}

function withLead(current: LeadState | null, run: (change: Change) => Change): Outcome {
  if (current === null) return { state: null, effects: [] };
  return finish(current, run({ state: current, effects: [] }));
}

/**
 * After every event: the score is recomputed (old activity fades), a human click on the
 * booking link starts the wait for a booking, and hand-off triggers are checked.
 */
function judge(before: LeadState | null, outcome: Outcome, event: LeadEvent, now: number, config: EngineConfig): Outcome {
  if (outcome.state === null || outcome.effects.length === 0) return outcome;
  const asksForJudgement = event.kind === "hand_off_requested" || (event.kind === "timer_fired" && event.timer.kind === "booking_check");
  // An event that changed nothing (a stale timer) is not judged: nothing to write.
  if (outcome.state === before && !asksForJudgement) return outcome;
  const { score, factors } = computeScore(outcome.state, now, config.score);
  let change: Change = { state: { ...outcome.state, score, scoreFactors: factors }, effects: outcome.effects.filter((e) => e.kind !== "project") };
  const { bookingUrl, bookingWaitHours } = config.handOff;
  const humanClick = outcome.effects.some((e) => e.kind === "append_timeline" && e.entry.kind === "link_clicked" && e.entry.verdict === "human");
  if (event.kind === "link_clicked" && humanClick && bookingUrl && event.url.startsWith(bookingUrl) && change.state.status !== "booked") {
    change = { ...change, effects: [...change.effects, { kind: "schedule", timer: { kind: "booking_check" }, at: now + bookingWaitHours * 3_600_000 }] };
  }
  const requested: Fired[] = event.kind === "hand_off_requested" ? [{ trigger: "manual", reason: event.reason }] : [];
  const fired = [...requested, ...freshTriggers(change.state, detectTriggers(before, change.state, event, now, config.handOff), now, config.handOff)];
  if (fired.length > 0) change = handOff(change, fired, now, config.handOff.pauseAutomation, config.sequences);
  const newSignal = before?.humanSignals.at(-1)?.seq !== change.state.humanSignals.at(-1)?.seq;
  change = requestDrafts(change, now, config.sequences, newSignal);
  change = { ...change, state: { ...change.state, milestones: withMilestones(change.state.milestones ?? {}, change.effects) } };
  return { state: { ...change.state, version: (before?.version ?? 0) + 1 }, effects: [...change.effects, { kind: "project" }] };
}

export function applyEvent(current: LeadState | null, event: LeadEvent, now: number, config: EngineConfig = DEFAULT_ENGINE_CONFIG): Outcome {
  return judge(current, interpret(current, event, now, config), event, now, config);
}

function interpret(current: LeadState | null, event: LeadEvent, now: number, config: EngineConfig): Outcome {
  switch (event.kind) {
    case "form_submitted":
      return submitForm(current, event, now, config);
    case "email_opened":
      return current ? afterSignal(current, recordOpen(current, event, now), now, config) : { state: null, effects: [] };
    case "link_clicked":
      return current ? afterSignal(current, recordClick(current, event, now, config.signals), now, config) : { state: null, effects: [] };
    case "page_viewed":
      if (current === null || seenPageView(current, event.pageViewId)) return { state: current, effects: [] };
      return afterSignal(current, recordPageView(withBrowserZone(current, event, config), event, now), now, config);
    case "page_left":
      return current ? recordPageLeft(current, event, now, config.signals) : { state: null, effects: [] };
    case "enrolled":
      return withLead(current, (c) => enrol(c, event.sequence, event.reason, now));
    case "timer_fired": {
      const { timer } = event;
      return withLead(current, (c) => {
        switch (timer.kind) {
          case "step":
            return runStep(c, timer.enrolmentId, now, config.sequences);
          case "delivery":
            return fireDelivery(c, timer.key, now);
          case "booking_check":
            // Nothing to change here: the hand-off check that follows every event reads it.
            return { ...c, effects: [...c.effects, { kind: "unschedule", timer }] };
          case "hold_ends":
            return holdEnds(c, now);
        }
      });
    }
    case "delivery_sent":
      return withLead(current, (c) => deliverySent(c, event.key, event.messageId, now));
    case "delivery_failed":
      return withLead(current, (c) => deliveryFailed(c, event.key, event.permanent, event.reason, now, config.sequences));
    case "delivery_blocked":
      return withLead(current, (c) => deliveryBlocked(c, event.key, event.reason, now));
    case "delivery_deferred":
      return withLead(current, (c) => deliveryDeferred(c, event.key, event.until));
    case "reply_received":
      return withLead(current, (c) => {
        const { kind: _, ...reply } = event;
        // Judged once, here at the latest: what follows reads the judgement, not the words.
        const judgement = withReturnDay(reply.judgement ?? judgeReply(reply.text ?? "", config.handOff.competitors), reply.text ?? "", now, c.state.timezone);
        const replied = receiveReply(c, reply, judgement, now, config.sequences);
        const signal: HumanSignal = { seq: replied.state.lastSeq, at: now, kind: "reply", ...(reply.messageKey ? { messageKey: reply.messageKey } : {}), judgement };
        return { ...replied, state: { ...replied.state, humanSignals: [...replied.state.humanSignals, signal].slice(-MAX_HUMAN_SIGNALS) } };
      });
    case "auto_reply_received":
      return withLead(current, (c) => outOfOffice(c, event.returnDate, now, config.sequences));
    case "bounced": {
      const { kind: _, ...bounce } = event;
      return withLead(current, (c) => bounced(c, bounce, now, config.sequences));
    }
    case "sms_resubscribed":
      return withLead(current, (c) => optIn(c, now));
    case "booked":
      return withLead(current, (c) => markBooked(c, event.source, now));
    case "unsubscribed":
      return withLead(current, (c) => optOut(c, event.channel, event.method, now, event.evidence));
    case "consent_restored":
      return withLead(current, (c) => restoreConsent(c, event.channel, event.method, event.evidence, now));
    case "hand_off_requested":
      // The hand-off itself happens in judge(); the request only needs to reach it.
      return current ? { state: current, effects: [{ kind: "project" }] } : { state: null, effects: [] };
    case "draft_ready": {
      const { kind: _, ...answer } = event;
      return withLead(current, (c) => draftReady(c, answer, now));
    }
    case "draft_reviewed": {
      const { kind: _, ...review } = event;
      return withLead(current, (c) => reviewDraft(c, review, now));
    }
    case "rep_action":
      return withLead(current, (c) => repAction(c, event.action, event.note, now, config.sequences.nurtureSequenceId));
    case "effect_failed": {
      const { kind: _, ...failure } = event;
      return withLead(current, (c) => effectFailed(c, failure, now));
    }
    default:
      return assertNever(event);
  }
}

/** Given up on, visibly: the owner sees it on the timeline, and the projection carries it to D1. */
function effectFailed(change: Change, failure: Omit<Extract<LeadEvent, { kind: "effect_failed" }>, "kind">, now: number): Change {
  const seq = change.state.lastSeq + 1;
  return { state: { ...change.state, lastSeq: seq }, effects: [...change.effects, { kind: "append_timeline", entry: { seq, at: now, kind: "effect_failed", ...failure } }] };
}

function assertNever(value: never): never {
  throw new Error(`unhandled lead event: ${JSON.stringify(value)}`);
}
