import type { LanguageModel } from "ai";
import { createWorkersAI } from "workers-ai-provider";
import { modelFor, type ModelTask, type Settings } from "../../schemas/settings";

/** The deployment's language model (`model`: the settings' AI model), or null where there is no Workers AI binding (locally): callers fall back. */
export function languageModelFrom(env: { AI?: Ai }, model: string): LanguageModel | null {
  if (!env.AI) return null;
  return createWorkersAI({ binding: env.AI })(model);
}

/** The model the settings name for a task (see `modelFor`), or null without a Workers AI binding. */
export function languageModelFor(env: { AI?: Ai }, settings: Pick<Settings, "aiModel" | "aiFastModel">, task: ModelTask): LanguageModel | null {
  return languageModelFrom(env, modelFor(settings, task));
}
