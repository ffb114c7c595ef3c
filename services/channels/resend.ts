import { PROVIDER_TIMEOUT_MS, providerResultOf, resultOfError, resultOfResponse, type EmailOut, type EmailTransport, type ProviderResult } from "./transport";

/**
 * Email through Resend's HTTP API (https://resend.com/docs/api-reference/emails/send-email),
 * the commercial sender this project wires end to end: sends, signed delivery webhooks
 * (workers/routes/delivery-webhooks.ts) and its suppression list. Resend honours an
 * `Idempotency-Key` header for 24 h, so a retried touch is never delivered twice.
 */
export function resendTransport(apiKey: string, baseUrl = "https://api.resend.com"): EmailTransport {
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    });
  /** `settled`: the status that means the change was already made. */
  const request = async (method: string, path: string, settled: number, body?: unknown): Promise<ProviderResult> => {
    try {
      const response = await call(method, path, body);
      return response.status === settled ? { ok: true } : await providerResultOf(response, "resend");
    } catch (error) {
      return resultOfError(error, "resend");
    }
  };
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
        // Replies thread against the Message-ID we set; Resend's own id for the email is what
        // its webhooks name (`email_id`), so both are recorded on the touch.
        return await resultOfResponse(response, "resend", (body) => {
          const id = (body as { id?: unknown } | null)?.id;
          return typeof id === "string" && id ? { messageId: m.messageId, providerId: id } : undefined;
        });
      } catch (error) {
        return resultOfError(error, "resend");
      }
    },
    // https://resend.com/docs/api-reference/suppressions/add-suppression (and remove): an
    // address already listed, or already gone, is as good as done.
    suppressionList: {
      add: (address) => request("POST", "/suppressions", 409, { email: address }),
      remove: (address) => request("DELETE", `/suppressions/${encodeURIComponent(address)}`, 404),
    },
  };
}
