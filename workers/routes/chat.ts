import { Hono, type Context } from "hono";
import { visitorChatName, type VisitorProof } from "../../schemas/chat";
import type { LeadId } from "../../schemas/lead";
import type { Site } from "../../schemas/tracking";
import { AppError } from "../../services/app-error";
import { clockFrom } from "../../services/clock";
import { requiredTokenKeys } from "../../services/crypto/signed-token";
import { readClickTicket } from "../../services/crypto/tracked-links";
import { knownSites } from "../../services/d1/sites";
import { isVisitorId, linkVisitor, visitorLink } from "../../services/d1/visitors";
import { clientAddress, perClient, tooManyRequests, withinLimit } from "../abuse-limits";
import { CHAT_WIDGET } from "../chat-widget-script";
import { leadObject } from "../lead-stub";

/**
 * Site chat at the edge: `/chat/config` (may this page show the widget, and when does it
 * open), `/chat/ws` (the visitor's socket, handed to the object that holds the conversation)
 * and `/chat.js` (the widget). Everything here answers a stranger's browser: the origin must
 * be a registered site with chat on, and a visitor is tied to a lead only by a signed click
 * ticket or a link the engine recorded itself.
 */
export const chat = new Hono<{ Bindings: Env }>();

const NO_STORE = "private, no-store";

/**
 * The page's site. Browsers send no Origin on a same-origin GET: a page served by this engine
 * itself (the demo) is named by the request's own origin, which only a browser's
 * `Sec-Fetch-Site: same-origin` (a header page scripts cannot set) vouches for.
 */
async function siteOf(c: Context<{ Bindings: Env }>): Promise<Site | undefined> {
  const origin = c.req.header("origin") ?? (c.req.header("sec-fetch-site") === "same-origin" ? new URL(c.req.url).origin : undefined);
  return origin ? (await knownSites(c.env.DB)).get(origin.toLowerCase()) : undefined;
}

function visitorOf(c: Context<{ Bindings: Env }>): string {
  const visitor = c.req.query("v");
  if (!isVisitorId(visitor)) throw new AppError(400, "invalid_visitor", "The visitor id (v) is missing or not one the snippet makes.");
  return visitor;
}

/**
 * The lead a click ticket proves, linking the visitor to it as the beacon does. Only a valid
 * ticket links: a visitor that a form post merely claimed keeps its `form` proof otherwise.
 * A site whose owner turned individual tracking off gets no new links from chat either.
 */
async function ticketLead(c: Context<{ Bindings: Env }>, site: Site, visitor: string): Promise<LeadId | null> {
  const ticket = c.req.query("k");
  if (!ticket || site.tracking !== "individual") return null;
  const leadId = await readClickTicket(requiredTokenKeys(c.env), ticket);
  if (leadId) {
    c.executionCtx.waitUntil(
      linkVisitor(c.env.DB, visitor, leadId, clockFrom(c.env).now()).catch((error) => console.error(JSON.stringify({ event: "chat_visitor_not_linked", error: String(error) }))),
    );
  }
  return leadId;
}

chat.get("/chat.js", (c) =>
  c.body(CHAT_WIDGET, 200, {
    "content-type": "text/javascript; charset=utf-8",
    "cache-control": "public, max-age=3600, stale-while-revalidate=86400",
    "access-control-allow-origin": "*",
  }),
);

/**
 * Read once per visit by the snippet. An unknown origin or a site without chat gets
 * `{ enabled: false }` (the snippet then loads nothing); it names a visitor, so nothing caches it.
 */
chat.get("/chat/config", async (c) => {
  const origin = c.req.header("origin");
  if (origin) {
    c.header("access-control-allow-origin", origin);
    c.header("vary", "Origin");
  }
  c.header("cache-control", NO_STORE);
  const visitor = visitorOf(c);
  const site = await siteOf(c);
  const settings = site?.chat;
  if (!site || !settings?.enabled) return c.json({ enabled: false });
  const known = (await ticketLead(c, site, visitor)) !== null || (await visitorLink(c.env.DB, visitor)) !== null;
  return c.json({
    enabled: true,
    greeting: settings.greeting,
    openOn: settings.openOn,
    known,
    consentText: settings.consentText,
    pageRules: site.pageRules,
  });
});

/**
 * The visitor's socket. The object that holds the conversation accepts it: the lead's when
 * a ticket or a recorded link ties the visitor to one, else the visitor's own chat object.
 */
chat.get("/chat/ws", async (c) => {
  const site = await siteOf(c);
  if (!site) {
    throw new AppError(403, "unknown_site", `Chat is offered only on configured sites; add ${c.req.header("origin") ?? "your site's origin"} through /api/sites.`);
  }
  if (!site.chat?.enabled) throw new AppError(404, "chat_off", `Chat is off for ${site.origin}; turn it on in the site's chat settings.`);
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    c.header("upgrade", "websocket");
    throw new AppError(426, "websocket_required", "This address speaks WebSocket only: open it with new WebSocket(...).");
  }
  const visitor = visitorOf(c);
  const address = clientAddress(c.req.raw);
  // A widget reconnects after a drop or a move, with backoff: far more than that is a script.
  const allowed =
    (await withinLimit(c.env.CHAT_SOCKETS_PER_VISITOR, `${site.origin}|${visitor}`)) && (!address || (await withinLimit(c.env.CHAT_SOCKETS_PER_CLIENT, perClient(address))));
  if (!allowed) throw tooManyRequests(c, "too_many_chat_connections", "Too many chat connections from this visitor or address in the last minute. Try again in a minute.");

  const ticketed = await ticketLead(c, site, visitor);
  const link = ticketed ? { leadId: ticketed, proof: "ticket" as const } : await visitorLink(c.env.DB, visitor);
  const proof: VisitorProof = link?.proof ?? "none";
  const stub = link ? leadObject(c.env, link.leadId) : c.env.LEADS.getByName(visitorChatName(site.origin, visitor));
  // The object counts what one address does in chat (leads made, model answers) under the key the edge's limits use.
  const query = new URLSearchParams({ site: site.origin, visitor, proof, ...(address ? { client: perClient(address) } : {}) });
  try {
    return await stub.fetch(new Request(`https://lead-object/chat?${query}`, { headers: { Upgrade: "websocket" } }));
  } catch (error) {
    console.error(JSON.stringify({ event: "chat_socket_failed", error: String(error).slice(0, 300) }));
    c.header("retry-after", "30");
    throw new AppError(503, "chat_unavailable", "Chat is unavailable for a moment; try again shortly.");
  }
});
