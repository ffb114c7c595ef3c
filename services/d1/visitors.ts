import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { visitors } from "../../schemas/d1";
import { LeadIdSchema, type LeadId } from "../../schemas/lead";

/** Visitor ids come from the site's own storage: accept only the shape the snippet makes. */
export const isVisitorId = (value: unknown): value is string => typeof value === "string" && /^[A-Za-z0-9_-]{8,64}$/.test(value);

/** Ties a snippet visitor to a lead; a later identification (a new ticket or form) wins. */
export async function linkVisitor(db: D1Database, visitorId: string, leadId: LeadId, now: number): Promise<void> {
  await drizzle(db)
    .insert(visitors)
    .values({ id: visitorId, leadId, linkedAt: now })
    .onConflictDoUpdate({ target: visitors.id, set: { leadId, linkedAt: now } });
}

export async function leadForVisitor(db: D1Database, visitorId: string): Promise<LeadId | null> {
  const row = await drizzle(db).select({ leadId: visitors.leadId }).from(visitors).where(eq(visitors.id, visitorId)).get();
  const parsed = LeadIdSchema.safeParse(row?.leadId);
  return parsed.success ? parsed.data : null;
}
