import type { Context } from "hono";
import { AppError } from "../services/app-error";

export { withinLimit } from "../services/rate-limit";

/**
 * The public routes' rate limits (the Rate Limiting bindings in wrangler.toml). The bindings
 * count in windows of this many seconds and report no reset time, so a refusal asks the
 * client to wait one whole window.
 */
export const LIMIT_WINDOW_SECONDS = 60;

/**
 * The address a request came from. Cloudflare's edge always sets `cf-connecting-ip` (and
 * replaces a client's own); `wrangler dev` sets it too. Behind another proxy off the edge,
 * the first `x-forwarded-for` hop. A request with neither did not come from the internet
 * (a service binding, the test harness): there is no client to count.
 */
export function clientAddress(request: Request): string | undefined {
  const direct = request.headers.get("cf-connecting-ip")?.trim();
  const address = direct || request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return address || undefined;
}

/** The key a client is counted under: one IPv6 client holds a whole /64 and can rotate through it, so it counts as one. */
export function perClient(address: string): string {
  // IPv4, and IPv4 written in IPv6 form, are one address each.
  if (!address.includes(":") || address.includes(".")) return address;
  const [head = "", tail = ""] = address.includes("::") ? address.split("::") : [address, ""];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** The 429 every limited route answers: a reason, and when to try again. */
export function tooManyRequests(c: Context, code: string, message: string): AppError {
  c.header("retry-after", String(LIMIT_WINDOW_SECONDS));
  return new AppError(429, code, message);
}
