import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { LeadObject } from "../durable-objects/lead-object";
import type { OutboxRow } from "../schemas/d1";
import type { LeadSummary, Submission } from "../schemas/lead";
import { asOwner } from "./helpers";
import * as storage from "../durable-objects/lead-storage";

/**
 * Drives one lead's object on an injected clock: the test decides what time it is, runs
 * the alarm when the next item is due, and reads what the outbox received.
 */

export const stubFor = (leadId: string) => env.LEADS.getByName(leadId);

/** Monday 2 November 2026, 10:00 in New York: inside every window, outside quiet hours. */
export const MONDAY_10_NY = Date.UTC(2026, 10, 2, 15, 0);

/**
 * Gives the object an injected clock: engine time is whatever the test says, and its alarm
 * always lies in the wall-clock future, so only the test fires it (runDurableObjectAlarm).
 */
export async function withClock(stub: DurableObjectStub<LeadObject>, start = MONDAY_10_NY): Promise<{ now(): number }> {
  const time = { at: start };
  await runInDurableObject(stub, (object: LeadObject) => {
    object.seams.clock = {
      now: () => time.at,
      wallNow: () => Date.now(),
      wallTimeOf: () => Date.now() + 3_600_000,
      engineTimeAt: (wallAt) => time.at + (wallAt - Date.now()),
    };
  });
  clocks.set(stub.id.toString(), time);
  // Each test sends as its own address: the sender's pacing is shared by every lead it sends for.
  await withEnv(stub, {});
  return { now: () => time.at };
}
export const clocks = new Map<string, { at: number }>();

/** Waits for the object's background work (sends after an event) to finish. */
export const settle = (stub: DurableObjectStub<LeadObject>) => runInDurableObject(stub, (object: LeadObject) => object.seams.drain());

/** Moves the lead's clock to its earliest pending item and runs its alarm, as if the wait had passed. */
export async function advance(stub: DurableObjectStub<LeadObject>): Promise<void> {
  const earliest = await runInDurableObject(stub, (_o, state) => (storage.earliestDue(state.storage.sql) ?? null) as number);
  const time = clocks.get(stub.id.toString())!;
  time.at = Math.max(time.at, earliest);
  await runDurableObjectAlarm(stub);
  await settle(stub);
}

export async function outboxFor(leadId: string): Promise<OutboxRow[]> {
  const response = await asOwner(`/api/outbox?leadId=${leadId}&limit=200`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: OutboxRow[] }).messages.reverse();
}

export async function freshLead() {
  const leadId = crypto.randomUUID().replaceAll("-", "");
  const stub = stubFor(leadId);
  await withClock(stub);
  return { leadId, stub };
}

export function submission(email: string, extra: Partial<Submission> = {}): Submission {
  return {
    formId: "test",
    receivedAt: Date.now(),
    profile: { email, firstName: "Ann", timezone: "America/New_York", source: "test" },
    consent: {},
    utm: {},
    custom: {},
    ...extra,
  };
}

/** Replaces the object's environment (transport settings, sender identity) before it acts; the sender is unique to the object. */
export const withEnv = (stub: DurableObjectStub<LeadObject>, overrides: Partial<Env>) =>
  runInDurableObject(stub, (object: LeadObject) => {
    object.seams.env = { ...env, SENDER_EMAIL: `sender-${stub.id.toString().slice(0, 12)}@example.com`, ...overrides };
  });

export const summaryOf = async (stub: DurableObjectStub<LeadObject>) => (await stub.summary()) as LeadSummary;
export const kinds = (summary: LeadSummary) => summary.timeline.map((e) => e.kind);

/** Counts the rows the object's SQLite writes from now on (its row meter, as billed). */
export async function meterObjectRows(stub: DurableObjectStub<LeadObject>): Promise<() => Promise<number>> {
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = [];
  await runInDurableObject(stub, (_o: LeadObject, state) => {
    const sql = state.storage.sql;
    const exec = sql.exec.bind(sql);
    sql.exec = ((query: string, ...bindings: SqlStorageValue[]) => {
      const cursor = exec(query, ...bindings);
      cursors.push(cursor);
      return cursor;
    }) as typeof sql.exec;
  });
  return () => runInDurableObject(stub, () => cursors.reduce((sum, cursor) => sum + cursor.rowsWritten, 0));
}

/**
 * Holds the object's D1 batches (its projections: the outbox writes alone) until released.
 * The gate is made and settled inside the object: a promise resolved from the test's context
 * would resume the object's work there.
 */
export async function holdProjections(stub: DurableObjectStub<LeadObject>) {
  const gate = { reached: false, release: () => {} };
  await runInDurableObject(stub, (object: LeadObject) => {
    const held = new Promise<void>((resolve) => (gate.release = resolve));
    const holding = new Proxy(object.seams.env.DB, {
      get(target, prop) {
        if (prop !== "batch") return Reflect.get(target, prop);
        return async (batch: D1PreparedStatement[]) => {
          gate.reached = true;
          await held;
          return target.batch(batch);
        };
      },
    });
    object.seams.env = { ...object.seams.env, DB: holding };
  });
  return {
    /** Whether a projection is held at D1, after waiting a while for one. */
    reached: async () => {
      for (let i = 0; i < 1000 && !(await runInDurableObject(stub, () => gate.reached)); i++);
      return gate.reached;
    },
    release: () => runInDurableObject(stub, () => gate.release()),
  };
}
