import { hmac } from "./hmac";
import { sameSecret } from "./same-secret";

/**
 * Twilio signs each webhook: base64 of HMAC-SHA1, keyed by the account's auth token, over
 * the full URL it requested followed by every posted parameter's name and value, sorted
 * by name (https://www.twilio.com/docs/usage/webhooks/webhooks-security).
 */
export async function twilioSignature(authToken: string, url: string, params: Record<string, string>): Promise<string> {
  const text =
    url +
    Object.keys(params)
      .sort()
      .map((name) => name + params[name])
      .join("");
  const mac = await hmac("SHA-1", authToken, text);
  return btoa(String.fromCharCode(...mac));
}

export async function validTwilioSignature(authToken: string, url: string, params: Record<string, string>, given: string | undefined): Promise<boolean> {
  return given !== undefined && (await sameSecret(given, await twilioSignature(authToken, url, params)));
}
