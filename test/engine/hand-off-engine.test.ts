import { describe, expect, it } from "vitest";
import { DEFAULT_HAND_OFF_RULES } from "../../engine/hand-off/hand-off-triggers";
import { buildPackage, packageText } from "../../engine/hand-off/hand-off-package";
import { applyEvent } from "../../engine/lead/lead-engine";
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from "../../engine/engine-config";
import type { LeadEvent, LeadState } from "../../engine/lead/lead-state";
import { computeScore } from "../../engine/hand-off/lead-score";
import { PERSON, simulate, type Reaction } from "../../engine/simulator";
import type { OutgoingTouch } from "../../engine/lead/lead-state";
import type { DraftRequest } from "../../engine/drafting/draft-types";
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

  it("an imported row scores nothing for the import; the same person's own post later does", () => {
    const imported = (at: number) => ({ at, event: { kind: "form_submitted" as const, leadId: LEAD, submission: { ...submission(), imported: true as const } } });
    const { state, timeline } = walk([imported(T0)]);
    expect(state.score).toBe(0);
    expect(state.scoreFactors).toEqual([]);
    // The lead and its post are kept all the same.
    expect(state.profile.email).toBe("hot@example.com");
    expect(timeline.map((e) => e.kind)).toContain("form_submitted");
    // Re-importing the list is not interest either; a post by the person is.
    expect(walk([imported(T0 + HOUR)], state).state.score).toBe(0);
    const posted = walk([post(T0 + 2 * HOUR)], state).state;
    expect(posted.scoreFactors).toEqual([{ signal: "formPost", count: 1, points: 15 }]);
  });

  it("an imported row's notes are the owner's words, not the lead's: they raise no objection", () => {
    const note = { ...submission(), message: "Concerned about price, currently using HubSpot", imported: true as const };
    const { state, timeline } = walk([{ at: T0, event: { kind: "form_submitted" as const, leadId: LEAD, submission: note } }]);
    expect(state.raisedObjections ?? []).toEqual([]);
    expect(timeline.map((e) => e.kind)).not.toContain("objection_raised");
    // The same words posted by the person themselves are theirs.
    const posted = walk([{ at: T0, event: { kind: "form_submitted" as const, leadId: LEAD, submission: { ...note, imported: undefined } } }]);
    expect(posted.timeline.map((e) => e.kind)).toContain("objection_raised");
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
    // The reason reaches the owner and the rep: its factors in words, not field names.
    expect(result.handOffs.find((h) => h.trigger === "score")!.reason).toMatch(/^score \d+ crossed 75 \((visits to the site|replies|form posts|link clicks) \d/);
    expect(result.handOffs.find((h) => h.trigger === "score")!.reason).not.toMatch(/formPost|pricingTime|\bvisit\b/);
    expect(result.state.status).toBe("with_rep");
  });

  it("buying intent in a reply, a competitor and a decision-maker each fire from the words", () => {
    expect(triggers(walk([post(T0), reply(T0 + DAY, "What would the contract terms look like for 20 seats?")]))).toEqual(["buying_intent"]);
    expect(triggers(walk([post(T0), reply(T0 + DAY, "We're ready to move forward.")]))).toEqual(["buying_intent"]);
    expect(triggers(walk([post(T0), reply(T0 + DAY, "We currently use RivalSoft, so not sure.")]))).toEqual(["competitor"]);
    expect(triggers(walk([post(T0), reply(T0 + DAY, "I'm the VP of Operations here, send details.")]))).toEqual(["decision_maker"]);
    expect(triggers(walk([post(T0), reply(T0 + DAY, "Not interested in pricing, thanks.")]))).toEqual([]);
    // A competitor not on the owner's list is just a name.
    expect(triggers(walk([post(T0), reply(T0 + DAY, "We currently use Zendesk, so not sure.")]))).toEqual([]);
  });

  it("a lead under the threshold is not handed off for its score", () => {
    const result = walk([post(T0), visit(T0 + HOUR, "pricing"), click(T0 + 2 * HOUR, "https://owner.example/guide"), reply(T0 + DAY, "Thanks, interesting.")]);
    expect(result.state.score).toBeLessThan(CONFIG.handOff.threshold);
    expect(triggers(result)).toEqual([]);
  });

  it("a decision-maker is one who says so in a reply: a title typed on a form scores seniority but hands nothing off", () => {
    // A director stays in the 6-touch cadence (routing moves only C-level and VP titles to enterprise).
    const run = simulate({
      leadId: LEAD,
      submission: submission({ title: "Director of Operations" }),
      sequence: preset("new-inquiry"),
      start: T0,
      until: T0 + 20 * DAY,
      config: CONFIG,
    });
    expect(run.handOffs).toEqual([]);
    expect(run.state.scoreFactors).toContainEqual(expect.objectContaining({ signal: "seniority", points: 8 }));
    // The sequence carries on past the acknowledgement: nothing paused it.
    expect(run.sent.map((s) => s.touch.stepId)).toEqual(expect.arrayContaining(["acknowledge", "value", "objection", "booking"]));
    expect(run.state.status).not.toBe("with_rep");
    expect(triggers(walk([post(T0, { title: "Chief Executive Officer" }), reply(T0 + DAY, "I'll forward this to our CEO.")]))).toEqual([]);
    expect(walk([post(T0, { title: "CEO" }), reply(T0 + DAY, "As the CEO I'd like the details.")]).handOffs).toEqual([
      expect.objectContaining({ trigger: "decision_maker", reason: "the reply says they are CEO" }),
    ]);
  });

  it("three pricing or demo visits within seven days fire; spread out, or by machines, they do not", () => {
    expect(triggers(walk([post(T0), visit(T0 + DAY, "pricing"), visit(T0 + 3 * DAY, "demo"), visit(T0 + 6 * DAY, "pricing")]))).toEqual(["pricing_visits"]);
    expect(triggers(walk([post(T0), visit(T0 + DAY, "pricing"), visit(T0 + 5 * DAY, "pricing"), visit(T0 + 10 * DAY, "pricing")]))).toEqual([]);
    expect(triggers(walk([post(T0), visit(T0 + DAY, "pricing", CRAWLER), visit(T0 + 2 * DAY, "pricing", CRAWLER), visit(T0 + 3 * DAY, "pricing")]))).toEqual([]);
  });

  it("a page-view beacon to a booking page starts no booking wait: beacons are anyone's, the wait ends in a hand-off", () => {
    const lead = applyEvent(null, post(T0).event, T0, CONFIG).state!;
    const seen = applyEvent(lead, visit(T0 + HOUR, "booking").event, T0 + HOUR, CONFIG);
    expect(seen.effects).not.toContainEqual(expect.objectContaining({ kind: "schedule", timer: { kind: "booking_check" } }));
    const clicked = applyEvent(lead, click(T0 + HOUR, BOOKING).event, T0 + HOUR, CONFIG);
    expect(clicked.effects).toContainEqual(expect.objectContaining({ kind: "schedule", timer: { kind: "booking_check" } }));
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

  it("a person's visit to a booking page without a booking fires too; a crawler's visit starts no wait", () => {
    const check = (at: number) => ({ at, event: { kind: "timer_fired" as const, timer: { kind: "booking_check" as const } } });
    const visited = walk([post(T0), visit(T0 + HOUR, "booking"), check(T0 + 25 * HOUR)]);
    expect(visited.handOffs).toEqual([{ at: T0 + 25 * HOUR, trigger: "booking_not_completed", reason: "opened the booking page 24 h ago and has not booked" }]);
    // Leaving the booking page is an objection the lead raised, on the timeline.
    expect(visited.state.raisedObjections).toEqual([expect.objectContaining({ source: "booking_page", at: T0 + 25 * HOUR })]);
    expect(visited.timeline).toContainEqual(expect.objectContaining({ kind: "objection_raised", source: "booking_page" }));
    const crawled = applyEvent(walk([post(T0)]).state, visit(T0 + HOUR, "booking", CRAWLER).event, T0 + HOUR, CONFIG);
    expect(crawled.effects.some((e) => e.kind === "schedule" && e.timer.kind === "booking_check")).toBe(false);
    const other = applyEvent(walk([post(T0)]).state, visit(T0 + HOUR, "pricing").event, T0 + HOUR, CONFIG);
    expect(other.effects.some((e) => e.kind === "schedule" && e.timer.kind === "booking_check")).toBe(false);
  });

  describe("an objection unresolved: one the lead raised, unanswered after two touches that addressed it", () => {
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
      // A click asks for nothing else here: the lead's answer is what is under test.
      rules: { clickedToBookingAsk: { enabled: false, afterHours: 2 } },
    });
    const sequence = { id: "objections", version: 1, sequence: twoObjections };
    const PRICEY = "Interested, but worried it will be too expensive for us.";
    const stating = (message?: string): Submission => ({ ...submission(), ...(message ? { message } : {}) });
    const run = (sim: Partial<Parameters<typeof simulate>[0]> = {}) =>
      simulate({ leadId: LEAD, submission: stating(PRICEY), sequence, start: T0, until: T0 + 30 * DAY, config: CONFIG, ...sim });
    const sentAt = (result: ReturnType<typeof simulate>, stepId: string) => result.sent.find((s) => s.touch.stepId === stepId)!.at;
    const reacting =
      (stepId: string, kind: Reaction["kind"], text?: string) =>
      (touch: OutgoingTouch): Reaction[] =>
        touch.stepId === stepId ? [{ after: HOUR, kind, ...(text ? { text } : {}) }] : [];

    it("a form message about the price, then silence through two objection touches, hands off when the second goes", () => {
      const silent = run();
      expect(silent.state.raisedObjections).toEqual([expect.objectContaining({ source: "form", objection: "price", at: T0 })]);
      expect(silent.handOffs).toEqual([
        { at: sentAt(silent, "o2"), trigger: "objection_unresolved", reason: "price in the form message, still unanswered after 2 touches that addressed it" },
      ]);
      expect(silent.sent.map((s) => s.touch.stepId)).toEqual(["a", "o1", "o2"]);
      expect(silent.state.status).toBe("with_rep");
    });

    it("a reply or a click after the first objection touch answers it: no hand-off", () => {
      const replied = run({ react: reacting("o1", "reply", "Thanks, let me think about it.") });
      expect(triggers(replied)).not.toContain("objection_unresolved");
      const clicked = run({ react: reacting("o1", "click", "https://owner.example/pricing") });
      expect(clicked.sent.map((s) => s.touch.stepId)).toEqual(["a", "o1", "o2", "z"]);
      expect(clicked.handOffs).toEqual([]);
    });

    it("silence is not an objection: a silent or open-only lead through the same touches is never handed off", () => {
      for (const react of [undefined, (touch: OutgoingTouch): Reaction[] => (touch.channel === "email" ? [{ after: HOUR, kind: "open" }] : [])]) {
        const result = run({ submission: stating(), ...(react ? { react } : {}) });
        expect(result.sent.map((s) => s.touch.stepId)).toEqual(["a", "o1", "o2", "z"]);
        expect(result.handOffs).toEqual([]);
        expect(result.state.raisedObjections ?? []).toEqual([]);
      }
      // A message that raises no concern raises no objection.
      expect(run({ submission: stating("Please send me a quote for two buildings.") }).handOffs).toEqual([]);
    });

    it("a post held as a flood says nothing on the lead's behalf: its message raises no objection", () => {
      const held = applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: stating(PRICEY), sequence, hold: "form flood" }, T0, CONFIG);
      expect(held.state!.raisedObjections ?? []).toEqual([]);
      expect(held.effects.some((e) => e.kind === "append_timeline" && e.entry.kind === "objection_raised")).toBe(false);
    });

    it("a later post's message speaks for no one: anyone can post the address, so it raises no objection and hands nothing off", () => {
      const later = { kind: "form_submitted" as const, leadId: LEAD, submission: { ...stating(PRICEY), receivedAt: T0 + 3 * DAY } };
      const result = run({ submission: stating(), events: [{ at: T0 + 3 * DAY, event: later }] });
      expect(sentAt(result, "o1")).toBeLessThan(T0 + 3 * DAY);
      expect(result.state.raisedObjections ?? []).toEqual([]);
      expect(result.handOffs).toEqual([]);
    });

    it("the booking page left without a booking is an objection too", () => {
      const rules: EngineConfig = { ...CONFIG, handOff: { ...CONFIG.handOff, enabled: { ...CONFIG.handOff.enabled, booking_not_completed: false } } };
      const result = run({ submission: stating(), config: rules, events: [click(T0 + HOUR, BOOKING)] });
      expect(result.handOffs).toEqual([
        { at: sentAt(result, "o2"), trigger: "objection_unresolved", reason: "opened the booking page and did not book, still unanswered after 2 touches that addressed it" },
      ]);
    });

    it("the objection step's draft request carries the concern the lead stated; other steps' and a silent lead's do not", () => {
      const requested = (sim: Partial<Parameters<typeof simulate>[0]>) => {
        const requests: DraftRequest[] = [];
        run({
          ...sim,
          observe: (_event, effects) =>
            effects.forEach((e) => {
              if (e.kind === "draft") requests.push(e.request);
            }),
        });
        return requests.map((r) => [r.stepId, r.statedObjection]);
      };
      // The other steps have nothing to say beyond their templates for a silent lead: no draft is asked for.
      expect(requested({})).toContainEqual(["o1", "price"]);
      expect(
        requested({})
          .filter(([stepId]) => stepId !== "o1")
          .every(([, stated]) => stated === undefined),
      ).toBe(true);
      expect(requested({ submission: stating() }).every(([, stated]) => stated === undefined)).toBe(true);
    });

    it("a reply judged as an objection is recorded with its concern, on the lead and its timeline", () => {
      const result = walk([post(T0), reply(T0 + DAY, "Honestly it looks too expensive for a shop our size.")]);
      const replySeq = result.timeline.find((e) => e.kind === "reply_received")!.seq;
      expect(result.state.raisedObjections).toEqual([expect.objectContaining({ source: "reply", objection: "price", from: replySeq, at: T0 + DAY })]);
      expect(result.timeline.at(-1)).toMatchObject({ kind: "objection_raised", source: "reply", objection: "price", from: replySeq });
      expect(walk([post(T0), reply(T0 + DAY, "Sounds good, let's talk.")]).state.raisedObjections ?? []).toEqual([]);
    });
  });

  describe("the new-inquiry preset: a lead who never answers is never handed off", () => {
    const sequences = (id: string) => (PRESETS.has(id) ? preset(id) : undefined);
    const opens = (touch: OutgoingTouch): Reaction[] => (touch.channel === "email" ? [{ after: 2 * HOUR, kind: "open" }] : []);

    it("a silent lead goes through every step and on to the monthly nurture", () => {
      // The nurture is marketing: this lead ticked the email consent box.
      const result = simulate({
        leadId: LEAD,
        submission: { ...submission(), consent: { email: true } },
        sequence: preset("new-inquiry"),
        start: T0,
        until: T0 + 75 * DAY,
        sequences,
        config: CONFIG,
      });
      expect(result.handOffs).toEqual([]);
      expect(result.sent.map((s) => s.touch.intent)).toContain("objection");
      expect(result.state.enrolments.find((e) => e.sequenceId === "nurture")?.status).toBe("active");
      expect(result.sent.some((s) => s.touch.intent === "nurture")).toBe(true);
    });

    it("an open-only lead goes through every step, objection and alternative included, and is never handed off", () => {
      const result = simulate({
        leadId: LEAD,
        submission: submission(),
        sequence: preset("new-inquiry"),
        start: T0,
        until: T0 + 75 * DAY,
        sequences,
        react: opens,
        config: CONFIG,
      });
      expect(result.handOffs).toEqual([]);
      expect(result.sent.map((s) => s.touch.intent)).toEqual(expect.arrayContaining(["objection", "alternative"]));
      expect(result.state.status).not.toBe("with_rep");
      expect(result.state.enrolments.find((e) => e.sequenceId === "new-inquiry")?.status).toBe("completed");
    });
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
      {
        at: T0,
        event: { kind: "form_submitted", leadId: LEAD, submission: { ...submission({ name: "Hana Ito", company: "Ito Roofing" }), message: "Need a quote for two buildings" } },
      },
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
      "Tue 3 Nov 10:00 — raised an objection: price in a reply",
      "Tue 3 Nov 10:00 — handed to a rep: the reply asks about contract terms",
    ]);
  });

  it("the top objection is the one the lead stated in its form message, before anything else", () => {
    const stated = { at: T0, event: { kind: "form_submitted" as const, leadId: LEAD, submission: { ...submission(), message: "Worried it will be too expensive." } } };
    const result = walk([stated, { at: T0 + DAY, event: { kind: "hand_off_requested", reason: "Big account" } }]);
    const pkg = buildPackage(result.state, result.timeline, result.handOffs, T0 + DAY);
    expect(pkg.summary.topObjection).toBe("price");
    expect(packageText(pkg, "https://owner.example/dashboard/leads/x")).toContain("Top objection: price\n");
    expect(pkg.transcript).toContain("Mon 2 Nov 10:00 — raised an objection: price in the form message");
    // A concern the judgement could not name is quoted in the lead's words; a booking page left behind is described.
    const unnamed = walk([
      post(T0),
      { at: T0 + DAY, event: { kind: "reply_received", text: "Let me think, I have doubts.", judgement: { intent: "objection", confidence: 0.9, judgedBy: "model" } } },
    ]);
    expect(buildPackage(unnamed.state, unnamed.timeline, [], T0 + DAY).summary.topObjection).toBe("Let me think, I have doubts.");
    const left = walk([post(T0), visit(T0 + HOUR, "booking"), { at: T0 + 25 * HOUR, event: { kind: "timer_fired", timer: { kind: "booking_check" } } }]);
    expect(buildPackage(left.state, left.timeline, left.handOffs, T0 + 25 * HOUR).summary.topObjection).toBe("opened the booking page and did not book");
    expect(buildPackage(walk([post(T0)]).state, [], [], T0).summary.topObjection).toBeNull();
  });
});

describe("the rep's decisions", () => {
  const rep = (state: LeadState, action: "resume" | "return" | "complete", at: number) => applyEvent(state, { kind: "rep_action", action }, at, CONFIG);

  it("resume continues the paused sequence, return moves it to nurture, complete closes it", () => {
    const handed = simulate({
      leadId: LEAD,
      submission: submission(),
      sequence: preset("warm"),
      start: T0,
      until: T0 + 2 * DAY,
      events: [reply(T0 + DAY, "What does it cost?")],
      config: CONFIG,
    });
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
