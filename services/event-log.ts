import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { events, type EventRow } from "../schemas/d1";
import type { TimelineEntry } from "../schemas/lead";

/**
 * The raw-event sink: every timeline entry of every lead, for analysis across leads. The
 * lead's own object keeps its timeline (the dashboard and the lead's export read it there);
 * D1's cross-lead tables get only what spans leads (lead-projection.ts).
 *
 * Production binds Workers Analytics Engine as `EVENT_LOG`: one data point per entry,
 * priced apart from D1 and written without a round trip. Where it is unbound (locally, in
 * tests) D1's `events` table stands in, since Analytics Engine has no local query API.
 */

type EventLogEnv = { DB: D1Database; EVENT_LOG?: AnalyticsEngineDataset };

/** What a write cost: Analytics Engine data points, or the stand-in's D1 rows (index entries included). */
export type EventLogWrite = { sink: "analytics_engine"; dataPoints: number } | { sink: "d1"; rowsWritten: number };

/**
 * The entry's fields that say what happened without saying who to or in whose words: a
 * data point cannot be erased (it ages out after three months), so personal data — the
 * address, the text, the form's fields — stays in the object and the stand-in, which erasure reaches.
 */
const DESCRIPTIVE_FIELDS = [
  "enrolmentId",
  "sequenceId",
  "stepId",
  "intent",
  "channel",
  "key",
  "verdict",
  "origin",
  "draftedBy",
  "pageClass",
  "engagedMs",
  "linkIndex",
  "rule",
] as const;

function descriptiveData(data: Record<string, unknown>): string {
  const kept: Record<string, unknown> = {};
  for (const field of DESCRIPTIVE_FIELDS) {
    const value = data[field];
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") kept[field] = value;
  }
  return JSON.stringify(kept);
}

/** Writes the lead's entries to the sink. Idempotent on the stand-in (keyed by lead and seq); a retried projection may repeat a data point. */
export async function logRawEvents(env: EventLogEnv, leadId: string, entries: TimelineEntry[]): Promise<EventLogWrite> {
  if (env.EVENT_LOG) {
    for (const { seq, at, kind, ...data } of entries) {
      // The lead is the sampling key: Analytics Engine samples whole leads, never half a timeline.
      env.EVENT_LOG.writeDataPoint({ indexes: [leadId], blobs: [kind, descriptiveData(data)], doubles: [at, seq] });
    }
    return { sink: "analytics_engine", dataPoints: entries.length };
  }
  if (entries.length === 0) return { sink: "d1", rowsWritten: 0 };
  const d1 = drizzle(env.DB);
  const rows = entries.map(({ seq, at, kind, ...data }) => ({ id: `${leadId}:${seq}`, leadId, kind, at, data }));
  // D1 binds at most 100 parameters a statement; an event row takes 5.
  const inserts = [];
  for (let i = 0; i < rows.length; i += 20) {
    inserts.push(
      d1
        .insert(events)
        .values(rows.slice(i, i + 20))
        // A re-judged entry (a click found to be part of a burst) replaces its earlier row.
        .onConflictDoUpdate({ target: events.id, set: { data: sql`excluded.data` } }),
    );
  }
  const [first, ...rest] = inserts;
  const results = await d1.batch([first!, ...rest]);
  return { sink: "d1", rowsWritten: results.reduce((sum, r) => sum + (r.meta.rows_written ?? 0), 0) };
}

/** The stand-in's rows for one lead (the data-rights export); Analytics Engine's are read with its SQL API, not from here. */
export function loggedEventsOf(db: D1Database, leadId: string): Promise<EventRow[]> {
  return drizzle(db).select().from(events).where(eq(events.leadId, leadId)).all();
}

/** Erases the lead's rows from the stand-in; Analytics Engine's age out after three months (they hold no personal data but the lead id). */
export function eraseLoggedEvents(db: D1Database, leadId: string) {
  return drizzle(db).delete(events).where(eq(events.leadId, leadId));
}
