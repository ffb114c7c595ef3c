import { and, eq, isNull, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import { INDEXED_LEAD_COLUMNS, leads, reviewQueue, sites, touches, type ReviewRow } from "../schemas/d1";
import type { TimelineEntry } from "../schemas/lead";
import type { LeadState } from "../engine/lead/lead-state";
import { leadRowOf } from "../engine/lead/lead-row";
import { logRawEvents, standInWrites } from "../services/event-log";
import * as storage from "./lead-storage";

/**
 * Writes what spans leads into D1: the lead row (its milestones), a row per sent touch and
 * the marks on it, the review queue — triggers keep the daily rollups — and in the same batch
 * `alongside` (the event log's local stand-in; services/event-log.ts). Idempotent and
 * monotone: the lead row only moves forward in version and keeps its first form post, touch
 * rows are inserted once and only ever gain a first open, click, reply or delivery, and a
 * site only gains its first post — so a retried or reordered projection never leaves D1
 * older than it was.
 */
export async function projectLead(
  db: D1Database,
  state: LeadState,
  entries: TimelineEntry[],
  review: ReviewRow[] | null = null,
  alongside: BatchItem<"sqlite">[] = [],
): Promise<void> {
  const d1 = drizzle(db);
  const posts = entries.filter((e) => e.kind === "form_submitted" && !e.submission.imported);
  const row = leadRowOf(state, entries);
  // SQLite rewrites an index whenever its column is SET, changed or not: the indexed columns
  // are set apart, each only when it differs, and the rest only when one of them differs — so a
  // projection that changes nothing D1 shows writes nothing (D1's version then lags the object's:
  // harmless, since one object's projections run one at a time, never an older after a newer).
  const { id, createdAt, status, email, phone, sequenceId, version, formPostedAt, ...shown } = row;
  const columnOf = (key: string) => leads[key as keyof typeof row];
  const differs = sql.join(
    [
      ...Object.keys(shown).map((key) => sql`${columnOf(key)} IS NOT excluded.${sql.identifier(columnOf(key).name)}`),
      sql`(${leads.formPostedAt} IS NULL AND excluded.form_posted_at IS NOT NULL)`,
    ],
    sql` OR `,
  );
  const upsertLead = d1
    .insert(leads)
    .values(row)
    .onConflictDoUpdate({
      target: leads.id,
      set: { ...shown, version, formPostedAt: sql`coalesce(${leads.formPostedAt}, excluded.form_posted_at)` },
      setWhere: sql`excluded.version > ${leads.version} AND (${differs})`,
    });
  const indexed = INDEXED_LEAD_COLUMNS.map((key) => {
    const value = row[key];
    const set = { [key]: value } as Pick<typeof row, typeof key>;
    return (
      d1
        .update(leads)
        .set({ ...set, version })
        // An older projection moves nothing.
        .where(and(eq(leads.id, id), sql`${leads.version} <= ${version}`, sql`${columnOf(key)} IS NOT ${value}`))
    );
  });
  await d1.batch([upsertLead, ...indexed, ...sitePosts(d1, posts), ...touchUpdates(d1, state.id, entries), ...reviewSync(d1, state.id, review), ...alongside]);
}

/** A form post from a registered site's page marks the site (the first-run checklist's "a form on your site"); a known site costs a read, not a write. */
function sitePosts(d1: ReturnType<typeof drizzle>, posts: TimelineEntry[]) {
  return posts.flatMap((post) => {
    const page = post.kind === "form_submitted" ? post.submission.page : undefined;
    if (!page || !URL.canParse(page)) return [];
    return [
      d1
        .update(sites)
        .set({ formPostedAt: post.at })
        .where(and(eq(sites.origin, new URL(page).origin), isNull(sites.formPostedAt))),
    ];
  });
}

/** Drafts the owner must review before they may go: ready drafts of enrolments in `review` mode. */
export function reviewRows(state: LeadState): ReviewRow[] {
  return state.drafts.flatMap((draft) => {
    const enrolment = state.enrolments.find((e) => e.id === draft.enrolmentId);
    if (draft.status !== "ready" || !draft.content || !enrolment?.next || enrolment.sequence.drafting.mode !== "review") return [];
    return [
      {
        leadId: state.id,
        enrolmentId: draft.enrolmentId,
        sequenceId: draft.sequenceId,
        stepId: draft.stepId,
        intent: draft.intent,
        dueAt: enrolment.next.dueAt,
        held: enrolment.next.held ?? false,
        draft: draft.content,
        template: draft.template,
        draftedBy: draft.by ?? "model",
        predictedObjection: draft.predictedObjection ?? null,
        madeAt: draft.madeAt ?? draft.requestedAt,
      },
    ];
  });
}

/** Sent touches become rows; a person's first open, click or reply marks the touch it answered, and the provider's delivery report the touch it delivered. */
function touchUpdates(d1: ReturnType<typeof drizzle>, leadId: string, entries: TimelineEntry[]) {
  const statements = [];
  const mark = (key: string, column: "openedAt" | "clickedAt" | "repliedAt" | "deliveredAt", at: number) =>
    d1
      .update(touches)
      .set({ [column]: at })
      .where(and(eq(touches.id, `${leadId}:${key}`), isNull(touches[column])));
  for (const entry of entries) {
    if (entry.kind === "touch_sent") {
      statements.push(
        d1
          .insert(touches)
          .values({
            id: `${leadId}:${entry.key}`,
            leadId,
            sequenceId: entry.sequenceId,
            stepId: entry.stepId,
            channel: entry.channel,
            origin: entry.origin ?? "template",
            draftedBy: entry.draftedBy ?? null,
            sentAt: entry.at,
            messageId: entry.messageId,
            providerId: entry.providerId ?? null,
            sentTo: entry.to,
          })
          .onConflictDoNothing(),
      );
    }
    if (entry.kind === "email_opened" && entry.verdict === "human") statements.push(mark(entry.messageId, "openedAt", entry.at));
    if (entry.kind === "link_clicked" && entry.verdict === "human") statements.push(mark(entry.messageId, "clickedAt", entry.at), mark(entry.messageId, "openedAt", entry.at));
    if (entry.kind === "reply_received" && entry.touchKey) statements.push(mark(entry.touchKey, "repliedAt", entry.at));
    if (entry.kind === "touch_delivered") statements.push(mark(entry.key, "deliveredAt", entry.at));
  }
  return statements;
}

/** The lead's drafts waiting for review replace what the queue held for it; null when they did not change. */
function reviewSync(d1: ReturnType<typeof drizzle>, leadId: string, review: ReviewRow[] | null) {
  if (review === null) return [];
  const cleared = d1.delete(reviewQueue).where(eq(reviewQueue.leadId, leadId));
  return review.length ? [cleared, d1.insert(reviewQueue).values(review)] : [cleared];
}

/**
 * Projects the object's state to D1 and its unprojected timeline entries to the event log
 * (Analytics Engine once D1 holds the batch; locally, its stand-in in the batch), then moves the
 * projection cursor past them; false when D1 refused (the object keeps the truth, and the next
 * attempt writes the same rows again).
 */
export async function projectFromStorage(objectSql: SqlStorage, env: Pick<Env, "DB" | "EVENT_LOG">, state: LeadState): Promise<boolean> {
  const read = storage.unprojectedTimeline(objectSql);
  const { entries } = read;
  const review = reviewRows(state);
  const reviewSignature = JSON.stringify(review);
  const reviewChanged = reviewSignature !== (storage.readMeta(objectSql, "review") ?? "[]");
  try {
    await projectLead(env.DB, state, entries, reviewChanged ? review : null, standInWrites(env, state.id, entries));
    logRawEvents(env, state.id, entries);
  } catch (error) {
    console.error(JSON.stringify({ leadId: state.id, event: "projection_failed", error: String(error) }));
    return false;
  }
  storage.markProjected(objectSql, read);
  if (reviewChanged) storage.writeMeta(objectSql, "review", reviewSignature);
  return true;
}
