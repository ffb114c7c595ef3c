import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Submission } from "./lead";

/**
 * D1 tables of the owner's set-up: the settings saved in the dashboard with their audit, and
 * the queue of form posts from sites no form allows yet. Re-exported by d1.ts, so drizzle-kit
 * and every reader see one schema.
 */

/**
 * The deployment settings the owner saved (dashboard or API), one row per setting, its value
 * as JSON. A setting without a row takes its wrangler var's first-deploy default.
 */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: integer("updated_at").notNull(),
  updatedBy: text("updated_by").notNull(),
});

/**
 * Every change of a setting: who (the dashboard session or the API token), when, which
 * setting, from what to what (JSON; null where the var's default stood). Its newest id is
 * also the settings' version: an isolate's cached settings are current while it matches.
 */
export const settingsAudit = sqliteTable(
  "settings_audit",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actor: text("actor").notNull(),
    key: text("key").notNull(),
    oldValue: text("old_value", { mode: "json" }),
    newValue: text("new_value", { mode: "json" }).notNull(),
  },
  (t) => [index("settings_audit_at_idx").on(t.at)],
);
export type SettingsAuditRow = typeof settingsAudit.$inferSelect;

/**
 * Form posts from a site the form does not allow yet, kept until the owner approves
 * (the post enters as a form post would) or discards them. Nothing here reaches a lead
 * before that. The queue is bounded (services/d1/unknown-site-posts.ts).
 */
export const unknownSitePosts = sqliteTable(
  "unknown_site_posts",
  {
    id: text("id").primaryKey(),
    formId: text("form_id").notNull(),
    origin: text("origin").notNull(),
    receivedAt: integer("received_at").notNull(),
    /** The post as the form read it then, consent wording included. */
    submission: text("submission", { mode: "json" }).$type<Submission>().notNull(),
    /** Why its sequence would wait for the owner (Turnstile unverified, a form flood), as a post from that origin would. */
    hold: text("hold"),
    visitorId: text("visitor_id"),
  },
  (t) => [index("unknown_site_posts_origin_idx").on(t.origin, t.receivedAt), index("unknown_site_posts_received_idx").on(t.receivedAt)],
);
export type UnknownSitePostRow = typeof unknownSitePosts.$inferSelect;

/** Posts from an unknown site turned away because the queue was full: counted per origin, so the owner sees them. */
export const unknownSiteOverflow = sqliteTable("unknown_site_overflow", {
  origin: text("origin").primaryKey(),
  dropped: integer("dropped").notNull(),
  lastAt: integer("last_at").notNull(),
});
export type UnknownSiteOverflowRow = typeof unknownSiteOverflow.$inferSelect;
