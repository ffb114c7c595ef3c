import { describe, expect, it } from "vitest";
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from "../../engine/engine-config";
import { DEFAULT_HAND_OFF_RULES } from "../../engine/hand-off/hand-off-triggers";
import { buildPackage } from "../../engine/hand-off/hand-off-package";
import { judgeReply } from "../../engine/inbound/reply-judgement";
import { applyEvent } from "../../engine/lead/lead-engine";
import type { LeadEvent, LeadState } from "../../engine/lead/lead-state";
import { PERSON } from "../../engine/simulator";
import type { ReplyJudgement, Submission, TimelineEntry } from "../../schemas/lead";

/**
 * A reply is judged once, when it arrives — by the model, or by the rules where none
 * answered — and that judgement, with who made it, is what pauses, scores and hands off.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LEAD = "0123456789abcdef0123456789abcdef";
/** Monday 2 November 2026, 10:00 in New York. */
const T0 = Date.UTC(2026, 10, 2, 15, 0);
const CONFIG: EngineConfig = { ...DEFAULT_ENGINE_CONFIG, handOff: { ...DEFAULT_HAND_OFF_RULES, competitors: ["RivalSoft"] } };

const submission: Submission = {
  formId: "demo",
  receivedAt: T0,
  profile: { email: "ann@example.com", firstName: "Ann", timezone: "America/New_York" },
  consent: { email: true },
  utm: {},
  custom: {},
};
const post = { at: T0, event: { kind: "form_submitted", leadId: LEAD, submission } as LeadEvent };
const reply = (text: string, judgement?: ReplyJudgement) => ({
  at: T0 + DAY,
  event: { kind: "reply_received", text, channel: "email", ...(judgement ? { judgement } : {}) } as LeadEvent,
});
const model = (judgement: Omit<ReplyJudgement, "judgedBy">): ReplyJudgement => ({ ...judgement, judgedBy: "model" });

function walk(events: { at: number; event: LeadEvent }[]) {
  let state: LeadState | null = null;
  const timeline: TimelineEntry[] = [];
  const handOffs: { trigger: string; reason: string }[] = [];
  for (const { at, event } of events) {
    const outcome = applyEvent(state, event, at, CONFIG);
    state = outcome.state ?? state;
    for (const effect of outcome.effects) {
      if (effect.kind === "append_timeline") timeline.push(effect.entry);
      if (effect.kind === "hand_off") handOffs.push(...effect.triggers);
    }
  }
  return { state: state!, timeline, handOffs, triggers: handOffs.map((h) => h.trigger) };
}

const replyEntry = (timeline: TimelineEntry[]) => timeline.find((e) => e.kind === "reply_received");
const replyPoints = (state: LeadState) => state.scoreFactors.find((f) => f.signal === "reply")?.points;

describe("a reply's judgement, recorded once", () => {
  it("a reply that arrives unjudged is judged by the rules, and the judgement and its source are on its timeline entry and its signal", () => {
    const { state, timeline } = walk([post, reply("What would the contract terms look like for 20 seats?")]);
    expect(replyEntry(timeline)).toMatchObject({ text: "What would the contract terms look like for 20 seats?", judgedBy: "rules", buyingIntent: "contract_terms" });
    expect(state.humanSignals.at(-1)).toMatchObject({ kind: "reply", judgement: { judgedBy: "rules", buyingIntent: "contract_terms" } });
  });

  it("the model's judgement is recorded as it came, with its source", () => {
    const judgement = model({ intent: "interested", confidence: 0.9, buyingIntent: "ready_to_proceed", decisionMaker: "CEO" });
    const { state, timeline } = walk([post, reply("Ok, go.", judgement)]);
    expect(replyEntry(timeline)).toMatchObject({ text: "Ok, go.", ...judgement });
    expect(state.humanSignals.at(-1)!.judgement).toEqual(judgement);
  });

  it("score and hand-off follow the model where it hears no buying intent that the rules' words would", () => {
    const text = "What would the contract terms and the pricing look like?";
    expect(judgeReply(text, []).buyingIntent).toBe("contract_terms");
    const byRules = walk([post, reply(text)]);
    expect(byRules.triggers).toEqual(["buying_intent"]);
    expect(replyPoints(byRules.state)).toBe(35);

    const byModel = walk([post, reply(text, model({ intent: "question", confidence: 0.85 }))]);
    expect(byModel.triggers).toEqual([]);
    expect(replyPoints(byModel.state)).toBe(15);
    expect(byModel.state.status).toBe("replied");
  });

  it("score, hand-off and the package follow the model where it hears what the rules do not", () => {
    const text = "Ok. Talk to you Thursday.";
    expect(judgeReply(text, ["RivalSoft"])).not.toHaveProperty("buyingIntent");
    const judgement = model({ intent: "interested", confidence: 0.9, buyingIntent: "ready_to_proceed", competitor: "RivalSoft", decisionMaker: "CEO", objection: "timing" });
    const { state, timeline, handOffs } = walk([post, reply(text, judgement)]);
    expect(handOffs).toEqual([
      { trigger: "buying_intent", reason: "the reply says they are ready to move forward" },
      { trigger: "competitor", reason: "the reply names RivalSoft" },
      { trigger: "decision_maker", reason: "the reply says they are CEO" },
    ]);
    expect(replyPoints(state)).toBe(35);
    expect(buildPackage(state, timeline, handOffs, T0 + DAY).summary.topObjection).toBe("timing");
  });

  it("later events read the recorded judgement: the score of a plain reply stays plain", () => {
    const text = "How much would a full roof cost?";
    const { state } = walk([
      post,
      reply(text, model({ intent: "question", confidence: 0.8 })),
      { at: T0 + DAY + HOUR, event: { kind: "page_viewed", pageViewId: "pv1", url: "https://owner.example/", pageClass: null, facts: PERSON } },
    ]);
    expect(state.scoreFactors.find((f) => f.signal === "visit")).toBeDefined();
    expect(replyPoints(state)).toBeLessThanOrEqual(15);
  });

  it("what a reply asks for acts as its recorded judgement says: a model's wrong-person is not the rules' unsubscribe", () => {
    const text = "Please take me off this thread and write to my colleague Sam instead.";
    expect(judgeReply(text, []).intent).toBe("unsubscribe");
    const byRules = walk([post, reply(text)]);
    expect(byRules.state.status).toBe("unsubscribed");

    const byModel = walk([post, reply(text, model({ intent: "wrong_person", confidence: 0.9 }))]);
    expect(byModel.state.status).toBe("replied");
    expect(byModel.state.consent.email?.granted).toBe(true);
    expect(byModel.timeline.some((e) => e.kind === "unsubscribed")).toBe(false);
  });
});
