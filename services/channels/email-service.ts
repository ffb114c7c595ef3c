import type { EmailOut, EmailTransport, SendResult } from "./transport";
import { resultOfError } from "./transport";

/**
 * Cloudflare Email Service through the `send_email` binding. The platform sets the
 * Message-ID itself (it rejects ours), so the one it returns is what threading and reply
 * matching use.
 */
export function emailServiceTransport(binding: SendEmail): EmailTransport {
  return {
    name: "email-service",
    async sendEmail(m: EmailOut): Promise<SendResult> {
      try {
        const result = await binding.send({
          from: { name: m.from.name, email: m.from.email },
          to: m.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          ...(m.replyTo ? { replyTo: m.replyTo } : {}),
          headers: m.headers,
        });
        return { ok: true, messageId: result.messageId };
      } catch (error) {
        // The address is on Email Service's suppression list (it bounced or complained, maybe
        // through another Worker): a final refusal of the address, not of this message.
        const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
        if (code === "E_RECIPIENT_SUPPRESSED" || /\bE_RECIPIENT_SUPPRESSED\b/.test(String(error))) {
          return { ok: false, permanent: true, recipientSuppressed: true, reason: "email-service: E_RECIPIENT_SUPPRESSED: the recipient is on Email Service's suppression list" };
        }
        // E_* codes are validation refusals (a bad header or address): retrying cannot help.
        const text = String(error);
        if (/\bE_[A-Z_]+\b/.test(text) && !/RATE|LIMIT|INTERNAL|UNAVAILABLE/i.test(text)) {
          return { ok: false, permanent: true, reason: `email-service: ${text.slice(0, 200)}` };
        }
        return resultOfError(error, "email-service");
      }
    },
  };
}
