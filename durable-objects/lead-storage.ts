import { TimelineEntrySchema, type TimelineEntry } from "../schemas/lead";
import type { Verdict } from "../schemas/lead";
import type { LeadState } from "../engine/lead/lead-state";
import { timerKey, type Timer } from "../engine/lead/lead-state";
import type { EffectRow } from "./lead-effects";

/**
 * The lead object's own SQLite schema, as an ordered list of migrations. An applied
 * migration is never edited: a change is a new entry at the end, and CURRENT_SCHEMA (below)
 * changed to match — test/lead-storage.test.ts compares the two.
 */
const MIGRATIONS: string[] = [
  `CREATE TABLE lead (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), state TEXT NOT NULL);
   CREATE TABLE timeline (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     kind TEXT NOT NULL,
     data TEXT NOT NULL,
     projected INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX timeline_unprojected ON timeline (projected) WHERE projected = 0;
   CREATE TABLE due (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL,
     due_at INTEGER NOT NULL,
     payload TEXT NOT NULL DEFAULT '{}',
     attempts INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX due_by_time ON due (due_at);`,
  // Timers (sequence steps, deliveries) are addressed by a key: moving one replaces it.
  `ALTER TABLE due ADD COLUMN key TEXT;
   CREATE UNIQUE INDEX due_by_key ON due (key);`,
  // Small facts about what was last projected (the review queue's content).
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Effects became keyed due rows: rows of the kinds that ran unleased before are given keys.
  `UPDATE due SET key = kind || ':' || id WHERE key IS NULL;`,
  // Site chat: the conversation's messages as the sockets need them (the lead's timeline keeps them too), also in a visitor's object, which has no lead.
  `CREATE TABLE chat_message (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     conversation_id TEXT NOT NULL,
     from_who TEXT NOT NULL,
     text TEXT NOT NULL,
     at INTEGER NOT NULL
   );`,
  // The projection keeps a cursor instead of marking each entry projected (one row written per
  // projection, not one per entry): projected through a seq, and the re-judged entries below it.
  `INSERT OR REPLACE INTO meta (key, value) SELECT 'projected_through', COALESCE(MAX(seq), 0) FROM timeline WHERE projected = 1;
   INSERT OR REPLACE INTO meta (key, value) SELECT 'rejudged', json_group_array(seq) FROM timeline
     WHERE projected = 0 AND seq < (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'projected_through');
   DROP INDEX timeline_unprojected;
   ALTER TABLE timeline DROP COLUMN projected;`,
  // Row meters count index entries and AUTOINCREMENT's counter as rows written: timeline seqs come
  // from the engine and due ids only need to be unique, so neither keeps a counter, and the
  // handful of due rows an object holds are read without a time index.
  `CREATE TABLE timeline_next (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL);
   INSERT INTO timeline_next (seq, at, kind, data) SELECT seq, at, kind, data FROM timeline;
   DROP TABLE timeline;
   ALTER TABLE timeline_next RENAME TO timeline;
   CREATE TABLE due_next (
     id INTEGER PRIMARY KEY,
     kind TEXT NOT NULL,
     due_at INTEGER NOT NULL,
     payload TEXT NOT NULL DEFAULT '{}',
     attempts INTEGER NOT NULL DEFAULT 0,
     key TEXT
   );
   INSERT INTO due_next (id, kind, due_at, payload, attempts, key) SELECT id, kind, due_at, payload, attempts, key FROM due;
   DROP TABLE due;
   ALTER TABLE due_next RENAME TO due;
   CREATE UNIQUE INDEX due_by_key ON due (key);`,
];

/**
 * A new object's storage as the migrations leave it, made in one step: a new lead's object is
 * made on its first post's path, and replaying the migrations built tables and indexes only to
 * rebuild them (a seventh of a burst of posts' CPU in the profile). The storage test checks it
 * against the replayed migrations, table by table and index by index.
 */
const CURRENT_SCHEMA = `CREATE TABLE lead (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), state TEXT NOT NULL);
  CREATE TABLE timeline (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL);
  CREATE TABLE due (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    attempts INTEGER NOT NULL DEFAULT 0,
    key TEXT
  );
  CREATE UNIQUE INDEX due_by_key ON due (key);
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE chat_message (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL,
    from_who TEXT NOT NULL,
    text TEXT NOT NULL,
    at INTEGER NOT NULL
  );`;

export function readMeta(sql: SqlStorage, key: string): string | undefined {
  return sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
}

export function writeMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
}

export function migrate(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
  if (row === undefined) {
    sql.exec(CURRENT_SCHEMA);
    sql.exec("INSERT INTO schema_version (version) VALUES (?)", MIGRATIONS.length);
    return;
  }
  for (let i = row.version; i < MIGRATIONS.length; i++) {
    sql.exec(MIGRATIONS[i]!);
    sql.exec("UPDATE schema_version SET version = ?", i + 1);
  }
}

export function loadState(sql: SqlStorage): LeadState | null {
  const row = sql.exec<{ state: string }>("SELECT state FROM lead WHERE singleton = 1").toArray()[0];
  if (!row) return null;
  // Leads stored before sequences existed have none of their fields yet.
  const defaults = { timezone: "UTC", enrolments: [], deliveries: [], drafts: [], humanSignals: [], formPostTimes: [], scoreFactors: [], handOffs: [], sentTouches: [] };
  return { ...defaults, ...(JSON.parse(row.state) as Partial<LeadState>) } as LeadState;
}

export function saveState(sql: SqlStorage, state: LeadState): void {
  sql.exec("INSERT INTO lead (singleton, state) VALUES (1, ?) ON CONFLICT (singleton) DO UPDATE SET state = excluded.state", JSON.stringify(state));
}

/** Entries arrive numbered by the engine; a duplicate number is a bug, so it fails loudly. */
export function appendTimeline(sql: SqlStorage, entry: TimelineEntry): void {
  const { seq, at, kind, ...data } = entry;
  sql.exec("INSERT INTO timeline (seq, at, kind, data) VALUES (?, ?, ?, ?)", seq, at, kind, JSON.stringify(data));
}

/**
 * Meta keys of the projection cursor: every entry up to this seq went to D1 and the event log,
 * except those re-judged since. The re-judged list is a queue: a projection reads it, awaits D1,
 * and then removes only what it read, so an entry re-judged while it was in flight (again, or
 * after it was read with its old verdict) stays queued for the next one.
 */
const PROJECTED_THROUGH = "projected_through";
const REJUDGED = "rejudged";

export interface ProjectionCursor {
  through: number;
  rejudged: number[];
}

function projectionCursor(sql: SqlStorage): ProjectionCursor {
  return { through: Number(readMeta(sql, PROJECTED_THROUGH) ?? 0), rejudged: JSON.parse(readMeta(sql, REJUDGED) ?? "[]") as number[] };
}

/** Changes the verdict of earlier entries and queues them for projection again. */
export function rejudgeTimeline(sql: SqlStorage, seqs: number[], verdict: Verdict, reason: string): void {
  for (const seq of seqs) sql.exec("UPDATE timeline SET data = json_set(data, '$.verdict', ?, '$.reason', ?) WHERE seq = ?", verdict, reason, seq);
  if (seqs.length === 0) return;
  const { rejudged } = projectionCursor(sql);
  writeMeta(sql, REJUDGED, JSON.stringify([...rejudged, ...seqs]));
}

interface TimelineRow extends Record<string, SqlStorageValue> {
  seq: number;
  at: number;
  kind: string;
  data: string;
}

const toEntry = (row: TimelineRow): TimelineEntry => TimelineEntrySchema.parse({ seq: row.seq, at: row.at, kind: row.kind, ...JSON.parse(row.data) });

export function readTimeline(sql: SqlStorage): TimelineEntry[] {
  return sql.exec<TimelineRow>("SELECT seq, at, kind, data FROM timeline ORDER BY seq").toArray().map(toEntry);
}

/** The entries a projection writes next, and the cursor as it read it (markProjected takes it back). */
export function unprojectedTimeline(sql: SqlStorage): { entries: TimelineEntry[]; cursor: ProjectionCursor } {
  const cursor = projectionCursor(sql);
  const entries = sql
    .exec<TimelineRow>(
      "SELECT seq, at, kind, data FROM timeline WHERE seq > ? OR seq IN (SELECT value FROM json_each(?)) ORDER BY seq",
      cursor.through,
      JSON.stringify(cursor.rejudged),
    )
    .toArray()
    .map(toEntry);
  return { entries, cursor };
}

/** Moves the cursor past what a projection read and wrote: at most two rows, however many entries. */
export function markProjected(sql: SqlStorage, read: { entries: TimelineEntry[]; cursor: ProjectionCursor }): void {
  const { through, rejudged } = projectionCursor(sql);
  const last = Math.max(0, ...read.entries.map((e) => e.seq));
  if (last > through) writeMeta(sql, PROJECTED_THROUGH, String(last));
  // What was re-judged after the read was appended behind it.
  if (read.cursor.rejudged.length > 0) writeMeta(sql, REJUDGED, JSON.stringify(rejudged.slice(read.cursor.rejudged.length)));
}

/**
 * A due row is either one of the engine's timers (a step, a delivery, a check), keyed by
 * the timer, or an effect the engine asked for, written in the same transaction as the
 * state change that caused it and keyed so that the same effect is never queued twice.
 */
export type DueKind = "timer" | EffectRow["kind"];

export interface DueItem {
  id: number;
  kind: DueKind;
  key: string | null;
  dueAt: number;
  attempts: number;
  payload: string;
}

/**
 * The due time of a lasting row with nothing to do, told apart by equality, never by range,
 * so a fast demo clock never reaches it. The projection's row lasts: parked when done and woken
 * by the next event that asks for it, it costs one row write each way instead of an insert
 * with its key's index entry and a delete. A time the alarm API accepts (it refuses dates
 * after 2189), so an older version that arms its alarm at a parked row still can.
 */
export const PARKED = Date.UTC(2100, 0, 1);

/**
 * Kinds whose one row lasts, parked when done instead of deleted: the projection, asked for
 * again by nearly every event. Its payload never changes, so a request that finds it waiting
 * untried for the same moment or a later one writes nothing (a burst's later signals cost no
 * row); an earlier moment, waking it, or a row being tried or retried is written.
 */
export const LASTING: ReadonlySet<DueKind> = new Set(["project"]);
const LASTING_SQL = [...LASTING].map((kind) => `'${kind}'`).join(", ");

/**
 * Queues an effect unless the same one (by key) is already queued. A queued row asked for
 * again with a new payload takes it and is due at once, even mid-run, with its attempts
 * counted afresh (a new request, not a retry); so does a lasting row asked for sooner than it
 * is due, or while it is tried or waits for a retry, and a parked one wakes. Attempts back at
 * 0, no lease holds the row any more (see `Lease`). Call inside the state's transaction.
 */
export function queueEffect(sql: SqlStorage, key: string, effect: EffectRow, dueAt: number): void {
  sql.exec(
    `INSERT INTO due (kind, key, due_at, payload) VALUES (?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET payload = excluded.payload, due_at = CASE WHEN due.due_at = ${PARKED} THEN excluded.due_at ELSE MIN(due.due_at, excluded.due_at) END, attempts = 0
       WHERE due.payload <> excluded.payload OR due.due_at = ${PARKED} OR (due.kind IN (${LASTING_SQL}) AND (excluded.due_at < due.due_at OR due.attempts > 0))`,
    effect.kind,
    key,
    dueAt,
    JSON.stringify(effect),
  );
}

/** Sets or moves the engine's timer: one row per timer key. */
export function setTimer(sql: SqlStorage, timer: Timer, at: number): void {
  sql.exec(
    `INSERT INTO due (kind, key, due_at, payload) VALUES ('timer', ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET due_at = excluded.due_at, payload = excluded.payload, attempts = 0`,
    timerKey(timer),
    at,
    JSON.stringify(timer),
  );
}

export function clearTimer(sql: SqlStorage, timer: Timer): void {
  sql.exec("DELETE FROM due WHERE key = ?", timerKey(timer));
}

export function dueItems(sql: SqlStorage, now: number): DueItem[] {
  return sql
    .exec<{ id: number; kind: DueKind; key: string | null; due_at: number; attempts: number; payload: string }>(
      "SELECT id, kind, key, due_at, attempts, payload FROM due WHERE due_at <= ? AND due_at <> ? ORDER BY due_at, id",
      now,
      PARKED,
    )
    .toArray()
    .map((r) => ({ id: r.id, kind: r.kind, key: r.key, dueAt: r.due_at, attempts: r.attempts, payload: r.payload }));
}

export function earliestDue(sql: SqlStorage): number | undefined {
  return sql.exec<{ at: number | null }>("SELECT MIN(due_at) AS at FROM due WHERE due_at <> ?", PARKED).toArray()[0]?.at ?? undefined;
}

/**
 * A row as one attempt leased it: due at the lease's end, with the attempts it counted. A
 * request for the row meanwhile sets its attempts back to 0, which no lease leaves, so a
 * row still holding its lease is one nobody asked for again.
 */
export interface Lease {
  until: number;
  attempts: number;
}

/** Deletes a row that ran; with its `lease`, only if it still holds it (a row asked for again meanwhile stays for the next pass). */
export function completeDue(sql: SqlStorage, id: number, lease?: Lease): void {
  if (lease === undefined) sql.exec("DELETE FROM due WHERE id = ?", id);
  else sql.exec("DELETE FROM due WHERE id = ? AND due_at = ? AND attempts = ?", id, lease.until, lease.attempts);
}

/** Parks a lasting row that ran, unless it was asked for again meanwhile (it then stays due for the next pass). */
export function parkDue(sql: SqlStorage, id: number, lease: Lease): void {
  sql.exec("UPDATE due SET due_at = ?, attempts = 0 WHERE id = ? AND due_at = ? AND attempts = ?", PARKED, id, lease.until, lease.attempts);
}

/**
 * Takes a row for one attempt: it counts as an attempt and is not due again until the lease
 * ends, so an object evicted mid-effect runs it again after the lease, and a second drain
 * meanwhile leaves it alone. Undefined when the row is gone or no longer due.
 */
export function leaseDue(sql: SqlStorage, id: number, now: number, until: number): { payload: string; attempts: number } | undefined {
  // The row as it is now, if it is still due: an earlier row of the same pass may have
  // moved it, cleared it or asked for it again with a newer payload.
  return sql
    .exec<{ payload: string; attempts: number }>("UPDATE due SET due_at = ?, attempts = attempts + 1 WHERE id = ? AND due_at <= ? RETURNING payload, attempts", until, id, now)
    .toArray()[0];
}

/** A row as it is now, if it is still due (read only: a timer is leased only when the engine leaves it alone). */
export function dueRow(sql: SqlStorage, id: number, now: number): DueRowNow | undefined {
  return sql.exec<DueRowNow>("SELECT due_at AS dueAt, payload, attempts FROM due WHERE id = ? AND due_at <= ?", id, now).toArray()[0];
}
export type DueRowNow = { dueAt: number; payload: string; attempts: number };

/** Leases a row only if it is exactly as read (nothing moved, cleared or re-set it since): no row written otherwise. */
export function leaseIfUnchanged(sql: SqlStorage, id: number, read: DueRowNow, until: number): void {
  sql.exec("UPDATE due SET due_at = ?, attempts = attempts + 1 WHERE id = ? AND due_at = ? AND payload = ? AND attempts = ?", until, id, read.dueAt, read.payload, read.attempts);
}

/** Puts a row that failed back for its next attempt, unless it was asked for again meanwhile (that request is due as asked). */
export function retryDue(sql: SqlStorage, id: number, lease: Lease, dueAt: number): void {
  sql.exec("UPDATE due SET due_at = ? WHERE id = ? AND due_at = ? AND attempts = ?", dueAt, id, lease.until, lease.attempts);
}

/** Sets a row's next attempt whatever asked for it meanwhile, keeping the attempts made: a lasting row whose failure was just recorded. */
export function holdDue(sql: SqlStorage, id: number, dueAt: number, attempts: number): void {
  sql.exec("UPDATE due SET due_at = ?, attempts = ? WHERE id = ?", dueAt, attempts, id);
}

/** Everything the object holds, for a data export. */
export function everything(sql: SqlStorage): { state: LeadState | null; timeline: TimelineEntry[]; due: DueItem[] } {
  return { state: loadState(sql), timeline: readTimeline(sql), due: dueItems(sql, Number.MAX_SAFE_INTEGER) };
}

/**
 * Deletes timeline entries older than `before` that were projected (an unprojected entry
 * waits for its projection). The lead's state — consents, suppressions, score, enrolments —
 * is not in the timeline and stays; entry numbers come from the state, so none is reused.
 */
export function pruneTimeline(sql: SqlStorage, before: number): number {
  // The chat's replay buffer ages out with the timeline; in a visitor's object (no lead) it is all there is, with the
  // conversation in progress, whose row holds the last words.
  const chat = sql.exec("DELETE FROM chat_message WHERE at < ?", before).rowsWritten;
  sql.exec("DELETE FROM meta WHERE key = 'chat:conversation' AND json_extract(value, '$.lastAt') < ?", before);
  const { through, rejudged } = projectionCursor(sql);
  return sql.exec("DELETE FROM timeline WHERE at < ? AND seq <= ? AND seq NOT IN (SELECT value FROM json_each(?))", before, through, JSON.stringify(rejudged)).rowsWritten + chat;
}

/** When the oldest timeline entry or kept chat message happened, if there is one. */
export function oldestTimelineAt(sql: SqlStorage): number | undefined {
  return sql.exec<{ at: number | null }>("SELECT min(at) AS at FROM (SELECT min(at) AS at FROM timeline UNION ALL SELECT min(at) FROM chat_message)").toArray()[0]?.at ?? undefined;
}

const DAY = 86_400_000;
/** Meta key: when this object last pruned its timeline (engine time). */
const PRUNED_AT = "timeline_pruned_at";

/**
 * Retention for the lead's own records: timeline entries older than the retention period
 * go, at most once a day, from the drain (the daily cron cannot visit every object). The
 * lead's state — consents, suppressions, score — is not in the timeline and stays. Until an
 * entry has passed retention there is nothing to do and nothing is written (no mark a day
 * for a lead's first year). `due`: nextPruneAt, when the caller has just read it. True when it pruned.
 */
export function pruneTimelineDaily(sql: SqlStorage, now: number, retentionMs: number, due = nextPruneAt(sql, retentionMs)): boolean {
  if (due === undefined || now < due) return false;
  pruneTimeline(sql, now - retentionMs);
  writeMeta(sql, PRUNED_AT, String(now));
  return true;
}

/** When pruning next has something to do: once the oldest entry passes retention, and not within a day of the last prune. */
export function nextPruneAt(sql: SqlStorage, retentionMs: number): number | undefined {
  const oldest = oldestTimelineAt(sql);
  if (oldest === undefined) return undefined;
  return Math.max(oldest + retentionMs, Number(readMeta(sql, PRUNED_AT) ?? 0) + DAY);
}

/** Drops a queued effect by key: a later opposite effect (lifting a suppression) supersedes it. */
export function dropQueuedEffect(sql: SqlStorage, key: string): void {
  sql.exec("DELETE FROM due WHERE key = ?", key);
}

/** Drops every queued effect whose key starts so (the lifts of one address). */
export function dropQueuedEffectsStartingWith(sql: SqlStorage, prefix: string): void {
  sql.exec("DELETE FROM due WHERE substr(key, 1, ?) = ?", prefix.length, prefix);
}
