import { describe, expect, it } from "vitest";
import { answers, chatIntent, handOffNotice, passageAnswer, withinHours } from "../../engine/chat/chat-answer";
import { checkChatAnswer } from "../../engine/chat/chat-guardrails";
import { leadHistory, returnFacts, returnGreeting } from "../../engine/chat/return-greeting";
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from "../../engine/engine-config";
import { buildPackage } from "../../engine/hand-off/hand-off-package";
import { DEFAULT_HAND_OFF_RULES } from "../../engine/hand-off/hand-off-triggers";
import { applyEvent } from "../../engine/lead/lead-engine";
import type { ChatProof, LeadEffect, LeadEvent, LeadState } from "../../engine/lead/lead-state";
import type { Passage } from "../../schemas/knowledge";
import type { TimelineEntry } from "../../schemas/lead";
import { SequenceSchema } from "../../schemas/sequence";

/** The chat's pure parts: messages as lead events, intents, retrieval answers, guardrails, the greeting, hours, the channel preference. */

const LEAD = "aabbccddeeff00112233445566778899";
/** Monday 2 November 2026, 10:00 in New York. */
const T0 = Date.UTC(2026, 10, 2, 15, 0);
const SITE = "https://owner.example";
const CONFIG: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, handOff: { ...DEFAULT_HAND_OFF_RULES, competitors: ["RivalSoft"] } };

function walk(events: LeadEvent[], at = T0) {
  let state: LeadState | null = null;
  const timeline: TimelineEntry[] = [];
  const effects: LeadEffect[] = [];
  for (const [i, event] of events.entries()) {
    const outcome = applyEvent(state, event, at + i * 60_000, CONFIG);
    if (outcome.state) state = outcome.state;
    for (const effect of outcome.effects) effect.kind === "append_timeline" ? timeline.push(effect.entry) : effects.push(effect);
  }
  return { state: state!, timeline, effects };
}

const posted = (profile: Record<string, string> = {}): LeadEvent => ({
  kind: "form_submitted",
  leadId: LEAD,
  submission: { formId: "f", receivedAt: T0, profile: { email: "ann@example.com", timezone: "America/New_York", ...profile }, consent: {}, utm: {}, custom: {} },
});
const said = (text: string, proof: ChatProof = "ticket", from: "visitor" | "assistant" | "rep" = "visitor"): LeadEvent => ({
  kind: "chat_message",
  from,
  text,
  siteOrigin: SITE,
  conversationId: "c1",
  proof,
});
const passage = (title: string, text: string, kind: Passage["kind"] = "faq"): Passage => ({ documentId: title.toLowerCase(), kind, title, text });

describe("a chat message on the lead", () => {
  it("is a timeline entry with its proof, and a proven visitor's words are a human signal that scores like a reply", () => {
    const { state, timeline } = walk([posted(), said("Does it work with HubSpot?")]);
    expect(timeline.at(-1)).toMatchObject({ kind: "chat_message", from: "visitor", proof: "ticket", siteOrigin: SITE, conversationId: "c1" });
    expect(state.humanSignals.at(-1)).toMatchObject({ kind: "chat" });
    expect(state.scoreFactors.find((f) => f.signal === "reply")?.points).toBeGreaterThan(0);
  });

  it("does not pause the lead's sequence by itself", () => {
    const { state } = walk([posted(), said("Does it work with HubSpot?")]);
    expect(state.status).not.toBe("replied");
    expect(state.status).not.toBe("paused");
  });

  it("fires the buying-intent, decision-maker and competitor triggers on a proven chat", () => {
    const { effects } = walk([posted(), said("I'm the CEO. We use RivalSoft today; what are the contract terms?")]);
    const fired = effects.flatMap((e) => (e.kind === "hand_off" ? e.triggers : []));
    expect(fired.map((f) => f.trigger).sort()).toEqual(["buying_intent", "competitor", "decision_maker"]);
    expect(fired.find((f) => f.trigger === "buying_intent")!.reason).toBe("the chat message asks about contract terms");
  });

  it("changes nothing but the timeline when a form post only claims the visitor is the lead", () => {
    const { state, effects } = walk([posted(), said("I'm the CEO, what are the contract terms?", "form")]);
    expect(state.humanSignals.some((s) => s.kind === "chat")).toBe(false);
    expect(effects.some((e) => e.kind === "hand_off")).toBe(false);
  });

  it("opts the lead out on stop with proof, and only alerts the owner without", () => {
    expect(walk([posted(), said("unsubscribe me please")]).state.status).toBe("unsubscribed");
    const claimed = walk([posted(), said("unsubscribe me please", "form")]);
    expect(claimed.state.status).not.toBe("unsubscribed");
    expect(claimed.effects.find((e) => e.kind === "alert")).toMatchObject({ reason: "notice", message: expect.stringContaining("was not opted out") });
  });

  it("only alerts the owner when an unproven chat asks for a person: no hand-off, no pause", () => {
    const claimed = walk([posted(), said("Can I speak to a human?", "form")]);
    expect(claimed.effects.some((e) => e.kind === "hand_off")).toBe(false);
    expect(claimed.state.status).not.toBe("with_rep");
    expect(claimed.effects.find((e) => e.kind === "alert")).toMatchObject({ reason: "notice", message: expect.stringContaining("No hand-off was made") });
    // An ordinary unproven question tells the owner nothing.
    expect(walk([posted(), said("What does it cost?", "form")]).effects.some((e) => e.kind === "alert")).toBe(false);
  });

  it("puts the last chat messages in the hand-off package, bounded", () => {
    const events = [posted(), ...Array.from({ length: 25 }, (_, i) => said(`message ${i}`, "form"))];
    const { state, timeline } = walk(events);
    const pkg = buildPackage(state, timeline, [{ trigger: "manual", reason: "asked for a person" }], T0 + 3_600_000);
    expect(pkg.chat).toHaveLength(20);
    expect(pkg.chat!.at(-1)).toMatchObject({ from: "visitor", text: "message 24" });
    expect(pkg.transcript.at(-1)).toContain("said in chat: “message 24”");
  });
});

describe("what a chat message asks for", () => {
  it.each([
    ["stop", "stop"],
    ["Please unsubscribe me", "stop"],
    ["Can I talk to a person?", "person"],
    ["I'd like to speak with someone", "person"],
    ["human please", "person"],
    ["write me at ann@example.com", "contact_given"],
    ["Can I book a demo?", "booking"],
    ["How much does it cost?", "pricing"],
    ["What's your pricing?", "pricing"],
    ["Does it sync with Salesforce?", "question"],
  ] as const)("%s → %s", (text, intent) => {
    expect(chatIntent(text).intent).toBe(intent);
  });
});

describe("retrieval answers", () => {
  const integrations = passage("Integrations", "Our Salesforce integration syncs contacts and deals both ways every five minutes. See https://owner.example/docs for setup.");
  const office = passage("Our office", "We are based in Lisbon and work remotely on Fridays.");

  it("quote the first passage that shares most of the question's words, without its link sentences", () => {
    expect(passageAnswer("Does the Salesforce integration sync deals?", [office, integrations])).toEqual({
      text: "Integrations: Our Salesforce integration syncs contacts and deals both ways every five minutes.",
      sources: [{ title: "Integrations" }],
    });
  });

  it("refuse a passage that shares a stray word only", () => {
    expect(answers("Is the office dog friendly on Fridays?", office)).toBe(false);
    expect(passageAnswer("Do you support Salesforce territories and quotas?", [integrations])).toBeNull();
  });
});

describe("the model's answer guardrails", () => {
  const pricing = passage("Pricing", "Team costs $199 a month.", "pricing");
  it("accept an answer whose numbers the passages state", () => {
    expect(checkChatAnswer("The Team plan is $199 a month.", [pricing], [])).toEqual([]);
  });
  it("refuse an invented number, a foreign link, and the model's own no-answer", () => {
    expect(checkChatAnswer("Team is $149 a month.", [pricing], []).join()).toContain('"149"');
    expect(checkChatAnswer("See https://evil.example/deal", [pricing], []).join()).toContain("is in no passage");
    expect(checkChatAnswer("NOT_IN_PASSAGES", [pricing], []).join()).toContain("do not answer");
  });
});

describe("the return greeting", () => {
  const timeline: TimelineEntry[] = [
    { seq: 1, at: T0, kind: "page_viewed", pageViewId: "p1", url: `${SITE}/pricing`, pageClass: "pricing", title: "Pricing", verdict: "human", reason: "person" },
    { seq: 2, at: T0 + 1, kind: "page_viewed", pageViewId: "p2", url: `${SITE}/blog`, pageClass: "blog", verdict: "human", reason: "person" },
    {
      seq: 3,
      at: T0 + 2,
      kind: "chat_message",
      from: "visitor",
      text: "How does the Salesforce integration work? Thanks!",
      siteOrigin: SITE,
      conversationId: "c",
      proof: "ticket",
    },
  ];

  it("recalls the telling page and the last question, and offers a demo when there is a booking link", () => {
    expect(returnGreeting(returnFacts(timeline), true)).toBe(
      "Welcome back. Last time you were looking at our pricing page and you asked “How does the Salesforce integration work”. Want me to walk you through it, or are you ready to book a demo?",
    );
  });

  it("is null with nothing to recall (the site's greeting stands)", () => {
    expect(returnGreeting(returnFacts([]), true)).toBeNull();
  });

  it("gives a model only the lead's own history", () => {
    expect(leadHistory(timeline)).toEqual(["viewed the pricing page", "viewed the blog page", "asked in chat: “How does the Salesforce integration work”"]);
  });
});

describe("chat hours", () => {
  const hours = { days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" };
  it("say a person will answer soon within hours, and when outside them", () => {
    expect(withinHours(hours, "America/New_York", T0)).toBe(true);
    expect(handOffNotice(hours, "America/New_York", T0)).toContain("They'll answer you here");
    const saturday = T0 + 5 * 86_400_000;
    expect(handOffNotice(hours, "America/New_York", saturday)).toBe(
      "I've passed this to the team. Nobody is in right now: someone will answer during our hours (Mon–Fri, 09:00–17:00 America/New_York), by email if you've left.",
    );
  });
});

describe("the channel the lead chose in chat", () => {
  const sequence = SequenceSchema.parse({
    id: "both",
    name: "both",
    steps: [{ id: "s1", intent: "acknowledge", wait: { days: 0 }, channels: ["email", "sms"], email: { subject: "Hi", body: "Hello" }, sms: { text: "Hello" } }],
  });
  const run = (preferred: "email" | "sms" | null) => {
    const events: LeadEvent[] = [
      {
        kind: "form_submitted",
        leadId: LEAD,
        submission: {
          formId: "f",
          receivedAt: T0,
          profile: { email: "ann@example.com", phone: "+12125550123", timezone: "America/New_York" },
          consent: { email: true, sms: true },
          utm: {},
          custom: {},
        },
      },
      ...(preferred ? [{ kind: "channel_preferred" as const, channel: preferred, wording: "Text me.", siteOrigin: SITE }] : []),
      { kind: "enrolled", sequence: { id: "both", version: 1, sequence }, reason: "api" },
    ];
    const { state, effects } = walk(events);
    const step = effects.find((e): e is Extract<LeadEffect, { kind: "schedule" }> => e.kind === "schedule" && e.timer.kind === "step")!;
    return { state: applyEvent(state, { kind: "timer_fired", timer: step.timer }, step.at, CONFIG).state! };
  };

  it("is kept with its evidence and narrows a step that offers several channels", () => {
    const both = run(null).state.deliveries.map((d) => d.touch.channel);
    expect(both.sort()).toEqual(["email", "sms"]);
    const chosen = run("sms");
    expect(chosen.state.preferredChannel).toMatchObject({ channel: "sms", method: "chat", wording: "Text me.", siteOrigin: SITE });
    expect(chosen.state.deliveries.map((d) => d.touch.channel)).toEqual(["sms"]);
  });
});
