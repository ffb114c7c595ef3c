import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { visitors } from "../../schemas/d1";
import { LeadIdSchema, type LeadId } from "../../schemas/lead";

/** Visitor ids come from the site's own storage: accept only the shape the snippet makes. */
export const isVisitorId = (value: unknown): value is string => typeof value === "string" && /^[A-Za-z0-9_-]{8,64}$/.test(value);

/** Ties a snippet visitor to a lead on a signed click ticket's word; a later ticket wins. */
export async function linkVisitor(db: D1Database, visitorId: string, leadId: LeadId, now: number): Promise<void> {
  await drizzle(db)
    .insert(visitors)
    .values({ id: visitorId, leadId, linkedAt: now, proof: "ticket" })
    .onConflictDoUpdate({ target: visitors.id, set: { leadId, linkedAt: now, proof: "ticket" } });
}

/**
 * Ties a visitor named by a form post to the lead, unless the lead already has another
 * visitor: a post is anyone's, and only a signed click ticket may add a second browser.
 * True when the visitor is now the lead's.
 */
export async function linkPostedVisitor(db: D1Database, visitorId: string, leadId: LeadId, now: number): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO visitors (id, lead_id, linked_at, proof) SELECT ?1, ?2, ?3, 'form'
       WHERE NOT EXISTS (SELECT 1 FROM visitors WHERE lead_id = ?2 AND id <> ?1)
       ON CONFLICT (id) DO UPDATE SET lead_id = excluded.lead_id, linked_at = excluded.linked_at,
         proof = CASE WHEN visitors.lead_id = excluded.lead_id THEN visitors.proof ELSE 'form' END`,
    )
    .bind(visitorId, leadId, now)
    .run();
  return result.meta.changes > 0;
}

export async function leadForVisitor(db: D1Database, visitorId: string): Promise<LeadId | null> {
  return (await visitorLink(db, visitorId))?.leadId ?? null;
}

/** The lead a visitor is tied to, and what proved it. */
export async function visitorLink(db: D1Database, visitorId: string): Promise<{ leadId: LeadId; proof: "ticket" | "form" } | null> {
  const row = await drizzle(db).select({ leadId: visitors.leadId, proof: visitors.proof }).from(visitors).where(eq(visitors.id, visitorId)).get();
  const parsed = LeadIdSchema.safeParse(row?.leadId);
  return parsed.success ? { leadId: parsed.data, proof: row!.proof } : null;
}
