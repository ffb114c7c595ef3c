import type { LeadId, LeadSummary, RepAction } from "../schemas/lead";
import { AppError } from "../services/app-error";
import { currentSequence } from "../services/d1/sequences";
import { removeSuppression, suppressionsOf, type SuppressedChannel, type SuppressionRow } from "../services/d1/suppressions";
import { eraseLead, exportLead } from "./lead-data";
import { leadObject } from "./lead-stub";
import { liftAtProvider } from "../services/channels/select";

/**
 * What the owner can do to one lead, once, for the JSON API and the dashboard alike. Each
 * action answers what it did or throws the error both surfaces answer with; the surfaces
 * differ only in how they say it (JSON, or a redirect with a flash).
 */

/** No lead has this id (or a malformed one, which names no lead either). */
export function unknownLead(): never {
  throw new AppError(404, "unknown_lead", "There is no lead with this id.");
}

/** Everything the owner sees about the lead. */
export async function leadSummary(env: Env, leadId: LeadId): Promise<LeadSummary> {
  return (await leadObject(env, leadId).summary()) ?? unknownLead();
}

/** Everything held about the lead, as one JSON document (GDPR access and portability). */
export async function leadExport(env: Env, leadId: LeadId, now: number) {
  return (await exportLead(env, leadId, now)) ?? unknownLead();
}

/** Erases the lead everywhere; an address that opted out stays suppressed as a keyed hash only. */
export async function eraseLeadEverywhere(env: Env, leadId: LeadId, now: number): Promise<void> {
  if (!(await eraseLead(env, leadId, now))) unknownLead();
}

/** The owner's or rep's decision: pause, resume, return to automation, or complete. The lead's status after it. */
export async function decideLead(env: Env, leadId: LeadId, action: RepAction, note?: string): Promise<LeadSummary["status"]> {
  return (await leadObject(env, leadId).repAction(action, note)) ?? unknownLead();
}

/** Hands the lead to a person now; the package goes to every configured destination. */
export async function handOffLead(env: Env, leadId: LeadId, reason: string): Promise<void> {
  if (!(await leadObject(env, leadId).requestHandOff(reason))) unknownLead();
}

/** Marks the lead booked (a call booked outside the booking webhooks): its sequences complete. */
export async function markLeadBooked(env: Env, leadId: LeadId, source: string): Promise<void> {
  if (!(await leadObject(env, leadId).markBooked(source))) unknownLead();
}

/** Enrols the lead in a sequence's current version; 409 when it already runs it, automation is halted, or it is marketing without consent. */
export async function enrolLead(env: Env, leadId: LeadId, sequenceId: string): Promise<{ sequenceId: string; version: number }> {
  const sequence = await currentSequence(env.DB, sequenceId);
  if (!sequence) throw new AppError(404, "unknown_sequence", "There is no such sequence.");
  const result = await leadObject(env, leadId).enrol(sequence, "api");
  if (result.reason === "unknown_lead") unknownLead();
  if (!result.enrolled) {
    const message =
      result.reason === "already_enrolled"
        ? `The lead already runs "${sequence.id}".`
        : result.reason === "no_marketing_consent"
          ? `"${sequence.id}" is marketing and the lead gave no consent to it; its lawful basis covers answering its inquiry only.`
          : `Automation is halted for this lead (${result.reason}).`;
    throw new AppError(409, result.reason ?? "not_enrolled", message);
  }
  return { sequenceId: sequence.id, version: sequence.version };
}

const ownAddresses = (lead: LeadSummary) => [
  ...(lead.profile.email ? [{ channel: "email" as const, value: lead.profile.email }] : []),
  ...(lead.profile.phone
    ? [
        { channel: "sms" as const, value: lead.profile.phone },
        { channel: "whatsapp" as const, value: lead.profile.phone },
      ]
    : []),
];

/** The suppression entries for the lead's own addresses, each with its reason and what proved it. */
export async function leadSuppressions(env: Env, lead: LeadSummary): Promise<SuppressionRow[]> {
  return suppressionsOf(env.DB, ownAddresses(lead));
}

/**
 * The owner undoes a suppression of the lead's address on one channel (an unverified
 * automation's mistake, or the lead asked to be mailed again); 404 when there is none. A
 * consent the lead withdrew on that channel is granted again with "owner action" as its
 * evidence, and an unsubscribed lead becomes `completed` (nothing resumes; the owner may
 * enrol it). An undeliverable address stays recorded as such.
 */
export async function liftLeadSuppression(env: Env, leadId: LeadId, channel: SuppressedChannel): Promise<void> {
  const address = ownAddresses(await leadSummary(env, leadId)).find((a) => a.channel === channel);
  if (address && channel === "email") await liftAtProvider(env, address.value);
  if (!address || !(await removeSuppression(env.DB, channel, address.value.trim().toLowerCase()))) {
    throw new AppError(404, "not_suppressed", `The lead's ${channel === "email" ? "address" : channel === "sms" ? "phone" : "WhatsApp number"} is not on the suppression list.`);
  }
  await leadObject(env, leadId).restoreConsent(channel, "owner", "owner action");
}
