import type { Drafter, LeadProfile, TouchOrigin, TouchVariant } from "../schemas/lead";
import type { Channel, Drafting, Intent } from "../schemas/sequence";
import type { LeadState } from "./lead-engine";

/**
 * Drafts made ahead of a touch: what the drafter is asked for, what the lead did that a
 * draft may mention, and which words a step sends once its time comes. Pure.
 */

/** Something the lead did, as a person, that a draft may mention. Nothing else may be claimed. */
export interface LeadFact {
  kind: "visit" | "open" | "click";
  /** For visits: the page class (pricing, case-study…); null for unclassified pages. */
  pageClass?: string | null;
  count: number;
  /** For visits: engaged time on those pages, in whole minutes. */
  engagedMinutes?: number;
  lastAt: number;
}

/** What a drafter is asked to rewrite: the step's rendered template and the grounds it may use. */
export interface DraftRequest {
  leadId: string;
  enrolmentId: string;
  sequenceId: string;
  stepId: string;
  intent: Intent;
  channels: Channel[];
  /** Which template the draft rewrites; a draft for another one (the alternative angle) is not used. */
  basis: TouchVariant;
  /** The template as it would go out; `subject` is absent when the email continues a thread. */
  template: { subject?: string; body?: string; sms?: string };
  profile: Pick<LeadProfile, "firstName" | "name" | "company" | "title" | "source">;
  facts: LeadFact[];
  bookingUrl?: string;
  dueAt: number;
  /** Identifies the request: an answer to an older one is dropped. */
  requestedAt: number;
}

export type DraftContent = { subject?: string; body?: string; sms?: string };

/** A draft for an enrolment's next step, from request to the owner's review. */
export interface TouchDraft {
  enrolmentId: string;
  sequenceId: string;
  stepId: string;
  intent: Intent;
  /** The template the draft rewrites, as rendered when it was asked for (the review shows both). */
  template: DraftContent;
  basis: TouchVariant;
  status: "requested" | "ready" | "approved" | "edited" | "rejected" | "failed";
  requestedAt: number;
  madeAt?: number;
  by?: Drafter;
  content?: DraftContent;
  /** Why a drafter's answers were refused (guardrails), or why there is no draft. */
  notes?: string[];
  /** For objection steps: the concern the knowledge base suggests this lead has. */
  predictedObjection?: string;
}

/** A drafter's answer to a request (`content` null: no usable draft, the template stands). */
export interface DraftAnswered {
  enrolmentId: string;
  requestedAt: number;
  content: DraftContent | null;
  by: Drafter;
  notes: string[];
  predictedObjection?: string;
}

/** The owner's decision on a draft waiting for review; `content` carries an edit's words. */
export interface DraftReview {
  enrolmentId: string;
  stepId: string;
  decision: "approve" | "edit" | "reject";
  content?: DraftContent;
}

/** A model's draft is refreshed on new signals at most this often, so a burst of page views costs one model call. */
const DRAFT_REFRESH_MS = 30 * 60_000;
/** A request with no answer after this long (the object was evicted mid-call) may be made again. */
const DRAFT_REQUEST_STALE_MS = 10 * 60_000;

const MINUTE = 60_000;

/** The lead's human signals, grouped: page classes visited (with time on them), opens and clicks. */
export function leadFacts(state: LeadState): LeadFact[] {
  const facts: LeadFact[] = [];
  const byClass = new Map<string | null, { count: number; engagedMs: number; lastAt: number }>();
  for (const visit of state.engagement.visits) {
    const seen = byClass.get(visit.pageClass) ?? { count: 0, engagedMs: 0, lastAt: 0 };
    byClass.set(visit.pageClass, { count: seen.count + 1, engagedMs: seen.engagedMs + visit.engagedMs, lastAt: Math.max(seen.lastAt, visit.at) });
  }
  for (const [pageClass, seen] of byClass) {
    facts.push({ kind: "visit", pageClass, count: seen.count, engagedMinutes: Math.floor(seen.engagedMs / MINUTE), lastAt: seen.lastAt });
  }
  for (const kind of ["open", "click"] as const) {
    const signals = state.humanSignals.filter((s) => s.kind === kind);
    if (signals.length > 0) facts.push({ kind, count: signals.length, lastAt: Math.max(...signals.map((s) => s.at)) });
  }
  return facts;
}

/** Whether the enrolment's next step needs a (new) draft: none yet, an old one for other signals, or a lost request. */
export function wantsDraft(existing: TouchDraft | undefined, stepId: string, basis: TouchVariant, now: number, newSignal: boolean): boolean {
  if (!existing || existing.stepId !== stepId || existing.basis !== basis) return true;
  // The owner's decision stands, whatever the lead does next.
  if (existing.status === "approved" || existing.status === "edited" || existing.status === "rejected") return false;
  if (existing.status === "requested") return now - existing.requestedAt >= DRAFT_REQUEST_STALE_MS;
  // The rules' drafts cost nothing, so every new signal may change them; a model's, at most every DRAFT_REFRESH_MS.
  return newSignal && (existing.by === "rules" || now - existing.requestedAt >= DRAFT_REFRESH_MS);
}

export type Wording = { origin: "template" } | { origin: Exclude<TouchOrigin, "template">; content: DraftContent; by: Drafter } | { origin: "hold" };

/**
 * Which words a step sends now. `auto` uses a draft that passed the guardrails; `review`
 * only one the owner approved or edited, and for one still waiting, the template or a hold.
 */
export function wordingFor(drafting: Drafting, draft: TouchDraft | undefined, stepId: string, basis: TouchVariant): Wording {
  if (drafting.mode === "off" || !draft || draft.stepId !== stepId || !draft.content) return { origin: "template" };
  const by = draft.by ?? "model";
  if (draft.status === "edited") return { origin: "edited_draft", content: draft.content, by };
  if (draft.basis !== basis) return { origin: "template" };
  if (draft.status === "approved" || (draft.status === "ready" && drafting.mode === "auto")) return { origin: "ai_draft", content: draft.content, by };
  if (draft.status === "ready" && drafting.unreviewed === "hold") return { origin: "hold" };
  return { origin: "template" };
}
