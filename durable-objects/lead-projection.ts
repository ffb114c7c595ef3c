import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { events, leads } from "../schemas/d1";
import type { TimelineEntry } from "../schemas/lead";
import type { LeadState } from "./lead-engine";

/**
 * Writes what the lead object knows into D1's cross-lead tables. Idempotent: events are
 * keyed by lead and sequence, and the lead row only moves forward in version, so a retried
 * or reordered projection never leaves D1 older than it was.
 */
export async function projectLead(db: D1Database, state: LeadState, entries: TimelineEntry[]): Promise<void> {
  const d1 = drizzle(db);
  const row = {
    id: state.id,
    email: state.profile.email ?? null,
    phone: state.profile.phone ?? null,
    name: state.profile.name ?? null,
    company: state.profile.company ?? null,
    title: state.profile.title ?? null,
    source: state.profile.source ?? "unknown",
    status: state.status,
    score: state.score,
    createdAt: state.createdAt,
    lastActivityAt: state.lastActivityAt,
    version: state.version,
  };
  const { id, ...changes } = row;
  const upsertLead = d1
    .insert(leads)
    .values(row)
    .onConflictDoUpdate({ target: leads.id, set: changes, setWhere: sql`excluded.version > ${leads.version}` });
  const eventRows = entries.map(({ seq, at, kind, ...data }) => ({ id: `${state.id}:${seq}`, leadId: state.id, kind, at, data }));
  // D1 binds at most 100 parameters a statement; an event row takes 5.
  const inserts = [];
  for (let i = 0; i < eventRows.length; i += 20) {
    inserts.push(
      d1
        .insert(events)
        .values(eventRows.slice(i, i + 20))
        // A re-judged entry (a click found to be part of a burst) replaces its earlier row.
        .onConflictDoUpdate({ target: events.id, set: { data: sql`excluded.data` } }),
    );
  }
  await d1.batch([upsertLead, ...inserts]);
}
