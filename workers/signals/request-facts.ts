import { isbot } from "isbot";
import type { RequestFacts } from "../../schemas/tracking";
import { networkOwner } from "./network-owner";

/** A missing agent is a script, not a person's mail client or browser. */
export const isBotAgent = (userAgent: string) => userAgent === "" || isbot(userAgent);

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
