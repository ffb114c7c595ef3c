import type { SendingDay } from "../../schemas/lead";
import { localParts, localTimeOnDay } from "./local-time";

/**
 * Deliverability guards for one sending address: a daily cap that ramps up while the
 * address warms up, and a minimum spacing between sends with jitter so mail does not
 * leave in bursts. Slots are handed out in the order touches ask, so what rolls over
 * the cap goes first the next day. Pure: the sender's object keeps the state.
 */

export interface PacingRules {
  /** The most a warmed-up address sends per day. */
  dailyCap: number;
  /** How many days from its first send the address warms up; 0 for one already warm. */
  warmupDays: number;
  /** The most a day while it warms up: the playbook keeps a new address under 50. */
  warmupDailyLimit: number;
  /**
   * The cap on the first day of sending; it grows by `warmupGrowth` each day, held under
   * `warmupDailyLimit` until warm-up ends, then grows on from there to `dailyCap`.
   */
  warmupFirstDay: number;
  warmupGrowth: number;
  minSpacingMs: number;
  /** Up to this much extra spacing, fixed per touch (from its key). */
  jitterMs: number;
  /** The business's zone: the sender's day starts at its midnight. */
  timezone: string;
  /**
   * Instant answers to one recipient domain per day: a flood of form posts naming
   * addresses at one domain must not turn the owner's address into that domain's spammer.
   */
  instantPerDomainCap: number;
}

export interface PacingState {
  /** The sender's first day of sending, `YYYY-MM-DD` in its zone. */
  firstDay?: string;
  /** Sends per day (recent days only). */
  counts: Record<string, number>;
  lastSlot: number;
  /** Slots already given, by touch key, so a retried touch keeps its place. */
  slots: Record<string, number>;
  /** Instant answers per `day domain` (recent days only). */
  instantByDomain?: Record<string, number>;
}

export const EMPTY_PACING: PacingState = { counts: {}, lastSlot: 0, slots: {} };

/**
 * A slot, or why the touch may not go at all (a recorded skip for the lead, never a lost lead).
 * `heldBy` is today's cap when it pushed the touch to a later day (spacing alone moves it seconds).
 */
export type Reservation = { state: PacingState; slot: number; heldBy?: SendingDay; refused?: undefined } | { state: PacingState; refused: string };

const DAY = 86_400_000;

function dayOf(at: number, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);

/** The cap on the address's `age`-th day of sending (0 is its first). */
function capAtAge(rules: PacingRules, age: number): number {
  const ramp = Math.floor(rules.warmupFirstDay * rules.warmupGrowth ** age);
  if (age < rules.warmupDays) return Math.min(rules.dailyCap, rules.warmupDailyLimit, ramp);
  if (rules.warmupDays === 0) return rules.dailyCap;
  // Warm-up over, the address grows from where warm-up held it, not from where the ramp would be.
  const lastWarm = capAtAge(rules, rules.warmupDays - 1);
  return Math.min(rules.dailyCap, Math.floor(lastWarm * rules.warmupGrowth ** (age - rules.warmupDays + 1)));
}

/** A day of sending for this address: which one it is (1 on the first send's day), its cap, and the warm-up's length. */
export function sendingDayOf(rules: PacingRules, firstDay: string | undefined, day: string): SendingDay {
  const age = firstDay ? Math.max(0, daysBetween(firstDay, day)) : 0;
  return { day: age + 1, limit: capAtAge(rules, age), warmupDays: rules.warmupDays };
}

/** The cap on a given day: under the warm-up limit while the address warms up, then up to the daily cap. */
export const capOn = (rules: PacingRules, firstDay: string | undefined, day: string): number => sendingDayOf(rules, firstDay, day).limit;

/** A stable fraction in [0, 1) from a touch key (FNV-1a), so jitter needs no randomness. */
function fraction(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) / 2 ** 32;
}

/**
 * The moment this touch may leave, and the sender's state with the slot taken. An instant
 * touch (the answer to a form the lead just sent) leaves now while the day's cap has room —
 * it counts like any other, so a flood of posts cannot spend the address past its warm-up —
 * and at most `instantPerDomainCap` a day go to one recipient domain.
 */
export function reserveSlot(state: PacingState, rules: PacingRules, key: string, now: number, instant = false, recipientDomain?: string): Reservation {
  const held = state.slots[key];
  if (held !== undefined) return { state, slot: held };
  const firstDay = state.firstDay ?? dayOf(now, rules.timezone);
  const today = dayOf(now, rules.timezone);
  if (instant && (state.counts[today] ?? 0) < capOn(rules, firstDay, today)) {
    const domainKey = `${today} ${(recipientDomain ?? "").toLowerCase()}`;
    const toDomain = state.instantByDomain?.[domainKey] ?? 0;
    if (recipientDomain && toDomain >= rules.instantPerDomainCap) {
      return { state, refused: `${toDomain} instant answers to ${recipientDomain} today already (the per-domain cap)` };
    }
    const instantByDomain = Object.fromEntries(Object.entries({ ...state.instantByDomain, [domainKey]: toDomain + 1 }).filter(([k]) => k.startsWith(today)));
    return {
      state: { ...state, firstDay, counts: { ...state.counts, [today]: (state.counts[today] ?? 0) + 1 }, slots: { ...state.slots, [key]: now }, instantByDomain },
      slot: now,
    };
  }
  let slot = Math.max(now, state.lastSlot > 0 ? Math.ceil(state.lastSlot + rules.minSpacingMs + fraction(key) * rules.jitterMs) : now);
  // A full day rolls the slot to the next midnight; the ramp guarantees a later day has room.
  for (let guard = 0; guard < 400; guard++) {
    const day = dayOf(slot, rules.timezone);
    if ((state.counts[day] ?? 0) < capOn(rules, firstDay, day)) break;
    slot = localTimeOnDay(slot, rules.timezone, 1, "00:00");
  }
  const day = dayOf(slot, rules.timezone);
  const heldByCap = day !== today && (state.counts[today] ?? 0) >= capOn(rules, firstDay, today);
  // Keep a few days of counts and a day of slots: enough to answer retries, bounded forever.
  const counts = Object.fromEntries(Object.entries({ ...state.counts, [day]: (state.counts[day] ?? 0) + 1 }).filter(([d]) => daysBetween(d, day) < 7));
  const slots = Object.fromEntries(Object.entries({ ...state.slots, [key]: slot }).filter(([, at]) => at > now - DAY));
  const next = { ...state, firstDay, counts, lastSlot: Math.max(state.lastSlot, slot), slots };
  return heldByCap ? { state: next, slot, heldBy: sendingDayOf(rules, firstDay, today) } : { state: next, slot };
}

/** One touch's request for a send slot; `key` keeps a retried touch in the place it was given. */
export interface SlotAsk {
  key: string;
  now: number;
  instant?: boolean;
  recipientDomain?: string;
}

/** A slot (with the day that held it back, if the cap did), or why the touch may not go. */
export type SlotAnswer = { slot: number; heldBy?: SendingDay } | { refused: string };

/** Slots for several touches, handed out in the order they asked, and the state with them all taken. */
export function reserveSlots(state: PacingState, rules: PacingRules, asks: readonly SlotAsk[]): { state: PacingState; answers: SlotAnswer[] } {
  const answers: SlotAnswer[] = [];
  let current = state;
  for (const ask of asks) {
    const reservation = reserveSlot(current, rules, ask.key, ask.now, ask.instant ?? false, ask.recipientDomain);
    current = reservation.state;
    if (reservation.refused !== undefined) answers.push({ refused: reservation.refused });
    else answers.push(reservation.heldBy ? { slot: reservation.slot, heldBy: reservation.heldBy } : { slot: reservation.slot });
  }
  return { state: current, answers };
}

/** Where the address stands now: today's cap and sends, and the touches the cap holds for a later day. */
export function pacingToday(state: PacingState, rules: PacingRules, now: number): { today: SendingDay; sent: number; heldBack: number } {
  const today = dayOf(now, rules.timezone);
  const heldBack = Object.entries(state.counts)
    .filter(([day]) => day > today)
    .reduce((sum, [, count]) => sum + count, 0);
  return { today: sendingDayOf(rules, state.firstDay, today), sent: state.counts[today] ?? 0, heldBack };
}
