import type { Drafter, TouchOrigin, TouchVariant } from "../../schemas/lead";
import type { Drafting } from "../../schemas/sequence";
import type { HumanSignal, LeadState } from "../lead/lead-state";
import type { LeadFact, TouchDraft, DraftContent } from "./draft-types";

/**
 * Drafts made ahead of a touch: what the drafter is asked for, what the lead did that a
 * draft may mention, and which words a step sends once its time comes. Pure.
 */

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

/** A signal a draft can honestly say something about: a click, a reply, a visit to a classed page (pricing, case studies…). An open is not: it says too little. */
export function worthALine(signal: HumanSignal | undefined): boolean {
  if (!signal) return false;
  return signal.kind === "click" || signal.kind === "reply" || (signal.kind === "visit" && !!signal.pageClass);
}

/**
 * Whether a draft could say more than the template as rendered: the step answers an
 * objection (stated or predicted) or rests on the owner's knowledge, or the lead did
 * something worth a line since the enrolment's last touch. Otherwise the template goes as
 * it is and no drafter is asked: most of a model's cost was drafts that changed nothing.
 */
export function draftCalledFor(step: { intent: string; knowledge?: string }, lastStepAt: number, signals: readonly HumanSignal[]): boolean {
  if (step.intent === "objection" || step.knowledge !== undefined) return true;
  return signals.some((s) => s.at > lastStepAt && worthALine(s));
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
