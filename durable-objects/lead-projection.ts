import { and, eq, isNull, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { events, leads, reviewQueue, touches, type ReviewRow } from "../schemas/d1";
import type { TimelineEntry } from "../schemas/lead";
import type { LeadState } from "../engine/lead/lead-state";
import * as storage from "./lead-storage";

/**
 * Writes what the lead object knows into D1's cross-lead tables. Idempotent: events are
 * keyed by lead and sequence, the lead row only moves forward in version, and touch rows
 * only ever gain a first open, click or reply — so a retried or reordered projection
 * never leaves D1 older than it was.
 */
export async function projectLead(db: D1Database, state: LeadState, entries: TimelineEntry[], review: ReviewRow[] | null = null): Promise<void> {
  const d1 = drizzle(db);
  const { milestones = {} } = state;
  const row = {
    id: state.id,
    email: state.profile.email ?? null,
    phone: state.profile.phone ?? null,
    name: state.profile.name ?? null,
    company: state.profile.company ?? null,
    title: state.profile.title ?? null,
    source: state.profile.source ?? "unknown",
    status: state.status,
    score: state.score,
    createdAt: state.createdAt,
    lastActivityAt: state.lastActivityAt,
    version: state.version,
    sequenceId: state.enrolments[0]?.sequenceId ?? null,
    contactedAt: milestones.contacted ?? null,
    openedAt: milestones.opened ?? null,
    clickedAt: milestones.clicked ?? null,
    repliedAt: milestones.replied ?? null,
    bookedAt: milestones.booked ?? null,
    unsubscribedAt: milestones.unsubscribed ?? null,
    bouncedAt: milestones.bounced ?? null,
    opensHuman: state.engagement.opens.human,
    opensAuto: state.engagement.opens.auto,
    opensMachine: state.engagement.opens.machine,
  };
  const { id, ...changes } = row;
  const upsertLead = d1
    .insert(leads)
    .values(row)
    .onConflictDoUpdate({ target: leads.id, set: changes, setWhere: sql`excluded.version > ${leads.version}` });
  const eventRows = entries.map(({ seq, at, kind, ...data }) => ({ id: `${state.id}:${seq}`, leadId: state.id, kind, at, data }));
  // D1 binds at most 100 parameters a statement; an event row takes 5.
  const inserts = [];
  for (let i = 0; i < eventRows.length; i += 20) {
    inserts.push(
      d1
        .insert(events)
        .values(eventRows.slice(i, i + 20))
        // A re-judged entry (a click found to be part of a burst) replaces its earlier row.
        .onConflictDoUpdate({ target: events.id, set: { data: sql`excluded.data` } }),
    );
  }
  await d1.batch([upsertLead, ...inserts, ...touchUpdates(d1, state.id, entries), ...reviewSync(d1, state.id, review)]);
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

/** Projects the object's state and its unprojected timeline entries to D1; false when D1 failed (the object keeps the truth). */
export async function projectFromStorage(objectSql: SqlStorage, db: D1Database, state: LeadState): Promise<boolean> {
  const entries = storage.unprojectedTimeline(objectSql);
  const review = reviewRows(state);
  const reviewSignature = JSON.stringify(review);
  const reviewChanged = reviewSignature !== (storage.readMeta(objectSql, "review") ?? "[]");
  try {
    await projectLead(db, state, entries, reviewChanged ? review : null);
  } catch (error) {
    console.error(JSON.stringify({ leadId: state.id, event: "projection_failed", error: String(error) }));
    return false;
  }
  storage.markProjected(
    objectSql,
    entries.map((e) => e.seq),
  );
  if (reviewChanged) storage.writeMeta(objectSql, "review", reviewSignature);
  return true;
}
