import type { Child } from "hono/jsx";
import { describeObjection } from "../../engine/hand-off/raised-objections";
import { SCORE_SIGNAL_WORDS } from "../../engine/hand-off/lead-score";
import type { ScoreSignal } from "../../engine/lead/lead-state";
import type { ConsentMethod, EnrolReason, LeadProfile, LeadStatus, LeadSummary, ReplyIntent, TimelineEntry, TouchOrigin, Verdict } from "../../schemas/lead";
import { when } from "./layout";

/**
 * The lead's story in the owner's words: each timeline entry as a sentence, with the detail
 * an owner needs to judge it (the words sent or received) folded beneath. No entry shows
 * raw JSON or field names; a kind this page does not know yet still gets a readable line.
 */

export const STATUS_WORDS: Record<LeadStatus, string> = {
  new: "New",
  active: "Active",
  paused: "Paused",
  replied: "Replied",
  with_rep: "With a rep",
  booked: "Booked",
  unsubscribed: "Unsubscribed",
  completed: "Completed",
};

/** A status as the owner reads it; the lead index stores it as text. */
export const statusWords = (status: string) => STATUS_WORDS[status as LeadStatus] ?? spelledOut(status);

export const PROFILE_WORDS: Record<keyof LeadProfile, string> = {
  email: "Email",
  phone: "Phone",
  name: "Name",
  firstName: "First name",
  lastName: "Last name",
  company: "Company",
  title: "Job title",
  timezone: "Time zone",
  source: "Source",
};

/** A profile field's name as the owner reads it; a field this page does not know is spelled out. */
export const fieldWords = (field: string) => PROFILE_WORDS[field as keyof LeadProfile] ?? spelledOut(field);

/** A score factor's signal, capitalised for a table's first column; the summary stores it as text. */
export function signalWords(signal: string): string {
  const words = SCORE_SIGNAL_WORDS[signal as ScoreSignal];
  return words ? `${words.charAt(0).toUpperCase()}${words.slice(1)}` : spelledOut(signal);
}

const DRAFT_WORDS: Record<LeadSummary["drafts"][number]["status"], string> = {
  requested: "being written",
  ready: "ready for your review",
  approved: "approved",
  edited: "edited and approved",
  rejected: "rejected: the template goes instead",
  failed: "could not be written: the template goes instead",
};
const DRAFTER_WORDS = { model: "the AI model", rules: "the built-in drafter" } as const;

/** One draft in a sentence: "Step “tips”: could not be written: the template goes instead (by the built-in drafter)". */
export const draftWords = (draft: LeadSummary["drafts"][number]) => `Step “${draft.stepId}”: ${DRAFT_WORDS[draft.status]}${draft.by ? ` (by ${DRAFTER_WORDS[draft.by]})` : ""}`;

export const CONSENT_METHOD_WORDS: Record<ConsentMethod, string> = {
  form: "on a form",
  unsubscribe_link: "with the unsubscribe link",
  one_click: "with one-click unsubscribe",
  owner: "by you",
  reply: "by replying",
  sms_stop: "by texting STOP",
  sms_start: "by texting START",
  whatsapp_stop: "by sending STOP on WhatsApp",
  whatsapp_start: "by sending START on WhatsApp",
  chat: "in the site chat",
  complaint: "by a spam complaint",
  confirmed_link: "with the confirmation link",
};

const ENROL_WORDS: Record<EnrolReason, string> = {
  form: "after a form post",
  api: "through the API or by you",
  reactivation: "to reactivate the lead",
  branch: "by a branch of another sequence",
  routing: "by a routing rule",
};

const ENDED_WORDS = { completed: "Finished", moved: "Moved out of", paused: "Paused", booked: "Stopped (booked)", unsubscribed: "Stopped (unsubscribed)" } as const;

const INTENT_WORDS: Record<ReplyIntent, string> = {
  interested: "is interested",
  question: "asks a question",
  pricing: "asks about pricing",
  objection: "raises an objection",
  not_now: "says not now",
  not_interested: "is not interested",
  wrong_person: "says you have the wrong person",
  unsubscribe: "asks to stop",
  needs_review: "needs your reading",
};

const ORIGIN_WORDS: Record<TouchOrigin, string> = { template: "the template", ai_draft: "an AI draft", edited_draft: "a draft you edited" };

const VERDICT_WORDS: Record<Verdict, string> = {
  human: "by a person",
  auto: "by a privacy proxy (not counted)",
  machine: "by a machine such as a link scanner (not counted)",
};

const REVIEW_WORDS = { approve: "You approved", edit: "You edited and approved", reject: "You rejected" } as const;
const REP_WORDS = {
  pause: "Paused by you or a rep",
  resume: "Resumed by you or a rep",
  return: "Returned to automation by you or a rep",
  complete: "Marked complete by you or a rep",
} as const;

/** A channel as a thing sent (noun, article), as a way of replying (by), and as what one subscribes to (topic). */
const CHANNEL_WORDS: Record<string, { noun: string; article: string; by: string; topic: string }> = {
  email: { noun: "email", article: "an email", by: "by email", topic: "email" },
  sms: { noun: "text", article: "a text", by: "by text", topic: "text" },
  whatsapp: { noun: "WhatsApp message", article: "a WhatsApp message", by: "on WhatsApp", topic: "WhatsApp" },
};
const topicWords = (channel: string) => CHANNEL_WORDS[channel]?.topic ?? "messages";
const channelWords = (channel: string | undefined) => CHANNEL_WORDS[channel ?? ""]?.noun ?? "message";
const minutes = (ms: number) => `${Math.round(ms / 6_000) / 10} min`;

/** "page_left" → "Page left": a name this page has no sentence for, still in words. */
export function spelledOut(name: string): string {
  const words = name
    .replace(/_/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}`;
}

function VerdictPill(props: { verdict: Verdict; reason: string }) {
  return (
    <>
      {" "}
      <span class={`pill ${props.verdict}`}>{VERDICT_WORDS[props.verdict]}</span> <span class="muted">{props.reason}</span>
    </>
  );
}

/** The sentence for one entry, and what it carries beneath (words sent or received). */
export function EntryStory(props: { entry: TimelineEntry; engaged: Map<string, number> }): Child {
  const e = props.entry;
  switch (e.kind) {
    case "form_submitted": {
      const { submission } = e;
      const given = Object.keys(submission.profile).map(fieldWords).join(", ");
      const how = submission.imported
        ? `Imported (source “${submission.profile.source ?? "import"}”)`
        : `Posted the form “${submission.formId}”${submission.page ? ` on ${submission.page}` : ""}`;
      return (
        <>
          {`${how}${given ? `, giving ${given}` : ""}.`}
          {submission.message && <pre>{submission.message}</pre>}
        </>
      );
    }
    case "email_opened":
      return (
        <>
          {e.first ? "Opened an email for the first time," : "Opened an email,"}
          <VerdictPill verdict={e.verdict} reason={e.reason} />
        </>
      );
    case "link_clicked":
      return (
        <>
          {`Clicked a link to ${e.url},`}
          <VerdictPill verdict={e.verdict} reason={e.reason} />
        </>
      );
    case "page_viewed": {
      const engaged = props.engaged.get(e.pageViewId);
      return (
        <>
          {`Viewed ${e.pageClass ? `a ${e.pageClass} page` : "a page"}: ${e.title ? `${e.title} (${e.url})` : e.url}${engaged !== undefined ? `, ${minutes(engaged)} on the page` : ""},`}
          <VerdictPill verdict={e.verdict} reason={e.reason} />
        </>
      );
    }
    case "page_left":
      return `Left a page after ${minutes(e.engagedMs)} on it.`;
    case "enrolled":
      return `Started the sequence “${e.sequenceId}” (version ${e.version}) ${ENROL_WORDS[e.reason]}.`;
    case "enrolment_refused":
      return `Not started on the sequence “${e.sequenceId}”: ${e.reason}.`;
    case "enrolment_ended":
      return `${ENDED_WORDS[e.outcome]} the sequence “${e.sequenceId}”: ${e.reason}.`;
    case "step_branched":
      return `At step “${e.stepId}” the sequence branched: ${e.condition}, so ${e.action}.`;
    case "cadence_switched":
      return (
        <>
          <strong>{e.from === "none" ? `Started the cadence “${e.to}”` : `Moved from the cadence “${e.from}” to “${e.to}”`}</strong>
          {` by the routing rule “${e.rule}”: ${e.reason}.`}
        </>
      );
    case "timing_changed":
      return `Step “${e.stepId}” moved from ${when(e.from)} to ${when(e.to)}: ${e.reason}.`;
    case "touch_sent":
      return (
        <details>
          <summary>
            {`Sent ${CHANNEL_WORDS[e.channel]!.article} for step “${e.stepId}”${e.subject ? `: “${e.subject}”` : ""}, from ${e.template ? "its approved WhatsApp template (outside the 24-hour window)" : ORIGIN_WORDS[e.origin ?? "template"]}`}
            {e.draftedBy ? ` written by ${DRAFTER_WORDS[e.draftedBy]}` : ""}
          </summary>
          <pre>{e.text}</pre>
        </details>
      );
    case "touch_failed":
      return (
        <strong class="warn">{`The ${channelWords(e.channel)} for step “${e.stepId}” could not be sent: ${e.reason}${e.permanent ? ". It will not be tried again." : e.retryAt ? `. Trying again ${when(e.retryAt)}.` : "."}`}</strong>
      );
    case "touch_skipped":
      return `Skipped step “${e.stepId}”${e.channel ? ` (${channelWords(e.channel)})` : ""}: ${e.reason}.`;
    case "touch_deferred":
      return `The ${channelWords(e.channel)} for step “${e.stepId}” waits until ${when(e.until)}: ${e.reason}.`;
    case "touch_held":
      return `Step “${e.stepId}” waits for your review of its draft: ${e.reason}.`;
    case "draft_reviewed":
      return `${REVIEW_WORDS[e.decision]} the draft for step “${e.stepId}”${e.decision === "reject" ? " (the template goes instead)" : ""}.`;
    case "task_created":
      return `A task for you at step “${e.stepId}”: ${e.note}`;
    case "reply_received":
      return (
        <>
          {`Replied${e.channel ? ` ${CHANNEL_WORDS[e.channel]!.by}` : ""}`}
          {e.intent ? ` and ${INTENT_WORDS[e.intent]}` : ""}
          {e.confidence !== undefined
            ? ` (${Math.round(e.confidence * 100)}% sure${e.judgedBy ? `, judged by ${e.judgedBy === "model" ? "the AI model" : "the rules"}` : ""})`
            : ""}
          {"."}
          {e.evidence && <span class="muted">{` Proved to be the lead's by ${e.evidence}.`}</span>}
          {e.text && <pre>{e.text}</pre>}
        </>
      );
    case "auto_reply_received":
      return `An automatic reply (out of office)${e.returnDate ? ` says they are back on ${e.returnDate}` : ""}: touches wait until ${when(e.until)}.`;
    case "touch_delivered":
      return (
        <>
          {"The recipient's mail server accepted the email. "}
          <span class="muted">{e.detail}</span>
        </>
      );
    case "touch_deferred_by_provider":
      return (
        <>
          {"The recipient's mail server put the email off for now; the provider tries again. "}
          <span class="muted">{e.detail}</span>
        </>
      );
    case "bounced":
      return (
        <>
          {`The email to ${e.address} bounced (${e.bounceType === "hard" ? "permanently" : "for now"})${e.suppressed ? "; the address gets nothing more" : ""}. `}
          <span class="muted">{e.diagnostic}</span>
        </>
      );
    case "lead_held":
      return `Automation waits until ${when(e.until)}: ${e.reason}.`;
    case "automation_resumed":
      return `Automation resumed: ${e.reason}.`;
    case "resubscribed":
      return `Subscribed to ${topicWords(e.channel)} again ${CONSENT_METHOD_WORDS[e.method]}${e.evidence ? `, proved by ${e.evidence}` : ""}.`;
    case "reconsent_requested":
      return `Posted the form “${e.formId}” after unsubscribing: one email asks whether to subscribe again, and only its link does.`;
    case "change_refused":
      // A post by anyone asked to change what the lead established: the owner sees what was kept, and why.
      return `A post from the form “${e.formId}” asked to change ${[...e.fields.map(fieldWords), ...e.consent.map((c) => `${topicWords(c.channel)} consent`)].join(", ") || "what the lead had given"}; the lead kept what it had: ${e.reason}.`;
    case "objection_raised":
      return `Raised a concern: ${describeObjection(e)}.`;
    case "booked":
      return `Booked a meeting (${e.source}).`;
    case "unsubscribed":
      return `Unsubscribed from ${topicWords(e.channel)} ${CONSENT_METHOD_WORDS[e.method]}${e.evidence ? `, proved by ${e.evidence}` : ""}.`;
    case "handed_off":
      return `Handed to a rep at score ${e.score} (${spelledOut(e.trigger).toLowerCase()}): ${e.reason}.`;
    case "rep_action":
      return `${REP_WORDS[e.action]}${e.note ? `: ${e.note}` : ""}.`;
    case "chat_message":
      return (
        <>
          {`${CHAT_SPEAKER[e.from]} in the chat on ${e.siteOrigin}:`}
          <pre>{e.text}</pre>
        </>
      );
    case "effect_failed":
      return <strong class="warn">{`Gave up on “${spelledOut(e.effect).toLowerCase()}” after ${e.attempts} attempts: ${e.reason}.`}</strong>;
    default:
      return unknownEntry(e);
  }
}

const CHAT_SPEAKER = { visitor: "Wrote", assistant: "The assistant answered", rep: "A rep answered" } as const;

/** An entry kind newer than this page: its name in words, nothing of its data. */
function unknownEntry(entry: never): string {
  const kind = (entry as { kind: string }).kind;
  return `${spelledOut(kind)} (recorded; this page has no description for it yet).`;
}
