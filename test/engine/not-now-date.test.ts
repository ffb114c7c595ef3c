import { describe, expect, it } from "vitest";
import { returnDay } from "../../engine/inbound/return-date";
import { judgeReply, withReturnDay } from "../../engine/inbound/reply-judgement";
import { applyEvent } from "../../engine/lead/lead-engine";
import type { LeadState } from "../../engine/lead/lead-state";
import { simulate } from "../../engine/simulator";
import { localParts } from "../../engine/time/local-time";
import type { TimelineEntry } from "../../schemas/lead";
import type { SequenceVersion } from "../../schemas/sequence";
import { PRESETS } from "../../schemas/sequence-presets";

const HOUR = 3_600_000;
const NY = "America/New_York";
const LEAD = "feedfacefeedfacefeedfacefeedface";
/** Tuesday 10 February 2026, 11:00 in New York. */
const FEB_10 = Date.UTC(2026, 1, 10, 16, 0);
const preset = (id: string): SequenceVersion => ({ id, version: 0, sequence: PRESETS.get(id)! });
const dayIn = (at: number, zone = NY) => {
  const { year, month, day } = localParts(at, zone);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
};

describe("a not-now reply's return day", () => {
  it.each([
    ["Not now, maybe next quarter.", "2026-04-01"],
    ["Please check back in January.", "2027-01-01"],
    ["Busy until after the 15th.", "2026-02-16"],
    ["After the 3rd, please.", "2026-03-04"],
    ["Try me after the 20th of March.", "2026-03-21"],
    ["Let's talk next month.", "2026-03-01"],
    ["Reach out in two weeks.", "2026-02-24"],
    ["Follow up in a couple of months.", "2026-04-10"],
    ["Next week works better.", "2026-02-16"],
    ["Circle back next year.", "2027-01-01"],
    ["We are planning for Q3.", "2026-07-01"],
    ["After the summer.", "2026-09-01"],
    ["Maybe after April?", "2026-05-01"],
    ["Melden Sie sich im nächsten Quartal.", "2026-04-01"],
    ["Bitte erst im März wieder.", "2026-03-01"],
    ["Rappelez-moi le mois prochain.", "2026-03-01"],
    ["Escríbame en dos semanas.", "2026-02-24"],
  ])("%s → %s", (text, expected) => {
    expect(returnDay(text, FEB_10, NY)).toBe(expected);
  });

  it("the year-end holidays end on 2 January when said in the season; said in February it names no day", () => {
    expect(returnDay("Not now, after the holidays.", Date.UTC(2026, 11, 2, 16), NY)).toBe("2027-01-02");
    expect(returnDay("Not now, after the holidays.", FEB_10, NY)).toBeUndefined();
  });

  it("counts from the day in the lead's zone, not UTC's", () => {
    // 31 March 2026 22:00 in Los Angeles is already 1 April in UTC: "next quarter" is still 1 April there.
    const lateMarch = Date.UTC(2026, 3, 1, 5, 0);
    expect(returnDay("next quarter", lateMarch, "America/Los_Angeles")).toBe("2026-04-01");
    expect(returnDay("next quarter", lateMarch, "Europe/Berlin")).toBe("2026-07-01");
  });

  it("names nothing for a reply without a time phrase, and only a not-now judgement carries a day", () => {
    expect(returnDay("Not now, thanks.", FEB_10, NY)).toBeUndefined();
    expect(withReturnDay(judgeReply("Not now, maybe next quarter.", []), "Not now, maybe next quarter.", FEB_10, NY)).toMatchObject({ intent: "not_now", holdUntil: "2026-04-01" });
    const interested = judgeReply("Sounds great, let's talk next month.", []);
    expect(withReturnDay(interested, "Sounds great, let's talk next month.", FEB_10, NY)).not.toHaveProperty("holdUntil");
  });
});

describe("a not-now reply holds the lead until the day it names", () => {
  function replied(text: string, judgement?: { holdUntil: string }) {
    const posted = applyEvent(
      null,
      {
        kind: "form_submitted",
        leadId: LEAD,
        submission: { formId: "demo", receivedAt: FEB_10, profile: { email: "mia@example.com", timezone: NY }, consent: { email: true }, utm: {}, custom: {} },
        sequence: preset("new-inquiry"),
      },
      FEB_10,
    ).state!;
    const reply = judgement ? { judgement: { intent: "not_now" as const, confidence: 0.9, judgedBy: "model" as const, ...judgement } } : {};
    return applyEvent(posted, { kind: "reply_received", text, channel: "email", ...reply }, FEB_10 + HOUR);
  }
  const heldUntil = (outcome: ReturnType<typeof replied>) => outcome.effects.find((e) => e.kind === "schedule" && e.timer.kind === "hold_ends") as { at: number } | undefined;
  const held = (outcome: ReturnType<typeof replied>) => outcome.effects.flatMap((e) => (e.kind === "append_timeline" && e.entry.kind === "lead_held" ? [e.entry] : []))[0];

  it("holds until the start of the named day in the lead's zone, and the timeline says until when", () => {
    const outcome = replied("Not now, maybe next quarter.");
    expect(heldUntil(outcome)!.at).toBe(Date.UTC(2026, 3, 1, 4, 0));
    expect(held(outcome)).toMatchObject({ until: Date.UTC(2026, 3, 1, 4, 0), reason: "not now: held until 2026-04-01, the day the reply named" });
  });

  it("a day in the past or more than a year away is not believed: the default hold applies and says why", () => {
    for (const holdUntil of ["2026-01-05", "2027-06-01"]) {
      const outcome = replied("Not now.", { holdUntil });
      expect(dayIn(heldUntil(outcome)!.at)).toBe("2026-03-12");
      expect(held(outcome)!.reason).toBe(`not now: held 30 days (the day named, ${holdUntil}, is past or more than a year away)`);
    }
    expect(held(replied("Not now, thanks."))!.reason).toBe("not now: held 30 days");
  });

  it("journey: 'not now, maybe next quarter' on 10 February resumes on 1 April, in the first sending window", () => {
    const timeline: TimelineEntry[] = [];
    const { sent, state } = simulate({
      leadId: LEAD,
      submission: { formId: "demo", receivedAt: FEB_10, profile: { email: "mia@example.com", timezone: NY }, consent: { email: true }, utm: {}, custom: {} },
      sequence: preset("new-inquiry"),
      start: FEB_10,
      until: Date.UTC(2026, 3, 10),
      react: (touch) => (touch.stepId === "acknowledge" ? [{ after: HOUR, kind: "reply", text: "Not now, maybe next quarter." }] : []),
      observe: (_event, effects) => timeline.push(...effects.flatMap((e) => (e.kind === "append_timeline" ? [e.entry] : []))),
    });
    const resumed = timeline.find((e) => e.kind === "automation_resumed")!;
    expect(dayIn(resumed.at)).toBe("2026-04-01");
    const afterReply = sent.filter((s) => s.at > FEB_10 + HOUR);
    expect(afterReply.length).toBeGreaterThan(0);
    const first = afterReply[0]!;
    expect(first.at).toBeGreaterThanOrEqual(resumed.at);
    const { weekday, hour } = localParts(first.at, NY);
    expect(weekday).toBeLessThanOrEqual(5);
    expect(hour).toBeGreaterThanOrEqual(9);
    expect(hour).toBeLessThan(17);
    expect((state as LeadState).status).toBe("active");
  });
});
