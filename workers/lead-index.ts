import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { leads, type LeadRow } from "../schemas/d1";
import type { LeadStatus } from "../schemas/lead";
import { AppError } from "./errors";

export interface LeadPage {
  leads: Omit<LeadRow, "version">[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Cursor = the last row's (created_at, id): stable under inserts, unlike an offset. */
function encodeCursor(row: LeadRow): string {
  return btoa(`${row.createdAt}:${row.id}`).replace(/=+$/, "");
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const [at, id] = atob(cursor).split(":");
    const createdAt = Number(at);
    if (!Number.isSafeInteger(createdAt) || !id) throw new Error("bad cursor");
    return { createdAt, id };
  } catch {
    throw new AppError(400, "bad_cursor", "The cursor is not one this API returned.");
  }
}

/** Newest leads first, from D1's projection of every lead object. */
export async function listLeads(db: D1Database, query: { status?: LeadStatus; limit: number; cursor?: string }): Promise<LeadPage> {
  const conditions: SQL[] = [];
  if (query.status) conditions.push(eq(leads.status, query.status));
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    conditions.push(or(lt(leads.createdAt, after.createdAt), and(eq(leads.createdAt, after.createdAt), lt(leads.id, after.id)))!);
  }
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
