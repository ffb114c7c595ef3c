import type { Drafter, LeadProfile, Objection, TouchVariant } from "../../schemas/lead";
import type { Channel, Intent } from "../../schemas/sequence";
import type { KnowledgeKind } from "../../schemas/knowledge";

/** What a drafter is asked for and answers, and where a draft stands. Types only. */

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
  /** The knowledge the step rests on (its `knowledge`): the draft is grounded first in the best passage of this kind. */
  knowledge?: KnowledgeKind;
  facts: LeadFact[];
  /** For objection steps: the concern the lead raised itself (form message or reply), named, never in its words. */
  statedObjection?: Objection;
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
  /** For objection steps: the concern the lead stated, else the one the knowledge base suggests. */
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
