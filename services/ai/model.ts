import type { LanguageModel } from "ai";
import { createWorkersAI } from "workers-ai-provider";

/** The Workers AI model used when `AI_MODEL` does not name another. */
export const DEFAULT_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

/** The deployment's language model, or null where there is no Workers AI binding (locally): callers fall back. */
export function languageModelFrom(env: Pick<Env, "AI_MODEL"> & { AI?: Ai }): LanguageModel | null {
  if (!env.AI) return null;
  return createWorkersAI({ binding: env.AI })(env.AI_MODEL?.trim() || DEFAULT_MODEL);
}
