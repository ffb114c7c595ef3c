import { clockFrom } from "../services/clock";
import { retentionDaysFrom } from "../services/deployment-settings";
import { FAILURE_MEMORY_MS } from "./dashboard/session";

/**
 * The daily maintenance run (cron trigger). Every D1 table of raw records loses its rows
 * older than RETENTION_DAYS: raw events (the event log's local stand-in), outbox messages, inbound message records, touches,
 * hand-offs, visitor links, review drafts, chat conversation rows, posts waiting in the
 * unknown-site queue and aggregate page counts. Failed-token client
 * addresses go once they are forgotten (a day), dashboard sessions once expired or revoked.
 * Lead rows stay (they are the index), and so do suppressions (an opt-out is kept for good)
 * and the daily rollups (counts, no one in them); the owner erases a whole lead through
 * the API. Each lead's own timeline is pruned by its object (lead-object.ts), not here:
 * the cron cannot visit every object.
 */

const DAY = 86_400_000;
const BATCH = 5_000;

export const retentionDays = retentionDaysFrom;

/** Tables of raw records and the column that dates each row. */
const DATED = {
  events: "at",
  outbox: "created_at",
  inbound_messages: "received_at",
  touches: "sent_at",
  hand_offs: "at",
  visitors: "linked_at",
  review_queue: "made_at",
  conversations: "last_at",
  unknown_site_posts: "received_at",
  login_failures: "last_at",
  dashboard_sessions: "expires_at",
} as const;
type DatedTable = keyof typeof DATED;

/**
 * A touch row's delete trigger takes its counts out of `touch_daily`; retention removes the
 * row, not the history, so the same counts are put back first, in the same batch.
 */
const KEEP_TOUCH_COUNTS = (
  batch: string,
) => `INSERT INTO touch_daily (day, sequence_id, step_id, channel, sent, opened, clicked, replied, ai_draft, ai_draft_model, edited_draft, template)
  SELECT (sent_at / 86400000) * 86400000, sequence_id, step_id, channel, count(*), count(opened_at), count(clicked_at), count(replied_at),
    sum(origin = 'ai_draft'), sum(origin = 'ai_draft' AND drafted_by = 'model'), sum(origin = 'edited_draft'), sum(origin = 'template')
  FROM touches WHERE rowid IN (${batch}) GROUP BY 1, 2, 3, 4
  ON CONFLICT (day, sequence_id, step_id, channel) DO UPDATE SET sent = sent + excluded.sent, opened = opened + excluded.opened, clicked = clicked + excluded.clicked,
    replied = replied + excluded.replied, ai_draft = ai_draft + excluded.ai_draft, ai_draft_model = ai_draft_model + excluded.ai_draft_model,
    edited_draft = edited_draft + excluded.edited_draft, template = template + excluded.template`;

/** Deletes in batches so no single statement runs long on a big table. */
async function deleteOlder(db: D1Database, table: DatedTable, cutoff: number): Promise<number> {
  const column = DATED[table];
  const batch = `SELECT rowid FROM ${table} WHERE ${column} < ?1 ORDER BY rowid LIMIT ${BATCH}`;
  let total = 0;
  for (;;) {
    const remove = db.prepare(`DELETE FROM ${table} WHERE rowid IN (${batch})`).bind(cutoff);
    const results = table === "touches" ? await db.batch([db.prepare(KEEP_TOUCH_COUNTS(batch)).bind(cutoff), remove]) : [await remove.run()];
    const changes = results.at(-1)!.meta.changes ?? 0;
    total += changes;
    if (changes < BATCH) return total;
  }
}

export type MaintenanceReport = Record<DatedTable | "revoked_sessions" | "site_page_counts", number>;

export async function runMaintenance(env: Env, now: number): Promise<MaintenanceReport> {
  const cutoff = now - retentionDays(env) * DAY;
  const report = {} as MaintenanceReport;
  for (const table of Object.keys(DATED) as DatedTable[]) {
    // Sessions are dated by their expiry and failures by the day they are remembered; the rest by retention.
    const before = table === "dashboard_sessions" ? now : table === "login_failures" ? now - FAILURE_MEMORY_MS : cutoff;
    report[table] = await deleteOlder(env.DB, table, before);
  }
  report.revoked_sessions = (await env.DB.prepare("DELETE FROM dashboard_sessions WHERE revoked_at IS NOT NULL").run()).meta.changes ?? 0;
  report.site_page_counts = (await env.DB.prepare("DELETE FROM site_page_counts WHERE day < ?").bind(new Date(cutoff).toISOString().slice(0, 10)).run()).meta.changes ?? 0;
  console.log(JSON.stringify({ event: "maintenance", cutoff, ...report }));
  return report;
}

export const scheduled: ExportedHandlerScheduledHandler<Env> = async (_controller, env, ctx) => {
  ctx.waitUntil(runMaintenance(env, clockFrom(env).now()));
};
