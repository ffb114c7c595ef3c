import { z } from "zod";

/** A reply as the engine judges it: what it asks for, what it objects to, what says the person means to buy. */

/**
 * What a person's reply asks for. `needs_review` when the judgement is not sure enough
 * (below the confidence floor): the reply still pauses the lead, nothing else is automatic.
 */
export const ReplyIntentSchema = z.enum(["interested", "question", "pricing", "objection", "not_now", "not_interested", "wrong_person", "unsubscribe", "needs_review"]);
export type ReplyIntent = z.infer<typeof ReplyIntentSchema>;

/** What in a reply says the person means to buy. */
export const BuyingIntentSchema = z.enum(["ready_to_proceed", "contract_terms", "implementation", "pricing"]);
export type BuyingIntent = z.infer<typeof BuyingIntentSchema>;

/** The concern a reply raises. */
export const ObjectionSchema = z.enum(["price", "timing", "incumbent", "fit"]);
export type Objection = z.infer<typeof ObjectionSchema>;

/**
 * Where the lead raised an objection: its form message, a reply (each judged as a reply is),
 * or the booking page opened without a booking within the wait.
 */
export const ObjectionSourceSchema = z.enum(["form", "reply", "booking_page"]);
export type ObjectionSource = z.infer<typeof ObjectionSourceSchema>;

/** An objection the lead raised; `objection` is absent when it named no concern (the booking page left). */
export const RaisedObjectionSchema = z.object({
  /** The `objection_raised` timeline entry: later human signals (higher seq) answer it. */
  seq: z.number(),
  at: z.number(),
  source: ObjectionSourceSchema,
  objection: ObjectionSchema.optional(),
  /** The timeline entry with the lead's words (its form post or reply). */
  from: z.number().optional(),
});
export type RaisedObjection = z.infer<typeof RaisedObjectionSchema>;

/**
 * A reply as judged once, when it arrives: by the language model, or by the rules where
 * none answered (`judgedBy`). What it asks for and how sure, and what in it matters for a
 * hand-off. Pausing, scoring and hand-off triggers read this record, never the words again.
 */
export const ReplyJudgementSchema = z.object({
  intent: ReplyIntentSchema,
  confidence: z.number(),
  judgedBy: z.enum(["model", "rules"]),
  buyingIntent: BuyingIntentSchema.optional(),
  objection: ObjectionSchema.optional(),
  /** The role the person says they hold ("CEO", "head of"), as they wrote it. */
  decisionMaker: z.string().optional(),
  /** A competitor on the owner's list that the reply names. */
  competitor: z.string().optional(),
  /** A "not now" that names when to come back: the local calendar day (YYYY-MM-DD) the hold ends. */
  holdUntil: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});
export type ReplyJudgement = z.infer<typeof ReplyJudgementSchema>;
