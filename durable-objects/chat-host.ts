import type { ChatProof, LeadEvent, LeadState } from "../engine/lead/lead-state";
import { CHAT_OFF, type ChatServerMessage, type ChatSettings, type RepChatServerMessage } from "../schemas/chat";
import type { ConversationRow } from "../schemas/d1";
import type { TimelineEntry } from "../schemas/lead";
import type { Settings } from "../schemas/settings";
import { LAST_TEXT_MAX } from "../services/d1/conversations";
import { knownSites } from "../services/d1/sites";
import { appendChat, conversationFor, currentConversation, saveConversation, type ChatLine, type ChatSpeaker } from "./chat-storage";
import type { LeadObjectSeams } from "./lead-seams";
import { queueEffect } from "./lead-storage";

/**
 * What the chat modules share: the object as the chat sees it, sending to its sockets, and
 * writing a message (timeline, chat, conversation row) in one transaction.
 */

/** The chat proved the visitor is the lead: a click ticket, or the lead was created in this chat. */
export const proven = (facts: { proof: ChatProof }) => facts.proof === "ticket" || facts.proof === "chat";

/** What the chat needs of its object. */
export interface ChatHost {
  readonly ctx: DurableObjectState;
  readonly sql: SqlStorage;
  readonly seams: LeadObjectSeams;
  lead(): LeadState | null;
  timeline(): TimelineEntry[];
  /** Applies the event (nothing when there is no lead, or none given) and runs `alongside` in the same transaction; the effects run from the drain. */
  commit(event: LeadEvent | null, alongside?: () => void): Promise<void>;
  settings(): Promise<Settings>;
}

export function send(ws: WebSocket, message: ChatServerMessage | RepChatServerMessage): void {
  try {
    ws.send(JSON.stringify(message));
  } catch {
    // A socket closing under us: its handler will clean up.
  }
}

export const sockets = (host: ChatHost, role: "visitor" | "rep") => host.ctx.getWebSockets(role);
export const broadcast = (host: ChatHost, role: "visitor" | "rep", message: ChatServerMessage | RepChatServerMessage) => {
  for (const ws of sockets(host, role)) send(ws, message);
};

/** One visitor's sockets (their tabs): a lead's object may also hold a stranger's socket that a form post linked. */
export const visitorSockets = (host: ChatHost, visitor: string) =>
  sockets(host, "visitor").filter((ws) => (ws.deserializeAttachment() as { visitor?: string } | null)?.visitor === visitor);

/** What is said to a visitor reaches their own tabs only, never another browser chatting with the same lead. */
export const toVisitor = (host: ChatHost, visitor: string, message: ChatServerMessage) => {
  for (const ws of visitorSockets(host, visitor)) send(ws, message);
};

/** The site's chat settings as the owner saved them (off when the site is unknown). */
export async function siteChat(host: ChatHost, site: string): Promise<ChatSettings> {
  return (await knownSites(host.seams.env.DB, host.seams.clock.wallNow())).get(site)?.chat ?? CHAT_OFF;
}

/**
 * Writes one message: on the lead's timeline (through the engine, with the chat's proof),
 * in the object's chat, and its conversation's D1 row as a due row, in one transaction;
 * then to the rep sockets. `alongside` adds to the transaction. The row is counted inside
 * the transaction: another frame may have been recorded while this one waited.
 */
export async function record(
  host: ChatHost,
  facts: { site: string; visitor: string; proof: ChatProof },
  from: ChatSpeaker,
  text: string,
  alongside?: (row: ConversationRow) => void,
): Promise<void> {
  const now = host.seams.clock.now();
  const leadId = host.lead()?.id ?? null;
  const id = conversationFor(host.sql, facts.site, facts.visitor, leadId, now, () => crypto.randomUUID()).id;
  const line: ChatLine = { from, text, at: now };
  await host.commit({ kind: "chat_message", from, text, siteOrigin: facts.site, conversationId: id, proof: facts.proof }, () => {
    const current = conversationFor(host.sql, facts.site, facts.visitor, leadId, now, () => id);
    const row: ConversationRow = { ...current, leadId: current.leadId ?? leadId, lastAt: now, messages: current.messages + 1, lastText: text.slice(0, LAST_TEXT_MAX) };
    appendChat(host.sql, row.id, line);
    projectConversation(host, row, now);
    alongside?.(row);
  });
  broadcast(host, "rep", { t: "message", ...line });
}

/** Saves the conversation and queues its D1 row (a newer row replaces a queued one). Inside a transaction. */
export function projectConversation(host: ChatHost, row: ConversationRow, now: number): void {
  saveConversation(host.sql, row);
  queueEffect(host.sql, `conversation:${row.id}`, { kind: "conversation", row }, now);
}

/** Marks the conversation in progress (as it stands now: inside a transaction). */
export function markConversation(host: ChatHost, mark: Partial<Pick<ConversationRow, "booked" | "handedOff">>, now: number): void {
  const conversation = currentConversation(host.sql);
  if (conversation) projectConversation(host, { ...conversation, ...mark }, now);
}

/** The lead booked: a chat in the last week gets the credit (the chat stats' "bookings from chat"). */
export function creditBooking(host: ChatHost, now: number): void {
  const conversation = currentConversation(host.sql);
  if (conversation && !conversation.booked && now - conversation.lastAt <= 7 * 86_400_000) markConversation(host, { booked: true }, now);
}
