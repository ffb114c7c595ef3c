import { z } from "zod";

/**
 * The owner's numbers for a period, read from rollups the projection keeps (a row per lead
 * with its funnel milestones, a row per touch with what it drew), never from the event log.
 * A period is a cohort: the leads that came in during it and what has happened to them since;
 * per-step figures count the touches sent during it.
 */

const DAY = 86_400_000;
export const MAX_PERIOD_DAYS = 366;

export const PeriodQuerySchema = z
  .object({
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    days: z.coerce.number().int().min(1).max(MAX_PERIOD_DAYS).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, "from must be before to")
  .refine((q) => q.from === undefined || q.to === undefined || q.to - q.from <= MAX_PERIOD_DAYS * DAY, `a period spans at most ${MAX_PERIOD_DAYS} days`);
export type PeriodQuery = z.infer<typeof PeriodQuerySchema>;

export interface Period {
  from: number;
  to: number;
}

/** The asked period; by default the last 30 days up to now. */
export function periodOf(query: PeriodQuery, now: number): Period {
  const to = query.to ?? now;
  return { from: query.from ?? to - (query.days ?? 30) * DAY, to };
}

interface FunnelRow {
  leads: number;
  enrolled: number;
  contacted: number;
  opened: number;
  clicked: number;
  replied: number;
  booked: number;
  unsubscribed: number;
  bounced: number;
  opensHuman: number;
  opensAuto: number;
  opensMachine: number;
}

const FUNNEL_COLUMNS = `count(*) AS leads, count(sequence_id) AS enrolled, count(contacted_at) AS contacted, count(opened_at) AS opened,
  count(clicked_at) AS clicked, count(replied_at) AS replied, count(booked_at) AS booked, count(unsubscribed_at) AS unsubscribed,
  count(bounced_at) AS bounced, coalesce(sum(opens_human), 0) AS opensHuman, coalesce(sum(opens_auto), 0) AS opensAuto,
  coalesce(sum(opens_machine), 0) AS opensMachine`;

/** A share of the contacted leads, to four places; null when nobody was contacted. */
const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

function withRates(row: FunnelRow) {
  return {
    funnel: { leads: row.leads, enrolled: row.enrolled, contacted: row.contacted, opened: row.opened, clicked: row.clicked, replied: row.replied, booked: row.booked },
    rates: {
      reply: rate(row.replied, row.contacted),
      booking: rate(row.booked, row.contacted),
      unsubscribe: rate(row.unsubscribed, row.contacted),
      bounce: rate(row.bounced, row.contacted),
    },
    unsubscribed: row.unsubscribed,
    bounced: row.bounced,
    opens: { human: row.opensHuman, auto: row.opensAuto, machine: row.opensMachine },
  };
}

interface TouchRow {
  sequenceId: string;
  stepId: string;
  channel: string;
  sent: number;
  opened: number;
  clicked: number;
  replied: number;
  aiDraft: number;
  aiDraftModel: number;
  editedDraft: number;
  template: number;
}

function touchFigures(rows: Omit<TouchRow, "sequenceId" | "stepId" | "channel">[]) {
  const sum = (k: keyof (typeof rows)[number]) => rows.reduce((n, r) => n + r[k], 0);
  const sent = sum("sent");
  return {
    sent,
    opened: sum("opened"),
    clicked: sum("clicked"),
    replied: sum("replied"),
    rates: { open: rate(sum("opened"), sent), click: rate(sum("clicked"), sent), reply: rate(sum("replied"), sent) },
    origins: { template: sum("template"), aiDraft: sum("aiDraft"), aiDraftByModel: sum("aiDraftModel"), editedDraft: sum("editedDraft") },
  };
}

export async function periodStats(db: D1Database, period: Period) {
  const { from, to } = period;
  const [overall, daily, bySequence, touches] = await db.batch<Record<string, unknown>>([
    db.prepare(`SELECT ${FUNNEL_COLUMNS} FROM leads WHERE created_at >= ?1 AND created_at < ?2`).bind(from, to),
    db
      .prepare(
        `SELECT (created_at / ${DAY}) * ${DAY} AS day, count(*) AS leads, count(replied_at) AS replied, count(booked_at) AS booked
         FROM leads WHERE created_at >= ?1 AND created_at < ?2 GROUP BY 1 ORDER BY 1`,
      )
      .bind(from, to),
    db.prepare(`SELECT sequence_id AS sequenceId, ${FUNNEL_COLUMNS} FROM leads WHERE created_at >= ?1 AND created_at < ?2 AND sequence_id IS NOT NULL GROUP BY sequence_id ORDER BY leads DESC`).bind(from, to),
    db
      .prepare(
        `SELECT sequence_id AS sequenceId, step_id AS stepId, channel, count(*) AS sent, count(opened_at) AS opened, count(clicked_at) AS clicked,
           count(replied_at) AS replied, sum(origin = 'ai_draft') AS aiDraft, sum(origin = 'ai_draft' AND drafted_by = 'model') AS aiDraftModel,
           sum(origin = 'edited_draft') AS editedDraft, sum(origin = 'template') AS template
         FROM touches WHERE sent_at >= ?1 AND sent_at < ?2 GROUP BY sequence_id, step_id, channel ORDER BY sequence_id, min(sent_at)`,
      )
      .bind(from, to),
  ]);
  const touchRows = (touches!.results ?? []) as unknown as TouchRow[];
  const channels = [...new Set(touchRows.map((r) => r.channel))].sort();
  return {
    period,
    ...withRates((overall!.results[0] ?? {}) as unknown as FunnelRow),
    daily: daily!.results as { day: number; leads: number; replied: number; booked: number }[],
    bySequence: (bySequence!.results as unknown as (FunnelRow & { sequenceId: string })[]).map((r) => ({ sequenceId: r.sequenceId, ...withRates(r) })),
    byStep: touchRows.map((r) => ({ sequenceId: r.sequenceId, stepId: r.stepId, channel: r.channel, ...touchFigures([r]) })),
    byChannel: channels.map((channel) => ({ channel, ...touchFigures(touchRows.filter((r) => r.channel === channel)) })),
    touches: touchFigures(touchRows),
  };
}
export type PeriodStats = Awaited<ReturnType<typeof periodStats>>;
