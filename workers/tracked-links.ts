import type { LeadId } from "../schemas/lead";
import { ClickTicketSchema, ClickTokenSchema, OpenTokenSchema, type ClickToken, type OpenToken } from "../schemas/tracking";
import { signToken, verifyToken, type TokenKeys } from "./signed-token";

/** Query parameter that carries a click ticket to the owner's site, where the snippet reads it. */
export const TICKET_PARAM = "fu_t";

export const openToken = (keys: TokenKeys, open: OpenToken) => signToken(keys, OpenTokenSchema.parse(open));
export const clickToken = (keys: TokenKeys, click: ClickToken) => signToken(keys, ClickTokenSchema.parse(click));
export const readOpenToken = (keys: TokenKeys, token: string) => verifyToken(keys, token, OpenTokenSchema);
export const readClickToken = (keys: TokenKeys, token: string) => verifyToken(keys, token, ClickTokenSchema);

export const clickTicket = (keys: TokenKeys, leadId: LeadId) => signToken(keys, { t: "ticket", l: leadId });
export async function readClickTicket(keys: TokenKeys, ticket: string): Promise<LeadId | null> {
  return (await verifyToken(keys, ticket, ClickTicketSchema))?.l ?? null;
}

/** Where a click goes: exactly the signed destination, plus a ticket when it is the owner's own site. */
export async function destinationOf(keys: TokenKeys, click: ClickToken): Promise<string> {
  if (!click.o) return click.u;
  const url = new URL(click.u);
  url.searchParams.set(TICKET_PARAM, await clickTicket(keys, click.l));
  return url.toString();
}
