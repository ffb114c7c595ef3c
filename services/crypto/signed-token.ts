import { ZodObject, type z } from "zod";
import { AppError } from "../app-error";
import { hmacSha256 } from "./hmac";
import { sameSecret } from "./same-secret";

/**
 * Short URL-safe signed tokens: `<key id>.<payload>.<tag>`, where the payload is
 * base64url JSON and the tag the first 128 bits of HMAC-SHA256 over the token's purpose,
 * key id and payload. The purpose is inside the signature and nowhere in the token: a
 * click token checked as an open pixel (or a session, or an unsubscribe link) simply fails
 * to verify. The key id lets keys rotate: new tokens use the current key, old ones keep
 * verifying while their key is listed in TOKEN_PREVIOUS_SECRETS.
 */

/** What a token is for; each purpose is accepted only where it was made for. */
export type TokenPurpose = "open" | "click" | "unsubscribe" | "click-ticket" | "session" | "reconsent";

/**
 * Tokens made before purposes were signed in (their tag covers key id and payload only)
 * are still in sent e-mails. They keep working only for the purposes whose payload shape
 * alone tells them apart — each read with an exact (strict) schema, so a click token's
 * extra fields make it fail as an open token — and only while the key that signed them is
 * listed: rotating TOKEN_SECRET ends the grace. Sessions and click tickets are short-lived
 * and get no grace.
 */
const LEGACY_PURPOSES: ReadonlySet<TokenPurpose> = new Set(["open", "click", "unsubscribe"]);

export interface TokenKeys {
  current: { id: string; secret: string };
  previous: { id: string; secret: string }[];
}

const TAG_BYTES = 16;
const encoder = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Keys from the environment; undefined when no TOKEN_SECRET is set. */
export function tokenKeys(env: { TOKEN_SECRET?: string; TOKEN_KEY_ID?: string; TOKEN_PREVIOUS_SECRETS?: string }): TokenKeys | undefined {
  if (!env.TOKEN_SECRET) return undefined;
  const previous = (env.TOKEN_PREVIOUS_SECRETS ?? "")
    .split(",")
    .map((pair) => pair.trim())
    .filter(Boolean)
    .flatMap((pair) => {
      const at = pair.indexOf(":");
      return at > 0 ? [{ id: pair.slice(0, at), secret: pair.slice(at + 1) }] : [];
    });
  return { current: { id: env.TOKEN_KEY_ID || "k1", secret: env.TOKEN_SECRET }, previous };
}

/** Keys for a request that cannot go on without them: a 503 the owner can act on when TOKEN_SECRET is missing. */
export function requiredTokenKeys(env: { TOKEN_SECRET?: string; TOKEN_KEY_ID?: string; TOKEN_PREVIOUS_SECRETS?: string }): TokenKeys {
  const keys = tokenKeys(env);
  if (!keys) throw new AppError(503, "not_configured", "TOKEN_SECRET is not set on this deployment.");
  return keys;
}

async function tag(secret: string, signed: string): Promise<Uint8Array> {
  return (await hmacSha256(secret, signed)).subarray(0, TAG_BYTES);
}

/** What the tag covers: the purpose (`token/<purpose>:`, a prefix no legacy `<key id>.` string has), key id and payload. */
const signedText = (purpose: TokenPurpose | null, keyId: string, body: string) => (purpose ? `token/${purpose}:${keyId}.${body}` : `${keyId}.${body}`);

export async function signToken(keys: TokenKeys, purpose: TokenPurpose, payload: object): Promise<string> {
  const body = base64url(encoder.encode(JSON.stringify(payload)));
  return `${keys.current.id}.${body}.${base64url(await tag(keys.current.secret, signedText(purpose, keys.current.id, body)))}`;
}

/**
 * The payload when the token is intact, signed by a known key for this purpose and of the
 * expected shape; else null. The tag is compared as text: comparing decoded bytes would
 * accept other spellings of the same tag (the last base64url character of 16 bytes carries
 * 4 unused bits).
 */
export async function verifyToken<S extends z.ZodType>(keys: TokenKeys, purpose: TokenPurpose, token: string, schema: S): Promise<z.infer<S> | null> {
  if (token.length > 4096) return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [keyId, body, givenTag] = parts as [string, string, string];
  const key = [keys.current, ...keys.previous].find((k) => k.id === keyId);
  const bytes = fromBase64url(body);
  if (!key || !bytes) return null;
  let legacy = false;
  if (!(await sameSecret(givenTag, base64url(await tag(key.secret, signedText(purpose, keyId, body)))))) {
    legacy = LEGACY_PURPOSES.has(purpose) && (await sameSecret(givenTag, base64url(await tag(key.secret, signedText(null, keyId, body)))));
    if (!legacy) return null;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return null;
  }
  const parsed = (legacy && schema instanceof ZodObject ? (schema.strict() as unknown as S) : schema).safeParse(payload);
  return parsed.success ? (parsed.data as z.infer<S>) : null;
}
