import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { conversations, leads, type ConversationRow } from "../../schemas/d1";
import { afterCursor, newestFirst, pageOf } from "./page-cursor";

/**
 * The conversations projection: each object that holds a chat writes its row as a due row,
 * and a conversation that moves writes from two objects. The merge is monotonic (counts and
 * times only grow, flags only turn on, a known lead stays), so rows landing in any order,
 * or twice, end the same.
 */

/** The live list shows the start of the last words; the words themselves stay in the lead's object. */
export const LAST_TEXT_MAX = 200;

export async function upsertConversation(db: D1Database, row: ConversationRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO conversations (id, site_origin, visitor_id, lead_id, started_at, last_at, messages, captured, booked, handed_off, last_text)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
       ON CONFLICT (id) DO UPDATE SET
         lead_id = COALESCE(excluded.lead_id, conversations.lead_id),
         started_at = MIN(conversations.started_at, excluded.started_at),
         last_text = CASE WHEN excluded.last_at >= conversations.last_at THEN excluded.last_text ELSE conversations.last_text END,
         last_at = MAX(conversations.last_at, excluded.last_at),
         messages = MAX(conversations.messages, excluded.messages),
         captured = MAX(conversations.captured, excluded.captured),
         booked = MAX(conversations.booked, excluded.booked),
         handed_off = MAX(conversations.handed_off, excluded.handed_off)`,
    )
    .bind(
      row.id,
      row.siteOrigin,
      row.visitorId,
      row.leadId,
      row.startedAt,
      row.lastAt,
      row.messages,
      row.captured ? 1 : 0,
      row.booked ? 1 : 0,
      row.handedOff ? 1 : 0,
      row.lastText.slice(0, LAST_TEXT_MAX),
    )
    .run();
}

// The dashboard reads the rows: the live list, and what chat brought in for the stats.

/** A conversation with the lead it belongs to, when the visitor is one (name and email from the lead index). */
export type ConversationListing = ConversationRow & { lead: { name: string | null; email: string | null } | null };

export interface ConversationPage {
  conversations: ConversationListing[];
  nextCursor: string | null;
}

/** Newest activity first; a page at a time (the cursor is the last row's activity time and id). */
export async function listConversations(db: D1Database, query: { limit: number; cursor?: string | undefined }): Promise<ConversationPage> {
  const order = { createdAt: conversations.lastAt, id: conversations.id };
  const rows = await drizzle(db)
    .select({ conversation: conversations, lead: { id: leads.id, name: leads.name, email: leads.email } })
    .from(conversations)
    .leftJoin(leads, eq(leads.id, conversations.leadId))
    .where(query.cursor ? afterCursor(order, query.cursor) : undefined)
    .orderBy(...newestFirst(order))
    .limit(query.limit + 1)
    .all();
  const { page, nextCursor } = pageOf(rows, query.limit, (r) => ({ createdAt: r.conversation.lastAt, id: r.conversation.id }));
  return {
    conversations: page.map((r) => ({ ...r.conversation, lead: r.lead?.id ? { name: r.lead.name, email: r.lead.email } : null })),
    nextCursor,
  };
}

/** What chat did in a period: the conversations that started in it, and how many of them captured, booked or handed off a lead. */
export interface ChatFigures {
  conversations: number;
  /** Visitors who gave their details in the chat and became leads. */
  leadsCaptured: number;
  bookings: number;
  handOffs: number;
}

/** The chat figures for a period (a cohort, as the rest of the stats: conversations started in it and what they led to since). */
export function chatFiguresQuery(db: D1Database, period: { from: number; to: number }): D1PreparedStatement {
  // A conversation's activity is never before its start: bounding last_at lets its index cut the scan.
  return db
    .prepare(
      `SELECT count(*) AS conversations, count(DISTINCT CASE WHEN captured THEN lead_id END) AS leadsCaptured,
         coalesce(sum(booked), 0) AS bookings, coalesce(sum(handed_off), 0) AS handOffs
       FROM conversations WHERE last_at >= ?1 AND started_at >= ?1 AND started_at < ?2`,
    )
    .bind(period.from, period.to);
}
