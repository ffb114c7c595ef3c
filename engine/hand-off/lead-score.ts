import type { Seniority } from "../../schemas/routing";
import type { LeadState, ScoreSignal, ScoreFactor } from "../lead/lead-state";
import { seniorityOf } from "./seniority";

/**
 * The lead's score as data: a weight per human signal, halved every `halfLifeDays` so old
 * activity fades, capped per signal so one kind of activity cannot carry a lead alone,
 * with the factors that made it. Machine and `auto` signals never reach it: only the
 * lead's human signals are counted.
 */

export interface ScoreRules {
  weights: {
    open: number;
    click: number;
    /** Per page class; `default` for pages of no listed class. */
    visit: Record<string, number>;
    /** Per minute of engaged time on pricing pages. */
    pricingMinute: number;
    formPost: number;
    reply: number;
    buyingReply: number;
    seniority: Record<Seniority, number>;
  };
  caps: Record<ScoreSignal, number>;
  /**
   * Points page views (visits and time on pricing pages, both from the snippet's beacons,
   * which anyone can send) earn per UTC day, together. Two days' worth (30) on top of what
   * anonymous posts can earn (form posts 25, a title's seniority 15) stays under the 75
   * hand-off threshold: beacons cannot force a hand-off within a day.
   */
  pageDailyCap: number;
  halfLifeDays: number;
}

export const DEFAULT_SCORE_RULES: ScoreRules = {
  weights: {
    open: 3,
    click: 8,
    visit: { default: 2, pricing: 12, demo: 12, booking: 15, "case-study": 6 },
    pricingMinute: 4,
    formPost: 15,
    reply: 15,
    buyingReply: 35,
    seniority: { c_level: 15, owner: 15, vp: 12, director: 8 },
  },
  caps: { open: 15, click: 24, visit: 36, pricingTime: 16, formPost: 25, reply: 45, seniority: 15 },
  pageDailyCap: 15,
  halfLifeDays: 14,
};

const DAY = 86_400_000;

/** Each signal as the owner and a rep read it, in a hand-off's reason and on the lead's page. */
export const SCORE_SIGNAL_WORDS: Record<ScoreSignal, string> = {
  open: "email opens",
  click: "link clicks",
  visit: "visits to the site",
  pricingTime: "time on pricing pages",
  formPost: "form posts",
  reply: "replies",
  seniority: "seniority of the job title",
};

export function computeScore(state: LeadState, now: number, rules: ScoreRules = DEFAULT_SCORE_RULES): { score: number; factors: ScoreFactor[] } {
  const fade = (at: number) => 0.5 ** (Math.max(0, now - at) / (rules.halfLifeDays * DAY));
  const sums = new Map<ScoreFactor["signal"], { points: number; count: number }>();
  const add = (signal: ScoreFactor["signal"], points: number) => {
    const current = sums.get(signal) ?? { points: 0, count: 0 };
    sums.set(signal, { points: current.points + points, count: current.count + 1 });
  };
  // Page views share one budget per UTC day, spent in the order they happened.
  const pageBudget = new Map<number, number>();
  const fromPages = (at: number, points: number) => {
    const day = Math.floor(at / DAY);
    const spent = pageBudget.get(day) ?? 0;
    const allowed = Math.max(0, Math.min(points, rules.pageDailyCap - spent));
    pageBudget.set(day, spent + allowed);
    return allowed;
  };
  for (const signal of state.humanSignals) {
    const weight = fade(signal.at);
    if (signal.kind === "open") add("open", rules.weights.open * weight);
    if (signal.kind === "click") add("click", rules.weights.click * weight);
    if (signal.kind === "visit") add("visit", fromPages(signal.at, rules.weights.visit[signal.pageClass ?? "default"] ?? rules.weights.visit.default ?? 0) * weight);
    // A reply (or a proven chat message: the lead's own words too) counts as its judgement on arrival said: buying intent weighs more.
    if (signal.kind === "reply" || signal.kind === "chat") add("reply", (signal.judgement?.buyingIntent ? rules.weights.buyingReply : rules.weights.reply) * weight);
  }
  for (const visit of state.engagement.visits) {
    if (visit.pageClass === "pricing" && visit.engagedMs > 0) add("pricingTime", fromPages(visit.at, (visit.engagedMs / 60_000) * rules.weights.pricingMinute) * fade(visit.at));
  }
  for (const at of state.formPostTimes) add("formPost", rules.weights.formPost * fade(at));
  const seniority = seniorityOf(state.profile.title);
  if (seniority) add("seniority", rules.weights.seniority[seniority]);
  const factors = [...sums]
    .map(([signal, { points, count }]) => ({ signal, count, points: Math.round(Math.min(points, rules.caps[signal]) * 10) / 10 }))
    .filter((f) => f.points !== 0)
    .sort((a, b) => b.points - a.points);
  const score = Math.max(0, Math.min(100, Math.round(factors.reduce((sum, f) => sum + f.points, 0))));
  return { score, factors };
}
