import { describe, expect, it } from "vitest";
import { capOn, EMPTY_PACING, reserveSlot, type PacingRules, type PacingState, type Reservation } from "../../engine/time/sender-pacing";

const RULES: PacingRules = { dailyCap: 100, warmupFirstDay: 10, warmupGrowth: 1.5, minSpacingMs: 30_000, jitterMs: 15_000, timezone: "America/New_York", instantPerDomainCap: 3 };

/** The slot a reservation gave; a refusal fails the test. */
function slotOf(reservation: Reservation): number {
  if (reservation.refused !== undefined) throw new Error(`refused: ${reservation.refused}`);
  return reservation.slot;
}
/** Monday 2 November 2026, 10:00 in New York. */
const T0 = Date.UTC(2026, 10, 2, 15, 0);

function reserveMany(count: number, now: number, state: PacingState = EMPTY_PACING, rules = RULES) {
  const slots: number[] = [];
  for (let i = 0; i < count; i++) {
    const next = reserveSlot(state, rules, `lead-${i}:e1-t1-email`, now);
    state = next.state;
    slots.push(slotOf(next));
  }
  return { state, slots };
}

describe("sender pacing", () => {
  it("a new address warms up: its cap grows each day until the daily cap", () => {
    expect([0, 1, 2, 3, 5, 6, 7].map((d) => capOn(RULES, "2026-11-02", `2026-11-${String(2 + d).padStart(2, "0")}`))).toEqual([10, 15, 22, 33, 75, 100, 100]);
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
});
