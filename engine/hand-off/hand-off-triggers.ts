import type { LeadEffect, LeadEvent, LeadState } from "../lead/lead-state";
import type { BuyingIntent } from "../../schemas/lead";
import { describeObjection, stalledObjection } from "./raised-objections";
import { SCORE_SIGNAL_WORDS } from "./lead-score";

/**
 * When a lead gets hot, a person takes over. Each trigger is configurable, says why it
 * fired, and alerts once per window for the same lead. Pure: it reads the lead before and
 * after an event and names what fired.
 */

export type HandOffTrigger = "score" | "buying_intent" | "pricing_visits" | "competitor" | "decision_maker" | "objection_unresolved" | "booking_not_completed" | "manual";

export interface HandOffRules {
  enabled: Record<Exclude<HandOffTrigger, "manual">, boolean>;
  threshold: number;
  /** Visits to these classes on `count` different days within `withinDays`. */
  pricingVisits: { count: number; withinDays: number; classes: string[] };
  competitors: string[];
  /** A human click on a link starting with this counts as opening the booking page (as a human visit to a `booking` page does). */
  bookingUrl?: string;
  bookingWaitHours: number;
  /** The same trigger for the same lead alerts at most once in this many days. */
  windowDays: number;
  /** Hand-off pauses the lead's automation and marks it as with a rep. */
  pauseAutomation: boolean;
}

export const DEFAULT_HAND_OFF_RULES: HandOffRules = {
  enabled: {
    score: true,
    buying_intent: true,
    pricing_visits: true,
    competitor: true,
    decision_maker: true,
    objection_unresolved: true,
    booking_not_completed: true,
  },
  threshold: 75,
  pricingVisits: { count: 3, withinDays: 7, classes: ["pricing", "demo"] },
  competitors: [],
  bookingWaitHours: 24,
  windowDays: 7,
  pauseAutomation: true,
};

export interface Fired {
  trigger: HandOffTrigger;
  reason: string;
}

const DAY = 86_400_000;

const BUYING_REASON: Record<BuyingIntent, string> = {
  ready_to_proceed: "says they are ready to move forward",
  contract_terms: "asks about contract terms",
  implementation: "asks about an implementation timeline",
  pricing: "asks about pricing",
};

/** What fired because of this event, given the lead before and after it. */
export function detectTriggers(before: LeadState | null, after: LeadState, event: LeadEvent, now: number, rules: HandOffRules): Fired[] {
  const fired: Fired[] = [];
  const on = (trigger: Exclude<HandOffTrigger, "manual">) => rules.enabled[trigger];

  if (on("score") && after.score >= rules.threshold && (before?.score ?? 0) < rules.threshold) {
    const top = after.scoreFactors
      .slice(0, 3)
      .map((f) => `${SCORE_SIGNAL_WORDS[f.signal]} ${f.points}`)
      .join(", ");
    fired.push({ trigger: "score", reason: `score ${after.score} crossed ${rules.threshold} (${top})` });
  }

  // The reply (or proven chat message) as judged when it arrived (the newest human signal): its words are not read again.
  const newest = after.humanSignals.at(-1);
  const chatted = event.kind === "chat_message" && newest?.kind === "chat" && newest.seq === after.lastSeq;
  const reply = event.kind === "reply_received" || chatted ? newest?.judgement : undefined;
  const what = chatted ? "the chat message" : "the reply";
  if (reply) {
    if (on("buying_intent") && reply.buyingIntent) fired.push({ trigger: "buying_intent", reason: `${what} ${BUYING_REASON[reply.buyingIntent]}` });
    if (on("competitor") && reply.competitor) fired.push({ trigger: "competitor", reason: `${what} names ${reply.competitor}` });
    // Only the person's own words name a decision-maker: a title typed on a form is anyone's to type, and only scores seniority.
    if (on("decision_maker") && reply.decisionMaker) fired.push({ trigger: "decision_maker", reason: `${what} says they are ${reply.decisionMaker}` });
  }

  // Visits count once per UTC day: a return on another day is interest, a burst of beacons is not.
  if (on("pricing_visits") && event.kind === "page_viewed") {
    const since = now - rules.pricingVisits.withinDays * DAY;
    const visits = after.humanSignals.filter((s) => s.kind === "visit" && s.at >= since && rules.pricingVisits.classes.includes(s.pageClass ?? ""));
    const days = new Set(visits.map((s) => Math.floor(s.at / DAY))).size;
    const newest = after.humanSignals.at(-1);
    if (days >= rules.pricingVisits.count && newest?.kind === "visit" && visits.includes(newest)) {
      fired.push({ trigger: "pricing_visits", reason: `${rules.pricingVisits.classes.join("/")} pages visited on ${days} days within ${rules.pricingVisits.withinDays} days` });
    }
  }

  // Silence is not an objection: only one the lead raised can stall.
  const stalled = on("objection_unresolved") && event.kind === "delivery_sent" ? stalledObjection(after, event.key) : undefined;
  if (stalled) fired.push({ trigger: "objection_unresolved", reason: `${describeObjection(stalled.raised)}, still unanswered after ${stalled.touches} touches that addressed it` });

  if (on("booking_not_completed") && event.kind === "timer_fired" && event.timer.kind === "booking_check" && after.status !== "booked") {
    fired.push({ trigger: "booking_not_completed", reason: `opened the booking page ${rules.bookingWaitHours} h ago and has not booked` });
  }
  return fired;
}

/**
 * A person opened the booking page: a human click on the signed booking link. A page-view
 * beacon does not count: beacons are anyone's, and this wait ends in a hand-off that pauses
 * the lead.
 */
export function opensBookingPage(event: LeadEvent, effects: LeadEffect[], bookingUrl: string | undefined): boolean {
  const clickedLink = event.kind === "link_clicked" && bookingUrl !== undefined && event.url.startsWith(bookingUrl);
  return clickedLink && effects.some((e) => e.kind === "append_timeline" && e.entry.kind === "link_clicked" && e.entry.verdict === "human");
}

/** Triggers not already alerted for this lead within the window. */
export function freshTriggers(state: LeadState, fired: Fired[], now: number, rules: HandOffRules): Fired[] {
  return fired.filter((f) => !state.handOffs.some((h) => h.trigger === f.trigger && now - h.at < rules.windowDays * DAY));
}
