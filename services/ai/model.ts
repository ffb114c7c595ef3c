import type { LanguageModel } from "ai";
import { createWorkersAI } from "workers-ai-provider";

/** The deployment's language model (`model`: the settings' AI model), or null where there is no Workers AI binding (locally): callers fall back. */
export function languageModelFrom(env: { AI?: Ai }, model: string): LanguageModel | null {
  if (!env.AI) return null;
  return createWorkersAI({ binding: env.AI })(model);
}
