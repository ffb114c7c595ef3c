import type { Objection, ObjectionSource, RaisedObjection, ReplyJudgement, TimelineEntry } from "../../schemas/lead";
import type { Change, LeadEffect, LeadEvent, LeadState } from "../lead/lead-state";
import { log } from "../lead/lead-change";
import { judgeReply } from "../inbound/reply-judgement";

/**
 * An objection is something the lead raised: a form message or a reply judged as one, or
 * the booking page opened and left without a booking. Silence raises nothing. Recorded on
 * the lead (for the `objection_unresolved` trigger, the package and the objection step's
 * draft) and on its timeline.
 */

const MAX_RAISED = 20;

/** Words an owner's answer to each concern would use, to find it among the knowledge base's objection passages. */
export const OBJECTION_TERMS: Record<Objection, string> = {
  price: "price pricing cost costs expensive budget afford financing",
  timing: "timing time later busy quarter year wait",
  incumbent: "already current provider switch switching contract existing",
  fit: "fit fits suited complicated complex worried concerned",
};

const SOURCE_WORDS: Record<ObjectionSource, string> = { form: "in the form message", reply: "in a reply", booking_page: "" };

/** The objection as a rep or owner reads it. */
export function describeObjection(raised: Pick<RaisedObjection, "source" | "objection">): string {
  if (raised.source === "booking_page") return "opened the booking page and did not book";
  return `${raised.objection ?? "an objection"} ${SOURCE_WORDS[raised.source]}`;
}

/**
 * A judgement that reads the words as an objection: its intent, or a concern it names —
 * except in a "not now", "not interested" or unsubscribe, which the hold or the stop it
 * asks for answers: nothing there is left for objection touches or a rep.
 */
const raisesObjection = (judgement: ReplyJudgement) =>
  judgement.intent === "objection" ||
  (judgement.objection !== undefined && judgement.intent !== "not_now" && judgement.intent !== "not_interested" && judgement.intent !== "unsubscribe");

function raise(change: Change, now: number, source: ObjectionSource, objection: Objection | undefined, from: number | undefined): Change {
  const details = { source, ...(objection ? { objection } : {}), ...(from !== undefined ? { from } : {}) };
  const logged = log(change, now, { kind: "objection_raised", ...details });
  const raised: RaisedObjection = { seq: logged.state.lastSeq, at: now, ...details };
  return { ...logged, state: { ...logged.state, raisedObjections: [...(logged.state.raisedObjections ?? []), raised].slice(-MAX_RAISED) } };
}

const appended = (effects: LeadEffect[], kind: TimelineEntry["kind"]) => effects.flatMap((e) => (e.kind === "append_timeline" && e.entry.kind === kind ? [e.entry] : [])).at(-1);

/**
 * Records what this event raised. A form message is the lead's own words as much as a
 * reply is, and is judged by the same rules — the message of the post that created the lead.
 * A later post is anyone's (it only needs the address), and a post the edge could not vouch
 * for (`hold`): neither says anything on the lead's behalf. Nor does an imported row: its
 * "message" is the owner's note from a CRM ("worried about price"), not the lead's words.
 */
export function raiseObjections(before: LeadState | null, change: Change, event: LeadEvent, now: number, competitors: readonly string[]): Change {
  switch (event.kind) {
    case "form_submitted": {
      const message = event.submission.message;
      if (!message || event.hold || event.submission.imported || before !== null) return change;
      const judgement = judgeReply(message, competitors);
      return raisesObjection(judgement) ? raise(change, now, "form", judgement.objection, appended(change.effects, "form_submitted")?.seq) : change;
    }
    case "reply_received": {
      // The reply as judged when it arrived: its words are not read again.
      const reply = change.state.humanSignals.at(-1);
      return reply?.kind === "reply" && reply.judgement && raisesObjection(reply.judgement) ? raise(change, now, "reply", reply.judgement.objection, reply.seq) : change;
    }
    case "timer_fired":
      return event.timer.kind === "booking_check" && change.state.status !== "booked" ? raise(change, now, "booking_page", undefined, undefined) : change;
    default:
      return change;
  }
}

/**
 * The objection the lead raised that two touches addressing it (objection or alternative
 * steps sent after it) left unanswered — no reply and no human click since — once `key`,
 * the touch just sent, is the second of them.
 */
export function stalledObjection(state: LeadState, key: string): { raised: RaisedObjection; touches: number } | undefined {
  for (const raised of state.raisedObjections ?? []) {
    const touches = state.sentTouches.filter((t) => t.at > raised.at && (t.intent === "objection" || t.intent === "alternative"));
    if (touches.length < 2 || touches.at(-1)!.key !== key) continue;
    const answered = state.humanSignals.some((s) => (s.kind === "reply" || s.kind === "click") && s.seq > raised.seq);
    if (!answered) return { raised, touches: touches.length };
  }
  return undefined;
}

/** What the lead most recently raised in its own words, else a booking page left behind. */
export function statedObjection(state: LeadState): RaisedObjection | undefined {
  const raised = state.raisedObjections ?? [];
  return raised.filter((r) => r.source !== "booking_page").at(-1) ?? raised.at(-1);
}
