import { env, exports } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it, vi } from "vitest";
import type { ChatSettings } from "../schemas/chat";
import { conversations } from "../schemas/d1";
import type { Site } from "../schemas/tracking";
import { BASE, get, login, post } from "./dashboard-session";
import { asOwner, makeLead, unique } from "./helpers";
import { settle, stubFor } from "./lead-harness";

/** The owner's side of site chat: per-site settings, the live conversations page, the rep's socket, and chat in the stats. */

const registerSite = async (pageRules?: { pattern: string; class: string }[]) => {
  const origin = `https://${unique("chat-site")}.example`;
  const response = await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin, ...(pageRules ? { pageRules } : {}) }) });
  expect(response.status).toBe(200);
  return origin;
};

const siteOf = async (origin: string) => ((await (await asOwner("/api/sites")).json()) as { sites: Site[] }).sites.find((s) => s.origin === origin)!;

/** Every field of the chat settings form, as a person fills it in. */
const chatForm = (origin: string, csrf: string, overrides: Record<string, string> = {}) => {
  const body = new URLSearchParams({
    _csrf: csrf,
    origin,
    enabled: "on",
    greeting: "Hello! Ask us about plans.",
    "openOn.returningLead": "on",
    "openOn.pricingViews": "2",
    "openOn.secondsOnPage.pageClass": "pricing",
    "openOn.secondsOnPage.seconds": "30",
    "hours.start": "09:00",
    "hours.end": "17:30",
    handOffEmail: "sales@owner.example",
    consentText: "Email me about my question. I can unsubscribe at any time.",
    sequenceId: "",
    ...overrides,
  });
  for (const day of ["1", "2", "3"]) body.append("hours.days", day);
  return body;
};

const postChat = (body: URLSearchParams, cookie: string) =>
  exports.default.fetch(
    new Request(`${BASE}/dashboard/sites/chat`, {
      method: "POST",
      redirect: "manual",
      headers: { accept: "text/html", "content-type": "application/x-www-form-urlencoded", cookie },
      body,
    }),
  );

/** A conversation row as the object that holds the conversation writes it. */
async function conversationRow(row: Partial<typeof conversations.$inferInsert> & { siteOrigin: string; startedAt: number }) {
  const values = { id: unique("conv"), visitorId: unique("visitor"), lastAt: row.startedAt, messages: 1, lastText: "", ...row };
  await drizzle(env.DB).insert(conversations).values(values);
  return values;
}

describe("chat settings per site", () => {
  it("the owner turns chat on for a site and every setting is saved as the API would take it", async () => {
    const { cookie, csrf } = await login();
    const origin = await registerSite();
    const page = await get(`/dashboard/sites/chat?origin=${encodeURIComponent(origin)}`, cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    // Every input is labelled; the page classes come from the site's page rules.
    expect(html).toContain('<label class="check"><input type="checkbox" id="f-enabled" name="enabled" value="on"');
    expect(html).toContain('<option value="pricing">pricing</option>');
    expect(html).toMatch(/Hours a person answers \([^)]+, the business&#39;s time zone\)/);

    const saved = await postChat(chatForm(origin, csrf), cookie);
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(`/dashboard/sites/chat?origin=${encodeURIComponent(origin)}&done=saved`);
    const chat = (await siteOf(origin)).chat!;
    expect(chat).toEqual({
      enabled: true,
      greeting: "Hello! Ask us about plans.",
      openOn: { returningLead: true, pricingViews: 2, secondsOnPage: { pageClass: "pricing", seconds: 30 } },
      hours: { days: [1, 2, 3], start: "09:00", end: "17:30" },
      handOffEmail: "sales@owner.example",
      consentText: "Email me about my question. I can unsubscribe at any time.",
      sequenceId: null,
    } satisfies ChatSettings);
    // The form shows what was saved, and the sites list says chat is on.
    const again = await (await get(`/dashboard/sites/chat?origin=${encodeURIComponent(origin)}&done=saved`, cookie)).text();
    expect(again).toContain("Chat settings saved.");
    expect(again).toMatch(/id="f-hours\.days-2" name="hours\.days" value="2" checked/);
    const list = await (await get("/dashboard/sites", cookie)).text();
    expect(list).toContain(`<a href="/dashboard/sites/chat?origin=${encodeURIComponent(origin)}">on</a>`);
  });

  it("blank opening rules, hours and hand-off email are none: the deployment's destination, no hours", async () => {
    const { cookie, csrf } = await login();
    const origin = await registerSite();
    const body = chatForm(origin, csrf, {
      "openOn.returningLead": "",
      "openOn.pricingViews": "",
      "openOn.secondsOnPage.pageClass": "",
      "openOn.secondsOnPage.seconds": "",
      "hours.start": "",
      "hours.end": "",
      handOffEmail: "",
      sequenceId: "new-inquiry",
    });
    body.delete("hours.days");
    body.delete("openOn.returningLead");
    expect((await postChat(body, cookie)).status).toBe(303);
    const chat = (await siteOf(origin)).chat!;
    expect(chat.openOn).toEqual({ returningLead: false, pricingViews: null, secondsOnPage: null });
    expect(chat.hours).toBeNull();
    expect(chat.handOffEmail).toBeNull();
    expect(chat.sequenceId).toBe("new-inquiry");
  });

  it("saving the page rules keeps the chat settings, and saving chat keeps the page rules", async () => {
    const { cookie, csrf } = await login();
    const origin = await registerSite([{ pattern: "/tarifs*", class: "pricing" }]);
    expect((await postChat(chatForm(origin, csrf), cookie)).status).toBe(303);
    const chatBefore = (await siteOf(origin)).chat;
    expect((await siteOf(origin)).pageRules).toEqual([{ pattern: "/tarifs*", class: "pricing" }]);

    const rules = await post(
      "/dashboard/sites/edit",
      { _csrf: csrf, origin, pattern_0: "/tarifs*", class_0: "pricing", pattern_1: "/demo*", class_1: "demo", tracking: "individual" },
      { cookie },
    );
    expect(rules.status).toBe(303);
    const afterRules = await siteOf(origin);
    expect(afterRules.pageRules).toHaveLength(2);
    expect(afterRules.chat).toEqual(chatBefore);

    expect((await postChat(chatForm(origin, csrf, { greeting: "Hi again", "openOn.secondsOnPage.pageClass": "demo" }), cookie)).status).toBe(303);
    const afterChat = await siteOf(origin);
    expect(afterChat.pageRules).toEqual(afterRules.pageRules);
    expect(afterChat.chat?.greeting).toBe("Hi again");
    expect(afterChat.chat?.openOn.secondsOnPage).toEqual({ pageClass: "demo", seconds: 30 });
  });

  it("bad values come back beside their fields, as typed, and nothing is saved", async () => {
    const { cookie, csrf } = await login();
    const origin = await registerSite();
    const refused = await postChat(
      chatForm(origin, csrf, {
        "openOn.pricingViews": "50",
        "openOn.secondsOnPage.pageClass": "careers",
        "hours.start": "18:00",
        "hours.end": "09:00",
        handOffEmail: "not an address",
        greeting: "",
        sequenceId: "no-such-sequence",
      }),
      cookie,
    );
    expect(refused.status).toBe(422);
    const html = await refused.text();
    for (const field of ["openOn.pricingViews", "openOn.secondsOnPage.pageClass", "hours.end", "handOffEmail", "greeting", "sequenceId"]) {
      expect(html, field).toContain(`data-error-for="${field}"`);
    }
    expect(html).toContain('aria-describedby="f-handOffEmail-error"');
    expect(html).toContain("the hours must start before they end");
    expect(html).toContain("This site has no &quot;careers&quot; pages");
    expect(html).toContain('value="not an address"');
    expect((await siteOf(origin)).chat).toBeUndefined();
  });

  it("a half-filled rule or hours are refused with what is missing", async () => {
    const { cookie, csrf } = await login();
    const origin = await registerSite();
    const body = chatForm(origin, csrf, { "openOn.secondsOnPage.seconds": "" });
    body.delete("hours.days");
    const refused = await postChat(body, cookie);
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain('data-error-for="openOn.secondsOnPage.seconds"');
    expect(html).toContain("Tick the days someone answers");
  });

  it("a save without the CSRF token, or without a session, is refused", async () => {
    const { cookie, csrf } = await login();
    const origin = await registerSite();
    const body = chatForm(origin, csrf);
    body.delete("_csrf");
    expect((await postChat(body, cookie)).status).toBe(403);
    body.set("_csrf", "forged");
    expect((await postChat(body, cookie)).status).toBe(403);
    expect((await postChat(chatForm(origin, csrf), "fu_session=forged")).status).toBe(401);
    expect((await siteOf(origin)).chat).toBeUndefined();
  });

  it("an unknown site has no chat settings page", async () => {
    const { cookie, csrf } = await login();
    expect((await get("/dashboard/sites/chat?origin=https%3A%2F%2Fnowhere.example", cookie)).status).toBe(404);
    expect((await postChat(chatForm("https://nowhere.example", csrf), cookie)).status).toBe(404);
  });

  it("PUT /api/sites takes chat settings, and a put without them keeps the saved ones", async () => {
    const origin = await registerSite();
    const put = await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin, chat: { enabled: true, greeting: "Hey" } }) });
    expect(put.status).toBe(200);
    expect((await siteOf(origin)).chat).toMatchObject({ enabled: true, greeting: "Hey", hours: null });
    await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin, tracking: "aggregate" }) });
    expect((await siteOf(origin)).chat).toMatchObject({ enabled: true, greeting: "Hey" });
    const bad = await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin, chat: { hours: { days: [8], start: "9", end: "17:00" } } }) });
    expect(bad.status).toBe(422);
  });
});

describe("the live conversations page", () => {
  it("lists conversations newest first with their site, lead or visitor, count, last words and what happened", async () => {
    const { cookie } = await login();
    const origin = await registerSite();
    const leadId = await makeLead({ name: "Ada Chatter" });
    await settle(stubFor(leadId));
    const now = Date.now();
    const anonymous = await conversationRow({ siteOrigin: origin, startedAt: now - 60_000, lastAt: now - 30_000, messages: 2, lastText: "Do you ship to Norway?" });
    const known = await conversationRow({
      siteOrigin: origin,
      startedAt: now - 7_200_000,
      lastAt: now - 1_000,
      leadId,
      messages: 6,
      captured: true,
      handedOff: true,
      lastText: "<b>Can I talk to someone?</b>",
    });
    const response = await get("/dashboard/conversations", cookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<a href="/dashboard/conversations" aria-current="page">Conversations</a>');
    const knownAt = html.indexOf(`data-conversation="${known.id}"`);
    const anonymousAt = html.indexOf(`data-conversation="${anonymous.id}"`);
    expect(knownAt).toBeGreaterThan(-1);
    expect(anonymousAt).toBeGreaterThan(knownAt);
    const knownRow = html.slice(knownAt, html.indexOf("</tr>", knownAt));
    expect(knownRow).toContain(`<a href="/dashboard/leads/${leadId}">Ada Chatter</a>`);
    expect(knownRow).toContain("&lt;b&gt;Can I talk to someone?&lt;/b&gt;");
    expect(knownRow).toContain('<span class="pill">captured</span>');
    expect(knownRow).toContain('<span class="pill">handed off</span>');
    expect(knownRow).not.toContain("booked");
    expect(knownRow).toContain("just now");
    expect(knownRow).toContain(origin);
    const anonymousRow = html.slice(anonymousAt, html.indexOf("</tr>", anonymousAt));
    expect(anonymousRow).toContain("visitor, not yet a lead");
    expect(anonymousRow).toContain('<td class="n">2</td>');
    expect(html).toContain('<script src="/dashboard/conversations.js" defer');
    expect(html).toContain('data-refresh="/dashboard/conversations.json"');
  });

  it("its JSON refresh gives the same rows in words, and needs the session", async () => {
    const { cookie } = await login();
    const origin = await registerSite();
    const row = await conversationRow({ siteOrigin: origin, startedAt: Date.now() - 3 * 3_600_000, lastAt: Date.now() + 60_000, booked: true, lastText: "Booked for Tuesday" });
    const response = await get("/dashboard/conversations.json", cookie);
    expect(response.status).toBe(200);
    const page = (await response.json()) as { conversations: { id: string; who: string; flags: string[]; lastText: string; site: string; leadId: string | null; ago: string }[] };
    expect(page.conversations[0]).toMatchObject({
      id: row.id,
      site: origin,
      leadId: null,
      who: "visitor, not yet a lead",
      flags: ["booked"],
      lastText: "Booked for Tuesday",
      ago: "just now",
    });
    expect((await get("/dashboard/conversations.json")).status).toBe(303);
    const script = await get("/dashboard/conversations.js", cookie);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(await script.text()).not.toContain("innerHTML");
  });

  it("pages back through older conversations", async () => {
    const { cookie } = await login();
    const origin = await registerSite();
    // Long ago, so they page after every other test's rows.
    const longAgo = Date.UTC(2020, 0, 1);
    for (let i = 0; i < 51; i++) await conversationRow({ siteOrigin: origin, startedAt: longAgo + i, lastAt: longAgo + i });
    const first = await (await get("/dashboard/conversations", cookie)).text();
    const next = /href="\/dashboard\/conversations\?cursor=([^"]+)" rel="next"/.exec(first);
    expect(next).not.toBeNull();
    const older = await (await get(`/dashboard/conversations?cursor=${next![1]}`, cookie)).text();
    expect(older).toContain("An older page");
    expect(older).not.toContain("data-refresh=");
  });
});

describe("the rep's live chat route", () => {
  const socket = (leadId: string, headers: Record<string, string>) =>
    exports.default.fetch(new Request(`${BASE}/dashboard/leads/${leadId}/chat/ws`, { redirect: "manual", headers }));

  it("needs a session, an upgrade, the dashboard's own origin and a known lead", async () => {
    const { cookie } = await login();
    const leadId = await makeLead();
    const upgrade = { upgrade: "websocket", origin: BASE };
    expect((await socket(leadId, upgrade)).status).toBe(401);
    expect((await socket(leadId, { ...upgrade, cookie: "fu_session=forged" })).status).toBe(401);
    const notUpgrade = await socket(leadId, { cookie, origin: BASE });
    expect(notUpgrade.status).toBe(426);
    expect(notUpgrade.headers.get("upgrade")).toBe("websocket");
    expect((await socket(leadId, { ...upgrade, cookie, origin: "https://evil.example" })).status).toBe(403);
    expect((await socket(leadId, { upgrade: "websocket", cookie })).status).toBe(403);
    expect((await socket("0".repeat(32), { ...upgrade, cookie })).status).toBe(404);
    expect((await socket("not-a-lead-id", { ...upgrade, cookie })).status).toBe(404);
  });

  it("the lead page shows a chat panel only for a lead that chatted or is with a rep", async () => {
    const { cookie, csrf } = await login();
    const leadId = await makeLead();
    expect(await (await get(`/dashboard/leads/${leadId}`, cookie)).text()).not.toContain('id="lead-chat"');
    expect((await post(`/dashboard/leads/${leadId}/hand-off`, { _csrf: csrf }, { cookie })).status).toBe(303);
    await settle(stubFor(leadId));
    const html = await (await get(`/dashboard/leads/${leadId}`, cookie)).text();
    expect(html).toContain(`data-socket="/dashboard/leads/${leadId}/chat/ws"`);
    expect(html).toContain('<label for="chat-text">Your answer to the visitor</label>');
    expect(html).toContain("Open this page again to see new messages.");
    const script = await (await get("/dashboard/lead-chat.js", cookie)).text();
    expect(script).toContain("textContent");
    expect(script).not.toContain("innerHTML");
  });
});

describe("chat in the stats", () => {
  it("counts conversations started in the period, leads captured, bookings and hand-offs from chat", async () => {
    const origin = await registerSite();
    // A day of its own, far from every other test's rows.
    const day = Date.UTC(2031, 0, 15);
    const leadA = unique("lead");
    await conversationRow({ siteOrigin: origin, startedAt: day + 1_000, leadId: leadA, captured: true, booked: true });
    await conversationRow({ siteOrigin: origin, startedAt: day + 2_000, leadId: unique("lead"), captured: true, handedOff: true });
    await conversationRow({ siteOrigin: origin, startedAt: day + 3_000, leadId: unique("lead"), handedOff: true });
    await conversationRow({ siteOrigin: origin, startedAt: day + 4_000 });
    // Started the day before: not this period's, even with activity in it.
    await conversationRow({ siteOrigin: origin, startedAt: day - 1_000, lastAt: day + 5_000, captured: true, leadId: unique("lead") });
    const response = await asOwner(`/api/stats?from=${day}&to=${day + 86_400_000}`);
    expect(response.status).toBe(200);
    const stats = (await response.json()) as { chat: Record<string, number> };
    expect(stats.chat).toEqual({ conversations: 4, leadsCaptured: 2, bookings: 1, handOffs: 2 });
  });

  it("the overview shows chat's figures for its period", async () => {
    const { cookie } = await login();
    await conversationRow({ siteOrigin: await registerSite(), startedAt: Date.now() - 60_000, leadId: unique("lead"), captured: true });
    const html = await (await get("/dashboard?days=7", cookie)).text();
    expect(html).toContain('data-testid="chat"');
    for (const label of ["Conversations", "Leads captured by chat", "Bookings from chat", "Hand-offs from chat"]) expect(html).toContain(label);
    const { chat } = (await (await asOwner("/api/stats?days=7")).json()) as { chat: Record<string, number> };
    expect(chat.conversations).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(chat)) expect(html).toMatch(new RegExp(`data-metric="chat-${key}"><span class="muted">[^<]+</span><b>${value}</b>`));
  });
});

describe("the rep answers a visitor live", () => {
  type Frame = { t: string; from?: string; text?: string };
  /** A socket's frames as they arrive. */
  const framesOf = (ws: WebSocket) => {
    const frames: Frame[] = [];
    ws.addEventListener("message", (event) => frames.push(JSON.parse(event.data as string) as Frame));
    ws.accept();
    return frames;
  };

  it("a rep's socket through the dashboard gets the transcript, and the rep's answer reaches the visitor's socket and the timeline", async () => {
    const { cookie } = await login();
    const origin = await registerSite();
    expect((await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin, chat: { enabled: true } }) })).status).toBe(200);
    const leadId = await makeLead({ name: "Live Visitor" });
    // The visitor's socket, as the edge's /chat/ws hands it to the lead's object.
    const visitorUpgrade = await stubFor(leadId).fetch(
      new Request(`https://lead-object/chat?${new URLSearchParams({ site: origin, visitor: unique("visitor"), proof: "ticket" })}`, {
        headers: { Upgrade: "websocket" },
      }),
    );
    expect(visitorUpgrade.status).toBe(101);
    const visitor = visitorUpgrade.webSocket!;
    const toVisitor = framesOf(visitor);
    visitor.send(JSON.stringify({ t: "hello", page: `${origin}/pricing` }));
    visitor.send(JSON.stringify({ t: "say", text: "Do you have a plan for nonprofits?" }));
    await vi.waitFor(() => expect(toVisitor.some((f) => f.t === "answer" && f.from === "assistant")).toBe(true));

    const repUpgrade = await exports.default.fetch(new Request(`${BASE}/dashboard/leads/${leadId}/chat/ws`, { headers: { upgrade: "websocket", origin: BASE, cookie } }));
    expect(repUpgrade.status).toBe(101);
    const rep = repUpgrade.webSocket!;
    const toRep = framesOf(rep);
    await vi.waitFor(() => expect(toRep.map((f) => f.from)).toEqual(["visitor", "assistant"]));
    expect(toRep[0]).toMatchObject({ t: "message", from: "visitor", text: "Do you have a plan for nonprofits?" });

    rep.send(JSON.stringify({ t: "say", text: "Yes: 30% off for registered charities. I'm Sam." }));
    await vi.waitFor(() => expect(toVisitor.at(-1)).toEqual({ t: "answer", from: "rep", text: "Yes: 30% off for registered charities. I'm Sam." }));
    await vi.waitFor(() => expect(toRep.at(-1)).toMatchObject({ t: "message", from: "rep", text: "Yes: 30% off for registered charities. I'm Sam." }));
    rep.close();
    visitor.close();

    // The object's own conversation row reaches the live list.
    await settle(stubFor(leadId));
    const { conversations: listed } = (await (await get("/dashboard/conversations.json", cookie)).json()) as {
      conversations: { leadId: string | null; who: string; messages: number; lastText: string; site: string }[];
    };
    expect(listed.find((line) => line.leadId === leadId)).toMatchObject({
      who: "Live Visitor",
      site: origin,
      messages: 3,
      lastText: "Yes: 30% off for registered charities. I'm Sam.",
    });

    // The lead page shows the conversation, the rep's answer in it.
    const page = await (await get(`/dashboard/leads/${leadId}`, cookie)).text();
    const panel = page.slice(page.indexOf('id="lead-chat"'), page.indexOf("</section>"));
    expect(panel).toContain("Do you have a plan for nonprofits?");
    expect(panel).toContain("Yes: 30% off for registered charities. I&#39;m Sam.");
  });
});
