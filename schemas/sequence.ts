import { z } from "zod";
import { KnowledgeKindSchema } from "./knowledge";
import { MessageChannelSchema, PurposeSchema } from "./lead";

/**
 * A sequence is data: an owner writes it as JSON, the API validates it with these schemas,
 * D1 keeps every version, and a lead runs the version it was enrolled with.
 */

const SlugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "use 1–63 lowercase letters, digits or dashes");
export const SequenceIdSchema = SlugSchema;
export const StepIdSchema = SlugSchema;

/** `task` creates a to-do for a rep instead of sending anything. */
export const ChannelSchema = MessageChannelSchema;
export type Channel = z.infer<typeof ChannelSchema>;
export const StepChannelSchema = z.enum(["email", "sms", "whatsapp", "task"]);

export const IntentSchema = z.enum([
  "acknowledge",
  "value",
  "proof",
  "objection",
  "booking_ask",
  "alternative",
  "breakup",
  "nurture",
  "insight",
  "update",
  "event",
  "site_return",
  "rep_task",
]);
export type Intent = z.infer<typeof IntentSchema>;

/** Merge fields a template may use, written `{{firstName|there}}` (the part after `|` is the fallback). */
export const MERGE_FIELDS = ["firstName", "lastName", "name", "company", "title", "source", "senderName", "senderCompany", "bookingUrl", "siteUrl"] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

const MERGE_PATTERN = /\{\{\s*([^}|]*?)\s*(?:\|([^}]*))?\}\}/g;

/** Every `{{…}}` in a text names a known merge field. */
const templated = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .superRefine((text, ctx) => {
      for (const [, field] of text.matchAll(MERGE_PATTERN)) {
        if (!(MERGE_FIELDS as readonly string[]).includes(field!)) {
          ctx.addIssue({ code: "custom", message: `unknown merge field "${field}"; use one of ${MERGE_FIELDS.join(", ")}` });
        }
      }
    });

export { MERGE_PATTERN };

/** An email's words. Without a subject it continues the thread of the enrolment's previous email. */
export const EmailTemplateSchema = z.object({ subject: templated(200).optional(), body: templated(10_000) });
export type EmailTemplate = z.infer<typeof EmailTemplateSchema>;

export const SmsTemplateSchema = z.object({ text: templated(640) });

/** WhatsApp free text, which may go only inside the 24 hours after the lead's last WhatsApp message. */
export const WhatsappTextSchema = z.object({ text: templated(1600) });

/**
 * An approved WhatsApp template (Twilio Content Template Builder): its Content SID and the
 * value of each numbered variable, written with merge fields like any template. Outside the
 * 24-hour window it is the only thing WhatsApp lets a business send.
 */
export const WhatsappTemplateSchema = z.object({
  contentSid: z.string().regex(/^HX[0-9a-fA-F]{32}$/, "a Content SID is HX followed by 32 hex digits (Twilio Content Template Builder)"),
  variables: z
    .record(z.string(), templated(1024))
    .superRefine((variables, ctx) => {
      const names = Object.keys(variables);
      if (names.length > 20) ctx.addIssue({ code: "custom", message: "at most 20 variables" });
      for (const name of names.filter((n) => !/^[1-9]\d?$/.test(n))) {
        ctx.addIssue({ code: "custom", path: [name], message: `variable "${name}": variables are numbered 1 to 99, as the template writes {{1}}` });
      }
    })
    .default({}),
});
export type WhatsappTemplate = z.infer<typeof WhatsappTemplateSchema>;

/** Waits add calendar days in the lead's own timezone (so DST never shifts a touch an hour) plus hours. */
export const WaitSchema = z
  .object({
    days: z.number().min(0).max(365).default(0),
    hours: z
      .number()
      .min(0)
      .max(24 * 30)
      .default(0),
  })
  .default({ days: 0, hours: 0 });
export type Wait = z.infer<typeof WaitSchema>;

/** What the lead did (human signals only) since the previous step, or since enrolment. */
export const ConditionSchema = z.object({
  signal: z.enum(["opened", "clicked", "visited", "replied", "engaged", "nothing"]),
  /** Negates the condition: `{ signal: "opened", not: true }` is "did not open". */
  not: z.boolean().default(false),
  /** For `opened`/`clicked`: only the email of this step counts. */
  step: StepIdSchema.optional(),
  /** For `visited`: only pages of this class (see the site's page rules). */
  pageClass: z.string().min(1).max(50).optional(),
  since: z.enum(["previous_step", "enrolment"]).default("previous_step"),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const BranchActionSchema = z.discriminatedUnion("do", [
  z.object({ do: z.literal("send") }),
  z.object({ do: z.literal("skip") }),
  /** Send that step now instead, and carry on after it. */
  z.object({ do: z.literal("goto"), step: StepIdSchema }),
  /** Send that step's email again as a new thread with a new subject, then carry on. */
  z.object({ do: z.literal("resend"), step: StepIdSchema, subject: templated(200) }),
  /** End this enrolment and enrol the lead in another sequence. */
  z.object({ do: z.literal("enrol"), sequence: SequenceIdSchema }),
  z.object({ do: z.literal("complete") }),
]);
export type BranchAction = z.infer<typeof BranchActionSchema>;

export const BranchSchema = z.object({ if: ConditionSchema, then: BranchActionSchema });

export const StepSchema = z
  .object({
    id: StepIdSchema,
    intent: IntentSchema,
    channels: z.array(StepChannelSchema).min(1).max(3),
    wait: WaitSchema,
    /** Email goes out at once, whatever the sending window: the lead has just asked. SMS still keeps quiet hours. */
    instant: z.boolean().default(false),
    /** Wait for the lead's peak engagement hour when there is enough data (send-time optimisation). */
    atPeakHour: z.boolean().default(false),
    email: EmailTemplateSchema.optional(),
    /** The other angle, used when the lead ignored the last emails (see rules.silentUsesAlternative). */
    alternative: EmailTemplateSchema.optional(),
    /** Emails matched to where the lead came from (its source, UTM tags or landing page: engine/sequence/source-match.ts), instead of `email`. */
    bySource: z.record(z.string().min(1).max(100), EmailTemplateSchema).optional(),
    /** The text for an `sms` channel; on an email-only step, the SMS path for a lead that cannot be emailed (no address, or it bounced). */
    sms: SmsTemplateSchema.optional(),
    /** The free text for a `whatsapp` channel inside the 24-hour window. */
    whatsapp: WhatsappTextSchema.optional(),
    /** The approved template a `whatsapp` channel sends outside the 24-hour window (without one, the touch is not sent there). */
    whatsappTemplate: WhatsappTemplateSchema.optional(),
    /** The knowledge the step rests on: drafts of it are grounded first in the owner's best passage of this kind (see docs/drafting.md). */
    knowledge: KnowledgeKindSchema.optional(),
    task: z.object({ note: templated(1000) }).optional(),
    /** The first branch whose condition holds decides; none → the step is sent as written. */
    branches: z.array(BranchSchema).max(10).default([]),
  })
  .superRefine((step, ctx) => {
    if (new Set(step.channels).size !== step.channels.length) ctx.addIssue({ code: "custom", message: "a channel is listed twice", path: ["channels"] });
    for (const channel of step.channels) {
      if (channel === "whatsapp") {
        if (!step.whatsapp && !step.whatsappTemplate)
          ctx.addIssue({ code: "custom", message: 'a whatsapp step needs its "whatsapp" text, its "whatsappTemplate", or both', path: [channel] });
        continue;
      }
      const template = channel === "email" ? step.email : channel === "sms" ? step.sms : step.task;
      if (!template) ctx.addIssue({ code: "custom", message: `a ${channel} step needs its "${channel}" template`, path: [channel] });
    }
  });
export type Step = z.infer<typeof StepSchema>;

const TimeOfDaySchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "use HH:MM, 24-hour");

/** When touches may go out, in the lead's own timezone. Days are ISO weekdays (1 = Monday). */
export const SendingWindowSchema = z
  .object({
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7).default([1, 2, 3, 4, 5]),
    start: TimeOfDaySchema.default("09:00"),
    end: TimeOfDaySchema.default("17:00"),
  })
  .refine((w) => w.start < w.end, "the window must start before it ends")
  .default({ days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" });
export type SendingWindow = z.infer<typeof SendingWindowSchema>;

/** The rules that bend timing; each works on human signals only. */
export const RulesSchema = z
  .object({
    /** A human open pulls the next touch sooner: its remaining wait shrinks to `keepFraction`, never closer than `minHours`. */
    openedSooner: z
      .object({ enabled: z.boolean().default(true), keepFraction: z.number().min(0).max(1).default(0.5), minHours: z.number().min(0).max(720).default(12) })
      .default({ enabled: true, keepFraction: 0.5, minHours: 12 }),
    /** A human click jumps to the sequence's next booking ask, `afterHours` later. */
    clickedToBookingAsk: z.object({ enabled: z.boolean().default(true), afterHours: z.number().min(0).max(720).default(2) }).default({ enabled: true, afterHours: 2 }),
    /** After this many emails without a human open or click, steps use their alternative angle. */
    silentUsesAlternative: z.object({ enabled: z.boolean().default(true), afterEmails: z.number().int().min(1).max(10).default(2) }).default({ enabled: true, afterEmails: 2 }),
    /** Send-time optimisation: touches marked `atPeakHour` wait for the lead's most active hour. */
    peakHour: z.object({ enabled: z.boolean().default(true), minSignals: z.number().int().min(1).max(100).default(3) }).default({ enabled: true, minSignals: 3 }),
  })
  .default({
    openedSooner: { enabled: true, keepFraction: 0.5, minHours: 12 },
    clickedToBookingAsk: { enabled: true, afterHours: 2 },
    silentUsesAlternative: { enabled: true, afterEmails: 2 },
    peakHour: { enabled: true, minSignals: 3 },
  });
export type Rules = z.infer<typeof RulesSchema>;

/**
 * How the model's drafts are used. `auto` sends drafts that pass the guardrails; `review`
 * holds them for the owner, and what is not reviewed by its due time goes out as the
 * template (or waits, with `unreviewed: "hold"`); `off` sends templates only.
 */
export const DraftingSchema = z
  .object({ mode: z.enum(["auto", "review", "off"]).default("review"), unreviewed: z.enum(["template", "hold"]).default("template") })
  .default({ mode: "review", unreviewed: "template" });
export type Drafting = z.infer<typeof DraftingSchema>;

export const SequenceSchema = z
  .object({
    id: SequenceIdSchema,
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    /** `marketing` (nurture, reactivation) runs only for a lead who gave consent; answering an `inquiry` needs none. */
    purpose: PurposeSchema.default("inquiry"),
    steps: z.array(StepSchema).min(1).max(50),
    window: SendingWindowSchema,
    rules: RulesSchema,
    drafting: DraftingSchema,
  })
  .superRefine((sequence, ctx) => {
    const ids = sequence.steps.map((s) => s.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: "custom", message: `step id "${id}" is used twice`, path: ["steps", i, "id"] });
    });
    sequence.steps.forEach((step, i) => {
      step.branches.forEach((branch, b) => {
        const target = "step" in branch.then ? branch.then.step : branch.if.step;
        if (target !== undefined && !ids.includes(target)) {
          ctx.addIssue({ code: "custom", message: `no step "${target}" in this sequence`, path: ["steps", i, "branches", b] });
        }
        if (branch.then.do === "resend") {
          const resent = sequence.steps.find((s) => s.id === (branch.then as { step: string }).step);
          if (resent && !resent.channels.includes("email")) {
            ctx.addIssue({ code: "custom", message: `step "${resent.id}" has no email to resend`, path: ["steps", i, "branches", b] });
          }
        }
      });
    });
  });
export type Sequence = z.infer<typeof SequenceSchema>;
export type SequenceInput = z.input<typeof SequenceSchema>;

/** A stored version: what a lead is enrolled with and keeps. Version 0 is a built-in preset. */
export const SequenceVersionSchema = z.object({ id: SequenceIdSchema, version: z.number().int().min(0), sequence: SequenceSchema });
export type SequenceVersion = z.infer<typeof SequenceVersionSchema>;
