import { describe, expect, it } from "vitest";
import {
  capOn,
  EMPTY_PACING,
  pacingToday,
  reserveSlot,
  reserveSlots,
  sendingDayOf,
  type PacingRules,
  type PacingState,
  type Reservation,
  type SlotAsk,
} from "../../engine/time/sender-pacing";

const RULES: PacingRules = {
  dailyCap: 100,
  warmupDays: 30,
  warmupDailyLimit: 49,
  warmupFirstDay: 10,
  warmupGrowth: 1.5,
  minSpacingMs: 30_000,
  jitterMs: 15_000,
  timezone: "America/New_York",
  instantPerDomainCap: 3,
};
/** The deployment's defaults (services/deployment-settings.ts). */
const DEFAULTS: PacingRules = { ...RULES, dailyCap: 200, warmupFirstDay: 20, warmupGrowth: 1.3, minSpacingMs: 20_000, jitterMs: 10_000, instantPerDomainCap: 50 };

/** The slot a reservation gave; a refusal fails the test. */
function slotOf(reservation: Reservation): number {
  if (reservation.refused !== undefined) throw new Error(`refused: ${reservation.refused}`);
  return reservation.slot;
}
/** Monday 2 November 2026, 10:00 in New York. */
const T0 = Date.UTC(2026, 10, 2, 15, 0);

/** `count` touches asking in turn at `now`, as one batch; a refusal fails the test. */
function reserveMany(count: number, now: number, state: PacingState = EMPTY_PACING, rules = RULES) {
  const batch = reserveSlots(
    state,
    rules,
    Array.from({ length: count }, (_, i) => ({ key: `lead-${i}:e1-t1-email`, now })),
  );
  const slots = batch.answers.map((answer) => {
    if ("refused" in answer) throw new Error(`refused: ${answer.refused}`);
    return answer.slot;
  });
  return { state: batch.state, slots };
}

/** The address's cap on its `n`-th day of sending (1 is the first), starting 2 November 2026. */
const capOnDay = (rules: PacingRules, n: number) => capOn(rules, "2026-11-02", new Date(Date.UTC(2026, 10, 1 + n)).toISOString().slice(0, 10));

/** A state whose first send was `days` days before T0's day. */
const sendingFor = (days: number): PacingState => ({ ...EMPTY_PACING, firstDay: new Date(Date.UTC(2026, 10, 2 - days)).toISOString().slice(0, 10) });

describe("sender pacing", () => {
  it("by default a new address stays under 50 a day for its first 30 days, then grows by the factor to the daily cap", () => {
    const days = [1, 2, 3, 4, 5, 10, 29, 30, 31, 32, 33, 35, 36, 100, 400];
    expect(days.map((n) => capOnDay(DEFAULTS, n))).toEqual([20, 26, 33, 43, 49, 49, 49, 49, 63, 82, 107, 181, 200, 200, 200]);
    const warmUp = Array.from({ length: 30 }, (_, i) => capOnDay(DEFAULTS, i + 1));
    expect(Math.max(...warmUp)).toBeLessThan(50);
    const year = Array.from({ length: 365 }, (_, i) => capOnDay(DEFAULTS, i + 1));
    expect(year).toEqual([...year].sort((a, b) => a - b));
  });

  it("whatever the ramp, a warming address never reaches its warm-up limit, and the daily cap comes after", () => {
    for (const [warmupFirstDay, warmupGrowth, dailyCap] of [
      [1, 1.01, 200],
      [20, 1.3, 5000],
      [49, 3, 1000],
      [500, 2, 10_000],
      [10, 1.5, 30],
    ] as const) {
      const rules = { ...DEFAULTS, warmupFirstDay, warmupGrowth, dailyCap };
      for (let n = 1; n <= 30; n++) expect(capOnDay(rules, n)).toBeLessThanOrEqual(Math.min(49, dailyCap));
      expect(capOnDay(rules, 2000)).toBe(dailyCap);
    }
  });

  it("warm-up length and limit are settings: a shorter warm-up grows sooner, and none at all is the daily cap from day one", () => {
    const short = { ...DEFAULTS, warmupDays: 7, warmupDailyLimit: 40 };
    expect([1, 5, 7, 8, 9].map((n) => capOnDay(short, n))).toEqual([20, 40, 40, 52, 67]);
    expect([1, 2, 30].map((n) => capOnDay({ ...DEFAULTS, warmupDays: 0 }, n))).toEqual([200, 200, 200]);
    expect(sendingDayOf(DEFAULTS, "2026-11-02", "2026-11-30")).toEqual({ day: 29, limit: 49, warmupDays: 30 });
  });

  it("sends keep the minimum spacing plus a jitter fixed per touch", () => {
    const { slots } = reserveMany(5, T0);
    expect(slots[0]).toBe(T0);
    for (let i = 1; i < slots.length; i++) {
      const gap = slots[i]! - slots[i - 1]!;
      expect(gap).toBeGreaterThanOrEqual(30_000);
      expect(gap).toBeLessThan(45_000);
    }
    expect(new Set(slots.slice(1).map((s, i) => s - slots[i]!)).size).toBeGreaterThan(1);
  });

  it("over the day's cap touches roll to the next day in the order they asked", () => {
    const { slots } = reserveMany(13, T0);
    const nextMidnight = Date.UTC(2026, 10, 3, 5, 0);
    expect(slots.filter((s) => s < nextMidnight)).toHaveLength(10);
    const rolled = slots.slice(10);
    // The next local midnight in New York, then spaced out in order.
    expect(rolled[0]).toBe(nextMidnight);
    expect([...rolled].sort((a, b) => a - b)).toEqual(rolled);
  });

  it("a retried touch keeps the slot it was given and takes no second place", () => {
    const first = reserveSlot(EMPTY_PACING, RULES, "a", T0);
    const again = reserveSlot(first.state, RULES, "a", T0 + 5_000);
    expect(slotOf(again)).toBe(slotOf(first));
    expect(again.state).toBe(first.state);
  });

  it("a batch is answered in the order it asked, as if each touch had asked alone: one slot for a touch asked twice, nothing taken by a refusal", () => {
    const instant = (key: string): SlotAsk => ({ key, now: T0, instant: true, recipientDomain: "victim.example" });
    const asks: SlotAsk[] = [instant("a"), instant("b"), instant("a"), instant("c"), instant("d"), { key: "e", now: T0 + 1_000 }];
    const { state, answers } = reserveSlots(EMPTY_PACING, RULES, asks);
    expect(answers.slice(0, 4)).toEqual([{ slot: T0 }, { slot: T0 }, { slot: T0 }, { slot: T0 }]);
    expect(answers[4]).toEqual({ refused: expect.stringMatching(/3 instant answers to victim\.example today already/) });
    expect(answers[5]).toEqual({ slot: T0 + 1_000 });
    expect(state.counts["2026-11-02"]).toBe(4);
    let alone = EMPTY_PACING;
    for (const ask of asks) alone = reserveSlot(alone, RULES, ask.key, ask.now, ask.instant, ask.recipientDomain).state;
    expect(state).toEqual(alone);
  });

  it("an instant answer leaves at once while the day has room, and counts", () => {
    const almost = reserveMany(9, T0).state;
    const instant = reserveSlot(almost, RULES, "ack", T0 + 60_000, true, "example.com");
    expect(slotOf(instant)).toBe(T0 + 60_000);
    expect(instant.state.counts["2026-11-02"]).toBe(10);
  });

  it("on a full day an instant answer waits for the next day like any touch: a flood cannot spend a warming address", () => {
    const full = reserveMany(10, T0).state;
    const instant = reserveSlot(full, RULES, "ack", T0 + 60_000, true, "example.com");
    expect(slotOf(instant)).toBe(Date.UTC(2026, 10, 3, 5, 0));
  });

  it("instant answers to one recipient domain stop at the per-domain cap; other domains go on", () => {
    let state: PacingState = EMPTY_PACING;
    const answers = [1, 2, 3, 4].map((i) => {
      const reservation = reserveSlot(state, RULES, `ack-${i}`, T0 + i * 1_000, true, "Victim.example");
      state = reservation.state;
      return reservation.refused ?? "sent";
    });
    expect(answers.slice(0, 3)).toEqual(["sent", "sent", "sent"]);
    expect(answers[3]).toMatch(/3 instant answers to Victim\.example today already/);
    expect(slotOf(reserveSlot(state, RULES, "ack-other", T0 + 9_000, true, "other.example"))).toBe(T0 + 9_000);
    // A new day, a new count.
    expect(slotOf(reserveSlot(state, RULES, "ack-tomorrow", T0 + 86_400_000, true, "victim.example"))).toBe(T0 + 86_400_000);
  });

  it("a touch the cap rolls to a later day says which day of sending and which limit held it; spacing alone does not", () => {
    const { state } = reserveMany(10, T0);
    const within = reserveSlot(EMPTY_PACING, RULES, "spaced", T0);
    expect(within.refused === undefined && within.heldBy).toBeUndefined();
    const rolled = reserveSlot(state, RULES, "rolled", T0 + 60_000);
    expect(rolled).toMatchObject({ slot: Date.UTC(2026, 10, 3, 5, 0), heldBy: { day: 1, limit: 10, warmupDays: 30 } });
    // Asked again (a retried send), it keeps its slot and is not reported twice.
    expect(reserveSlot(rolled.state, RULES, "rolled", T0 + 90_000)).toEqual({ state: rolled.state, slot: Date.UTC(2026, 10, 3, 5, 0) });
  });

  it("on warm-up day 5 instant answers and scheduled touches share the 49: the 50th of the day waits for tomorrow", () => {
    let state = sendingFor(4);
    for (let i = 0; i < 49; i++) {
      const instant = i % 2 === 0;
      const next = reserveSlot(state, DEFAULTS, `touch-${i}`, T0 + i * 60_000, instant, `domain${i}.example`);
      expect(slotOf(next)).toBe(T0 + i * 60_000);
      state = next.state;
    }
    expect(state.counts["2026-11-02"]).toBe(49);
    const fiftieth = reserveSlot(state, DEFAULTS, "ack-50", T0 + 49 * 60_000, true, "late.example");
    expect(fiftieth).toMatchObject({ slot: Date.UTC(2026, 10, 3, 5, 0), heldBy: { day: 5, limit: 49, warmupDays: 30 } });
    expect(pacingToday(fiftieth.state, DEFAULTS, T0 + 50 * 60_000)).toEqual({ today: { day: 5, limit: 49, warmupDays: 30 }, sent: 49, heldBack: 1 });
  });

  it("where the address stands today: a new one is on day 1 with nothing sent and nothing held", () => {
    expect(pacingToday(EMPTY_PACING, DEFAULTS, T0)).toEqual({ today: { day: 1, limit: 20, warmupDays: 30 }, sent: 0, heldBack: 0 });
    const { state } = reserveMany(13, T0);
    expect(pacingToday(state, RULES, T0 + 1_000)).toMatchObject({ sent: 10, heldBack: 3 });
    // The next day the held touches are that day's sends.
    expect(pacingToday(state, RULES, Date.UTC(2026, 10, 3, 15, 0))).toEqual({ today: { day: 2, limit: 15, warmupDays: 30 }, sent: 3, heldBack: 0 });
  });
});
