import { and, eq, gte, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { drizzle } from "drizzle-orm/d1";
import { leads, type LeadRow } from "../../schemas/d1";
import type { LeadStatus } from "../../schemas/lead";
import { afterCursor, newestFirst, pageOf } from "./page-cursor";

export interface LeadPage {
  leads: Omit<LeadRow, "version">[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface LeadQuery {
  status?: LeadStatus;
  /** Part of a name, email address or company, matched case-insensitively. */
  q?: string;
  minScore?: number;
  sequenceId?: string;
  limit: number;
  cursor?: string;
}

/** Newest leads first, from D1's projection of every lead object. */
export async function listLeads(db: D1Database, query: LeadQuery): Promise<LeadPage> {
  const conditions: SQL[] = [];
  if (query.status) conditions.push(eq(leads.status, query.status));
  if (query.minScore !== undefined) conditions.push(gte(leads.score, query.minScore));
  if (query.sequenceId) conditions.push(eq(leads.sequenceId, query.sequenceId));
  if (query.q) {
    // instr, not LIKE: what the owner typed is matched literally, and D1 caps LIKE patterns at 50 bytes.
    const needle = query.q.toLowerCase();
    const matches = (column: SQLiteColumn) => sql`instr(lower(${column}), ${needle}) > 0`;
    conditions.push(or(matches(leads.name), matches(leads.email), matches(leads.company))!);
  }
  if (query.cursor) conditions.push(afterCursor(leads, query.cursor));
  const rows = await drizzle(db)
    .select()
    .from(leads)
    .where(and(...conditions))
    .orderBy(...newestFirst(leads))
    .limit(query.limit + 1)
    .all();
  const { page, nextCursor } = pageOf(rows, query.limit, (row) => row);
  return { leads: page.map(({ version: _version, ...lead }) => lead), nextCursor };
}
