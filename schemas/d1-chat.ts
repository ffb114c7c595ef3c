import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Site chat across leads: one row per conversation, kept by the object that holds it, so
 * the dashboard lists live conversations and counts what chat brought in without asking
 * every object. The words stay in the lead's object (its timeline). Re-exported by d1.ts.
 */
export const conversations = sqliteTable(
  "conversations",
  {
    id: text("id").primaryKey(),
    siteOrigin: text("site_origin").notNull(),
    visitorId: text("visitor_id").notNull(),
    /** Null while the visitor is unknown; set when they become a lead (or were one). */
    leadId: text("lead_id"),
    startedAt: integer("started_at").notNull(),
    lastAt: integer("last_at").notNull(),
    messages: integer("messages").notNull().default(0),
    /** The visitor became a lead in this conversation. */
    captured: integer("captured", { mode: "boolean" }).notNull().default(false),
    booked: integer("booked", { mode: "boolean" }).notNull().default(false),
    handedOff: integer("handed_off", { mode: "boolean" }).notNull().default(false),
    /** The last words, for the live list (the visitor's or ours, at most 200 characters). */
    lastText: text("last_text").notNull().default(""),
  },
  (t) => [index("conversations_last_idx").on(t.lastAt), index("conversations_lead_idx").on(t.leadId)],
);
export type ConversationRow = typeof conversations.$inferSelect;
