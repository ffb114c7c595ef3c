import { describe, expect, it } from "vitest";
import { applyEvent, mergeProfile } from "../../engine/lead/lead-engine";
import { type LeadState } from "../../engine/lead/lead-state";
import type { Submission } from "../../schemas/lead";

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
