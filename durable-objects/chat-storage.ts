import type { ConversationRow } from "../schemas/d1";
import type { ChatProof } from "../engine/lead/lead-state";
import type { VisitorProof } from "../schemas/chat";
import { readMeta, writeMeta } from "./lead-storage";

/**
 * The chat's own storage in an object: the messages the sockets replay (bounded), the
 * conversation in progress (its D1 row as last projected), and which visitor created the
 * lead in chat. Everything a socket handler needs is read from here or from the socket's
 * attachment: the object may have been evicted since the last frame.
 */

export type ChatSpeaker = "visitor" | "assistant" | "rep";
export interface ChatLine {
  from: ChatSpeaker;
  text: string;
  at: number;
}

/** The messages an object keeps for its sockets; the lead's timeline keeps all of them. */
const KEPT_MESSAGES = 200;
/** A chat silent this long is over: the next message starts a new conversation (a new row in the live list). */
const CONVERSATION_GAP_MS = 12 * 3_600_000;
const CONVERSATION = "chat:conversation";
const CREATED_BY = "chat:created_by";

/** What each socket carries through hibernation: who is on it and its recent sends (for the rate limit). */
/** `client`: the edge's rate-limit key for the visitor's address, when it came from the internet. */
export type SocketFacts =
  | { role: "visitor"; site: string; visitor: string; proof: ChatProof; client?: string; page?: string; sent: number[]; last?: string }
  | { role: "rep"; sent: number[] };

export function appendChat(sql: SqlStorage, conversationId: string, line: ChatLine): void {
  sql.exec("INSERT INTO chat_message (conversation_id, from_who, text, at) VALUES (?, ?, ?, ?)", conversationId, line.from, line.text, line.at);
  sql.exec("DELETE FROM chat_message WHERE seq <= (SELECT MAX(seq) FROM chat_message) - ?", KEPT_MESSAGES);
}

export function recentChat(sql: SqlStorage, limit: number): ChatLine[] {
  return sql
    .exec<{ from_who: ChatSpeaker; text: string; at: number }>("SELECT from_who, text, at FROM chat_message ORDER BY seq DESC LIMIT ?", limit)
    .toArray()
    .reverse()
    .map((r) => ({ from: r.from_who, text: r.text, at: r.at }));
}

/** The conversation's messages, oldest first (what moves with a visitor who becomes a lead). */
export function conversationLines(sql: SqlStorage, conversationId: string): ChatLine[] {
  return sql
    .exec<{ from_who: ChatSpeaker; text: string; at: number }>("SELECT from_who, text, at FROM chat_message WHERE conversation_id = ? ORDER BY seq", conversationId)
    .toArray()
    .map((r) => ({ from: r.from_who, text: r.text, at: r.at }));
}

/** Whether a rep has spoken in the conversation: from then on a person holds it, not the assistant. */
export function repSpoke(sql: SqlStorage, conversationId: string): boolean {
  return sql.exec("SELECT 1 FROM chat_message WHERE conversation_id = ? AND from_who = 'rep' LIMIT 1", conversationId).toArray().length > 0;
}

export function currentConversation(sql: SqlStorage): ConversationRow | undefined {
  const stored = readMeta(sql, CONVERSATION);
  return stored === undefined ? undefined : (JSON.parse(stored) as ConversationRow);
}

export function saveConversation(sql: SqlStorage, row: ConversationRow): void {
  writeMeta(sql, CONVERSATION, JSON.stringify(row));
}

/** The conversation this visitor's message belongs to: the one in progress, or a new one after a gap or for another visitor. */
export function conversationFor(sql: SqlStorage, site: string, visitor: string, leadId: string | null, now: number, newId: () => string): ConversationRow {
  const current = currentConversation(sql);
  if (current && current.siteOrigin === site && current.visitorId === visitor && now - current.lastAt < CONVERSATION_GAP_MS) return current;
  return { id: newId(), siteOrigin: site, visitorId: visitor, leadId, startedAt: now, lastAt: now, messages: 0, captured: false, booked: false, handedOff: false, lastText: "" };
}

/** A visitor who became a lead: the conversation moved out, nothing of it stays here. */
export function clearChat(sql: SqlStorage): void {
  sql.exec("DELETE FROM chat_message");
  sql.exec("DELETE FROM meta WHERE key = ?", CONVERSATION);
}

export function markCreatedBy(sql: SqlStorage, visitor: string, conversationId: string): void {
  writeMeta(sql, CREATED_BY, JSON.stringify({ visitor, conversationId }));
}

/**
 * The proof a chat holds: the edge's, raised to `chat` for the visitor whose chat created
 * this lead — in that conversation only. Typing an address proves nothing about whose it is:
 * once the conversation is over (12 silent hours), the real person may have written since,
 * and only a click ticket proves the visitor again.
 */
export function chatProof(sql: SqlStorage, visitor: string, proof: VisitorProof, now: number): ChatProof {
  if (proof === "ticket") return proof;
  const stored = readMeta(sql, CREATED_BY);
  const created = stored?.startsWith("{") ? (JSON.parse(stored) as { visitor: string; conversationId: string }) : null;
  const current = currentConversation(sql);
  const ongoing = created !== null && created.visitor === visitor && current?.id === created.conversationId && now - current.lastAt < CONVERSATION_GAP_MS;
  return ongoing ? "chat" : proof;
}
