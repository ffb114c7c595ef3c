import type { Engagement, LeadId, LeadProfile } from "../../schemas/lead";
import { recordClick, recordOpen, recordPageLeft, recordPageView, seenPageView } from "../signals/engagement";
import { detectTriggers, freshTriggers, opensBookingPage, type Fired } from "../hand-off/hand-off-triggers";
import { raiseObjections } from "../hand-off/raised-objections";
import { computeScore } from "../hand-off/lead-score";
import type { Outcome, LeadState, LeadEvent, LeadEffect } from "./lead-state";
import { settleZone, zoneFinal, type LeadZone } from "./lead-timezone";
import { consentAfterPost, lawfulBasisAfterPost, postOrigin, refusedChange, refusedFields } from "./form-post";
import { isTimeZone } from "../../schemas/time-zone";
import { withMilestones } from "./milestones";
import { enrol } from "../sequence/enrolment";
import { runStep } from "../sequence/sequence-runner";
import { draftReady, requestDrafts, reviewDraft } from "../sequence/draft-requests";
import { deliveryBlocked, deliveryDeferred, deliveryFailed, deliverySent, fireDelivery } from "../sequence/deliveries";
import { bendTiming } from "../sequence/timing-bends";
import { route } from "../sequence/cadence-routing";
import { isMarketing } from "../sequence/lawful-basis";
import { log } from "./lead-change";
import type { SequenceVersion } from "../../schemas/sequence";
import {
  alertOwnerOfPost,
  handOff,
  holdEnds,
  holdNewEnrolments,
  markBooked,
  optIn,
  optOut,
  outOfOffice,
  receiveReply,
  repAction,
  requestReconsent,
  restoreConsent,
} from "./lead-lifecycle";
import { bounced, deliveryReported } from "./delivery-reports";
import type { Change, HumanSignal } from "./lead-state";
import { judgeReply, withReturnDay } from "../inbound/reply-judgement";
import { preferChannel, receiveChatMessage } from "../chat/chat-message";
import { type EngineConfig, DEFAULT_ENGINE_CONFIG } from "../engine-config";

/**
 * The lead's engine: `(state, event, now) -> { state, effects }`. No I/O, no clock, no
 * randomness, so every rule is tested by walking simulated time in milliseconds.
 */

/**
 * The first non-empty value of each field stays; a later post fills only what is empty.
 * Anyone can post a form for an address, so a post adds to a lead and never rewrites it
 * (form-post.ts). What is per post — the message, custom fields, UTM tags, the page — lives
 * in that post's submission on the timeline; the first post's UTM tags and page are also
 * kept as the lead's `origin`, for the value email.
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
  // Attribution, like the source: the first post that names one keeps the credit.
  const origin = base.origin ?? postOrigin(submission);
  const kept = refusedChange(seq + 1, now, submission, refusedFields(base.profile, submission.profile), refused);
  // The first browser post's edge zone is kept: a later post from elsewhere is anyone's.
  const edgeTimezone = base.edgeTimezone ?? (submission.edgeTimezone && isTimeZone(submission.edgeTimezone) ? submission.edgeTimezone : undefined);
  const zone = settleZone(base, { profile, browser: base.browserTimezone, edge: edgeTimezone }, config.sequences.defaultTimezone, current !== null);
  const state: LeadState = {
    ...withZone(base, zone),
    ...(edgeTimezone ? { edgeTimezone } : {}),
    profile,
    ...(origin ? { origin } : {}),
    consent,
    // The first routing stands, like a sequence version: a later post does not change the rules a lead runs under.
    ...((base.routing ?? event.routing) ? { routing: base.routing ?? event.routing } : {}),
    lawfulBasis: lawfulBasisAfterPost(base.lawfulBasis ?? [], submission, consent, now),
    lastActivityAt: Math.max(base.lastActivityAt, now),
    // Only a person's post shows interest: the owner's import of an old list is not one.
    formPostTimes: submission.imported ? base.formPostTimes : [...base.formPostTimes, now].slice(-20),
    lastSeq: kept ? seq + 1 : seq,
  };
  const entries: LeadEffect[] = [{ kind: "append_timeline", entry: { seq, at: now, kind: "form_submitted", submission } }];
  if (kept) entries.push({ kind: "append_timeline", entry: kept });
  // Only an existing lead can have unsubscribed; the post itself grants nothing back.
  const submitted: Change = current ? requestReconsent({ state, effects: entries }, submission, now) : { state, effects: entries };
  const enrolled = event.sequence ? enrolFromPost(submitted, event, event.sequence, now) : submitted;
  return finish(base, event.hold ? holdNewEnrolments(enrolled, state, event.hold, now) : enrolled);
}

/**
 * A post starts its form's cadence for a lead in none, and answers a new inquiry from a lead
 * the business only markets to (nurture, reactivation): the inquiry cadence takes over. A
 * post never switches a lead out of a cadence that answers it — anyone can post an address —
 * but the owner hears of it, with the post's words.
 */
function enrolFromPost(change: Change, event: Extract<LeadEvent, { kind: "form_submitted" }>, sequence: SequenceVersion, now: number): Change {
  const held = event.hold !== undefined;
  const running = change.state.enrolments.find((e) => e.status === "active" || e.status === "paused");
  if (!running) return enrol(change, sequence, "form", now);
  if (running.sequenceId === sequence.id) return change;
  if (!held && running.status === "active" && isMarketing(running.sequence) && !isMarketing(sequence.sequence)) return enrol(change, sequence, "form", now);
  const c = log(change, now, {
    kind: "enrolment_refused",
    sequenceId: sequence.id,
    reason: `already in ${running.sequenceId}: a form post does not switch the cadence that answers the lead`,
  });
  if (held) return c;
  const words = event.submission.message ? `: “${event.submission.message.slice(0, 500)}”` : ".";
  return alertOwnerOfPost(c, `The lead posted form ${event.submission.formId} again while ${running.sequenceId} runs; nothing new was sent${words}`, now);
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
function afterSignal(before: LeadState, outcome: Outcome, now: number): Outcome {
  if (outcome.state === null || outcome.effects.length === 0) return outcome;
  const { added, withdrawn } = humanSignalsIn(outcome.effects);
  const humanSignals = [...outcome.state.humanSignals.filter((s) => !withdrawn.includes(s.seq)), ...added].slice(-MAX_HUMAN_SIGNALS);
  let change: Change = { state: { ...outcome.state, humanSignals }, effects: outcome.effects };
  for (const signal of added) change = bendTiming(change, signal, now);
  return finish(before, change);
}

/** The state with its zone, source and SMS zones replaced (an absent SMS list clears an old one). */
function withZone(state: LeadState, zone: LeadZone): LeadState {
  const { smsTimezones: _stale, ...rest } = state;
  return { ...rest, ...zone };
}

/**
 * A person's browser tells the lead's zone when the lead's own data did not (a guess from the
 * edge or the phone's country is replaced). Once the zone is final (form, browser, area code)
 * a beacon never moves it: beacons are anyone's, and the zone times the lead's quiet hours.
 */
function withBrowserZone(state: LeadState, event: Extract<LeadEvent, { kind: "page_viewed" }>, config: EngineConfig): LeadState {
  if (!event.timezone || event.facts.botAgent || !isTimeZone(event.timezone) || zoneFinal(state)) return state;
  const browserTimezone = event.timezone;
  const zone = settleZone(state, { profile: state.profile, browser: browserTimezone, edge: state.edgeTimezone }, config.sequences.defaultTimezone, true);
  return { ...withZone(state, zone), browserTimezone };
}

function withLead(current: LeadState | null, run: (change: Change) => Change): Outcome {
  if (current === null) return { state: null, effects: [] };
  return finish(current, run({ state: current, effects: [] }));
}

/**
 * After every event: the score is recomputed (old activity fades), opening the booking page
 * starts the wait for a booking, objections the lead raised are recorded, and hand-off
 * triggers are checked.
 */
function judge(before: LeadState | null, outcome: Outcome, event: LeadEvent, now: number, config: EngineConfig): Outcome {
  if (outcome.state === null || outcome.effects.length === 0) return outcome;
  const asksForJudgement = event.kind === "hand_off_requested" || (event.kind === "timer_fired" && (event.timer.kind === "booking_check" || event.timer.kind === "demo_check"));
  // An event that changed nothing (a stale timer) is not judged: nothing to write.
  if (outcome.state === before && !asksForJudgement) return outcome;
  const { score, factors } = computeScore(outcome.state, now, config.score);
  let change: Change = { state: { ...outcome.state, score, scoreFactors: factors }, effects: outcome.effects.filter((e) => e.kind !== "project") };
  const { bookingUrl, bookingWaitHours } = config.handOff;
  if (opensBookingPage(event, outcome.effects, bookingUrl) && change.state.status !== "booked") {
    change = { ...change, effects: [...change.effects, { kind: "schedule", timer: { kind: "booking_check" }, at: now + bookingWaitHours * 3_600_000 }] };
  }
  change = raiseObjections(before, change, event, now, config.handOff.competitors);
  const requested: Fired[] = event.kind === "hand_off_requested" ? [{ trigger: "manual", reason: event.reason }] : [];
  const fired = [...requested, ...freshTriggers(change.state, detectTriggers(before, change.state, event, now, config.handOff), now, config.handOff)];
  const destination = event.kind === "hand_off_requested" ? event.email : undefined;
  if (fired.length > 0) change = handOff(change, fired, now, config.handOff.pauseAutomation, config.sequences, destination);
  change = route(before, change, event, now);
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
      return current ? afterSignal(current, recordOpen(current, event, now), now) : { state: null, effects: [] };
    case "link_clicked":
      return current ? afterSignal(current, recordClick(current, event, now, config.signals), now) : { state: null, effects: [] };
    case "page_viewed":
      if (current === null || seenPageView(current, event.pageViewId)) return { state: current, effects: [] };
      return afterSignal(current, recordPageView(withBrowserZone(current, event, config), event, now), now);
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
          case "demo_check":
            // Nothing to change here: the hand-off and routing checks that follow every event read it.
            return { ...c, effects: [...c.effects, { kind: "unschedule", timer }] };
          case "hold_ends":
            return holdEnds(c, now);
        }
      });
    }
    case "delivery_sent":
      return withLead(current, (c) => deliverySent(c, event.key, event.messageId, now, event.providerId));
    case "delivery_failed":
      return withLead(current, (c) => {
        const address = c.state.deliveries.find((d) => d.touch.key === event.key)?.touch.to;
        const failed = deliveryFailed(c, event.key, event.permanent || event.recipientSuppressed === true, event.reason, now, config.sequences);
        if (!event.recipientSuppressed || !address) return failed;
        // The provider will refuse every later message too: the address is treated as a hard bounce, so it is suppressed here and visibly.
        return bounced(
          failed,
          {
            bounceType: "hard",
            address,
            diagnostic: "Email Service refused the recipient: it is on Email Service's suppression list (E_RECIPIENT_SUPPRESSED)",
            evidence: "the send_email binding answered E_RECIPIENT_SUPPRESSED",
          },
          now,
          config.sequences,
        );
      });
    case "delivery_blocked":
      return withLead(current, (c) => deliveryBlocked(c, event.key, event.reason, now));
    case "delivery_deferred":
      return withLead(current, (c) => deliveryDeferred(c, event.key, event.until, now, event.heldBy));
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
    case "delivery_reported":
      if (current?.deliveryEventIds?.includes(event.report.eventId)) return { state: current, effects: [] };
      return withLead(current, (c) => deliveryReported(c, event.report, now, config.sequences));
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
    case "chat_message":
      return withLead(current, (c) => receiveChatMessage(c, event, now, config.handOff.competitors));
    case "channel_preferred":
      return withLead(current, (c) => preferChannel(c, event, now));
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
