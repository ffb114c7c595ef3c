import type { LeadId } from "../../schemas/lead";
import { ClickTicketSchema, ClickTokenSchema, OpenTokenSchema, ReconsentTokenSchema, UnsubscribeTokenSchema, type ClickToken, type OpenToken } from "../../schemas/tracking";
import { signToken, verifyToken, type TokenKeys } from "./signed-token";

/** Query parameter that carries a click ticket to the owner's site, where the snippet reads it. */
export const TICKET_PARAM = "fu_t";

export const openToken = (keys: TokenKeys, open: OpenToken) => signToken(keys, "open", OpenTokenSchema.parse(open));
export const clickToken = (keys: TokenKeys, click: ClickToken) => signToken(keys, "click", ClickTokenSchema.parse(click));
export const readOpenToken = (keys: TokenKeys, token: string) => verifyToken(keys, "open", token, OpenTokenSchema);
export const readClickToken = (keys: TokenKeys, token: string) => verifyToken(keys, "click", token, ClickTokenSchema);

/**
 * A tracked link for a message: the destination is signed in, and a link to one of the
 * owner's configured sites is marked so the redirect adds a click ticket for the snippet.
 */
export async function trackLink(
  keys: TokenKeys,
  siteOrigins: ReadonlySet<string>,
  link: { leadId: LeadId; messageId: string; sentAt: number; index: number; url: string; honeypot?: boolean },
): Promise<string> {
  const ownSite = siteOrigins.has(new URL(link.url).origin.toLowerCase());
  return clickToken(keys, {
    l: link.leadId,
    m: link.messageId,
    s: link.sentAt,
    i: link.index,
    u: link.url,
    ...(link.honeypot ? { h: 1 as const } : {}),
    ...(ownSite ? { o: 1 as const } : {}),
  });
}

export const clickTicket = (keys: TokenKeys, leadId: LeadId) => signToken(keys, "click-ticket", { t: "ticket", l: leadId });
export async function readClickTicket(keys: TokenKeys, ticket: string): Promise<LeadId | null> {
  return (await verifyToken(keys, "click-ticket", ticket, ClickTicketSchema))?.l ?? null;
}

/** Where a click goes: exactly the signed destination, plus a ticket when it is the owner's own site. */
export async function destinationOf(keys: TokenKeys, click: ClickToken): Promise<string> {
  if (!click.o) return click.u;
  const url = new URL(click.u);
  url.searchParams.set(TICKET_PARAM, await clickTicket(keys, click.l));
  return url.toString();
}

export const unsubscribeToken = (keys: TokenKeys, leadId: LeadId) => signToken(keys, "unsubscribe", { t: "unsub", l: leadId });
export async function readUnsubscribeToken(keys: TokenKeys, token: string): Promise<LeadId | null> {
  return (await verifyToken(keys, "unsubscribe", token, UnsubscribeTokenSchema))?.l ?? null;
}

/** The confirmation link of a re-consent email: only the address's owner, who received it, can use it. */
export const reconsentToken = (keys: TokenKeys, leadId: LeadId, withdrawnAt: number) =>
  signToken(keys, "reconsent", ReconsentTokenSchema.parse({ t: "reconsent", l: leadId, w: withdrawnAt }));
export async function readReconsentToken(keys: TokenKeys, token: string): Promise<{ leadId: LeadId; withdrawnAt: number } | null> {
  const read = await verifyToken(keys, "reconsent", token, ReconsentTokenSchema);
  return read ? { leadId: read.l, withdrawnAt: read.w } : null;
}
