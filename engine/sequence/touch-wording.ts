import type { TouchVariant } from "../../schemas/lead";
import type { EmailTemplate, Step } from "../../schemas/sequence";
import type { Enrolment, HumanSignal, LeadState } from "../lead/lead-state";
import { wordingFor, type Wording } from "../drafting/touch-drafts";
import type { SequenceConfig } from "./sequence-config";
import { mergeValues } from "./merge-values";
import { renderTemplate } from "./template";
import { matchSource } from "./source-match";

/**
 * A step's words for this lead now: which template (by source, UTM or landing page; the
 * alternative angle after ignored emails; a resend), rendered with the lead's values, or the
 * draft that replaces it.
 */

/** Emails of this enrolment not opened or clicked by a person: the last `count` of them all ignored? */
function ignoredLastEmails(enrolment: Enrolment, signals: HumanSignal[], count: number): boolean {
  const last = enrolment.emails.slice(-count);
  if (last.length < count) return false;
  const engaged = new Set(signals.filter((s) => s.kind === "open" || s.kind === "click").map((s) => s.messageKey));
  return last.every((m) => !engaged.has(m.key));
}

export function chooseEmail(state: LeadState, enrolment: Enrolment, step: Step, resendSubject: string | undefined): { template: EmailTemplate; variant: TouchVariant } {
  const bySource = matchSource(step.bySource, { source: state.profile.source, ...state.origin })?.template;
  const base = bySource ?? step.email!;
  if (resendSubject !== undefined) return { template: { ...base, subject: resendSubject }, variant: "resend" };
  const silent = enrolment.sequence.rules.silentUsesAlternative;
  if (step.alternative && silent.enabled && ignoredLastEmails(enrolment, state.humanSignals, silent.afterEmails)) {
    return { template: step.alternative, variant: "alternative" };
  }
  return { template: base, variant: bySource ? "by_source" : "template" };
}

/** Which of the step's templates an email would use now (a step without email has only its template). */
export const basisOf = (state: LeadState, enrolment: Enrolment, step: Step): TouchVariant => (step.email ? chooseEmail(state, enrolment, step, undefined).variant : "template");

/** The step's words as its templates render them for this lead now; `subject` is absent when the email continues its thread. */
export function templateWords(state: LeadState, enrolment: Enrolment, step: Step, config: SequenceConfig) {
  const values = mergeValues(state, config);
  const email = step.email ? chooseEmail(state, enrolment, step, undefined) : undefined;
  const threaded = email?.template.subject === undefined && enrolment.thread !== undefined;
  return {
    basis: email?.variant ?? ("template" as TouchVariant),
    subject: email && !threaded ? renderTemplate(email.template.subject ?? "Following up", values) : undefined,
    body: email ? renderTemplate(email.template.body, values) : undefined,
    sms: step.sms ? renderTemplate(step.sms.text, values) : undefined,
  };
}

/** The wording a step sends with: its draft when the sequence's drafting mode allows, else the template. */
export function wordingOf(state: LeadState, enrolment: Enrolment, step: Step, resendSubject?: string): Wording {
  // A resend is the same words under a new subject: it never takes a draft.
  if (resendSubject !== undefined) return { origin: "template" };
  const draft = state.drafts.find((d) => d.enrolmentId === enrolment.id);
  return wordingFor(enrolment.sequence.drafting, draft, step.id, basisOf(state, enrolment, step));
}
