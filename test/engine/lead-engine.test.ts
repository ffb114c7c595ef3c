import { describe, expect, it } from "vitest";
import { applyEvent, mergeProfile } from "../../engine/lead/lead-engine";
import type { LeadEffect, LeadState } from "../../engine/lead/lead-state";
import type { Submission } from "../../schemas/lead";
import type { SequenceVersion } from "../../schemas/sequence";
import { PRESETS } from "../../schemas/sequence-presets";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2, 9, 0);
const LEAD = "0123456789abcdef0123456789abcdef";

function submission(overrides: Partial<Submission> = {}): Submission {
  return { formId: "demo", receivedAt: T0, profile: { email: "ann@example.com" }, consent: {}, utm: {}, custom: {}, ...overrides };
}

function submit(state: LeadState | null, s: Submission, now: number): { state: LeadState; effects: unknown[] } {
  const outcome = applyEvent(state, { kind: "form_submitted", leadId: LEAD, submission: s }, now);
  if (outcome.state === null) throw new Error("a submission always yields a lead");
  return { state: outcome.state, effects: outcome.effects };
}

describe("lead engine: form submissions", () => {
  it("a first submission creates a new lead, records it and asks for a projection", () => {
    const { state, effects } = submit(null, submission({ profile: { email: "ann@example.com", name: "Ann", source: "ads" } }), T0);
    expect(state).toMatchObject({ id: LEAD, status: "new", score: 15, createdAt: T0, lastActivityAt: T0, version: 1, lastSeq: 1 });
    expect(state.profile).toEqual({ email: "ann@example.com", name: "Ann", source: "ads" });
    expect(effects.map((e) => (e as { kind: string }).kind)).toEqual(["append_timeline", "project"]);
  });

  it("a later submission days after keeps creation time, moves activity and bumps the version", () => {
    const first = submit(null, submission(), T0).state;
    const { state } = submit(first, submission({ profile: { email: "ann@example.com", company: "Acme" } }), T0 + 3 * DAY);
    expect(state).toMatchObject({ createdAt: T0, lastActivityAt: T0 + 3 * DAY, version: 2 });
    expect(state.profile.company).toBe("Acme");
  });

  it("the first non-empty value of each field stays, the first source keeps the attribution, and empty fields fill", () => {
    const merged = mergeProfile(
      { name: "Ann", company: "Old", title: "Owner", source: "ads" },
      { company: "New", title: "", name: undefined, source: "newsletter", phone: "+12125550100" },
    );
    expect(merged).toEqual({ name: "Ann", company: "Old", title: "Owner", source: "ads", phone: "+12125550100" });
  });

  it("records consent with when, which form and which page, and keeps it when a later form is silent or unticked", () => {
    const granted = submit(null, submission({ consent: { sms: true }, page: "https://site.example/quote" }), T0).state;
    expect(granted.consent.sms).toEqual({ granted: true, at: T0, method: "form", formId: "demo", page: "https://site.example/quote" });
    const silent = submit(granted, submission(), T0 + DAY).state;
    expect(silent.consent.sms).toEqual(granted.consent.sms);
    // Withdrawing takes the lead's own STOP or unsubscribe link: an unticked box on anyone's post does not.
    const unticked = submit(silent, submission({ consent: { sms: false } }), T0 + 2 * DAY).state;
    expect(unticked.consent.sms).toEqual(granted.consent.sms);
  });

  it("does not move last activity backwards for a late-arriving older submission", () => {
    const recent = submit(null, submission(), T0 + DAY).state;
    expect(submit(recent, submission(), T0).state.lastActivityAt).toBe(T0 + DAY);
  });
});

describe("lead engine: a touch the sender's pacing moves", () => {
  const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };
  /** A lead whose acknowledgement has just been handed to the channel. */
  function acknowledging(): { state: LeadState; key: string } {
    const lead = submit(null, submission({ profile: { email: "ann@example.com", timezone: "America/New_York" } }), T0).state;
    let outcome = applyEvent(lead, { kind: "enrolled", sequence: NEW_INQUIRY, reason: "form" }, T0);
    // Its step's timer fires, then its delivery's: both are due at once.
    for (let fired = 0; fired < 3; fired++) {
      const send = outcome.effects.find((e): e is Extract<LeadEffect, { kind: "send" }> => e.kind === "send");
      if (send) return { state: outcome.state!, key: send.touch.key };
      const timer = outcome.effects.find((e): e is Extract<LeadEffect, { kind: "schedule" }> => e.kind === "schedule" && e.at <= T0);
      if (!timer) break;
      outcome = applyEvent(outcome.state, { kind: "timer_fired", timer: timer.timer }, T0);
    }
    throw new Error("the acknowledgement goes at once");
  }
  const timelineOf = (effects: LeadEffect[]) => effects.flatMap((e) => (e.kind === "append_timeline" ? [e.entry] : []));
  /** Midnight in New York, the day after T0. */
  const NEXT_DAY = Date.UTC(2026, 10, 3, 5, 0);

  it("held by the daily cap, it waits for its slot and the timeline says so, with the warm-up day and limit", () => {
    const { state, key } = acknowledging();
    const outcome = applyEvent(state, { kind: "delivery_deferred", key, until: NEXT_DAY, heldBy: { day: 3, limit: 33, warmupDays: 30 } }, T0);
    expect(outcome.state!.deliveries.find((d) => d.touch.key === key)?.dueAt).toBe(NEXT_DAY);
    expect(timelineOf(outcome.effects)).toEqual([
      expect.objectContaining({
        kind: "touch_deferred",
        key,
        stepId: "acknowledge",
        channel: "email",
        until: NEXT_DAY,
        cap: { day: 3, limit: 33, warmupDays: 30 },
        reason: "the sender's daily cap held it: 33 a day on warm-up day 3 of 30",
      }),
    ]);
    const warm = applyEvent(state, { kind: "delivery_deferred", key, until: NEXT_DAY, heldBy: { day: 40, limit: 200, warmupDays: 30 } }, T0);
    expect(timelineOf(warm.effects)).toEqual([expect.objectContaining({ reason: "the sender's daily cap held it: 200 a day on day 40 of sending, warm-up over" })]);
  });

  it("moved seconds by the spacing between sends, it waits and the timeline stays quiet", () => {
    const { state, key } = acknowledging();
    const outcome = applyEvent(state, { kind: "delivery_deferred", key, until: T0 + 25_000 }, T0);
    expect(outcome.state!.deliveries.find((d) => d.touch.key === key)?.dueAt).toBe(T0 + 25_000);
    expect(timelineOf(outcome.effects)).toEqual([]);
  });
});
