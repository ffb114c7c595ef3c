import { z } from "zod";

/** A lead id is the first 128 bits of an HMAC of its contact, hex encoded. */
export const LeadIdSchema = z.string().regex(/^[0-9a-f]{32}$/, "not a lead id");
export type LeadId = z.infer<typeof LeadIdSchema>;

export const LeadStatusSchema = z.enum(["new", "active", "paused", "replied", "booked", "unsubscribed", "completed"]);
export type LeadStatus = z.infer<typeof LeadStatusSchema>;

/** What the lead told us about themselves; every field optional because forms differ. */
export const LeadProfileSchema = z.object({
  email: z.string().optional(),
  phone: z.string().optional(),
  name: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  company: z.string().optional(),
  title: z.string().optional(),
  timezone: z.string().optional(),
  source: z.string().optional(),
});
export type LeadProfile = z.infer<typeof LeadProfileSchema>;

export const ConsentRecordSchema = z.object({
  granted: z.boolean(),
  at: z.number(),
  formId: z.string(),
  page: z.string().optional(),
});
export type ConsentRecord = z.infer<typeof ConsentRecordSchema>;

export const CustomFieldValueSchema = z.union([z.string(), z.array(z.string())]);

/** One form post, validated and normalised by the Worker before it reaches the lead. */
export const SubmissionSchema = z.object({
  formId: z.string(),
  receivedAt: z.number(),
  profile: LeadProfileSchema,
  message: z.string().optional(),
  consent: z.object({ email: z.boolean().optional(), sms: z.boolean().optional() }),
  utm: z.record(z.string(), z.string()),
  custom: z.record(z.string(), CustomFieldValueSchema),
  page: z.string().optional(),
});
export type Submission = z.infer<typeof SubmissionSchema>;

export const TimelineEntrySchema = z.discriminatedUnion("kind", [
  z.object({ seq: z.number(), at: z.number(), kind: z.literal("form_submitted"), submission: SubmissionSchema }),
]);
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

/** Everything the owner API shows about one lead. */
export const LeadSummarySchema = z.object({
  id: LeadIdSchema,
  status: LeadStatusSchema,
  score: z.number(),
  profile: LeadProfileSchema,
  consent: z.object({ email: ConsentRecordSchema.optional(), sms: ConsentRecordSchema.optional() }),
  createdAt: z.number(),
  lastActivityAt: z.number(),
  timeline: z.array(TimelineEntrySchema),
});
export type LeadSummary = z.infer<typeof LeadSummarySchema>;
