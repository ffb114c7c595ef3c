const encoder = new TextEncoder();
/** Imported keys, per secret: importing costs more than signing. */
const keys = new Map<string, Promise<CryptoKey>>();

/** HMAC-SHA256 of `text` under `secret`. */
export async function hmacSha256(secret: string, text: string): Promise<Uint8Array> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return new Uint8Array(await crypto.subtle.sign("HMAC", await key, encoder.encode(text)));
}
