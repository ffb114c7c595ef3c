import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LeadSummary } from "../schemas/lead";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import worker from "../workers/index";
import { leadIdFor } from "../services/crypto/lead-identity";
import { tokenKeys } from "../services/crypto/signed-token";
import { suppressionHash } from "../services/d1/suppressions";
import { clickTicket, unsubscribeToken } from "../services/crypto/tracked-links";
import { twilioSignature } from "../services/crypto/twilio-signature";
import { asOwner, call, callAndSettle, makeForm, postJson, unique } from "./helpers";
import { advance, clocks, freshLead, kinds, outboxFor, settle, stubFor, submission, summaryOf, withClock } from "./lead-harness";
import * as storage from "../durable-objects/lead-storage";

const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };
const WARM: SequenceVersion = { id: "warm", version: 0, sequence: PRESETS.get("warm")! };
const keys = tokenKeys(env)!;
const SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

const suppressionRows = (value: string) => env.DB.prepare("SELECT channel, value, reason FROM suppressions WHERE value = ?").bind(value).all();

/** A lead running two sequences, with its acknowledgement sent. */
async function enrolledLead() {
  const lead = await freshLead();
  const email = `${unique("optout")}@example.com`;
  await lead.stub.submitForm(submission(email), NEW_INQUIRY);
  await lead.stub.enrol(WARM);
  await settle(lead.stub);
  return { ...lead, email, token: await unsubscribeToken(keys, lead.leadId) };
}

describe("unsubscribe", () => {
  it("GET shows a confirmation and changes nothing", async () => {
    const { stub, token, email } = await enrolledLead();
    const page = await call(`/u/${token}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('<form method="post"><button>Unsubscribe</button></form>');
    expect(text).not.toContain(email);
    expect((await summaryOf(stub)).status).toBe("active");
    expect((await suppressionRows(email)).results).toEqual([]);
  });

  it("the RFC 8058 one-click POST stops every sequence at once, including touches already due, and suppresses the address", async () => {
    const { leadId, stub, token, email } = await enrolledLead();
    const sentBefore = (await outboxFor(leadId)).length;
    // The next touches come due, but their alarm has not run yet.
    const earliest = await runInDurableObject(stub, (_o, state) => (storage.earliestDue(state.storage.sql) ?? null) as number);
    clocks.get(stub.id.toString())!.at = earliest + 1;

    const response = await call(`/u/${token}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("You are unsubscribed");
    expect((await suppressionRows(email)).results).toEqual([{ channel: "email", value: email, reason: "unsubscribed (one-click)" }]);

    await runDurableObjectAlarm(stub);
    await advance(stub);
    expect(await outboxFor(leadId)).toHaveLength(sentBefore);
    const summary = await summaryOf(stub);
    expect(summary.status).toBe("unsubscribed");
    expect(summary.enrolments.map((e) => [e.sequenceId, e.status])).toEqual([
      ["new-inquiry", "ended"],
      ["warm", "ended"],
    ]);
    expect(summary.pendingTouches).toEqual([]);
    expect(summary.consent.email).toMatchObject({ granted: false, method: "one_click" });
    expect(await (await asOwner(`/api/leads/${leadId}/enrol`, { method: "POST", body: JSON.stringify({ sequenceId: "hot" }) })).status).toBe(409);
  });

  it("the page's button unsubscribes too, and doing it twice changes nothing more", async () => {
    const { stub, token } = await enrolledLead();
    for (let i = 0; i < 2; i++) {
      const response = await call(`/u/${token}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
      expect(response.status).toBe(200);
    }
    const summary = await summaryOf(stub);
    expect(kinds(summary).filter((k) => k === "unsubscribed")).toHaveLength(1);
    expect(summary.consent.email).toMatchObject({ granted: false, method: "unsubscribe_link" });
  });

  it("a forged, altered or truncated token is refused and changes nothing", async () => {
    const { stub, token } = await enrolledLead();
    const [kid, body, tag] = token.split(".") as [string, string, string];
    // Altered for sure: the first character of the tag swapped for a different one.
    const altered = `${tag[0] === "A" ? "B" : "A"}${tag.slice(1)}`;
    for (const bad of [`${kid}.${body}.${altered}`, `${kid}.${body}`, "nonsense", (await clickTicket(keys, "0".repeat(32))).toString()]) {
      expect((await call(`/u/${bad}`)).status).toBe(404);
      expect((await call(`/u/${bad}`, { method: "POST", body: "List-Unsubscribe=One-Click" })).status).toBe(404);
    }
    expect((await summaryOf(stub)).status).toBe("active");
    expect((await call(`/u/${token}`, { method: "POST", body: "x".repeat(9000) })).status).toBe(413);
  });

  it("every email's unsubscribe link and header lead here", async () => {
    const { leadId, token } = await enrolledLead();
    const [ack] = await outboxFor(leadId);
    expect(ack!.headers["List-Unsubscribe"]).toContain(`/u/${token}>`);
    expect(ack!.text).toContain(`/u/${token}`);
  });
});

describe("suppression list API", () => {
  it("adds addresses and whole domains, lists, removes, and refuses what it cannot read", async () => {
    const address = `${unique("listed")}@example.com`;
    const add = (body: object) => asOwner("/api/suppressions", { method: "POST", body: JSON.stringify(body) });
    expect((await add({ value: address.toUpperCase(), reason: "asked by phone" })).status).toBe(201);
    expect(await (await add({ value: address })).json()).toMatchObject({ added: false });
    const domain = `${unique("blocked")}.example`;
    expect(await (await add({ value: domain, reason: "competitor" })).json()).toMatchObject({ value: `@${domain}`, added: true });
    expect(await (await add({ channel: "sms", value: "(212) 555-0123" })).json()).toMatchObject({ value: "+12125550123" });
    expect((await add({ value: "not an address" })).status).toBe(422);
    expect((await add({ channel: "fax", value: address })).status).toBe(422);

    const list = (await (await asOwner("/api/suppressions?channel=email&limit=500")).json()) as { suppressions: { value: string }[] };
    expect(list.suppressions.map((s) => s.value)).toEqual(expect.arrayContaining([address, `@${domain}`]));
    expect((await asOwner(`/api/suppressions/email/${encodeURIComponent(address)}`, { method: "DELETE" })).status).toBe(204);
    expect((await asOwner(`/api/suppressions/email/${encodeURIComponent(address)}`, { method: "DELETE" })).status).toBe(404);
    expect((await call("/api/suppressions")).status).toBe(401);
  });

  it("a domain added by the owner stops touches to every address on it", async () => {
    const domain = `${unique("wholedomain")}.example`;
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`someone@${domain}`), NEW_INQUIRY);
    await settle(stub);
    await asOwner("/api/suppressions", { method: "POST", body: JSON.stringify({ value: domain, reason: "asked" }) });
    await advance(stub);
    expect(await outboxFor(leadId)).toHaveLength(1);
    expect((await summaryOf(stub)).timeline.at(-1)).toMatchObject({ kind: "touch_skipped", reason: `suppressed (domain @${domain}: asked)` });
  });

  it("imports a CSV, reporting the lines it could not read", async () => {
    const a = `${unique("csv")}@example.com`;
    const b = `${unique("csv")}@example.com`;
    const csv = `email,reason,channel\n${a},"bounced, hard",email\n${b}\nnot-an-address,x\n+1 212 555 0199,STOP,sms\n${a},dup,fax\n`;
    const response = await asOwner("/api/suppressions/import", { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      imported: 3,
      alreadyListed: 0,
      skippedCount: 2,
      skipped: [
        { line: 4, value: "not-an-address", problem: "not an email address or a domain" },
        { line: 6, value: a, problem: 'unknown channel "fax"' },
      ],
    });
    expect((await suppressionRows(a)).results).toEqual([{ channel: "email", value: a, reason: "bounced, hard" }]);
    expect((await asOwner("/api/suppressions/import", { method: "POST", headers: { "content-type": "application/json" }, body: "[]" })).status).toBe(415);
  });
});

describe("consent", () => {
  it("a form can require SMS consent, and the record keeps how, when, the wording and the page", async () => {
    const wording = "Text me about my estimate. Msg & data rates may apply. Reply STOP to opt out.";
    const form = await makeForm({ consent: { sms: { required: true, wording } } });
    const email = `${unique("consent")}@example.com`;
    const refused = await postJson(form.id, { email, phone: "+12125550111" });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toContain("consent_sms");

    const ok = await postJson(form.id, { email, phone: "+12125550111", consent_sms: "yes" }, { referer: "https://site.example/estimate" });
    const { leadId } = (await ok.json()) as { leadId: string };
    expect((await summaryOf(stubFor(leadId))).consent.sms).toEqual({
      granted: true,
      at: expect.any(Number),
      method: "form",
      formId: form.id,
      wording,
      page: "https://site.example/estimate",
    });
  });
});

describe("data rights", () => {
  let phoneSuffix = 40;
  async function richLead() {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const email = `${unique("rights")}@example.com`;
    phoneSuffix += 1;
    const phone = `+121255501${phoneSuffix}`;
    const leadId = await leadIdFor(env.LEAD_ID_SECRET, { email });
    const stub = stubFor(leadId);
    await withClock(stub);
    const posted = await callAndSettle(`/f/${form.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ email, phone, name: "Rita Rights", consent_sms: "yes", fu_vid: "visitor-rights-1" }),
    });
    expect(posted.status).toBe(202);
    await settle(stub);
    const [ack] = await outboxFor(leadId);
    const pixel = /\/o\/([^"]+)"/.exec(ack!.html!)![1]!;
    await callAndSettle(`/o/${pixel}`, { headers: { "user-agent": SAFARI } });
    await stub.recordPageView({
      pageViewId: "pv-rights",
      url: "https://site.example/pricing",
      pageClass: "pricing",
      facts: { userAgent: SAFARI, botAgent: false, network: null, prefetch: false },
    });
    await stub.unsubscribe("email", "one_click");
    return { leadId, stub, email, phone };
  }

  it("export holds every kind of record about the lead", async () => {
    const { leadId, email } = await richLead();
    const chatId = unique("chat");
    await env.DB.prepare("INSERT INTO conversations (id, site_origin, visitor_id, lead_id, started_at, last_at) VALUES (?, 'https://site.example', 'visitor-rights-1', ?, 1, 1)")
      .bind(chatId, leadId)
      .run();
    const response = await asOwner(`/api/leads/${leadId}/export`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toContain(`lead-${leadId}.json`);
    const data = (await response.json()) as {
      object: { state: { profile: { email: string } }; timeline: { kind: string }[] };
      database: {
        lead: { id: string };
        events: unknown[];
        visitors: { id: string }[];
        messages: unknown[];
        suppressions: { value: string }[];
        touches: { channel: string }[];
        conversations: { id: string }[];
      };
    };
    expect(data.object.state.profile.email).toBe(email);
    expect(new Set(data.object.timeline.map((e) => e.kind))).toEqual(
      new Set(["form_submitted", "enrolled", "touch_sent", "email_opened", "timing_changed", "page_viewed", "unsubscribed", "enrolment_ended"]),
    );
    expect(data.database.lead.id).toBe(leadId);
    expect(data.database.events.length).toBe(data.object.timeline.length);
    expect(data.database.visitors.map((v) => v.id)).toEqual(["visitor-rights-1"]);
    expect(data.database.messages.length).toBe(2);
    expect(data.database.suppressions.map((s) => s.value)).toEqual([email]);
    expect(data.database.touches.map((t) => t.channel).sort()).toEqual(["email", "sms"]);
    expect(data.database.conversations.map((c) => c.id)).toEqual([chatId]);
    expect((await asOwner(`/api/leads/${"a".repeat(32)}/export`)).status).toBe(404);
  });

  it("erasure leaves nothing findable by id, email or phone but the opt-out's keyed hash, which still stops mail", async () => {
    const { leadId, email, phone } = await richLead();
    // A chat with them, and a later post of theirs waiting in the unknown-site queue (an approval would bring them back).
    await env.DB.batch([
      env.DB.prepare("INSERT INTO conversations (id, site_origin, visitor_id, lead_id, started_at, last_at) VALUES (?, 'https://site.example', 'visitor-rights-1', ?, 1, 1)").bind(
        unique("chat"),
        leadId,
      ),
      env.DB.prepare("INSERT INTO unknown_site_posts (id, form_id, origin, received_at, submission) VALUES (?, 'f', 'https://elsewhere.example', 1, ?)").bind(
        unique("post"),
        JSON.stringify({ formId: "f", receivedAt: 1, profile: { email: email.toUpperCase() }, consent: {}, utm: {}, custom: {} }),
      ),
      env.DB.prepare("INSERT INTO unknown_site_posts (id, form_id, origin, received_at, submission) VALUES (?, 'f', 'https://elsewhere.example', 1, ?)").bind(
        unique("post"),
        JSON.stringify({ formId: "f", receivedAt: 1, profile: { phone }, consent: {}, utm: {}, custom: {} }),
      ),
    ]);
    expect((await asOwner(`/api/leads/${leadId}`, { method: "DELETE" })).status).toBe(204);

    for (const [sql, value] of [
      ["SELECT id FROM leads WHERE id = ?1 OR email = ?1 OR phone = ?1", leadId],
      ["SELECT id FROM leads WHERE email = ?1", email],
      ["SELECT id FROM leads WHERE phone = ?1", phone],
      ["SELECT id FROM events WHERE lead_id = ?1 OR data LIKE '%' || ?1 || '%'", leadId],
      ["SELECT id FROM events WHERE data LIKE '%' || ?1 || '%'", email],
      ["SELECT id FROM visitors WHERE lead_id = ?1", leadId],
      ["SELECT id FROM touches WHERE lead_id = ?1", leadId],
      ["SELECT lead_id FROM hand_offs WHERE lead_id = ?1", leadId],
      ["SELECT lead_id FROM review_queue WHERE lead_id = ?1", leadId],
      ["SELECT id FROM outbox WHERE lead_id = ?1 OR \"to\" = ?1 OR text LIKE '%' || ?1 || '%'", leadId],
      ['SELECT id FROM outbox WHERE "to" = ?1', email],
      ["SELECT value FROM suppressions WHERE value IN (?1)", email],
      ["SELECT id FROM conversations WHERE lead_id = ?1", leadId],
      ["SELECT id FROM unknown_site_posts WHERE lower(submission) LIKE '%' || lower(?1) || '%'", email],
      ["SELECT id FROM unknown_site_posts WHERE submission LIKE '%' || ?1 || '%'", phone],
    ] as const) {
      expect((await env.DB.prepare(sql).bind(value).all()).results, sql).toEqual([]);
    }
    const hash = await suppressionHash(env.LEAD_ID_SECRET, "email", email);
    expect((await suppressionRows(hash)).results).toEqual([{ channel: "email", value: hash, reason: "unsubscribed (one-click) (lead erased)" }]);
    expect(await stubFor(leadId).summary()).toBeNull();
    expect((await asOwner(`/api/leads/${leadId}`)).status).toBe(404);
    expect((await asOwner(`/api/leads/${leadId}`, { method: "DELETE" })).status).toBe(404);

    // The same person posts again: a new lead, but the hashed opt-out still blocks every email.
    await withClock(stubFor(leadId));
    const again = await postJson((await makeForm({ sequenceId: "new-inquiry" })).id, { email });
    expect(again.status).toBe(202);
    await settle(stubFor(leadId));
    expect(await outboxFor(leadId)).toEqual([]);
    const summary = (await stubFor(leadId).summary()) as LeadSummary;
    expect(summary.timeline.find((e) => e.kind === "touch_skipped" && e.channel === "email")).toMatchObject({
      reason: "suppressed (address: unsubscribed (one-click) (lead erased))",
    });
  });
});

describe("retention and tracking switches", () => {
  it("the daily job deletes raw events, sent and received messages older than the retention period, and keeps newer ones", async () => {
    const now = Date.now();
    const old = now - 400 * 86_400_000;
    const id = unique("retention");
    await env.DB.batch([
      env.DB.prepare("INSERT INTO events (id, lead_id, kind, at, data) VALUES (?, 'l', 'page_viewed', ?, '{}')").bind(`${id}-old`, old),
      env.DB.prepare("INSERT INTO events (id, lead_id, kind, at, data) VALUES (?, 'l', 'page_viewed', ?, '{}')").bind(`${id}-new`, now - 86_400_000),
      env.DB.prepare("INSERT INTO outbox (id, lead_id, channel, \"from\", \"to\", text, headers, message_id, created_at) VALUES (?, 'l', 'sms', 'a', 'b', 't', '{}', 'm', ?)").bind(
        `${id}-old`,
        old,
      ),
      env.DB.prepare("INSERT INTO inbound_messages (id, received_at, to_address, subject, kind, disposition, detail) VALUES (?, ?, 'r', 's', 'human', 'applied', '{}')").bind(
        `${id}-old`,
        old,
      ),
      env.DB.prepare("INSERT INTO inbound_messages (id, received_at, to_address, subject, kind, disposition, detail) VALUES (?, ?, 'r', 's', 'human', 'applied', '{}')").bind(
        `${id}-new`,
        now,
      ),
    ]);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "17 3 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const left = await env.DB.prepare("SELECT id FROM events WHERE id LIKE ? || '%'").bind(id).all();
    expect(left.results).toEqual([{ id: `${id}-new` }]);
    expect((await env.DB.prepare("SELECT id FROM outbox WHERE id = ?").bind(`${id}-old`).all()).results).toEqual([]);
    expect((await env.DB.prepare("SELECT id FROM inbound_messages WHERE id LIKE ? || '%'").bind(id).all()).results).toEqual([{ id: `${id}-new` }]);
  });

  it("the daily job also clears old touches (keeping their counts), hand-offs, visitor links, review drafts, chat rows, unknown-site posts, forgotten login failures and ended sessions", async () => {
    const now = Date.now();
    const old = now - 400 * 86_400_000;
    const id = unique("retained");
    const touch = (suffix: string, at: number) =>
      env.DB.prepare("INSERT INTO touches (id, lead_id, sequence_id, step_id, channel, origin, sent_at) VALUES (?, ?, ?, 's1', 'email', 'template', ?)").bind(
        `${id}-${suffix}`,
        id,
        id,
        at,
      );
    const review = (suffix: string, at: number) =>
      env.DB.prepare(
        "INSERT INTO review_queue (lead_id, enrolment_id, sequence_id, step_id, intent, due_at, held, draft, template, drafted_by, made_at) VALUES (?, 'e1', 's', 's1', 'value', ?, 0, '{}', '{}', 'rules', ?)",
      ).bind(`${id}-${suffix}`, at, at);
    await env.DB.batch([
      touch("old", old),
      touch("new", now),
      env.DB.prepare("INSERT INTO hand_offs (lead_id, at, triggers, summary, next_action) VALUES (?, ?, '[]', '{}', 'call')").bind(`${id}-old`, old),
      env.DB.prepare("INSERT INTO hand_offs (lead_id, at, triggers, summary, next_action) VALUES (?, ?, '[]', '{}', 'call')").bind(`${id}-new`, now),
      env.DB.prepare("INSERT INTO visitors (id, lead_id, linked_at) VALUES (?, 'l', ?)").bind(`${id}-old`, old),
      env.DB.prepare("INSERT INTO visitors (id, lead_id, linked_at) VALUES (?, 'l', ?)").bind(`${id}-new`, now),
      review("old", old),
      review("new", now),
      env.DB.prepare("INSERT INTO conversations (id, site_origin, visitor_id, started_at, last_at) VALUES (?, 'https://site.example', 'v', ?, ?)").bind(`${id}-old`, old, old),
      env.DB.prepare("INSERT INTO conversations (id, site_origin, visitor_id, started_at, last_at) VALUES (?, 'https://site.example', 'v', ?, ?)").bind(`${id}-new`, old, now),
      env.DB.prepare("INSERT INTO unknown_site_posts (id, form_id, origin, received_at, submission) VALUES (?, 'f', 'https://elsewhere.example', ?, '{}')").bind(`${id}-old`, old),
      env.DB.prepare("INSERT INTO unknown_site_posts (id, form_id, origin, received_at, submission) VALUES (?, 'f', 'https://elsewhere.example', ?, '{}')").bind(`${id}-new`, now),
      env.DB.prepare("INSERT INTO login_failures (client, failures, last_at) VALUES (?, 3, ?)").bind(`${id}-old`, now - 2 * 86_400_000),
      env.DB.prepare("INSERT INTO login_failures (client, failures, last_at) VALUES (?, 3, ?)").bind(`${id}-new`, now - 60_000),
      env.DB.prepare("INSERT INTO dashboard_sessions (id, created_at, expires_at) VALUES (?, ?, ?)").bind(`${id}-expired`, now - 86_400_000, now - 1),
      env.DB.prepare("INSERT INTO dashboard_sessions (id, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?)").bind(`${id}-revoked`, now, now + 3_600_000, now),
      env.DB.prepare("INSERT INTO dashboard_sessions (id, created_at, expires_at) VALUES (?, ?, ?)").bind(`${id}-open`, now, now + 3_600_000),
    ]);
    const sentCounts = () => env.DB.prepare("SELECT day, sent FROM touch_daily WHERE sequence_id = ? ORDER BY day").bind(id).all();
    const countsBefore = (await sentCounts()).results;
    expect(countsBefore.map((r) => r.sent)).toEqual([1, 1]);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "17 3 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const ids = (sql: string) =>
      env.DB.prepare(sql)
        .bind(`${id}%`)
        .all()
        .then((r) => r.results.map((row) => Object.values(row)[0]));
    expect(await ids("SELECT id FROM touches WHERE id LIKE ?")).toEqual([`${id}-new`]);
    expect(await ids("SELECT lead_id FROM hand_offs WHERE lead_id LIKE ?")).toEqual([`${id}-new`]);
    expect(await ids("SELECT id FROM visitors WHERE id LIKE ?")).toEqual([`${id}-new`]);
    expect(await ids("SELECT lead_id FROM review_queue WHERE lead_id LIKE ?")).toEqual([`${id}-new`]);
    // A conversation still going is dated by its last message, not its first.
    expect(await ids("SELECT id FROM conversations WHERE id LIKE ?")).toEqual([`${id}-new`]);
    expect(await ids("SELECT id FROM unknown_site_posts WHERE id LIKE ?")).toEqual([`${id}-new`]);
    expect(await ids("SELECT client FROM login_failures WHERE client LIKE ?")).toEqual([`${id}-new`]);
    expect(await ids("SELECT id FROM dashboard_sessions WHERE id LIKE ?")).toEqual([`${id}-open`]);
    // The stats keep what happened: the daily counts are the same as before.
    expect((await sentCounts()).results).toEqual(countsBefore);
  });

  it("each lead prunes its own timeline from its alarm: entries past retention go, the lead's consents and newer entries stay", async () => {
    const { stub } = await freshLead();
    const time = clocks.get(stub.id.toString())!;
    const email = `${unique("aged")}@example.com`;
    await stub.submitForm(submission(email, { consent: { email: true }, consentWording: { email: "Yes, email me." } }));
    await settle(stub);
    // Two days on, a second post drains the object: nothing has passed retention, so no prune runs and none is marked (a row a day it would cost).
    time.at += 2 * 86_400_000;
    await stub.submitForm(submission(email));
    await settle(stub);
    const pruneMark = () => runInDurableObject(stub, (_o, state) => state.storage.sql.exec("SELECT value FROM meta WHERE key = 'timeline_pruned_at'").toArray().length);
    expect(await pruneMark()).toBe(0);
    const before = await summaryOf(stub);
    expect(before.timeline.length).toBeGreaterThan(0);
    expect(before.consent.email).toBeDefined();
    // An idle lead: no event comes, only the alarm the object keeps for its next prune.
    time.at += 400 * 86_400_000;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await pruneMark()).toBe(1);
    const after = await summaryOf(stub);
    expect(after.timeline).toEqual([]);
    expect(after.consent).toEqual(before.consent);
    expect(after.profile.email).toBe(email);
    // What happens now is kept, through the next day's prune too.
    await stub.submitForm(submission(email));
    await settle(stub);
    const fresh = (await summaryOf(stub)).timeline;
    expect(fresh.length).toBeGreaterThan(0);
    time.at += 2 * 86_400_000;
    await settle(stub);
    expect((await summaryOf(stub)).timeline).toEqual(fresh);
  });

  it("with a site's individual tracking off, page views are only counted and never reach a lead", async () => {
    const origin = `https://${unique("private")}.example`;
    expect(
      (await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin, tracking: "aggregate", pageRules: [{ pattern: "/pricing*", class: "pricing" }] }) })).status,
    ).toBe(200);
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`${unique("private")}@example.com`));
    const before = (await summaryOf(stub)).timeline.length;
    const ticket = await clickTicket(keys, leadId);
    const beacon = { v: "visitor-private-1", p: "view-private-1", t: "view", u: `${origin}/pricing`, k: ticket };
    const response = await callAndSettle("/e", { method: "POST", headers: { origin, "content-type": "text/plain", "user-agent": SAFARI }, body: JSON.stringify(beacon) });
    expect(response.status).toBe(204);
    expect((await summaryOf(stub)).timeline.length).toBe(before);
    expect((await env.DB.prepare("SELECT * FROM visitors WHERE id = 'visitor-private-1'").all()).results).toEqual([]);
    const counts = await env.DB.prepare("SELECT page_class, views FROM site_page_counts WHERE origin = ?").bind(origin).all();
    expect(counts.results).toEqual([{ page_class: "pricing", views: 1 }]);
  });
});

describe("SMS STOP and replies by text", () => {
  const hook = `https://engine.example/hooks/sms/twilio`;
  async function inbound(params: Record<string, string>, signature?: string) {
    const body = new URLSearchParams(params);
    return callAndSettle("/hooks/sms/twilio", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature ?? (await twilioSignature("test-twilio-token", hook, params)) },
      body,
    });
  }

  it("signs as Twilio documents it (the twilio-node test vector)", async () => {
    const params = { CallSid: "CA1234567890ABCDE", Caller: "+14158675309", Digits: "1234", From: "+14158675309", To: "+18005551212" };
    expect(await twilioSignature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params)).toBe("RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  });

  async function textingLead(phone: string) {
    // Friday 22:30 in New York: the acknowledgement's SMS waits for 08:00.
    const lead = await freshLead();
    await withClock(lead.stub, Date.UTC(2026, 10, 7, 3, 30));
    await lead.stub.submitForm(
      submission(`${unique("texter")}@example.com`, { profile: { email: `${unique("texter")}@example.com`, phone, timezone: "America/New_York" }, consent: { sms: true } }),
      NEW_INQUIRY,
    );
    await settle(lead.stub);
    return lead;
  }

  it("STOP withdraws SMS consent, drops waiting texts and suppresses the number; email carries on", async () => {
    const phone = "+12125550161";
    const { stub } = await textingLead(phone);
    expect((await summaryOf(stub)).pendingTouches.map((t) => t.channel)).toEqual(["sms"]);
    const response = await inbound({ From: phone, To: "+15005550006", Body: " Stop " });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<Response/>");
    expect((await suppressionRows(phone)).results).toEqual([{ channel: "sms", value: phone, reason: "replied STOP" }]);
    const summary = await summaryOf(stub);
    expect(summary.consent.sms).toMatchObject({ granted: false, method: "sms_stop" });
    expect(summary.pendingTouches).toEqual([]);
    expect(summary.status).toBe("active");
    expect(summary.enrolments[0]!.status).toBe("active");
  });

  it("a forged webhook is refused and changes nothing", async () => {
    const phone = "+12125550162";
    const { stub } = await textingLead(phone);
    expect((await inbound({ From: phone, Body: "STOP" }, "forged=")).status).toBe(403);
    expect((await inbound({ From: phone, Body: "STOP" }, "")).status).toBe(403);
    expect((await suppressionRows(phone)).results).toEqual([]);
    expect((await summaryOf(stub)).consent.sms).toMatchObject({ granted: true });
  });

  it("any other text is a reply from a person: automation pauses", async () => {
    const phone = "+12125550163";
    const { stub } = await textingLead(phone);
    expect((await inbound({ From: phone, Body: "Can you come Tuesday?" })).status).toBe(200);
    const summary = await summaryOf(stub);
    expect(summary.status).toBe("replied");
    expect(summary.timeline.find((e) => e.kind === "reply_received")).toMatchObject({ text: "Can you come Tuesday?", channel: "sms", intent: "question" });
  });

  it("START (or UNSTOP) after a STOP lifts the suppression and records consent again", async () => {
    for (const [phone, word] of [
      ["+12125550164", "START"],
      ["+12125550165", "unstop"],
    ] as const) {
      const { stub } = await textingLead(phone);
      await inbound({ From: phone, Body: "STOP" });
      expect((await inbound({ From: phone, Body: word })).status).toBe(200);
      expect((await suppressionRows(phone)).results).toEqual([]);
      const summary = await summaryOf(stub);
      expect(summary.consent.sms).toMatchObject({ granted: true, method: "sms_start" });
      expect(kinds(summary)).toContain("resubscribed");
      expect(kinds(summary)).not.toContain("reply_received");
    }
  });

  it("HELP is answered with who is texting and how to stop, and is not a reply", async () => {
    const phone = "+12125550166";
    const { stub } = await textingLead(phone);
    const response = await inbound({ From: phone, Body: "help" });
    const text = await response.text();
    expect(text).toContain("<Message>");
    expect(text).toContain("Reply STOP to stop");
    expect(text).toContain(env.SENDER_COMPANY);
    expect((await summaryOf(stub)).status).toBe("active");
  });
});
