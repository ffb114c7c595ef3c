import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LeadObject } from "../durable-objects/lead-object";
import { SIGNAL_PROJECTION_DELAY_MS } from "../durable-objects/lead-outcome";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import type { RequestFacts } from "../schemas/tracking";
import { unique } from "./helpers";
import { advance, clocks, freshLead, holdProjections, meterObjectRows, settle, stubFor, submission, summaryOf, withClock } from "./lead-harness";
import * as storage from "../durable-objects/lead-storage";

/**
 * Opens, clicks and page views arrive in bursts; each is recorded in the lead's object at
 * once. The first of a burst reaches D1 at once, the rest in one projection at the end of
 * the burst's window (SIGNAL_PROJECTION_DELAY_MS).
 */

const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };
const MAIL_CLIENT: RequestFacts = {
  userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
  botAgent: false,
  network: null,
  prefetch: false,
};
const SCANNER: RequestFacts = { userAgent: "", botAgent: true, network: null, prefetch: false };
const HOUR = 3_600_000;

interface LeadRow {
  version: number;
  opens_human: number;
  opens_machine: number;
  score: number;
  status: string;
}
const leadRow = (leadId: string) => env.DB.prepare("SELECT version, opens_human, opens_machine, score, status FROM leads WHERE id = ?").bind(leadId).first<LeadRow>();
const eventRows = (leadId: string, kind: string) => env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE lead_id = ? AND kind = ?").bind(leadId, kind).first<{ n: number }>();
const projectRows = (stub: DurableObjectStub<LeadObject>) =>
  runInDurableObject(stub, (_o: LeadObject, state) =>
    storage
      .dueItems(state.storage.sql, Number.MAX_SAFE_INTEGER)
      .filter((row) => row.key === "project")
      .map((row) => ({ due_at: row.dueAt })),
  );

/** A lead enrolled and acknowledged, its projection in D1; the clock then moves an hour on (no scanner window). */
async function acknowledgedLead() {
  const lead = await freshLead();
  await lead.stub.submitForm(submission(`${unique("burst")}@example.com`), NEW_INQUIRY);
  await settle(lead.stub);
  clocks.get(lead.stub.id.toString())!.at += HOUR;
  return lead;
}

const open = (facts: RequestFacts) => ({ messageId: "ack-1", sentAt: Date.now() - HOUR, facts });

describe("a burst of signals is projected once", () => {
  it("five opens score in the object at once; the first reaches D1 at once, the other four together at the burst's end", async () => {
    const { leadId, stub } = await acknowledgedLead();
    const before = (await leadRow(leadId))!;
    const start = clocks.get(stub.id.toString())!.at;
    for (let i = 0; i < 5; i++) await stub.recordOpen(open(MAIL_CLIENT));
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.engagement.opens).toEqual({ human: 5, auto: 0, machine: 0 });
    expect(summary.score).toBeGreaterThan(before.score);
    expect(await leadRow(leadId)).toMatchObject({ opens_human: 1, version: before.version + 1 });
    // One projection waits for the rest of the burst, due within the window that began with the first open.
    const waiting = await projectRows(stub);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.due_at).toBeGreaterThan(start);
    expect(waiting[0]!.due_at).toBeLessThanOrEqual(start + SIGNAL_PROJECTION_DELAY_MS);
    await advance(stub);
    const after = (await leadRow(leadId))!;
    expect(after).toMatchObject({ opens_human: 5, opens_machine: 0, score: summary.score });
    expect(after.version).toBe(before.version + 5);
    expect((await eventRows(leadId, "email_opened"))!.n).toBe(5);
    expect(await projectRows(stub)).toEqual([]);
  });

  it("a burst's later signals write their state and timeline entry, and nothing for the projection that waits", async () => {
    const { leadId, stub } = await acknowledgedLead();
    await stub.recordOpen(open(MAIL_CLIENT));
    await settle(stub);
    expect(await projectRows(stub)).toEqual([]);
    const rowsWritten = await meterObjectRows(stub);
    for (let i = 0; i < 3; i++) await stub.recordOpen(open(MAIL_CLIENT));
    // Each open's state and timeline entry, and the parked projection woken once for the burst's end.
    expect(await rowsWritten()).toBe(3 * 2 + 1);
    expect(await projectRows(stub)).toHaveLength(1);
    await advance(stub);
    expect(await leadRow(leadId)).toMatchObject({ opens_human: 4 });
  });

  it("a signal that arrives while the burst's first projection is still writing to D1 waits for the burst's end", async () => {
    const { leadId, stub } = await acknowledgedLead();
    const before = (await leadRow(leadId))!;
    const start = clocks.get(stub.id.toString())!.at;
    const projection = await holdProjections(stub);
    await stub.recordOpen(open(MAIL_CLIENT));
    expect(await projection.reached()).toBe(true);
    await stub.recordOpen(open(MAIL_CLIENT));
    const waiting = await projectRows(stub);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.due_at).toBeGreaterThan(start);
    expect(waiting[0]!.due_at).toBeLessThanOrEqual(start + SIGNAL_PROJECTION_DELAY_MS);
    await projection.release();
    await settle(stub);
    expect(await leadRow(leadId)).toMatchObject({ opens_human: 1, version: before.version + 1 });
    await advance(stub);
    expect(await leadRow(leadId)).toMatchObject({ opens_human: 2, version: before.version + 2 });
  });

  it("an event that comes after a running projection's lease ran out still reaches D1 once that projection ends", async () => {
    const { leadId, stub } = await acknowledgedLead();
    const projection = await holdProjections(stub);
    await stub.recordOpen(open(MAIL_CLIENT));
    expect(await projection.reached()).toBe(true);
    // The projection outlives its lease (a minute); the hand-off asks for one at a moment past the lease's end.
    clocks.get(stub.id.toString())!.at += 2 * 60_000;
    await stub.requestHandOff("Asked for a call");
    await projection.release();
    await settle(stub);
    expect(await leadRow(leadId)).toMatchObject({ status: "with_rep" });
  });

  it("machine opens are counted and projected as machine and move no score", async () => {
    const { leadId, stub } = await acknowledgedLead();
    const before = (await leadRow(leadId))!;
    for (let i = 0; i < 3; i++) await stub.recordOpen(open(SCANNER));
    await advance(stub);
    expect((await summaryOf(stub)).engagement.opens).toEqual({ human: 0, auto: 0, machine: 3 });
    expect(await leadRow(leadId)).toMatchObject({ opens_human: 0, opens_machine: 3, score: before.score, status: before.status });
  });

  it("an object evicted between the signals of a burst loses none of them", async () => {
    const { leadId, stub } = await acknowledgedLead();
    const time = clocks.get(stub.id.toString())!;
    await stub.recordOpen(open(MAIL_CLIENT));
    await stub.recordOpen(open(SCANNER));
    await runInDurableObject(stub, (_o, state) => state.abort("evicted for the test")).catch(() => undefined);
    const after = stubFor(leadId);
    await withClock(after, time.at);
    await after.recordOpen(open(MAIL_CLIENT));
    expect((await summaryOf(after)).engagement.opens).toEqual({ human: 2, auto: 0, machine: 1 });
    await advance(after);
    expect(await leadRow(leadId)).toMatchObject({ opens_human: 2, opens_machine: 1 });
    expect((await eventRows(leadId, "email_opened"))!.n).toBe(3);
  });

  it("an event that is no signal takes a waiting projection with it at once", async () => {
    const { leadId, stub } = await acknowledgedLead();
    await stub.recordOpen(open(MAIL_CLIENT));
    await stub.recordOpen(open(MAIL_CLIENT));
    await settle(stub);
    expect((await leadRow(leadId))!.opens_human).toBe(1);
    await stub.requestHandOff("Asked for a call");
    await settle(stub);
    expect(await leadRow(leadId)).toMatchObject({ opens_human: 2, status: "with_rep" });
    // Nothing is left for the alarm to project.
    expect(await projectRows(stub)).toEqual([]);
  });
});
