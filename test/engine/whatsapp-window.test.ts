import { describe, expect, it } from "vitest";
import { simulate } from "../../engine/simulator";
import { localParts } from "../../engine/time/local-time";
import type { LeadEffect, LeadEvent } from "../../engine/lead/lead-state";
import { renderWhatsappTemplate, WHATSAPP_WINDOW_MS, whatsappForm } from "../../engine/sequence/whatsapp-session";
import type { Submission, TimelineEntry } from "../../schemas/lead";
import { SequenceSchema, type SequenceInput, type SequenceVersion } from "../../schemas/sequence";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LEAD = "0123456789abcdef0123456789abcdef";
const NY = "America/New_York";
/** Monday 2 November 2026, 10:00 in New York. */
const MONDAY_10 = Date.UTC(2026, 10, 2, 15, 0);
const SID = "HX0123456789abcdef0123456789abcdef";

const TEMPLATE = { contentSid: SID, variables: { "1": "{{firstName|there}}", "2": "{{senderCompany}}" } };

const sequence = (step: Partial<SequenceInput["steps"][number]> = {}): SequenceVersion => {
  const input: SequenceInput = {
    id: "whatsapp-follow-up",
    name: "WhatsApp follow-up",
    window: { days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "23:59" },
    steps: [
      { id: "nudge", intent: "value", channels: ["whatsapp"], wait: { days: 1 }, whatsapp: { text: "Hi {{firstName}}, any questions?" }, whatsappTemplate: TEMPLATE, ...step },
    ],
  };
  return { id: input.id, version: 1, sequence: SequenceSchema.parse(input) };
};

function submission(overrides: Partial<Submission> = {}): Submission {
  return {
    formId: "demo",
    receivedAt: MONDAY_10,
    profile: { phone: "+12125550100", firstName: "Ann", timezone: NY },
    consent: { whatsapp: true },
    consentWording: { whatsapp: "You may message me on WhatsApp." },
    utm: {},
    custom: {},
    ...overrides,
  };
}

/** Walks the lead for three days, keeping its timeline. */
function walk(seq: SequenceVersion, options: { submission?: Submission; events?: { at: number; event: LeadEvent }[]; start?: number } = {}) {
  const timeline: TimelineEntry[] = [];
  const start = options.start ?? MONDAY_10;
  const result = simulate({
    leadId: LEAD,
    submission: options.submission ?? submission({ receivedAt: start }),
    sequence: seq,
    start,
    until: start + 3 * DAY,
    events: options.events ?? [],
    observe: (_event, effects: LeadEffect[]) => {
      for (const effect of effects) if (effect.kind === "append_timeline") timeline.push(effect.entry);
    },
  });
  return { ...result, timeline, whatsapp: result.sent.filter((s) => s.touch.channel === "whatsapp") };
}

const lastWord = (at: number, text = "Is the price fixed?"): { at: number; event: LeadEvent } => ({ at, event: { kind: "reply_received", channel: "whatsapp", text } });
const resume = (at: number): { at: number; event: LeadEvent } => ({ at, event: { kind: "rep_action", action: "resume" } });

describe("WhatsApp's 24-hour window", () => {
  it("is open for 24 hours after the lead's last message, and closed at the 24th hour and before any message", () => {
    const touch = { stepId: "nudge", text: "Hi", whatsappTemplate: { contentSid: SID, variables: {} } };
    expect(whatsappForm(touch, MONDAY_10, MONDAY_10 + 23 * HOUR)).toEqual({ sentAs: "text" });
    expect(whatsappForm(touch, MONDAY_10, MONDAY_10 + WHATSAPP_WINDOW_MS)).toMatchObject({ sentAs: "template" });
    expect(whatsappForm(touch, undefined, MONDAY_10)).toMatchObject({ sentAs: "template" });
    // Inside the window a step with only a template still sends it.
    expect(whatsappForm({ ...touch, text: "" }, MONDAY_10, MONDAY_10 + HOUR)).toMatchObject({ sentAs: "template" });
  });

  it("a step outside the window without a template is blocked, never sent as free text", () => {
    const form = whatsappForm({ stepId: "nudge", text: "Hi" }, MONDAY_10, MONDAY_10 + 2 * DAY);
    expect(form).toEqual({ blocked: expect.stringContaining("outside WhatsApp's 24-hour window") });
    expect("blocked" in form && form.blocked).toContain('step "nudge" names no approved template');
  });

  it("a lead who never wrote on WhatsApp gets the step's approved template, its variables rendered from the lead", () => {
    const { whatsapp, timeline } = walk(sequence());
    expect(whatsapp).toHaveLength(1);
    const [{ touch }] = whatsapp as [(typeof whatsapp)[number]];
    expect(touch.sentAs).toBe("template");
    expect(touch.to).toBe("+12125550100");
    expect(touch.whatsappTemplate).toEqual({ contentSid: SID, variables: { "1": "Ann", "2": "-" } });
    const sent = timeline.find((e) => e.kind === "touch_sent");
    expect(sent).toMatchObject({ channel: "whatsapp", template: { contentSid: SID, variables: { "1": "Ann" } } });
    expect(sent && "text" in sent && sent.text).toContain(`Approved template ${SID}`);
  });

  it("within 24 hours of the lead's WhatsApp message (automation resumed by the owner), the step goes as free text", () => {
    // The lead writes at 12:00 and its reply pauses it; the owner resumes it at 13:00; the step goes 20 hours later, 21 hours after the message.
    const { whatsapp, state } = walk(sequence({ wait: { days: 0, hours: 20 } }), { events: [lastWord(MONDAY_10 + 2 * HOUR), resume(MONDAY_10 + 3 * HOUR)] });
    expect(state.whatsappInboundAt).toBe(MONDAY_10 + 2 * HOUR);
    expect(whatsapp).toHaveLength(1);
    expect(whatsapp[0]!.touch).toMatchObject({ sentAs: "text", text: "Hi Ann, any questions?" });
  });

  it("a message more than 24 hours old no longer opens the window: the template goes", () => {
    const { whatsapp } = walk(sequence({ wait: { days: 2 } }), { events: [lastWord(MONDAY_10 + HOUR), resume(MONDAY_10 + 2 * HOUR)] });
    expect(whatsapp).toHaveLength(1);
    expect(whatsapp[0]!.touch.sentAs).toBe("template");
  });

  it("outside the window a step with no template is not sent, and the timeline says why", () => {
    const { whatsapp, timeline } = walk(sequence({ whatsappTemplate: undefined }));
    expect(whatsapp).toEqual([]);
    const skipped = timeline.find((e) => e.kind === "touch_skipped");
    expect(skipped).toMatchObject({ channel: "whatsapp", stepId: "nudge" });
    expect(skipped && "reason" in skipped && skipped.reason).toMatch(/outside WhatsApp's 24-hour window.*names no approved template/);
  });

  it("no WhatsApp consent, no WhatsApp touch: SMS consent does not stand for it", () => {
    const { whatsapp, timeline } = walk(sequence(), { submission: submission({ consent: { sms: true } }) });
    expect(whatsapp).toEqual([]);
    expect(timeline.find((e) => e.kind === "touch_skipped")).toMatchObject({ channel: "whatsapp", reason: "no WhatsApp consent recorded" });
  });

  it("a STOP withdraws WhatsApp consent: the touch waiting for its time is dropped, and the lead is not unsubscribed from everything", () => {
    const stop = { at: MONDAY_10 + HOUR, event: { kind: "unsubscribed", channel: "whatsapp", method: "whatsapp_stop" } as LeadEvent };
    const { whatsapp, state } = walk(sequence(), { events: [stop] });
    expect(whatsapp).toEqual([]);
    expect(state.consent.whatsapp).toMatchObject({ granted: false, method: "whatsapp_stop" });
    expect(state.status).not.toBe("unsubscribed");
  });

  it("keeps SMS quiet hours in the lead's time: an answer to a 23:00 post goes at 08:00", () => {
    const lateNight = Date.UTC(2026, 10, 3, 4, 0); // Monday 23:00 in New York
    const instant = sequence({ id: "hello", intent: "acknowledge", wait: { days: 0 }, instant: true });
    const { whatsapp } = walk(instant, { start: lateNight });
    expect(whatsapp).toHaveLength(1);
    expect(localParts(whatsapp[0]!.at, NY)).toMatchObject({ hour: 8, minute: 0 });
  });
});

describe("WhatsApp template variables", () => {
  it("are rendered without line breaks, tabs or runs of spaces, and never empty", () => {
    const template = { contentSid: SID, variables: { "1": "{{firstName}}\n\tand   {{company}}", "2": "{{title}}" } };
    expect(renderWhatsappTemplate(template, { firstName: "Ann", company: "Acme" })).toEqual({ contentSid: SID, variables: { "1": "Ann and Acme", "2": "-" } });
  });

  it("are validated: a Content SID is HX and 32 hex digits, variables are numbered", () => {
    const bad = SequenceSchema.safeParse({
      id: "bad",
      name: "Bad",
      steps: [{ id: "s", intent: "value", channels: ["whatsapp"], whatsappTemplate: { contentSid: "HXnope", variables: { first: "{{firstName}}" } } }],
    });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => i.message).join("; ");
    expect(messages).toContain("Content SID");
    expect(messages).toContain("numbered");
    const missing = SequenceSchema.safeParse({ id: "bare", name: "Bare", steps: [{ id: "s", intent: "value", channels: ["whatsapp"] }] });
    expect(missing.error?.issues[0]?.message).toContain('a whatsapp step needs its "whatsapp" text, its "whatsappTemplate", or both');
  });
});
