import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it, vi } from "vitest";
import { SenderObject } from "../durable-objects/sender-object";
import type { LeadObject } from "../durable-objects/lead-object";
import type { SequenceInput, SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import type { SlotAnswer, SlotAsk } from "../engine/time/sender-pacing";
import { PACING_LIMITS, slotBatcher } from "../services/pacing-batches";
import { asOwner, call, makeForm, postJson, unique } from "./helpers";
import { freshLead, outboxFor, settle, submission, summaryOf, withEnv } from "./lead-harness";

/** The form post → first touch path (#23): fast, and every rule that guards it still holding. */

const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };

/** A D1 binding that notes every statement's SQL, in the order the object prepares them. */
function recordingDb(statements: string[]): D1Database {
  return new Proxy(env.DB, {
    get(target, property) {
      if (property === "prepare") {
        return (query: string) => {
          statements.push(query.toLowerCase());
          return target.prepare(query);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

it("a new lead's acknowledgement is the first thing its object writes anywhere: the projection and drafts come after", async () => {
  const { leadId, stub } = await freshLead();
  await runInDurableObject(stub, (object: LeadObject) => {
    object.seams.drainAfterEvents = false;
  });
  await stub.submitForm(submission(`${unique("ack-first")}@example.com`), NEW_INQUIRY);
  const statements: string[] = [];
  await withEnv(stub, { DB: recordingDb(statements) });
  await runDurableObjectAlarm(stub);
  await settle(stub);

  const writes = statements.filter((s) => /^\s*(insert|update|delete)/.test(s));
  expect(writes[0]).toMatch(/^insert into "outbox"/);
  expect(writes.some((s) => /^insert into "leads"/.test(s))).toBe(true);
  expect((await outboxFor(leadId)).map((m) => m.channel)).toEqual(["email"]);
});

const json = (body: unknown, method = "PUT"): RequestInit => ({ method, body: JSON.stringify(body) });

const browserPost = (formId: string, email: string) =>
  call(`/f/${formId}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ email }).toString() });

function answeredWith(subject: string, id: string): SequenceInput {
  return {
    id,
    name: `Sequence ${id}`,
    window: { days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "23:59" },
    steps: [{ id: "hello", intent: "acknowledge", channels: ["email"], instant: true, email: { subject, body: "Thanks for asking." } }],
  } as SequenceInput;
}

async function enrolmentOf(response: Response) {
  const { leadId } = (await response.json()) as { leadId: string };
  return (await summaryOf(env.LEADS.getByName(leadId))).enrolments[0];
}

it("an owner's edit of a form counts from the very next post: its thank-you page, its sequence, its deletion", async () => {
  const form = await makeForm({ thankYouUrl: "https://site.example/thanks-1" });
  expect((await browserPost(form.id, `${unique("edit")}@example.com`)).headers.get("location")).toBe("https://site.example/thanks-1");

  expect((await asOwner(`/api/forms/${form.id}`, json({ thankYouUrl: "https://site.example/thanks-2" }, "PATCH"))).status).toBe(200);
  expect((await browserPost(form.id, `${unique("edit")}@example.com`)).headers.get("location")).toBe("https://site.example/thanks-2");
  // Two edits within a millisecond still move the form's version.
  await asOwner(`/api/forms/${form.id}`, json({ thankYouUrl: "https://site.example/thanks-3" }, "PATCH"));
  await asOwner(`/api/forms/${form.id}`, json({ thankYouUrl: "https://site.example/thanks-4" }, "PATCH"));
  expect((await browserPost(form.id, `${unique("edit")}@example.com`)).headers.get("location")).toBe("https://site.example/thanks-4");

  const sequenceId = unique("switched-to");
  await asOwner(`/api/sequences/${sequenceId}`, json(answeredWith("Hi", sequenceId)));
  await asOwner(`/api/forms/${form.id}`, json({ sequenceId }, "PATCH"));
  expect(await enrolmentOf(await postJson(form.id, { email: `${unique("edit")}@example.com` }))).toMatchObject({ sequenceId, version: 1 });

  expect((await asOwner(`/api/forms/${form.id}`, { method: "DELETE" })).status).toBe(204);
  expect((await postJson(form.id, { email: `${unique("edit")}@example.com` })).status).toBe(404);
});

it("an owner's edit of a sequence counts from the very next post: new leads get the new version at once", async () => {
  const sequenceId = unique("edited");
  await asOwner(`/api/sequences/${sequenceId}`, json(answeredWith("First words", sequenceId)));
  const form = await makeForm({ sequenceId });
  expect(await enrolmentOf(await postJson(form.id, { email: `${unique("seq")}@example.com` }))).toMatchObject({ sequenceId, version: 1 });

  await asOwner(`/api/sequences/${sequenceId}`, json(answeredWith("Second words", sequenceId)));
  const response = await postJson(form.id, { email: `${unique("seq")}@example.com` });
  const { leadId } = (await response.clone().json()) as { leadId: string };
  expect(await enrolmentOf(response)).toMatchObject({ sequenceId, version: 2 });
  await settle(env.LEADS.getByName(leadId));
  expect((await outboxFor(leadId)).map((m) => m.subject)).toEqual(["Second words"]);
});

it("a suppressed address, or one on a suppressed domain, gets no first touch: the lead is kept and the skip recorded", async () => {
  const address = `${unique("listed")}@example.com`;
  const domain = `${unique("listed-domain")}.example`;
  for (const value of [address, domain]) {
    expect((await asOwner("/api/suppressions", json({ value, reason: "asked" }, "POST"))).status).toBeLessThan(300);
  }
  for (const [email, reason] of [
    [address, "suppressed (address: asked)"],
    [`someone@${domain}`, `suppressed (domain @${domain}: asked)`],
  ] as const) {
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(stub);
    expect(await outboxFor(leadId)).toEqual([]);
    const summary = await summaryOf(stub);
    expect(summary.profile.email).toBe(email);
    expect(summary.timeline.find((e) => e.kind === "touch_skipped" && e.channel === "email")).toMatchObject({ reason });
  }
});

it("many first touches at once from one sending address: the daily cap and the per-domain cap on instant answers still hold, the pacing asked in batches", async () => {
  const capped = { SENDER_EMAIL: `${unique("burst")}@example.com`, SENDER_DAILY_CAP: "5", WARMUP_DAYS: "0", INSTANT_PER_DOMAIN_DAILY_CAP: "3" };
  const domain = `${unique("one-domain")}.example`;
  const leads = await Promise.all(
    Array.from({ length: 10 }, async (_, i) => {
      const lead = await freshLead();
      await withEnv(lead.stub, capped);
      return { ...lead, email: i < 4 ? `person${i}@${domain}` : `${unique("elsewhere")}@example.org` };
    }),
  );
  const batches: number[] = [];
  const reserveMany = SenderObject.prototype.reserveMany;
  let holdNext = false;
  const spy = vi.spyOn(SenderObject.prototype, "reserveMany").mockImplementation(async function (this: SenderObject, asks, rules) {
    batches.push(asks.length);
    // Each wave's first call answers a moment late, so the wave's other drains reach the sender while it is out.
    if (holdNext) {
      holdNext = false;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return reserveMany.call(this, asks, rules);
  });
  // The four to one domain first, then the six elsewhere: which touches the day's cap holds
  // back depends on the order they ask in, and each wave asks at once.
  const waves = [leads.slice(0, 4), leads.slice(4)];
  try {
    for (const wave of waves) {
      holdNext = true;
      await Promise.all(wave.map(async ({ stub, email }) => stub.submitForm(submission(email), NEW_INQUIRY)));
      await Promise.all(wave.map(({ stub }) => settle(stub)));
    }
  } finally {
    spy.mockRestore();
  }
  // The sender's pacing was asked once per batch: every touch once, in fewer calls than touches.
  expect(batches.reduce((a, b) => a + b, 0)).toBe(leads.length);
  expect(batches.length).toBeLessThan(leads.length);

  const sent = await Promise.all(leads.map(async ({ leadId }) => (await outboxFor(leadId)).filter((m) => m.channel === "email").length));
  // The domain's cap stops the fourth of its wave; the day's cap lets two of the next six go.
  expect(sent.slice(0, 4).reduce((a, b) => a + b, 0)).toBe(3);
  expect(sent.slice(4).reduce((a, b) => a + b, 0)).toBe(2);
  for (const [i, { stub }] of leads.entries()) {
    if (sent[i] === 1) continue;
    const summary = await summaryOf(stub);
    const skipped = summary.timeline.some((e) => e.kind === "touch_skipped" && e.channel === "email" && /per-domain cap/.test(String(e.reason)));
    const waiting = summary.pendingTouches.some((t) => t.channel === "email" && t.dueAt >= Date.UTC(2026, 10, 3, 5, 0));
    // Held back, never lost: skipped by the domain's cap (recorded) or moved to the next day by the sender's.
    expect(i < 4 ? skipped : waiting).toBe(true);
  }
});

const RACE_RULES = {
  dailyCap: 20,
  warmupDays: 0,
  warmupDailyLimit: 50,
  warmupFirstDay: 20,
  warmupGrowth: 1.2,
  minSpacingMs: 60_000,
  jitterMs: 30_000,
  instantPerDomainCap: 1_000,
  timezone: "America/New_York",
};
const RACE_AT = Date.UTC(2026, 10, 2, 15, 0);
const raceAsk = (i: number): SlotAsk => ({ key: `lead-${i}:ack`, now: RACE_AT, instant: true, recipientDomain: `d${i}.example` });

/** Exactly the day's cap of fifty instant answers at once go now, the rest the next day. */
async function expectCapHeld(sender: DurableObjectStub<SenderObject>, answers: SlotAnswer[]) {
  const slots = answers.map((a) => ("slot" in a ? a.slot : Number.NaN));
  expect(slots.filter((at) => at === RACE_AT)).toHaveLength(20);
  expect(slots.filter((at) => at >= Date.UTC(2026, 10, 3, 5, 0))).toHaveLength(30);
  expect((await sender.today(RACE_AT, RACE_RULES)).sent).toBe(20);
}

it("fifty touches asking one sending address for a slot at the same moment, each on its own call: exactly the day's cap go now", async () => {
  // Calls from other isolates, or under other rules, still reach the object at the same moment.
  const sender = env.SENDERS.getByName(`${unique("race")}@example.com`);
  await expectCapHeld(sender, await Promise.all(Array.from({ length: 50 }, (_, i) => sender.reserveMany([raceAsk(i)], RACE_RULES).then(([a]) => a!))));
  // The previous release's one-touch request, still answered for its objects during a deployment.
  expect(await sender.reserve("lead-0:ack", RACE_AT, RACE_RULES, true, "d0.example")).toEqual({ slot: RACE_AT });
});

it("fifty touches asking one sending address for a slot in one turn share one call: exactly the day's cap go now", async () => {
  const sender = env.SENDERS.getByName(`${unique("race")}@example.com`);
  const askSlot = slotBatcher(PACING_LIMITS);
  const calls: number[] = [];
  const reserveMany = (asks: SlotAsk[]) => {
    calls.push(asks.length);
    return sender.reserveMany(asks, RACE_RULES);
  };
  await expectCapHeld(sender, await Promise.all(Array.from({ length: 50 }, (_, i) => askSlot("race", raceAsk(i), reserveMany))));
  expect(calls).toEqual([50]);
});
