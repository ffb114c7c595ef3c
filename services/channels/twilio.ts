import { PROVIDER_TIMEOUT_MS, resultOfError, resultOfResponse, type SendResult, type SmsTransport, type WhatsappTransport } from "./transport";

/**
 * SMS and WhatsApp through a Twilio-compatible REST API (Twilio itself, or a provider that
 * speaks the same `Accounts/{sid}/Messages.json` form API; set TWILIO_API_BASE for those).
 * WhatsApp is the same API with `whatsapp:` addresses; a template goes as its `ContentSid`
 * with `ContentVariables` (JSON) instead of a `Body`.
 */
export function twilioTransport(accountSid: string, authToken: string, baseUrl = "https://api.twilio.com"): SmsTransport & WhatsappTransport {
  async function createMessage(fields: Record<string, string>): Promise<SendResult> {
    try {
      const response = await fetch(`${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(`${accountSid}:${authToken}`)}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields),
        signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
      });
      return await resultOfResponse(response, "twilio", (body) => {
        const sid = (body as { sid?: string } | null)?.sid;
        return sid ? { messageId: sid } : undefined;
      });
    } catch (error) {
      return resultOfError(error, "twilio");
    }
  }
  return {
    name: "twilio",
    sendSms: (m) => createMessage({ From: m.from, To: m.to, Body: m.text }),
    sendWhatsapp: (m) =>
      createMessage({
        From: `whatsapp:${m.from}`,
        To: `whatsapp:${m.to}`,
        ...("template" in m ? { ContentSid: m.template.contentSid, ContentVariables: JSON.stringify(m.template.variables) } : { Body: m.text }),
      }),
  };
}
