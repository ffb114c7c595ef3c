import { describe, expect, it } from "vitest";
import { modelFor, SETTING_VARS, SettingsPatchSchema } from "../../schemas/settings";

/** The rules a saved setting must meet, as the API, the dashboard form and the vars apply them. */

describe("the hand-off webhook URL", () => {
  const accepts = (url: string) => SettingsPatchSchema.safeParse({ handOffWebhookUrl: url }).success;

  it("is https, since it carries lead data; plain http only to this machine (a local CRM, the bench)", () => {
    expect(accepts("https://crm.example.com/hooks/lead")).toBe(true);
    expect(accepts("")).toBe(true);
    expect(accepts("http://crm.example.com/hooks/lead")).toBe(false);
    expect(accepts("http://127.0.0.1:8123/hand-off")).toBe(true);
    expect(accepts("http://localhost/hand-off")).toBe(true);
    // A host that only starts like this machine is another machine.
    expect(accepts("http://127.0.0.1.evil.example/hand-off")).toBe(false);
    expect(accepts("http://localhost.evil.example/")).toBe(false);
  });
});

describe("the AI models", () => {
  const settings = {
    aiModel: "@cf/qwen/qwen3-30b-a3b-fp8",
    aiFastModel: "@cf/meta/llama-3.1-8b-instruct-fp8-fast",
    aiJudgementModel: "",
    aiSummaryModel: "",
    aiChatModel: "",
  };

  it("drafting runs on the drafting model; judgements, hand-off briefs and chat answers on the quick one", () => {
    expect(modelFor(settings, "drafting")).toBe(settings.aiModel);
    for (const task of ["judgement", "summary", "chat"] as const) expect(modelFor(settings, task)).toBe(settings.aiFastModel);
  });

  it("a quick task with a model of its own runs on it, and the others stay on the quick one", () => {
    const chatOwn = { ...settings, aiChatModel: "@cf/meta/llama-3.3-70b-instruct-fp8-fast" };
    expect(modelFor(chatOwn, "chat")).toBe("@cf/meta/llama-3.3-70b-instruct-fp8-fast");
    expect(modelFor(chatOwn, "judgement")).toBe(settings.aiFastModel);
    expect(modelFor(chatOwn, "summary")).toBe(settings.aiFastModel);
    expect(modelFor({ ...settings, aiJudgementModel: "@cf/qwen/qwen3-30b-a3b-fp8" }, "judgement")).toBe("@cf/qwen/qwen3-30b-a3b-fp8");
    expect(modelFor({ ...settings, aiSummaryModel: "@cf/qwen/qwen3-30b-a3b-fp8" }, "summary")).toBe("@cf/qwen/qwen3-30b-a3b-fp8");
    expect(modelFor({ ...settings, aiSummaryModel: "@cf/qwen/qwen3-30b-a3b-fp8" }, "drafting")).toBe(settings.aiModel);
  });

  it("a task's own model may be left empty, but not set to something that is no model name", () => {
    expect(SettingsPatchSchema.safeParse({ aiChatModel: "" }).success).toBe(true);
    expect(SettingsPatchSchema.safeParse({ aiJudgementModel: "@cf/meta/llama-3.2-3b-instruct" }).success).toBe(true);
    expect(SettingsPatchSchema.safeParse({ aiSummaryModel: "a big one please" }).success).toBe(false);
    expect(SETTING_VARS.aiChatModel).toEqual({ name: "AI_CHAT_MODEL", kind: "text", fallback: "" });
  });

  it("each is a Workers AI model name, checked by the same rule, with its own var and built-in default", () => {
    expect(SettingsPatchSchema.safeParse({ aiFastModel: "@cf/meta/llama-3.2-3b-instruct" }).success).toBe(true);
    const refused = SettingsPatchSchema.safeParse({ aiFastModel: "llama 3; drop table" });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe("a Workers AI model name like @cf/meta/llama-3.3-70b-instruct-fp8-fast");
    expect(SettingsPatchSchema.safeParse({ aiFastModel: "" }).success).toBe(false);
    expect(SETTING_VARS.aiFastModel).toEqual({ name: "AI_FAST_MODEL", kind: "text", fallback: "@cf/meta/llama-3.1-8b-instruct-fp8-fast" });
    expect(SETTING_VARS.aiModel.name).toBe("AI_MODEL");
  });
});
