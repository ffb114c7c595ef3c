import { extractReasoningMiddleware, wrapLanguageModel, type LanguageModel, type LanguageModelMiddleware } from "ai";
import { createWorkersAI } from "workers-ai-provider";
import { modelFor, type ModelSettings, type ModelTask } from "../../schemas/settings";

/**
 * Qwen3's hybrid models think before they answer unless asked not to, and the thinking is billed
 * as output tokens. No task here needs it (a draft, a verdict, a brief, a chat answer), so these
 * models get Qwen's documented soft switch; a model that does not know it never sees it.
 */
const THINKS_UNLESS_TOLD = /^@cf\/qwen\/qwen3-/;
export const NO_THINKING_SWITCH = "/no_think";

const noThinking: LanguageModelMiddleware = {
  specificationVersion: "v4",
  transformParams: async ({ params }) => {
    const last = params.prompt.findLastIndex((m) => m.role === "user");
    if (last === -1) return params;
    const prompt = params.prompt.map((message, i) =>
      i === last && message.role === "user" ? { ...message, content: [...message.content, { type: "text" as const, text: NO_THINKING_SWITCH }] } : message,
    );
    return { ...params, prompt };
  },
};

/** The deployment's language model (`model`: the settings' AI model), or null where there is no Workers AI binding (locally): callers fall back. */
export function languageModelFrom(env: { AI?: Ai }, model: string): LanguageModel | null {
  if (!env.AI) return null;
  const base = createWorkersAI({ binding: env.AI })(model);
  // Any thinking a model still writes into its text (an empty <think></think> pair is usual) is
  // taken out, so a structured answer parses from what follows it.
  const middleware = [...(THINKS_UNLESS_TOLD.test(model) ? [noThinking] : []), extractReasoningMiddleware({ tagName: "think" })];
  return wrapLanguageModel({ model: base, middleware });
}

/** The model the settings name for a task (see `modelFor`), or null without a Workers AI binding. */
export function languageModelFor(env: { AI?: Ai }, settings: ModelSettings, task: ModelTask): LanguageModel | null {
  return languageModelFrom(env, modelFor(settings, task));
}
