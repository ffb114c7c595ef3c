import type { Channel } from "../../schemas/sequence";
import type { ConsentMethod, RepAction, ReplyJudgement, Submission } from "../../schemas/lead";
import type { Change, LeadState, Reply } from "./lead-state";
import { effect, log, updateEnrolment } from "./lead-change";
import { addLocalDays, zonedTime } from "../time/local-time";
import type { SequenceConfig } from "../sequence/sequence-config";
import { endEnrolment, resumeEnrolment } from "../sequence/enrolment";
import { dropDelivery, reschedule } from "../sequence/deliveries";
import { runStep } from "../sequence/sequence-runner";
import { answersAtOnce } from "../sequence/step-schedule";

/**
 * What happens to a lead as a whole: it replies, goes out of office, bounces, opts in or
 * out, books, is handed to a rep, is paused, resumed or returned by one, or comes back
 * after a silence. Each stops, holds or resumes its sequences and says why on its timeline.
 */

/** Stops every pending touch and timer of the lead, recording why. */
function haltAll(change: Change, outcome: "paused" | "booked" | "unsubscribed", reason: string, now: number, keepInstant = false): Change {
  let c = change;
  for (const delivery of change.state.deliveries) {
    if (keepInstant && delivery.touch.instant) continue;
    const { touch } = delivery;
    c = dropDelivery(c, touch.key);
    c = log(c, now, { kind: "touch_skipped", enrolmentId: touch.enrolmentId, sequenceId: touch.sequenceId, stepId: touch.stepId, channel: touch.channel, reason });
  }
  for (const enrolment of change.state.enrolments) {
    if (enrolment.status === "active" || (outcome !== "paused" && enrolment.status === "paused")) {
      c = endEnrolment(c, enrolment.id, outcome, reason, now);
    }
  }
  return c;
}

/**
 * A person replied: automation pauses at once and the owner is alerted. What the reply
 * asks for then acts — an unsubscribe request opts the lead out of that channel, "not now"
 * holds it and resumes it later — unless the judgement was unsure (`needs_review`).
 */
export function receiveReply(change: Change, reply: Reply, judgement: ReplyJudgement, now: number, config: SequenceConfig): Change {
  const named = namedTouch(change.state, reply.messageKey);
  const touchKey = named ?? latestTouch(change.state, reply.channel);
  const { messageKey, text, channel, evidence } = reply;
  const words = { ...(messageKey ? { messageKey } : {}), ...(text ? { text } : {}), ...(channel ? { channel } : {}), ...(evidence ? { evidence } : {}) };
  let c = log(change, now, { kind: "reply_received", ...words, ...judgement, ...(touchKey ? { touchKey } : {}) });
  if (named) c = leadWroteIn(c, named);
  c = { ...c, state: { ...c.state, status: "replied", lastActivityAt: Math.max(c.state.lastActivityAt, now), softBounces: 0 } };
  c = haltAll(c, "paused", "the lead replied", now);
  const { intent } = judgement;
  const readAs = intent !== "needs_review" ? ` (${intent.replace("_", " ")})` : " (needs review)";
  c = effect(c, { kind: "alert", reason: "reply", message: `${text ? text.slice(0, 500) : "The lead replied."}\n\nRead as:${readAs}` });
  if (intent === "unsubscribe") return optOut(c, channel ?? "email", "reply", now, evidence);
  if (intent === "not_now") return holdNotNow(c, judgement.holdUntil, now, config);
  return c;
}

/** The touch a reply names (its In-Reply-To or References, mapped to our touch key at the door), when it is one we sent. */
function namedTouch(state: LeadState, messageKey: string | undefined): string | undefined {
  if (!messageKey) return undefined;
  const sent = state.sentTouches.some((t) => t.key === messageKey) || state.enrolments.some((e) => e.emails.some((m) => m.key === messageKey && m.messageId));
  return sent ? messageKey : undefined;
}

/** A reply that names no touch we know answers the latest one on its channel (a touch's key ends with its channel). */
const latestTouch = (state: LeadState, channel: Channel | undefined): string | undefined =>
  state.sentTouches.findLast((t) => channel === undefined || t.key.endsWith(`-${channel}`))?.key;

/** The lead answered this email: the thread it went out in now has the lead's words, so its follow-ups may say "Re:". */
function leadWroteIn(change: Change, touchKey: string): Change {
  let c = change;
  for (const enrolment of change.state.enrolments) {
    const messageId = enrolment.emails.find((m) => m.key === touchKey)?.messageId;
    const thread = enrolment.thread;
    if (!messageId || !thread?.messageIds.includes(messageId)) continue;
    c = updateEnrolment(c, enrolment.id, (e) => ({ ...e, thread: { ...thread, leadWrote: true } }));
  }
  return c;
}

/** The start of a calendar day (`YYYY-MM-DD`, plus `later` days) in the lead's zone. */
function startOfDay(zone: string, isoDay: string, later = 0): number {
  const [year, month, day] = isoDay.split("-").map(Number) as [number, number, number];
  return zonedTime(zone, { year, month, day: day + later, hour: 0, minute: 0, second: 0 });
}

/**
 * "Not now" holds the lead until the day the reply named, or the default number of days
 * when it named none. A named day in the past or more than a year away is not believed.
 */
function holdNotNow(change: Change, named: string | undefined, now: number, config: SequenceConfig): Change {
  const zone = change.state.timezone;
  const stated = named ? startOfDay(zone, named) : NaN;
  const believed = stated > now && stated <= addLocalDays(now, zone, 366);
  const until = believed ? stated : addLocalDays(now, zone, config.notNowHoldDays);
  const reason = believed
    ? `not now: held until ${named}, the day the reply named`
    : `not now: held ${config.notNowHoldDays} days${named ? ` (the day named, ${named}, is past or more than a year away)` : ""}`;
  return effect(log(change, now, { kind: "lead_held", until, reason }), { kind: "schedule", timer: { kind: "hold_ends" }, at: until });
}

/** Paused sequences carry on from the step they stopped at. */
function resumePaused(change: Change, now: number): Change {
  let c: Change = { ...change, state: { ...change.state, status: "active" } };
  for (const enrolment of change.state.enrolments.filter((e) => e.status === "paused")) c = resumeEnrolment(c, enrolment.id, now);
  return c;
}

/**
 * A post the edge could not vouch for (more posts to its form this minute than a site's
 * visitors make): the lead and its enrolment are kept, but the enrolment this post started
 * waits paused for the owner, before its first step, so nothing is mailed or texted to
 * the address a stranger typed. The owner's Resume starts it from that step.
 */
export function holdNewEnrolments(change: Change, before: LeadState, reason: string, now: number): Change {
  const started = change.state.enrolments.filter((e) => e.status === "active" && !before.enrolments.some((b) => b.id === e.id));
  if (started.length === 0) return change;
  const wasActive = before.enrolments.some((e) => e.status === "active");
  let c = change;
  for (const enrolment of started) c = endEnrolment(c, enrolment.id, "paused", `held: ${reason}`, now);
  return wasActive ? { ...c, state: { ...c.state, status: "active" } } : { ...c, state: { ...c.state, status: "paused" } };
}

/** The "not now" hold is over: the lead's sequences resume, unless someone has taken it since. */
export function holdEnds(change: Change, now: number): Change {
  const c = effect(change, { kind: "unschedule", timer: { kind: "hold_ends" } });
  if (c.state.status !== "replied") return c;
  return resumePaused(log(c, now, { kind: "automation_resumed", reason: "the not-now hold ended" }), now);
}

/**
 * An out-of-office: the sequence goes on, but nothing goes out before the day after the
 * stated return date (a default number of days when none is given), in the lead's zone.
 */
export function outOfOffice(change: Change, returnDate: string | undefined, now: number, config: SequenceConfig): Change {
  const zone = change.state.timezone;
  const stated = returnDate ? startOfDay(zone, returnDate, 1) : NaN;
  // A return date in the past or absurdly far away is not believed.
  const until = stated > now && stated < addLocalDays(now, zone, 90) ? stated : addLocalDays(now, zone, config.outOfOfficeDays);
  let c = log(change, now, { kind: "auto_reply_received", ...(returnDate ? { returnDate } : {}), until });
  for (const enrolment of c.state.enrolments) {
    const next = enrolment.next;
    if (enrolment.status !== "active" || !next || next.dueAt >= until) continue;
    const step = enrolment.sequence.steps[next.stepIndex];
    // The steps after the postponed one keep their spacing from it, not from the original plan.
    c = updateEnrolment(c, enrolment.id, (e) => ({ ...e, next: { ...next, dueAt: until }, anchor: { at: until, fromStep: next.stepIndex + 1 } }));
    c = effect(c, { kind: "schedule", timer: { kind: "step", enrolmentId: enrolment.id }, at: until });
    if (step)
      c = log(c, now, {
        kind: "timing_changed",
        enrolmentId: enrolment.id,
        sequenceId: enrolment.sequenceId,
        stepId: step.id,
        from: next.dueAt,
        to: until,
        reason: "out of office",
      });
  }
  for (const delivery of c.state.deliveries) if (delivery.dueAt < until) c = reschedule(c, delivery.touch.key, until);
  return c;
}

/** SMS START after a STOP: texts may go again, with the consent recorded anew (the webhook lifts the suppression). */
export function optIn(change: Change, now: number): Change {
  if (change.state.consent.sms?.granted !== false) return change;
  const c = log(change, now, { kind: "resubscribed", channel: "sms", method: "sms_start" });
  return { ...c, state: { ...c.state, consent: { ...c.state.consent, sms: { granted: true, at: now, method: "sms_start" } } } };
}

/** A booking completes every sequence the lead is in. */
export function markBooked(change: Change, source: string, now: number): Change {
  if (change.state.status === "booked") return change;
  let c = log(change, now, { kind: "booked", source });
  c = haltAll(c, "booked", "the lead booked", now);
  return { ...c, state: { ...c.state, status: "booked" } };
}

/**
 * What proves an opt-out when the caller names nothing more specific: each method's own
 * check (a signed token, the provider's signed webhook, the owner's session).
 */
const OPT_OUT_EVIDENCE: Record<ConsentMethod, string> = {
  form: "the lead's form post",
  unsubscribe_link: "signed unsubscribe link",
  one_click: "signed one-click unsubscribe (RFC 8058)",
  owner: "owner action",
  reply: "the lead's reply",
  sms_stop: "STOP from the lead's number (signed provider webhook)",
  sms_start: "START from the lead's number (signed provider webhook)",
  complaint: "complaint report",
  confirmed_link: "confirmed by the address's owner via a signed link",
};

/**
 * A withdrawn consent granted again, by the owner (undoing an unsubscribe, STOP or an
 * automation's mistake) or by the address's owner through the signed confirmation link.
 * An unsubscribed lead becomes `completed`: nothing resumes by itself, and the owner may
 * enrol it again. The address leaves the suppression list with the same evidence.
 */
export function restoreConsent(change: Change, channel: "email" | "sms", method: "owner" | "confirmed_link", evidence: string, now: number): Change {
  const { state } = change;
  const withdrawn = state.consent[channel]?.granted === false || (channel === "email" && state.status === "unsubscribed");
  if (!withdrawn) return change;
  let c = log(change, now, { kind: "resubscribed", channel, method, evidence });
  const status = channel === "email" && state.status === "unsubscribed" ? "completed" : state.status;
  c = { ...c, state: { ...c.state, status, consent: { ...c.state.consent, [channel]: { granted: true, at: now, method } } } };
  const address = channel === "email" ? state.profile.email : state.profile.phone;
  return address ? effect(c, { kind: "unsuppress", channel, value: address, evidence }) : c;
}

const RECONSENT_EVERY = 30 * 24 * 3_600_000;
/** Re-posts alert the owner each time, but a flood of them makes one alert a day. */
const REPOST_ALERT_EVERY = 24 * 3_600_000;

/**
 * A form post for an address that unsubscribed from email. The post grants nothing and
 * enrols nothing (anyone can type an address). The address gets one confirmation email with
 * a signed link — at most once per 30 days, so a flood of posts cannot turn into a flood of
 * mail, and never for an address that complained of spam or bounces — and only that link
 * grants consent again. The owner is told of every refused re-post (at most once a day),
 * with what it asked for, since the person may truly want an answer.
 */
export function requestReconsent(change: Change, submission: Submission, now: number): Change {
  const { state } = change;
  const email = state.profile.email;
  const record = state.consent.email;
  if (!email || !(state.status === "unsubscribed" || record?.granted === false)) return change;
  let c = change;
  let outcome: string;
  // An address that complained of spam or bounced is never mailed on a stranger's post, not even to ask.
  if (record?.method === "complaint") outcome = "Nothing was sent: the address reported our email as spam.";
  else if (state.emailUndeliverable) outcome = `Nothing was sent: the address bounces (${state.emailUndeliverable}).`;
  else if (state.reconsentRequestedAt !== undefined && now - state.reconsentRequestedAt < RECONSENT_EVERY) {
    outcome = "Nothing was sent: a confirmation email already went in the last 30 days.";
  } else {
    c = log(c, now, { kind: "reconsent_requested", channel: "email", formId: submission.formId });
    c = effect({ ...c, state: { ...c.state, reconsentRequestedAt: now } }, { kind: "send_reconsent", to: email, withdrawnAt: record?.granted === false ? record.at : 0 });
    outcome = "Nothing was sent but one confirmation email to the address; consent returns only if its owner confirms.";
  }
  return alertOwnerOfPost(c, refusedRepost(submission, record?.method, outcome), now);
}

/** Tells the owner of a post that changed nothing for the lead, at most once a day: a flood of posts is not a flood of alerts. */
export function alertOwnerOfPost(change: Change, message: string, now: number): Change {
  const { repostAlertedAt } = change.state;
  if (repostAlertedAt !== undefined && now - repostAlertedAt < REPOST_ALERT_EVERY) return change;
  return effect({ ...change, state: { ...change.state, repostAlertedAt: now } }, { kind: "alert", reason: "notice", message });
}

/** The owner's alert of a refused re-post: what it asked for, what was refused, and what was sent. */
function refusedRepost(submission: Submission, method: ConsentMethod | undefined, outcome: string): string {
  const withdrawn = method === "complaint" ? "reported our email as spam" : "unsubscribed";
  // Only email is refused: an email opt-out leaves the lead's SMS consent to its own record.
  const refused = submission.consent.email ? "the email consent it ticked and any follow-up" : "any follow-up";
  const message = submission.message ? `\n\nIts message:\n${submission.message.slice(0, 500)}` : "";
  return `A form (${submission.formId}) was posted for this lead after it ${withdrawn}. Refused: ${refused}. ${outcome}${message}`;
}

/**
 * The lead opted out. From email (the unsubscribe link) every sequence stops at once and
 * pending touches are dropped; from SMS (STOP) only texts stop. Either way the channel's
 * consent is recorded as withdrawn and the address goes on the suppression list.
 * Repeating it changes nothing.
 */
export function optOut(change: Change, channel: Channel, method: ConsentMethod, now: number, evidence = OPT_OUT_EVIDENCE[method]): Change {
  const { state } = change;
  const address = channel === "email" ? state.profile.email : state.profile.phone;
  const suppressed = (c: Change) =>
    address
      ? effect(c, {
          kind: "suppress",
          channel,
          value: address,
          reason: method === "one_click" ? "unsubscribed (one-click)" : `unsubscribed (${method.replace("_", " ")})`,
          evidence,
        })
      : c;
  if (channel === "sms") {
    // STOP ends texts only: the lead's emails (and its own consent to them) are untouched.
    if (state.consent.sms?.granted === false) return change;
    let c = log(change, now, { kind: "unsubscribed", channel, method, evidence });
    c = { ...c, state: { ...c.state, consent: { ...c.state.consent, sms: { granted: false, at: now, method } } } };
    for (const delivery of state.deliveries.filter((d) => d.touch.channel === "sms")) {
      const { touch } = delivery;
      c = log(dropDelivery(c, touch.key), now, {
        kind: "touch_skipped",
        enrolmentId: touch.enrolmentId,
        sequenceId: touch.sequenceId,
        stepId: touch.stepId,
        channel: "sms",
        reason: "the lead replied STOP",
      });
    }
    return suppressed(c);
  }
  if (state.status === "unsubscribed" && state.consent.email?.granted === false) return change;
  let c = log(change, now, { kind: "unsubscribed", channel, method, evidence });
  c = { ...c, state: { ...c.state, status: "unsubscribed", consent: { ...c.state.consent, email: { granted: false, at: now, method } } } };
  return suppressed(haltAll(c, "unsubscribed", "the lead unsubscribed", now));
}

/**
 * A person takes over: each trigger is on the timeline with why it fired, the owner's
 * destinations get the package, and (by default) the lead's automation pauses.
 */
export function handOff(change: Change, fired: { trigger: string; reason: string }[], now: number, pauseAutomation: boolean, config: SequenceConfig, email?: string): Change {
  let c = change;
  for (const f of fired) c = log(c, now, { kind: "handed_off", trigger: f.trigger, reason: f.reason, score: c.state.score });
  c = { ...c, state: { ...c.state, handOffs: [...c.state.handOffs, ...fired.map((f) => ({ ...f, at: now }))].slice(-50) } };
  if (pauseAutomation && !["booked", "unsubscribed"].includes(c.state.status)) {
    // The answer to the lead's own request still goes out (a CEO's form post gets its
    // acknowledgement); only the follow-ups wait for the rep.
    for (const enrolment of c.state.enrolments) {
      const step = enrolment.next && enrolment.sequence.steps[enrolment.next.stepIndex];
      if (enrolment.status === "active" && step && answersAtOnce(enrolment, step) && enrolment.next!.dueAt <= now) c = runStep(c, enrolment.id, now, config);
    }
    c = { ...c, state: { ...c.state, status: "with_rep" } };
    c = haltAll(c, "paused", "handed to a rep", now, true);
  }
  return effect(c, { kind: "hand_off", triggers: fired, ...(email ? { email } : {}) });
}

/**
 * What the owner or rep decides: `pause` stops the automation (pending touches are dropped)
 * until `resume`, which continues the paused sequences where they stopped;
 * `return` gives the lead back to automation in the monthly nurture; `complete` closes it.
 */
export function repAction(change: Change, action: RepAction, note: string | undefined, now: number, nurtureId: string): Change {
  const { state } = change;
  if (["booked", "unsubscribed"].includes(state.status)) return change;
  if (action === "pause" && state.status === "paused") return change;
  let c = log(change, now, { kind: "rep_action", action, ...(note ? { note } : {}) });
  if (action === "pause") {
    c = haltAll(c, "paused", "paused by the owner", now);
    return { ...c, state: { ...c.state, status: "paused" } };
  }
  if (action === "resume") return resumePaused(c, now);
  for (const delivery of c.state.deliveries) c = dropDelivery(c, delivery.touch.key);
  for (const enrolment of c.state.enrolments.filter((e) => e.status === "active" || e.status === "paused")) {
    c = endEnrolment(c, enrolment.id, "completed", action === "complete" ? "completed by the rep" : "returned to automation by the rep", now);
  }
  if (action === "complete") return { ...c, state: { ...c.state, status: "completed" } };
  c = { ...c, state: { ...c.state, status: "active" } };
  return effect(c, { kind: "enrol", sequenceId: nurtureId, reason: "api" });
}
