import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { OutboxRow } from "../schemas/d1";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import { leadIdFor } from "../services/crypto/lead-identity";
import { readRoutingAddress } from "../services/crypto/reply-address";
import { tokenKeys } from "../services/crypto/signed-token";
import { callAndSettle, makeForm, postJson, unique } from "./helpers";
import { advance, clocks, freshLead, kinds, outboxFor, settle, stubFor, submission, summaryOf, withClock, withEnv } from "./lead-harness";
import * as storage from "../durable-objects/lead-storage";

const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };

afterEach(() => vi.restoreAllMocks());

describe("a form post starts the form's sequence", () => {
  it("acknowledges by email and SMS at once, with every header and footer a commercial email needs", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const email = `${unique("ack")}@example.com`;
    await withClock(stubFor(await leadIdFor(env.LEAD_ID_SECRET, { email })));
    const response = await postJson(form.id, { email, name: "Ann Lee", phone: "+1 212 555 0147", consent_sms: "on", timezone: "America/Chicago" });
    expect(response.status).toBe(202);
    const { leadId } = (await response.json()) as { leadId: string };
    await settle(stubFor(leadId));

    const messages = await outboxFor(leadId);
    expect(messages.map((m) => m.channel).sort()).toEqual(["email", "sms"]);
    const sms = messages.find((m) => m.channel === "sms")!;
    expect(sms.to).toBe("+12125550147");
    expect(sms.text).toMatch(/^Hi Ann, it's Sam Rivera from Acme Roofing\..*Reply STOP to opt out\.$/);

    const ack = messages.find((m) => m.channel === "email")!;
    expect(ack).toMatchObject({ to: email, subject: "Got your request, Ann", from: expect.stringMatching(/^Sam Rivera <sender-[0-9a-f]+@example\.com>$/) });
    const { headers } = ack;
    expect(headers["Message-ID"]).toMatch(new RegExp(`^<e\\d+-t1-email\\.${leadId}@example\\.com>$`));
    expect(headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(headers["List-Unsubscribe"]).toMatch(/^<http:\/\/localhost:8787\/u\/[^>]+>, <mailto:unsubscribe\+[0-9a-f]{32}-[0-9a-f]{20}@reply\.example\.com\?subject=unsubscribe>$/);
    expect(await readRoutingAddress(tokenKeys(env)!, headers["Reply-To"]!)).toEqual({ purpose: "reply", leadId });
    expect(ack.text).toContain("100 Example Street, Springfield, IL 62701, USA");
    expect(ack.html).toContain("100 Example Street, Springfield, IL 62701, USA");
    expect(ack.html).toMatch(/<img src="http:\/\/localhost:8787\/o\/[^"]+" width="1" height="1"/);
    expect(ack.html).toMatch(/<a href="http:\/\/localhost:8787\/c\/[^"]+" style="display:none" aria-hidden="true"/);

    // The booking link is tracked and redirects to exactly the booking page.
    const tracked = /http:\/\/localhost:8787(\/c\/[A-Za-z0-9._-]+)/.exec(ack.text)![1]!;
    const click = await callAndSettle(tracked);
    expect(click.status).toBe(302);
    expect(click.headers.get("location")).toMatch(/^http:\/\/localhost:8787\/demo\/book/);

    const summary = await summaryOf(stubFor(leadId));
    expect(summary).toMatchObject({ status: "active", timezone: "America/Chicago" });
    expect(summary.enrolments).toEqual([
      expect.objectContaining({ sequenceId: "new-inquiry", version: 0, status: "active", next: expect.objectContaining({ stepId: expect.any(String) }) }),
    ]);
    expect(kinds(summary).filter((k) => k === "touch_sent")).toHaveLength(2);
  });

  it("without SMS consent only the email goes out", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const email = `${unique("nosms")}@example.com`;
    await withClock(stubFor(await leadIdFor(env.LEAD_ID_SECRET, { email })));
    const response = await postJson(form.id, { email, phone: "+1 212 555 0148" });
    const { leadId } = (await response.json()) as { leadId: string };
    await settle(stubFor(leadId));
    expect((await outboxFor(leadId)).map((m) => m.channel)).toEqual(["email"]);
    const skipped = (await summaryOf(stubFor(leadId))).timeline.find((e) => e.kind === "touch_skipped");
    expect(skipped).toMatchObject({ channel: "sms", reason: "no SMS consent recorded" });
  });
});

describe("the lead's alarm", () => {
  it("is armed for the earliest pending item and walks the sequence; an opened email pulls the next one sooner", async () => {
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`${unique("walk")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    const [alarm, earliest] = await runInDurableObject(stub, async (_o, state) => [await state.storage.getAlarm(), (storage.earliestDue(state.storage.sql) ?? null) as number]);
    expect(alarm).not.toBeNull();
    expect((await summaryOf(stub)).enrolments[0]!.next).toEqual({ stepId: "value", dueAt: earliest });

    await advance(stub);
    const messages = await outboxFor(leadId);
    expect(messages.map((m) => m.subject)).toEqual(["Got your request, Ann", "Something useful while you decide"]);
    const before = (await summaryOf(stub)).enrolments[0]!.next!;
    expect(before.stepId).toBe("proof");

    // The lead opens the value email in a mail client: the proof touch comes sooner.
    const pixel = /src="http:\/\/localhost:8787(\/o\/[^"]+)"/.exec(messages[1]!.html!)![1]!;
    const open = await callAndSettle(pixel, { headers: { "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)" } });
    expect(open.status).toBe(200);
    const after = await summaryOf(stub);
    expect(after.enrolments[0]!.next!.dueAt).toBeLessThan(before.dueAt);
    expect(after.timeline.find((e) => e.kind === "timing_changed")).toMatchObject({ stepId: "proof", reason: "opened: next touch pulled sooner" });
  });

  it("a duplicated alarm sends a touch once", async () => {
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`${unique("dup")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    const earliest = await runInDurableObject(stub, (_o, state) => (storage.earliestDue(state.storage.sql) ?? null) as number);
    clocks.get(stub.id.toString())!.at = earliest;
    await Promise.all([runDurableObjectAlarm(stub), runDurableObjectAlarm(stub), settle(stub)]);
    await settle(stub);
    const values = (await outboxFor(leadId)).filter((m) => m.subject === "Something useful while you decide");
    expect(values).toHaveLength(1);
    expect(kinds(await summaryOf(stub)).filter((k) => k === "touch_sent")).toHaveLength(2);
  });
});

describe("channels", () => {
  /** A stand-in for the HTTP email provider: answers in turn, remembers what it accepted by idempotency key. */
  function fakeResend(answers: (() => Response | Promise<Response>)[]) {
    const accepted = new Map<string, unknown>();
    let calls = 0;
    const original = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (!request.url.startsWith("https://api.resend.com/")) return original(input, init);
      const answer = answers[Math.min(calls, answers.length - 1)]!;
      calls += 1;
      const response = await answer();
      // The provider dedupes by idempotency key; a lost answer (x-accepted) was still accepted.
      if (response.ok || response.headers.has("x-accepted")) accepted.set(request.headers.get("idempotency-key")!, await request.json());
      return response;
    });
    return { accepted, calls: () => calls };
  }

  const ok = () => Response.json({ id: crypto.randomUUID() });
  const unavailable = () => new Response(JSON.stringify({ message: "try later" }), { status: 503 });

  it("a provider that fails twice then succeeds delivers exactly once, with the failures on the timeline", async () => {
    const provider = fakeResend([unavailable, unavailable, ok]);
    const { leadId, stub } = await freshLead();
    await withEnv(stub, { EMAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_test" });
    await stub.submitForm(submission(`${unique("retry")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    expect(provider.calls()).toBe(1);
    const pending = (await summaryOf(stub)).pendingTouches;
    expect(pending).toEqual([expect.objectContaining({ channel: "email", attempts: 1 })]);

    await advance(stub);
    await advance(stub);
    expect(provider.calls()).toBe(3);
    expect(provider.accepted.size).toBe(1);
    const [key, body] = [...provider.accepted][0]!;
    expect(key).toBe(`${leadId}:${pending[0]!.key}`);
    expect(body).toMatchObject({ subject: "Got your request, Ann", headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } });
    const summary = await summaryOf(stub);
    expect(summary.timeline.filter((e) => e.kind === "touch_failed")).toEqual([
      expect.objectContaining({ permanent: false, reason: "resend answered 503: try later" }),
      expect.objectContaining({ permanent: false, reason: "resend answered 503: try later" }),
    ]);
    expect(kinds(summary).filter((k) => k === "touch_sent")).toHaveLength(1);
    expect(summary.pendingTouches).toEqual([]);
  });

  it("an answer lost after the provider accepted is retried with the same idempotency key, so the lead gets one email", async () => {
    let first = true;
    const provider = fakeResend([
      async () => {
        if (first) {
          first = false;
          // The provider took the message, then the connection dropped before we heard back.
          return new Response(null, { status: 599, headers: { "x-accepted": "1" } });
        }
        return ok();
      },
    ]);
    const { stub } = await freshLead();
    await withEnv(stub, { EMAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_test" });
    await stub.submitForm(submission(`${unique("lost")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    await advance(stub);
    expect(provider.calls()).toBe(2);
    expect(provider.accepted.size).toBe(1);
  });

  it("an email provider that times out is retried, and the lead gets the email once", async () => {
    const timedOut = () => Promise.reject(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    const provider = fakeResend([timedOut, ok]);
    const { stub } = await freshLead();
    await withEnv(stub, { EMAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_test" });
    await stub.submitForm(submission(`${unique("timeout")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    expect((await summaryOf(stub)).timeline.find((e) => e.kind === "touch_failed")).toMatchObject({ permanent: false });
    await advance(stub);
    expect(provider.calls()).toBe(2);
    expect(provider.accepted.size).toBe(1);
    expect(kinds(await summaryOf(stub)).filter((k) => k === "touch_sent")).toHaveLength(1);
  });

  it("an SMS provider answering 5xx is retried, and the text goes once", async () => {
    const original = globalThis.fetch;
    const texts: string[] = [];
    let calls = 0;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (!request.url.startsWith("https://sms.example/")) return original(input, init);
      calls += 1;
      if (calls === 1) return new Response(JSON.stringify({ message: "Service unavailable" }), { status: 503 });
      texts.push(new URLSearchParams(await request.text()).get("Body") ?? "");
      return Response.json({ sid: `SM${calls}` }, { status: 201 });
    });
    const { stub } = await freshLead();
    await withEnv(stub, { SMS_TRANSPORT: "twilio", TWILIO_ACCOUNT_SID: "AC123", TWILIO_API_BASE: "https://sms.example", SMS_FROM: "+15005550006" });
    await stub.submitForm(
      submission(`${unique("sms5xx")}@example.com`, {
        profile: { email: `${unique("sms5xx")}@example.com`, phone: "+12125550170", timezone: "America/New_York" },
        consent: { sms: true },
      }),
      NEW_INQUIRY,
    );
    await settle(stub);
    expect(calls).toBe(1);
    await advance(stub);
    expect(calls).toBe(2);
    expect(texts).toHaveLength(1);
    const sms = (await summaryOf(stub)).timeline.filter((e) => e.kind === "touch_sent" && e.channel === "sms");
    expect(sms).toHaveLength(1);
  });

  it("a permanent refusal marks the touch failed, visibly, and the sequence carries on", async () => {
    fakeResend([() => new Response(JSON.stringify({ message: "invalid to address" }), { status: 422 })]);
    const { stub } = await freshLead();
    await withEnv(stub, { EMAIL_TRANSPORT: "resend", RESEND_API_KEY: "re_test" });
    await stub.submitForm(submission(`${unique("perm")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.timeline.find((e) => e.kind === "touch_failed")).toMatchObject({ permanent: true, reason: "resend answered 422: invalid to address" });
    expect(summary.pendingTouches).toEqual([]);
    expect(summary.enrolments[0]!.next?.stepId).toBe("value");
  });

  it("a suppression added after a touch was queued stops it at the moment of sending", async () => {
    const domain = `${unique("blocked")}.example`;
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`ann@${domain}`), NEW_INQUIRY);
    await settle(stub);
    expect(await outboxFor(leadId)).toHaveLength(1);
    await env.DB.prepare("INSERT INTO suppressions (channel, value, reason, created_at) VALUES ('email', ?, 'complaint', 0)").bind(`@${domain}`).run();
    await advance(stub);
    expect(await outboxFor(leadId)).toHaveLength(1);
    const skipped = (await summaryOf(stub)).timeline.filter((e) => e.kind === "touch_skipped" && e.channel === "email");
    expect(skipped).toEqual([expect.objectContaining({ stepId: "value", channel: "email", reason: `suppressed (domain @${domain}: complaint)` })]);
  });

  it("email waits, visibly, until the sender's identity is complete, then goes", async () => {
    const { leadId, stub } = await freshLead();
    await withEnv(stub, { SENDER_POSTAL_ADDRESS: "" });
    await stub.submitForm(submission(`${unique("identity")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    expect(await outboxFor(leadId)).toHaveLength(0);
    expect((await summaryOf(stub)).timeline.find((e) => e.kind === "touch_failed")).toMatchObject({
      permanent: false,
      reason: "sender identity incomplete: set postal address under Settings",
    });
    await withEnv(stub, {});
    await advance(stub);
    expect((await outboxFor(leadId)).map((m) => m.subject)).toEqual(["Got your request, Ann"]);
  });

  it("over the sender's daily cap every touch waits for the next day, in order: an instant answer counts too", async () => {
    const followUp: SequenceVersion = {
      id: "one-follow-up",
      version: 1,
      sequence: { ...NEW_INQUIRY.sequence, id: "one-follow-up", steps: [{ ...NEW_INQUIRY.sequence.steps[1]!, wait: { days: 0, hours: 0 } }] },
    };
    const sender = `${unique("capped")}@example.com`;
    const capped = { SENDER_EMAIL: sender, SENDER_DAILY_CAP: "1", WARMUP_FIRST_DAY: "1" };
    const first = await freshLead();
    const second = await freshLead();
    await withEnv(first.stub, capped);
    await withEnv(second.stub, capped);
    await first.stub.submitForm(submission(`${unique("one")}@example.com`), followUp);
    await settle(first.stub);
    await second.stub.submitForm(submission(`${unique("two")}@example.com`), followUp);
    await settle(second.stub);
    expect(await outboxFor(first.leadId)).toHaveLength(1);
    expect(await outboxFor(second.leadId)).toHaveLength(0);
    // A flood of form posts must not spend a warming address past its cap: the acknowledgement waits too.
    const third = await freshLead();
    await withEnv(third.stub, capped);
    await third.stub.submitForm(submission(`${unique("three")}@example.com`), NEW_INQUIRY);
    await settle(third.stub);
    expect(await outboxFor(third.leadId)).toEqual([]);
    for (const stub of [second.stub, third.stub]) {
      const waiting = (await summaryOf(stub)).pendingTouches;
      expect(waiting).toEqual([expect.objectContaining({ channel: "email", attempts: 0 })]);
      // The cap rolls it to the next day's window.
      expect(waiting[0]!.dueAt).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 3, 5, 0));
    }
  });

  it("instant answers to one recipient domain stop at the per-domain cap, recorded as skipped; the leads are kept", async () => {
    const limits = { SENDER_EMAIL: `${unique("domains")}@example.com`, INSTANT_PER_DOMAIN_DAILY_CAP: "2" };
    const domain = `${unique("flooded")}.example`;
    const leads = [];
    for (let i = 0; i < 3; i++) {
      const lead = await freshLead();
      await withEnv(lead.stub, limits);
      await lead.stub.submitForm(submission(`victim${i}@${domain}`), NEW_INQUIRY);
      await settle(lead.stub);
      leads.push(lead);
    }
    const sent = await Promise.all(leads.map(async (l) => (await outboxFor(l.leadId)).filter((m) => m.channel === "email").length));
    expect(sent).toEqual([1, 1, 0]);
    const third = await summaryOf(leads[2]!.stub);
    expect(third.profile.email).toBe(`victim2@${domain}`);
    expect(third.timeline.find((e) => e.kind === "touch_skipped" && e.channel === "email")).toMatchObject({ reason: expect.stringContaining("per-domain cap") });
    // Another domain is not held back by this one.
    const other = await freshLead();
    await withEnv(other.stub, limits);
    await other.stub.submitForm(submission(`${unique("other")}@example.org`), NEW_INQUIRY);
    await settle(other.stub);
    expect((await outboxFor(other.leadId)).filter((m) => m.channel === "email")).toHaveLength(1);
  });

  it("SMS goes only to countries on the allow-list (the business's own by default); email carries on", async () => {
    const uk = { profile: { email: `${unique("uk")}@example.com`, firstName: "Ann", phone: "+447400123456", timezone: "Europe/London" }, consent: { sms: true } };
    const blocked = await freshLead();
    await blocked.stub.submitForm(submission(uk.profile.email, uk), NEW_INQUIRY);
    await settle(blocked.stub);
    expect((await outboxFor(blocked.leadId)).map((m) => m.channel)).toEqual(["email"]);
    expect((await summaryOf(blocked.stub)).timeline.find((e) => e.kind === "touch_skipped" && e.channel === "sms")).toMatchObject({
      reason: expect.stringContaining("GB is not on the allow-list"),
    });

    const allowed = await freshLead();
    await withEnv(allowed.stub, { SMS_COUNTRIES: "US, GB" });
    await allowed.stub.submitForm(submission(`${unique("uk2")}@example.com`, { ...uk, profile: { ...uk.profile, email: `${unique("uk2")}@example.com` } }), NEW_INQUIRY);
    await settle(allowed.stub);
    expect((await outboxFor(allowed.leadId)).map((m) => m.channel).sort()).toEqual(["email", "sms"]);
  });
});

describe("owner actions", () => {
  it("a reply pauses the lead, drops its pending touches and alerts the owner", async () => {
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`${unique("reply")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    await stub.recordReply({ text: "Yes please, call me tomorrow." });
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.status).toBe("replied");
    expect(summary.enrolments[0]).toMatchObject({ status: "paused" });
    expect(summary.enrolments[0]!.next).toBeUndefined();
    const alerts = await env.DB.prepare("SELECT * FROM outbox WHERE id = ?")
      .bind(`alert-${leadId}-${summary.timeline.at(-1)!.seq}-reply`)
      .all<OutboxRow>();
    expect(alerts.results).toEqual([
      expect.objectContaining({ to: "owner@example.com", subject: expect.stringMatching(/^Reply from /), text: expect.stringContaining("Yes please, call me tomorrow.") }),
    ]);
    // The link opens the lead's dashboard page in the owner's browser (the JSON API would answer 401).
    expect(alerts.results[0]!.text).toContain(`${env.PUBLIC_URL}/dashboard/leads/${leadId}\n`);
    await advance(stub);
    expect((await outboxFor(leadId)).filter((m) => m.to !== "owner@example.com")).toHaveLength(1);
  });
});

describe("eviction", () => {
  it("an object evicted mid-sequence picks up where it was: every touch goes out once", async () => {
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`${unique("evict")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    const time = clocks.get(stub.id.toString())!;
    // Evicted: the instance and everything it held in memory are gone; storage stays.
    await runInDurableObject(stub, (_o, state) => state.abort("evicted for the test")).catch(() => undefined);
    const after = stubFor(leadId);
    await withClock(after, time.at);
    for (let i = 0; i < 6; i++) {
      const earliest = await runInDurableObject(after, (_o, state) => storage.earliestDue(state.storage.sql) ?? null);
      if (earliest === null) break;
      clocks.get(after.id.toString())!.at = Math.max(clocks.get(after.id.toString())!.at, earliest);
      // A duplicated alarm on the new instance, too.
      await Promise.all([runDurableObjectAlarm(after), runDurableObjectAlarm(after)]);
      await settle(after);
    }
    const sent = (await outboxFor(leadId)).filter((m) => m.channel === "email");
    expect(sent.length).toBeGreaterThanOrEqual(3);
    // Follow-ups share their thread's subject; no two touches share subject and words.
    expect(new Set(sent.map((m) => `${m.subject}\n${m.text}`)).size).toBe(sent.length);
    expect(kinds(await summaryOf(after)).filter((k) => k === "touch_sent")).toHaveLength(sent.length);
  });
});
