import type { ConsentMethod, ConsentRecord, EnrolReason, RepAction, Engagement, LeadId, LeadProfile, LeadStatus, Submission, TimelineEntry, Verdict } from "../schemas/lead";
import type { SequenceVersion } from "../schemas/sequence";
import type { RequestFacts } from "../schemas/tracking";
import { recordClick, recordOpen, recordPageLeft, recordPageView } from "./engagement";
import { DEFAULT_HAND_OFF_RULES, detectTriggers, freshTriggers, type Fired, type HandOffRules } from "./hand-off";
import { computeScore, DEFAULT_SCORE_RULES, type ScoreFactor, type ScoreRules } from "./lead-score";
import { leadTimezone } from "./lead-timezone";
import { isTimeZone } from "./local-time";
import { withMilestones, type Milestones } from "./milestones";
import {
  bendTiming,
  bounced,
  DEFAULT_SEQUENCE_CONFIG,
  deliveryBlocked,
  deliveryDeferred,
  deliveryFailed,
  deliverySent,
  draftReady,
  enrol,
  fireDelivery,
  handOff,
  holdEnds,
  markBooked,
  repAction,
  optIn,
  optOut,
  outOfOffice,
  reactivateOnReturn,
  receiveReply,
  requestDrafts,
  reviewDraft,
  runStep,
  type Change,
  type Delivery,
  type Enrolment,
  type HumanSignal,
  type OutgoingTouch,
  type Reply,
  type SequenceConfig,
  type Timer,
} from "./sequence-runner";
import { DEFAULT_SIGNAL_RULES, type RecentClick, type SignalRules } from "./signal-verdict";
import type { DraftAnswered, DraftRequest, DraftReview, TouchDraft } from "./touch-drafts";

/**
 * The lead's engine: `(state, event, now) -> { state, effects }`. No I/O, no clock, no
 * randomness, so every rule is tested by walking simulated time in milliseconds.
 */

export interface RecentClickState extends RecentClick {
  verdict: Verdict;
}

export interface LeadState {
  id: LeadId;
  status: LeadStatus;
  score: number;
  profile: LeadProfile;
  consent: { email?: ConsentRecord; sms?: ConsentRecord };
  createdAt: number;
  /** The last time the lead itself did something: a post or a human signal. */
  lastActivityAt: number;
  engagement: Engagement;
  /** Clicks inside the burst window, to judge the next one. */
  recentClicks: RecentClickState[];
  /** The lead's IANA zone: every wait, window and quiet hour is counted in it. */
  timezone: string;
  /** The zone the lead's browser reported through the snippet. */
  browserTimezone?: string;
  enrolments: Enrolment[];
  /** Touches rendered and waiting for their channel. */
  deliveries: Delivery[];
  /** Drafts of each active enrolment's next step (at most one per enrolment). */
  drafts: TouchDraft[];
  /** Recent human opens, clicks, visits and replies (bounded), for branches and send-time optimisation. */
  humanSignals: HumanSignal[];
  /** When the lead posted forms (bounded), for its score. */
  formPostTimes: number[];
  /** What made the score, largest first. */
  scoreFactors: ScoreFactor[];
  /** Hand-offs so far: the same trigger alerts once per window. */
  handOffs: { trigger: string; reason: string; at: number }[];
  /** Touches that went out (bounded), for the objection trigger. */
  sentTouches: { key: string; intent: string; at: number }[];
  /** The timeline's last sequence number: the engine numbers entries so it can refer to them. */
  lastSeq: number;
  /** Soft bounces since the last sign of life. */
  softBounces?: number;
  /** Why email to the lead's address stopped (it bounced); unset while it is deliverable. */
  emailUndeliverable?: string;
  /** When the lead first reached each funnel step (absent on leads stored before it existed). */
  milestones?: Milestones;
  /** Bumped on every change; the D1 projection never lets an older version overwrite a newer. */
  version: number;
}

export type LeadEvent =
  | { kind: "form_submitted"; leadId: LeadId; submission: Submission; sequence?: SequenceVersion }
  | { kind: "email_opened"; leadId: LeadId; messageId: string; sentAt: number; facts: RequestFacts }
  | {
      kind: "link_clicked";
      leadId: LeadId;
      messageId: string;
      sentAt: number;
      linkIndex: number;
      url: string;
      honeypot: boolean;
      facts: RequestFacts;
    }
  | {
      kind: "page_viewed";
      leadId: LeadId;
      pageViewId: string;
      url: string;
      pageClass: string | null;
      title?: string;
      referrer?: string;
      /** The browser's zone, as the snippet saw it. */
      timezone?: string;
      facts: RequestFacts;
    }
  | { kind: "page_left"; leadId: LeadId; pageViewId: string; engagedMs: number }
  | { kind: "enrolled"; leadId: LeadId; sequence: SequenceVersion; reason: EnrolReason }
  | { kind: "timer_fired"; leadId: LeadId; timer: Timer }
  | { kind: "delivery_sent"; leadId: LeadId; key: string; messageId: string }
  | { kind: "delivery_failed"; leadId: LeadId; key: string; permanent: boolean; reason: string }
  | { kind: "delivery_blocked"; leadId: LeadId; key: string; reason: string }
  | { kind: "delivery_deferred"; leadId: LeadId; key: string; until: number }
  | ({ kind: "reply_received"; leadId: LeadId } & Reply)
  | { kind: "auto_reply_received"; leadId: LeadId; returnDate?: string }
  | { kind: "bounced"; leadId: LeadId; bounceType: "hard" | "soft"; address: string; status?: string; diagnostic: string }
  | { kind: "sms_resubscribed"; leadId: LeadId }
  | { kind: "booked"; leadId: LeadId; source: string }
  | { kind: "unsubscribed"; leadId: LeadId; channel: "email" | "sms"; method: ConsentMethod }
  | { kind: "hand_off_requested"; leadId: LeadId; reason: string }
  | ({ kind: "draft_ready"; leadId: LeadId } & DraftAnswered)
  | ({ kind: "draft_reviewed"; leadId: LeadId } & DraftReview)
  | { kind: "rep_action"; leadId: LeadId; action: RepAction; note?: string };

export type LeadEffect =
  | { kind: "append_timeline"; entry: TimelineEntry }
  /** An earlier entry was judged again (a click turned out to be part of a scanner's burst). */
  | { kind: "rejudge_timeline"; seqs: number[]; verdict: Verdict; reason: string }
  /** Write the lead's row and new timeline entries to D1 for cross-lead views. */
  | { kind: "project" }
  /** Set (or move) a timer; the object keeps one alarm for the earliest. */
  | { kind: "schedule"; timer: Timer; at: number }
  | { kind: "unschedule"; timer: Timer }
  /** Hand a touch to its channel; the object reports back with a delivery event. */
  | { kind: "send"; touch: OutgoingTouch }
  /** Enrol in another sequence: the object looks its current version up and sends `enrolled`. */
  | { kind: "enrol"; sequenceId: string; reason: EnrolReason }
  | { kind: "alert"; reason: "reply" | "rep_task"; message: string }
  /** Put an address on the D1 suppression list (the object retries until D1 takes it). */
  | { kind: "suppress"; channel: "email" | "sms"; value: string; reason: string }
  /** Hand the lead to a person: the object builds the package and delivers it to every destination. */
  | { kind: "hand_off"; triggers: { trigger: string; reason: string }[] }
  /** Draft the touch ahead of its time; the object answers with `draft_ready`. */
  | { kind: "draft"; request: DraftRequest };

export interface Outcome {
  /** Null when the event was for a lead that never contacted us (nothing to change). */
  state: LeadState | null;
  effects: LeadEffect[];
}

/** Newer non-empty fields win; what a later form did not ask for is kept. */
export function mergeProfile(current: LeadProfile, incoming: LeadProfile): LeadProfile {
  const merged: LeadProfile = { ...current };
  for (const [field, value] of Object.entries(incoming) as [keyof LeadProfile, string | undefined][]) {
    if (value === undefined || value === "") continue;
    // Source is attribution: the form that first brought the lead in keeps the credit.
    if (field === "source" && current.source !== undefined) continue;
    merged[field] = value;
  }
  return merged;
}

function consentFrom(submission: Submission, channel: "email" | "sms", now: number): ConsentRecord | undefined {
  const granted = submission.consent[channel];
  if (granted === undefined) return undefined;
  const wording = submission.consentWording?.[channel];
  return { granted, at: now, method: "form", formId: submission.formId, ...(wording ? { wording } : {}), ...(submission.page ? { page: submission.page } : {}) };
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
  const state: LeadState = {
    ...base,
    profile,
    timezone: leadTimezone(profile, base.browserTimezone, config.sequences.defaultTimezone),
    consent: {
      email: consentFrom(submission, "email", now) ?? base.consent.email,
      sms: consentFrom(submission, "sms", now) ?? base.consent.sms,
    },
    lastActivityAt: Math.max(base.lastActivityAt, now),
    formPostTimes: [...base.formPostTimes, now].slice(-20),
    lastSeq: seq,
  };
  const submitted: Change = { state, effects: [{ kind: "append_timeline", entry: { seq, at: now, kind: "form_submitted", submission } }] };
  return finish(base, event.sequence ? enrol(submitted, event.sequence, "form", now) : submitted);
}

/** Whether the lead has opened anything: every open from a privacy proxy proves nothing. */
export function openedStatus(engagement: Engagement): "yes" | "no" | "unknown" {
  if (engagement.opens.human > 0 || engagement.clicks.human > 0) return "yes";
  return engagement.opens.auto > 0 ? "unknown" : "no";
}

/** Per-deployment settings the rules read; every field has a default. */
export interface EngineConfig {
  signals: SignalRules;
  sequences: SequenceConfig;
  score: ScoreRules;
  handOff: HandOffRules;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  signals: DEFAULT_SIGNAL_RULES,
  sequences: DEFAULT_SEQUENCE_CONFIG,
  score: DEFAULT_SCORE_RULES,
  handOff: DEFAULT_HAND_OFF_RULES,
};

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

/** A person's browser tells the lead's zone when its forms did not. */
function withBrowserZone(state: LeadState, event: Extract<LeadEvent, { kind: "page_viewed" }>, config: EngineConfig): LeadState {
  if (!event.timezone || event.timezone === state.browserTimezone || event.facts.botAgent || !isTimeZone(event.timezone)) return state;
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
  const { score, factors } = computeScore(outcome.state, now, config.score, config.handOff.competitors);
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
      return current ? afterSignal(current, recordPageView(withBrowserZone(current, event, config), event, now), now, config) : { state: null, effects: [] };
    case "page_left":
      return current ? recordPageLeft(current, event, now) : { state: null, effects: [] };
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
        const { leadId: _, kind: __, ...reply } = event;
        const replied = receiveReply(c, reply, now, config.sequences);
        const { messageKey, text } = reply;
        const signal: HumanSignal = { seq: replied.state.lastSeq, at: now, kind: "reply", ...(messageKey ? { messageKey } : {}), ...(text ? { text: text.slice(0, 500) } : {}) };
        return { ...replied, state: { ...replied.state, humanSignals: [...replied.state.humanSignals, signal].slice(-MAX_HUMAN_SIGNALS) } };
      });
    case "auto_reply_received":
      return withLead(current, (c) => outOfOffice(c, event.returnDate, now, config.sequences));
    case "bounced": {
      const { leadId: _, kind: __, ...bounce } = event;
      return withLead(current, (c) => bounced(c, bounce, now, config.sequences));
    }
    case "sms_resubscribed":
      return withLead(current, (c) => optIn(c, now));
    case "booked":
      return withLead(current, (c) => markBooked(c, event.source, now));
    case "unsubscribed":
      return withLead(current, (c) => optOut(c, event.channel, event.method, now));
    case "hand_off_requested":
      // The hand-off itself happens in judge(); the request only needs to reach it.
      return current ? { state: current, effects: [{ kind: "project" }] } : { state: null, effects: [] };
    case "draft_ready": {
      const { leadId: _, kind: __, ...answer } = event;
      return withLead(current, (c) => draftReady(c, answer, now));
    }
    case "draft_reviewed": {
      const { leadId: _, kind: __, ...review } = event;
      return withLead(current, (c) => reviewDraft(c, review, now));
    }
    case "rep_action":
      return withLead(current, (c) => repAction(c, event.action, event.note, now, config.sequences.nurtureSequenceId));
    default:
      return assertNever(event);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled lead event: ${JSON.stringify(value)}`);
}
