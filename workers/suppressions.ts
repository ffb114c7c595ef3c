import { and, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { suppressions } from "../schemas/d1";

export type SuppressedChannel = "email" | "sms";

/** What a suppression entry may match for this address: itself, and for email its whole domain. */
function candidates(channel: SuppressedChannel, address: string): string[] {
  const value = address.trim().toLowerCase();
  if (channel === "sms") return [value];
  const at = value.lastIndexOf("@");
  return at > 0 ? [value, value.slice(at)] : [value];
}

/** The reason this address gets nothing on this channel, or null. Read at the moment of every send. */
export async function suppressionOf(db: D1Database, channel: SuppressedChannel, address: string): Promise<string | null> {
  const row = await drizzle(db)
    .select({ reason: suppressions.reason, value: suppressions.value })
    .from(suppressions)
    .where(and(eq(suppressions.channel, channel), inArray(suppressions.value, candidates(channel, address))))
    .get();
  return row ? `suppressed (${row.value.startsWith("@") ? `domain ${row.value}` : "address"}: ${row.reason})` : null;
}
