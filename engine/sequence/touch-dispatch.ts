import type { Drafter, TouchOrigin } from "../../schemas/lead";
import type { Step } from "../../schemas/sequence";
import type { Change, LeadState } from "../lead/lead-state";
import { effect, findEnrolment, log, updateEnrolment } from "../lead/lead-change";
import type { Wording } from "../drafting/touch-drafts";
import type { DraftContent } from "../drafting/draft-types";
import { SMS_QUIET_HOURS } from "../time/sending-window";
import { nextOpeningFor } from "../lead/lead-timezone";
import type { SequenceConfig } from "./sequence-config";
import { renderTemplate, type MergeValues } from "./template";
import { mergeValues } from "./merge-values";
import { chooseEmail, wordingOf } from "./touch-wording";
import { queue } from "./deliveries";
import { answersAtOnce } from "./step-schedule";
import { consentCovers } from "./lawful-basis";

/**
 * A step's touches, rendered on each of its channels and queued for delivery: emails
 * threaded after the enrolment's previous one, texts kept out of quiet hours, tasks to the
 * owner; a channel the lead cannot be reached on is skipped with the reason.
 */

/** Renders the step's touches on each of its channels and queues them, or records why one cannot go. */
export function dispatch(change: Change, enrolmentId: string, step: Step, now: number, config: SequenceConfig, resendSubject?: string): Change {
  let c = updateEnrolment(change, enrolmentId, (e) => ({ ...e, touches: e.touches + 1 }));
  const enrolment = findEnrolment(c.state, enrolmentId)!;
  const touchId = `${enrolmentId}-t${enrolment.touches}`;
  const { state } = c;
  const values = mergeValues(state, config);
  const wording = wordingOf(state, enrolment, step, resendSubject);
  const drafted = "content" in wording ? wording : undefined;
  const skip = (channel: string, reason: string) => (c = log(c, now, { kind: "touch_skipped", enrolmentId, sequenceId: enrolment.sequenceId, stepId: step.id, channel, reason }));
  for (const channel of channelsFor(state, step)) {
    if (channel === "task") {
      const note = renderTemplate(step.task!.note, values);
      c = log(c, now, { kind: "task_created", enrolmentId, sequenceId: enrolment.sequenceId, stepId: step.id, note });
      c = effect(c, { kind: "rep_task", note, stepId: step.id });
      continue;
    }
    if (channel === "email") {
      if (!state.profile.email) skip("email", "the lead has no email address");
      else if (state.consent.email?.granted === false) skip("email", "the lead withdrew email consent");
      else if (!consentCovers(state, enrolment.sequence, "email")) skip("email", "a marketing email needs the lead's email consent");
      else c = queueEmail(c, enrolmentId, step, touchId, values, now, drafted, resendSubject);
      continue;
    }
    if (!state.profile.phone) skip("sms", "the lead has no phone number");
    else if (state.consent.sms?.granted !== true) skip("sms", "no SMS consent recorded");
    else {
      const windows = answersAtOnce(enrolment, step) ? [SMS_QUIET_HOURS] : [enrolment.sequence.window, SMS_QUIET_HOURS];
      c = queue(c, {
        touch: {
          key: `${touchId}-sms`,
          enrolmentId,
          sequenceId: enrolment.sequenceId,
          touchId,
          stepId: step.id,
          intent: step.intent,
          channel: "sms",
          to: state.profile.phone,
          text: drafted?.content.sms ?? renderTemplate(step.sms!.text, values),
          variant: "template",
          ...originOf(drafted, drafted?.content.sms),
          instant: answersAtOnce(enrolment, step),
          references: [],
        },
        dueAt: nextOpeningFor(state, windows, now),
        attempts: 0,
        windows,
      });
    }
  }
  // The step has run: its draft is spent.
  return { ...c, state: { ...c.state, drafts: c.state.drafts.filter((d) => !(d.enrolmentId === enrolmentId && d.stepId === step.id)) } };
}

/**
 * The step's channels for this lead. A lead that cannot be emailed (no address, or it
 * bounced) follows the SMS path of the same cadence: an email step that has SMS words goes
 * as a text instead.
 */
function channelsFor(state: LeadState, step: Step): Step["channels"] {
  const unreachable = !state.profile.email || state.emailUndeliverable !== undefined;
  if (!unreachable || !step.sms || step.channels.includes("sms") || !step.channels.includes("email")) return preferred(state, step.channels);
  return step.channels.map((c) => (c === "email" ? "sms" : c));
}

/**
 * A step that offers several channels goes on the one the lead chose in chat, where the lead
 * can be reached on it (an address that works, SMS consent on record); a rep's task stays.
 */
function preferred(state: LeadState, channels: Step["channels"]): Step["channels"] {
  const choice = state.preferredChannel?.channel;
  const reachable = choice === "email" ? Boolean(state.profile.email) : choice === "sms" ? Boolean(state.profile.phone) && state.consent.sms?.granted === true : false;
  const offered = channels.filter((c) => c !== "task");
  if (!reachable || offered.length < 2 || !offered.some((c) => c === choice)) return channels;
  return channels.filter((c) => c === choice || c === "task");
}

type Drafted = Extract<Wording, { content: DraftContent }>;

/** A channel's words came from the draft only when the draft wrote them for that channel. */
function originOf(drafted: Drafted | undefined, words: string | undefined): { origin: TouchOrigin; draftedBy?: Drafter } {
  return drafted && words !== undefined ? { origin: drafted.origin, draftedBy: drafted.by } : { origin: "template" };
}

function queueEmail(
  change: Change,
  enrolmentId: string,
  step: Step,
  touchId: string,
  values: MergeValues,
  now: number,
  drafted: Drafted | undefined,
  resendSubject?: string,
): Change {
  const draft = drafted?.content;
  const enrolment = findEnrolment(change.state, enrolmentId)!;
  const { template, variant } = chooseEmail(change.state, enrolment, step, resendSubject);
  const key = `${touchId}-email`;
  let subject: string;
  let references: string[] = [];
  let thread = enrolment.thread;
  if (template.subject === undefined && thread) {
    // No subject of its own: the email follows up in the thread of the enrolment's previous one.
    // "Re:" says the lead wrote (CAN-SPAM forbids a misleading subject), so it is added only once the lead has.
    subject = thread.leadWrote && !/^re:/i.test(thread.subject) ? `Re: ${thread.subject}` : thread.subject;
    references = thread.messageIds.slice(-10);
  } else {
    subject = draft?.subject ?? renderTemplate(template.subject ?? "Following up", values);
    thread = { id: touchId, subject, messageIds: [] };
  }
  const c = updateEnrolment(change, enrolmentId, (e) => ({ ...e, thread, emails: [...e.emails, { key, stepId: step.id }].slice(-50) }));
  return queue(c, {
    touch: {
      key,
      enrolmentId,
      sequenceId: enrolment.sequenceId,
      touchId,
      stepId: step.id,
      intent: step.intent,
      channel: "email",
      to: change.state.profile.email!,
      subject,
      text: draft?.body ?? renderTemplate(template.body, values),
      variant,
      ...originOf(drafted, draft?.body),
      instant: answersAtOnce(enrolment, step),
      references,
      threadId: thread.id,
    },
    dueAt: now,
    attempts: 0,
    windows: answersAtOnce(enrolment, step) ? [] : [enrolment.sequence.window],
  });
}
