import { asc, count } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { reviewQueue } from "../schemas/d1";
import type { LeadId } from "../schemas/lead";
import type { ReviewDecision } from "../schemas/review";
import { AppError } from "../services/app-error";
import { unknownLead } from "./lead-actions";
import { leadObject } from "./lead-stub";

/** Drafts waiting for the owner, soonest due first (held ones are already due), with how many wait in all. */
export async function listReview(db: D1Database, limit: number) {
  const d1 = drizzle(db);
  const [drafts, [total]] = await Promise.all([
    d1.select().from(reviewQueue).orderBy(asc(reviewQueue.dueAt), asc(reviewQueue.leadId)).limit(limit).all(),
    d1.select({ n: count() }).from(reviewQueue).all(),
  ]);
  return { drafts, total: total?.n ?? 0 };
}

/** Hands the owner's decision to the lead's object: 404 for no such lead, 409 when the draft no longer waits. */
export async function reviewDraft(env: Env, leadId: LeadId, enrolmentId: string, review: ReviewDecision): Promise<void> {
  const { stepId, decision, ...words } = review;
  const result = await leadObject(env, leadId).reviewDraft({ enrolmentId, stepId, decision, ...(decision === "edit" ? { content: words } : {}) });
  if (result === null) unknownLead();
  if (!result) throw new AppError(409, "not_waiting", "This draft is not waiting for review: it was reviewed, sent, or replaced by a newer draft.");
}
