import type { InboundMessage } from "./message";

/**
 * Whether the receiving side vouches for the `From:` of an inbound message. Cloudflare
 * Email Routing checks SPF, DKIM and DMARC on the way in and prepends its verdicts to the
 * message it hands the Worker: `Received-SPF`, `ARC-Authentication-Results: i=N;
 * mx.cloudflare.net; …` and `Authentication-Results: mx.cloudflare.net; dkim=pass
 * header.d=…; dmarc=pass header.from=…; spf=pass smtp.mailfrom=…`.
 *
 * Only the topmost `Authentication-Results` is read, and only when its authserv-id is the
 * receiver's (`mx.cloudflare.net`): every field below it was already in the message when it
 * reached Cloudflare, so the sender (or any relay on the way) wrote it and can write
 * `dmarc=pass` as easily as anything else (RFC 8601 §7). Email Routing always adds its own
 * field on top, so a forged field with our authserv-id sits under it and is never the one
 * read.
 */

/** The authserv-id Email Routing stamps on its verdicts. */
export const RECEIVER_AUTHSERV_ID = "mx.cloudflare.net";

export type SenderAuthentication = { verified: true; method: "dmarc" | "spf" | "dkim"; evidence: string } | { verified: false; reason: string };

type MethodResult = { method: string; result: string; properties: Map<string, string> };

/** RFC 8601 results, comments removed: `authserv-id; method=result prop=value …; …`. */
export function parseAuthenticationResults(value: string): { authservId: string; results: MethodResult[] } {
  const clean = value
    .slice(0, 8000)
    .replace(/\([^()]*\)/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const [head = "", ...rest] = clean.split(";");
  const authservId = head.trim().split(" ")[0]!.toLowerCase();
  const results: MethodResult[] = [];
  for (const part of rest) {
    const tokens = part.trim().split(" ").filter(Boolean);
    const first = /^([a-z0-9_-]+)=([a-z]+)$/i.exec(tokens[0] ?? "");
    if (!first) continue;
    const properties = new Map<string, string>();
    for (const token of tokens.slice(1)) {
      const prop = /^([a-z0-9_.-]+)=("?)(.*)\2$/i.exec(token);
      if (prop) properties.set(prop[1]!.toLowerCase(), prop[3]!.toLowerCase());
    }
    results.push({ method: first[1]!.toLowerCase(), result: first[2]!.toLowerCase(), properties });
  }
  return { authservId, results };
}

const domainOf = (value: string | undefined): string => (value ?? "").slice((value ?? "").lastIndexOf("@") + 1).replace(/\.$/, "");

/**
 * Relaxed alignment (DMARC's default) without the public suffix list: the same domain or one
 * a subdomain of the other. Stricter than DMARC for unrelated subdomains of one
 * organisation, never looser.
 */
function aligned(fromDomain: string, other: string): boolean {
  if (!fromDomain || !other) return false;
  return fromDomain === other || fromDomain.endsWith(`.${other}`) || other.endsWith(`.${fromDomain}`);
}

/** DMARC pass, or SPF or DKIM pass aligned with the From domain, in the receiver's own verdicts; else why not. */
export function senderAuthentication(message: InboundMessage): SenderAuthentication {
  const fromDomain = domainOf(message.from ?? "");
  if (!message.from || !fromDomain) return { verified: false, reason: "no From address" };
  const topmost = message.headers.get("authentication-results");
  if (!topmost) return { verified: false, reason: "no Authentication-Results from the receiving side" };
  const { authservId, results } = parseAuthenticationResults(topmost);
  if (authservId !== RECEIVER_AUTHSERV_ID)
    return { verified: false, reason: `the topmost Authentication-Results is from ${authservId.slice(0, 100) || "nobody"}, not ${RECEIVER_AUTHSERV_ID}` };
  const pass = (method: string) => results.filter((r) => r.method === method && r.result === "pass");
  // A pass counts only for the From domain it names: a bare "dmarc=pass" may be text a sender smuggled into another property.
  const dmarc = pass("dmarc").find((r) => r.properties.has("header.from") && aligned(fromDomain, r.properties.get("header.from")!));
  if (dmarc) return { verified: true, method: "dmarc", evidence: `dmarc=pass header.from=${fromDomain} (${RECEIVER_AUTHSERV_ID})` };
  const dkim = pass("dkim").find((r) => aligned(fromDomain, r.properties.get("header.d") ?? domainOf(r.properties.get("header.i"))));
  if (dkim)
    return {
      verified: true,
      method: "dkim",
      evidence: `dkim=pass header.d=${dkim.properties.get("header.d") ?? domainOf(dkim.properties.get("header.i"))} aligned with ${fromDomain} (${RECEIVER_AUTHSERV_ID})`,
    };
  const spf = pass("spf").find((r) => aligned(fromDomain, domainOf(r.properties.get("smtp.mailfrom"))));
  if (spf)
    return {
      verified: true,
      method: "spf",
      evidence: `spf=pass smtp.mailfrom domain ${domainOf(spf.properties.get("smtp.mailfrom"))} aligned with ${fromDomain} (${RECEIVER_AUTHSERV_ID})`,
    };
  const seen = results.filter((r) => ["dmarc", "dkim", "spf"].includes(r.method)).map((r) => `${r.method}=${r.result}`);
  return { verified: false, reason: seen.length ? `no aligned pass for ${fromDomain} (${seen.join(", ").slice(0, 200)})` : `no SPF, DKIM or DMARC verdict for ${fromDomain}` };
}
