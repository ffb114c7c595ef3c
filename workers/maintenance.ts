import { clockFrom } from "../services/clock";

/**
 * The daily maintenance run (cron trigger): raw events, outbox messages, inbound message
 * records and aggregate page counts older than RETENTION_DAYS are deleted from D1. Lead rows stay (they are the
 * index); the owner erases a whole lead through the API.
 */

const DAY = 86_400_000;
const BATCH = 5_000;

export function retentionDays(env: Env): number {
  const days = Number(env.RETENTION_DAYS);
  return Number.isFinite(days) && days >= 1 ? days : 395;
}

/** Deletes in batches so no single statement runs long on a big table. */
async function deleteOlder(db: D1Database, table: "events" | "outbox" | "inbound_messages", column: "at" | "created_at" | "received_at", cutoff: number): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ? LIMIT ${BATCH})`).bind(cutoff).run();
    const changes = result.meta.changes ?? 0;
    total += changes;
    if (changes < BATCH) return total;
  }
}

export async function runMaintenance(env: Env, now: number): Promise<{ events: number; messages: number; inbound: number; pageCounts: number }> {
  const cutoff = now - retentionDays(env) * DAY;
  const events = await deleteOlder(env.DB, "events", "at", cutoff);
  const messages = await deleteOlder(env.DB, "outbox", "created_at", cutoff);
  const inbound = await deleteOlder(env.DB, "inbound_messages", "received_at", cutoff);
  const pageCounts = (await env.DB.prepare("DELETE FROM site_page_counts WHERE day < ?").bind(new Date(cutoff).toISOString().slice(0, 10)).run()).meta.changes ?? 0;
  console.log(JSON.stringify({ event: "maintenance", cutoff, events, messages, inbound, pageCounts }));
  return { events, messages, inbound, pageCounts };
}

export const scheduled: ExportedHandlerScheduledHandler<Env> = async (_controller, env, ctx) => {
  ctx.waitUntil(runMaintenance(env, clockFrom(env).now()));
};
