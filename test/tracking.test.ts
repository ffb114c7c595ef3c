import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ClickTicketSchema, ClickTokenSchema } from "../schemas/tracking";
import { isBotAgent, requestFacts } from "../workers/signals/request-facts";
import { base64url, signToken, tokenKeys, verifyToken, type TokenKeys } from "../services/crypto/signed-token";
import { SNIPPET } from "../workers/snippet";
import { clickTicket, clickToken, openToken, TICKET_PARAM, trackLink, unsubscribeToken } from "../services/crypto/tracked-links";
import { hmacSha256 } from "../services/crypto/hmac";
import { sameSecret } from "../services/crypto/same-secret";
import worker from "../workers/index";
import { afterSignalBurst, asOwner, call, callAndSettle, leadSummary, makeLead, ORIGIN, unique } from "./helpers";

const keys = tokenKeys(env) as TokenKeys;
const MINUTE = 60_000;
const SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15";
const APPLE_MAIL_PREFETCH = "Mozilla/5.0";

const firstAddress = (cidr: string) => cidr.split("/")[0]!;
const ipHeaders = (ip: string, ua = SAFARI) => ({ "cf-connecting-ip": ip, "user-agent": ua });

async function link(leadId: string, overrides: Partial<{ m: string; i: number; u: string; s: number; h: 1; o: 1 }> = {}) {
  return clickToken(keys, { l: leadId, m: "msg-1", i: 0, u: "https://site.example/pricing?plan=pro", s: Date.now() - 5 * MINUTE, ...overrides });
}

describe("signed tokens", () => {
  it("refuse a tampered payload, a tampered tag, a wrong key and a truncation", async () => {
    const token = await signToken(keys, "open", { l: "a".repeat(32), m: "m", s: 1 });
    const [kid, body, tag] = token.split(".") as [string, string, string];
    const otherBody = base64url(new TextEncoder().encode(JSON.stringify({ l: "b".repeat(32), m: "m", s: 1 })));
    const flipped = `${tag.slice(0, -1)}${tag.endsWith("A") ? "B" : "A"}`;
    const wrongKey = await signToken({ current: { id: kid, secret: "not-the-secret" }, previous: [] }, "open", { l: "a".repeat(32), m: "m", s: 1 });
    const schema = ClickTokenSchema.pick({ l: true, m: true, s: true });
    expect(await verifyToken(keys, "open", token, schema)).toEqual({ l: "a".repeat(32), m: "m", s: 1 });
    for (const bad of [`${kid}.${otherBody}.${tag}`, `${kid}.${body}.${flipped}`, wrongKey, token.slice(0, -4), `${kid}.${body}`, "", "x.y.z"]) {
      expect(await verifyToken(keys, "open", bad, schema)).toBeNull();
    }
  });

  it("carry at least 96 bits of tag and rotate by key id", async () => {
    const old: TokenKeys = { current: { id: "k0", secret: "old-secret" }, previous: [] };
    const token = await signToken(old, "open", { l: "c".repeat(32), m: "m", s: 1 });
    expect(token.split(".")[2]!.length * 6).toBeGreaterThanOrEqual(96);
    const rotated = tokenKeys({ TOKEN_SECRET: "new-secret", TOKEN_KEY_ID: "k1", TOKEN_PREVIOUS_SECRETS: "k0:old-secret" })!;
    const schema = ClickTokenSchema.pick({ l: true, m: true, s: true });
    expect(await verifyToken(rotated, "open", token, schema)).not.toBeNull();
    const retired = tokenKeys({ TOKEN_SECRET: "new-secret", TOKEN_KEY_ID: "k1" })!;
    expect(await verifyToken(retired, "open", token, schema)).toBeNull();
  });
});

describe("tokens carry their purpose", () => {
  const opensOf = async (leadId: string) => Object.values((await leadSummary(leadId))!.engagement.opens).reduce((a, b) => a + b, 0);

  it("a token made for one use is refused for every other: a click token is no open pixel, no unsubscribe link, no session", async () => {
    const leadId = await makeLead();
    const open = await openToken(keys, { l: leadId, m: "m-purpose", s: Date.now() - 5 * MINUTE });
    const click = await link(leadId);
    const unsub = await unsubscribeToken(keys, leadId);
    const ticket = await clickTicket(keys, leadId);
    // The issue's case: a click token (a superset of an open token's fields) used as the pixel.
    for (const wrong of [click, unsub, ticket]) expect((await callAndSettle(`/o/${wrong}`, { headers: ipHeaders("203.0.113.30") })).status).toBe(200);
    expect(await opensOf(leadId)).toBe(0);
    for (const wrong of [open, unsub, ticket]) expect((await callAndSettle(`/c/${wrong}`)).status).toBe(404);
    for (const wrong of [open, click, ticket]) {
      expect((await call(`/u/${wrong}`)).status).toBe(404);
      expect((await call(`/u/${wrong}`, { method: "POST", body: "List-Unsubscribe=One-Click" })).status).toBe(404);
    }
    expect((await leadSummary(leadId))!.status).toBe("new");
    for (const wrong of [open, click, unsub, ticket]) expect((await call("/dashboard", { headers: { cookie: `fu_session=${wrong}` } })).status).toBe(303);
    // Each in its own place still works.
    await callAndSettle(`/o/${open}`, { headers: ipHeaders("203.0.113.30") });
    expect(await opensOf(leadId)).toBe(1);
    expect((await callAndSettle(`/c/${click}`, { headers: ipHeaders("203.0.113.30") })).status).toBe(302);
    expect((await call(`/u/${unsub}`)).status).toBe(200);
  });

  it("links in e-mails sent before purposes were signed keep working for their own use only", async () => {
    const leadId = await makeLead();
    const kid = keys.current.id;
    const legacy = async (payload: object) => {
      const body = base64url(new TextEncoder().encode(JSON.stringify(payload)));
      return `${kid}.${body}.${base64url((await hmacSha256(keys.current.secret, `${kid}.${body}`)).subarray(0, 16))}`;
    };
    const oldClick = await legacy({ l: leadId, m: "m-old", s: Date.now() - 5 * MINUTE, i: 0, u: "https://site.example/old" });
    const oldOpen = await legacy({ l: leadId, m: "m-old", s: Date.now() - 5 * MINUTE });
    const oldUnsub = await legacy({ t: "unsub", l: leadId });
    const oldTicket = await legacy({ t: "ticket", l: leadId });
    await callAndSettle(`/o/${oldClick}`, { headers: ipHeaders("203.0.113.31") });
    expect(await opensOf(leadId)).toBe(0);
    expect((await callAndSettle(`/c/${oldOpen}`)).status).toBe(404);
    expect((await call(`/u/${oldClick}`)).status).toBe(404);
    expect((await callAndSettle(`/c/${oldClick}`, { headers: ipHeaders("203.0.113.31") })).headers.get("location")).toBe("https://site.example/old");
    await callAndSettle(`/o/${oldOpen}`, { headers: ipHeaders("203.0.113.31") });
    expect(await opensOf(leadId)).toBe(1);
    expect((await call(`/u/${oldUnsub}`)).status).toBe(200);
    // Click tickets and sessions are short-lived: no grace.
    expect(await verifyToken(keys, "click-ticket", oldTicket, ClickTicketSchema)).toBeNull();
  });
});

describe("secret comparison", () => {
  it("sameSecret is true only for the same text, whatever the lengths", async () => {
    expect(await sameSecret("test-owner-token", "test-owner-token")).toBe(true);
    expect(await sameSecret("", "")).toBe(true);
    expect(await sameSecret("test-owner-tokeN", "test-owner-token")).toBe(false);
    expect(await sameSecret("test-owner", "test-owner-token")).toBe(false);
    expect(await sameSecret("test-owner-token-and-more", "test-owner-token")).toBe(false);
    expect(await sameSecret("", "test-owner-token")).toBe(false);
    expect(await sameSecret("é", "e\u0301")).toBe(false);
  });

  it("a prefix of the owner token is refused like any wrong token", async () => {
    const response = await call("/api/forms", { headers: { authorization: "Bearer test-owner", "cf-connecting-ip": unique("prefix") } });
    expect(response.status).toBe(401);
  });
});

describe("GET /o/:token (open pixel)", () => {
  it("answers a 1×1 GIF that is never cached", async () => {
    const leadId = await makeLead();
    const response = await callAndSettle(`/o/${await openToken(keys, { l: leadId, m: "m1", s: Date.now() - MINUTE })}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/gif");
    expect(response.headers.get("cache-control")).toContain("no-store");
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(new TextDecoder().decode(bytes.subarray(0, 6))).toBe("GIF89a");
    expect([bytes[6], bytes[8]]).toEqual([1, 1]); // width and height
  });

  it("a forged token still gets the GIF and records nothing", async () => {
    const leadId = await makeLead();
    const real = await openToken(keys, { l: leadId, m: "m1", s: 0 });
    const response = await callAndSettle(`/o/${real.slice(0, -2)}xx`);
    expect(response.headers.get("content-type")).toBe("image/gif");
    expect((await leadSummary(leadId))?.engagement.opens).toEqual({ human: 0, auto: 0, machine: 0 });
  });

  it("a mail client's open counts as human; Apple's relay prefetch is auto and leaves the lead 'unknown'", async () => {
    const { appleRelayV4, appleRelayV6 } = env.TEST_FIXTURES;
    const leadId = await makeLead();
    await callAndSettle(`/o/${await openToken(keys, { l: leadId, m: "m1", s: 0 })}`, { headers: ipHeaders(firstAddress(appleRelayV4[0]!), APPLE_MAIL_PREFETCH) });
    await callAndSettle(`/o/${await openToken(keys, { l: leadId, m: "m2", s: 0 })}`, {
      headers: ipHeaders(firstAddress(appleRelayV6[1]!).replace(/::$/, "::1"), "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)"),
    });
    let lead = await leadSummary(leadId);
    expect(lead?.engagement.opens).toEqual({ human: 0, auto: 2, machine: 0 });
    expect(lead?.opened).toBe("unknown");

    await callAndSettle(`/o/${await openToken(keys, { l: leadId, m: "m1", s: 0 })}`, {
      headers: ipHeaders("203.0.113.7", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)"),
    });
    lead = await leadSummary(leadId);
    expect(lead?.engagement.opens.human).toBe(1);
    expect(lead?.opened).toBe("yes");
    expect(lead?.timeline.at(-1)).toMatchObject({ kind: "email_opened", verdict: "human", first: true });
  });

  it("Gmail's image proxy is a human open", async () => {
    const leadId = await makeLead();
    await callAndSettle(`/o/${await openToken(keys, { l: leadId, m: "m1", s: 0 })}`, {
      headers: ipHeaders("66.249.84.1", "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"),
    });
    expect((await leadSummary(leadId))?.engagement.opens.human).toBe(1);
  });
});

describe("GET /c/:token (click redirect)", () => {
  it("redirects to exactly the signed destination, whatever is added to the URL", async () => {
    const leadId = await makeLead();
    const token = await link(leadId);
    const response = await callAndSettle(`/c/${token}?u=https://evil.example&url=//evil.example`);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://site.example/pricing?plan=pro");
  });

  it("never redirects for a changed destination, and records nothing", async () => {
    const leadId = await makeLead();
    const [kid, body, tag] = (await link(leadId)).split(".") as [string, string, string];
    const payload = JSON.parse(atob(body.replace(/-/g, "+").replace(/_/g, "/")));
    for (const evil of ["https://evil.example/", "//evil.example", "javascript:alert(1)"]) {
      const forged = base64url(new TextEncoder().encode(JSON.stringify({ ...payload, u: evil })));
      const response = await callAndSettle(`/c/${kid}.${forged}.${tag}`);
      expect(response.status).toBe(404);
      expect(response.headers.get("location")).toBeNull();
    }
    expect((await leadSummary(leadId))?.engagement.clicks).toEqual({ human: 0, auto: 0, machine: 0 });
  });

  it("refuses to sign a destination that is not http(s), even with the right key", async () => {
    await expect(link("d".repeat(32), { u: "javascript:alert(1)" })).rejects.toThrow();
    await expect(link("d".repeat(32), { u: "//evil.example" })).rejects.toThrow();
    const signedAnyway = await signToken(keys, "click", { l: "d".repeat(32), m: "m", i: 0, u: "javascript:alert(1)", s: 0 });
    expect((await callAndSettle(`/c/${signedAnyway}`)).status).toBe(404);
  });

  it("a person's click two minutes after send counts as human", async () => {
    const leadId = await makeLead();
    await callAndSettle(`/c/${await link(leadId, { s: Date.now() - 2 * MINUTE })}`, { headers: ipHeaders("203.0.113.9") });
    const lead = await leadSummary(leadId);
    expect(lead?.engagement.clicks).toEqual({ human: 1, auto: 0, machine: 0 });
    expect(lead?.timeline.at(-1)).toMatchObject({ kind: "link_clicked", verdict: "human", url: "https://site.example/pricing?plan=pro" });
  });

  it("HEAD and prefetch requests are answered but never count", async () => {
    const leadId = await makeLead();
    const head = await callAndSettle(`/c/${await link(leadId)}`, { method: "HEAD" });
    expect(head.status).toBe(302);
    const prefetch = await callAndSettle(`/c/${await link(leadId, { i: 1 })}`, { headers: { "sec-purpose": "prefetch", "user-agent": SAFARI } });
    expect(prefetch.status).toBe(302);
    expect((await leadSummary(leadId))?.engagement.clicks).toEqual({ human: 0, auto: 0, machine: 2 });
  });

  it("a click from a link scanner's network is machine", async () => {
    const leadId = await makeLead();
    await callAndSettle(`/c/${await link(leadId)}`, { headers: ipHeaders(firstAddress(env.TEST_FIXTURES.microsoftV4[0]!)) });
    expect((await leadSummary(leadId))?.timeline.at(-1)).toMatchObject({ verdict: "machine", reason: expect.stringContaining("microsoft") });
  });

  it("the hidden honeypot link answers 204 and marks its burst as machine", async () => {
    const leadId = await makeLead();
    await callAndSettle(`/c/${await link(leadId, { i: 0 })}`, { headers: ipHeaders("203.0.113.10") });
    const honeypot = await callAndSettle(`/c/${await link(leadId, { i: 9, h: 1, u: "https://site.example/" })}`, { headers: ipHeaders("203.0.113.10") });
    expect(honeypot.status).toBe(204);
    const lead = await leadSummary(leadId);
    expect(lead?.engagement.clicks).toEqual({ human: 0, auto: 0, machine: 2 });
    expect(lead?.timeline.filter((e) => e.kind === "link_clicked").map((e) => "verdict" in e && e.verdict)).toEqual(["machine", "machine"]);
    await afterSignalBurst(leadId);
    const events = await env.DB.prepare("SELECT json_extract(data, '$.verdict') AS verdict FROM events WHERE lead_id = ? AND kind = 'link_clicked'").bind(leadId).all();
    expect(events.results.map((r) => r.verdict)).toEqual(["machine", "machine"]);
  });

  it("only links to the owner's configured sites get a click ticket", async () => {
    const leadId = await makeLead();
    const sites = new Set(["https://site.example"]);
    const own = await trackLink(keys, sites, { leadId, messageId: "m", sentAt: 0, index: 0, url: "https://site.example/pricing" });
    const other = await trackLink(keys, sites, { leadId, messageId: "m", sentAt: 0, index: 1, url: "https://calendly.example/acme" });
    expect(new URL((await callAndSettle(`/c/${own}`)).headers.get("location")!).searchParams.has(TICKET_PARAM)).toBe(true);
    expect((await callAndSettle(`/c/${other}`)).headers.get("location")).toBe("https://calendly.example/acme");
  });

  it("a link to the owner's own site carries a click ticket", async () => {
    const leadId = await makeLead();
    const response = await callAndSettle(`/c/${await link(leadId, { o: 1 })}`);
    const location = new URL(response.headers.get("location")!);
    expect(location.origin + location.pathname).toBe("https://site.example/pricing");
    expect(location.searchParams.get("plan")).toBe("pro");
    expect(location.searchParams.get(TICKET_PARAM)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});

describe("the hot path does no storage work before answering", () => {
  it("the pixel and the redirect answer while D1 and the lead's object have not answered", async () => {
    const dbBeforeAnswer: string[] = [];
    let answered = false;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const bound = (target: object, prop: PropertyKey) => {
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    };
    const db = new Proxy(env.DB, {
      get: (t, p) => {
        if (!answered) dbBeforeAnswer.push(String(p));
        return bound(t, p);
      },
    });
    // The lead's object answers nothing until released: a route that waited on it would hang.
    const leads = new Proxy(env.LEADS, {
      get: (t, p) =>
        p === "getByName"
          ? (name: string) =>
              new Proxy(t.getByName(name), {
                // RPC methods are called on the stub itself: binding them would be an RPC call too.
                get: (stub, m) =>
                  typeof m === "string" && m.startsWith("record")
                    ? (...args: unknown[]) => held.then(() => (stub as unknown as Record<string, (...a: unknown[]) => unknown>)[m]!(...args))
                    : Reflect.get(stub, m),
              })
          : bound(t, p),
    });
    const trappedEnv = { ...env, DB: db, LEADS: leads };
    const leadId = await makeLead();
    const ctxs: ExecutionContext[] = [];
    for (const path of [`/o/${await openToken(keys, { l: leadId, m: "m", s: 0 })}`, `/c/${await link(leadId, { s: Date.now() - 5 * MINUTE })}`]) {
      const ctx = createExecutionContext();
      ctxs.push(ctx);
      const request = new Request(`${ORIGIN}${path}`, { redirect: "manual", headers: ipHeaders("203.0.113.20") });
      const response = await worker.fetch(request, trappedEnv, ctx);
      expect(response.status).toBeLessThan(400);
    }
    answered = true;
    expect(dbBeforeAnswer).toEqual([]);
    expect((await leadSummary(leadId))?.engagement.opens.human).toBe(0);
    release();
    for (const ctx of ctxs) await waitOnExecutionContext(ctx);
    const lead = await leadSummary(leadId);
    expect(lead?.engagement.opens.human).toBe(1);
    expect(lead?.engagement.clicks.human).toBe(1);
  });
});

describe("human or machine, by user agent", () => {
  it("flags every crawler in the isbot fixtures and no browser", () => {
    const { crawlerAgents, browserAgents } = env.TEST_FIXTURES;
    expect(crawlerAgents.length).toBeGreaterThan(500);
    expect(crawlerAgents.filter((ua) => !isBotAgent(ua))).toEqual([]);
    expect(browserAgents.filter((ua) => isBotAgent(ua))).toEqual([]);
  });

  it("does not flag mail clients, eM Client and Office's renderers included", () => {
    const mailClients = [
      "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.6.0",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
      // isbot flags these bare name/version agents (issue 22).
      "eM Client/9.2.2038.0",
      "Microsoft Office Word 2013 (15.0.5589) Windows NT 10.0",
      "Microsoft Office Outlook 2016",
      "Evolution/3.52.4",
      // ua-parser/uap-core @ e3c5e63 tests/test_ua.yaml, its mail-client test cases (Apache-2.0)
      ...env.TEST_FIXTURES.mailClientAgents.map((a) => a.agent),
    ];
    expect(mailClients.length).toBeGreaterThan(30);
    for (const ua of mailClients) expect(requestFacts(new Request(ORIGIN, { headers: { "user-agent": ua } })).botAgent, ua).toBe(false);
  });

  it("still flags Office's link probes, which no person sends", () => {
    for (const ua of ["Microsoft Office Protocol Discovery", "Microsoft Office Existence Discovery"]) expect(isBotAgent(ua)).toBe(true);
  });
});

describe("site snippet and beacons", () => {
  it("serves a cacheable snippet, its chat loader included, under 3 KB gzipped", async () => {
    const response = await call("/s.js");
    expect(response.headers.get("content-type")).toContain("javascript");
    expect(response.headers.get("cache-control")).toContain("max-age");
    const gzipped = await new Response(new Blob([SNIPPET]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
    expect(gzipped.byteLength).toBeLessThan(3 * 1024);
  });

  async function site(): Promise<string> {
    const origin = `https://${unique("shop")}.example`;
    const response = await asOwner("/api/sites", {
      method: "PUT",
      body: JSON.stringify({ origin, pageRules: [{ pattern: "/pricing*", class: "pricing" }] }),
    });
    expect(response.status).toBe(200);
    return origin;
  }

  const beacon = (origin: string, body: object | string) =>
    callAndSettle("/e", {
      method: "POST",
      headers: { origin, "content-type": "text/plain;charset=UTF-8", "user-agent": SAFARI },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("refuses beacons from sites that are not configured", async () => {
    const response = await beacon("https://unknown.example", { v: "visitor123", p: "view1", t: "view", u: "https://unknown.example/" });
    expect(response.status).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a configured site's preflight and beacon with its origin", async () => {
    const origin = await site();
    const preflight = await call("/e", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    const response = await beacon(origin, { v: "visitor123", p: "view1", t: "view", u: `${origin}/` });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(origin);
  });

  it("refuses oversized and malformed beacons with reasons", async () => {
    const origin = await site();
    expect((await beacon(origin, "x".repeat(9 * 1024))).status).toBe(413);
    expect((await beacon(origin, "{not json")).status).toBe(400);
    const invalid = await beacon(origin, { v: "!", p: "view1", t: "jump", u: "javascript:alert(1)" });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toMatchObject({ error: { code: "invalid_beacon" } });
  });

  it("a click ticket identifies the visitor: views and engaged time reach the lead, classified", async () => {
    const origin = await site();
    const leadId = await makeLead();
    const redirect = await callAndSettle(`/c/${await link(leadId, { o: 1, u: `${origin}/pricing`, s: Date.now() - 10 * MINUTE })}`);
    const ticket = new URL(redirect.headers.get("location")!).searchParams.get(TICKET_PARAM)!;
    const visitor = unique("v").replace(/[^A-Za-z0-9_-]/g, "");
    expect((await beacon(origin, { v: visitor, p: "view1", t: "view", u: `${origin}/pricing`, ti: "Pricing", k: ticket })).status).toBe(204);
    expect((await beacon(origin, { v: visitor, p: "view1", t: "leave", u: `${origin}/pricing`, e: 240_000 })).status).toBe(204);
    // Later views need no ticket: the visitor is now linked to the lead.
    expect((await beacon(origin, { v: visitor, p: "view2", t: "view", u: `${origin}/about` })).status).toBe(204);
    const lead = await leadSummary(leadId);
    expect(lead?.engagement.visits).toMatchObject([
      { pageViewId: "view1", pageClass: "pricing", engagedMs: 240_000 },
      { pageViewId: "view2", pageClass: null },
    ]);
    expect(lead?.timeline.filter((e) => e.kind === "page_viewed")).toMatchObject([{ url: `${origin}/pricing`, title: "Pricing", verdict: "human" }, { url: `${origin}/about` }]);
  });

  it("a forged ticket identifies nobody and unidentified visitors are not profiled", async () => {
    const origin = await site();
    const leadId = await makeLead();
    const visitor = unique("anon").replace(/[^A-Za-z0-9_-]/g, "");
    await beacon(origin, { v: visitor, p: "view1", t: "view", u: `${origin}/pricing`, k: "k1.eyJ0IjoidGlja2V0In0.AAAAAAAAAAAAAAAAAAAAAA" });
    expect(await env.DB.prepare("SELECT * FROM visitors WHERE id = ?").bind(visitor).first()).toBeNull();
    expect((await leadSummary(leadId))?.engagement.pageViews).toEqual({ human: 0, auto: 0, machine: 0 });
  });

  it("a form posted with the snippet's visitor id links that visitor to the new lead", async () => {
    const origin = await site();
    const form = await asOwner("/api/forms", {
      method: "POST",
      body: JSON.stringify({ id: unique("snip"), name: "Snippet form", thankYouUrl: `${origin}/thanks`, allowedOrigins: [origin] }),
    });
    const formId = ((await form.json()) as { id: string }).id;
    const visitor = unique("vf").replace(/[^A-Za-z0-9_-]/g, "");
    const posted = await callAndSettle(`/f/${formId}`, {
      method: "POST",
      headers: { origin, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ email: `${unique("snip")}@example.com`, fu_vid: visitor }).toString(),
    });
    const { leadId } = (await posted.json()) as { leadId: string };
    await beacon(origin, { v: visitor, p: "after-form", t: "view", u: `${origin}/pricing` });
    const lead = await leadSummary(leadId);
    expect(lead?.engagement.pageViews.human).toBe(1);
    const submitted = lead?.timeline[0];
    expect(submitted?.kind === "form_submitted" && submitted.submission.custom).toEqual({});
  });
});
