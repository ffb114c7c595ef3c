import { PROVIDER_TIMEOUT_MS, resultOfError, resultOfResponse, type SmsOut, type SmsTransport } from "./transport";

/**
 * SMS through a Twilio-compatible REST API (Twilio itself, or a provider that speaks the
 * same `Accounts/{sid}/Messages.json` form API; set TWILIO_API_BASE for those).
 */
export function twilioTransport(accountSid: string, authToken: string, baseUrl = "https://api.twilio.com"): SmsTransport {
  return {
    name: "twilio",
    async sendSms(m: SmsOut) {
      try {
        const response = await fetch(`${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`, {
          method: "POST",
          headers: { authorization: `Basic ${btoa(`${accountSid}:${authToken}`)}`, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ From: m.from, To: m.to, Body: m.text }),
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
        return await resultOfResponse(response, "twilio", (body) => {
          const sid = (body as { sid?: string } | null)?.sid;
          return sid ? { messageId: sid } : undefined;
        });
      } catch (error) {
        return resultOfError(error, "twilio");
      }
    },
  };
}
