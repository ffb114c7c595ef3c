import { escapeMarkup } from "../engine/markup";
import type { EmailOut } from "./channels/transport";
import type { Sender } from "./email-composer";

/**
 * The one shape of an email from the engine to its owner (reply alerts, rep tasks, hand-off
 * packages): plain text with the same text preformatted as HTML, marked Auto-Submitted so
 * vacation responders stay quiet, and a Message-ID made from the send's idempotency key so
 * a retried send is the same message.
 */
export function ownerNotice(sender: Sender, notice: { to: string; subject: string; text: string }, key: string): EmailOut {
  const domain = sender.email.slice(sender.email.lastIndexOf("@") + 1);
  return {
    from: { name: sender.name, email: sender.email },
    to: notice.to,
    // A subject built from a lead's name must not smuggle in a header.
    subject: notice.subject.replace(/[\r\n]+/g, " ").slice(0, 200),
    text: notice.text,
    html: `<pre style="font-family:system-ui,sans-serif;white-space:pre-wrap">${escapeMarkup(notice.text)}</pre>`,
    headers: { "Auto-Submitted": "auto-generated" },
    messageId: `<${key}@${domain}>`,
  };
}

const base = (publicUrl: string) => publicUrl.replace(/\/+$/, "");

/** The lead's page in the dashboard: a notice is opened in a browser, where the JSON API answers 401. */
export const ownerLeadUrl = (publicUrl: string, leadId: string): string => `${base(publicUrl)}/dashboard/leads/${leadId}`;

/** The lead in the owner's JSON API, for a receiver that reads it with the owner token. */
export const ownerLeadApiUrl = (publicUrl: string, leadId: string): string => `${base(publicUrl)}/api/leads/${leadId}`;
