import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LeadObject } from "../durable-objects/lead-object";
import { PRESETS } from "../schemas/sequence-presets";
import type { SequenceVersion } from "../schemas/sequence";
import * as storage from "../durable-objects/lead-storage";
import { countOperations } from "./bench/operation-counts";
import { DATA_POINTS_PER_PROJECTION, logRawEvents } from "../services/event-log";
import type { TimelineEntry } from "../schemas/lead";
import { advance, clocks, freshLead, holdProjections, meterObjectRows, MONDAY_10_NY, settle, submission } from "./lead-harness";

/**
 * The bench's storage counts (test/bench/operation-counts.ts) against the meters: one lead
 * runs the first days of new-inquiry in a real object on an injected clock, and what its
 * projections wrote to D1 (each batch's `meta.rows_written`) and to its own SQLite (each
 * cursor's `rowsWritten`) is summed.
 */

const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };
const DAY = 86_400_000;
const DAYS = 4;

describe("storage meters", () => {
  it("a lead's projections write to D1 what the bench counts — no raw event among them — and its object about what it counts", async () => {
    const { leadId, stub } = await freshLead();
    const d1 = { rowsWritten: 0 };
    const points: AnalyticsEngineDataPoint[] = [];
    await runInDurableObject(stub, (object: LeadObject) => {
      const metered = new Proxy(object.seams.env.DB, {
        get(target, prop) {
          if (prop !== "batch") return Reflect.get(target, prop);
          // The projection's writes are its batches (the outbox, a local stand-in for sending, writes alone).
          return async (batch: D1PreparedStatement[]) => {
            const results = await target.batch(batch);
            for (const result of results) d1.rowsWritten += result.meta.rows_written ?? 0;
            return results;
          };
        },
      });
      // Production's sink: with it bound, nothing of the timeline goes to D1.
      object.seams.env = { ...object.seams.env, DB: metered, EVENT_LOG: { writeDataPoint: (point) => points.push(point ?? {}) } };
    });
    const objectRows = await meterObjectRows(stub);

    await stub.submitForm(submission(`meters-${leadId}@example.com`), NEW_INQUIRY);
    await settle(stub);
    const nextDue = () => runInDurableObject(stub, (_o, state) => storage.earliestDue(state.storage.sql) ?? null);
    for (let due = await nextDue(); due !== null && due <= MONDAY_10_NY + DAYS * DAY; due = await nextDue()) await advance(stub);
    const objectRowsWritten = await objectRows();

    const model = countOperations("local", "silent", DAYS);
    const timeline = (await stub.summary())!.timeline;
    expect(timeline.filter((e) => e.kind === "touch_sent")).toHaveLength(model.touchesSent);
    expect(d1.rowsWritten).toBe(model.d1RowsWritten + model.d1IndexEntriesWritten);
    expect(points).toHaveLength(model.eventLogDataPoints);
    expect(points.length).toBe(timeline.length);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM events WHERE lead_id = ?").bind(leadId).first("n")).toBe(0);
    // The model also counts the sender object's pacing row per send (another object, not metered here).
    const senderRows = model.touchesSent;
    expect(objectRowsWritten).toBeLessThanOrEqual(model.objectRowsWritten - senderRows);
    expect(objectRowsWritten).toBeGreaterThanOrEqual(0.95 * (model.objectRowsWritten - senderRows));
  });
});

describe("the object's projection cursor", () => {
  it("an object stored with per-entry projected marks moves to the cursor: what was projected stays projected, what waited (a re-judged entry too) is projected next", async () => {
    const { stub } = await freshLead();
    const { unprojected, left } = await runInDurableObject(stub, (_object: LeadObject, state) => {
      const sql = state.storage.sql;
      // The storage as the fifth migration left it, with entries 1–2 and 4 projected, 3 re-judged since and 5 new.
      for (const table of ["lead", "timeline", "due", "meta", "chat_message", "schema_version"]) sql.exec(`DROP TABLE IF EXISTS ${table}`);
      sql.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version (version) VALUES (5);
        CREATE TABLE lead (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), state TEXT NOT NULL);
        CREATE TABLE timeline (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL, projected INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX timeline_unprojected ON timeline (projected) WHERE projected = 0;
        CREATE TABLE due (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, due_at INTEGER NOT NULL, payload TEXT NOT NULL DEFAULT '{}', attempts INTEGER NOT NULL DEFAULT 0, key TEXT);
        CREATE UNIQUE INDEX due_by_key ON due (key); CREATE INDEX due_by_time ON due (due_at);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE chat_message (seq INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL, from_who TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL);
        INSERT INTO due (kind, key, due_at, payload) VALUES ('project', 'project', 5, '{"kind":"project","version":5}');`);
      const entry = (seq: number, projected: number) =>
        sql.exec("INSERT INTO timeline (seq, at, kind, data, projected) VALUES (?, ?, 'booked', ?, ?)", seq, seq * 1000, JSON.stringify({ source: "test" }), projected);
      for (const [seq, projected] of [
        [1, 1],
        [2, 1],
        [3, 0],
        [4, 1],
        [5, 0],
      ] as const)
        entry(seq, projected);
      storage.migrate(sql);
      const read = storage.unprojectedTimeline(sql);
      storage.markProjected(sql, read);
      return { unprojected: read.entries.map((e) => e.seq), left: { next: storage.unprojectedTimeline(sql).entries.length, due: storage.dueItems(sql, 10).map((d) => d.key) } };
    });
    expect(unprojected).toEqual([3, 5]);
    expect(left).toEqual({ next: 0, due: ["project"] });
  });

  it("an erasure waits for a projection under way: nothing of the erased lead is written into the emptied object after it", async () => {
    const { leadId, stub } = await freshLead();
    // The projection is the object's one D1 batch: it is held until the erasure has been asked for.
    const projection = await holdProjections(stub);
    await stub.submitForm(submission(`erased-${leadId}@example.com`), NEW_INQUIRY);
    expect(await projection.reached()).toBe(true);
    // The erasure begins (in the object, so it has begun before the projection is let go).
    const gate: { erasing?: ReturnType<LeadObject["erase"]> } = {};
    await runInDurableObject(stub, (object: LeadObject) => {
      gate.erasing = object.erase();
    });
    await projection.release();
    expect(await runInDurableObject(stub, () => gate.erasing)).toMatchObject({ email: `erased-${leadId}@example.com` });
    const left = await runInDurableObject(stub, (_object: LeadObject, state) => ({
      cursor: storage.readMeta(state.storage.sql, "projected_through") ?? null,
      timeline: storage.readTimeline(state.storage.sql).length,
    }));
    expect(left).toEqual({ cursor: null, timeline: 0 });
    expect(await stub.summary()).toBeNull();
  });

  it("an entry re-judged while a projection is in flight is projected again, with its newest verdict", async () => {
    const { stub } = await freshLead();
    const next = await runInDurableObject(stub, (_object: LeadObject, state) => {
      const sql = state.storage.sql;
      const entry = (seq: number) =>
        storage.appendTimeline(sql, { seq, at: seq * 1000, kind: "email_opened", messageId: "m1", first: seq === 1, userAgent: "Mail", verdict: "human", reason: "a person" });
      for (const seq of [1, 2, 3]) entry(seq);
      storage.markProjected(sql, storage.unprojectedTimeline(sql));
      // Entry 2 re-judged; entry 4 new. A projection reads both, then awaits D1...
      storage.rejudgeTimeline(sql, [2], "machine", "first look");
      entry(4);
      const inFlight = storage.unprojectedTimeline(sql);
      // ...while 2 is re-judged again, and 4 (read with its first verdict) and 1 are re-judged.
      storage.rejudgeTimeline(sql, [2, 4, 1], "auto", "second look");
      storage.markProjected(sql, inFlight);
      const after = storage.unprojectedTimeline(sql);
      storage.markProjected(sql, after);
      return {
        inFlight: inFlight.entries.map((e) => e.seq),
        after: after.entries.map((e) => [e.seq, "verdict" in e ? e.verdict : null]),
        then: storage.unprojectedTimeline(sql).entries.length,
      };
    });
    expect(next.inFlight).toEqual([2, 4]);
    expect(next.after).toEqual([
      [1, "auto"],
      [2, "auto"],
      [4, "auto"],
    ]);
    expect(next.then).toBe(0);
  });
});

describe("the event log's local stand-in", () => {
  it("is written in the projection's own batch: one D1 round trip per projection, the lead and its raw events together", async () => {
    const { leadId, stub } = await freshLead();
    const batches: number[] = [];
    await runInDurableObject(stub, (object: LeadObject) => {
      const db = object.seams.env.DB;
      const counted = new Proxy(db, {
        get: (target, prop) =>
          prop === "batch"
            ? (statements: D1PreparedStatement[]) => {
                batches.push(statements.length);
                return target.batch(statements);
              }
            : Reflect.get(target, prop),
      });
      object.seams.env = { ...object.seams.env, DB: counted, EVENT_LOG: undefined };
    });
    await stub.submitForm(submission(`stand-in-${leadId}@example.com`), NEW_INQUIRY);
    await settle(stub);
    const timeline = (await stub.summary())!.timeline;
    const logged = await env.DB.prepare("SELECT count(*) AS n FROM events WHERE lead_id = ?").bind(leadId).first<number>("n");
    expect(logged).toBe(timeline.length);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM leads WHERE id = ?").bind(leadId).first<number>("n")).toBe(1);
    // The acknowledgement's outbox row is written alone; every other D1 write of the lead is the one projection's batch.
    expect(batches).toHaveLength(1);
  });
});

describe("the event log in production (Analytics Engine)", () => {
  const opens = (n: number): TimelineEntry[] =>
    Array.from({ length: n }, (_, i) => ({
      seq: i + 1,
      at: i * 1000,
      kind: "email_opened",
      messageId: "m1",
      first: i === 0,
      userAgent: "Mail",
      verdict: "human",
      reason: "a person",
    }));

  it("a projection writes at most its cap of data points, below the platform's 250 per invocation, and no personal field among them", async () => {
    const points: AnalyticsEngineDataPoint[] = [];
    logRawEvents({ DB: env.DB, EVENT_LOG: { writeDataPoint: (point) => points.push(point ?? {}) } }, "lead-cap", opens(260));
    expect(DATA_POINTS_PER_PROJECTION).toBeLessThan(250);
    expect(points).toHaveLength(DATA_POINTS_PER_PROJECTION);
    expect(points[0]).toEqual({ indexes: ["lead-cap"], blobs: ["email_opened", JSON.stringify({ verdict: "human" })], doubles: [0, 1] });
  });

  it("a data point the platform refuses does not fail the projection: the lead still reaches D1, no projection is left to retry, the object keeps its timeline", async () => {
    const { leadId, stub } = await freshLead();
    await runInDurableObject(stub, (object: LeadObject) => {
      const refusing = {
        writeDataPoint: () => {
          throw new Error("too many data points");
        },
      };
      object.seams.env = { ...object.seams.env, EVENT_LOG: refusing };
    });
    await stub.submitForm(submission(`refused-${leadId}@example.com`), NEW_INQUIRY);
    await settle(stub);
    expect(await env.DB.prepare("SELECT contacted_at IS NOT NULL AS contacted FROM leads WHERE id = ?").bind(leadId).first("contacted")).toBe(1);
    const waiting = await runInDurableObject(stub, (_object: LeadObject, state) =>
      storage.dueItems(state.storage.sql, Number.MAX_SAFE_INTEGER).filter((d) => d.kind === "project"),
    );
    expect(waiting).toEqual([]);
    expect((await stub.summary())!.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(["form_submitted", "touch_sent"]));
  });
});

describe("the projection's lasting row", () => {
  const projectRow = (stub: DurableObjectStub<LeadObject>) =>
    runInDurableObject(stub, (_o: LeadObject, state) =>
      state.storage.sql.exec<{ due_at: number; attempts: number; payload: string }>("SELECT due_at, attempts, payload FROM due WHERE key = 'project'").toArray(),
    );
  const leadVersion = (leadId: string) => env.DB.prepare("SELECT version FROM leads WHERE id = ?").bind(leadId).first<number>("version");

  it("a projection D1 refuses is retried, counting attempts, until D1 answers; then its row is parked, and the next event wakes it", async () => {
    const { leadId, stub } = await freshLead();
    const d1 = { refusals: 2 };
    await runInDurableObject(stub, (object: LeadObject) => {
      const refusing = new Proxy(object.seams.env.DB, {
        get(target, prop) {
          if (prop !== "batch") return Reflect.get(target, prop);
          return async (batch: D1PreparedStatement[]) => {
            if (d1.refusals > 0) {
              d1.refusals--;
              throw new Error("D1_ERROR: overloaded");
            }
            return target.batch(batch);
          };
        },
      });
      object.seams.env = { ...object.seams.env, DB: refusing };
    });
    await stub.submitForm(submission(`refused-d1-${leadId}@example.com`), NEW_INQUIRY);
    await settle(stub);
    expect(await leadVersion(leadId)).toBeNull();
    expect(await projectRow(stub)).toEqual([expect.objectContaining({ attempts: 1 })]);
    await advance(stub);
    expect(await projectRow(stub)).toEqual([expect.objectContaining({ attempts: 2 })]);
    await advance(stub);
    const projected = (await leadVersion(leadId))!;
    expect(projected).toBeGreaterThan(0);
    const [parked] = await projectRow(stub);
    expect(parked).toMatchObject({ due_at: storage.PARKED, attempts: 0 });
    // Nothing is due for it: the object's alarm is not set by it.
    expect(await runInDurableObject(stub, (_o: LeadObject, state) => storage.dueItems(state.storage.sql, Number.MAX_SAFE_INTEGER).some((d) => d.kind === "project"))).toBe(false);

    await stub.requestHandOff("Asked for a call");
    await settle(stub);
    expect(await leadVersion(leadId)).toBeGreaterThan(projected);
    expect(await projectRow(stub)).toEqual([expect.objectContaining({ due_at: storage.PARKED, attempts: 0 })]);
  });

  it("a projection D1 keeps refusing is recorded as failed once, at the eighth attempt, and goes on at the longest wait until D1 answers", async () => {
    const { leadId, stub } = await freshLead();
    const d1 = { down: true };
    await runInDurableObject(stub, (object: LeadObject) => {
      const down = new Proxy(object.seams.env.DB, {
        get(target, prop) {
          if (prop !== "batch") return Reflect.get(target, prop);
          return async (batch: D1PreparedStatement[]) => {
            if (d1.down) throw new Error("D1_ERROR: unavailable");
            return target.batch(batch);
          };
        },
      });
      object.seams.env = { ...object.seams.env, DB: down };
    });
    await stub.submitForm(submission(`d1-down-${leadId}@example.com`), NEW_INQUIRY);
    await settle(stub);
    const failures = async () => (await stub.summary())!.timeline.filter((e) => e.kind === "effect_failed");
    for (let attempt = 2; attempt <= 8; attempt++) await advance(stub);
    expect(await failures()).toEqual([expect.objectContaining({ effect: "project", attempts: 8 })]);
    for (let attempt = 9; attempt <= 11; attempt++) {
      const before = clocks.get(stub.id.toString())!.at;
      await advance(stub);
      const [row] = await projectRow(stub);
      expect(row!.attempts).toBe(attempt);
      // An hour a wait, ±20 %.
      expect(row!.due_at - clocks.get(stub.id.toString())!.at).toBeGreaterThanOrEqual(0.8 * 3_600_000);
      expect(clocks.get(stub.id.toString())!.at).toBeGreaterThan(before);
    }
    expect(await failures()).toHaveLength(1);
    expect(await leadVersion(leadId)).toBeNull();

    d1.down = false;
    await advance(stub);
    expect(await leadVersion(leadId)).toBeGreaterThan(0);
    expect(await projectRow(stub)).toEqual([expect.objectContaining({ due_at: storage.PARKED, attempts: 0 })]);
  });
});
