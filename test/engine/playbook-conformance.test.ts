import { describe, expect, it } from "vitest";
import { simulate, PERSON, type Reaction, type SimulationResult } from "../../engine/simulator";
import { localParts } from "../../engine/time/local-time";
import type { LeadEvent, OutgoingTouch } from "../../engine/lead/lead-state";
import type { Submission } from "../../schemas/lead";
import { PRESETS } from "../../schemas/sequence-presets";

/**
 * The playbook conformance suite: the journeys the two playbooks promise (the 6-touch
 * framework and the intent-stage cadences), played through the engine on simulated time
 * exactly as the lead's object plays them. Each asserts the playbook's days (±1 where the
 * sending window moves a touch), channels, cadence and hand-offs. The README's preset
 * tables say the same; change one, change both.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NY = "America/New_York";
const LA = "America/Los_Angeles";
/** Monday 2 November 2026, 10:00 in New York. */
const MONDAY_10 = Date.UTC(2026, 10, 2, 15, 0);

const preset = (id: string) => ({ id, version: 0, sequence: PRESETS.get(id)! });
let leads = 0;

function lead(profile: Submission["profile"], extra: Partial<Submission> = {}): Submission {
  return { formId: "contact", receivedAt: MONDAY_10, profile, consent: { email: true, sms: true }, utm: {}, custom: {}, ...extra };
}

const ANN = { email: "ann@example.com", phone: "+12125550100", firstName: "Ann", timezone: NY };

function journey(options: {
  submission?: Submission;
  start?: number;
  days?: number;
  react?: (touch: OutgoingTouch, at: number) => Reaction[];
  events?: { at: number; event: LeadEvent }[];
}): SimulationResult {
  leads += 1;
  return simulate({
    leadId: `${"0".repeat(28)}${String(leads).padStart(4, "0")}`,
    submission: options.submission ?? lead(ANN),
    sequence: preset("new-inquiry"),
    start: options.start ?? MONDAY_10,
    until: (options.start ?? MONDAY_10) + (options.days ?? 45) * DAY,
    sequences: (id) => (PRESETS.has(id) ? preset(id) : undefined),
    ...(options.react ? { react: options.react } : {}),
    ...(options.events ? { events: options.events } : {}),
  });
}

/** Calendar days between two instants in the lead's zone. */
function localDay(at: number, start: number, zone: string): number {
  const day = (t: number) => {
    const p = localParts(t, zone);
    return Date.UTC(p.year, p.month - 1, p.day) / DAY;
  };
  return day(at) - day(start);
}

/** What went out, as the playbook writes it: `cadence/step channel@day`. */
function touches(result: SimulationResult, zone = NY, start = MONDAY_10) {
  return result.sent.map((s) => ({ cadence: s.touch.sequenceId, step: s.touch.stepId, channel: s.touch.channel, day: localDay(s.at, start, zone), at: s.at, touch: s.touch }));
}

/** The playbook's day of each touch, allowing the one day a sending window may move it. */
function expectDays(actual: { step: string; channel: string; day: number }[], expected: [step: string, channel: string, day: number][]) {
  expect(actual.map((t) => `${t.step} ${t.channel}`)).toEqual(expected.map(([step, channel]) => `${step} ${channel}`));
  actual.forEach((t, i) => {
    const day = expected[i]![2];
    expect(Math.abs(t.day - day), `${t.step} ${t.channel} on day ${t.day}, the playbook says ${day}`).toBeLessThanOrEqual(1);
  });
}

const timeline = (result: SimulationResult) => result.state.enrolments.map((e) => [e.sequenceId, e.status]);
const opens = (touch: OutgoingTouch): Reaction[] => (touch.channel === "email" ? [{ after: 2 * HOUR, kind: "open" }] : []);

describe("playbook conformance: the 6-touch framework (new-inquiry)", () => {
  it("a silent lead: every touch on its day, the objection still answered, then the monthly nurture; never handed off", () => {
    const result = journey({ days: 75 });
    const sent = touches(result);
    expectDays(
      sent.filter((t) => t.cadence === "new-inquiry"),
      [
        ["acknowledge", "sms", 0],
        ["acknowledge", "email", 0],
        ["value", "email", 1],
        // Day 2–3: the unopened value email again under a new subject, and the proof by text.
        ["value", "email", 3],
        ["proof", "sms", 3],
        ["objection", "email", 5],
        ["booking", "email", 7],
        ["booking", "sms", 7],
      ],
    );
    expect(sent.find((t) => t.step === "objection")!.touch.variant).toBe("template");
    // Silent since enrolment: no alternative on day 10, the lead moves to the monthly nurture.
    expect(timeline(result)).toEqual([
      ["new-inquiry", "ended"],
      ["nurture", "active"],
    ]);
    const nurture = sent.filter((t) => t.cadence === "nurture");
    expect(nurture.length).toBeGreaterThanOrEqual(2);
    expect(Math.abs(nurture[0]!.day - 40)).toBeLessThanOrEqual(1);
    expect(Math.abs(nurture[1]!.day - nurture[0]!.day - 30)).toBeLessThanOrEqual(1);
    expect(result.handOffs).toEqual([]);
  });

  it("an opener: opens pull each touch sooner, never later than its day; the alternative on day 10, then nurture; never handed off", () => {
    const result = journey({ react: opens });
    const sent = touches(result).filter((t) => t.cadence === "new-inquiry");
    expect(sent.map((t) => `${t.step} ${t.channel}`)).toEqual([
      "acknowledge sms",
      "acknowledge email",
      "value email",
      "proof email",
      "proof sms",
      "objection email",
      "booking email",
      "booking sms",
      "alternative email",
    ]);
    const playbook: Record<string, number> = { acknowledge: 0, value: 1, proof: 3, objection: 5, booking: 7, alternative: 10 };
    for (const t of sent) {
      expect(t.day, `${t.step} on day ${t.day}`).toBeLessThanOrEqual(playbook[t.step]! + 1);
      expect(t.day, `${t.step} on day ${t.day}`).toBeGreaterThanOrEqual(playbook[t.step]! - 2);
    }
    expect(sent.map((t) => t.at)).toEqual([...sent.map((t) => t.at)].sort((a, b) => a - b));
    expect(result.state.enrolments.at(-1)).toMatchObject({ sequenceId: "nurture", status: "active" });
    expect(result.handOffs).toEqual([]);
  });

  it("a clicker: the booking ask (email and text) comes two hours after the click, then the alternative on day 10", () => {
    const clickValue = (touch: OutgoingTouch): Reaction[] => (touch.stepId === "value" && touch.channel === "email" ? [{ after: HOUR, kind: "click" }] : []);
    const result = journey({ react: clickValue });
    const sent = touches(result).filter((t) => t.cadence === "new-inquiry");
    const value = sent.find((t) => t.step === "value")!;
    const booking = sent.filter((t) => t.step === "booking");
    expect(booking.map((t) => t.channel)).toEqual(["email", "sms"]);
    expect(booking[0]!.at - (value.at + HOUR)).toBe(2 * HOUR);
    expect(sent.map((t) => t.step)).not.toContain("objection");
    expectDays(
      sent.filter((t) => t.step === "alternative"),
      [["alternative", "email", 10]],
    );
    expect(result.handOffs).toEqual([]);
  });

  it("a pricing reply: automation pauses at once, the owner is alerted, a rep gets the lead for its buying intent", () => {
    const asks = (touch: OutgoingTouch): Reaction[] =>
      touch.stepId === "value" && touch.channel === "email" ? [{ after: 3 * HOUR, kind: "reply", text: "How much would this cost for a team of 10? Can you send pricing?" }] : [];
    const result = journey({ react: asks });
    expect(touches(result).map((t) => t.step)).toEqual(["acknowledge", "acknowledge", "value"]);
    expect(result.alerts.map((a) => a.reason)).toContain("reply");
    expect(result.handOffs.map((h) => h.trigger)).toContain("buying_intent");
    expect(result.state.status).toBe("with_rep");
  });

  it('"not now, maybe next quarter": nothing until the next quarter begins, then the sequence resumes where it stopped', () => {
    const later = (touch: OutgoingTouch): Reaction[] =>
      touch.stepId === "value" && touch.channel === "email" ? [{ after: 3 * HOUR, kind: "reply", text: "Not now, maybe next quarter." }] : [];
    const result = journey({ react: later, days: 80 });
    const sent = touches(result);
    const reply = sent.find((t) => t.step === "value")!.at + 3 * HOUR;
    // Next quarter from November 2026 starts on 1 January 2027.
    const quarter = Date.UTC(2027, 0, 1, 5, 0);
    expect(sent.filter((t) => t.at > reply && t.at < quarter)).toEqual([]);
    const resumed = sent.filter((t) => t.at >= quarter);
    expect(resumed[0]!.step).toBe("proof");
    expect(localDay(resumed[0]!.at, quarter, NY)).toBeLessThanOrEqual(4);
    expect(result.handOffs).toEqual([]);
  });

  it('"unsubscribe": nothing more, on any channel, from any cadence; no hand-off', () => {
    const stop = (touch: OutgoingTouch): Reaction[] =>
      touch.stepId === "value" && touch.channel === "email" ? [{ after: HOUR, kind: "reply", text: "Please unsubscribe me from this list." }] : [];
    const result = journey({ react: stop, days: 60 });
    expect(touches(result).map((t) => t.step)).toEqual(["acknowledge", "acknowledge", "value"]);
    expect(result.state.status).toBe("unsubscribed");
    expect(result.handOffs).toEqual([]);
  });

  it("a 23:00 post from a West-Coast number with no timezone: the email answers at once, the text waits for 08:00 Pacific", () => {
    // Monday 2 November 2026, 23:00 in Los Angeles (PST, UTC−8).
    const lateNight = Date.UTC(2026, 10, 3, 7, 0);
    const result = journey({ start: lateNight, submission: lead({ email: "sam@example.com", phone: "+14155550123", firstName: "Sam" }, { receivedAt: lateNight }), days: 12 });
    expect(result.state.timezone).toBe(LA);
    const sent = touches(result, LA, lateNight);
    const [email, sms] = [sent.find((t) => t.step === "acknowledge" && t.channel === "email")!, sent.find((t) => t.step === "acknowledge" && t.channel === "sms")!];
    expect(email.at).toBe(lateNight);
    expect(localParts(sms.at, LA)).toMatchObject({ hour: 8, minute: 0 });
    for (const text of sent.filter((t) => t.channel === "sms")) {
      const { hour } = localParts(text.at, LA);
      expect(hour).toBeGreaterThanOrEqual(8);
      expect(hour).toBeLessThan(21);
    }
  });

  it("an out-of-office: nothing goes before the day after the stated return, then the sequence carries on", () => {
    // The value email (day 1) draws an automatic reply: away until Monday 16 November.
    const result = journey({ days: 30, events: [{ at: MONDAY_10 + DAY + 2 * HOUR, event: { kind: "auto_reply_received", returnDate: "2026-11-16" } }] });
    const back = Date.UTC(2026, 10, 17, 5, 0);
    const sent = touches(result).filter((t) => t.cadence === "new-inquiry");
    const after = sent.filter((t) => t.at > MONDAY_10 + DAY + 2 * HOUR);
    expect(after.length).toBeGreaterThan(0);
    for (const t of after) expect(t.at).toBeGreaterThanOrEqual(back);
    expect(after[0]!.step).toBe("proof");
    // The steps after the postponed one keep their own spacing from it: nothing bunches up on the return.
    const runs = [...new Set(after.map((t) => t.at))];
    runs.slice(1).forEach((at, i) => {
      expect(at - runs[i]!, `touches on ${new Date(runs[i]!).toISOString()} and ${new Date(at).toISOString()}`).toBeGreaterThanOrEqual(DAY);
    });
    expect(result.state.status).not.toBe("replied");
    expect(result.handOffs).toEqual([]);
  });

  it("a phone-only lead follows the SMS path of the same cadence, inside quiet hours", () => {
    const result = journey({ submission: lead({ phone: "+12125550188", firstName: "Pat", timezone: NY }, { consent: { sms: true } }), days: 12 });
    const sent = touches(result).filter((t) => t.cadence === "new-inquiry");
    expectDays(sent, [
      ["acknowledge", "sms", 0],
      ["value", "sms", 1],
      ["proof", "sms", 3],
      ["objection", "sms", 5],
      ["booking", "sms", 7],
    ]);
    for (const t of sent) {
      const { hour } = localParts(t.at, NY);
      expect(hour).toBeGreaterThanOrEqual(8);
      expect(hour).toBeLessThan(21);
    }
    expect(result.handOffs).toEqual([]);
  });
});

describe("playbook conformance: the intent-stage cadences", () => {
  it("a VP: the enterprise cadence from the first answer — monthly touches and a rep call each quarter — not the generic one, and no hand-off for a title", () => {
    const result = journey({ submission: lead({ ...ANN, email: "vera@example.com", firstName: "Vera", title: "VP of Operations" }), days: 200 });
    const sent = touches(result);
    expect(sent.every((t) => t.cadence === "enterprise")).toBe(true);
    expectDays(sent.slice(0, 4), [
      ["acknowledge", "email", 0],
      ["month-1", "email", 30],
      ["month-2", "email", 60],
      ["month-3", "email", 90],
    ]);
    expect(result.state.enrolments.map((e) => [e.sequenceId, e.status])).toEqual([
      ["new-inquiry", "ended"],
      ["enterprise", "active"],
    ]);
    const tasks = result.alerts.filter((a) => a.reason === "rep_task");
    expect(tasks.map((a) => Math.abs(localDay(a.at, MONDAY_10, NY) - 90) <= 1 || Math.abs(localDay(a.at, MONDAY_10, NY) - 180) <= 1)).toEqual([true, true]);
    expect(result.handOffs).toEqual([]);
  });

  it("a post-demo lead: five idle days after the meeting, the post-demo cadence on days 1, 4, 7, 12 (a rep call) and 18", () => {
    const demoEnds = MONDAY_10 + 3 * DAY;
    const result = journey({ days: 40, events: [{ at: MONDAY_10 + DAY + 4 * HOUR, event: { kind: "booked", source: "Cal.com", endsAt: demoEnds } }] });
    const switched = demoEnds + 5 * DAY;
    const postDemo = touches(result, NY, switched).filter((t) => t.cadence === "post-demo");
    expectDays(postDemo, [
      ["recap", "email", 1],
      ["roi", "email", 4],
      ["comparison", "email", 7],
      ["decision", "email", 18],
    ]);
    const call = result.alerts.find((a) => a.reason === "rep_task")!;
    expect(Math.abs(localDay(call.at, switched, NY) - 12)).toBeLessThanOrEqual(1);
    // Nothing from the generic cadence after the booking.
    expect(touches(result).filter((t) => t.cadence === "new-inquiry" && t.at > MONDAY_10 + DAY + 4 * HOUR)).toEqual([]);
    expect(result.handOffs).toEqual([]);
  });

  it("a lead silent for 60+ days that comes back to the site: cold reactivation on days 0, 3, 10 and 20", () => {
    const back = MONDAY_10 + 100 * DAY;
    const visit: LeadEvent = { kind: "page_viewed", pageViewId: "return-1", url: "https://owner.example/pricing", pageClass: "pricing", facts: PERSON };
    const result = journey({ days: 130, events: [{ at: back, event: visit }] });
    const reactivation = touches(result, NY, back).filter((t) => t.cadence === "cold-reactivation");
    expectDays(reactivation, [
      ["welcome-back", "email", 0],
      ["whats-new", "email", 3],
      ["comparison", "email", 10],
      ["breakup", "email", 20],
    ]);
    expect(result.state.enrolments.filter((e) => e.status === "active" || e.status === "paused").length).toBeLessThanOrEqual(1);
  });
});
