/** Cloudflare's server-side check of a Turnstile token (developers.cloudflare.com/turnstile/get-started/server-side-validation). */
export const SITEVERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

/** The form field the Turnstile widget adds to the form it sits in. */
export const TURNSTILE_FIELD = "cf-turnstile-response";

/** Tokens are at most 2048 characters; anything longer was not made by the widget. */
const MAX_TOKEN_LENGTH = 2048;

export type TurnstileVerdict =
  | { kind: "passed" }
  | { kind: "failed"; codes: string[] }
  /** Siteverify could not be asked or did not answer: nothing is known about the poster. */
  | { kind: "unavailable"; reason: string };

/** Asks siteverify about one token. Never throws: an outage is a verdict the caller decides on. */
export async function verifyTurnstile(secret: string, token: string, remoteIp?: string): Promise<TurnstileVerdict> {
  if (token.length > MAX_TOKEN_LENGTH) return { kind: "failed", codes: ["invalid-input-response"] };
  try {
    const response = await fetch(SITEVERIFY_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secret, response: token, ...(remoteIp ? { remoteip: remoteIp } : {}), idempotency_key: crypto.randomUUID() }),
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) return { kind: "unavailable", reason: `siteverify answered ${response.status}` };
    const body = (await response.json()) as { success?: unknown; "error-codes"?: unknown };
    if (body.success === true) return { kind: "passed" };
    const codes = Array.isArray(body["error-codes"]) ? body["error-codes"].filter((c): c is string => typeof c === "string") : [];
    // A wrong secret is the owner's mistake, not the poster's: treat it like an outage.
    if (codes.includes("invalid-input-secret") || codes.includes("missing-input-secret")) return { kind: "unavailable", reason: `siteverify: ${codes.join(", ")}` };
    return { kind: "failed", codes };
  } catch (error) {
    return { kind: "unavailable", reason: `siteverify unreachable: ${String(error)}` };
  }
}
