import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { sentToLead, touchOfMessage, touchOfProviderId } from "../workers/inbound/lead-resolution";
import type { LeadId } from "../schemas/lead";
import { unique } from "./helpers";

/**
 * Migration 0021 moves what is read across leads off the raw events: a database that has
 * only the events (as every one had before it) gets the touch columns, the lead's first
 * form post and the site's first post filled in from them.
 */

const backfill = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0021_"))!.queries.filter((q) => /^\s*(--[^\n]*\n\s*)*UPDATE/.test(q));

async function legacyLead(origin: string) {
  const leadId = unique("lead").replace(/[^a-z0-9]/gi, "");
  const event = (seq: number, kind: string, at: number, data: unknown) =>
    env.DB.prepare("INSERT INTO events (id, lead_id, kind, at, data) VALUES (?, ?, ?, ?, ?)").bind(`${leadId}:${seq}`, leadId, kind, at, JSON.stringify(data));
  await env.DB.batch([
    env.DB.prepare("INSERT INTO leads (id, email, source, status, created_at, last_activity_at, version) VALUES (?, 'old@example.com', 'test', 'active', 1000, 1000, 3)").bind(
      leadId,
    ),
    env.DB.prepare("INSERT INTO sites (origin, page_rules, created_at, updated_at) VALUES (?, '[]', 1, 1)").bind(origin),
    env.DB.prepare("INSERT INTO touches (id, lead_id, sequence_id, step_id, channel, origin, sent_at) VALUES (?, ?, 'new-inquiry', 'acknowledge', 'email', 'template', 3000)").bind(
      `${leadId}:t1`,
      leadId,
    ),
    env.DB.prepare("INSERT INTO touches (id, lead_id, sequence_id, step_id, channel, origin, sent_at) VALUES (?, ?, 'new-inquiry', 'value', 'email', 'template', 5000)").bind(
      `${leadId}:t2`,
      leadId,
    ),
    event(1, "form_submitted", 900, { submission: { formId: "f", imported: true, profile: {} } }),
    event(2, "form_submitted", 1000, { submission: { formId: "f", page: `${origin}/contact`, profile: {} } }),
    event(3, "touch_sent", 3000, { key: "t1", to: "old@example.com", messageId: `<t1.${leadId}@mail.example>`, providerId: `re_${leadId}` }),
    event(4, "touch_sent", 5000, { key: "t2", to: "old@example.com", messageId: `<t2.${leadId}@mail.example>` }),
  ]);
  return leadId as LeadId;
}

describe("migration 0021 on a database with only raw events", () => {
  it("fills the touches' Message-IDs, provider ids and addresses, the lead's first form post and the site's, so resolution reads touches", async () => {
    expect(backfill).toHaveLength(3);
    const origin = `https://${unique("site")}.example`;
    const leadId = await legacyLead(origin);
    for (const query of backfill) await env.DB.prepare(query).run();

    const touches = await env.DB.prepare("SELECT id, message_id, provider_id, sent_to FROM touches WHERE lead_id = ? ORDER BY id").bind(leadId).all();
    expect(touches.results).toEqual([
      { id: `${leadId}:t1`, message_id: `<t1.${leadId}@mail.example>`, provider_id: `re_${leadId}`, sent_to: "old@example.com" },
      { id: `${leadId}:t2`, message_id: `<t2.${leadId}@mail.example>`, provider_id: null, sent_to: "old@example.com" },
    ]);
    // The imported row is no post: the first real one is.
    expect(await env.DB.prepare("SELECT form_posted_at FROM leads WHERE id = ?").bind(leadId).first("form_posted_at")).toBe(1000);
    expect(await env.DB.prepare("SELECT form_posted_at FROM sites WHERE origin = ?").bind(origin).first("form_posted_at")).toBe(1000);

    // With or without angle brackets, as replies and providers quote them.
    expect(await touchOfMessage(env.DB, `t1.${leadId}@mail.example`)).toEqual({ leadId, key: "t1", to: "old@example.com", messageId: `<t1.${leadId}@mail.example>` });
    expect(await touchOfProviderId(env.DB, `re_${leadId}`)).toMatchObject({ leadId, key: "t1" });
    expect(await sentToLead(env.DB, leadId, [`t2.${leadId}@mail.example`, "<someone-else@example.com>"])).toEqual([{ messageId: `<t2.${leadId}@mail.example>`, key: "t2" }]);
  });

  it("a touch sent again (a retry after a lost answer) keeps its latest send", async () => {
    const leadId = unique("resent").replace(/[^a-z0-9]/gi, "");
    const sent = (seq: number, at: number, messageId: string) =>
      env.DB.prepare("INSERT INTO events (id, lead_id, kind, at, data) VALUES (?, ?, 'touch_sent', ?, ?)").bind(
        `${leadId}:${seq}`,
        leadId,
        at,
        JSON.stringify({ key: "t1", to: "r@example.com", messageId }),
      );
    await env.DB.batch([
      env.DB.prepare(
        "INSERT INTO touches (id, lead_id, sequence_id, step_id, channel, origin, sent_at) VALUES (?, ?, 'new-inquiry', 'acknowledge', 'email', 'template', 3000)",
      ).bind(`${leadId}:t1`, leadId),
      sent(1, 3000, `<first.${leadId}@mail.example>`),
      sent(2, 9000, `<latest.${leadId}@mail.example>`),
      sent(3, 6000, `<middle.${leadId}@mail.example>`),
    ]);
    for (const query of backfill) await env.DB.prepare(query).run();
    expect(await env.DB.prepare("SELECT message_id FROM touches WHERE id = ?").bind(`${leadId}:t1`).first("message_id")).toBe(`<latest.${leadId}@mail.example>`);
  });

  it("leaves a site no post came from, and a lead that was only imported, unmarked", async () => {
    const origin = `https://${unique("quiet")}.example`;
    const leadId = unique("imported").replace(/[^a-z0-9]/gi, "");
    await env.DB.batch([
      env.DB.prepare("INSERT INTO leads (id, source, status, created_at, last_activity_at, version) VALUES (?, 'import', 'active', 1, 1, 1)").bind(leadId),
      env.DB.prepare("INSERT INTO sites (origin, page_rules, created_at, updated_at) VALUES (?, '[]', 1, 1)").bind(origin),
      env.DB.prepare("INSERT INTO events (id, lead_id, kind, at, data) VALUES (?, ?, 'form_submitted', 1, ?)").bind(
        `${leadId}:1`,
        leadId,
        JSON.stringify({ submission: { imported: true, page: `${origin}/` } }),
      ),
    ]);
    for (const query of backfill) await env.DB.prepare(query).run();
    expect(await env.DB.prepare("SELECT form_posted_at FROM leads WHERE id = ?").bind(leadId).first("form_posted_at")).toBeNull();
    expect(await env.DB.prepare("SELECT form_posted_at FROM sites WHERE origin = ?").bind(origin).first("form_posted_at")).toBeNull();
  });
});
