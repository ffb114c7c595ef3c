import type { Engagement, Verdict } from "../../schemas/lead";
import type { LeadEvent, LeadEffect, LeadState, Outcome } from "../lead/lead-state";
import { findBurst, judgeClick, judgeOpen, judgePageView, type Judgement, type SignalRules } from "./signal-verdict";

/** Signals the lead gives off: opens, clicks and page views, each judged before it counts. */

const MAX_VISITS = 200;
const MAX_OPENED_MESSAGES = 200;
/** Page views recorded (any verdict), newest last: a beacon sent again is the same view. */
const MAX_PAGE_VIEW_IDS = 500;
const DAY = 86_400_000;

type EventOf<K extends LeadEvent["kind"]> = Extract<LeadEvent, { kind: K }>;

function count(counts: Engagement["opens"], verdict: Verdict, by = 1): Engagement["opens"] {
  return { ...counts, [verdict]: counts[verdict] + by };
}

/** Only a person's actions move the lead's last activity. */
function touched(state: LeadState, judgement: Judgement, now: number): number {
  return judgement.verdict === "human" ? Math.max(state.lastActivityAt, now) : state.lastActivityAt;
}

function next(state: LeadState, changes: Partial<LeadState>): LeadState {
  return { ...state, ...changes, lastSeq: state.lastSeq + 1, version: state.version + 1 };
}

export function recordOpen(state: LeadState, event: EventOf<"email_opened">, now: number): Outcome {
  const judgement = judgeOpen(event.facts);
  const opened = state.engagement.openedMessages;
  const first = judgement.verdict === "human" && !opened.includes(event.messageId);
  const engagement: Engagement = {
    ...state.engagement,
    opens: count(state.engagement.opens, judgement.verdict),
    openedMessages: first ? [...opened, event.messageId].slice(-MAX_OPENED_MESSAGES) : opened,
  };
  const after = next(state, { engagement, lastActivityAt: touched(state, judgement, now) });
  return {
    state: after,
    effects: [
      {
        kind: "append_timeline",
        entry: { seq: after.lastSeq, at: now, kind: "email_opened", messageId: event.messageId, first, userAgent: event.facts.userAgent, ...judgement },
      },
      { kind: "project" },
    ],
  };
}

export function recordClick(state: LeadState, event: EventOf<"link_clicked">, now: number, rules: SignalRules): Outcome {
  const seq = state.lastSeq + 1;
  let judgement = judgeClick(event.facts, { at: now, sentAt: event.sentAt, honeypot: event.honeypot }, rules);
  const newest = { seq, messageId: event.messageId, linkIndex: event.linkIndex, at: now, honeypot: event.honeypot, verdict: judgement.verdict };
  const recent = state.recentClicks.filter((c) => now - c.at <= rules.burstWindowMs);
  const burst = findBurst(recent, newest, rules);
  const rejudge: LeadEffect[] = [];
  let clicks = state.engagement.clicks;
  let kept = recent;
  if (burst.length > 0) {
    const reason = burst.some((c) => c.honeypot)
      ? "part of a burst with the hidden honeypot link"
      : `${new Set(burst.map((c) => c.linkIndex)).size} links of one message within ${rules.burstWindowMs / 1000} s`;
    judgement = { verdict: "machine", reason };
    // Earlier clicks of the burst were counted as people until now: take them back.
    const earlier = burst.filter((c) => c.seq !== seq && c.verdict === "human");
    if (earlier.length > 0) {
      clicks = { ...clicks, human: clicks.human - earlier.length, machine: clicks.machine + earlier.length };
      rejudge.push({ kind: "rejudge_timeline", seqs: earlier.map((c) => c.seq), verdict: "machine", reason });
      kept = recent.map((c) => (earlier.includes(c) ? { ...c, verdict: "machine" as const } : c));
    }
  }
  const after: LeadState = {
    ...state,
    engagement: { ...state.engagement, clicks: count(clicks, judgement.verdict) },
    recentClicks: [...kept, { ...newest, verdict: judgement.verdict }],
    lastActivityAt: touched(state, judgement, now),
    lastSeq: seq,
    version: state.version + 1,
  };
  return {
    state: after,
    effects: [
      {
        kind: "append_timeline",
        entry: {
          seq,
          at: now,
          kind: "link_clicked",
          messageId: event.messageId,
          linkIndex: event.linkIndex,
          url: event.url,
          userAgent: event.facts.userAgent,
          ...judgement,
        },
      },
      ...rejudge,
      { kind: "project" },
    ],
  };
}

/** Whether this page view is already recorded: a repeated beacon changes nothing. */
export function seenPageView(state: LeadState, pageViewId: string): boolean {
  return (state.pageViewIds ?? []).includes(pageViewId) || state.engagement.visits.some((v) => v.pageViewId === pageViewId);
}

export function recordPageView(state: LeadState, event: EventOf<"page_viewed">, now: number): Outcome {
  if (seenPageView(state, event.pageViewId)) return { state, effects: [] };
  const judgement = judgePageView(event.facts);
  const visits =
    judgement.verdict === "human"
      ? [...state.engagement.visits, { pageViewId: event.pageViewId, at: now, pageClass: event.pageClass, engagedMs: 0 }].slice(-MAX_VISITS)
      : state.engagement.visits;
  const after = next(state, {
    engagement: { ...state.engagement, pageViews: count(state.engagement.pageViews, judgement.verdict), visits },
    lastActivityAt: touched(state, judgement, now),
    pageViewIds: [...(state.pageViewIds ?? []), event.pageViewId].slice(-MAX_PAGE_VIEW_IDS),
  });
  const { pageViewId, url, pageClass, title, referrer } = event;
  return {
    state: after,
    effects: [
      {
        kind: "append_timeline",
        entry: {
          seq: after.lastSeq,
          at: now,
          kind: "page_viewed",
          pageViewId,
          url,
          pageClass,
          ...(title ? { title } : {}),
          ...(referrer ? { referrer } : {}),
          ...judgement,
        },
      },
      { kind: "project" },
    ],
  };
}

/**
 * Engaged time arrives when the page is left; it belongs to the view it ends. It counts up
 * to a cap per view, and views started within a day share a cap, whatever beacons report.
 */
export function recordPageLeft(state: LeadState, event: EventOf<"page_left">, now: number, rules: SignalRules): Outcome {
  const visits = state.engagement.visits;
  const index = visits.findIndex((v) => v.pageViewId === event.pageViewId);
  if (index < 0) return { state, effects: [] };
  const visit = visits[index]!;
  const sameDay = visits.reduce((sum, v, i) => (i !== index && Math.abs(v.at - visit.at) < DAY ? sum + v.engagedMs : sum), 0);
  const engagedMs = Math.min(event.engagedMs, rules.engagedPerViewMs, Math.max(0, rules.engagedPerDayMs - sameDay));
  // Leaves of views we did not count (machine, or never seen), and repeats that add no time, change nothing.
  if (engagedMs <= visit.engagedMs) return { state, effects: [] };
  const updated = visits.map((v, i) => (i === index ? { ...v, engagedMs } : v));
  const after = next(state, { engagement: { ...state.engagement, visits: updated }, lastActivityAt: Math.max(state.lastActivityAt, now) });
  return {
    state: after,
    effects: [
      {
        kind: "append_timeline",
        entry: { seq: after.lastSeq, at: now, kind: "page_left", pageViewId: event.pageViewId, engagedMs, ...(engagedMs < event.engagedMs ? { reportedMs: event.engagedMs } : {}) },
      },
      { kind: "project" },
    ],
  };
}
