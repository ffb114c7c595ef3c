import { desc } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { routingVersions } from "../../schemas/d1";
import { PRESET_ROUTING, type Routing, type RoutingVersion } from "../../schemas/routing";

/** The owner's intent-stage routing in D1, every version kept; version 0 is the preset until the owner puts one. */

/** The version new leads get: the owner's latest, else the preset. */
export async function currentRouting(db: D1Database): Promise<RoutingVersion> {
  const row = await drizzle(db).select().from(routingVersions).orderBy(desc(routingVersions.version)).limit(1).get();
  return row ? { version: row.version, routing: row.document } : PRESET_ROUTING;
}

/** Stores a new version; the number is taken in the same statement, so racing puts never collide. */
export async function putRouting(db: D1Database, routing: Routing, now: number): Promise<RoutingVersion> {
  const row = await db
    .prepare("INSERT INTO routing_versions (version, document, created_at) SELECT COALESCE(MAX(version), 0) + 1, ?1, ?2 FROM routing_versions RETURNING version")
    .bind(JSON.stringify(routing), now)
    .first<{ version: number }>();
  return { version: row!.version, routing };
}
