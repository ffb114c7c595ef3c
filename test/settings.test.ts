import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import { modelFor, type ModelSettings, SETTING_KEYS } from "../schemas/settings";
import worker from "../workers/index";
import { asOwner, call, callAndSettle, OWNER_TOKEN, unique } from "./helpers";
import { advance, freshLead, outboxFor, settle, submission, withEnv } from "./lead-harness";

/** Settings stored in D1: the API and the dashboard's form, their rules, the audit list, and the next touch using what was saved. */

const BASE = "http://localhost:8787";
const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };

type Described = { changed?: string[]; settings: Record<string, { value: unknown; source: "saved" | "default"; var: string }>; refused: string[] };
type Change = { at: number; actor: string; key: string; oldValue: unknown; newValue: unknown };

const patch = (body: unknown) => asOwner("/api/settings", { method: "PATCH", body: JSON.stringify(body) });
const audit = async () => ((await (await asOwner("/api/settings/audit")).json()) as { changes: Change[] }).changes;

const page = (path: string, init: RequestInit = {}) =>
  exports.default.fetch(new Request(`${BASE}${path}`, { redirect: "manual", ...init, headers: { accept: "text/html", ...(init.headers as Record<string, string>) } }));

async function login(): Promise<{ cookie: string; csrf: string }> {
  const response = await page("/dashboard/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": unique("ip") },
    body: `token=${OWNER_TOKEN}`,
  });
  const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
  const html = await (await page("/dashboard/settings", { headers: { cookie } })).text();
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(html)![1]! };
}

const postSettings = (cookie: string, fields: Record<string, string>) =>
  page("/dashboard/settings", { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });

describe("GET and PATCH /api/settings", () => {
  it("shows every setting in effect with where it comes from: the wrangler var until one is saved", async () => {
    const response = await asOwner("/api/settings");
    expect(response.status).toBe(200);
    const { settings } = (await response.json()) as Described;
    expect(settings.businessTimezone).toEqual({ value: "America/New_York", source: "default", var: "DEFAULT_TIMEZONE" });
    expect(settings.senderDailyCap).toEqual({ value: 200, source: "default", var: "SENDER_DAILY_CAP" });
    expect(settings.handOffPausesAutomation).toEqual({ value: true, source: "default", var: "HANDOFF_PAUSES_AUTOMATION" });
    expect(settings.competitors).toEqual({ value: [], source: "default", var: "COMPETITORS" });
    expect(settings.aiFastModel).toEqual({ value: "@cf/meta/llama-3.1-8b-instruct-fp8-fast", source: "default", var: "AI_FAST_MODEL" });
    expect((await call("/api/settings")).status).toBe(401);
    expect((await call("/api/settings", { method: "PATCH", body: "{}", headers: { "content-type": "application/json" } })).status).toBe(401);
  });

  it("a partial change saves only what it names, says so, and puts each change on the audit list with who and from what", async () => {
    const before = await audit();
    const response = await patch({ competitors: ["Roofs R Us", " Shingle Co "], notNowHoldDays: 14 });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Described;
    expect(body.changed).toEqual(["competitors", "notNowHoldDays"]);
    expect(body.settings.competitors).toMatchObject({ value: ["Roofs R Us", "Shingle Co"], source: "saved" });
    expect(body.settings.notNowHoldDays).toMatchObject({ value: 14, source: "saved" });
    expect(body.settings.outOfOfficeDays).toMatchObject({ value: 7, source: "default" });
    const changes = (await audit()).slice(0, 2);
    expect(await audit()).toHaveLength(before.length + 2);
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actor: "API (owner token)", key: "notNowHoldDays", oldValue: 30, newValue: 14 }),
        expect.objectContaining({ actor: "API (owner token)", key: "competitors", oldValue: [], newValue: ["Roofs R Us", "Shingle Co"] }),
      ]),
    );
    // The same value again changes nothing and adds no audit row.
    expect(((await (await patch({ notNowHoldDays: 14 })).json()) as Described).changed).toEqual([]);
    expect(await audit()).toHaveLength(before.length + 2);
  });

  it("refuses a bad value with 422 and each field's reason, and saves nothing of that change", async () => {
    const before = await audit();
    const response = await patch({
      warmupDailyLimit: 80,
      businessTimezone: "Mars/Olympus_Mons",
      senderEmail: "not-an-address",
      handOffWebhookUrl: "http://hooks.example/lead",
      aiModel: "@cf/meta/llama-3.1-8b-instruct",
    });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as { error: { code: string; issues: { field: string; message: string }[] } };
    expect(error.code).toBe("invalid_json");
    const reasons = Object.fromEntries(error.issues.map((i) => [i.field, i.message]));
    expect(reasons).toEqual({
      warmupDailyLimit: "a warming address sends fewer than 50 a day (set WARMUP_DAYS=0 for one that is already warm)",
      businessTimezone: "must be an IANA timezone like America/New_York",
      senderEmail: expect.stringContaining("email address"),
      handOffWebhookUrl: "must be an https:// address",
    });
    expect((await patch({ sendingWindow: "09:00" })).status).toBe(422);
    expect((await patch({ senderDailyCap: "lots" })).status).toBe(422);
    expect(await audit()).toHaveLength(before.length);
    expect(((await (await asOwner("/api/settings")).json()) as Described).settings.warmupDailyLimit).toMatchObject({ value: 49, source: "default" });
  });

  it("the doctor counts a sender identity saved here, on a deployment whose vars have none", async () => {
    const noSender = { ...env, SENDER_NAME: "", SENDER_COMPANY: "", SENDER_POSTAL_ADDRESS: "" };
    const doctor = async () => {
      const ctx = createExecutionContext();
      const response = await worker.fetch(new Request(`${BASE}/api/doctor`, { headers: { authorization: `Bearer ${OWNER_TOKEN}` } }), noSender, ctx);
      await waitOnExecutionContext(ctx);
      return ((await response.json()) as { checks: { id: string; status: string; fix?: string }[] }).checks.find((c) => c.id === "sender")!;
    };
    expect(await doctor()).toMatchObject({ status: "missing", fix: expect.stringContaining("sender name, company, postal address under Settings") });
    const saved = { senderName: "Lee Chan", senderCompany: "Chan Gutters", senderPostalAddress: "9 Side Road, Springfield, IL 62702, USA" };
    expect((await patch(saved)).status).toBe(200);
    expect(await doctor()).toMatchObject({ status: "ok" });
    // Put the shared defaults back for the tests that follow in this file.
    expect((await patch({ senderName: env.SENDER_NAME, senderCompany: env.SENDER_COMPANY, senderPostalAddress: env.SENDER_POSTAL_ADDRESS })).status).toBe(200);
  });
});

describe("the dashboard's Settings page", () => {
  it("a post without the session's CSRF token is refused and changes nothing", async () => {
    const { cookie } = await login();
    const before = await audit();
    expect((await postSettings(cookie, { softBounceLimit: "5" })).status).toBe(403);
    expect((await postSettings(cookie, { _csrf: "forged", softBounceLimit: "5" })).status).toBe(403);
    expect(await audit()).toHaveLength(before.length);
  });

  it("labels every input, and shows a refused value next to its field with the reason, keeping what was typed", async () => {
    const { cookie, csrf } = await login();
    const html = await (await page("/dashboard/settings", { headers: { cookie } })).text();
    const ids = [...html.matchAll(/<(?:input|select|textarea)[^>]* id="(setting-[A-Za-z]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBe(SETTING_KEYS.length);
    for (const id of ids) expect(html).toContain(`<label for="${id}">`);
    expect(html).toContain('data-check="email-transport" data-status="missing"');

    const before = await audit();
    const response = await postSettings(cookie, { _csrf: csrf, warmupDailyLimit: "80", businessTimezone: "Mars/Olympus_Mons", senderName: "Kept Name" });
    expect(response.status).toBe(422);
    const refused = await response.text();
    const field = (name: string) => new RegExp(`<div class="field[^"]*" data-setting="${name}">[\\s\\S]*?</div>`).exec(refused)![0];
    expect(field("warmupDailyLimit")).toContain("a warming address sends fewer than 50 a day");
    expect(field("warmupDailyLimit")).toContain('value="80"');
    expect(field("warmupDailyLimit")).toContain('aria-invalid="true"');
    expect(field("businessTimezone")).toContain("must be an IANA timezone like America/New_York");
    expect(field("senderName")).not.toContain("field-error");
    expect(await audit()).toHaveLength(before.length);
  });

  it("a saved form changes what it changed, on the audit list as this session's, and shown as saved", async () => {
    const { cookie, csrf } = await login();
    const before = await audit();
    const response = await postSettings(cookie, { _csrf: csrf, outOfOfficeDays: "10", handOffPausesAutomation: "off", smsCountries: "us, ca" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/dashboard/settings?done=saved");
    const changes = await audit();
    expect(changes).toHaveLength(before.length + 3);
    expect(changes.slice(0, 3)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: "outOfOfficeDays", oldValue: 7, newValue: 10, actor: expect.stringMatching(/^dashboard session /) }),
        expect.objectContaining({ key: "handOffPausesAutomation", oldValue: true, newValue: false }),
        expect.objectContaining({ key: "smsCountries", oldValue: [], newValue: ["US", "CA"] }),
      ]),
    );
    const html = await (await page("/dashboard/settings?done=saved", { headers: { cookie } })).text();
    expect(html).toContain("Settings saved");
    expect(html).toMatch(/data-setting="outOfOfficeDays">[\s\S]*?value="10"[\s\S]*?>saved</);
    expect(html).toMatch(/<tr data-audit="outOfOfficeDays"><td>[^<]+<\/td><td>dashboard session [^<]+<\/td><td>Out-of-office wait \(days\)<\/td><td>7<\/td><td>10<\/td><\/tr>/);
  });
});

describe("the dashboard's AI models", () => {
  it("shows the drafting model and the quick model, each labelled, refuses a bad name with its reason, and audits a change", async () => {
    const { cookie, csrf } = await login();
    const html = await (await page("/dashboard/settings", { headers: { cookie } })).text();
    expect(html).toContain('<label for="setting-aiModel">AI model for drafts</label>');
    expect(html).toContain('<label for="setting-aiFastModel">AI model for quick judgements</label>');
    expect(html).toMatch(/data-setting="aiFastModel">[\s\S]*?value="@cf\/meta\/llama-3\.1-8b-instruct-fp8-fast"/);

    const before = await audit();
    const refused = await postSettings(cookie, { _csrf: csrf, aiFastModel: "an 8B please" });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("a Workers AI model name like @cf/meta/llama-3.3-70b-instruct-fp8-fast");
    expect(await audit()).toHaveLength(before.length);

    expect((await postSettings(cookie, { _csrf: csrf, aiFastModel: "@cf/meta/llama-3.2-3b-instruct" })).status).toBe(303);
    expect((await audit())[0]).toMatchObject({ key: "aiFastModel", oldValue: "@cf/meta/llama-3.1-8b-instruct-fp8-fast", newValue: "@cf/meta/llama-3.2-3b-instruct" });
    const saved = await (await page("/dashboard/settings", { headers: { cookie } })).text();
    expect(saved).toMatch(/<tr data-audit="aiFastModel"><td>[^<]+<\/td><td>dashboard session [^<]+<\/td><td>AI model for quick judgements<\/td>/);
  });
});

describe("a quick task's own model", () => {
  it("is empty at first (the quick model answers), and a model saved for chat answers is the chat's alone", async () => {
    const { cookie, csrf } = await login();
    const html = await (await page("/dashboard/settings", { headers: { cookie } })).text();
    for (const [key, label] of [
      ["aiJudgementModel", "AI model for reply judgements"],
      ["aiSummaryModel", "AI model for hand-off briefs"],
      ["aiChatModel", "AI model for chat answers"],
    ])
      expect(html).toContain(`<label for="setting-${key}">${label}</label>`);
    expect(html).toMatch(/data-setting="aiChatModel">[\s\S]*?value=""/);

    expect((await postSettings(cookie, { _csrf: csrf, aiChatModel: "@cf/qwen/qwen3-30b-a3b-fp8" })).status).toBe(303);
    const { settings } = (await (await asOwner("/api/settings")).json()) as { settings: Record<string, { value: unknown; source: string; var: string }> };
    expect(settings.aiChatModel).toEqual({ value: "@cf/qwen/qwen3-30b-a3b-fp8", source: "saved", var: "AI_CHAT_MODEL" });
    expect(settings.aiJudgementModel).toEqual({ value: "", source: "default", var: "AI_JUDGEMENT_MODEL" });
    const effective = Object.fromEntries(Object.entries(settings).map(([key, s]) => [key, s.value])) as unknown as ModelSettings;
    expect(modelFor(effective, "chat")).toBe("@cf/qwen/qwen3-30b-a3b-fp8");
    expect(modelFor(effective, "judgement")).toBe(effective.aiFastModel);
  });

  it("reads a blank optional setting (spaces) as not set, as the dashboard's form does", async () => {
    const response = await patch({ aiSummaryModel: "   ", handOffWebhookUrl: " \t" });
    expect(response.status).toBe(200);
    const { settings } = (await (await asOwner("/api/settings")).json()) as { settings: Record<string, { value: unknown }> };
    expect([settings.aiSummaryModel!.value, settings.handOffWebhookUrl!.value]).toEqual(["", ""]);
    expect((await patch({ aiSummaryModel: " no spaces inside " })).status).toBe(422);
  });
});

describe("a setting changed is used by the next touch", () => {
  it("a new sender name and site URL saved between two touches are in the next one, and its tracked link goes to the new page", async () => {
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`${unique("next")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    const [ack] = await outboxFor(leadId);
    expect(ack!.from).toMatch(/^Sam Rivera </);

    const site = `https://roofing.example/${unique("guide")}`;
    expect((await patch({ senderName: "Jo Park", siteUrl: site })).status).toBe(200);
    await advance(stub);
    const messages = await outboxFor(leadId);
    expect(messages).toHaveLength(2);
    const next = messages[1]!;
    expect(next.from).toMatch(/^Jo Park </);
    expect(next.text).toContain("\nJo Park\n");
    expect(next.text).not.toContain("Sam Rivera");
    const tracked = /http:\/\/localhost:8787(\/c\/[A-Za-z0-9._-]+)/.exec(next.text)![1]!;
    const click = await callAndSettle(tracked);
    expect(click.headers.get("location")).toBe(site);
    // Put the shared default back for the tests that follow in this file.
    expect((await patch({ senderName: "Sam Rivera" })).status).toBe(200);
  });
});

describe("settings that cannot be read", () => {
  it("a form post is kept and answered with the vars' settings when D1 cannot give the settings", async () => {
    const { leadId, stub } = await freshLead();
    const noSettings = new Proxy(env.DB, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (prop !== "prepare") return typeof value === "function" ? value.bind(target) : value;
        return (query: string) => {
          if (/\bsettings(_audit)?\b/.test(query)) throw new Error("D1_ERROR: settings unavailable");
          return target.prepare(query);
        };
      },
    });
    await withEnv(stub, { DB: noSettings });
    await stub.submitForm(submission(`${unique("unreadable")}@example.com`), NEW_INQUIRY);
    await settle(stub);
    const [ack] = await outboxFor(leadId);
    expect(ack?.from).toMatch(/^Sam Rivera </);
  });
});
