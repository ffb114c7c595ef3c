import { PROVIDER_TIMEOUT_MS, resultOfError, resultOfResponse, type EmailOut, type EmailTransport } from "./transport";

/**
 * Email through Resend's HTTP API (https://resend.com/docs/api-reference/emails/send-email).
 * Chosen as the one HTTP provider because it honours an `Idempotency-Key` header for 24 h,
 * so a retried touch is never delivered twice.
 */
export function resendTransport(apiKey: string, baseUrl = "https://api.resend.com"): EmailTransport {
  return {
    name: "resend",
    async sendEmail(m: EmailOut, idempotencyKey: string) {
      try {
        const response = await fetch(`${baseUrl}/emails`, {
          method: "POST",
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", "idempotency-key": idempotencyKey },
          body: JSON.stringify({
            from: `${m.from.name} <${m.from.email}>`,
            to: [m.to],
            subject: m.subject,
            text: m.text,
            html: m.html,
            ...(m.replyTo ? { reply_to: m.replyTo } : {}),
            headers: { "Message-ID": m.messageId, ...m.headers },
          }),
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
        // Resend keeps the Message-ID we set, so replies thread against ours.
        return await resultOfResponse(response, "resend", (body) => ((body as { id?: string } | null)?.id ? m.messageId : undefined));
      } catch (error) {
        return resultOfError(error, "resend");
      }
    },
  };
}
