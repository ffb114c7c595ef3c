import type { ConsentRecord, Engagement, LeadId, LeadProfile, LeadStatus, Submission, TimelineEntry, Verdict } from "../schemas/lead";
import type { RequestFacts } from "../schemas/tracking";
import { recordClick, recordOpen, recordPageLeft, recordPageView } from "./engagement";
import { DEFAULT_SIGNAL_RULES, type RecentClick, type SignalRules } from "./signal-verdict";

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
  /** The timeline's last sequence number: the engine numbers entries so it can refer to them. */
  lastSeq: number;
  /** Bumped on every change; the D1 projection never lets an older version overwrite a newer. */
  version: number;
}

export type LeadEvent =
  | { kind: "form_submitted"; leadId: LeadId; submission: Submission }
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
      facts: RequestFacts;
    }
  | { kind: "page_left"; leadId: LeadId; pageViewId: string; engagedMs: number };

export type LeadEffect =
  | { kind: "append_timeline"; entry: TimelineEntry }
  /** An earlier entry was judged again (a click turned out to be part of a scanner's burst). */
  | { kind: "rejudge_timeline"; seqs: number[]; verdict: Verdict; reason: string }
  /** Write the lead's row and new timeline entries to D1 for cross-lead views. */
  | { kind: "project" };

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
  return { granted, at: now, formId: submission.formId, ...(submission.page ? { page: submission.page } : {}) };
}

const noCounts = () => ({ human: 0, auto: 0, machine: 0 });

function emptyLead(id: LeadId, now: number): LeadState {
  return {
    id,
    status: "new",
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

function submitForm(current: LeadState | null, event: Extract<LeadEvent, { kind: "form_submitted" }>, now: number): Outcome {
  const base = current ?? emptyLead(event.leadId, now);
  const { submission } = event;
  const seq = base.lastSeq + 1;
  const state: LeadState = {
    ...base,
    profile: mergeProfile(base.profile, submission.profile),
    consent: {
      email: consentFrom(submission, "email", now) ?? base.consent.email,
      sms: consentFrom(submission, "sms", now) ?? base.consent.sms,
    },
    lastActivityAt: Math.max(base.lastActivityAt, now),
    lastSeq: seq,
    version: base.version + 1,
  };
  return {
    state,
    effects: [{ kind: "append_timeline", entry: { seq, at: now, kind: "form_submitted", submission } }, { kind: "project" }],
  };
}

/** Whether the lead has opened anything: every open from a privacy proxy proves nothing. */
export function openedStatus(engagement: Engagement): "yes" | "no" | "unknown" {
  if (engagement.opens.human > 0 || engagement.clicks.human > 0) return "yes";
  return engagement.opens.auto > 0 ? "unknown" : "no";
}

/** Per-deployment settings the rules read; every field has a default. */
export interface EngineConfig {
  signals: SignalRules;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = { signals: DEFAULT_SIGNAL_RULES };

export function applyEvent(current: LeadState | null, event: LeadEvent, now: number, config: EngineConfig = DEFAULT_ENGINE_CONFIG): Outcome {
  switch (event.kind) {
    case "form_submitted":
      return submitForm(current, event, now);
    case "email_opened":
      return current ? recordOpen(current, event, now) : { state: null, effects: [] };
    case "link_clicked":
      return current ? recordClick(current, event, now, config.signals) : { state: null, effects: [] };
    case "page_viewed":
      return current ? recordPageView(current, event, now) : { state: null, effects: [] };
    case "page_left":
      return current ? recordPageLeft(current, event, now) : { state: null, effects: [] };
    default:
      return assertNever(event);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled lead event: ${JSON.stringify(value)}`);
}
