import { generateText, Output, type LanguageModel } from "ai";
import { z } from "zod";
import { BuyingIntentSchema, ObjectionSchema, ReplyIntentSchema, type ReplyJudgement } from "../../schemas/lead";
import { CONFIDENCE_FLOOR, judgeReply } from "../../engine/inbound/reply-judgement";
import { PROMPT_BUDGETS, withinBudget } from "../../engine/drafting/prompt-budget";
import { JUDGEMENT_INSTRUCTIONS } from "./judgement-instructions";
import { languageModelFor } from "./model";
import type { Settings } from "../../schemas/settings";
import { clockFrom } from "../clock";

/** A model that has not answered by then is not waited for: the rules answer instead. */
export const JUDGEMENT_TIMEOUT_MS = 8_000;

const JudgementSchema = z.object({
  intent: ReplyIntentSchema.exclude(["needs_review"]),
  confidence: z.number().min(0).max(1),
  competitor: z.string().nullable(),
  // What matters for a hand-off; a model may leave them out.
  buyingIntent: BuyingIntentSchema.nullish(),
  objection: ObjectionSchema.nullish(),
  decisionMaker: z.string().max(60).nullish(),
  holdUntil: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullish(),
});

/**
 * A person's reply, judged once at intake: by the model when there is one, with the rules
 * as the fallback for no model, a failure, a timeout or an answer that does not fit the
 * schema (`judgedBy` says which). A competitor is only named when it is on the owner's
 * list; below the confidence floor the judgement is `needs_review`.
 */
export async function judgeReplyWith(
  model: LanguageModel | null,
  text: string,
  competitors: readonly string[],
  timeoutMs = JUDGEMENT_TIMEOUT_MS,
  today?: string,
): Promise<ReplyJudgement> {
  const fallback = () => judgeReply(text, competitors);
  if (!model || !text.trim()) return fallback();
  try {
    const { output } = await generateText({
      model,
      system: JUDGEMENT_INSTRUCTIONS,
      prompt: withinBudget(
        JUDGEMENT_INSTRUCTIONS,
        `${today ? `Today: ${today}\n` : ""}Competitors: ${competitors.length ? competitors.join(", ") : "(none)"}\n\nReply:\n"""\n${text.slice(0, 4000)}\n"""`,
        "judgement",
      ),
      output: Output.object({ schema: JudgementSchema }),
      maxOutputTokens: PROMPT_BUDGETS.judgement.maxOutputTokens,
      timeout: timeoutMs,
      maxRetries: 0,
    });
    const listed = competitors.find((c) => c.trim().toLowerCase() === output.competitor?.trim().toLowerCase());
    const base =
      output.confidence < CONFIDENCE_FLOOR ? { intent: "needs_review" as const, confidence: output.confidence } : { intent: output.intent, confidence: output.confidence };
    // A question about the price is buying intent, as it is to the rules.
    const buyingIntent = output.buyingIntent ?? (output.intent === "pricing" ? "pricing" : undefined);
    const decisionMaker = output.decisionMaker?.trim();
    return {
      ...base,
      judgedBy: "model",
      ...(buyingIntent ? { buyingIntent } : {}),
      ...(output.objection ? { objection: output.objection } : {}),
      ...(decisionMaker ? { decisionMaker } : {}),
      ...(listed ? { competitor: listed.trim() } : {}),
      // A day is only the model's to name from a known today; the engine bounds it (past or over a year: not believed).
      ...(base.intent === "not_now" && today && output.holdUntil ? { holdUntil: output.holdUntil } : {}),
    };
  } catch (error) {
    console.warn(JSON.stringify({ event: "reply_judgement_fallback", error: String(error).slice(0, 200) }));
    return fallback();
  }
}

export type ReplyJudge = (text: string) => Promise<ReplyJudgement>;

/** The deployment's reply judge: its model (if bound), its competitor list and the engine's today (UTC). */
export function replyJudgeFor(env: Env, settings: Settings): ReplyJudge {
  const model = languageModelFor(env, settings, "judgement");
  const { competitors } = settings;
  return (text) => judgeReplyWith(model, text, competitors, JUDGEMENT_TIMEOUT_MS, new Date(clockFrom(env).now()).toISOString().slice(0, 10));
}
