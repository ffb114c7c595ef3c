import { describe, expect, it } from "vitest";
import { PERSON, simulate } from "../../engine/simulator";
import { SequenceSchema } from "../../schemas/sequence";
import { applyEvent } from "../../engine/lead/lead-engine";
import type { LeadEvent, LeadState } from "../../engine/lead/lead-state";
import type { Submission } from "../../schemas/lead";
import { PRESETS } from "../../schemas/sequence-presets";

/** Who may move a lead between cadences: what the lead does, never a stranger's post. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 2, 15, 0);
const preset = (id: string) => ({ id, version: 0, sequence: PRESETS.get(id)! });
let n = 0;
const leadId = () => `${"c".repeat(28)}${String(++n).padStart(4, "0")}`;

function post(profile: Submission["profile"] = {}, extra: Partial<Submission> = {}): Submission {
  return {
    formId: "contact",
    receivedAt: T0,
    profile: { email: "lee@example.com", firstName: "Lee", timezone: "America/New_York", ...profile },
    consent: {},
    utm: {},
    custom: {},
    ...extra,
  };
}

const active = (state: LeadState) => state.enrolments.filter((e) => e.status === "active" || e.status === "paused").map((e) => e.sequenceId);
const kinds = (events: { effects: { kind: string; entry?: { kind: string } }[] }) => events.effects.flatMap((e) => (e.kind === "append_timeline" ? [e.entry!.kind] : []));

describe("cadence routing: who may move a lead", () => {
  it("a later post naming a CEO title does not move a lead someone is already following up", () => {
    const first = applyEvent(null, { kind: "form_submitted", leadId: leadId(), submission: post(), sequence: preset("new-inquiry") }, T0).state!;
    const again = applyEvent(first, { kind: "form_submitted", leadId: first.id, submission: post({ title: "CEO" }), sequence: preset("new-inquiry") }, T0 + DAY);
    expect(kinds(again)).not.toContain("cadence_switched");
    expect(again.effects).not.toContainEqual(expect.objectContaining({ kind: "enrol" }));
    expect(active(again.state!)).toEqual(["new-inquiry"]);
  });

  it("a held post (a form flood) routes nothing, even for a new lead with a VP title", () => {
    const held = applyEvent(null, { kind: "form_submitted", leadId: leadId(), submission: post({ title: "VP Sales" }), sequence: preset("new-inquiry"), hold: "form flood" }, T0);
    expect(kinds(held)).not.toContain("cadence_switched");
    expect(held.effects).not.toContainEqual(expect.objectContaining({ kind: "enrol" }));
  });

  it("a lead in the monthly nurture that asks again gets its inquiry answered: the form's cadence takes over", () => {
    const submission = post({}, { consent: { email: true } });
    const nurtured = applyEvent(null, { kind: "form_submitted", leadId: leadId(), submission, sequence: preset("nurture") }, T0).state!;
    expect(active(nurtured)).toEqual(["nurture"]);
    const asked = applyEvent(
      nurtured,
      { kind: "form_submitted", leadId: nurtured.id, submission: { ...submission, message: "Can we get a quote for 20 seats?" }, sequence: preset("new-inquiry") },
      T0 + 3 * DAY,
    ).state!;
    expect(active(asked)).toEqual(["new-inquiry"]);
  });

  it("a lead whose cadence answers it and posts again stays in it; the owner hears of it, at most once a day", () => {
    const first = applyEvent(null, { kind: "form_submitted", leadId: leadId(), submission: post(), sequence: preset("new-inquiry") }, T0).state!;
    const again = applyEvent(first, { kind: "form_submitted", leadId: first.id, submission: post({}, { message: "Any news?" }), sequence: preset("hot") }, T0 + HOUR);
    expect(active(again.state!)).toEqual(["new-inquiry"]);
    expect(kinds(again)).toContain("enrolment_refused");
    expect(again.effects).toContainEqual(expect.objectContaining({ kind: "alert", message: expect.stringContaining("Any news?") }));
    const third = applyEvent(again.state, { kind: "form_submitted", leadId: first.id, submission: post({}, { message: "Hello?" }), sequence: preset("hot") }, T0 + 2 * HOUR);
    expect(third.effects).not.toContainEqual(expect.objectContaining({ kind: "alert" }));
  });

  it("a rule that moves a lead into a marketing cadence it has no consent for leaves it in the one it runs", () => {
    const routing = {
      version: 3,
      routing: { rules: [{ id: "drip", if: { when: "score_at_least" as const, score: 20 }, cadence: "nurture", reason: "engaged enough for the drip" }] },
    };
    let state = applyEvent(null, { kind: "form_submitted", leadId: leadId(), submission: post(), sequence: preset("new-inquiry"), routing }, T0).state!;
    const click: LeadEvent = { kind: "link_clicked", messageId: "e2-t1-email", sentAt: T0, linkIndex: 0, url: "https://owner.example/", honeypot: false, facts: PERSON };
    const clicked = applyEvent(state, click, T0 + DAY);
    expect(kinds(clicked)).toContain("cadence_switched");
    expect(clicked.effects).toContainEqual({ kind: "enrol", sequenceId: "nurture", reason: "routing" });
    // The object looks the cadence up and enrols: refused, for want of consent, and the lead keeps its cadence.
    state = applyEvent(clicked.state, { kind: "enrolled", sequence: preset("nurture"), reason: "routing" }, T0 + DAY).state!;
    expect(active(state)).toEqual(["new-inquiry"]);
    expect(state.status).toBe("active");
  });

  it("rules that send a lead round a circle of cadences that run out at once do not spin it", () => {
    const skipped = (id: string) => ({
      id,
      version: 1,
      sequence: SequenceSchema.parse({
        id,
        name: id,
        steps: [{ id: "only", intent: "value", channels: ["email"], email: { subject: "x", body: "y" }, branches: [{ if: { signal: "nothing" }, then: { do: "skip" } }] }],
      }),
    });
    const routing = {
      version: 9,
      routing: {
        rules: [
          { id: "a-to-b", if: { when: "cadence_completed" as const }, cadence: "loop-b", from: ["loop-a"], reason: "round" },
          { id: "b-to-a", if: { when: "cadence_completed" as const }, cadence: "loop-a", from: ["loop-b"], reason: "and round" },
        ],
      },
    };
    const result = simulate({
      leadId: leadId(),
      submission: post(),
      sequence: skipped("loop-a"),
      start: T0,
      until: T0 + 5 * DAY,
      routing,
      sequences: (id) => (id.startsWith("loop-") ? skipped(id) : undefined),
    });
    expect(result.events).toBeLessThan(20);
    expect(result.state.enrolments.map((e) => e.sequenceId)).toEqual(["loop-a"]);
  });
});
