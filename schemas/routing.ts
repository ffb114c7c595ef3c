import { z } from "zod";
import { SequenceIdSchema } from "./sequence";

/**
 * Intent-stage routing is data, like a sequence: ordered rules that choose and switch the
 * cadence a lead runs (hot, warm, cold reactivation, post-demo, enterprise, nurture). The
 * first rule that holds moves the lead; a lead runs one cadence at a time. An owner puts a
 * new version through the API; a lead keeps the version it came in with.
 */

/** Title seniority levels, as engine/hand-off/seniority.ts reads a title (the score weighs them too). */
export const SenioritySchema = z.enum(["c_level", "owner", "vp", "director"]);
export type Seniority = z.infer<typeof SenioritySchema>;

export const RoutingConditionSchema = z.discriminatedUnion("when", [
  /** The lead's score reached this (human signals only, fading with time). */
  z.object({ when: z.literal("score_at_least"), score: z.number().int().min(1).max(100) }),
  /** The title on the lead's form reads as one of these levels. */
  z.object({ when: z.literal("title"), seniority: z.array(SenioritySchema).min(1) }),
  /** A booked meeting (a demo) ended this many days ago and the lead has done nothing since. */
  z.object({ when: z.literal("demo_idle"), days: z.number().int().min(1).max(90) }),
  /** A person came back to the site after this many days without doing anything. */
  z.object({ when: z.literal("returned_after_silence"), days: z.number().int().min(1).max(730) }),
  /** The lead's cadence ran every step without a booking (optionally: only when the lead engaged, or only when it did not). */
  z.object({ when: z.literal("cadence_completed"), engaged: z.boolean().optional() }),
]);
export type RoutingCondition = z.infer<typeof RoutingConditionSchema>;

export const RoutingRuleSchema = z.object({
  id: SequenceIdSchema,
  if: RoutingConditionSchema,
  /** The cadence (a sequence id) the rule moves the lead to. */
  cadence: SequenceIdSchema,
  /** Only a lead in one of these cadences moves; `none` is a lead in no cadence. Absent: any but the target. */
  from: z
    .array(z.union([SequenceIdSchema, z.literal("none")]))
    .max(20)
    .optional(),
  /** Why, in the owner's words: shown on the lead's timeline with the switch. */
  reason: z.string().trim().min(1).max(200),
});
export type RoutingRule = z.infer<typeof RoutingRuleSchema>;

export const RoutingSchema = z.object({ rules: z.array(RoutingRuleSchema).max(30) }).superRefine((routing, ctx) => {
  const ids = routing.rules.map((r) => r.id);
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) ctx.addIssue({ code: "custom", message: `rule id "${id}" is used twice`, path: ["rules", i, "id"] });
  });
});
export type Routing = z.infer<typeof RoutingSchema>;

/** A stored version; version 0 is the preset below. */
export const RoutingVersionSchema = z.object({ version: z.number().int().min(0), routing: RoutingSchema });
export type RoutingVersion = z.infer<typeof RoutingVersionSchema>;

/**
 * The intent stages of the playbook. Order matters: a finished demo outranks a hot score,
 * a hot score outranks a title, and every cadence that ends without a booking falls into
 * the monthly nurture.
 */
export const PRESET_ROUTING: RoutingVersion = {
  version: 0,
  routing: RoutingSchema.parse({
    rules: [
      { id: "post-demo", if: { when: "demo_idle", days: 5 }, cadence: "post-demo", reason: "the demo took place and nothing followed for 5 days" },
      { id: "hot", if: { when: "score_at_least", score: 70 }, cadence: "hot", from: ["new-inquiry", "warm", "nurture", "cold-reactivation", "none"], reason: "score over 70" },
      {
        id: "enterprise",
        if: { when: "title", seniority: ["c_level", "vp"] },
        cadence: "enterprise",
        from: ["new-inquiry", "warm", "nurture"],
        reason: "a decision-maker's title: the long enterprise cycle",
      },
      {
        id: "cold-reactivation",
        if: { when: "returned_after_silence", days: 60 },
        cadence: "cold-reactivation",
        from: ["nurture", "new-inquiry", "warm", "none"],
        reason: "back on the site after 60+ days of silence",
      },
      { id: "warm", if: { when: "score_at_least", score: 40 }, cadence: "warm", from: ["nurture", "cold-reactivation"], reason: "engaging again: score over 40" },
      {
        id: "nurture",
        if: { when: "cadence_completed" },
        cadence: "nurture",
        from: ["new-inquiry", "hot", "warm", "cold-reactivation", "post-demo"],
        reason: "the cadence ended without a booking: the monthly nurture",
      },
    ],
  }),
};
