import type {
  ConsentMethod,
  ConsentRecord,
  LawfulBasisRecord,
  Drafter,
  EnrolReason,
  Engagement,
  LeadId,
  LeadProfile,
  LeadStatus,
  RaisedObjection,
  RepAction,
  ReplyJudgement,
  SendingDay,
  Submission,
  TimelineEntry,
  TouchOrigin,
  TouchVariant,
  Verdict,
} from "../../schemas/lead";
import type { Channel, Intent, Sequence, SequenceVersion, SendingWindow } from "../../schemas/sequence";
import type { RoutingVersion } from "../../schemas/routing";
import type { DeliveryReport } from "../../schemas/delivery-event";
import type { RequestFacts } from "../../schemas/tracking";
import type { TimezoneSource } from "../../schemas/time-zone";
import type { DraftAnswered, DraftRequest, DraftReview, TouchDraft } from "../drafting/draft-types";
import type { RecentClick } from "../signals/signal-verdict";
import type { PreferredChannel, VisitorProof } from "../../schemas/chat";

/** How a chat knew its visitor: the edge's proof, or `chat` for a lead created in that very chat (as good as a ticket). */
export type ChatProof = VisitorProof | "chat";

/**
 * The lead as the engine sees it, the events that change it and the effects it asks the
 * object to perform. Types only: every engine module reads them, none defines them.
 */

export interface RecentClickState extends RecentClick {
  verdict: Verdict;
}

export interface LeadState {
  id: LeadId;
  status: LeadStatus;
  score: number;
  profile: LeadProfile;
  /** Where the lead came from beside `profile.source`: the first post's UTM parameters and page (absent when none said, and on leads stored before it was kept). */
  origin?: PostOrigin;
  consent: { email?: ConsentRecord; sms?: ConsentRecord };
  /** Why the lead may be contacted, per channel and purpose; the first recorded stands. Absent on leads stored before it existed. */
  lawfulBasis?: LawfulBasisRecord[];
  createdAt: number;
  /** The last time the lead itself did something: a post or a human signal. */
  lastActivityAt: number;
  engagement: Engagement;
  /** Page views recorded, any verdict (bounded): a beacon repeated is the view it repeats. Absent on leads stored before it existed. */
  pageViewIds?: string[];
  /** Clicks inside the burst window, to judge the next one. */
  recentClicks: RecentClickState[];
  /** The lead's IANA zone: every wait, window and quiet hour is counted in it. */
  timezone: string;
  /** Where `timezone` came from (absent on leads stored before it was recorded). */
  timezoneSource?: TimezoneSource;
  /** Every zone SMS must keep quiet hours in, when the lead's zone is a guess or conflicts with its phone. */
  smsTimezones?: string[];
  /** The zone the lead's browser reported through the snippet. */
  browserTimezone?: string;
  /** The edge's guess from the address of the browser that first posted the lead's form. */
  edgeTimezone?: string;
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
  /** Objections the lead raised (bounded), oldest first; absent on leads stored before they were recorded. */
  raisedObjections?: RaisedObjection[];
  /** Touches that went out (bounded), for the objection trigger. */
  sentTouches: { key: string; intent: string; at: number }[];
  /** The timeline's last sequence number: the engine numbers entries so it can refer to them. */
  lastSeq: number;
  /** Soft bounces since the last sign of life. */
  softBounces?: number;
  /** The provider event ids already applied (bounded, newest last): a redelivered event changes nothing. */
  deliveryEventIds?: string[];
  /** Why email to the lead's address stopped (it bounced); unset while it is deliverable. */
  emailUndeliverable?: string;
  /** When the lead first reached each funnel step (absent on leads stored before it existed). */
  milestones?: Milestones;
  /** When a confirmation email last went to the address after an unsubscribe (re-consent asks at most once per 30 days). */
  reconsentRequestedAt?: number;
  /** The intent-stage routing the lead came in with (absent: the preset). */
  routing?: RoutingVersion;
  /** When the lead's booked meeting ends (or the booking came, when the provider gave no time): the demo-idle rule counts from here. */
  demoEndsAt?: number;
  /** When the owner was last told of a form post that changed nothing (after an unsubscribe, or while a cadence answers the lead): at most one alert a day. */
  repostAlertedAt?: number;
  /** The channel the lead chose in the site chat for later touches, with its evidence: how (`chat`), the words shown, where. */
  preferredChannel?: { channel: PreferredChannel; at: number; method: "chat"; wording: string; siteOrigin: string };
  /** Bumped on every change; the D1 projection never lets an older version overwrite a newer. */
  version: number;
}

/** A post's attribution: its UTM parameters (`utm_source` …) and the URL of the page it was posted from. */
export interface PostOrigin {
  utm: Record<string, string>;
  page?: string;
}

/** What a score is made of; each kind has its own cap. */
export type ScoreSignal = "open" | "click" | "visit" | "pricingTime" | "formPost" | "reply" | "seniority";

export interface ScoreFactor {
  signal: ScoreSignal;
  points: number;
  count: number;
}

/**
 * The first time the lead reached each step of the funnel. Kept on the lead and projected
 * to its D1 row, so the owner's funnel is a sum over leads, not a scan of every event.
 */
export type Milestone = "contacted" | "opened" | "clicked" | "replied" | "booked" | "unsubscribed" | "bounced";
export type Milestones = Partial<Record<Milestone, number>>;

export interface SentEmail {
  key: string;
  stepId: string;
  /** The RFC 5322 Message-ID, once the channel has accepted the message. */
  messageId?: string;
}

export interface Enrolment {
  id: string;
  sequenceId: string;
  version: number;
  /** The version the lead was enrolled with: later edits never change a lead in flight. */
  sequence: Sequence;
  /** Why the lead is in it: only a form's own enrolment answers at once (instant steps); absent on enrolments stored before it existed. */
  reason?: EnrolReason;
  status: "active" | "paused" | "completed" | "ended";
  startedAt: number;
  /** When the previous step ran; "since the previous step" conditions look from here. */
  lastStepAt: number;
  /**
   * Step days count from here: step `fromStep` is planned its wait after `at`, and each later
   * step its wait after the one before, so a step the window pushed does not push the rest.
   * Enrolment sets it; a resume after a pause or an out-of-office moves it. Absent on
   * enrolments stored before it existed: each step counts from the one before.
   */
  anchor?: { at: number; fromStep: number };
  /** `held`: the step is due but waits for the owner's review of its draft. */
  next?: { stepIndex: number; base: number; dueAt: number; bent: boolean; held?: boolean };
  /** The step a paused enrolment continues with when it resumes. */
  resumeStep?: number;
  touches: number;
  emails: SentEmail[];
  /** `leadWrote`: the lead answered an email of this thread, so its follow-ups may honestly say "Re:". */
  thread?: { id: string; subject: string; messageIds: string[]; leadWrote?: boolean };
}

export interface OutgoingTouch {
  key: string;
  enrolmentId: string;
  sequenceId: string;
  touchId: string;
  stepId: string;
  intent: Intent;
  channel: Channel;
  to: string;
  subject?: string;
  text: string;
  variant: TouchVariant;
  origin: TouchOrigin;
  draftedBy?: Drafter;
  /** An answer to what the lead just did (an instant step): never held back by the sender's pacing. */
  instant: boolean;
  /** Earlier Message-IDs of the thread this email continues (oldest first). */
  references: string[];
  threadId?: string;
}

/** A touch waiting to go out, and how often the channel has refused it so far. */
export interface Delivery {
  touch: OutgoingTouch;
  dueAt: number;
  attempts: number;
  /** SMS quiet hours and, unless the step is instant, the sequence's window. */
  windows: SendingWindow[];
}

/** A person's action, kept for branches and send-time optimisation. */
export interface HumanSignal {
  seq: number;
  at: number;
  kind: "open" | "click" | "visit" | "reply" | "chat";
  messageKey?: string;
  pageClass?: string | null;
  /** A reply's judgement as recorded when it arrived, for scoring and hand-off triggers. */
  judgement?: ReplyJudgement;
}

/** A step of an enrolment, a touch's delivery, or the check after a booking link was opened. */
export type Timer = { kind: "step"; enrolmentId: string } | { kind: "delivery"; key: string } | { kind: "booking_check" } | { kind: "hold_ends" } | { kind: "demo_check" };
export function timerKey(timer: Timer): string {
  switch (timer.kind) {
    case "step":
      return `step:${timer.enrolmentId}`;
    case "delivery":
      return `delivery:${timer.key}`;
    case "booking_check":
      return "booking-check";
    case "hold_ends":
      return "hold-ends";
    case "demo_check":
      return "demo-check";
  }
}

export interface Reply {
  /** The key of the touch the reply answers, as its In-Reply-To or References name it; absent when they name none of ours. */
  messageKey?: string;
  text?: string;
  channel?: Channel;
  /** Judged at intake (by the model, or by the rules where none answered); absent, the engine's rules judge it once, on arrival. */
  judgement?: ReplyJudgement;
  /** What proved the reply is the lead's (a signed routing address, the sender's authentication). */
  evidence?: string;
}

export type LeadEvent =
  | {
      kind: "form_submitted";
      /** The object's own name: a first post creates the lead under it. */
      leadId: LeadId;
      submission: Submission;
      sequence?: SequenceVersion;
      /** The routing version current at the post; the lead keeps the first it got. */
      routing?: RoutingVersion;
      /** Why the edge could not vouch for this post (a form flood): the enrolment it starts waits, paused, for the owner. */
      hold?: string;
    }
  | { kind: "email_opened"; messageId: string; sentAt: number; facts: RequestFacts }
  | {
      kind: "link_clicked";
      messageId: string;
      sentAt: number;
      linkIndex: number;
      url: string;
      honeypot: boolean;
      facts: RequestFacts;
    }
  | {
      kind: "page_viewed";
      pageViewId: string;
      url: string;
      pageClass: string | null;
      title?: string;
      referrer?: string;
      /** The browser's zone, as the snippet saw it. */
      timezone?: string;
      facts: RequestFacts;
    }
  | { kind: "page_left"; pageViewId: string; engagedMs: number }
  | { kind: "enrolled"; sequence: SequenceVersion; reason: EnrolReason }
  | { kind: "timer_fired"; timer: Timer }
  /** `providerId`: the provider's own id for the message, where its delivery reports name that instead. */
  | { kind: "delivery_sent"; key: string; messageId: string; providerId?: string }
  /** `recipientSuppressed`: the provider refused the address itself (its own suppression list). */
  | { kind: "delivery_failed"; key: string; permanent: boolean; reason: string; recipientSuppressed?: boolean }
  | { kind: "delivery_blocked"; key: string; reason: string }
  /** `heldBy`: the sending address's day whose cap moved the touch (absent when only spacing did). */
  | { kind: "delivery_deferred"; key: string; until: number; heldBy?: SendingDay }
  | ({ kind: "reply_received" } & Reply)
  | { kind: "auto_reply_received"; returnDate?: string }
  | { kind: "bounced"; bounceType: "hard" | "soft"; address: string; status?: string; diagnostic: string; evidence?: string }
  /** A provider's report on a message we sent (Email Service events, a signed webhook): one path for all of them. */
  | { kind: "delivery_reported"; report: DeliveryReport }
  | { kind: "sms_resubscribed" }
  /** `endsAt`: when the booked meeting ends, where the provider says. */
  | { kind: "booked"; source: string; endsAt?: number }
  | { kind: "unsubscribed"; channel: "email" | "sms"; method: ConsentMethod; evidence?: string }
  /** A withdrawn consent granted again: the owner's undo (`owner`) or the address's owner confirming a signed link (`confirmed_link`). */
  | { kind: "consent_restored"; channel: "email" | "sms"; method: "owner" | "confirmed_link"; evidence: string }
  /** `email`: where the package goes instead of the deployment's hand-off email (a site chat's own destination). */
  | { kind: "hand_off_requested"; reason: string; email?: string }
  | ({ kind: "draft_ready" } & DraftAnswered)
  | ({ kind: "draft_reviewed" } & DraftReview)
  | { kind: "rep_action"; action: RepAction; note?: string }
  /** The object gave up on an effect after the retry policy's last attempt. */
  | { kind: "effect_failed"; effect: string; attempts: number; reason: string }
  /** A message of a site chat (engine/chat/chat-message.ts); `proof`: how the chat knew the visitor is the lead (`chat`: the lead was created in this chat). */
  /** The lead chose a channel in chat, ticking the consent line shown (`wording`). */
  | { kind: "channel_preferred"; channel: PreferredChannel; wording: string; siteOrigin: string }
  | { kind: "chat_message"; from: "visitor" | "assistant" | "rep"; text: string; siteOrigin: string; conversationId: string; proof: ChatProof };

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
  | { kind: "alert"; reason: "reply" | "rep_task" | "notice"; message: string }
  /** Put an address on the D1 suppression list (the object retries until D1 takes it). */
  | { kind: "suppress"; channel: "email" | "sms"; value: string; reason: string; evidence?: string }
  /** Take an address off the D1 suppression list (its consent was granted again). */
  | { kind: "unsuppress"; channel: "email" | "sms"; value: string; evidence: string }
  /**
   * Email the address that unsubscribed one transactional confirmation (no tracking) with a
   * signed link that grants consent again; `withdrawnAt` is the withdrawal it would undo.
   */
  | { kind: "send_reconsent"; to: string; withdrawnAt: number }
  /** A rep task step: a call for a person to make, with the lead's package, to every hand-off destination (the owner's email where there is none). */
  | { kind: "rep_task"; note: string; stepId: string }
  /** Hand the lead to a person: the object builds the package and delivers it to every destination. */
  | { kind: "hand_off"; triggers: { trigger: string; reason: string }[]; email?: string }
  /** Draft the touch ahead of its time; the object answers with `draft_ready`. */
  | { kind: "draft"; request: DraftRequest };

export interface Outcome {
  /** Null when the event was for a lead that never contacted us (nothing to change). */
  state: LeadState | null;
  effects: LeadEffect[];
}

export interface Change {
  state: LeadState;
  effects: LeadEffect[];
}
