import { describe, expect, it } from "vitest";
import { draftRequest } from "../draft-request";
import { draftTouch } from "../../services/ai/drafting";
import { judgeReplyWith } from "../../services/ai/reply-judgement";
import { languageModelFrom, NO_THINKING_SWITCH } from "../../services/ai/model";
import { SETTING_VARS } from "../../schemas/settings";

/**
 * The deployment's models through the real Workers AI provider, with a stand-in for the `AI`
 * binding that records what it was asked and answers as Workers AI's chat completions do.
 */

interface Call {
  model: string;
  inputs: { messages: { role: string; content: string }[]; response_format?: { type: string } };
}

/** An `AI` binding that answers every call with this message and keeps what it was asked. */
function bindingAnswering(message: { content: string; reasoning_content?: string }) {
  const calls: Call[] = [];
  const binding = {
    run: async (model: string, inputs: Call["inputs"]) => {
      calls.push({ model, inputs });
      return { choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: "stop" }], usage: { prompt_tokens: 900, completion_tokens: 80 } };
    },
  };
  return { binding: binding as unknown as Ai, calls };
}

const request = draftRequest();
const DRAFT = {
  subject: "A thought for Acme",
  body: "Hi Ann,\n\nFor a team like Acme's, the question is how long the roof has left: most we inspect last 20 years. Our guide: https://owner.example/guide\n\nSam",
  sms: null,
};
const QWEN3 = "@cf/qwen/qwen3-30b-a3b-fp8";
const grounds = { earlierTouches: [], passages: [] };

describe("the drafting model", () => {
  it("is a mid-size one by default, priced in the bench's price file", async () => {
    expect(SETTING_VARS.aiModel.fallback).toBe(QWEN3);
    const prices = (await import("../../scripts/cloudflare-prices.json")).default;
    expect(Object.keys(prices.workersAi.models)).toContain(SETTING_VARS.aiModel.fallback);
    expect(Object.keys(prices.workersAi.models)).toContain(SETTING_VARS.aiFastModel.fallback);
  });

  it("asks a Qwen3 model not to think, in JSON mode, and drafts from its answer", async () => {
    const { binding, calls } = bindingAnswering({ content: JSON.stringify(DRAFT) });
    const answer = await draftTouch(languageModelFrom({ AI: binding }, QWEN3), request, grounds);
    expect(answer).toMatchObject({ by: "model", content: { subject: DRAFT.subject, body: DRAFT.body } });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.model).toBe(QWEN3);
    expect(calls[0]!.inputs.response_format?.type).toBe("json_schema");
    const user = calls[0]!.inputs.messages.filter((m) => m.role === "user");
    expect(user.at(-1)!.content.endsWith(`\n${NO_THINKING_SWITCH}`)).toBe(true);
    // The switch is the model's, not the owner's: it is nowhere else in what was sent.
    expect(JSON.stringify(calls[0]!.inputs.messages).split(NO_THINKING_SWITCH)).toHaveLength(2);
  });

  it("reads the draft after any thinking the model still writes into its text", async () => {
    const { binding } = bindingAnswering({ content: `<think>\nThe lead is Ann at Acme; keep the guide link.\n</think>\n\n${JSON.stringify(DRAFT)}` });
    const answer = await draftTouch(languageModelFrom({ AI: binding }, QWEN3), request, grounds);
    expect(answer.content).toMatchObject({ subject: DRAFT.subject, body: DRAFT.body });
    expect(answer.content?.body).not.toContain("think");
  });

  it("reads the draft when the thinking comes apart, as reasoning content", async () => {
    const { binding } = bindingAnswering({ content: JSON.stringify(DRAFT), reasoning_content: "Keep the guide link." });
    const answer = await draftTouch(languageModelFrom({ AI: binding }, QWEN3), request, grounds);
    expect(answer.content).toMatchObject({ subject: DRAFT.subject, body: DRAFT.body });
  });

  it("sends other models the prompt as it is", async () => {
    const { binding, calls } = bindingAnswering({ content: JSON.stringify(DRAFT) });
    const answer = await draftTouch(languageModelFrom({ AI: binding }, "@cf/meta/llama-3.3-70b-instruct-fp8-fast"), request, grounds);
    expect(answer.by).toBe("model");
    expect(answer.content).not.toBeNull();
    expect(JSON.stringify(calls[0]!.inputs.messages)).not.toContain(NO_THINKING_SWITCH);
  });

  it("falls back to the template when a model's text is not a draft at all", async () => {
    const { binding, calls } = bindingAnswering({ content: "<think>\nHmm.\n</think>\n\nSure! Here is a friendly follow-up for Ann." });
    const answer = await draftTouch(languageModelFrom({ AI: binding }, QWEN3), request, grounds);
    expect(answer.content).toBeNull();
    expect(calls).toHaveLength(2);
    expect(answer.notes.at(-1)).toBe("the template goes out instead");
  });
});

describe("a Qwen3 model as the quick model", () => {
  it("judges a reply from the JSON after its thinking, asked not to think", async () => {
    const verdict = { intent: "interested", confidence: 0.9, competitor: null, buyingIntent: "ready_to_proceed" };
    const { binding, calls } = bindingAnswering({ content: `<think>\n\n</think>\n\n${JSON.stringify(verdict)}` });
    const judgement = await judgeReplyWith(languageModelFrom({ AI: binding }, QWEN3), "Sounds great, let us go ahead with the full replacement.", []);
    expect(judgement).toMatchObject({ intent: "interested", judgedBy: "model" });
    expect(calls[0]!.inputs.messages.at(-1)!.content.endsWith(`\n${NO_THINKING_SWITCH}`)).toBe(true);
  });
});
