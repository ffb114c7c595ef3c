import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { AppError } from "../app-error";

/**
 * Lists page newest first by (created_at, id); the cursor is the last row's pair, so pages
 * stay stable while rows are added, unlike an offset.
 */

export function encodeCursor(row: { createdAt: number; id: string }): string {
  return btoa(`${row.createdAt}:${row.id}`).replace(/=+$/, "");
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const text = atob(cursor);
    const colon = text.indexOf(":");
    const createdAt = Number(text.slice(0, colon));
    const id = text.slice(colon + 1);
    if (colon < 1 || !Number.isSafeInteger(createdAt) || !id) throw new Error("bad cursor");
    return { createdAt, id };
  } catch {
    throw new AppError(400, "bad_cursor", "The cursor is not one this API returned.");
  }
}

type PageColumns = { createdAt: SQLiteColumn; id: SQLiteColumn };

/** The condition for rows after the cursor, in (created_at, id) descending order. */
export function afterCursor(columns: PageColumns, cursor: string): SQL {
  const last = decodeCursor(cursor);
  return or(lt(columns.createdAt, last.createdAt), and(eq(columns.createdAt, last.createdAt), lt(columns.id, last.id)))!;
}

/** The order pages are cut in: newest first, ties by id. */
export const newestFirst = (columns: PageColumns): SQL[] => [desc(columns.createdAt), desc(columns.id)];

/**
 * A page from rows fetched with `limit + 1`: the extra row, when it came back, says there
 * is a next page, whose cursor is the last kept row's (created_at, id).
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => { createdAt: number; id: string }): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
