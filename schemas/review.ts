import { z } from "zod";

/** An enrolment's id within its lead (`e` and the timeline number that started it). */
export const EnrolmentIdSchema = z.string().regex(/^e\d{1,9}$/, "an enrolment id from the review queue");

/**
 * The owner's decision on a draft waiting for review. `edit` carries the owner's words for
 * the channels they changed; what they leave out keeps the draft's.
 */
export const ReviewDecisionSchema = z
  .object({
    stepId: z.string().min(1).max(63),
    decision: z.enum(["approve", "edit", "reject"]),
    subject: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[^\r\n]*$/, "a subject is one line")
      .optional(),
    body: z.string().trim().min(1).max(10_000).optional(),
    sms: z.string().trim().min(1).max(640).optional(),
  })
  .refine((r) => r.decision !== "edit" || r.subject !== undefined || r.body !== undefined || r.sms !== undefined, "an edit needs the new subject, body or SMS text")
  .refine((r) => r.decision === "edit" || (r.subject === undefined && r.body === undefined && r.sms === undefined), "only an edit carries words");
export type ReviewDecision = z.infer<typeof ReviewDecisionSchema>;
