import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { FormConfig } from "./form";
import type { Sequence } from "./sequence";
import type { Routing } from "./routing";
import type { ChatSettings } from "./chat";

/**
 * D1 holds what spans leads. Every lead row here is a projection written by its
 * LeadObject, which stays the authority: these rows can always be rebuilt from it.
 */

export const forms = sqliteTable("forms", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  thankYouUrl: text("thank_you_url").notNull(),
  /** JSON array of origins allowed to post cross-site; `"*"` allows any. */
  allowedOrigins: text("allowed_origins", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
  defaultSource: text("default_source").notNull(),
  honeypotField: text("honeypot_field").notNull(),
  /** The sequence a lead from this form enters; null runs none. */
  sequenceId: text("sequence_id").default("new-inquiry"),
  consent: text("consent", { mode: "json" }).$type<FormConfig["consent"]>().notNull().default(sql`'{}'`),
  /** JSON: false, true (the deployment's Turnstile keys) or `{ siteKey, secret? }`. */
  turnstile: text("turnstile", { mode: "json" }).$type<FormConfig["turnstile"]>().notNull().default(sql`'false'`),
  /** `consent` or `legitimate_interest` (answering the inquiry only). */
  lawfulBasis: text("lawful_basis", { enum: ["consent", "legitimate_interest"] })
    .notNull()
    .default("legitimate_interest"),
  /** `page`: a browser whose post needs fixing reads a page; `redirect`: it goes back to the form's page with the reasons. */
  validationErrors: text("validation_errors", { enum: ["page", "redirect"] })
    .notNull()
    .default("page"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * The lead row's columns that secondary indexes cover (below): the projection sets each apart
 * and writes it only when it differs, as SQLite rewrites an index entry whenever its column is
 * SET (lead-projection.ts).
 */
export const INDEXED_LEAD_COLUMNS = ["status", "email", "phone", "sequenceId"] as const;

export const leads = sqliteTable(
  "leads",
  {
    id: text("id").primaryKey(),
    email: text("email"),
    phone: text("phone"),
    name: text("name"),
    company: text("company"),
    title: text("title"),
    source: text("source").notNull(),
    status: text("status").notNull(),
    score: integer("score").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    lastActivityAt: integer("last_activity_at").notNull(),
    /** The object's state version this row reflects; older writes never overwrite newer ones. */
    version: integer("version").notNull(),
    /** The first sequence the lead ran, for per-sequence stats. */
    sequenceId: text("sequence_id"),
    /** Funnel milestones: the first time each happened (human signals only). */
    contactedAt: integer("contacted_at"),
    openedAt: integer("opened_at"),
    clickedAt: integer("clicked_at"),
    repliedAt: integer("replied_at"),
    bookedAt: integer("booked_at"),
    unsubscribedAt: integer("unsubscribed_at"),
    bouncedAt: integer("bounced_at"),
    opensHuman: integer("opens_human").notNull().default(0),
    opensAuto: integer("opens_auto").notNull().default(0),
    opensMachine: integer("opens_machine").notNull().default(0),
    /** The lead's first form post that was not an import: the first-run checklist's "a test lead received". */
    formPostedAt: integer("form_posted_at"),
  },
  (t) => [
    index("leads_created_idx").on(t.createdAt, t.id),
    index("leads_status_created_idx").on(t.status, t.createdAt, t.id),
    index("leads_email_idx").on(t.email),
    index("leads_phone_idx").on(t.phone),
    index("leads_sequence_created_idx").on(t.sequenceId, t.createdAt),
  ],
);

/**
 * The raw-event sink's local stand-in (services/event-log.ts): production writes raw events
 * to Workers Analytics Engine instead, and nothing reads this table across leads but the
 * data-rights export, erasure and retention. What spans leads lives on `leads`, `touches`
 * and the rollups.
 */
export const events = sqliteTable(
  "events",
  {
    /** `<leadId>:<timeline seq>`, so a re-projected event is written once. */
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull(),
    kind: text("kind").notNull(),
    at: integer("at").notNull(),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index("events_lead_at_idx").on(t.leadId, t.at)],
);

export type FormRow = typeof forms.$inferSelect;
export type LeadRow = typeof leads.$inferSelect;
export type EventRow = typeof events.$inferSelect;

/** Sites that run the snippet: allowed beacon origins and their page classification rules. */
export const sites = sqliteTable("sites", {
  origin: text("origin").primaryKey(),
  pageRules: text("page_rules", { mode: "json" }).$type<{ pattern: string; class: string }[]>().notNull(),
  /** `individual` ties page views to identified leads; `aggregate` only counts them. */
  tracking: text("tracking").$type<"individual" | "aggregate">().notNull().default("individual"),
  /** The site's chat settings; null: chat off. */
  chat: text("chat", { mode: "json" }).$type<ChatSettings>(),
  /** The first form post (not an import) from one of the site's pages: the first-run checklist's "a form on your site". */
  formPostedAt: integer("form_posted_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** A snippet visitor known to be a lead (from a click ticket or a form post). */
export const visitors = sqliteTable(
  "visitors",
  {
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull(),
    linkedAt: integer("linked_at").notNull(),
    /** `ticket`: a signed click ticket proved the link; `form`: a form post (anyone's) claimed it. Rows from before this column count as claims. */
    proof: text("proof").$type<"ticket" | "form">().notNull().default("form"),
  },
  (t) => [index("visitors_lead_idx").on(t.leadId)],
);

/** Every version of every owner sequence; a lead keeps the version it was enrolled with. */
export const sequences = sqliteTable(
  "sequences",
  {
    id: text("id").notNull(),
    version: integer("version").notNull(),
    document: text("document", { mode: "json" }).$type<Sequence>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.id, t.version] })],
);

/** Every version of the owner's intent-stage routing; a lead keeps the version it came in with. */
export const routingVersions = sqliteTable("routing_versions", {
  version: integer("version").primaryKey(),
  document: text("document", { mode: "json" }).$type<Routing>().notNull(),
  createdAt: integer("created_at").notNull(),
});

/**
 * Messages the local transport holds instead of sending (the default offline). The id is
 * the touch's idempotency key, so a retried send is stored once.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull(),
    channel: text("channel").notNull(),
    from: text("from").notNull(),
    to: text("to").notNull(),
    subject: text("subject"),
    text: text("text").notNull(),
    html: text("html"),
    headers: text("headers", { mode: "json" }).$type<Record<string, string>>().notNull(),
    messageId: text("message_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("outbox_created_idx").on(t.createdAt, t.id), index("outbox_lead_idx").on(t.leadId, t.createdAt)],
);

/**
 * Addresses that get nothing more, per channel: an email address, a whole domain written
 * `@example.com`, or an E.164 phone. Checked at the moment of every send.
 */
export const suppressions = sqliteTable(
  "suppressions",
  {
    channel: text("channel").notNull(),
    value: text("value").notNull(),
    reason: text("reason").notNull(),
    /** What proved it: a signed token, a verified bounce and the Message-ID it returned, the sender's DMARC pass, an owner action. Null on entries from before. */
    evidence: text("evidence"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.value] })],
);

export type OutboxRow = typeof outbox.$inferSelect;
export type SequenceRow = typeof sequences.$inferSelect;

/**
 * Every inbound email, kept so nothing is dropped silently: what it was, which lead it
 * resolved to (null when none), and what was done — for the owner's inbox view and audits.
 */
export const inboundMessages = sqliteTable(
  "inbound_messages",
  {
    id: text("id").primaryKey(),
    receivedAt: integer("received_at").notNull(),
    from: text("from_address"),
    to: text("to_address").notNull(),
    subject: text("subject").notNull(),
    kind: text("kind").notNull(),
    leadId: text("lead_id"),
    /** applied (the lead's object acted), unmatched (no lead), forwarded, or why not. */
    disposition: text("disposition").notNull(),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index("inbound_received_idx").on(t.receivedAt), index("inbound_lead_idx").on(t.leadId), index("inbound_from_idx").on(t.from)],
);

/**
 * The owner's knowledge base: case studies, pricing, FAQs, objection answers. Their text is
 * chunked into the `knowledge_chunks` full-text index (an FTS5 table made by a hand-written
 * migration: drizzle does not model virtual tables), which drafting retrieves from.
 */
export const knowledgeDocuments = sqliteTable("knowledge_documents", {
  id: text("id").primaryKey(),
  title: text("title").notNull(),
  kind: text("kind").notNull(),
  chunks: integer("chunks").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Page views of sites whose individual tracking is off: counts per day and page class, nobody's. */
export const sitePageCounts = sqliteTable(
  "site_page_counts",
  {
    origin: text("origin").notNull(),
    day: text("day").notNull(),
    pageClass: text("page_class").notNull(),
    views: integer("views").notNull(),
  },
  (t) => [primaryKey({ columns: [t.origin, t.day, t.pageClass] })],
);

/**
 * One row per touch that went out, kept current by the lead's projection: whose words it
 * carried and whether a person opened, clicked or replied to it. Per step, channel and
 * sequence stats read these rows, never the event log.
 */
export const touches = sqliteTable(
  "touches",
  {
    /** `<leadId>:<touch key>`. */
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull(),
    sequenceId: text("sequence_id").notNull(),
    stepId: text("step_id").notNull(),
    channel: text("channel").notNull(),
    /** template, ai_draft or edited_draft. */
    origin: text("origin").notNull(),
    draftedBy: text("drafted_by"),
    sentAt: integer("sent_at").notNull(),
    openedAt: integer("opened_at"),
    clickedAt: integer("clicked_at"),
    repliedAt: integer("replied_at"),
    /** When the provider reported the recipient's server accepted it (Email Service events); null where no provider reports. */
    deliveredAt: integer("delivered_at"),
    /** The Message-ID it went out with, as the transport gave it: a reply's In-Reply-To / References find the lead through it. Null on rows from before it was kept (none went out without one). */
    messageId: text("message_id"),
    /** The provider's own id for the message (Resend's `email_id`), which its delivery webhooks name. */
    providerId: text("provider_id"),
    /** The address it went to: a bounce must be about that address. */
    sentTo: text("sent_to"),
  },
  (t) => [
    index("touches_sent_idx").on(t.sentAt),
    index("touches_sequence_idx").on(t.sequenceId, t.sentAt),
    index("touches_message_id_idx").on(t.messageId).where(sql`${t.messageId} IS NOT NULL`),
    index("touches_provider_id_idx").on(t.providerId).where(sql`${t.providerId} IS NOT NULL`),
  ],
);

/** Drafts waiting for the owner's review, across leads; the lead's object stays the authority. */
export const reviewQueue = sqliteTable(
  "review_queue",
  {
    leadId: text("lead_id").notNull(),
    enrolmentId: text("enrolment_id").notNull(),
    sequenceId: text("sequence_id").notNull(),
    stepId: text("step_id").notNull(),
    intent: text("intent").notNull(),
    /** When the touch is due; unreviewed by then, it goes as the template or holds. */
    dueAt: integer("due_at").notNull(),
    held: integer("held", { mode: "boolean" }).notNull(),
    draft: text("draft", { mode: "json" }).$type<{ subject?: string; body?: string; sms?: string }>().notNull(),
    template: text("template", { mode: "json" }).$type<{ subject?: string; body?: string; sms?: string }>().notNull(),
    draftedBy: text("drafted_by").notNull(),
    predictedObjection: text("predicted_objection"),
    madeAt: integer("made_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.leadId, t.enrolmentId] }), index("review_due_idx").on(t.dueAt)],
);

export type TouchRow = typeof touches.$inferSelect;
export type ReviewRow = typeof reviewQueue.$inferSelect;

/** The latest hand-off of each lead, as the rep got it: the dashboard's hand-off queue. */
export const handOffs = sqliteTable(
  "hand_offs",
  {
    leadId: text("lead_id").primaryKey(),
    at: integer("at").notNull(),
    triggers: text("triggers", { mode: "json" }).$type<{ trigger: string; reason: string }[]>().notNull(),
    summary: text("summary", { mode: "json" }).$type<{ needs: string; topObjection: string | null; by: "rules" | "model" }>().notNull(),
    nextAction: text("next_action").notNull(),
  },
  (t) => [index("hand_offs_at_idx").on(t.at)],
);
export type HandOffRow = typeof handOffs.$inferSelect;

/** Failed owner-token attempts (dashboard login and Bearer API) per client address, so that guessing the token is slowed down. */
export const loginFailures = sqliteTable("login_failures", {
  client: text("client").primaryKey(),
  failures: integer("failures").notNull(),
  lastAt: integer("last_at").notNull(),
});

/**
 * Dashboard sessions, so the server can end one: the cookie names a row by id, and a
 * session counts only while its row exists, is unexpired and is not revoked (logout revokes
 * one, "log out everywhere" all).
 */
export const dashboardSessions = sqliteTable(
  "dashboard_sessions",
  {
    id: text("id").primaryKey(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("dashboard_sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Daily rollups of the lead rows, by the day a lead came in (UTC) and its sequence ("" for
 * none): the overview reads a few hundred of these instead of every lead. SQL triggers on
 * `leads` keep them (migration 0010): a projection that changes a lead's row moves its
 * counts, so they are exact however often a projection is retried.
 */
export const leadDaily = sqliteTable(
  "lead_daily",
  {
    day: integer("day").notNull(),
    sequenceId: text("sequence_id").notNull(),
    leads: integer("leads").notNull().default(0),
    enrolled: integer("enrolled").notNull().default(0),
    contacted: integer("contacted").notNull().default(0),
    opened: integer("opened").notNull().default(0),
    clicked: integer("clicked").notNull().default(0),
    replied: integer("replied").notNull().default(0),
    booked: integer("booked").notNull().default(0),
    unsubscribed: integer("unsubscribed").notNull().default(0),
    bounced: integer("bounced").notNull().default(0),
    opensHuman: integer("opens_human").notNull().default(0),
    opensAuto: integer("opens_auto").notNull().default(0),
    opensMachine: integer("opens_machine").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.sequenceId] })],
);

/** Daily rollups of the touch rows, by the day a touch went out, kept by triggers on `touches` (migration 0010). */
export const touchDaily = sqliteTable(
  "touch_daily",
  {
    day: integer("day").notNull(),
    sequenceId: text("sequence_id").notNull(),
    stepId: text("step_id").notNull(),
    channel: text("channel").notNull(),
    sent: integer("sent").notNull().default(0),
    opened: integer("opened").notNull().default(0),
    clicked: integer("clicked").notNull().default(0),
    replied: integer("replied").notNull().default(0),
    aiDraft: integer("ai_draft").notNull().default(0),
    aiDraftModel: integer("ai_draft_model").notNull().default(0),
    editedDraft: integer("edited_draft").notNull().default(0),
    template: integer("template").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.sequenceId, t.stepId, t.channel] })],
);

// The owner's set-up tables (settings, the unknown-site queue) live beside this file.
export * from "./d1-setup";
export * from "./d1-chat";
