import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { visitorChatName } from "../schemas/chat";
import { tokenKeys, type TokenKeys } from "../services/crypto/signed-token";
import { clickTicket } from "../services/crypto/tracked-links";
import { CHAT_WIDGET } from "../workers/chat-widget-script";
import { SNIPPET } from "../workers/snippet";
import { asOwner, call, callAndSettle, makeForm, makeLead, ORIGIN, unique } from "./helpers";

/**
 * Issue #21, the edge of site chat: `/chat/config` tells the snippet whether to load the
 * widget and when it opens; `/chat/ws` refuses what is not a chat from a registered site
 * with chat on, and hands the socket to the object that holds the conversation.
 */

const keys = tokenKeys(env) as TokenKeys;
const PER_VISITOR = 10;
const PER_CLIENT = 60;

const visitorId = () => unique("cv").replace(/[^A-Za-z0-9_-]/g, "");
const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

async function site(chat: object | null = { enabled: true, openOn: { returningLead: true, pricingViews: 2 } }): Promise<string> {
  const origin = `https://${unique("chat")}.example`;
  const response = await asOwner("/api/sites", {
    method: "PUT",
    body: JSON.stringify({ origin, pageRules: [{ pattern: "/pricing*", class: "pricing" }], ...(chat ? { chat } : {}) }),
  });
  expect(response.status).toBe(200);
  return origin;
}

const config = (origin: string | null, query: string) => callAndSettle(`/chat/config?${query}`, { headers: origin ? { origin } : {} });

function socket(origin: string | null, query: string, headers: Record<string, string> = {}) {
  return callAndSettle(`/chat/ws?${query}`, { headers: { ...(origin ? { origin } : {}), upgrade: "websocket", ...headers } });
}

/** A form post from the site that names the snippet's visitor: the visitor is linked with proof `form`. */
async function formVisitor(origin: string): Promise<{ leadId: string; visitor: string }> {
  const form = await makeForm({ allowedOrigins: [origin] });
  const visitor = visitorId();
  const posted = await callAndSettle(`/f/${form.id}`, {
    method: "POST",
    headers: { origin, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({ email: `${unique("chatform")}@example.com`, fu_vid: visitor }).toString(),
  });
  expect(posted.status).toBe(202);
  return { leadId: ((await posted.json()) as { leadId: string }).leadId, visitor };
}

const proofOf = async (visitor: string) =>
  (await env.DB.prepare("SELECT lead_id, proof FROM visitors WHERE id = ?").bind(visitor).first<{ lead_id: string; proof: string }>()) ?? null;

/** Polls for what the object writes a moment after it answers. */
async function until<T>(probe: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out");
}

const FORGED_TICKET = "k1.eyJ0IjoidGlja2V0In0.AAAAAAAAAAAAAAAAAAAAAA";

describe("GET /chat/config", () => {
  it("says chat is off for an unknown origin, a request with no origin, and a site whose owner has not turned chat on", async () => {
    const off = await site(null);
    const saidOff = await site({ enabled: false });
    for (const origin of ["https://nobody.example", null, off, saidOff]) {
      const response = await config(origin, `v=${visitorId()}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ enabled: false });
    }
  });

  it("reads a same-origin page (the engine's own demo) by the browser's Sec-Fetch-Site, which a page cannot forge; nothing else stands in for Origin", async () => {
    const own = ORIGIN;
    await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin: own, chat: { enabled: true, sequenceId: null } }) });
    const sameOrigin = await callAndSettle(`/chat/config?v=${visitorId()}`, { headers: { "sec-fetch-site": "same-origin" } });
    expect(await sameOrigin.json()).toMatchObject({ enabled: true });
    for (const headers of [{}, { "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "none" }] as Record<string, string>[]) {
      expect(await (await callAndSettle(`/chat/config?v=${visitorId()}`, { headers })).json()).toEqual({ enabled: false });
    }
  });

  it("gives the widget its settings and page rules, never cached, readable by the site's page", async () => {
    const origin = await site({ enabled: true, greeting: "Hello from the roofers.", openOn: { secondsOnPage: { pageClass: "pricing", seconds: 20 } } });
    const response = await config(origin, `v=${visitorId()}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("access-control-allow-origin")).toBe(origin);
    expect(await response.json()).toEqual({
      enabled: true,
      greeting: "Hello from the roofers.",
      openOn: { returningLead: false, pricingViews: null, secondsOnPage: { pageClass: "pricing", seconds: 20 } },
      known: false,
      consentText: "Email me about my question. I can unsubscribe at any time.",
      pageRules: [{ pattern: "/pricing*", class: "pricing" }],
    });
  });

  it("knows a visitor a form linked, and one that brings a click ticket (linking it as the beacon does); no lead data in the answer", async () => {
    const origin = await site();
    const { visitor } = await formVisitor(origin);
    const linked = (await (await config(origin, `v=${visitor}`)).json()) as Record<string, unknown>;
    expect(linked.known).toBe(true);
    expect(Object.keys(linked).sort()).toEqual(["consentText", "enabled", "greeting", "known", "openOn", "pageRules"]);

    const leadId = await makeLead();
    const ticketed = visitorId();
    const answer = (await (await config(origin, `v=${ticketed}&k=${await clickTicket(keys, leadId)}`)).json()) as { known: boolean };
    expect(answer.known).toBe(true);
    expect(await proofOf(ticketed)).toEqual({ lead_id: leadId, proof: "ticket" });
  });

  it("a forged ticket makes nobody known and does not turn a form's claim into proof", async () => {
    const origin = await site();
    const stranger = visitorId();
    expect(((await (await config(origin, `v=${stranger}&k=${FORGED_TICKET}`)).json()) as { known: boolean }).known).toBe(false);
    expect(await proofOf(stranger)).toBeNull();
    const { leadId, visitor } = await formVisitor(origin);
    await config(origin, `v=${visitor}&k=${FORGED_TICKET}`);
    expect(await proofOf(visitor)).toEqual({ lead_id: leadId, proof: "form" });
  });

  it("refuses a visitor id the snippet would not make", async () => {
    const origin = await site();
    for (const query of ["", "v=", "v=short", `v=${"x".repeat(65)}`, "v=has%20space"]) {
      const response = await config(origin, query);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe("invalid_visitor");
    }
  });
});

describe("GET /chat/ws refusals", () => {
  it("refuses a page that is not on a configured site", async () => {
    for (const origin of [null, "https://nobody.example"]) {
      const response = await socket(origin, `v=${visitorId()}`);
      expect(response.status).toBe(403);
      expect((await errorOf(response)).code).toBe("unknown_site");
    }
  });

  it("refuses a site whose chat is off", async () => {
    for (const origin of [await site(null), await site({ enabled: false })]) {
      const response = await socket(origin, `v=${visitorId()}`);
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe("chat_off");
    }
  });

  it("asks for a WebSocket when the request is not an upgrade", async () => {
    const origin = await site();
    const response = await callAndSettle(`/chat/ws?v=${visitorId()}`, { headers: { origin } });
    expect(response.status).toBe(426);
    expect(response.headers.get("upgrade")).toBe("websocket");
    expect((await errorOf(response)).code).toBe("websocket_required");
  });

  it("refuses a bad visitor id", async () => {
    const origin = await site();
    const response = await socket(origin, "v=no");
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe("invalid_visitor");
  });
});

/** Opens a chat the way the widget does and returns the socket with the frames it receives. */
async function openChat(origin: string, query: string, headers: Record<string, string> = {}) {
  const response = await socket(origin, query, headers);
  expect(response.status).toBe(101);
  const ws = response.webSocket!;
  const frames: { t: string; text?: string }[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener("message", (event) => {
    frames.push(JSON.parse(String(event.data)));
    for (const wake of waiters.splice(0)) wake();
  });
  ws.accept();
  const next = async (kind: string) => {
    for (let i = 0; i < 50; i++) {
      const frame = frames.find((f) => f.t === kind);
      if (frame) return frame;
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    throw new Error(`no ${kind} frame; got ${JSON.stringify(frames)}`);
  };
  ws.send(JSON.stringify({ t: "hello", page: `${origin}/pricing`, title: "Pricing" }));
  return { ws, next, frames };
}

/** The proof each visitor socket an object holds was accepted with (the object keeps it in the socket's attachment). */
const visitorSockets = (name: string) =>
  runInDurableObject(env.LEADS.getByName(name), (_object, state) => state.getWebSockets("visitor").map((ws) => (ws.deserializeAttachment() as { proof: string }).proof));

describe("GET /chat/ws hands the socket to the conversation's object", () => {
  it("a visitor with a click ticket chats with its lead's object, and is linked to the lead", async () => {
    const origin = await site();
    const leadId = await makeLead();
    const visitor = visitorId();
    const chat = await openChat(origin, `v=${visitor}&k=${await clickTicket(keys, leadId)}`);
    expect((await chat.next("greeting")).text).toBeTruthy();
    expect(await visitorSockets(leadId)).toEqual(["ticket"]);
    expect(await proofOf(visitor)).toEqual({ lead_id: leadId, proof: "ticket" });
    chat.ws.close();
  });

  it("a visitor a form linked chats with its lead's object; a forged ticket leaves its proof a claim", async () => {
    const origin = await site();
    const { leadId, visitor } = await formVisitor(origin);
    const chat = await openChat(origin, `v=${visitor}&k=${FORGED_TICKET}`);
    await chat.next("greeting");
    expect(await visitorSockets(leadId)).toEqual(["form"]);
    expect(await proofOf(visitor)).toEqual({ lead_id: leadId, proof: "form" });
    chat.ws.close();
  });

  it("an unknown visitor chats with its own visitor-chat object and is tied to no lead", async () => {
    const origin = await site();
    const visitor = visitorId();
    const chat = await openChat(origin, `v=${visitor}`);
    await chat.next("greeting");
    expect(await visitorSockets(visitorChatName(origin, visitor))).toEqual(["none"]);
    expect(await proofOf(visitor)).toBeNull();
    chat.ws.close();
  });

  it("an unknown visitor who gives their details is told the chat moved, and reconnecting lands in the new lead's object", async () => {
    const origin = await site();
    const visitor = visitorId();
    const before = await openChat(origin, `v=${visitor}`);
    await before.next("greeting");
    before.ws.send(JSON.stringify({ t: "contact", email: `${unique("chatter")}@example.com`, consent: true }));
    await before.next("moved");
    const link = await until(() => proofOf(visitor));
    const after = await openChat(origin, `v=${visitor}`);
    await after.next("greeting");
    expect(await visitorSockets(link.lead_id)).toHaveLength(1);
    expect(await visitorSockets(visitorChatName(origin, visitor))).toEqual([]);
    after.ws.close();
  });

  it("too many connections from one visitor get 429 with a reason", { timeout: 20_000 }, async () => {
    const origin = await site();
    const visitor = visitorId();
    const statuses: number[] = [];
    for (let i = 0; i < 2 * PER_VISITOR + 1; i++) {
      const response = await socket(origin, `v=${visitor}`);
      statuses.push(response.status);
      if (response.status === 101) {
        response.webSocket!.accept();
        response.webSocket!.close();
      } else {
        expect(response.status).toBe(429);
        expect(response.headers.get("retry-after")).toBe("60");
        expect((await errorOf(response)).code).toBe("too_many_chat_connections");
      }
    }
    expect(statuses.slice(0, PER_VISITOR)).toEqual(Array(PER_VISITOR).fill(101));
    expect(statuses).toContain(429);
  });

  it("many visitors behind one address (a script making up ids) are counted together and get 429", { timeout: 60_000 }, async () => {
    const origin = await site();
    const address = `198.51.100.${Math.floor(Math.random() * 250)}`;
    const fromAddress: number[] = [];
    for (let i = 0; i < 2 * PER_CLIENT + 1; i++) {
      const response = await socket(origin, `v=${visitorId()}`, { "cf-connecting-ip": address });
      fromAddress.push(response.status);
      if (response.status === 101) {
        response.webSocket!.accept();
        response.webSocket!.close();
      }
    }
    expect(fromAddress.slice(0, PER_CLIENT)).toEqual(Array(PER_CLIENT).fill(101));
    expect(fromAddress).toContain(429);
  });
});

describe("the widget and its loader", () => {
  it("serves /chat.js as a cacheable script any site may load", async () => {
    const response = await call("/chat.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toContain("public, max-age=");
    expect(await response.text()).toBe(CHAT_WIDGET);
  });

  it("the snippet asks for chat once per visit and loads the widget from the engine only when chat is on", () => {
    expect(SNIPPET).toContain('"/chat/config?v="');
    expect(SNIPPET).toContain('"fu_chat"');
    expect(SNIPPET).toContain('endpoint + "/chat.js"');
    // The widget is never inlined: a site without chat pays only for the loader.
    expect(SNIPPET.length).toBeLessThan(CHAT_WIDGET.length);
  });
});
