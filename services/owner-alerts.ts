import type { LeadState } from "../engine/lead/lead-state";
import type { EmailTransport } from "./channels/transport";
import { senderFrom } from "./deployment-settings";
import { escapeMarkup } from "../engine/markup";

/**
 * Tells the owner at once when a lead replies or a rep task comes up, by email to
 * OWNER_EMAIL through the same transport as touches (the outbox locally). The alert is
 * also on the lead's timeline, so a failed alert email loses nothing.
 */
export async function alertOwner(
  env: Env,
  transport: EmailTransport,
  lead: LeadState,
  alert: { reason: "reply" | "rep_task"; message: string },
  key: string,
): Promise<void> {
  const identity = senderFrom(env);
  if (!env.OWNER_EMAIL || "missing" in identity) {
    console.warn(JSON.stringify({ leadId: lead.id, event: "alert_not_sent", reason: "OWNER_EMAIL or sender identity is not set" }));
    return;
  }
  const { sender } = identity;
  const who = lead.profile.name ?? lead.profile.email ?? lead.profile.phone ?? lead.id;
  const subject = (alert.reason === "reply" ? `Reply from ${who}` : `Task: ${who}`).replace(/[\r\n]+/g, " ").slice(0, 200);
  const link = `${sender.publicUrl.replace(/\/+$/, "")}/api/leads/${lead.id}`;
  const text = `${alert.message}\n\nLead: ${who}${lead.profile.company ? ` (${lead.profile.company})` : ""}\n${link}\n`;
  const escaped = escapeMarkup(text);
  const domain = sender.email.slice(sender.email.lastIndexOf("@") + 1);
  const result = await transport.sendEmail(
    {
      from: { name: sender.name, email: sender.email },
      to: env.OWNER_EMAIL,
      subject,
      text,
      html: `<pre style="font-family:system-ui,sans-serif;white-space:pre-wrap">${escaped}</pre>`,
      headers: { "Auto-Submitted": "auto-generated" },
      messageId: `<${key}@${domain}>`,
    },
    key,
    lead.id,
  );
  if (!result.ok) console.error(JSON.stringify({ leadId: lead.id, event: "alert_failed", reason: result.reason }));
}
