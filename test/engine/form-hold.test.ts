import { describe, expect, it } from "vitest";
import { applyEvent } from "../../engine/lead/lead-engine";
import type { LeadState } from "../../engine/lead/lead-state";
import type { Submission } from "../../schemas/lead";
import type { SequenceVersion } from "../../schemas/sequence";
import { PRESETS } from "../../schemas/sequence-presets";

const T0 = Date.UTC(2026, 10, 2, 15, 0);
const LEAD = "0123456789abcdef0123456789abcdef";
const preset = (id: string): SequenceVersion => ({ id, version: 0, sequence: PRESETS.get(id)! });
const submission = (formId = "demo"): Submission => ({ formId, receivedAt: T0, profile: { email: "ann@example.com" }, consent: { email: true }, utm: {}, custom: {} });

function post(state: LeadState | null, sequence: SequenceVersion, hold: string | undefined, now = T0) {
  const outcome = applyEvent(state, { kind: "form_submitted", leadId: LEAD, submission: submission(), sequence, ...(hold ? { hold } : {}) }, now);
  return { state: outcome.state!, effects: outcome.effects };
}

describe("a held form post (form flood, Turnstile unverified)", () => {
  it("keeps the lead and its enrolment, but pauses it before the first step and schedules nothing", () => {
    const { state, effects } = post(null, preset("new-inquiry"), "form flood");
    expect(state.status).toBe("paused");
    expect(state.enrolments).toMatchObject([{ sequenceId: "new-inquiry", status: "paused", resumeStep: 0 }]);
    expect(state.deliveries).toEqual([]);
    const timers = effects.filter((e) => e.kind === "schedule" || e.kind === "unschedule").map((e) => e.kind);
    expect(timers.at(-1)).toBe("unschedule");
    expect(effects).toContainEqual(
      expect.objectContaining({ kind: "append_timeline", entry: expect.objectContaining({ kind: "enrolment_ended", outcome: "paused", reason: "held: form flood" }) }),
    );
  });

  it("the owner's resume starts the held sequence from its first step", () => {
    const held = post(null, preset("new-inquiry"), "form flood").state;
    const resumed = applyEvent(held, { kind: "rep_action", action: "resume" }, T0 + 60_000).state!;
    expect(resumed.status).toBe("active");
    expect(resumed.enrolments[0]).toMatchObject({ status: "active", next: { stepIndex: 0 } });
  });

  it("a lead already running a sequence keeps running it: a later post, held or not, never switches its cadence", () => {
    const running = post(null, preset("new-inquiry"), undefined).state;
    for (const hold of ["form flood", undefined]) {
      const { state, effects } = post(running, preset("nurture"), hold, T0 + 60_000);
      expect(state.status).toBe("active");
      expect(state.enrolments.map((e) => [e.sequenceId, e.status])).toEqual([["new-inquiry", "active"]]);
      expect(effects).toContainEqual(expect.objectContaining({ kind: "append_timeline", entry: expect.objectContaining({ kind: "enrolment_refused", sequenceId: "nurture" }) }));
    }
  });

  it("a post that is not held enrols and runs as before", () => {
    const { state } = post(null, preset("new-inquiry"), undefined);
    expect(state.status).toBe("active");
    expect(state.enrolments).toMatchObject([{ status: "active", next: { stepIndex: 0 } }]);
  });
});
