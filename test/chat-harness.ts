import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { ChatServerMessage, RepChatServerMessage } from "../schemas/chat";
import type { ConversationRow } from "../schemas/d1";
import type { LeadSummary, TimelineEntry } from "../schemas/lead";
import { asOwner } from "./helpers";

/** Sockets to the chat's objects as the edge and the dashboard open them, and what a test reads back. */

export const SITE = "https://chat-site.example";
export const SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
export const human = { userAgent: SAFARI, botAgent: false, network: null, prefetch: false };

export type Frame = ChatServerMessage | RepChatServerMessage;

/** A socket to an object, with the frames it received in order. */
export async function open(name: string, path: string) {
  const response = await env.LEADS.getByName(name).fetch(new Request(`https://lead-object${path}`, { headers: { Upgrade: "websocket" } }));
  expect(response.status).toBe(101);
  const ws = response.webSocket!;
  const frames: Frame[] = [];
  const waiting: (() => void)[] = [];
  let closed = false;
  ws.addEventListener("message", (event) => {
    frames.push(JSON.parse(event.data as string) as Frame);
    for (const wake of waiting.splice(0)) wake();
  });
  ws.addEventListener("close", () => {
    closed = true;
    for (const wake of waiting.splice(0)) wake();
  });
  ws.accept();
  let read = 0;
  const next = async (): Promise<Frame> => {
    while (frames.length <= read) {
      if (closed) throw new Error("socket closed");
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    return frames[read++]!;
  };
  return {
    ws,
    frames,
    next,
    send: (frame: unknown) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    /** Sends a frame and returns the next one received. */
    ask: async (frame: unknown) => {
      ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
      return next();
    },
    closed: () => closed,
  };
}

export const visitorSocket = (name: string, visitor: string, proof: "ticket" | "form" | "none", site = SITE) =>
  open(name, `/chat?${new URLSearchParams({ site, visitor, proof })}`);

export const hello = { t: "hello", page: `${SITE}/pricing`, title: "Pricing" };
export const timelineOf = async (leadId: string) =>
  (
    await runInDurableObject(env.LEADS.getByName(leadId), (_o, state) =>
      state.storage.sql.exec<{ kind: string; data: string }>("SELECT kind, data FROM timeline ORDER BY seq").toArray(),
    )
  ).map((r) => ({ kind: r.kind, ...JSON.parse(r.data) }) as TimelineEntry);
export const chatEntries = async (leadId: string) => (await timelineOf(leadId)).filter((e): e is Extract<TimelineEntry, { kind: "chat_message" }> => e.kind === "chat_message");
export const summary = (leadId: string) => env.LEADS.getByName(leadId).summary() as Promise<LeadSummary>;
export const conversationsOf = async (leadId: string) =>
  (await env.DB.prepare("SELECT * FROM conversations WHERE lead_id = ?").bind(leadId).all<Record<string, unknown>>()).results as unknown as (Omit<
    ConversationRow,
    "captured" | "booked" | "handedOff"
  > & {
    captured: number;
    handed_off: number;
    booked: number;
  })[];

export async function setUpSite(chat: Record<string, unknown> = {}, origin = SITE) {
  const saved = await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin, chat: { enabled: true, sequenceId: null, ...chat } }) });
  expect(saved.status).toBe(200);
}

export async function putKnowledge(id: string, title: string, kind: string, text: string) {
  const response = await asOwner(`/api/knowledge/${id}`, { method: "PUT", body: JSON.stringify({ title, kind, text }) });
  expect(response.ok).toBe(true);
}
