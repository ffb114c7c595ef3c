import type { ConversationRow } from "../../schemas/d1";

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
