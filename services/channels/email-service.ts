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
