import { AppError } from "../app-error";
import { clockFrom } from "../clock";
import { emailServiceTransport } from "./email-service";
import { outboxTransport } from "./outbox";
import { resendTransport } from "./resend";
import type { EmailTransport, SendResult, SmsTransport, WhatsappTransport } from "./transport";
import { twilioTransport } from "./twilio";

/** A transport chosen but not configured: its touches wait, with the reason on the timeline. */
function unconfigured(name: string, what: string): EmailTransport & SmsTransport & WhatsappTransport {
  const result: SendResult = { ok: false, permanent: false, reason: `${name} is selected but ${what} is not set` };
  return { name, sendEmail: async () => result, sendSms: async () => result, sendWhatsapp: async () => result };
}

export interface Transports {
  email: EmailTransport;
  sms: SmsTransport;
  whatsapp: WhatsappTransport;
}

export type EmailTransportName = "outbox" | "email-service" | "resend";

/**
 * The email transport EMAIL_TRANSPORT names. `auto`, production's default, is Resend once
 * its key is set and Email Service otherwise, so choosing the sender is setting a secret,
 * never editing the tracked configuration. Anything else unknown is the outbox.
 */
export function emailTransportName(env: Pick<Env, "EMAIL_TRANSPORT" | "RESEND_API_KEY">): EmailTransportName {
  const named = env.EMAIL_TRANSPORT?.trim();
  if (named === "auto") return env.RESEND_API_KEY ? "resend" : "email-service";
  return named === "email-service" || named === "resend" ? named : "outbox";
}

/** EMAIL_TRANSPORT, SMS_TRANSPORT and WHATSAPP_TRANSPORT pick the adapters; the outbox is the default, so nothing is sent by accident. */
export function transportsFor(env: Env, now: () => number): Transports {
  const outbox = outboxTransport(env.DB, now);
  const email = ((): EmailTransport => {
    switch (emailTransportName(env)) {
      case "email-service":
        return env.EMAIL ? emailServiceTransport(env.EMAIL) : unconfigured("email-service", "the EMAIL send_email binding");
      case "resend":
        return env.RESEND_API_KEY ? resendTransport(env.RESEND_API_KEY) : unconfigured("resend", "the RESEND_API_KEY secret");
      default:
        return outbox;
    }
  })();
  // SMS and WhatsApp share the Twilio account; each channel is switched to it on its own.
  const twilio = (selected: string | undefined): SmsTransport & WhatsappTransport => {
    if (selected !== "twilio") return outbox;
    if (!env.TWILIO_ACCOUNT_SID || !env.TWILIO_AUTH_TOKEN) return unconfigured("twilio", "TWILIO_ACCOUNT_SID or the TWILIO_AUTH_TOKEN secret");
    return twilioTransport(env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN, env.TWILIO_API_BASE || undefined);
  };
  return { email, sms: twilio(env.SMS_TRANSPORT), whatsapp: twilio(env.WHATSAPP_TRANSPORT) };
}

/**
 * Before the owner lifts an email suppression, the address comes off the provider's list
 * too; otherwise the provider refuses the next send and reports it (Resend's
 * `email.suppressed`), which suppresses the address again. A provider that cannot be reached
 * stops the lift (nothing changed; the owner tries again); one that refuses for good (no
 * access to its API) does not, as our own list is the one every send checks.
 */
export async function liftAtProvider(env: Env, address: string): Promise<void> {
  const list = transportsFor(env, clockFrom(env).now).email.suppressionList;
  if (!list) return;
  const result = await list.remove(address.trim().toLowerCase());
  if (!result.ok && !result.permanent) {
    throw new AppError(503, "provider_unavailable", `The address is still suppressed: the email provider's suppression list could not be changed (${result.reason}). Try again.`);
  }
  if (!result.ok) console.warn(JSON.stringify({ event: "provider_suppression_refused", change: "remove", reason: result.reason }));
}
