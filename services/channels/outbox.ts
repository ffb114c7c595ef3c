import { and, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { outbox, type OutboxRow } from "../../schemas/d1";
import { describeTemplate } from "../../engine/sequence/whatsapp-session";
import { afterCursor, newestFirst, pageOf } from "../d1/page-cursor";
import type { EmailOut, EmailTransport, SendResult, SmsOut, SmsTransport, WhatsappOut, WhatsappTransport } from "./transport";

/**
 * The local default transport: messages are kept in D1 for the owner to read instead of
 * being sent. Keyed by the idempotency key, so a retried touch is stored once.
 */
export function outboxTransport(db: D1Database, now: () => number): EmailTransport & SmsTransport & WhatsappTransport {
  async function keep(row: Omit<OutboxRow, "createdAt">): Promise<SendResult> {
    await drizzle(db)
      .insert(outbox)
      .values({ ...row, createdAt: now() })
      .onConflictDoNothing();
    return { ok: true, messageId: row.messageId };
  }
  return {
    name: "outbox",
    sendEmail: (m: EmailOut, key: string, leadId: string) =>
      keep({
        id: key,
        leadId,
        channel: "email",
        from: `${m.from.name} <${m.from.email}>`,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        headers: { "Message-ID": m.messageId, ...(m.replyTo ? { "Reply-To": m.replyTo } : {}), ...m.headers },
        messageId: m.messageId,
      }),
    sendSms: (m: SmsOut, key: string, leadId: string) =>
      keep({ id: key, leadId, channel: "sms", from: m.from, to: m.to, subject: null, text: m.text, html: null, headers: {}, messageId: `sms:${key}` }),
    // A template is recorded as Twilio would get it: its Content SID and variables, as headers.
    sendWhatsapp: (m: WhatsappOut, key: string, leadId: string) =>
      keep({
        id: key,
        leadId,
        channel: "whatsapp",
        from: `whatsapp:${m.from}`,
        to: `whatsapp:${m.to}`,
        subject: null,
        text: "template" in m ? describeTemplate(m.template) : m.text,
        html: null,
        headers: "template" in m ? { ContentSid: m.template.contentSid, ContentVariables: JSON.stringify(m.template.variables) } : {},
        messageId: `whatsapp:${key}`,
      }),
  };
}

export interface OutboxPage {
  messages: OutboxRow[];
  nextCursor: string | null;
}

/** Newest first; the cursor is the last row's (created_at, id). */
export async function listOutbox(db: D1Database, query: { leadId?: string; limit: number; cursor?: string }): Promise<OutboxPage> {
  const conditions = [];
  if (query.leadId) conditions.push(eq(outbox.leadId, query.leadId));
  if (query.cursor) conditions.push(afterCursor(outbox, query.cursor));
  const rows = await drizzle(db)
    .select()
    .from(outbox)
    .where(and(...conditions))
    .orderBy(...newestFirst(outbox))
    .limit(query.limit + 1)
    .all();
  const { page, nextCursor } = pageOf(rows, query.limit, (row) => row);
  return { messages: page, nextCursor };
}

export async function outboxMessage(db: D1Database, id: string): Promise<OutboxRow | undefined> {
  return drizzle(db).select().from(outbox).where(eq(outbox.id, id)).get();
}
