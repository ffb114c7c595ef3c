/**
 * The one comparison for secrets, tokens, tags and signatures. Both values are first
 * HMAC'd under a key made fresh in this isolate, then the two 32-byte digests are compared
 * byte by byte without an early exit: the time taken depends neither on where the values
 * first differ nor on their lengths (a plain comparison returns early on a length mismatch,
 * which tells a guesser the secret's length). The digests always have one length, so the
 * loop needs no runtime-specific timingSafeEqual and runs the same in Node's tools.
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
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let difference = 0;
  for (let i = 0; i < x.length; i++) difference |= x[i]! ^ y[i]!;
  return difference === 0;
}
