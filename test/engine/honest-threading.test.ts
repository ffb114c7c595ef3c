import { describe, expect, it } from "vitest";
import { answeredTouch } from "../../engine/inbound/answered-touch";
import { simulate, type Reaction } from "../../engine/simulator";
import type { LeadEvent, OutgoingTouch } from "../../engine/lead/lead-state";
import type { Submission, TimelineEntry } from "../../schemas/lead";
import { SequenceSchema, type SequenceVersion } from "../../schemas/sequence";

/**
 * Follow-ups stay in one thread without claiming the lead wrote, and a reply is credited
 * to the touch it answers: the subject says "Re:" only once the lead has written in the
 * thread, and per-step stats count the reply for the step the lead answered.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LEAD = "00112233445566778899aabbccddee01";
/** Monday 2 November 2026, 10:00 in New York. */
const MONDAY_10 = Date.UTC(2026, 10, 2, 15, 0);

const THREE_EMAILS: SequenceVersion = {
  id: "three-emails",
  version: 1,
  sequence: SequenceSchema.parse({
    id: "three-emails",
    name: "Three emails, one thread, and a text",
    steps: [
      {
        id: "first",
        intent: "value",
        channels: ["email", "sms"],
        wait: { days: 1 },
        email: { subject: "Your roof quote, {{firstName|there}}", body: "Here is the quote." },
        sms: { text: "Your quote is in your inbox." },
      },
      { id: "second", intent: "proof", channels: ["email"], wait: { days: 1 }, email: { body: "A customer story." } },
      { id: "third", intent: "objection", channels: ["email"], wait: { days: 1 }, email: { body: "About the cost." } },
      { id: "fourth", intent: "booking_ask", channels: ["email"], wait: { days: 1 }, email: { body: "Shall we talk?" } },
    ],
  }),
};

const submission: Submission = {
  formId: "demo",
  receivedAt: MONDAY_10,
  profile: { email: "ann@example.com", phone: "+12125550100", firstName: "Ann", timezone: "America/New_York" },
  consent: { sms: true },
  utm: {},
  custom: {},
};

/** Runs the lead and keeps its timeline, as the object would append it. */
function run(options: { react?: (touch: OutgoingTouch) => Reaction[]; events?: { at: number; event: LeadEvent }[]; until?: number } = {}) {
  const timeline: TimelineEntry[] = [];
  const result = simulate({
    leadId: LEAD,
    submission,
    sequence: THREE_EMAILS,
    start: MONDAY_10,
    until: options.until ?? MONDAY_10 + 10 * DAY,
    ...(options.react ? { react: options.react } : {}),
    ...(options.events ? { events: options.events } : {}),
    observe: (_event, effects) => {
      for (const effect of effects) if (effect.kind === "append_timeline") timeline.push(effect.entry);
    },
  });
  const emails = result.sent.filter((s) => s.touch.channel === "email");
  return { ...result, timeline, emails };
}

const replies = (timeline: TimelineEntry[]) => timeline.filter((e): e is Extract<TimelineEntry, { kind: "reply_received" }> => e.kind === "reply_received");

describe("honest threading", () => {
  it("a silent lead's follow-ups keep the thread's subject without \"Re:\" and carry the earlier messages as In-Reply-To and References", () => {
    const { emails } = run();
    expect(emails.map((s) => s.touch.stepId)).toEqual(["first", "second", "third", "fourth"]);
    const [first, second, third] = emails.map((s) => s.touch) as [OutgoingTouch, OutgoingTouch, OutgoingTouch];
    expect(first.subject).toBe("Your roof quote, Ann");
    expect(second.subject).toBe("Your roof quote, Ann");
    expect(third.subject).toBe("Your roof quote, Ann");
    expect(second.references).toEqual([`<${first.key}@simulated>`]);
    expect(third.references).toEqual([`<${first.key}@simulated>`, `<${second.key}@simulated>`]);
    expect(second.threadId).toBe(first.threadId);
  });

  it('an opener who never wrote gets no "Re:" either', () => {
    const { emails } = run({
      react: (touch) =>
        touch.channel === "email"
          ? [
              { after: HOUR, kind: "open" },
              { after: 2 * HOUR, kind: "click" },
            ]
          : [],
    });
    expect(emails.length).toBeGreaterThan(1);
    for (const { touch } of emails) expect(touch.subject).not.toMatch(/^re:/i);
  });

  it('after the lead answers in the thread and the owner resumes, the next follow-up in that thread says "Re:"', () => {
    const answerFirst = (touch: OutgoingTouch): Reaction[] =>
      touch.stepId === "first" && touch.channel === "email" ? [{ after: HOUR, kind: "reply", text: "Thanks, I will read it." }] : [];
    const { emails, state } = run({ react: answerFirst, events: [{ at: MONDAY_10 + 3 * DAY, event: { kind: "rep_action", action: "resume" } }] });
    expect(state.enrolments[0]!.thread?.leadWrote).toBe(true);
    const followUp = emails.find((s) => s.touch.stepId === "second")!.touch;
    expect(followUp.subject).toBe("Re: Your roof quote, Ann");
    expect(followUp.references).toEqual([`<${emails[0]!.touch.key}@simulated>`]);
  });
});

describe("a reply is credited to the touch it answers", () => {
  /** Thursday afternoon: the third email is out, the fourth not yet. */
  const replyAt = MONDAY_10 + 3 * DAY + 4 * HOUR;
  const keyOf = (emails: { touch: OutgoingTouch }[], stepId: string) => emails.find((s) => s.touch.stepId === stepId)!.touch.key;
  const until = replyAt + HOUR;

  it("a reply naming the first of three emails is credited to the first, not the latest", () => {
    const before = run({ until: replyAt - HOUR });
    expect(before.emails.map((s) => s.touch.stepId)).toEqual(["first", "second", "third"]);
    const first = keyOf(before.emails, "first");
    const { timeline } = run({
      until,
      events: [{ at: replyAt, event: { kind: "reply_received", messageKey: first, channel: "email", text: "About that quote: is it still valid?" } }],
    });
    expect(replies(timeline)).toMatchObject([{ messageKey: first, touchKey: first }]);
  });

  it("a reply naming no touch we sent falls back to the latest email", () => {
    const before = run({ until: replyAt - HOUR });
    const { timeline } = run({
      until,
      events: [{ at: replyAt, event: { kind: "reply_received", messageKey: "e9-t99-email", channel: "email", text: "Question about the quote." } }],
    });
    expect(replies(timeline)[0]!.touchKey).toBe(keyOf(before.emails, "third"));
  });

  it("a text message credits the latest SMS touch, even after later emails", () => {
    const before = run({ until: replyAt - HOUR });
    const sms = before.sent.find((s) => s.touch.channel === "sms")!.touch.key;
    const { timeline, state } = run({ until, events: [{ at: replyAt, event: { kind: "reply_received", channel: "sms", text: "Yes please call me" } }] });
    expect(replies(timeline)[0]!.touchKey).toBe(sms);
    // A text is not an answer in the email thread.
    expect(state.enrolments[0]!.thread?.leadWrote).toBeUndefined();
  });
});

describe("which touch an inbound email answers", () => {
  const lead = "aa11bb22cc33dd44ee55ff6600771188";
  const ours = (key: string, leadId = lead) => `${key}.${leadId}@mail.example.com`;
  const platform = [
    { messageId: "<0100018f-platform-1@email.amazonses.com>", key: "e1-t1-email" },
    { messageId: "0100018f-platform-2@email.amazonses.com", key: "e1-t2-email" },
  ];
  const cases: [string, { inReplyTo: string | null; threadIds: string[] }, string | undefined][] = [
    ["our own Message-ID names its touch", { inReplyTo: ours("e1-t1-email"), threadIds: [ours("e1-t1-email")] }, "e1-t1-email"],
    ["In-Reply-To wins over newer References", { inReplyTo: ours("e1-t1-email"), threadIds: [ours("e1-t1-email"), ours("e1-t1-email"), ours("e1-t3-email")] }, "e1-t1-email"],
    ["without In-Reply-To, the newest of the References", { inReplyTo: null, threadIds: [ours("e1-t1-email"), ours("e1-t2-email")] }, "e1-t2-email"],
    ["a platform's id recorded at delivery, with angle brackets", { inReplyTo: "0100018f-platform-1@email.amazonses.com", threadIds: [] }, "e1-t1-email"],
    ["a platform's id recorded without angle brackets", { inReplyTo: "0100018f-platform-2@email.amazonses.com", threadIds: [] }, "e1-t2-email"],
    ["another lead's Message-ID names nothing", { inReplyTo: ours("e1-t1-email", "ffffffffffffffffffffffffffffffff"), threadIds: [] }, undefined],
    ["an id we never sent names nothing", { inReplyTo: "abc@mail.example.net", threadIds: ["abc@mail.example.net"] }, undefined],
    ["no thread headers name nothing", { inReplyTo: null, threadIds: [] }, undefined],
  ];
  it.each(cases)("%s", (_name, message, expected) => {
    expect(answeredTouch(message, lead, platform)).toBe(expected);
  });
});
