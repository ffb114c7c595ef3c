import { z } from "zod";
import { TimezoneSourceSchema } from "./time-zone";
import { RaisedObjectionSchema, ReplyJudgementSchema } from "./reply-judgement";

// The reply vocabulary has its own module; readers keep importing it from here.
export * from "./reply-judgement";

/** A lead id is the first 128 bits of an HMAC of its contact, hex encoded. */
export const LeadIdSchema = z.string().regex(/^[0-9a-f]{32}$/, "not a lead id");
export type LeadId = z.infer<typeof LeadIdSchema>;

/** A signal's verdict: a person, a privacy proxy's prefetch, or a scanner/crawler. */
export const VerdictSchema = z.enum(["human", "auto", "machine"]);
export type Verdict = z.infer<typeof VerdictSchema>;

/** `with_rep`: handed off to a person, automation paused until the rep resumes, returns or completes it. */
export const LeadStatusSchema = z.enum(["new", "active", "paused", "replied", "with_rep", "booked", "unsubscribed", "completed"]);
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

/**
 * Why the business may contact the lead: its `consent`, or its `legitimate_interest` in
 * answering the inquiry the person sent (which covers that answer, never marketing).
 */
export const LawfulBasisSchema = z.enum(["consent", "legitimate_interest"]);
export type LawfulBasis = z.infer<typeof LawfulBasisSchema>;

/** What a sequence is for: answering the person's inquiry, or marketing (nurture, reactivation), which needs consent. */
export const PurposeSchema = z.enum(["inquiry", "marketing"]);
export type Purpose = z.infer<typeof PurposeSchema>;

/** The channels a touch can go on; each has its own consent and suppression list. */
export const MessageChannelSchema = z.enum(["email", "sms", "whatsapp"]);
export type MessageChannel = z.infer<typeof MessageChannelSchema>;

/** The channels a person texts us on: each is addressed by phone, reads STOP, START and HELP, and keeps quiet hours. */
export const TextChannelSchema = z.enum(["sms", "whatsapp"]);
export type TextChannel = z.infer<typeof TextChannelSchema>;
export const isTextChannel = (channel: string): channel is TextChannel => TextChannelSchema.safeParse(channel).success;

/** The basis recorded for contacting the lead on one channel for one purpose, from the form that established it. */
export const LawfulBasisRecordSchema = z.object({
  channel: MessageChannelSchema,
  purpose: PurposeSchema,
  basis: LawfulBasisSchema,
  formId: z.string(),
  at: z.number(),
});
export type LawfulBasisRecord = z.infer<typeof LawfulBasisRecordSchema>;

/** How consent was given or withdrawn. */
export const ConsentMethodSchema = z.enum([
  "form",
  "unsubscribe_link",
  "one_click",
  "owner",
  "reply",
  "sms_stop",
  "sms_start",
  "whatsapp_stop",
  "whatsapp_start",
  "chat",
  "complaint",
  "confirmed_link",
]);
export type ConsentMethod = z.infer<typeof ConsentMethodSchema>;

/** One channel's consent: granted or withdrawn, when, how, with which words, on which page. */
export const ConsentRecordSchema = z.object({
  granted: z.boolean(),
  at: z.number(),
  method: ConsentMethodSchema.default("form"),
  formId: z.string().optional(),
  /** The checkbox's label as the form showed it. */
  wording: z.string().optional(),
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
  consent: z.object({ email: z.boolean().optional(), sms: z.boolean().optional(), whatsapp: z.boolean().optional() }),
  /** The consent checkboxes' wording, from the form's configuration. */
  consentWording: z.object({ email: z.string().optional(), sms: z.string().optional(), whatsapp: z.string().optional() }).optional(),
  /** The form's declared basis; absent on posts from before forms declared one (legitimate interest). */
  lawfulBasis: LawfulBasisSchema.optional(),
  utm: z.record(z.string(), z.string()),
  custom: z.record(z.string(), CustomFieldValueSchema),
  page: z.string().optional(),
  /** The edge's guess of the lead's zone from the posting browser's address; never set for an API client's post. */
  edgeTimezone: z.string().optional(),
  /** A row of the owner's CSV import, not a post by the person: it adds the lead but scores nothing. */
  imported: z.literal(true).optional(),
});
export type Submission = z.infer<typeof SubmissionSchema>;

const judged = { verdict: VerdictSchema, reason: z.string() };
const entry = { seq: z.number(), at: z.number() };
const enrolment = { enrolmentId: z.string(), sequenceId: z.string() };
/** One delivery of a step on one channel; `key` is also its idempotency key and tracking message id. */
const touch = { ...enrolment, stepId: z.string(), intent: z.string(), channel: MessageChannelSchema, key: z.string() };

/**
 * A WhatsApp template as sent: the approved template's Content SID and its variables,
 * rendered from the lead's merge values (Twilio's `ContentSid` and `ContentVariables`).
 */
export const SentWhatsappTemplateSchema = z.object({ contentSid: z.string(), variables: z.record(z.string(), z.string()) });
export type SentWhatsappTemplate = z.infer<typeof SentWhatsappTemplateSchema>;

/** One day of a sending address: which (1 on its first send's day), its cap, and how many days its warm-up lasts. */
export const SendingDaySchema = z.object({ day: z.number(), limit: z.number(), warmupDays: z.number() });
export type SendingDay = z.infer<typeof SendingDaySchema>;

export const EnrolReasonSchema = z.enum(["form", "api", "reactivation", "branch", "routing"]);
export type EnrolReason = z.infer<typeof EnrolReasonSchema>;

/** Which words went out: the step's template, its alternative angle, its by-source variant, or a resend. */
export const TouchVariantSchema = z.enum(["template", "alternative", "by_source", "resend"]);
export type TouchVariant = z.infer<typeof TouchVariantSchema>;

/** Whose words went out: the template as rendered, a draft as made, or a draft the owner edited. */
export const TouchOriginSchema = z.enum(["template", "ai_draft", "edited_draft"]);
export type TouchOrigin = z.infer<typeof TouchOriginSchema>;

/** Who made a draft: the language model, or the deterministic drafter where none is bound. */
export const DrafterSchema = z.enum(["model", "rules"]);
export type Drafter = z.infer<typeof DrafterSchema>;

/** What the owner or a rep decides: pause the automation, resume it, return the lead to nurture, or complete it. */
export const RepActionSchema = z.enum(["pause", "resume", "return", "complete"]);
export type RepAction = z.infer<typeof RepActionSchema>;

export const TimelineEntrySchema = z.discriminatedUnion("kind", [
  z.object({ ...entry, kind: z.literal("form_submitted"), submission: SubmissionSchema }),
  z.object({
    ...entry,
    kind: z.literal("email_opened"),
    messageId: z.string(),
    /** The first human open of this message. */
    first: z.boolean(),
    userAgent: z.string(),
    ...judged,
  }),
  z.object({
    ...entry,
    kind: z.literal("link_clicked"),
    messageId: z.string(),
    linkIndex: z.number(),
    url: z.string(),
    userAgent: z.string(),
    ...judged,
  }),
  z.object({
    ...entry,
    kind: z.literal("page_viewed"),
    pageViewId: z.string(),
    url: z.string(),
    pageClass: z.string().nullable(),
    title: z.string().optional(),
    referrer: z.string().optional(),
    ...judged,
  }),
  z.object({
    ...entry,
    kind: z.literal("page_left"),
    pageViewId: z.string(),
    /** Engaged time as counted: capped per page view and per day. */
    engagedMs: z.number(),
    /** What the beacon reported, when it was more than counts. */
    reportedMs: z.number().optional(),
  }),
  z.object({ ...entry, kind: z.literal("enrolled"), ...enrolment, version: z.number(), reason: EnrolReasonSchema }),
  /** A sequence the lead may not be enrolled in (marketing without consent): nothing of it runs. */
  z.object({ ...entry, kind: z.literal("enrolment_refused"), sequenceId: z.string(), reason: z.string() }),
  z.object({ ...entry, kind: z.literal("enrolment_ended"), ...enrolment, outcome: z.enum(["completed", "moved", "paused", "booked", "unsubscribed"]), reason: z.string() }),
  z.object({ ...entry, kind: z.literal("step_branched"), ...enrolment, stepId: z.string(), condition: z.string(), action: z.string() }),
  /** Intent-stage routing moved the lead from one cadence (`none`: it was in none) to another. */
  z.object({ ...entry, kind: z.literal("cadence_switched"), from: z.string(), to: z.string(), rule: z.string(), reason: z.string() }),
  z.object({ ...entry, kind: z.literal("timing_changed"), ...enrolment, stepId: z.string(), from: z.number(), to: z.number(), reason: z.string() }),
  z.object({
    ...entry,
    kind: z.literal("touch_sent"),
    ...touch,
    to: z.string(),
    subject: z.string().optional(),
    text: z.string(),
    messageId: z.string(),
    /** The provider's own id for the message (Resend's `email_id`), which its delivery webhooks name. */
    providerId: z.string().optional(),
    variant: TouchVariantSchema,
    /** Absent on touches sent before drafting existed: those were templates. */
    origin: TouchOriginSchema.optional(),
    draftedBy: DrafterSchema.optional(),
    /** A WhatsApp touch sent outside the 24-hour window: the approved template that went instead of free text. */
    template: SentWhatsappTemplateSchema.optional(),
  }),
  z.object({ ...entry, kind: z.literal("touch_failed"), ...touch, reason: z.string(), permanent: z.boolean(), retryAt: z.number().optional() }),
  z.object({ ...entry, kind: z.literal("touch_skipped"), ...enrolment, stepId: z.string(), channel: z.string().optional(), reason: z.string() }),
  /** The sending address's daily cap (`cap`, the day that held it) moved the touch to a later day: it goes `until` then. */
  z.object({ ...entry, kind: z.literal("touch_deferred"), ...touch, until: z.number(), reason: z.string(), cap: SendingDaySchema }),
  /** A step waits for the owner's review of its draft (the sequence's `unreviewed: "hold"`). */
  z.object({ ...entry, kind: z.literal("touch_held"), ...enrolment, stepId: z.string(), reason: z.string() }),
  z.object({ ...entry, kind: z.literal("draft_reviewed"), ...enrolment, stepId: z.string(), decision: z.enum(["approve", "edit", "reject"]) }),
  z.object({ ...entry, kind: z.literal("task_created"), ...enrolment, stepId: z.string(), note: z.string() }),
  z.object({
    ...entry,
    kind: z.literal("reply_received"),
    messageKey: z.string().optional(),
    /** The touch the reply answers (the one its In-Reply-To or References name, else the latest on its channel): per-step stats credit it. */
    touchKey: z.string().optional(),
    text: z.string().optional(),
    channel: MessageChannelSchema.optional(),
    /** Absent on replies recorded before judgements were: those had at most an intent and a confidence. */
    ...ReplyJudgementSchema.partial().shape,
    /** What proved the message is the lead's; absent on replies recorded before proof was asked for. */
    evidence: z.string().optional(),
  }),
  z.object({ ...entry, kind: z.literal("auto_reply_received"), returnDate: z.string().optional(), until: z.number() }),
  /** The recipient's server accepted the touch (the provider's delivery event). */
  z.object({ ...entry, kind: z.literal("touch_delivered"), key: z.string(), messageId: z.string(), detail: z.string() }),
  /** The recipient's server refused the touch for now; the provider retries it (not a bounce: nothing counts toward the soft limit). */
  z.object({ ...entry, kind: z.literal("touch_deferred_by_provider"), key: z.string(), messageId: z.string(), detail: z.string() }),
  z.object({
    ...entry,
    kind: z.literal("bounced"),
    bounceType: z.enum(["hard", "soft"]),
    address: z.string(),
    status: z.string().optional(),
    diagnostic: z.string(),
    suppressed: z.boolean(),
    evidence: z.string().optional(),
  }),
  /** A "not now" holds the lead's automation until `until` (the day the reply named, or the default hold). */
  z.object({ ...entry, kind: z.literal("lead_held"), until: z.number(), reason: z.string() }),
  z.object({ ...entry, kind: z.literal("automation_resumed"), reason: z.string() }),
  /** A withdrawn consent granted again: SMS START, the owner's undo, or the address's owner confirming a signed link. */
  z.object({ ...entry, kind: z.literal("resubscribed"), channel: MessageChannelSchema, method: ConsentMethodSchema, evidence: z.string().optional() }),
  /**
   * A form post came in for an address that unsubscribed: one confirmation email went (or
   * goes) to the address, at most once per 30 days; only its signed link grants consent again.
   */
  z.object({ ...entry, kind: z.literal("reconsent_requested"), channel: z.literal("email"), formId: z.string() }),
  /**
   * A later form post (anyone can make one) asked to change what the lead had established —
   * a known profile field or a recorded consent — and the lead kept it. The post itself is
   * on the timeline as `form_submitted`; this is the evidence of what it did not change.
   */
  z.object({
    ...entry,
    kind: z.literal("change_refused"),
    formId: z.string(),
    /** Profile fields the post gave other values for. */
    fields: z.array(z.string()),
    /** Consents the post answered otherwise than the lead's record, which stands. */
    consent: z.array(z.object({ channel: MessageChannelSchema, asked: z.boolean(), kept: ConsentRecordSchema })),
    reason: z.string(),
  }),
  /** The lead raised an objection (the hand-off's `objection_unresolved` waits for it to go unanswered). */
  z.object({ ...entry, kind: z.literal("objection_raised"), ...RaisedObjectionSchema.omit({ seq: true, at: true }).shape }),
  z.object({ ...entry, kind: z.literal("booked"), source: z.string() }),
  z.object({ ...entry, kind: z.literal("unsubscribed"), channel: MessageChannelSchema, method: ConsentMethodSchema, evidence: z.string().optional() }),
  z.object({ ...entry, kind: z.literal("handed_off"), trigger: z.string(), reason: z.string(), score: z.number() }),
  z.object({ ...entry, kind: z.literal("rep_action"), action: RepActionSchema, note: z.string().optional() }),
  /** One message of a site chat: the visitor's (a human signal), the assistant's, or a rep's. */
  z.object({
    ...entry,
    kind: z.literal("chat_message"),
    from: z.enum(["visitor", "assistant", "rep"]),
    text: z.string(),
    siteOrigin: z.string(),
    conversationId: z.string(),
    /**
     * How the chat knew the visitor's words were the lead's (absent on our side: assistant and rep):
     * a click `ticket`; `chat`: the lead was created in this chat; `form`: a form post linked the
     * browser (anyone's claim); `none`: words from before the visitor was a lead.
     */
    proof: z.enum(["ticket", "chat", "form", "none"]).optional(),
  }),
  // An effect (send, enrolment, alert, suppression, hand-off, draft, projection) that kept failing and was given up.
  z.object({ ...entry, kind: z.literal("effect_failed"), effect: z.string(), attempts: z.number(), reason: z.string() }),
]);
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

const VerdictCountsSchema = z.object({ human: z.number(), auto: z.number(), machine: z.number() });

/** What the lead did, by verdict; only human signals drive rules, scores and stats. */
export const EngagementSchema = z.object({
  opens: VerdictCountsSchema,
  clicks: VerdictCountsSchema,
  pageViews: VerdictCountsSchema,
  /** Human page visits, newest last (bounded), with engaged time once the page was left. */
  visits: z.array(z.object({ pageViewId: z.string(), at: z.number(), pageClass: z.string().nullable(), engagedMs: z.number() })),
  /** Messages with a human open. */
  openedMessages: z.array(z.string()),
});
export type Engagement = z.infer<typeof EngagementSchema>;

/** Everything the owner API shows about one lead. */
export const LeadSummarySchema = z.object({
  id: LeadIdSchema,
  status: LeadStatusSchema,
  score: z.number(),
  profile: LeadProfileSchema,
  consent: z.object({ email: ConsentRecordSchema.optional(), sms: ConsentRecordSchema.optional(), whatsapp: ConsentRecordSchema.optional() }),
  /** When the lead last wrote on WhatsApp: free text may go until 24 hours after it, templates only otherwise. */
  whatsappInboundAt: z.number().optional(),
  /** Why the lead may be contacted, per channel and purpose. */
  lawfulBasis: z.array(LawfulBasisRecordSchema),
  createdAt: z.number(),
  lastActivityAt: z.number(),
  engagement: EngagementSchema,
  /** "unknown" when every open so far came from a privacy proxy. */
  opened: z.enum(["yes", "no", "unknown"]),
  /** The IANA zone its touches are timed in. */
  timezone: z.string(),
  /** Where that zone came from; absent for a lead stored before it was recorded. */
  timezoneSource: TimezoneSourceSchema.optional(),
  /** Every zone its SMS keeps quiet hours in, when that is more than its own. */
  smsTimezones: z.array(z.string()).optional(),
  enrolments: z.array(
    z.object({
      id: z.string(),
      sequenceId: z.string(),
      version: z.number(),
      status: z.enum(["active", "paused", "completed", "ended"]),
      startedAt: z.number(),
      next: z.object({ stepId: z.string(), dueAt: z.number() }).optional(),
    }),
  ),
  scoreFactors: z.array(z.object({ signal: z.string(), points: z.number(), count: z.number() })),
  handOffs: z.array(z.object({ trigger: z.string(), reason: z.string(), at: z.number() })),
  /** Drafts of the next steps, with where each stands (requested, ready, approved, edited, rejected, failed). */
  drafts: z.array(
    z.object({
      enrolmentId: z.string(),
      stepId: z.string(),
      status: z.enum(["requested", "ready", "approved", "edited", "rejected", "failed"]),
      by: DrafterSchema.optional(),
      content: z.object({ subject: z.string().optional(), body: z.string().optional(), sms: z.string().optional() }).optional(),
      notes: z.array(z.string()).optional(),
    }),
  ),
  /** Touches rendered and waiting for their time or their channel. */
  pendingTouches: z.array(z.object({ key: z.string(), stepId: z.string(), channel: MessageChannelSchema, dueAt: z.number(), attempts: z.number() })),
  timeline: z.array(TimelineEntrySchema),
});
export type LeadSummary = z.infer<typeof LeadSummarySchema>;
