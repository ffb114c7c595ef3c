import { describe, expect, it } from "vitest";
import { applyEvent } from "../../engine/lead/lead-engine";
import { DEFAULT_ENGINE_CONFIG } from "../../engine/engine-config";
import { localParts } from "../../engine/time/local-time";
import { PERSON, simulate, type Reaction, type Simulation } from "../../engine/simulator";
import type { OutgoingTouch } from "../../engine/lead/lead-state";
import type { Submission } from "../../schemas/lead";
import { SequenceSchema, type SequenceInput, type SequenceVersion } from "../../schemas/sequence";
import { PRESETS } from "../../schemas/sequence-presets";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LEAD = "00112233445566778899aabbccddeeff";
const NY = "America/New_York";
/** Monday 2 November 2026, 10:00 in New York (EST, UTC−5). */
const MONDAY_10 = Date.UTC(2026, 10, 2, 15, 0);

const preset = (id: string): SequenceVersion => ({ id, version: 0, sequence: PRESETS.get(id)! });
const custom = (input: SequenceInput): SequenceVersion => ({ id: input.id, version: 1, sequence: SequenceSchema.parse(input) });

function submission(overrides: Partial<Submission> = {}): Submission {
  return {
    formId: "demo",
    receivedAt: MONDAY_10,
    profile: { email: "ann@example.com", phone: "+12125550100", firstName: "Ann", timezone: NY, source: "demo-landing-page" },
    consent: { email: true, sms: true },
    utm: {},
    custom: {},
    ...overrides,
  };
}

function run(overrides: Partial<Simulation> & { sequence: SequenceVersion }) {
  return simulate({
    leadId: LEAD,
    submission: submission(),
    start: MONDAY_10,
    until: MONDAY_10 + 120 * DAY,
    sequences: (id) => (PRESETS.has(id) ? preset(id) : undefined),
    ...overrides,
  });
}

const local = (at: number, zone = NY) => localParts(at, zone);
/** Whole days after the start, in the lead's calendar. */
const dayOf = (at: number, start = MONDAY_10) => Math.round((at - start) / DAY);
/** A playbook day moved to the next weekday when it falls on a weekend (the default window). */
const onWeekday = (day: number) => {
  const weekday = local(MONDAY_10 + day * DAY).weekday;
  // A weekend day goes to the nearest weekday: Saturday's to Friday, Sunday's to Monday.
  return weekday === 6 ? day - 1 : weekday === 7 ? day + 1 : day;
};
const steps = (sent: { touch: OutgoingTouch }[]) => sent.map((s) => `${s.touch.stepId}/${s.touch.channel}`);
const opensEverything = (touch: OutgoingTouch): Reaction[] => (touch.channel === "email" ? [{ after: 2 * HOUR, kind: "open" }] : []);

describe("sequence engine: the new-inquiry preset", () => {
  it("acknowledges at once by email and SMS, then value, proof (and a text), objection, booking ask (and a text) and alternative on days 1–10", () => {
    const { sent } = run({ sequence: preset("new-inquiry"), react: opensEverything, until: MONDAY_10 + 12 * DAY });
    expect(steps(sent)).toEqual([
      "acknowledge/sms",
      "acknowledge/email",
      "value/email",
      "proof/email",
      "proof/sms",
      "objection/email",
      "booking/email",
      "booking/sms",
      "alternative/email",
    ]);
    expect(sent[0]!.at).toBe(MONDAY_10);
    expect(sent[1]!.at).toBe(MONDAY_10);
    const days = sent.slice(2).map((s) => dayOf(s.at));
    // Opens pull each next touch sooner (bounded by 12 h), so the days come in early but in order.
    expect(days).toEqual([...days].sort((a, b) => a - b));
    expect(days.at(-1)).toBeLessThanOrEqual(10);
    for (const { at } of sent.slice(2)) {
      const { hour, weekday } = local(at);
      expect(weekday).toBeLessThanOrEqual(5);
      expect(hour).toBeGreaterThanOrEqual(9);
      expect(hour).toBeLessThan(17);
    }
  });

  it("a silent lead gets the value email again with a new subject instead of proof, still the objection answer, the booking ask's other angle, then monthly nurture", () => {
    const { sent, state } = run({ sequence: preset("new-inquiry"), until: MONDAY_10 + 75 * DAY });
    const emails = sent.filter((s) => s.touch.channel === "email");
    expect(emails.map((s) => [s.touch.stepId, s.touch.variant])).toEqual([
      ["acknowledge", "template"],
      ["value", "template"],
      ["value", "resend"],
      ["objection", "template"],
      ["booking", "alternative"],
      ["tips", "template"],
      ["story", "template"],
    ]);
    expect(emails[2]!.touch.subject).toBe("In case this got buried, Ann");
    // The resend starts a new thread; the objection (no subject of its own) would have continued it.
    expect(emails[2]!.touch.references).toEqual([]);
    expect(dayOf(emails[1]!.at)).toBe(1);
    expect(dayOf(emails[2]!.at)).toBe(3);
    // Day 5 is a Saturday: the objection goes on Friday, and the booking ask keeps its own day 7 (a Monday).
    expect(dayOf(emails[3]!.at)).toBe(4);
    expect(dayOf(emails[4]!.at)).toBe(7);
    // Not engaged at all by day 10: no alternative, the lead moves to the monthly nurture.
    expect(state.enrolments.map((e) => [e.sequenceId, e.status])).toEqual([
      ["new-inquiry", "ended"],
      ["nurture", "active"],
    ]);
    const [tips, story] = emails.slice(5).map((s) => dayOf(s.at)) as [number, number];
    expect(tips).toBeGreaterThanOrEqual(39);
    expect(story - tips).toBeGreaterThanOrEqual(29);
    expect(story - tips).toBeLessThanOrEqual(31);
  });

  it("the value email matches the lead's source", () => {
    const { sent } = run({
      sequence: preset("new-inquiry"),
      submission: submission({ profile: { ...submission().profile, source: "pricing-page" } }),
      until: MONDAY_10 + 2 * DAY,
    });
    const value = sent.find((s) => s.touch.stepId === "value")!;
    expect(value.touch.variant).toBe("by_source");
    expect(value.touch.subject).toBe("How our pricing works");
  });

  it("an email without a subject follows up in the previous email's thread, under its subject (the lead has not written)", () => {
    const { sent } = run({ sequence: preset("new-inquiry"), react: opensEverything, until: MONDAY_10 + 6 * DAY });
    const proof = sent.find((s) => s.touch.stepId === "proof")!;
    const objection = sent.find((s) => s.touch.stepId === "objection")!;
    expect(objection.touch.subject).toBe(proof.touch.subject);
    expect(objection.touch.references).toEqual([`<${proof.touch.key}@simulated>`]);
  });

  it("a human click jumps straight to the booking ask, a couple of hours later", () => {
    const clickValue = (touch: OutgoingTouch): Reaction[] => (touch.stepId === "value" ? [{ after: HOUR, kind: "click" }] : []);
    const { sent } = run({ sequence: preset("new-inquiry"), react: clickValue, until: MONDAY_10 + 12 * DAY });
    expect(steps(sent).slice(0, 4)).toEqual(["acknowledge/sms", "acknowledge/email", "value/email", "booking/email"]);
    const value = sent[2]!;
    const booking = sent[3]!;
    expect(booking.at - value.at).toBeGreaterThanOrEqual(3 * HOUR);
    expect(booking.at - value.at).toBeLessThan(DAY);
  });

  it("a reply pauses everything at once and alerts the owner; nothing more is sent", () => {
    const replyToValue = (touch: OutgoingTouch): Reaction[] => (touch.stepId === "value" ? [{ after: HOUR, kind: "reply" }] : []);
    const { sent, state, alerts } = run({ sequence: preset("new-inquiry"), react: replyToValue });
    expect(steps(sent)).toEqual(["acknowledge/sms", "acknowledge/email", "value/email"]);
    expect(state.status).toBe("replied");
    expect(state.enrolments[0]!.status).toBe("paused");
    expect(alerts.map((a) => a.reason)).toEqual(["reply"]);
  });

  it("a booking completes the sequence", () => {
    const books = (touch: OutgoingTouch): Reaction[] => (touch.stepId === "objection" ? [{ after: HOUR, kind: "book" }] : []);
    const { sent, state } = run({ sequence: preset("new-inquiry"), react: books, until: MONDAY_10 + 8 * DAY });
    expect(steps(sent).at(-1)).toBe("objection/email");
    expect(state.status).toBe("booked");
    expect(state.enrolments.every((e) => e.status === "completed")).toBe(true);
  });

  it("machine opens and clicks bend nothing", () => {
    const scanner = (touch: OutgoingTouch, sentAt: number) => [{ at: sentAt + 5_000, touch }];
    const machineClicks: Simulation["react"] = () => [];
    const silent = run({ sequence: preset("new-inquiry"), react: machineClicks, until: MONDAY_10 + 12 * DAY });
    const events = silent.sent.flatMap((s) => scanner(s.touch, s.at));
    const withScanner = run({
      sequence: preset("new-inquiry"),
      until: MONDAY_10 + 12 * DAY,
      events: events.map(({ at, touch }) => ({
        at,
        event: {
          kind: "link_clicked",
          messageId: touch.key,
          sentAt: at - 5_000,
          linkIndex: 0,
          url: "https://owner.example/",
          honeypot: false,
          facts: { userAgent: "Mozilla/5.0", botAgent: false, network: "microsoft", prefetch: false },
        },
      })),
    });
    expect(withScanner.sent.map((s) => [s.touch.stepId, s.at])).toEqual(silent.sent.map((s) => [s.touch.stepId, s.at]));
  });
});

describe("sequence engine: timing in the lead's zone", () => {
  const everyDay = (id: string, waitDays: number[]): SequenceVersion =>
    custom({
      id,
      name: id,
      window: { days: [1, 2, 3, 4, 5, 6, 7], start: "08:00", end: "20:00" },
      steps: waitDays.map((days, i) => ({ id: `s${i}`, intent: "value", channels: ["email"], wait: { days }, email: { subject: `Step ${i}`, body: "Hello" } })),
    });

  it("a wait of days keeps the local hour across the autumn DST change (New York)", () => {
    // Saturday 31 October 2026, 10:00 EDT; clocks fall back on Sunday 1 November.
    const start = Date.UTC(2026, 9, 31, 14, 0);
    const { sent } = run({ sequence: everyDay("dst-fall", [0, 1, 1]), start, submission: submission({ receivedAt: start }) });
    expect(sent.map((s) => local(s.at).hour)).toEqual([10, 10, 10]);
    expect(sent[1]!.at - sent[0]!.at).toBe(25 * HOUR);
    expect(sent[2]!.at - sent[1]!.at).toBe(24 * HOUR);
  });

  it("a wait of days keeps the local hour across the spring DST change (London)", () => {
    // Saturday 28 March 2026, 09:30 GMT; clocks go forward on Sunday 29 March.
    const start = Date.UTC(2026, 2, 28, 9, 30);
    const london = { ...submission().profile, timezone: "Europe/London" };
    const { sent } = run({ sequence: everyDay("dst-spring", [0, 1]), start, submission: submission({ receivedAt: start, profile: london }) });
    expect(sent.map((s) => local(s.at, "Europe/London").hour)).toEqual([9, 9]);
    expect(sent[1]!.at - sent[0]!.at).toBe(23 * HOUR);
  });

  it("a touch due on a weekend waits for Monday 09:00 in the lead's zone", () => {
    const weekdays = custom({ id: "weekdays", name: "w", steps: [{ id: "a", intent: "value", channels: ["email"], email: { subject: "Hi", body: "Hello" } }] });
    // Saturday 7 November 2026, 11:00 in Tokyo.
    const start = Date.UTC(2026, 10, 7, 2, 0);
    const tokyo = { ...submission().profile, timezone: "Asia/Tokyo" };
    const { sent } = run({ sequence: weekdays, start, submission: submission({ receivedAt: start, profile: tokyo }) });
    expect(local(sent[0]!.at, "Asia/Tokyo")).toMatchObject({ weekday: 1, hour: 9, minute: 0, day: 9 });
  });

  it("an instant acknowledgement emails at once at night, and its SMS waits for 08:00 (quiet hours)", () => {
    // Friday 6 November 2026, 22:30 in New York.
    const night = Date.UTC(2026, 10, 7, 3, 30);
    const { sent } = run({ sequence: preset("new-inquiry"), start: night, submission: submission({ receivedAt: night }), until: night + DAY });
    const email = sent.find((s) => s.touch.channel === "email")!;
    const sms = sent.find((s) => s.touch.channel === "sms")!;
    expect(email.at).toBe(night);
    expect(local(sms.at)).toMatchObject({ hour: 8, minute: 0, day: 7 });
  });

  it("no SMS without recorded consent, and the email still goes", () => {
    const { sent, state } = run({ sequence: preset("new-inquiry"), submission: submission({ consent: {} }), until: MONDAY_10 + HOUR });
    expect(steps(sent)).toEqual(["acknowledge/email"]);
    expect(state.deliveries).toEqual([]);
  });

  it("the lead's zone comes from its form, else its phone's country, else the business default", () => {
    const zoneOf = (profile: Submission["profile"]) => applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: submission({ profile }) }, MONDAY_10).state!.timezone;
    expect(zoneOf({ email: "a@example.com", timezone: "Europe/Berlin" })).toBe("Europe/Berlin");
    expect(zoneOf({ email: "a@example.com", timezone: "Mars/Olympus", phone: "+61291234567" })).toBe("Australia/Sydney");
    expect(zoneOf({ email: "a@example.com" })).toBe(DEFAULT_ENGINE_CONFIG.sequences.defaultTimezone);
  });

  it("the snippet's browser zone is used when the form gave none, never over the form's", () => {
    const view = (zone: string) => ({
      kind: "page_viewed" as const,
      leadId: LEAD,
      pageViewId: `p-${zone}`,
      url: "https://owner.example/",
      pageClass: null,
      timezone: zone,
      facts: PERSON,
    });
    const unknown = applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: submission({ profile: { email: "a@example.com" } }) }, MONDAY_10).state!;
    expect(applyEvent(unknown, view("Asia/Tokyo"), MONDAY_10 + HOUR).state!.timezone).toBe("Asia/Tokyo");
    expect(applyEvent(unknown, view("Not/AZone"), MONDAY_10 + HOUR).state!.timezone).toBe(unknown.timezone);
    const told = applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: submission() }, MONDAY_10).state!;
    expect(applyEvent(told, view("Asia/Tokyo"), MONDAY_10 + HOUR).state!.timezone).toBe(NY);
  });

  it("send-time optimisation moves a booking ask to the lead's peak hour, inside the window", () => {
    // The lead opens every email at 15:xx its time.
    const at15 = (touch: OutgoingTouch, sentAt: number): Reaction[] => {
      if (touch.channel !== "email") return [];
      const { hour, minute } = local(sentAt);
      let after = ((15 - hour) * 60 + (20 - minute)) * 60_000;
      if (after <= 0) after += DAY;
      return [{ after, kind: "open" }];
    };
    const { sent } = run({ sequence: preset("new-inquiry"), react: at15, until: MONDAY_10 + 12 * DAY });
    const booking = sent.find((s) => s.touch.stepId === "booking")!;
    expect(local(booking.at).hour).toBe(15);
    const silent = run({ sequence: preset("new-inquiry"), until: MONDAY_10 + 12 * DAY });
    expect(local(silent.sent.find((s) => s.touch.stepId === "booking")!.at).hour).not.toBe(15);
  });
});

describe("sequence engine: rules, branches and presets", () => {
  it("an open pulls the next touch sooner, bounded, and says so on the timeline", () => {
    const seq = custom({
      id: "pull",
      name: "pull",
      window: { days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "23:59" },
      steps: [
        { id: "a", intent: "value", channels: ["email"], email: { subject: "A", body: "a" } },
        { id: "b", intent: "proof", channels: ["email"], wait: { days: 4 }, email: { subject: "B", body: "b" } },
      ],
    });
    const quick = run({ sequence: seq, react: (t) => (t.stepId === "a" ? [{ after: HOUR, kind: "open" }] : []) });
    const slow = run({ sequence: seq });
    expect(slow.sent[1]!.at - slow.sent[0]!.at).toBe(4 * DAY);
    // Half the wait (keepFraction 0.5), and never sooner than 12 hours after the open.
    expect(quick.sent[1]!.at - quick.sent[0]!.at).toBe(2 * DAY);
    const late = run({ sequence: seq, react: (t) => (t.stepId === "a" ? [{ after: 3 * DAY, kind: "open" }] : []) });
    expect(late.sent[1]!.at - late.sent[0]!.at).toBe(3.5 * DAY);
    const tooLate = run({ sequence: seq, react: (t) => (t.stepId === "a" ? [{ after: 3.8 * DAY, kind: "open" }] : []) });
    expect(tooLate.sent[1]!.at - tooLate.sent[0]!.at).toBe(4 * DAY);
  });

  it("a rule switched off in the sequence does nothing", () => {
    const base = PRESETS.get("new-inquiry")!;
    const noJump = { id: "no-jump", version: 1, sequence: { ...base, id: "no-jump", rules: { ...base.rules, clickedToBookingAsk: { enabled: false, afterHours: 2 } } } };
    const { sent } = run({ sequence: noJump, react: (t) => (t.stepId === "value" ? [{ after: HOUR, kind: "click" }] : []), until: MONDAY_10 + 12 * DAY });
    expect(steps(sent).slice(2, 4)).toEqual(["value/email", "proof/email"]);
  });

  it("the hot preset runs days 0, 2, 5 (only after a site return), 8, 14 (a rep task) and 21", () => {
    const silent = run({ sequence: preset("hot"), until: MONDAY_10 + 30 * DAY });
    expect(silent.sent.filter((s) => s.touch.channel === "email").map((s) => [s.touch.stepId, dayOf(s.at)])).toEqual([
      ["acknowledge", 0],
      ["case-study", 2],
      ["booking", onWeekday(8)],
      ["breakup", onWeekday(21)],
    ]);
    expect(silent.alerts.map((a) => a.reason)).toEqual(["rep_task"]);
    const returning = run({
      sequence: preset("hot"),
      until: MONDAY_10 + 30 * DAY,
      events: [
        {
          at: MONDAY_10 + 3 * DAY,
          event: {
            kind: "page_viewed",
            pageViewId: "p1",
            url: "https://owner.example/pricing",
            pageClass: "pricing",
            facts: { userAgent: "Mozilla/5.0 (Macintosh) Safari/605.1.15", botAgent: false, network: null, prefetch: false },
          },
        },
      ],
    });
    expect(returning.sent.map((s) => s.touch.stepId)).toContain("site-return");
  });

  it.each([
    ["warm", [0, 3, 10, 20, 30]],
    ["post-demo", [1, 4, 7, 18]],
    ["enterprise", [0, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 330, 360]],
  ])("the %s preset sends on its playbook days", (id, days) => {
    const { sent } = run({ sequence: preset(id), until: MONDAY_10 + 400 * DAY });
    // Afterwards routing moves the lead to the monthly nurture: only this cadence's touches count here.
    expect(sent.filter((s) => s.touch.sequenceId === id).map((s) => dayOf(s.at))).toEqual(days.map(onWeekday));
  });

  it("a lead silent for 60+ days that returns to the site enters the reactivation sequence", () => {
    const visit = (at: number) => ({
      at,
      event: {
        kind: "page_viewed" as const,
        leadId: LEAD,
        pageViewId: `p${at}`,
        url: "https://owner.example/",
        pageClass: null,
        facts: { userAgent: "Mozilla/5.0 (Macintosh) Safari/605.1.15", botAgent: false, network: null, prefetch: false },
      },
    });
    const oneStep = custom({ id: "short", name: "s", steps: [{ id: "a", intent: "value", channels: ["email"], email: { subject: "A", body: "a" } }] });
    const back = run({ sequence: oneStep, events: [visit(MONDAY_10 + 70 * DAY)], until: MONDAY_10 + 80 * DAY });
    expect(back.state.enrolments.map((e) => e.sequenceId)).toEqual(["short", "cold-reactivation"]);
    expect(back.sent.some((s) => s.touch.sequenceId === "cold-reactivation")).toBe(true);
    const soon = run({ sequence: oneStep, events: [visit(MONDAY_10 + 30 * DAY)], until: MONDAY_10 + 80 * DAY });
    expect(soon.state.enrolments.map((e) => e.sequenceId)).toEqual(["short"]);
  });

  describe("branches", () => {
    const always = { days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "23:59" };
    const branching = (branch: object): SequenceVersion =>
      custom({
        id: "branching",
        name: "b",
        window: always,
        steps: [
          { id: "a", intent: "value", channels: ["email"], email: { subject: "A", body: "a https://owner.example/" } },
          { id: "b", intent: "proof", channels: ["email"], wait: { days: 1 }, email: { subject: "B", body: "b" }, branches: [branch] },
          { id: "c", intent: "objection", channels: ["email"], wait: { days: 1 }, email: { subject: "C", body: "c" } },
          { id: "d", intent: "booking_ask", channels: ["email"], wait: { days: 1 }, email: { subject: "D", body: "d" } },
        ],
      } as SequenceInput);
    const clickA = (t: OutgoingTouch): Reaction[] => (t.stepId === "a" ? [{ after: HOUR, kind: "click" }] : []);
    const visitPricing = (t: OutgoingTouch): Reaction[] => (t.stepId === "a" ? [{ after: HOUR, kind: "visit", pageClass: "pricing" }] : []);
    const visitBlog = (t: OutgoingTouch): Reaction[] => (t.stepId === "a" ? [{ after: HOUR, kind: "visit", pageClass: "content" }] : []);
    const sentSteps = (sequence: SequenceVersion, react?: Simulation["react"]) => {
      const noBend = {
        ...sequence,
        sequence: {
          ...sequence.sequence,
          rules: { ...sequence.sequence.rules, clickedToBookingAsk: { enabled: false, afterHours: 2 }, openedSooner: { enabled: false, keepFraction: 0.5, minHours: 12 } },
        },
      };
      return run({ sequence: noBend, react }).sent.map((s) => s.touch.stepId);
    };

    it.each([
      ["goto jumps ahead and carries on after the target", { if: { signal: "clicked" }, then: { do: "goto", step: "d" } }, clickA, ["a", "d"]],
      ["complete ends the sequence", { if: { signal: "clicked", step: "a" }, then: { do: "complete" } }, clickA, ["a"]],
      ["skip passes a step", { if: { signal: "nothing" }, then: { do: "skip" } }, undefined, ["a", "c", "d"]],
      ["a condition that does not hold sends the step", { if: { signal: "nothing" }, then: { do: "skip" } }, clickA, ["a", "b", "c", "d"]],
      ["visited with a page class", { if: { signal: "visited", pageClass: "pricing" }, then: { do: "skip" } }, visitPricing, ["a", "c", "d"]],
      ["visited another class does not count", { if: { signal: "visited", pageClass: "pricing" }, then: { do: "skip" } }, visitBlog, ["a", "b", "c", "d"]],
      ["engaged since enrolment", { if: { signal: "engaged", since: "enrolment" }, then: { do: "complete" } }, visitBlog, ["a"]],
    ])("%s", (_name, branch, react, expected) => {
      expect(sentSteps(branching(branch), react)).toEqual(expected);
    });

    it("replied holds: a reply pauses before any branch can run", () => {
      const { sent, state } = run({
        sequence: branching({ if: { signal: "replied" }, then: { do: "goto", step: "d" } }),
        react: (t) => (t.stepId === "a" ? [{ after: HOUR, kind: "reply" }] : []),
      });
      expect(sent.map((s) => s.touch.stepId)).toEqual(["a"]);
      expect(state.status).toBe("replied");
    });
  });

  it("a lead is never enrolled twice in the same sequence at once", () => {
    const first = applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: submission(), sequence: preset("warm") }, MONDAY_10).state!;
    const again = applyEvent(first, { kind: "enrolled", sequence: preset("warm"), reason: "api" }, MONDAY_10 + HOUR);
    expect(again.effects).toEqual([]);
    expect(again.state!.enrolments).toHaveLength(1);
  });

  it("a channel that fails twice then accepts sends the touch once, after backoff, with the failures on the timeline", () => {
    const refuse = (touch: OutgoingTouch, _at: number, attempt: number) => (touch.channel === "email" && attempt <= 2 ? { permanent: false, reason: "503 from provider" } : null);
    const { sent, state } = run({ sequence: preset("warm"), refuse, until: MONDAY_10 + DAY });
    expect(sent.map((s) => s.touch.stepId)).toEqual(["useful"]);
    expect(sent[0]!.at - MONDAY_10).toBe(60_000 + 5 * 60_000);
    expect(state.deliveries).toEqual([]);
  });

  it("a permanent failure marks the touch failed and the sequence carries on", () => {
    const refuse = (touch: OutgoingTouch) => (touch.stepId === "useful" ? { permanent: true, reason: "invalid recipient" } : null);
    const { sent } = run({ sequence: preset("warm"), refuse, until: MONDAY_10 + 5 * DAY });
    expect(sent.map((s) => s.touch.stepId)).toEqual(["insight"]);
  });

  it("a stale timer changes nothing", () => {
    const state = applyEvent(null, { kind: "form_submitted", leadId: LEAD, submission: submission() }, MONDAY_10).state!;
    const outcome = applyEvent(state, { kind: "timer_fired", timer: { kind: "delivery", key: "e9-t1-email" } }, MONDAY_10);
    expect(outcome.state).toBe(state);
    expect(outcome.effects).toEqual([{ kind: "unschedule", timer: { kind: "delivery", key: "e9-t1-email" } }]);
  });
});
