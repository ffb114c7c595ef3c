const encoder = new TextEncoder();
/** Imported keys, per hash and secret: importing costs more than signing. */
const keys = new Map<string, Promise<CryptoKey>>();

/** HMAC of `text` under `secret`. SHA-1 only where a provider signs with it (Twilio). */
export async function hmac(hash: "SHA-1" | "SHA-256", secret: string, text: string): Promise<Uint8Array> {
  const cacheKey = `${hash}:${secret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash }, false, ["sign"]);
    keys.set(cacheKey, key);
  }
  return new Uint8Array(await crypto.subtle.sign("HMAC", await key, encoder.encode(text)));
}

/** HMAC-SHA256 of `text` under `secret`. */
export const hmacSha256 = (secret: string, text: string): Promise<Uint8Array> => hmac("SHA-256", secret, text);

/** Lower-case hex, two digits a byte: what webhook signatures and our hashed ids are written in. */
export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
