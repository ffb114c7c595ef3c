import { asc, count, desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { unknownSiteOverflow, unknownSitePosts, type UnknownSitePostRow } from "../../schemas/d1";
import type { Submission } from "../../schemas/lead";

/**
 * The "from an unknown site" queue: posts to a form from an origin it does not allow yet.
 * A stranger can send any `Origin` header with any address in the form, so the queue is
 * bounded twice, in the same statement that inserts (no count-then-insert race):
 * - at most UNKNOWN_SITE_POSTS_PER_ORIGIN waiting from one origin, so one site cannot crowd
 *   out the others;
 * - at most UNKNOWN_SITE_POSTS_TOTAL waiting in all, whatever origins a flood makes up.
 * A post past either bound is not kept: it is counted against its origin
 * (`unknown_site_overflow`) for the owner to see, and its visitor still reads the thank-you
 * page. Nothing in the queue is sent anything until the owner approves it.
 */
export const UNKNOWN_SITE_POSTS_PER_ORIGIN = 50;
export const UNKNOWN_SITE_POSTS_TOTAL = 1000;
/**
 * The turned-away counts are bounded too: made-up origins past this many share one row, so
 * a flood of them cannot grow the table or the pages that read it.
 */
export const UNKNOWN_SITE_OVERFLOW_ORIGINS = 100;
export const OTHER_ORIGINS = "(other origins)";

interface UnknownSitePost {
  formId: string;
  origin: string;
  receivedAt: number;
  submission: Submission;
  hold?: string | undefined;
  visitorId?: string | undefined;
}

/** Keeps a post in the queue: true when kept, false when a bound turned it away (and it was counted). */
export async function keepUnknownSitePost(
  db: D1Database,
  post: UnknownSitePost,
  bounds = { perOrigin: UNKNOWN_SITE_POSTS_PER_ORIGIN, total: UNKNOWN_SITE_POSTS_TOTAL },
): Promise<boolean> {
  const origin = post.origin.toLowerCase();
  const kept = await db
    .prepare(
      `INSERT INTO unknown_site_posts (id, form_id, origin, received_at, submission, hold, visitor_id)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
       WHERE (SELECT count(*) FROM unknown_site_posts WHERE origin = ?3) < ?8
         AND (SELECT count(*) FROM unknown_site_posts) < ?9`,
    )
    .bind(crypto.randomUUID(), post.formId, origin, post.receivedAt, JSON.stringify(post.submission), post.hold ?? null, post.visitorId ?? null, bounds.perOrigin, bounds.total)
    .run();
  if (kept.meta.changes > 0) return true;
  // Counted under its own origin when that origin has a row or there is room for one, else under OTHER_ORIGINS.
  await db
    .prepare(
      `INSERT INTO unknown_site_overflow (origin, dropped, last_at)
       SELECT CASE WHEN EXISTS (SELECT 1 FROM unknown_site_overflow WHERE origin = ?1)
                     OR (SELECT count(*) FROM unknown_site_overflow) < ?3 THEN ?1 ELSE ?4 END, 1, ?2
       WHERE true
       ON CONFLICT (origin) DO UPDATE SET dropped = dropped + 1, last_at = excluded.last_at`,
    )
    .bind(origin, post.receivedAt, UNKNOWN_SITE_OVERFLOW_ORIGINS - 1, OTHER_ORIGINS)
    .run();
  return false;
}

/** The queue, oldest first, with how many wait in all and what the bounds turned away per origin. */
export async function listUnknownSitePosts(db: D1Database, limit = 200) {
  const d1 = drizzle(db);
  const [posts, [total], overflow] = await Promise.all([
    d1.select().from(unknownSitePosts).orderBy(asc(unknownSitePosts.receivedAt), asc(unknownSitePosts.id)).limit(limit).all(),
    d1.select({ n: count() }).from(unknownSitePosts).all(),
    d1.select().from(unknownSiteOverflow).orderBy(desc(unknownSiteOverflow.lastAt)).limit(UNKNOWN_SITE_OVERFLOW_ORIGINS).all(),
  ]);
  return { posts, total: total?.n ?? 0, overflow };
}

export async function findUnknownSitePost(db: D1Database, id: string): Promise<UnknownSitePostRow | undefined> {
  return drizzle(db).select().from(unknownSitePosts).where(eq(unknownSitePosts.id, id)).get();
}

/** Puts a post taken out for approval back, when entering it failed: it waits for another try. */
export async function restoreUnknownSitePost(db: D1Database, post: UnknownSitePostRow): Promise<void> {
  await drizzle(db).insert(unknownSitePosts).values(post).onConflictDoNothing();
}

/** Takes a post out of the queue: true when this call removed it (a second approve of the same post finds nothing). */
export async function removeUnknownSitePost(db: D1Database, id: string): Promise<boolean> {
  return (await drizzle(db).delete(unknownSitePosts).where(eq(unknownSitePosts.id, id)).returning({ id: unknownSitePosts.id })).length > 0;
}

/** Discards every post waiting from one origin, and forgets what its bounds turned away. */
export async function discardUnknownSite(db: D1Database, origin: string): Promise<number> {
  const d1 = drizzle(db);
  const removed = await d1.delete(unknownSitePosts).where(eq(unknownSitePosts.origin, origin)).returning({ id: unknownSitePosts.id });
  await d1.delete(unknownSiteOverflow).where(eq(unknownSiteOverflow.origin, origin));
  return removed.length;
}
