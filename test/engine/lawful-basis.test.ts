import { describe, expect, it } from "vitest";
import { applyEvent } from "../../engine/lead/lead-engine";
import type { LeadState } from "../../engine/lead/lead-state";
import { simulate } from "../../engine/simulator";
import type { Submission, TimelineEntry } from "../../schemas/lead";
import { SequenceSchema, type SequenceVersion } from "../../schemas/sequence";
import { PRESETS } from "../../schemas/sequence-presets";

const DAY = 86_400_000;
const LEAD = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
/** Monday 2 November 2026, 10:00 in New York. */
const MONDAY_10 = Date.UTC(2026, 10, 2, 15, 0);
const preset = (id: string): SequenceVersion => ({ id, version: 0, sequence: PRESETS.get(id)! });

const post = (overrides: Partial<Submission> = {}): Submission => ({
  formId: "contact",
  receivedAt: MONDAY_10,
  profile: { email: "lena@example.com", phone: "+12125550100", firstName: "Lena", timezone: "America/New_York" },
  consent: {},
  utm: {},
  custom: {},
  ...overrides,
});

/** A silent lead through the new-inquiry preset and past its end, with its timeline. */
function silentLead(submission: Submission) {
  const timeline: TimelineEntry[] = [];
  const result = simulate({
    leadId: LEAD,
    submission,
    sequence: preset("new-inquiry"),
    start: MONDAY_10,
    until: MONDAY_10 + 60 * DAY,
    sequences: (id) => (PRESETS.has(id) ? preset(id) : undefined),
    observe: (_event, effects) => timeline.push(...effects.flatMap((e) => (e.kind === "append_timeline" ? [e.entry] : []))),
  });
  return { ...result, timeline };
}

describe("lawful basis: answering the inquiry needs none, marketing needs consent", () => {
  it("a lead posted with no consent field gets the new-inquiry steps but is not enrolled in nurture, and the timeline says why", () => {
    const { sent, state, timeline } = silentLead(post());
    expect(new Set(sent.map((s) => s.touch.sequenceId))).toEqual(new Set(["new-inquiry"]));
    expect(sent.filter((s) => s.touch.channel === "email").length).toBeGreaterThanOrEqual(5);
    expect(state.enrolments.map((e) => e.sequenceId)).toEqual(["new-inquiry"]);
    const refused = timeline.find((e) => e.kind === "enrolment_refused");
    expect(refused).toMatchObject({ sequenceId: "nurture", reason: expect.stringContaining("legitimate interest") });
  });

  it("a lead who ticked the email consent box goes on to the monthly nurture", () => {
    const { sent, state, timeline } = silentLead(post({ consent: { email: true } }));
    expect(state.enrolments.map((e) => e.sequenceId)).toEqual(["new-inquiry", "nurture"]);
    expect(sent.some((s) => s.touch.sequenceId === "nurture" && s.touch.channel === "email")).toBe(true);
    expect(timeline.some((e) => e.kind === "enrolment_refused")).toBe(false);
  });

  it("records the basis per channel and purpose with the form and time, and a later post cannot change it", () => {
    const first = applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: post({ lawfulBasis: "legitimate_interest", consent: { sms: true } }) }, MONDAY_10).state!;
    expect(first.lawfulBasis).toEqual([
      { channel: "email", purpose: "inquiry", basis: "legitimate_interest", formId: "contact", at: MONDAY_10 },
      { channel: "sms", purpose: "inquiry", basis: "legitimate_interest", formId: "contact", at: MONDAY_10 },
      { channel: "sms", purpose: "marketing", basis: "consent", formId: "contact", at: MONDAY_10 },
    ]);
    const later = post({ formId: "newsletter", lawfulBasis: "consent", consent: { email: true, sms: false } });
    const after = applyEvent(first, { kind: "form_submitted", leadId: LEAD, submission: later }, MONDAY_10 + DAY).state!;
    // The inquiry bases stand; email marketing was never recorded, so the consent ticked now adds it.
    expect(after.lawfulBasis).toEqual([...first.lawfulBasis!, { channel: "email", purpose: "marketing", basis: "consent", formId: "newsletter", at: MONDAY_10 + DAY }]);
  });

  it("a consent form records consent as the inquiry's basis only where the person ticked the box", () => {
    const state = applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: post({ lawfulBasis: "consent", consent: { email: true } }) }, MONDAY_10).state!;
    expect(state.lawfulBasis).toEqual([
      { channel: "email", purpose: "inquiry", basis: "consent", formId: "contact", at: MONDAY_10 },
      { channel: "email", purpose: "marketing", basis: "consent", formId: "contact", at: MONDAY_10 },
      { channel: "sms", purpose: "inquiry", basis: "legitimate_interest", formId: "contact", at: MONDAY_10 },
    ]);
  });

  it("a box ticked after an unsubscribe records no marketing basis", () => {
    let state: LeadState = applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: post({ profile: { email: "lena@example.com" } }) }, MONDAY_10).state!;
    state = applyEvent(state, { kind: "unsubscribed", channel: "email", method: "unsubscribe_link" }, MONDAY_10 + DAY).state!;
    state = applyEvent(state, { kind: "form_submitted", leadId: LEAD, submission: post({ profile: { email: "lena@example.com" }, consent: { email: true } }) }, MONDAY_10 + 2 * DAY)
      .state!;
    expect(state.lawfulBasis!.filter((r) => r.purpose === "marketing")).toEqual([]);
  });

  it("a marketing step's email is skipped without email consent even where the enrolment stood on SMS consent", () => {
    const always = { days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "23:59" };
    const offer: SequenceVersion = {
      id: "offer",
      version: 1,
      sequence: SequenceSchema.parse({
        id: "offer",
        name: "Offer",
        purpose: "marketing",
        window: always,
        steps: [{ id: "deal", intent: "value", channels: ["email", "sms"], email: { subject: "A deal", body: "Hi" }, sms: { text: "A deal" } }],
      }),
    };
    const posted = applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: post({ consent: { sms: true } }) }, MONDAY_10).state!;
    const outcome = applyEvent(posted, { kind: "enrolled", sequence: offer, reason: "api" }, MONDAY_10);
    const step = applyEvent(outcome.state, { kind: "timer_fired", timer: { kind: "step", enrolmentId: outcome.state!.enrolments[0]!.id } }, MONDAY_10 + 1000);
    const entries = step.effects.flatMap((e) => (e.kind === "append_timeline" ? [e.entry] : []));
    expect(entries).toContainEqual(expect.objectContaining({ kind: "touch_skipped", channel: "email", reason: "a marketing email needs the lead's email consent" }));
    expect(step.state!.deliveries.map((d) => d.touch.channel)).toEqual(["sms"]);
  });

  it("a rep's return of a lead without consent refuses nurture and leaves the lead completed, not active with nothing running", () => {
    let state: LeadState = applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: post(), sequence: preset("new-inquiry") }, MONDAY_10).state!;
    state = applyEvent(state, { kind: "rep_action", action: "return" }, MONDAY_10 + DAY).state!;
    expect(state.status).toBe("active");
    const { state: after, effects } = applyEvent(state, { kind: "enrolled", sequence: preset("nurture"), reason: "api" }, MONDAY_10 + DAY);
    expect(after!.status).toBe("completed");
    expect(effects).toContainEqual(expect.objectContaining({ entry: expect.objectContaining({ kind: "enrolment_refused", sequenceId: "nurture" }) }));
  });

  it("a marketing sequence is refused outright for a lead with no consent on any of its channels", () => {
    const posted = applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: post() }, MONDAY_10).state!;
    const { state, effects } = applyEvent(posted, { kind: "enrolled", sequence: preset("cold-reactivation"), reason: "reactivation" }, MONDAY_10 + DAY);
    expect(state!.enrolments).toEqual([]);
    expect(effects.some((e) => e.kind === "schedule")).toBe(false);
    expect(effects).toContainEqual(
      expect.objectContaining({ kind: "append_timeline", entry: expect.objectContaining({ kind: "enrolment_refused", sequenceId: "cold-reactivation" }) }),
    );
  });
});
