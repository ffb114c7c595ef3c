import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { events, type EventRow } from "../schemas/d1";
import type { TimelineEntry } from "../schemas/lead";

/**
 * The raw-event sink: the timeline entries of every lead, for analysis across leads. The
 * lead's own object keeps its timeline (the dashboard and the lead's export read it there);
 * D1's cross-lead tables get only what spans leads (lead-projection.ts).
 *
 * Production binds Workers Analytics Engine as `EVENT_LOG`: one data point per entry,
 * priced apart from D1 and written without a round trip. Where it is unbound (locally, in
 * tests) D1's `events` table stands in, since Analytics Engine has no local query API.
 */

type EventLogEnv = { DB: D1Database; EVENT_LOG?: AnalyticsEngineDataset };

/**
 * Analytics Engine takes at most 250 data points per invocation (its limits page), and an
 * alarm's drain may project more than once: a projection writes at most this many, so a
 * backlog (after a D1 outage) cannot push an invocation past the limit by itself.
 */
export const DATA_POINTS_PER_PROJECTION = 200;

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

/**
 * Writes the lead's entries to Analytics Engine, where it is bound; a retried projection may
 * repeat a data point. It is a sampled sink for analysis, never the record (the object and
 * its export are): entries past the cap, or a write the platform refuses, are logged as
 * dropped and do not hold the projection back.
 */
export function logRawEvents(env: EventLogEnv, leadId: string, entries: TimelineEntry[]): void {
  if (!env.EVENT_LOG) return;
  const written = entries.slice(0, DATA_POINTS_PER_PROJECTION);
  try {
    for (const { seq, at, kind, ...data } of written) {
      // The lead is the sampling key: Analytics Engine samples whole leads, not entries of a lead.
      env.EVENT_LOG.writeDataPoint({ indexes: [leadId], blobs: [kind, descriptiveData(data)], doubles: [at, seq] });
    }
  } catch (error) {
    console.error(JSON.stringify({ event: "event_log_refused", leadId, error: String(error).slice(0, 200) }));
  }
  if (entries.length > written.length) console.error(JSON.stringify({ event: "event_log_capped", leadId, dropped: entries.length - written.length }));
}

/**
 * The stand-in's writes for the lead's entries, where Analytics Engine is not bound: they go
 * in the projection's own batch (one D1 round trip and commit, not two, and written with it
 * or not at all). Idempotent, keyed by lead and seq.
 */
export function standInWrites(env: EventLogEnv, leadId: string, entries: TimelineEntry[]): BatchItem<"sqlite">[] {
  if (env.EVENT_LOG || entries.length === 0) return [];
  const d1 = drizzle(env.DB);
  const rows = entries.map(({ seq, at, kind, ...data }) => ({ id: `${leadId}:${seq}`, leadId, kind, at, data }));
  const inserts = [];
  // D1 binds at most 100 parameters a statement; an event row takes 5.
  for (let i = 0; i < rows.length; i += 20) {
    inserts.push(
      d1
        .insert(events)
        .values(rows.slice(i, i + 20))
        // A re-judged entry (a click found to be part of a burst) replaces its earlier row.
        .onConflictDoUpdate({ target: events.id, set: { data: sql`excluded.data` } }),
    );
  }
  return inserts;
}

/** The stand-in's rows for one lead (the data-rights export); Analytics Engine's are read with its SQL API, not from here. */
export function loggedEventsOf(db: D1Database, leadId: string): Promise<EventRow[]> {
  return drizzle(db).select().from(events).where(eq(events.leadId, leadId)).all();
}

/** Erases the lead's rows from the stand-in; Analytics Engine's cannot be erased and age out after three months (no address, text or field, but indexed by the lead id: pseudonymous). */
export function eraseLoggedEvents(db: D1Database, leadId: string) {
  return drizzle(db).delete(events).where(eq(events.leadId, leadId));
}
