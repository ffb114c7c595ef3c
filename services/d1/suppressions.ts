import { and, eq, or, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { suppressions } from "../../schemas/d1";
import { isTextChannel, type MessageChannel } from "../../schemas/lead";
import { hmacSha256, toHex } from "../crypto/hmac";
import { afterCursor, newestFirst, pageOf } from "./page-cursor";

/**
 * The suppression list: addresses that get nothing more, per channel. An entry is an email
 * address, a whole domain written `@example.com`, an E.164 phone (SMS and WhatsApp each keep
 * their own: a STOP on one leaves the other to its own consent), or — for an erased lead
 * that had opted out — a keyed hash of its address, so it is never contacted again while
 * nothing readable of it is kept.
 */

export type SuppressedChannel = MessageChannel;
export type SuppressionRow = typeof suppressions.$inferSelect;

/** The keyed hash kept for an erased address (LEAD_ID_SECRET never rotates, so the hash stays findable). */
export async function suppressionHash(secret: string, channel: SuppressedChannel, address: string): Promise<string> {
  return `hash:${toHex(await hmacSha256(secret, `suppression:${channel}:${address.trim().toLowerCase()}`))}`;
}

/** What a suppression entry may match for this address: itself, its hash, and for email its whole domain. */
async function candidates(secret: string, channel: SuppressedChannel, address: string): Promise<string[]> {
  const value = address.trim().toLowerCase();
  const found = [value, await suppressionHash(secret, channel, value)];
  const at = value.lastIndexOf("@");
  if (channel === "email" && at > 0) found.push(value.slice(at));
  return found;
}

/**
 * The reason this address gets nothing on this channel, or null. Read at the moment of every
 * send, so it is one statement on the primary key (channel, value), prepared as written:
 * the address, its keyed hash, and for email its domain.
 */
export async function suppressionOf(db: D1Database, secret: string, channel: SuppressedChannel, address: string): Promise<string | null> {
  const [value, hash, domain = null] = await candidates(secret, channel, address);
  const row = await db
    .prepare("SELECT reason, value FROM suppressions WHERE channel = ?1 AND value IN (?2, ?3, ?4) LIMIT 1")
    .bind(channel, value, hash, domain)
    .first<{ reason: string; value: string }>();
  if (!row) return null;
  const what = row.value.startsWith("@") ? `domain ${row.value}` : "address";
  return `suppressed (${what}: ${row.reason})`;
}

/**
 * An owner's entry in its stored form: a lower-cased address, `@domain` for a whole domain
 * (`example.com` works too), or an E.164 phone for SMS and WhatsApp. A string when it cannot be read.
 */
export function normaliseEntry(channel: SuppressedChannel, raw: string, phoneRegion: string): { value: string } | { problem: string } {
  const text = raw.trim().toLowerCase();
  if (isTextChannel(channel)) {
    const phone = parsePhoneNumberFromString(text, phoneRegion.toUpperCase() as CountryCode);
    return phone?.isValid() ? { value: phone.number } : { problem: "not a phone number" };
  }
  if (text.startsWith("hash:") && /^hash:[0-9a-f]{64}$/.test(text)) return { value: text };
  const domain = /^@?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$/.exec(text);
  if (domain) return { value: `@${domain[1]}` };
  if (/^[^@\s]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(text)) return { value: text };
  return { problem: "not an email address or a domain" };
}

/** Adds entries; an entry already there keeps its first reason. Returns how many were new. */
/** Adds entries (an existing one keeps its reason and evidence); `evidence` says what proved it, for the owner who may undo it. */
export async function suppress(db: D1Database, entries: { channel: SuppressedChannel; value: string; reason: string; evidence?: string }[], now: number): Promise<number> {
  let added = 0;
  // D1 binds at most 100 parameters a statement; an entry takes 5.
  for (let i = 0; i < entries.length; i += 20) {
    const rows = entries
      .slice(i, i + 20)
      .map((e) => ({ channel: e.channel, value: e.value, reason: e.reason.slice(0, 200), evidence: e.evidence?.slice(0, 500) ?? null, createdAt: now }));
    const inserted = await drizzle(db).insert(suppressions).values(rows).onConflictDoNothing().returning({ value: suppressions.value }).all();
    added += inserted.length;
  }
  return added;
}

/** The entries listing exactly these addresses (not their domains or hashes), with their reason and evidence. */
export async function suppressionsOf(db: D1Database, addresses: { channel: SuppressedChannel; value: string }[]): Promise<SuppressionRow[]> {
  if (addresses.length === 0) return [];
  return drizzle(db)
    .select()
    .from(suppressions)
    .where(or(...addresses.map((a) => and(eq(suppressions.channel, a.channel), eq(suppressions.value, a.value.trim().toLowerCase())))))
    .all();
}

export async function removeSuppression(db: D1Database, channel: SuppressedChannel, value: string): Promise<boolean> {
  const removed = await drizzle(db)
    .delete(suppressions)
    .where(and(eq(suppressions.channel, channel), eq(suppressions.value, value)))
    .returning({ value: suppressions.value })
    .all();
  return removed.length > 0;
}

export async function listSuppressions(
  db: D1Database,
  query: { channel?: SuppressedChannel; limit: number; cursor?: string },
): Promise<{ suppressions: SuppressionRow[]; nextCursor: string | null }> {
  const conditions: SQL[] = [];
  if (query.channel) conditions.push(eq(suppressions.channel, query.channel));
  // An entry's value is its id: the same value is listed once per channel.
  const columns = { createdAt: suppressions.createdAt, id: suppressions.value };
  if (query.cursor) conditions.push(afterCursor(columns, query.cursor));
  const rows = await drizzle(db)
    .select()
    .from(suppressions)
    .where(and(...conditions))
    .orderBy(...newestFirst(columns))
    .limit(query.limit + 1)
    .all();
  const { page, nextCursor } = pageOf(rows, query.limit, (row) => ({ createdAt: row.createdAt, id: row.value }));
  return { suppressions: page, nextCursor };
}

/**
 * For erasure: the lead's own entries become keyed hashes (the opt-out outlives the data),
 * and nothing readable of its address stays.
 */
export async function hashContactEntries(db: D1Database, secret: string, contacts: { email?: string; phone?: string }, now: number): Promise<void> {
  const owned = [
    ...(contacts.email ? [{ channel: "email" as const, value: contacts.email.toLowerCase() }] : []),
    ...(contacts.phone
      ? [
          { channel: "sms" as const, value: contacts.phone },
          { channel: "whatsapp" as const, value: contacts.phone },
        ]
      : []),
  ];
  for (const { channel, value } of owned) {
    const row = await drizzle(db)
      .select()
      .from(suppressions)
      .where(and(eq(suppressions.channel, channel), eq(suppressions.value, value)))
      .get();
    if (!row) continue;
    await suppress(db, [{ channel, value: await suppressionHash(secret, channel, value), reason: `${row.reason} (lead erased)` }], now);
    await removeSuppression(db, channel, value);
  }
}
