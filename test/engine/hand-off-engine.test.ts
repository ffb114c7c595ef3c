import { describe, expect, it } from "vitest";
import { DEFAULT_HAND_OFF_RULES } from "../../engine/hand-off/hand-off-triggers";
import { buildPackage } from "../../engine/hand-off/hand-off-package";
import { applyEvent } from "../../engine/lead/lead-engine";
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from "../../engine/engine-config";
import { type LeadEvent, type LeadState } from "../../engine/lead/lead-state";
import { computeScore } from "../../engine/hand-off/lead-score";
import { PERSON, simulate, type Reaction } from "../../engine/simulator";
import type { OutgoingTouch } from "../../engine/lead/lead-state";
import type { Submission, TimelineEntry } from "../../schemas/lead";
import { SequenceSchema, type SequenceVersion } from "../../schemas/sequence";
import { PRESETS } from "../../schemas/sequence-presets";
import type { RequestFacts } from "../../schemas/tracking";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LEAD = "99887766554433221100ffeeddccbbaa";
/** Monday 2 November 2026, 10:00 in New York. */
const T0 = Date.UTC(2026, 10, 2, 15, 0);
const BOOKING = "https://owner.example/book";
const CONFIG: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, handOff: { ...DEFAULT_HAND_OFF_RULES, bookingUrl: BOOKING, competitors: ["Acme CRM", "RivalSoft"] } };
const SCANNER: RequestFacts = { userAgent: "Mozilla/5.0", botAgent: false, network: "microsoft", prefetch: false };
const CRAWLER: RequestFacts = { userAgent: "Googlebot/2.1", botAgent: true, network: null, prefetch: false };

const preset = (id: string): SequenceVersion => ({ id, version: 0, sequence: PRESETS.get(id)! });

function submission(profile: Submission["profile"] = {}): Submission {
  return { formId: "demo", receivedAt: T0, profile: { email: "hot@example.com", firstName: "Hana", timezone: "America/New_York", ...profile }, consent: {}, utm: {}, custom: {} };
}

/** Applies events in order and collects every timeline entry and hand-off the engine produced. */
function walk(events: { at: number; event: LeadEvent }[], start: LeadState | null = null) {
  let state = start;
  const timeline: TimelineEntry[] = [];
  const handOffs: { at: number; trigger: string; reason: string }[] = [];
  for (const { at, event } of events) {
    const outcome = applyEvent(state, event, at, CONFIG);
    if (outcome.state) state = outcome.state;
    for (const effect of outcome.effects) {
      if (effect.kind === "append_timeline") timeline.push(effect.entry);
      if (effect.kind === "hand_off") handOffs.push(...effect.triggers.map((t) => ({ at, ...t })));
    }
  }
  return { state: state!, timeline, handOffs };
}

const post = (at: number, profile: Submission["profile"] = {}) => ({ at, event: { kind: "form_submitted" as const, leadId: LEAD, submission: submission(profile) } });
const visit = (at: number, pageClass: string | null, facts: RequestFacts = PERSON) => ({
  at,
  event: { kind: "page_viewed" as const, leadId: LEAD, pageViewId: `pv-${at}`, url: `https://owner.example/${pageClass ?? ""}`, pageClass, facts },
});
const reply = (at: number, text: string) => ({ at, event: { kind: "reply_received" as const, leadId: LEAD, text } });
const click = (at: number, url: string, facts: RequestFacts = PERSON, sentAt = at - HOUR) => ({
  at,
  event: { kind: "link_clicked" as const, leadId: LEAD, messageId: "m1", sentAt, linkIndex: 0, url, honeypot: false, facts },
});
const triggers = (result: { handOffs: { trigger: string }[] }) => result.handOffs.map((h) => h.trigger);

describe("lead score", () => {
  it("counts human signals with their factors, and fades them over days", () => {
    const { state } = walk([post(T0), visit(T0 + HOUR, "pricing"), visit(T0 + 2 * HOUR, "case-study"), click(T0 + 3 * HOUR, "https://owner.example/guide")]);
    // Page views share 15 points a day: the case study gets the 3 the pricing page left.
    expect(state.score).toBe(15 + 12 + 3 + 8);
    expect(state.scoreFactors.map((f) => f.signal)).toEqual(["visit", "formPost", "click"]);
    const twoWeeks = computeScore(state, T0 + 3 * HOUR + 14 * DAY).score;
    const fourWeeks = computeScore(state, T0 + 3 * HOUR + 28 * DAY).score;
    expect(twoWeeks).toBeCloseTo(state.score / 2, -1);
    expect(fourWeeks).toBeLessThan(twoWeeks);
    expect(fourWeeks).toBeGreaterThan(0);
  });

  it("machine and privacy-proxy signals never score", () => {
    const base = walk([post(T0)]).state.score;
    const { state } = walk([post(T0), visit(T0 + HOUR, "pricing", CRAWLER), click(T0 + 2 * HOUR, "https://owner.example/", SCANNER)]);
    expect(state.score).toBe(base);
  });

  it("caps each kind of signal so one cannot carry a lead alone", () => {
    const visits = Array.from({ length: 20 }, (_, i) => visit(T0 + (i + 1) * DAY, "case-study"));
    const { state } = walk([post(T0), ...visits]);
    expect(state.scoreFactors.find((f) => f.signal === "visit")).toMatchObject({ points: 36, count: 20 });
  });
});

describe("hand-off triggers", () => {
  it("the score crossing the threshold hands off once, with why", () => {
    const hot = [post(T0), ...["pricing", "demo", "booking"].map((c, i) => visit(T0 + (i + 1) * DAY, c)), reply(T0 + 3 * DAY + HOUR, "Thanks, interesting.")];
    const result = walk([...hot, click(T0 + 3 * DAY + 2 * HOUR, "https://owner.example/guide"), click(T0 + 3 * DAY + 3 * HOUR, "https://owner.example/other")]);
    expect(triggers(result)).toContain("score");
    expect(result.handOffs.find((h) => h.trigger === "score")!.reason).toMatch(/^score \d+ crossed 75 \(/);
    expect(result.state.status).toBe("with_rep");
  });

  it("buying intent in a reply, a competitor and a decision-maker each fire from the words", () => {
    expect(triggers(walk([post(T0), reply(T0 + DAY, "What would the contract terms look like for 20 seats?")]))).toEqual(["buying_intent"]);
    expect(triggers(walk([post(T0), reply(T0 + DAY, "We're ready to move forward.")]))).toEqual(["buying_intent"]);
    expect(triggers(walk([post(T0), reply(T0 + DAY, "We currently use RivalSoft, so not sure.")]))).toEqual(["competitor"]);
    expect(triggers(walk([post(T0), reply(T0 + DAY, "I'm the VP of Operations here, send details.")]))).toEqual(["decision_maker"]);
    expect(triggers(walk([post(T0), reply(T0 + DAY, "Not interested in pricing, thanks.")]))).toEqual([]);
  });

  it("a decision-maker's title on the form hands off, and the acknowledgement still goes out", () => {
    const run = simulate({ leadId: LEAD, submission: submission({ title: "Chief Executive Officer" }), sequence: preset("new-inquiry"), start: T0, until: T0 + 20 * DAY, config: CONFIG });
    expect(run.handOffs.map((h) => h.trigger)).toEqual(["decision_maker"]);
    expect(run.sent.map((s) => s.touch.stepId)).toEqual(["acknowledge"]);
    expect(run.state.status).toBe("with_rep");
  });

  it("three pricing or demo visits within seven days fire; spread out, or by machines, they do not", () => {
    expect(triggers(walk([post(T0), visit(T0 + DAY, "pricing"), visit(T0 + 3 * DAY, "demo"), visit(T0 + 6 * DAY, "pricing")]))).toEqual(["pricing_visits"]);
    expect(triggers(walk([post(T0), visit(T0 + DAY, "pricing"), visit(T0 + 5 * DAY, "pricing"), visit(T0 + 10 * DAY, "pricing")]))).toEqual([]);
    expect(triggers(walk([post(T0), visit(T0 + DAY, "pricing", CRAWLER), visit(T0 + 2 * DAY, "pricing", CRAWLER), visit(T0 + 3 * DAY, "pricing")]))).toEqual([]);
  });

  it("the booking link opened but no booking within a day fires; a booking in time does not", () => {
    const waited = walk([post(T0), click(T0 + HOUR, `${BOOKING}?slot=1`), { at: T0 + 25 * HOUR, event: { kind: "timer_fired", timer: { kind: "booking_check" } } }]);
    expect(triggers(waited)).toEqual(["booking_not_completed"]);
    const booked = walk([
      post(T0),
      click(T0 + HOUR, BOOKING),
      { at: T0 + 2 * HOUR, event: { kind: "booked", source: "Cal.com" } },
      { at: T0 + 25 * HOUR, event: { kind: "timer_fired", timer: { kind: "booking_check" } } },
    ]);
    expect(triggers(booked)).toEqual([]);
    const scanned = applyEvent(walk([post(T0)]).state, click(T0 + HOUR, BOOKING, SCANNER).event, T0 + HOUR, CONFIG);
    expect(scanned.effects.some((e) => e.kind === "schedule" && e.timer.kind === "booking_check")).toBe(false);
  });

  it("an objection still unanswered after two attempts fires, on simulated days", () => {
    const twoObjections = SequenceSchema.parse({
      id: "objections",
      name: "o",
      window: { days: [1, 2, 3, 4, 5, 6, 7], start: "08:00", end: "20:00" },
      steps: [
        { id: "a", intent: "value", channels: ["email"], email: { subject: "A", body: "a" } },
        { id: "o1", intent: "objection", channels: ["email"], wait: { days: 2 }, email: { subject: "O1", body: "o" } },
        { id: "o2", intent: "alternative", channels: ["email"], wait: { days: 2 }, email: { subject: "O2", body: "o" } },
        { id: "z", intent: "breakup", channels: ["email"], wait: { days: 2 }, email: { subject: "Z", body: "z" } },
      ],
    });
    const sequence = { id: "objections", version: 1, sequence: twoObjections };
    const silent = simulate({ leadId: LEAD, submission: submission(), sequence, start: T0, until: T0 + 30 * DAY, config: CONFIG });
    expect(silent.handOffs.map((h) => h.trigger)).toEqual(["objection_unresolved"]);
    expect(silent.sent.map((s) => s.touch.stepId)).toEqual(["a", "o1", "o2"]);
    const answered = (touch: OutgoingTouch): Reaction[] => (touch.stepId === "o1" ? [{ after: HOUR, kind: "click" }] : []);
    const engaged = simulate({ leadId: LEAD, submission: submission(), sequence: { ...sequence, sequence: { ...twoObjections, rules: { ...twoObjections.rules, clickedToBookingAsk: { enabled: false, afterHours: 2 } } } }, start: T0, until: T0 + 30 * DAY, react: answered, config: CONFIG });
    expect(engaged.handOffs.map((h) => h.trigger)).not.toContain("objection_unresolved");
  });

  it("the same trigger alerts once per window, then again after it", () => {
    const visits = (from: number) => [visit(from, "pricing"), visit(from + DAY, "pricing"), visit(from + 2 * DAY, "pricing")];
    const rules = { ...CONFIG, handOff: { ...CONFIG.handOff, pauseAutomation: false } };
    let state: LeadState | null = null;
    const fired: string[] = [];
    for (const { at, event } of [post(T0), ...visits(T0 + HOUR), ...visits(T0 + 3 * DAY), ...visits(T0 + 10 * DAY)]) {
      const outcome = applyEvent(state, event, at, rules);
      state = outcome.state;
      for (const e of outcome.effects) if (e.kind === "hand_off") fired.push(...e.triggers.map((t) => `${t.trigger}@${Math.floor((at - T0) / DAY)}`));
    }
    expect(fired).toEqual(["pricing_visits@2", "pricing_visits@10"]);
  });

  it("a switched-off trigger does not fire", () => {
    const off: EngineConfig = { ...CONFIG, handOff: { ...CONFIG.handOff, enabled: { ...CONFIG.handOff.enabled, buying_intent: false } } };
    const outcome = applyEvent(walk([post(T0)]).state, reply(T0 + DAY, "What is the price?").event, T0 + DAY, off);
    expect(outcome.effects.some((e) => e.kind === "hand_off")).toBe(false);
  });
});

describe("hand-off package", () => {
  it("carries the profile, score and factors, a readable transcript, needs, top objection and the next action", () => {
    const result = walk([
      { at: T0, event: { kind: "form_submitted", leadId: LEAD, submission: { ...submission({ name: "Hana Ito", company: "Ito Roofing" }), message: "Need a quote for two buildings" } } },
      visit(T0 + HOUR, "pricing"),
      { at: T0 + HOUR + 90_000, event: { kind: "page_left", pageViewId: `pv-${T0 + HOUR}`, engagedMs: 95_000 } },
      reply(T0 + DAY, "It looks too expensive for us, what are the contract terms?"),
    ]);
    const pkg = buildPackage(result.state, result.timeline, result.handOffs, T0 + DAY);
    expect(pkg).toMatchObject({
      leadId: LEAD,
      profile: { name: "Hana Ito", company: "Ito Roofing" },
      triggers: [{ trigger: "buying_intent", reason: "the reply asks about contract terms" }],
      summary: { needs: "Need a quote for two buildings / It looks too expensive for us, what are the contract terms?", topObjection: "price", by: "rules" },
      nextAction: expect.stringContaining("Call today"),
    });
    expect(pkg.transcript).toEqual([
      'Mon 2 Nov 10:00 — posted form "demo": “Need a quote for two buildings”',
      "Mon 2 Nov 11:00 — visited https://owner.example/pricing (pricing) for 95 s",
      "Tue 3 Nov 10:00 — replied: “It looks too expensive for us, what are the contract terms?”",
      "Tue 3 Nov 10:00 — handed to a rep: the reply asks about contract terms",
    ]);
  });
});

describe("the rep's decisions", () => {
  const rep = (state: LeadState, action: "resume" | "return" | "complete", at: number) => applyEvent(state, { kind: "rep_action", action }, at, CONFIG);

  it("resume continues the paused sequence, return moves it to nurture, complete closes it", () => {
    const handed = simulate({ leadId: LEAD, submission: submission(), sequence: preset("warm"), start: T0, until: T0 + 2 * DAY, events: [reply(T0 + DAY, "What does it cost?")], config: CONFIG });
    expect(handed.state.status).toBe("with_rep");
    expect(handed.state.enrolments[0]!.status).toBe("paused");

    const resumed = rep(handed.state, "resume", T0 + 3 * DAY);
    expect(resumed.state!.status).toBe("active");
    expect(resumed.state!.enrolments[0]).toMatchObject({ status: "active", next: { stepIndex: 1 } });

    const returned = rep(handed.state, "return", T0 + 3 * DAY);
    expect(returned.state!.enrolments[0]!.status).toBe("completed");
    expect(returned.effects).toContainEqual({ kind: "enrol", sequenceId: "nurture", reason: "api" });

    const completed = rep(handed.state, "complete", T0 + 3 * DAY);
    expect(completed.state!.status).toBe("completed");
    expect(completed.effects.some((e) => e.kind === "schedule")).toBe(false);
  });
});
