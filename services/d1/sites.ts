import { asc, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { sitePageCounts, sites } from "../../schemas/d1";
import type { ChatSettings } from "../../schemas/chat";
import type { Site } from "../../schemas/tracking";

export { classifyPage } from "../../engine/signals/page-class";

/**
 * Sites change rarely and beacons are the hottest route: each isolate keeps the list for a
 * minute instead of reading D1 on every page view.
 */
const TTL_MS = 60_000;
let cached: { at: number; byOrigin: Map<string, Site> } | undefined;

async function loadSites(db: D1Database, wallNow: number): Promise<Map<string, Site>> {
  const rows = await drizzle(db).select().from(sites).orderBy(asc(sites.origin)).all();
  cached = { at: wallNow, byOrigin: new Map(rows.map((r) => [r.origin, { origin: r.origin, pageRules: r.pageRules, tracking: r.tracking, ...(r.chat ? { chat: r.chat } : {}) }])) };
  return cached.byOrigin;
}

/** The configured sites by origin, as of at most a minute ago. */
export async function knownSites(db: D1Database, wallNow = Date.now()): Promise<Map<string, Site>> {
  if (cached && wallNow - cached.at < TTL_MS) return cached.byOrigin;
  return loadSites(db, wallNow);
}

/** The configured sites as they are now (the owner API reads past the cache). */
export async function listSites(db: D1Database): Promise<Site[]> {
  return [...(await loadSites(db, Date.now())).values()];
}

export async function putSite(db: D1Database, site: Site, now: number): Promise<Site> {
  await drizzle(db)
    .insert(sites)
    .values({ ...site, chat: site.chat ?? null, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: sites.origin,
      // A put without chat settings (the page-rules editor) keeps the ones saved.
      set: { pageRules: site.pageRules, tracking: site.tracking, ...(site.chat ? { chat: site.chat } : {}), updatedAt: now },
    });
  cached = undefined;
  return site;
}

/** Saves a site's chat settings alone: its page rules and tracking stay as they are. False when no such site. */
export async function putSiteChat(db: D1Database, origin: string, chat: ChatSettings, now: number): Promise<boolean> {
  const result = await drizzle(db).update(sites).set({ chat, updatedAt: now }).where(eq(sites.origin, origin));
  cached = undefined;
  return (result.meta.changes ?? 0) > 0;
}

/** Counts a page view of a site whose individual tracking is off: by day and page class, nobody's. */
export async function countPageView(db: D1Database, origin: string, day: string, pageClass: string | null): Promise<void> {
  await drizzle(db)
    .insert(sitePageCounts)
    .values({ origin, day, pageClass: pageClass ?? "", views: 1 })
    .onConflictDoUpdate({ target: [sitePageCounts.origin, sitePageCounts.day, sitePageCounts.pageClass], set: { views: sql`${sitePageCounts.views} + 1` } });
}
