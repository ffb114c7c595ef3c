import type { ModelTask } from "../../schemas/settings";

/**
 * What one model call may cost: its input, estimated from characters as the bench counts
 * them, and its output, which the call caps. The few passages and facts that matter fit;
 * the rest is left out rather than paid for on every call.
 */

/** Characters per token for English text under the llama tokenizer: an estimate, not a count. */
export const CHARS_PER_TOKEN = 4;

export interface PromptBudget {
  maxInputTokens: number;
  maxOutputTokens: number;
}

export const PROMPT_BUDGETS: Record<ModelTask, PromptBudget> = {
  // An email body of at most 1,500 characters, a subject and an SMS, as JSON.
  drafting: { maxInputTokens: 1_500, maxOutputTokens: 600 },
  // A reply of up to 4,000 characters; the answer is a few JSON fields.
  judgement: { maxInputTokens: 1_500, maxOutputTokens: 150 },
  summary: { maxInputTokens: 1_500, maxOutputTokens: 200 },
  chat: { maxInputTokens: 1_500, maxOutputTokens: 300 },
};

export const estimateTokens = (text: string): number => Math.ceil(text.length / CHARS_PER_TOKEN);

/** The prompt, cut (and marked as cut) to what the task's budget leaves after the system instructions. */
export function withinBudget(system: string, prompt: string, task: ModelTask): string {
  const room = PROMPT_BUDGETS[task].maxInputTokens * CHARS_PER_TOKEN - system.length;
  if (prompt.length <= room) return prompt;
  return `${prompt.slice(0, Math.max(0, room - 1))}…`;
}

/** A text cut at a word to at most `max` characters, marked as cut. */
export function clipped(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).replace(/\s+\S*$/, "")}…`;
}

/** The newest lines (oldest first) that fit in `max` characters with their line breaks: the latest of a long history matters most. */
export function latestWithin(lines: readonly string[], max: number): string[] {
  const kept: string[] = [];
  let used = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    used += lines[i]!.length + 1;
    if (used > max) break;
    kept.unshift(lines[i]!);
  }
  return kept;
}
