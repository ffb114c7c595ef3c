import { eq, inArray, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { conversations, handOffs, inboundMessages, leads, outbox, reviewQueue, suppressions, touches, visitors } from "../schemas/d1";
import type { LeadId } from "../schemas/lead";
import { leadObject } from "./lead-stub";
import { hashContactEntries, suppress, suppressionHash } from "../services/d1/suppressions";
import { eraseLoggedEvents, loggedEventsOf } from "../services/event-log";

/**
 * Data rights: everything held about one lead, and erasing it everywhere — the object's
 * storage (its full timeline), the D1 projection, the raw-event log's local stand-in,
 * visitor links, messages sent and messages received. Analytics Engine's data points (in
 * production) carry no personal data but the lead id and age out after three months.
 */

/** Inbound mail about the lead: matched to it, or sent from its address. */
const inboundOf = (leadId: LeadId, email: string | null | undefined) =>
  email ? or(eq(inboundMessages.leadId, leadId), eq(inboundMessages.from, email.toLowerCase())) : eq(inboundMessages.leadId, leadId);

async function suppressionValues(secret: string, contacts: { email?: string | null; phone?: string | null }): Promise<string[]> {
  const values: string[] = [];
  if (contacts.email) values.push(contacts.email.toLowerCase(), await suppressionHash(secret, "email", contacts.email));
  if (contacts.phone) values.push(contacts.phone, await suppressionHash(secret, "sms", contacts.phone), await suppressionHash(secret, "whatsapp", contacts.phone));
  return values;
}

/** Every record about the lead, or null when nothing is held. */
export async function exportLead(env: Env, leadId: LeadId, now: number) {
  const held = await leadObject(env, leadId).exportData();
  const d1 = drizzle(env.DB);
  const lead = (await d1.select().from(leads).where(eq(leads.id, leadId)).get()) ?? null;
  if (!held && !lead) return null;
  const profile = held?.state?.profile ?? { email: lead?.email ?? undefined, phone: lead?.phone ?? undefined };
  const values = await suppressionValues(env.LEAD_ID_SECRET, profile);
  const [eventRows, visitorRows, messageRows, inboundRows, suppressionRows, touchRows, handOffRows, reviewRows, conversationRows] = await Promise.all([
    loggedEventsOf(env.DB, leadId),
    d1.select().from(visitors).where(eq(visitors.leadId, leadId)).all(),
    d1.select().from(outbox).where(eq(outbox.leadId, leadId)).all(),
    d1.select().from(inboundMessages).where(inboundOf(leadId, profile.email)).all(),
    values.length > 0 ? d1.select().from(suppressions).where(inArray(suppressions.value, values)).all() : [],
    d1.select().from(touches).where(eq(touches.leadId, leadId)).all(),
    d1.select().from(handOffs).where(eq(handOffs.leadId, leadId)).all(),
    d1.select().from(reviewQueue).where(eq(reviewQueue.leadId, leadId)).all(),
    d1.select().from(conversations).where(eq(conversations.leadId, leadId)).all(),
  ]);
  return {
    exportedAt: now,
    leadId,
    /** What the lead's own object holds: its state (profile, consents, enrolments, pending touches), full timeline and pending items. */
    object: held,
    /** What the cross-lead database holds. */
    database: {
      lead,
      /** The raw-event log's local stand-in (empty where Analytics Engine is bound: the object's timeline is the full record). */
      events: eventRows,
      visitors: visitorRows,
      messages: messageRows,
      inbound: inboundRows,
      suppressions: suppressionRows,
      touches: touchRows,
      handOffs: handOffRows,
      draftsInReview: reviewRows,
      conversations: conversationRows,
    },
  };
}

/**
 * Erases the lead everywhere. An address that opted out (or was otherwise suppressed) stays
 * on the suppression list only as a keyed hash, so it is never contacted again. False when
 * nothing was held.
 */
export async function eraseLead(env: Env, leadId: LeadId, now: number): Promise<boolean> {
  const d1 = drizzle(env.DB);
  const row = await d1.select().from(leads).where(eq(leads.id, leadId)).get();
  const held = await leadObject(env, leadId).erase();
  if (!held && !row) return false;
  const contacts = { email: held?.email ?? row?.email ?? undefined, phone: held?.phone ?? row?.phone ?? undefined };
  // Entries the address already had become hashes, keeping their reason.
  await hashContactEntries(env.DB, env.LEAD_ID_SECRET, contacts, now);
  // The opt-out itself may not have reached D1 yet: the object's word is enough.
  const optedOut = [];
  if (contacts.email && held?.optedOut.email)
    optedOut.push({ channel: "email" as const, value: await suppressionHash(env.LEAD_ID_SECRET, "email", contacts.email), reason: "unsubscribed (lead erased)" });
  for (const channel of ["sms", "whatsapp"] as const) {
    if (contacts.phone && held?.optedOut[channel])
      optedOut.push({ channel, value: await suppressionHash(env.LEAD_ID_SECRET, channel, contacts.phone), reason: "unsubscribed (lead erased)" });
  }
  await suppress(env.DB, optedOut, now);
  await d1.batch([
    eraseLoggedEvents(env.DB, leadId),
    d1.delete(visitors).where(eq(visitors.leadId, leadId)),
    d1.delete(touches).where(eq(touches.leadId, leadId)),
    d1.delete(reviewQueue).where(eq(reviewQueue.leadId, leadId)),
    d1.delete(handOffs).where(eq(handOffs.leadId, leadId)),
    d1.delete(outbox).where(eq(outbox.leadId, leadId)),
    d1.delete(inboundMessages).where(inboundOf(leadId, contacts.email)),
    d1.delete(conversations).where(eq(conversations.leadId, leadId)),
    d1.delete(leads).where(eq(leads.id, leadId)),
  ]);
  // A post of theirs still waiting in the unknown-site queue would bring them back on approval.
  await env.DB.prepare(
    `DELETE FROM unknown_site_posts WHERE (?1 IS NOT NULL AND lower(json_extract(submission, '$.profile.email')) = lower(?1))
       OR (?2 IS NOT NULL AND json_extract(submission, '$.profile.phone') = ?2)`,
  )
    .bind(contacts.email ?? null, contacts.phone ?? null)
    .run();
  return true;
}
