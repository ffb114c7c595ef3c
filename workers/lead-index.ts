import { and, desc, eq, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { leads, type LeadRow } from "../schemas/d1";
import type { LeadStatus } from "../schemas/lead";
import { afterCursor, encodeCursor } from "./page-cursor";

export interface LeadPage {
  leads: Omit<LeadRow, "version">[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Newest leads first, from D1's projection of every lead object. */
export async function listLeads(db: D1Database, query: { status?: LeadStatus; limit: number; cursor?: string }): Promise<LeadPage> {
  const conditions: SQL[] = [];
  if (query.status) conditions.push(eq(leads.status, query.status));
  if (query.cursor) conditions.push(afterCursor(leads, query.cursor));
  const rows = await drizzle(db)
    .select()
    .from(leads)
    .where(and(...conditions))
    .orderBy(desc(leads.createdAt), desc(leads.id))
    .limit(query.limit + 1)
    .all();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    leads: page.map(({ version: _version, ...lead }) => lead),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
  };
}
