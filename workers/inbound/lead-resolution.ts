import { and, eq, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { events } from "../../schemas/d1";
import type { LeadId } from "../../schemas/lead";
import { leadIdFor } from "../../services/crypto/lead-identity";
import { readRoutingAddress, type MailboxPurpose } from "../../services/crypto/reply-address";
import type { TokenKeys } from "../../services/crypto/signed-token";

export type Resolution = { leadId: LeadId; by: "routing_address" | "thread" | "sender"; purpose: MailboxPurpose };

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
  const byThread = await leadOfMessageIds(env.DB, threadIds);
  if (byThread) return { leadId: byThread, by: "thread", purpose: "reply" };
  if (sender) return { leadId: await leadIdFor(env.LEAD_ID_SECRET, { email: sender }), by: "sender", purpose: "reply" };
  return null;
}

/** The lead one of our sent Message-IDs went to; providers report them with or without angle brackets. */
export async function leadOfMessageIds(db: D1Database, ids: string[]): Promise<LeadId | null> {
  const wanted = [...new Set(ids.slice(-20).flatMap((id) => [id, `<${id}>`]))];
  if (wanted.length === 0) return null;
  const row = await drizzle(db)
    .select({ leadId: events.leadId })
    .from(events)
    .where(and(eq(events.kind, "touch_sent"), inArray(sql`json_extract(${events.data}, '$.messageId')`, wanted)))
    .get();
  return (row?.leadId as LeadId | undefined) ?? null;
}
