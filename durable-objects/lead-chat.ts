import { chatIntent, REP_WILL_ANSWER } from "../engine/chat/chat-answer";
import { ChatClientMessageSchema, RepChatClientMessageSchema, type VisitorProof } from "../schemas/chat";
import { isVisitorId } from "../services/d1/visitors";
import { answerVisitor, greetVisitor } from "./chat-answers";
import { markConversation, record, send, siteChat, sockets, toVisitor, visitorSockets, type ChatHost } from "./chat-host";
import { chooseChannel, giveContact } from "./chat-intake";
import { chatProof, conversationFor, currentConversation, recentChat, repSpoke, type SocketFacts } from "./chat-storage";
import { queueEffect } from "./lead-storage";

/**
 * The site chat's sockets in an object, on the hibernation API: the object accepts them,
 * each carries what it needs in its attachment, and every handler reads its facts from the
 * attachment and storage, never from fields of the instance (it may have been evicted
 * between two frames). A lead's object holds its lead's chat; an unknown visitor's object
 * (no lead state) holds only the conversation until the visitor gives their details.
 */

/** A page's tabs and a rep or two: more sockets than this is abuse. Counted per visitor, so no browser can crowd out another. */
const MAX_SOCKETS = { visitor: 8, rep: 8 } as const;
/** Every visitor's sockets on one object together: the bound on what strangers can hold open. */
const MAX_VISITOR_SOCKETS = 32;
/** Frames per socket per minute; more get an error frame and cost nothing (no model call, no write). */
const FRAMES_PER_MINUTE = 12;
/** What a rep sees on joining. */
const REP_TRANSCRIPT = 50;
/** An owner alert for a chat waiting on a person goes at most once per conversation in this window. */
const WAITING_ALERT_MS = 10 * 60_000;
const PROOFS: VisitorProof[] = ["ticket", "form", "none"];

/** `https://lead-object/chat?site&visitor&proof` (the edge's) or `https://lead-object/rep-chat` (the dashboard's): a WebSocket upgrade. */
export function acceptChat(host: ChatHost, request: Request): Response {
  const url = new URL(request.url);
  const role = url.pathname === "/chat" ? "visitor" : url.pathname === "/rep-chat" ? "rep" : null;
  if (role === null) return new Response("not found", { status: 404 });
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
  let facts: SocketFacts;
  if (role === "rep") {
    if (host.lead() === null) return new Response("no such lead", { status: 404 });
    facts = { role, sent: [] };
  } else {
    const site = url.searchParams.get("site") ?? "";
    const visitor = url.searchParams.get("visitor");
    const proof = url.searchParams.get("proof") as VisitorProof;
    if (!/^https?:\/\/[^/?#\s]+$/.test(site) || !isVisitorId(visitor) || !PROOFS.includes(proof)) return new Response("site, visitor and proof are required", { status: 400 });
    const client = url.searchParams.get("client")?.slice(0, 64);
    facts = { role, site, visitor, proof: chatProof(host.sql, visitor, proof, host.seams.clock.now()), ...(client ? { client } : {}), sent: [] };
  }
  const open = facts.role === "visitor" ? visitorSockets(host, facts.visitor).length : sockets(host, "rep").length;
  if (open >= MAX_SOCKETS[role] || (role === "visitor" && sockets(host, "visitor").length >= MAX_VISITOR_SOCKETS)) {
    return new Response("too many chat connections", { status: 429 });
  }
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  host.ctx.acceptWebSocket(server, [role]);
  server.serializeAttachment(facts);
  if (role === "rep") for (const line of recentChat(host.sql, REP_TRANSCRIPT)) send(server, { t: "message", ...line });
  return new Response(null, { status: 101, webSocket: client });
}

/** One frame from a socket. Never throws and never closes the socket for a bad frame: it answers with an error frame. */
export async function receiveFrame(host: ChatHost, ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
  const facts = ws.deserializeAttachment() as SocketFacts | null;
  if (!facts) return ws.close(1011, "unknown socket");
  const wallNow = host.seams.clock.wallNow();
  const sent = facts.sent.filter((at) => at > wallNow - 60_000);
  if (sent.length >= FRAMES_PER_MINUTE) return send(ws, { t: "error", code: "rate_limited", message: "Too many messages: wait a minute and try again." });
  const current: SocketFacts = { ...facts, sent: [...sent, wallNow] };
  ws.serializeAttachment(current);
  let data: unknown;
  try {
    if (typeof raw !== "string") throw new Error("binary frame");
    data = JSON.parse(raw);
  } catch {
    return send(ws, { t: "error", code: "bad_frame", message: "A frame is one JSON message." });
  }
  try {
    if (current.role === "rep") return await repFrame(host, ws, data);
    return await visitorFrame(host, ws, current, data);
  } catch (error) {
    console.error(JSON.stringify({ event: "chat_frame_failed", object: host.ctx.id.toString(), error: String(error).slice(0, 300) }));
    send(ws, { t: "error", code: "unavailable", message: "Something went wrong on our side; please try again." });
  }
}

async function visitorFrame(host: ChatHost, ws: WebSocket, facts: Extract<SocketFacts, { role: "visitor" }>, data: unknown): Promise<void> {
  const parsed = ChatClientMessageSchema.safeParse(data);
  if (!parsed.success) return send(ws, { t: "error", code: "invalid", message: parsed.error.issues[0]?.message ?? "not a chat message" });
  const frame = parsed.data;
  // The owner may have turned chat off while this socket stayed open: nothing more is answered or recorded.
  if (frame.t !== "hello" && !(await siteChat(host, facts.site)).enabled) {
    return send(ws, { t: "error", code: "chat_off", message: "Chat is closed on this site now." });
  }
  switch (frame.t) {
    case "hello": {
      const withPage = { ...facts, page: frame.page };
      ws.serializeAttachment(withPage);
      return send(ws, await greetVisitor(host, withPage));
    }
    case "say": {
      // The same words again cost nothing: no write, no model call.
      if (frame.text === facts.last) return send(ws, { t: "error", code: "repeated", message: "You sent that already." });
      ws.serializeAttachment({ ...facts, last: frame.text });
      return visitorSays(host, facts, frame.text);
    }
    case "contact":
      return giveContact(host, ws, facts, frame);
    case "channel":
      return chooseChannel(host, ws, facts, frame);
  }
}

/**
 * Whether a person holds the chat the visitor is writing in: the lead is with a rep, or this
 * conversation (not an earlier one, nor another browser's) was handed off or has a rep's answer.
 */
function heldByRep(host: ChatHost, facts: Extract<SocketFacts, { role: "visitor" }>, now: number): boolean {
  if (host.lead()?.status === "with_rep") return true;
  const conversation = conversationFor(host.sql, facts.site, facts.visitor, null, now, () => "");
  return conversation.handedOff || (conversation.id !== "" && repSpoke(host.sql, conversation.id));
}

async function visitorSays(host: ChatHost, facts: Extract<SocketFacts, { role: "visitor" }>, text: string): Promise<void> {
  const now = host.seams.clock.now();
  const held = heldByRep(host, facts, now);
  await record(host, facts, "visitor", text, (row) => {
    // Nobody watching the lead's chat: the owner hears of the waiting visitor (at most once per window).
    if (held && sockets(host, "rep").length === 0 && host.lead()) {
      const key = `chat-alert:${row.id}:${Math.floor(now / WAITING_ALERT_MS)}`;
      queueEffect(host.sql, key, { kind: "alert", reason: "notice", message: `The lead is waiting in the site chat on ${facts.site}: “${text.slice(0, 300)}”`, key }, now);
    }
  });
  // A stop is answered (and quiets the widget) even while a person holds the chat.
  if (held && chatIntent(text).intent !== "stop") return toVisitor(host, facts.visitor, { t: "handed_off", text: REP_WILL_ANSWER });
  // The message itself may have handed the lead off (buying intent, a decision-maker): the conversation counts as a chat hand-off.
  if (host.lead()?.status === "with_rep") await host.commit(null, () => markConversation(host, { handedOff: true }, now));
  const reply = await answerVisitor(host, facts, text);
  if (reply.t === "answer" || reply.t === "handed_off") await record(host, facts, "assistant", reply.text);
  toVisitor(host, facts.visitor, reply);
}

/** A rep's frame: their words reach the visitor's sockets and the timeline. */
async function repFrame(host: ChatHost, ws: WebSocket, data: unknown): Promise<void> {
  const parsed = RepChatClientMessageSchema.safeParse(data);
  if (!parsed.success) return send(ws, { t: "error", code: "invalid", message: parsed.error.issues[0]?.message ?? "not a chat message" });
  const conversation = currentConversation(host.sql);
  if (!conversation) return send(ws, { t: "error", code: "no_conversation", message: "The lead has not chatted yet." });
  await record(host, { site: conversation.siteOrigin, visitor: conversation.visitorId, proof: "none" }, "rep", parsed.data.text);
  // The rep answers the conversation's visitor, not every browser a form post may have linked to the lead.
  toVisitor(host, conversation.visitorId, { t: "answer", from: "rep", text: parsed.data.text });
}

/** A hibernating socket closed: answer the close (the runtime wants it echoed); nothing else is held for it. */
export function closeSocket(ws: WebSocket, code: number): void {
  try {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
  } catch {
    // Already closed.
  }
}
