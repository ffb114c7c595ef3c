import { runInDurableObject } from "cloudflare:test";
import { MockLanguageModelV4 } from "ai/test";
import { describe, expect, it } from "vitest";
import type { LeadObject } from "../durable-objects/lead-object";
import type { HandOffPackage } from "../engine/hand-off/hand-off-package";
import { withModelSummary } from "../services/ai/hand-off-summary";
import { judgeReplyWith } from "../services/ai/reply-judgement";
import { unique } from "./helpers";
import { freshLead, settle, submission, summaryOf } from "./lead-harness";

/** The model's judgements (a reply's intent, a hand-off summary), each with its deterministic fallback, through the AI SDK's mock model. */

const answer = (text: string) => ({
  content: [{ type: "text" as const, text }],
  finishReason: { unified: "stop" as const, raw: undefined },
  usage: { inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 20, text: 20, reasoning: undefined } },
  warnings: [],
});

const modelAnswering = (text: string) => new MockLanguageModelV4({ doGenerate: async () => answer(text) });

describe("reply judgement by the model", () => {
  it("uses a well-formed judgement, and names a competitor only from the owner's list", async () => {
    const model = modelAnswering(JSON.stringify({ intent: "interested", confidence: 0.92, competitor: "roofco" }));
    const judgement = await judgeReplyWith(model, "We were going to sign with RoofCo but happy to compare — call me.", ["RoofCo"]);
    expect(judgement).toEqual({ intent: "interested", confidence: 0.92, competitor: "RoofCo", judgedBy: "model" });
    // What the model saw: the reply and the competitor list.
    const prompt = JSON.stringify(model.doGenerateCalls[0]!.prompt);
    expect(prompt).toContain("happy to compare");
    expect(prompt).toContain("RoofCo");
    // A judgement is a few fields: the call caps the answer's length.
    expect(model.doGenerateCalls[0]!.maxOutputTokens).toBe(150);

    const invented = await judgeReplyWith(modelAnswering(JSON.stringify({ intent: "objection", confidence: 0.8, competitor: "Acme Shingles" })), "We use someone else.", [
      "RoofCo",
    ]);
    expect(invented.competitor).toBeUndefined();
  });

  it("fills what matters for a hand-off from the model's answer; a question about the price is buying intent", async () => {
    const answered = modelAnswering(
      JSON.stringify({ intent: "interested", confidence: 0.9, competitor: null, buyingIntent: "contract_terms", objection: "timing", decisionMaker: " CEO " }),
    );
    expect(await judgeReplyWith(answered, "Send the paperwork, I'll sign after the holidays.", [])).toEqual({
      intent: "interested",
      confidence: 0.9,
      judgedBy: "model",
      buyingIntent: "contract_terms",
      objection: "timing",
      decisionMaker: "CEO",
    });
    const pricing = modelAnswering(JSON.stringify({ intent: "pricing", confidence: 0.9, competitor: null }));
    expect(await judgeReplyWith(pricing, "What's the damage?", [])).toEqual({ intent: "pricing", confidence: 0.9, judgedBy: "model", buyingIntent: "pricing" });
  });

  it("a not-now judgement carries the day the model names from the given today, and only then", async () => {
    const model = (intent: string) => modelAnswering(JSON.stringify({ intent, confidence: 0.9, competitor: null, holdUntil: "2026-04-01" }));
    expect(await judgeReplyWith(model("not_now"), "Not now, maybe next quarter.", [], 1000, "2026-02-10")).toEqual({
      intent: "not_now",
      confidence: 0.9,
      judgedBy: "model",
      holdUntil: "2026-04-01",
    });
    expect(await judgeReplyWith(model("not_now"), "Not now, maybe next quarter.", [], 1000)).not.toHaveProperty("holdUntil");
    expect(await judgeReplyWith(model("interested"), "Let's talk in April.", [], 1000, "2026-02-10")).not.toHaveProperty("holdUntil");
  });

  it("below the confidence floor the judgement is needs_review", async () => {
    const judgement = await judgeReplyWith(modelAnswering(JSON.stringify({ intent: "not_now", confidence: 0.55, competitor: null })), "hmm, maybe", []);
    expect(judgement).toMatchObject({ intent: "needs_review", confidence: 0.55, judgedBy: "model" });
  });

  it("falls back to the heuristics on an answer that does not fit the schema", async () => {
    for (const text of [
      "not json at all",
      JSON.stringify({ intent: "buy_now", confidence: 0.9, competitor: null }),
      JSON.stringify({ intent: "pricing", confidence: 7, competitor: null }),
    ]) {
      const judgement = await judgeReplyWith(modelAnswering(text), "Please remove me from your list.", []);
      expect(judgement).toMatchObject({ intent: "unsubscribe", judgedBy: "rules" });
    }
  });

  it("falls back when the model fails or does not answer in time", async () => {
    const failing = new MockLanguageModelV4({ doGenerate: async () => Promise.reject(new Error("3040: capacity exceeded")) });
    expect(await judgeReplyWith(failing, "How much does it cost?", [])).toMatchObject({ intent: "pricing", judgedBy: "rules" });
    const silent = new MockLanguageModelV4({
      doGenerate: (options) => new Promise((_, reject) => options.abortSignal?.addEventListener("abort", () => reject(options.abortSignal?.reason))),
    });
    expect(await judgeReplyWith(silent, "How much does it cost?", [], 50)).toMatchObject({ intent: "pricing", judgedBy: "rules" });
  });

  it("without a model (the local default) the heuristics answer", async () => {
    expect(await judgeReplyWith(null, "Not interested, thanks.", [])).toMatchObject({ intent: "not_interested", judgedBy: "rules" });
  });
});

describe("hand-off summary by the model", () => {
  const pkg: HandOffPackage = {
    leadId: "l1",
    handedOffAt: 0,
    triggers: [{ trigger: "buying_intent", reason: "the reply asks about contract terms" }],
    profile: { name: "Hana Ito", company: "Ito Roofing" },
    timezone: "America/New_York",
    score: 80,
    factors: [],
    transcript: ["Tue 3 Nov 10:00 — replied: “It looks too expensive for us, what are the contract terms?”"],
    summary: { needs: "It looks too expensive for us, what are the contract terms?", topObjection: "price", by: "rules" },
    nextAction: "Call today",
  };

  it("replaces the rules' summary with the model's, from the transcript it was shown", async () => {
    const model = modelAnswering(JSON.stringify({ needs: "Wants roofing for two buildings and the contract terms.", topObjection: "Price feels high." }));
    const summarised = await withModelSummary(model, pkg);
    expect(summarised.summary).toEqual({ needs: "Wants roofing for two buildings and the contract terms.", topObjection: "Price feels high.", by: "model" });
    expect(summarised.transcript).toEqual(pkg.transcript);
    expect(JSON.stringify(model.doGenerateCalls[0]!.prompt)).toContain("contract terms");
  });

  it("keeps the rules' summary without a model, on a failure, a timeout or an answer that does not fit", async () => {
    expect(await withModelSummary(null, pkg)).toBe(pkg);
    expect((await withModelSummary(new MockLanguageModelV4({ doGenerate: async () => Promise.reject(new Error("down")) }), pkg)).summary.by).toBe("rules");
    expect((await withModelSummary(modelAnswering(JSON.stringify({ needs: "" })), pkg)).summary.by).toBe("rules");
    const silent = new MockLanguageModelV4({
      doGenerate: (options) => new Promise((_, reject) => options.abortSignal?.addEventListener("abort", () => reject(options.abortSignal?.reason))),
    });
    expect((await withModelSummary(silent, pkg, 50)).summary).toEqual(pkg.summary);
  });
});

describe("each task on its own model", () => {
  it("the object writes a hand-off brief with the quick model, not the drafting one", async () => {
    const tasks: (string | undefined)[] = [];
    const quick = modelAnswering(JSON.stringify({ needs: "Wants the details, as the CEO.", topObjection: null }));
    const drafter = modelAnswering(JSON.stringify({ subject: null, body: null, sms: null }));
    const { stub } = await freshLead();
    await runInDurableObject(stub, (object: LeadObject) => {
      object.seams.languageModel = (_settings, task) => {
        tasks.push(task);
        return task === "summary" ? quick : drafter;
      };
    });
    await stub.submitForm(submission(`${unique("ceo")}@example.com`));
    await settle(stub);
    expect(await stub.recordReply({ text: "I'm the CEO here, send me the details." })).toBe(true);
    await settle(stub);
    expect((await summaryOf(stub)).handOffs).toEqual([expect.objectContaining({ trigger: "decision_maker" })]);
    expect(tasks).toContain("summary");
    expect(quick.doGenerateCalls).toHaveLength(1);
    expect(JSON.stringify(quick.doGenerateCalls[0]!.prompt)).toContain("I'm the CEO here");
    expect(quick.doGenerateCalls[0]!.maxOutputTokens).toBe(200);
    expect(drafter.doGenerateCalls.every((call) => !JSON.stringify(call.prompt).includes("brief a sales rep"))).toBe(true);
  });
});
