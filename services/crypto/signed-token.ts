import type { z } from "zod";
import { AppError } from "../app-error";
import { hmacSha256 } from "./hmac";

/**
 * Short URL-safe signed tokens: `<key id>.<payload>.<tag>`, where the payload is
 * base64url JSON and the tag the first 128 bits of HMAC-SHA256 over key id and payload.
 * The key id lets keys rotate: new tokens use the current key, old ones keep verifying
 * while their key is listed in TOKEN_PREVIOUS_SECRETS.
 */

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

export async function signToken(keys: TokenKeys, payload: object): Promise<string> {
  const body = base64url(encoder.encode(JSON.stringify(payload)));
  const signed = `${keys.current.id}.${body}`;
  return `${signed}.${base64url(await tag(keys.current.secret, signed))}`;
}

/**
 * Compares the tag as text, in constant time. Comparing decoded bytes would accept other
 * spellings of the same tag: the last base64url character of 16 bytes carries 4 unused bits.
 */
export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The payload when the token is intact, signed by a known key and of the expected shape; else null. */
export async function verifyToken<S extends z.ZodType>(keys: TokenKeys, token: string, schema: S): Promise<z.infer<S> | null> {
  if (token.length > 4096) return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [keyId, body, givenTag] = parts as [string, string, string];
  const key = [keys.current, ...keys.previous].find((k) => k.id === keyId);
  const bytes = fromBase64url(body);
  if (!key || !bytes) return null;
  if (!sameText(givenTag, base64url(await tag(key.secret, `${keyId}.${body}`)))) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return null;
  }
  const parsed = schema.safeParse(payload);
  return parsed.success ? parsed.data : null;
}
