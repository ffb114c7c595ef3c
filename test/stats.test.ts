import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { PeriodStats } from "../services/d1/stats";
import { asOwner, callAndSettle, makeForm, postJson, unique } from "./helpers";
import { settle, stubFor } from "./lead-harness";

/** The daily rollups the overview reads agree with the lead and touch rows they summarise, whatever wrote those rows. */

const PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

const one = async <T>(sql: string) => (await env.DB.prepare(sql).first<T>())!;

async function expectRollupsToMatchRows() {
  const rows = await one<Record<string, number>>(
    `SELECT count(*) AS leads, count(sequence_id) AS enrolled, count(contacted_at) AS contacted, count(opened_at) AS opened, count(clicked_at) AS clicked,
       coalesce(sum(opens_human), 0) AS opensHuman, coalesce(sum(opens_machine), 0) AS opensMachine FROM leads`,
  );
  const rollup = await one<Record<string, number>>(
    `SELECT coalesce(sum(leads), 0) AS leads, coalesce(sum(enrolled), 0) AS enrolled, coalesce(sum(contacted), 0) AS contacted, coalesce(sum(opened), 0) AS opened,
       coalesce(sum(clicked), 0) AS clicked, coalesce(sum(opens_human), 0) AS opensHuman, coalesce(sum(opens_machine), 0) AS opensMachine FROM lead_daily`,
  );
  expect(rollup).toEqual(rows);
  const touches = await one<Record<string, number>>(
    "SELECT count(*) AS sent, count(opened_at) AS opened, count(clicked_at) AS clicked, coalesce(sum(origin = 'template'), 0) AS template FROM touches",
  );
  const touchRollup = await one<Record<string, number>>(
    "SELECT coalesce(sum(sent), 0) AS sent, coalesce(sum(opened), 0) AS opened, coalesce(sum(clicked), 0) AS clicked, coalesce(sum(template), 0) AS template FROM touch_daily",
  );
  expect(touchRollup).toEqual(touches);
  return rows;
}

describe("daily rollups", () => {
  it("follow every lead and touch row: new leads, an open, a retried projection, an erasure", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await postJson(form.id, { email: `${unique("roll")}@example.com`, name: `Roll ${i}` });
      const { leadId } = (await response.json()) as { leadId: string };
      await settle(stubFor(leadId));
      ids.push(leadId);
    }
    // Someone opens the first lead's acknowledgement.
    const { messages } = (await (await asOwner(`/api/outbox?leadId=${ids[0]}`)).json()) as { messages: { channel: string; html: string | null }[] };
    const html = messages.find((m) => m.channel === "email")!.html!;
    const pixel = /\/o\/[A-Za-z0-9._-]+/.exec(html)![0];
    await callAndSettle(pixel, { headers: { "user-agent": PERSON } });
    await settle(stubFor(ids[0]!));

    let rows = await expectRollupsToMatchRows();
    expect(rows).toMatchObject({ leads: 3, enrolled: 3, contacted: 3 });

    // The same projection written twice (a retry after a lost answer) counts once.
    await stubFor(ids[1]!).requestHandOff("retry check");
    await runProjectionTwice(ids[1]!);
    await expectRollupsToMatchRows();

    expect((await asOwner(`/api/leads/${ids[2]}`, { method: "DELETE" })).status).toBe(204);
    rows = await expectRollupsToMatchRows();
    expect(rows.leads).toBe(2);

    const stats = (await (await asOwner("/api/stats?days=365")).json()) as PeriodStats;
    expect(stats.funnel).toMatchObject({ leads: 2, enrolled: 2, contacted: 2 });
  });

  it("refuses a period that cannot be read", async () => {
    expect((await asOwner("/api/stats?from=10&to=5")).status).toBe(422);
    expect((await asOwner(`/api/stats?from=0&to=${400 * 86_400_000}`)).status).toBe(422);
    expect((await asOwner("/api/stats?days=0")).status).toBe(422);
    expect((await asOwner("/api/stats?days=abc")).status).toBe(422);
  });
});

/** Re-projects the lead's current state and every timeline entry, as a retry after an unanswered batch would. */
async function runProjectionTwice(leadId: string) {
  const { projectLead } = await import("../durable-objects/lead-projection");
  const held = (await stubFor(leadId).exportData())!;
  for (let i = 0; i < 2; i++) await projectLead(env.DB, held.state!, held.timeline);
}
