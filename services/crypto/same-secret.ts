/**
 * The one comparison for secrets, tokens, tags and signatures. Both values are first
 * HMAC'd under a key made fresh in this isolate, then the two 32-byte digests are compared
 * with the runtime's `timingSafeEqual`: the time taken depends neither on where the values
 * first differ nor on their lengths (a plain loop has to return early on a length
 * mismatch, which tells a guesser the secret's length).
 */

const encoder = new TextEncoder();
let isolateKey: Promise<CryptoKey> | undefined;

function keyOfThisIsolate(): Promise<CryptoKey> {
  isolateKey ??= crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]) as Promise<CryptoKey>;
  return isolateKey;
}

/** Whether `given` equals `expected`, in time independent of both values and their lengths. */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const key = await keyOfThisIsolate();
  const [a, b] = await Promise.all([crypto.subtle.sign("HMAC", key, encoder.encode(given)), crypto.subtle.sign("HMAC", key, encoder.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}
