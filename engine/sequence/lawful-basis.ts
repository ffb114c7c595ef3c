import type { Sequence, SequenceVersion } from "../../schemas/sequence";
import { MessageChannelSchema, type MessageChannel } from "../../schemas/lead";
import type { Change, LeadState } from "../lead/lead-state";
import { log } from "../lead/lead-change";

/**
 * The lawful basis for a sequence: answering the person's inquiry needs none beyond the
 * inquiry itself (legitimate interest); a marketing sequence (nurture, reactivation) runs
 * only for a lead who gave consent. Checked when the lead would be enrolled, so no empty
 * cadence runs, and again for each marketing email, in case consent is gone by then.
 */

const MESSAGE_CHANNELS = MessageChannelSchema.options;

/**
 * The presets that market, whatever a stored version says: an owner's version put before
 * purposes existed (or without one) parses as `inquiry`, and must not send nurture mail to a
 * lead who never consented.
 */
const MARKETING_IDS = new Set(["nurture", "cold-reactivation"]);

export const isMarketing = (sequence: Sequence) => sequence.purpose === "marketing" || MARKETING_IDS.has(sequence.id);

/** Whether the lead's consent covers this sequence's messages on `channel`. */
export function consentCovers(state: LeadState, sequence: Sequence, channel: MessageChannel): boolean {
  return !isMarketing(sequence) || state.consent[channel]?.granted === true;
}

/** Whether the lead may be enrolled: a marketing sequence needs consent on a channel its steps message on. */
export function mayEnrol(state: LeadState, sequence: Sequence): boolean {
  const used = MESSAGE_CHANNELS.filter((channel) => sequence.steps.some((step) => step.channels.includes(channel)));
  return !isMarketing(sequence) || used.some((channel) => consentCovers(state, sequence, channel));
}

/** The refused enrolment on the timeline, with why; nothing of the sequence is planned. */
export function refuseEnrolment(change: Change, sequence: SequenceVersion, now: number): Change {
  const withdrawn = change.state.consent.email?.granted === false;
  const reason = withdrawn
    ? `${sequence.id} is marketing and the lead withdrew its consent`
    : `${sequence.id} is marketing and the lead gave no consent to it: its form's lawful basis, legitimate interest, covers answering its inquiry only`;
  const c = log(change, now, { kind: "enrolment_refused", sequenceId: sequence.id, reason });
  // A lead given back to automation (a rep's return) with nothing it may run has nothing running.
  const idle = c.state.status === "active" && !c.state.enrolments.some((e) => e.status === "active");
  return idle ? { ...c, state: { ...c.state, status: "completed" } } : c;
}
