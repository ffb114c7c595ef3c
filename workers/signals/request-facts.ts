import { isbot } from "isbot";
import type { RequestFacts } from "../../schemas/tracking";
import { networkOwner } from "./network-owner";

/**
 * Mail clients isbot takes for bots because their agent is a bare name and version: eM Client,
 * Outlook's Office renderers ("Microsoft Office Word 2013 …"), Evolution, Yahoo's mobile app.
 * They open mail for a person, so they are let through before isbot is asked. Office's link
 * probes ("Microsoft Office Protocol Discovery") are not clients and stay machines.
 */
const MAIL_CLIENT = /^(eM Client\/\d|Microsoft Office (Word|Excel|PowerPoint|Outlook) \d{4}\b|Evolution\/\d|YahooMobileMail\/\d)/;

/** A missing agent is a script, not a person's mail client or browser. */
export const isBotAgent = (userAgent: string) => userAgent === "" || (!MAIL_CLIENT.test(userAgent) && isbot(userAgent));

/** What a tracking request says about who sent it: agent, network, and whether it is a prefetch. */
export function requestFacts(request: Request): RequestFacts {
  const userAgent = (request.headers.get("user-agent") ?? "").slice(0, 1024);
  const purpose = `${request.headers.get("sec-purpose") ?? ""} ${request.headers.get("purpose") ?? ""} ${request.headers.get("x-moz") ?? ""}`;
  return {
    userAgent,
    botAgent: isBotAgent(userAgent),
    network: networkOwner(request.headers.get("cf-connecting-ip") ?? undefined),
    prefetch: request.method === "HEAD" || /prefetch|prerender/i.test(purpose),
  };
}
