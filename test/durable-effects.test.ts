import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LeadObject } from "../durable-objects/lead-object";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import { unique } from "./helpers";
import { advance, clocks, freshLead, kinds, outboxFor, settle, stubFor, submission, summaryOf, withClock, withEnv } from "./lead-harness";

/**
 * Every effect is a due row written with the state change that caused it. Each test
 * commits an event, evicts the object before any effect runs (the drain that follows an
 * event is switched off, as if the instance died right after the commit), and then lets a
 * new instance's alarm — run twice, as a duplicated alarm would — do the work: each effect
 * happens once, none is lost.
 */

const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };
const HOOK = "https://crm.example/hooks/evicted";

afterEach(() => vi.restoreAllMocks());

const dueKinds = (stub: DurableObjectStub<LeadObject>) =>
  runInDurableObject(stub, (_o: LeadObject, state) =>
    state.storage.sql
      .exec<{ kind: string }>("SELECT kind FROM due")
      .toArray()
      .map((r) => r.kind),
  );

/** A lead whose object will not run effects after its next event until it is evicted. */
async function leadThatDiesAfterCommit(setUp?: (lead: { leadId: string; stub: DurableObjectStub<LeadObject> }) => Promise<void>) {
  const lead = await freshLead();
  await setUp?.(lead);
  await runInDurableObject(lead.stub, (object: LeadObject) => {
    object.seams.drainAfterEvents = false;
  });
  return lead;
}

/** Evicts the object (memory gone, storage kept), then runs the new instance's alarm twice. */
async function evictAndRecover(leadId: string, stub: DurableObjectStub<LeadObject>, overrides: Partial<Env> = {}) {
  const time = clocks.get(stub.id.toString())!;
  await runInDurableObject(stub, (_o, state) => state.abort("evicted for the test")).catch(() => undefined);
  const after = stubFor(leadId);
  await withClock(after, time.at);
  await withEnv(after, overrides);
  await runDurableObjectAlarm(after);
  await runDurableObjectAlarm(after);
  await settle(after);
  return after;
}

describe("effects survive an eviction between the commit and the effect", () => {
  it("a send: the acknowledgement goes out once", async () => {
    const { leadId, stub } = await leadThatDiesAfterCommit();
    await stub.submitForm(submission(`${unique("send")}@example.com`), NEW_INQUIRY);
    expect(await outboxFor(leadId)).toEqual([]);
    expect(await dueKinds(stub)).toContain("timer");
    const after = await evictAndRecover(leadId, stub);
    const sent = (await outboxFor(leadId)).filter((m) => m.channel === "email");
    expect(sent.map((m) => m.subject)).toEqual(["Got your request, Ann"]);
    expect(kinds(await summaryOf(after)).filter((k) => k === "touch_sent")).toHaveLength(1);
  });

  it("an enrolment: a rep's 'return' puts the lead in nurture once", async () => {
    const { leadId, stub } = await leadThatDiesAfterCommit(async ({ stub }) => {
      // Nurture is marketing: the lead consented to email.
      await stub.submitForm(submission(`${unique("enrol")}@example.com`, { consent: { email: true } }));
      await stub.requestHandOff("Big account");
      await settle(stub);
    });
    await stub.repAction("return");
    expect(await dueKinds(stub)).toContain("enrol");
    const after = await evictAndRecover(leadId, stub);
    const enrolments = (await summaryOf(after)).enrolments.filter((e) => e.sequenceId === "nurture");
    expect(enrolments).toHaveLength(1);
    expect(await dueKinds(after)).not.toContain("enrol");
  });

  it("an alert: the owner hears of a reply once", async () => {
    const { leadId, stub } = await leadThatDiesAfterCommit(async ({ stub }) => {
      await stub.submitForm(submission(`${unique("alert")}@example.com`, { profile: { email: `${unique("alert")}@example.com`, name: "Ada Alert" } }));
      await settle(stub);
    });
    await stub.recordReply({ text: "Thanks, that helps." });
    expect(await dueKinds(stub)).toContain("alert");
    await evictAndRecover(leadId, stub);
    const alerts = (await outboxFor(leadId)).filter((m) => m.to === "owner@example.com" && m.subject === "Reply from Ada Alert");
    expect(alerts).toHaveLength(1);
  });

  it("a suppression: the unsubscribed address is on the list once", async () => {
    const email = `${unique("suppress")}@example.com`;
    const { leadId, stub } = await leadThatDiesAfterCommit(async ({ stub }) => {
      await stub.submitForm(submission(email));
      await settle(stub);
    });
    await stub.unsubscribe("email", "unsubscribe_link");
    expect(await dueKinds(stub)).toContain("suppress");
    await evictAndRecover(leadId, stub);
    const rows = await env.DB.prepare("SELECT reason FROM suppressions WHERE channel = 'email' AND value = ?").bind(email).all();
    expect(rows.results).toHaveLength(1);
  });

  it("a hand-off: the rep's webhook and the owner's email each get the package once", async () => {
    const calls: string[] = [];
    const original = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (request.url !== HOOK) return original(input, init);
      calls.push(JSON.parse(await request.text()).id);
      return new Response("ok");
    });
    const hooks = { HANDOFF_WEBHOOK_URL: HOOK, HANDOFF_WEBHOOK_SECRET: "whsec-evicted" };
    const { leadId, stub } = await leadThatDiesAfterCommit(async ({ stub }) => {
      await withEnv(stub, hooks);
      await stub.submitForm(submission(`${unique("handoff")}@example.com`, { profile: { email: `${unique("handoff")}@example.com`, name: "Hal Handoff" } }));
      await settle(stub);
    });
    await stub.requestHandOff("Big account");
    expect(await dueKinds(stub)).toContain("hand_off");
    expect(calls).toEqual([]);
    await evictAndRecover(leadId, stub, hooks);
    expect(calls).toHaveLength(1);
    const mails = (await outboxFor(leadId)).filter((m) => m.to === "owner@example.com" && m.subject === "Hot lead: Hal Handoff");
    expect(mails).toHaveLength(1);
    const recorded = await env.DB.prepare("SELECT lead_id FROM hand_offs WHERE lead_id = ?").bind(leadId).all();
    expect(recorded.results).toHaveLength(1);
  });
});

describe("the one retry policy", () => {
  it("an effect that keeps failing is retried with growing waits, then given up visibly on the timeline", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("down", { status: 503 }));
    const { stub } = await freshLead();
    await withEnv(stub, { HANDOFF_WEBHOOK_URL: HOOK, HANDOFF_WEBHOOK_SECRET: "whsec-down" });
    await stub.submitForm(submission(`${unique("down")}@example.com`));
    await stub.requestHandOff("Big account");
    await settle(stub);
    const waits: number[] = [];
    for (let attempt = 2; attempt <= 8; attempt++) {
      const before = clocks.get(stub.id.toString())!.at;
      await advance(stub);
      waits.push(clocks.get(stub.id.toString())!.at - before);
    }
    // 30 s doubling, each ±20%: every wait longer than the last but one (jitter), none over an hour and a fifth.
    expect(waits[0]).toBeGreaterThanOrEqual(24_000);
    expect(waits.at(-1)).toBeGreaterThan(waits[0]! * 8);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1.2 * 3_600_000);
    const failed = (await summaryOf(stub)).timeline.find((e) => e.kind === "effect_failed");
    expect(failed).toMatchObject({ effect: "handoff", attempts: 8, reason: expect.stringContaining("503") });
    expect(await dueKinds(stub)).not.toContain("handoff");
  });

  it("a decision-maker's reply is answered before the hand-off it causes is delivered", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const original = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (request.url !== HOOK) return original(input, init);
      await held;
      return new Response("ok");
    });
    const { stub } = await freshLead();
    await withEnv(stub, { HANDOFF_WEBHOOK_URL: HOOK, HANDOFF_WEBHOOK_SECRET: "whsec-held" });
    await stub.submitForm(submission(`${unique("ceo")}@example.com`, { profile: { email: `${unique("ceo")}@example.com`, title: "CEO" } }));
    await settle(stub);
    // A typed title hands nothing off; the person saying so in a reply does.
    expect((await summaryOf(stub)).handOffs).toEqual([]);
    // The destination never answers until released: the reply must not wait for it.
    expect(await stub.recordReply({ text: "I'm the CEO here, send me the details." })).toBe(true);
    expect((await summaryOf(stub)).handOffs).toEqual([expect.objectContaining({ trigger: "decision_maker" })]);
    release();
    await settle(stub);
  });
});

describe("timers", () => {
  /** Puts a timer row straight into the object's due table, due now, and returns how the table holds it after a drain. */
  async function afterFiring(payload: string) {
    const { stub } = await freshLead();
    await stub.submitForm(submission(`${unique("timer")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    const now = clocks.get(stub.id.toString())!.at;
    const key = `test-timer-${unique("t")}`;
    await runInDurableObject(stub, (_o: LeadObject, state) => {
      state.storage.sql.exec("INSERT INTO due (id, kind, key, due_at, payload) VALUES (1000001, 'timer', ?, ?, ?)", key, now, payload);
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await settle(stub);
    const row = await runInDurableObject(
      stub,
      (_o: LeadObject, state) => state.storage.sql.exec<{ due_at: number; attempts: number }>("SELECT due_at, attempts FROM due WHERE key = ?", key).toArray()[0],
    );
    return { row, now, logged: logged.mock.calls.map((c) => String(c[0])) };
  }

  it("a timer the engine leaves as it was waits a lease before it fires again, instead of firing in a loop", async () => {
    // A delivery timer for a touch the lead does not have: the engine has nothing to change.
    const { row, now } = await afterFiring(JSON.stringify({ kind: "delivery", key: "no-such-touch" }));
    expect(row).toEqual({ due_at: expect.any(Number), attempts: 1 });
    expect(row!.due_at).toBeGreaterThan(now + 50_000);
  });

  it("a timer whose event fails is leased like any effect, and the failure is logged", async () => {
    const { row, now, logged } = await afterFiring("{not json");
    expect(row!.attempts).toBe(1);
    expect(row!.due_at).toBeGreaterThan(now + 50_000);
    expect(logged.some((line) => line.includes("drain_failed"))).toBe(true);
  });
});
