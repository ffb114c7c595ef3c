import { PRESET_ROUTING, type RoutingCondition, type RoutingRule } from "../../schemas/routing";
import type { Change, LeadEvent, LeadState } from "../lead/lead-state";
import { effect, HALTED, log } from "../lead/lead-change";
import { seniorityOf } from "../hand-off/seniority";
import { endEnrolment } from "./enrolment";

/**
 * Intent-stage routing: after every event the lead's routing rules (data, see
 * schemas/routing.ts) may move it to another cadence. The first rule that holds wins: the
 * switch goes on the timeline with the rule's reason, and the object enrols the lead in the
 * new cadence's current version, which ends the one it was in (one cadence at a time). Pure.
 */

const DAY = 86_400_000;

/** The cadence the lead runs now: its active or paused enrolment's sequence, or `none`. */
export function currentCadence(state: LeadState): string {
  return state.enrolments.find((e) => e.status === "active" || e.status === "paused")?.sequenceId ?? "none";
}

const rulesOf = (state: LeadState): RoutingRule[] => (state.routing ?? PRESET_ROUTING).routing.rules;

/** The enrolment this event completed by running its last step, when it did. */
function completedNow(change: Change): string | undefined {
  for (const e of change.effects) {
    if (e.kind === "append_timeline" && e.entry.kind === "enrolment_ended" && e.entry.outcome === "completed" && e.entry.reason === "every step has run")
      return e.entry.enrolmentId;
  }
  return undefined;
}

function holds(condition: RoutingCondition, before: LeadState | null, change: Change, event: LeadEvent, now: number): boolean {
  const { state } = change;
  switch (condition.when) {
    case "score_at_least":
      // Crossing, not being over: a lead that left a cadence is not pulled straight back in.
      return state.score >= condition.score && (before?.score ?? 0) < condition.score;
    case "title": {
      if (event.kind !== "form_submitted") return false;
      const level = seniorityOf(state.profile.title);
      return level !== null && condition.seniority.includes(level);
    }
    case "demo_idle":
      return (
        event.kind === "timer_fired" && event.timer.kind === "demo_check" && state.status === "booked" && state.demoEndsAt !== undefined && state.lastActivityAt <= state.demoEndsAt
      );
    case "returned_after_silence": {
      const newest = state.humanSignals.at(-1);
      const visited = event.kind === "page_viewed" && newest?.kind === "visit" && newest.at === now && before?.humanSignals.at(-1)?.seq !== newest.seq;
      return visited && before !== null && now - before.lastActivityAt >= condition.days * DAY;
    }
    case "cadence_completed": {
      const id = completedNow(change);
      const enrolment = id && state.enrolments.find((e) => e.id === id);
      // A cadence that ran out within a day (every step skipped) moves nobody: owners' rules that
      // send leads round in a circle of such cadences must not spin the lead's alarm.
      if (!enrolment || now - enrolment.startedAt < DAY) return false;
      if (condition.engaged === undefined) return true;
      return state.humanSignals.some((s) => s.at >= enrolment.startedAt) === condition.engaged;
    }
  }
}

/** Whether the rule may move this lead: it is not halted (a finished demo moves a booked lead), and its cadence is one the rule moves from. */
function applies(rule: RoutingRule, state: LeadState, cadence: string): boolean {
  if (cadence === rule.cadence) return false;
  if (rule.from && !rule.from.includes(cadence)) return false;
  if (rule.if.when === "demo_idle") return state.status === "booked";
  return !HALTED.includes(state.status);
}

/**
 * Whether this event may move the lead. A form post may only when it started the lead's
 * cadence (a new lead, or one in none), and never when the edge could not vouch for it:
 * anyone can post an address, and a post must not move a lead someone else is following up.
 */
function mayRoute(before: LeadState | null, event: LeadEvent): boolean {
  if (event.kind !== "form_submitted") return true;
  return event.hold === undefined && (before === null || currentCadence(before) === "none");
}

/** Moves the lead to another cadence when one of its routing rules holds after this event. */
export function route(before: LeadState | null, change: Change, event: LeadEvent, now: number): Change {
  const c = scheduleDemoCheck(change, event, now);
  if (!mayRoute(before, event)) return c;
  // A cadence completed by this event is left already: the lead is in none now, and came from it.
  const completed = completedNow(c);
  const cadence = currentCadence(c.state);
  const from = cadence === "none" && completed ? c.state.enrolments.find((e) => e.id === completed)!.sequenceId : cadence;
  const rule = rulesOf(c.state).find((r) => applies(r, c.state, from) && holds(r.if, before, c, event, now));
  return rule ? switchCadence(c, rule, from, event.kind === "form_submitted", now) : c;
}

/** A booking with a meeting: the demo-idle rule looks again the given number of days after it ends. */
function scheduleDemoCheck(change: Change, event: LeadEvent, now: number): Change {
  if (event.kind !== "booked" || change.state.status !== "booked") return change;
  const rule = rulesOf(change.state).find((r) => r.if.when === "demo_idle");
  if (rule?.if.when !== "demo_idle") return change;
  // A meeting in the past or absurdly far ahead is not believed: the check counts from the booking.
  const endsAt = event.endsAt !== undefined && event.endsAt > now && event.endsAt < now + 90 * DAY ? event.endsAt : now;
  const c = { ...change, state: { ...change.state, demoEndsAt: endsAt } };
  return effect(c, { kind: "schedule", timer: { kind: "demo_check" }, at: endsAt + rule.if.days * DAY });
}

/**
 * Asks for the new cadence; the lead leaves its current one when the new one starts
 * (`enrol`), so a cadence it may not enter (marketing without consent) leaves it where it
 * was. Touches already rendered still go. A switch made by the form post itself answers
 * that post: the post's own enrolment ends now, and the new cadence's instant
 * acknowledgement goes at once.
 */
function switchCadence(change: Change, rule: RoutingRule, from: string, answersPost: boolean, now: number): Change {
  let c = change;
  if (answersPost)
    for (const enrolment of c.state.enrolments.filter((e) => e.status === "active")) c = endEnrolment(c, enrolment.id, "moved", `routed to ${rule.cadence}: ${rule.reason}`, now);
  c = log(c, now, { kind: "cadence_switched", from, to: rule.cadence, rule: rule.id, reason: rule.reason });
  // A finished demo reopens a booked lead: the booking stays in its milestones.
  c = { ...c, state: { ...c.state, status: "active" } };
  return effect(c, { kind: "enrol", sequenceId: rule.cadence, reason: answersPost ? "form" : "routing" });
}
