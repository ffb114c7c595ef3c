import type { LeadId } from "../../schemas/lead";
import { hmacSha256, toHex } from "./hmac";
import { sameSecret } from "./same-secret";
import type { TokenKeys } from "./signed-token";

/**
 * Routing addresses that carry a signed lead token in their plus part:
 * `reply+<lead id>-<tag>@<reply domain>`. Hex only, because mail systems may fold the case
 * of a local part, and short enough for the 64-character limit (59 characters).
 */

export type MailboxPurpose = "reply" | "unsubscribe";

const TAG_HEX = 20;

async function tagFor(secret: string, purpose: MailboxPurpose, leadId: LeadId): Promise<string> {
  return toHex(await hmacSha256(secret, `${purpose}:${leadId}`)).slice(0, TAG_HEX);
}

export async function routingAddress(keys: TokenKeys, purpose: MailboxPurpose, leadId: LeadId, domain: string): Promise<string> {
  return `${purpose}+${leadId}-${await tagFor(keys.current.secret, purpose, leadId)}@${domain}`;
}

/** The lead and purpose a routing address was made for, when its tag verifies under a known key. */
export async function readRoutingAddress(keys: TokenKeys, address: string): Promise<{ purpose: MailboxPurpose; leadId: LeadId } | null> {
  const match = /^(reply|unsubscribe)\+([0-9a-f]{32})-([0-9a-f]{20})@/i.exec(address.trim());
  if (!match) return null;
  const [, purpose, leadId, tag] = match.map((part) => part.toLowerCase()) as [string, MailboxPurpose, LeadId, string];
  for (const key of [keys.current, ...keys.previous]) {
    if (await sameSecret(await tagFor(key.secret, purpose, leadId), tag)) return { purpose, leadId };
  }
  return null;
}
