import { asc, count } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { reviewQueue } from "../schemas/d1";
import type { LeadId } from "../schemas/lead";
import type { ReviewDecision } from "../schemas/review";
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

/** Hands the owner's decision to the lead's object: null for no such lead, false when the draft no longer waits. */
export async function reviewDraft(env: Env, leadId: LeadId, enrolmentId: string, review: ReviewDecision): Promise<boolean | null> {
  const { stepId, decision, ...words } = review;
  return leadObject(env, leadId).reviewDraft({ enrolmentId, stepId, decision, ...(decision === "edit" ? { content: words } : {}) });
}
