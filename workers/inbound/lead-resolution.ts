import { and, eq, inArray, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { leads, touches } from "../../schemas/d1";
import type { LeadId } from "../../schemas/lead";
import type { ReportReferences } from "../../engine/inbound/report-references";
import type { SentMessage } from "../../engine/inbound/answered-touch";
import { leadIdFor } from "../../services/crypto/lead-identity";
import { readRoutingAddress, type MailboxPurpose } from "../../services/crypto/reply-address";
import type { TokenKeys } from "../../services/crypto/signed-token";

/**
 * `routing_address` is proof by itself (its tag is signed); `thread` and `sender` only say
 * which lead a message is about, and the handler acts on them only when the receiving side
 * authenticated the sender.
 */
export type Resolution = { leadId: LeadId; by: "routing_address" | "thread" | "sender"; purpose: MailboxPurpose; messageId?: string };

/**
 * Which lead a message is about, in order of trust: the signed token in the routing
 * address it was sent to; the Message-IDs it answers (In-Reply-To, References — clients
 * drop or rewrite one or the other, so both); the sender's address. Null when none.
 */
export async function resolveLead(
  env: Pick<Env, "DB" | "LEAD_ID_SECRET">,
  keys: TokenKeys | undefined,
  recipients: string[],
  threadIds: string[],
  sender: string | null,
): Promise<Resolution | null> {
  if (keys) {
    for (const address of recipients) {
      const routed = await readRoutingAddress(keys, address);
      if (routed) return { leadId: routed.leadId, by: "routing_address", purpose: routed.purpose };
    }
  }
  const byThread = await sentMessage(env.DB, threadIds);
  if (byThread) return { leadId: byThread.leadId, by: "thread", purpose: "reply", messageId: byThread.messageId };
  if (sender) return { leadId: await leadIdFor(env.LEAD_ID_SECRET, { email: sender }), by: "sender", purpose: "reply" };
  return null;
}

/** A touch row's key: its id is `<leadId>:<touch key>`. */
const keyOf = (leadId: string, touchId: string) => touchId.slice(leadId.length + 1);

/** The first of these ids that is a Message-ID we sent (a touch row's), and its lead; providers report them with or without angle brackets. */
async function sentMessage(db: D1Database, ids: string[]): Promise<{ leadId: LeadId; messageId: string } | null> {
  const wanted = [...new Set(ids.slice(-20).flatMap((id) => [id, `<${id}>`]))];
  if (wanted.length === 0) return null;
  const row = await drizzle(db).select({ leadId: touches.leadId, messageId: touches.messageId }).from(touches).where(inArray(touches.messageId, wanted)).get();
  return row?.messageId ? { leadId: row.leadId as LeadId, messageId: row.messageId } : null;
}

/** The touch that went out with this Message-ID: its lead, touch key and address; null when we sent no such message. */
export async function touchOfMessage(db: D1Database, messageId: string): Promise<SentTouchOfLead | null> {
  const bare = messageId.replace(/^<|>$/g, "");
  return sentTouchWhere(db, inArray(touches.messageId, [bare, `<${bare}>`]));
}

/** The touch a provider's own id for the message names (recorded when the provider accepted it). */
export async function touchOfProviderId(db: D1Database, providerId: string): Promise<SentTouchOfLead | null> {
  return sentTouchWhere(db, eq(touches.providerId, providerId));
}

export interface SentTouchOfLead {
  leadId: LeadId;
  key: string;
  to: string;
  messageId: string;
}

async function sentTouchWhere(db: D1Database, match: SQL): Promise<SentTouchOfLead | null> {
  const row = await drizzle(db).select({ id: touches.id, leadId: touches.leadId, messageId: touches.messageId, to: touches.sentTo }).from(touches).where(match).get();
  if (!row?.messageId || row.to === null) return null;
  return { leadId: row.leadId as LeadId, key: keyOf(row.leadId, row.id), to: row.to, messageId: row.messageId };
}

/** Which of these ids are Message-IDs we sent the lead (its touch rows), with the touch each carried. */
export async function sentToLead(db: D1Database, leadId: LeadId, ids: string[]): Promise<SentMessage[]> {
  const wanted = [...new Set(ids.slice(0, 20).flatMap((id) => [id, `<${id}>`]))];
  if (wanted.length === 0) return [];
  const rows = await drizzle(db)
    .select({ id: touches.id, messageId: touches.messageId })
    .from(touches)
    .where(and(eq(touches.leadId, leadId), inArray(touches.messageId, wanted)))
    .all();
  return rows.flatMap((row) => (row.messageId ? [{ messageId: row.messageId, key: keyOf(leadId, row.id) }] : []));
}

/**
 * The lead a bounce or complaint about `address` is proven to be about, and what proved it;
 * null when nothing ties it to a message we sent to that address. Anyone can write a
 * report naming any address, so the report must carry something only our own message to
 * that address had: a Message-ID we sent (checked against the touches we recorded), a
 * signed routing address (our Reply-To or List-Unsubscribe mailto, or the address the
 * report was sent to), or our `X-Follow-Up-Touch` header naming a touch we sent there.
 */
export async function proveReport(
  env: Pick<Env, "DB" | "LEAD_ID_SECRET">,
  keys: TokenKeys | undefined,
  references: ReportReferences,
  recipients: string[],
  address: string,
): Promise<{ leadId: LeadId; evidence: string } | null> {
  const addressLead = await leadIdFor(env.LEAD_ID_SECRET, { email: address });
  const sent = await sentMessage(env.DB, references.messageIds);
  if (sent && sent.leadId === addressLead) return { leadId: addressLead, evidence: `returned our Message-ID ${sent.messageId.replace(/^<?/, "<").replace(/>?$/, ">")}` };
  if (keys) {
    for (const routing of [...references.routingAddresses, ...recipients]) {
      const routed = await readRoutingAddress(keys, routing);
      if (routed?.leadId === addressLead) return { leadId: addressLead, evidence: `returned our signed ${routed.purpose} address` };
    }
  }
  if (references.touchKeys.length > 0) {
    const ids = references.touchKeys.map((key) => `${addressLead}:${key}`);
    const touch = await drizzle(env.DB).select({ id: touches.id }).from(touches).where(inArray(touches.id, ids)).get();
    if (touch) return { leadId: addressLead, evidence: `returned our X-Follow-Up-Touch ${touch.id.slice(addressLead.length + 1)}` };
  }
  return null;
}

/** Whether the lead is in the D1 index: an unproven message names it only as a candidate. */
export async function isLead(db: D1Database, leadId: LeadId): Promise<boolean> {
  return (await drizzle(db).select({ id: leads.id }).from(leads).where(eq(leads.id, leadId)).get()) !== undefined;
}
