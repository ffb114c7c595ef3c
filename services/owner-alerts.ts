import type { LeadState } from "../engine/lead/lead-state";
import type { EmailTransport } from "./channels/transport";
import type { Settings } from "../schemas/settings";
import { senderFrom } from "./deployment-settings";
import { ownerLeadUrl, ownerNotice } from "./owner-notice";

/**
 * Tells the owner at once when a lead replies or a rep task comes up, by email to
 * the alerts email (a setting) through the same transport as touches (the outbox locally). The alert is
 * also on the lead's timeline, so a failed alert email loses nothing.
 */
export async function alertOwner(
  settings: Settings,
  transport: EmailTransport,
  lead: LeadState,
  alert: { reason: "reply" | "rep_task" | "notice"; message: string },
  key: string,
): Promise<void> {
  const identity = senderFrom(settings);
  if (!settings.ownerEmail || "missing" in identity) {
    console.warn(JSON.stringify({ leadId: lead.id, event: "alert_not_sent", reason: "the alerts email or the sender identity is not set" }));
    return;
  }
  const { sender } = identity;
  const who = lead.profile.name ?? lead.profile.email ?? lead.profile.phone ?? lead.id;
  const subject = { reply: `Reply from ${who}`, rep_task: `Task: ${who}`, notice: `About ${who}` }[alert.reason];
  const text = `${alert.message}\n\nLead: ${who}${lead.profile.company ? ` (${lead.profile.company})` : ""}\n${ownerLeadUrl(sender.publicUrl, lead.id)}\n`;
  const result = await transport.sendEmail(ownerNotice(sender, { to: settings.ownerEmail, subject, text }, key), key, lead.id);
  if (!result.ok) console.error(JSON.stringify({ leadId: lead.id, event: "alert_failed", reason: result.reason }));
}
