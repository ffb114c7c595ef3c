import { MessageChannelSchema, type ConsentRecord, type LawfulBasisRecord, type LeadProfile, type MessageChannel, type Submission, type TimelineEntry } from "../../schemas/lead";
import type { PostOrigin } from "./lead-state";

/**
 * A form post for a lead that already exists. Anyone who knows an address can post it, so
 * a later post adds (a submission on the timeline, the fields still empty) and never
 * overwrites what the lead or the owner established: known profile fields, consents given
 * and consents withdrawn. What it asked to change and did not is recorded for the owner.
 */

type Channel = MessageChannel;
const CHANNELS = MessageChannelSchema.options;

/** Fields where a different spelling is the same value: an address differs only in case. */
const sameValue = (field: keyof LeadProfile, a: string, b: string) => (field === "email" ? a.toLowerCase() === b.toLowerCase() : a === b);

/** Known profile fields a post gave other values for (the lead kept its own). */
export function refusedFields(current: LeadProfile, incoming: LeadProfile): (keyof LeadProfile)[] {
  return (Object.entries(incoming) as [keyof LeadProfile, string | undefined][])
    .filter(([field, value]) => {
      const known = current[field];
      // Source is attribution, not the lead's data: a later form simply does not take the credit.
      return field !== "source" && value !== undefined && value !== "" && known !== undefined && known !== "" && !sameValue(field, known, value);
    })
    .map(([field]) => field);
}

/**
 * Where a post says the lead came from: its UTM fields, else the UTM parameters of the page
 * it was posted from (a form rarely carries them itself), and that page. Undefined when it
 * says nothing. Like `source`, the first post that says keeps the credit.
 */
export function postOrigin(submission: Submission): PostOrigin | undefined {
  let utm = submission.utm;
  if (Object.keys(utm).length === 0 && submission.page) {
    try {
      const query = [...new URL(submission.page).searchParams].filter(([name, value]) => /^utm_[a-z_]{1,30}$/i.test(name) && value !== "");
      utm = Object.fromEntries(query.slice(0, 10).map(([name, value]) => [name.toLowerCase(), value.slice(0, 200)]));
    } catch {
      // A page that is not a URL says nothing about UTM.
    }
  }
  if (Object.keys(utm).length === 0 && !submission.page) return undefined;
  return { utm, ...(submission.page ? { page: submission.page } : {}) };
}

function consentFrom(submission: Submission, channel: Channel, now: number): ConsentRecord | undefined {
  const granted = submission.consent[channel];
  if (granted === undefined) return undefined;
  const wording = submission.consentWording?.[channel];
  return { granted, at: now, method: "form", formId: submission.formId, ...(wording ? { wording } : {}), ...(submission.page ? { page: submission.page } : {}) };
}

export interface ConsentOutcome {
  consent: Partial<Record<Channel, ConsentRecord>>;
  /** Channels whose recorded answer the post contradicted; the record stands. */
  refused: { channel: Channel; asked: boolean; kept: ConsentRecord }[];
}

/**
 * A channel with no recorded answer takes the post's. A recorded one stands: a post cannot
 * grant again what the lead withdrew (unsubscribe, STOP, complaint), nor withdraw what it
 * gave — the lead withdraws through the unsubscribe link or STOP, which prove who asks.
 */
export function consentAfterPost(current: ConsentOutcome["consent"], submission: Submission, now: number): ConsentOutcome {
  const consent = { ...current };
  const refused: ConsentOutcome["refused"] = [];
  for (const channel of CHANNELS) {
    const asked = submission.consent[channel];
    const kept = current[channel];
    if (asked === undefined) continue;
    if (kept === undefined) consent[channel] = consentFrom(submission, channel, now);
    else if (kept.granted !== asked) refused.push({ channel, asked, kept });
  }
  return { consent, refused };
}

/**
 * The lawful basis a post establishes on each channel it gives a contact for: answering the
 * inquiry on the form's declared basis (consent only where the person ticked the box), and
 * marketing only with that channel's consent as it stands after the post. A (channel, purpose) already recorded keeps
 * its first record, like consent: a later post, by anyone, cannot rewrite why the lead was
 * contacted.
 */
export function lawfulBasisAfterPost(current: LawfulBasisRecord[], submission: Submission, consent: ConsentOutcome["consent"], now: number): LawfulBasisRecord[] {
  // WhatsApp is never the channel an inquiry came in on: only its own box puts it on record.
  const whatsapp = submission.consent.whatsapp !== undefined ? submission.profile.phone : undefined;
  const contact: Record<Channel, string | undefined> = { email: submission.profile.email, sms: submission.profile.phone, whatsapp };
  const record = (channel: Channel, purpose: LawfulBasisRecord["purpose"], basis: LawfulBasisRecord["basis"]): LawfulBasisRecord[] =>
    current.some((r) => r.channel === channel && r.purpose === purpose) ? [] : [{ channel, purpose, basis, formId: submission.formId, at: now }];
  const added = CHANNELS.filter((channel) => contact[channel]).flatMap((channel) => {
    // A box ticked against a withdrawal on record grants nothing (see consentAfterPost).
    const consented = submission.consent[channel] === true && consent[channel]?.granted === true;
    return [
      ...record(channel, "inquiry", consented && submission.lawfulBasis === "consent" ? "consent" : "legitimate_interest"),
      ...(consented ? record(channel, "marketing", "consent") : []),
    ];
  });
  return [...current, ...added];
}

/** The timeline's evidence of a post that asked for changes the lead kept, or nothing when it asked for none. */
export function refusedChange(
  seq: number,
  now: number,
  submission: Submission,
  fields: (keyof LeadProfile)[],
  refused: ConsentOutcome["refused"],
): Extract<TimelineEntry, { kind: "change_refused" }> | undefined {
  if (fields.length === 0 && refused.length === 0) return undefined;
  const reasons = [
    ...(fields.length > 0 ? [`a later post does not replace known ${fields.join(", ")}`] : []),
    ...refused.map(({ channel, asked, kept }) =>
      asked
        ? `${channel} consent was withdrawn (${kept.method.replace("_", " ")}); a form post cannot grant it again, only the lead's confirmation from the address can`
        : `${channel} consent stands; the lead withdraws it through the unsubscribe link or STOP`,
    ),
  ];
  return { seq, at: now, kind: "change_refused", formId: submission.formId, fields, consent: refused, reason: reasons.join("; ") };
}
