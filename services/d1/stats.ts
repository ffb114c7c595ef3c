import { z } from "zod";
import { chatFiguresQuery, type ChatFigures } from "./conversations";

/**
 * The owner's numbers for a period, read from the daily rollups (`lead_daily`, `touch_daily`)
 * that triggers keep as the projection writes lead and touch rows — never from the event
 * log. A period is whole UTC days and a cohort: the leads that came in during it and what
 * has happened to them since; per-step figures count the touches sent during it. Chat's
 * figures come from the conversation rows (one per conversation, few beside the events).
 */

const DAY = 86_400_000;
const MAX_PERIOD_DAYS = 366;

export const PeriodQuerySchema = z
  .object({
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    days: z.coerce.number().int().min(1).max(MAX_PERIOD_DAYS).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, "from must be before to")
  .refine((q) => q.from === undefined || q.to === undefined || q.to - q.from <= MAX_PERIOD_DAYS * DAY, `a period spans at most ${MAX_PERIOD_DAYS} days`);
type PeriodQuery = z.infer<typeof PeriodQuerySchema>;

export interface Period {
  from: number;
  to: number;
}

/** The asked period, from the start of its first UTC day; by default the last 30 days up to now. */
export function periodOf(query: PeriodQuery, now: number): Period {
  const to = query.to ?? now;
  const from = query.from ?? to - (query.days ?? 30) * DAY;
  return { from: Math.floor(from / DAY) * DAY, to };
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

const FUNNEL_COLUMNS = ["leads", "enrolled", "contacted", "opened", "clicked", "replied", "booked", "unsubscribed", "bounced", "opens_human", "opens_auto", "opens_machine"]
  .map((c) => `coalesce(sum(${c}), 0) AS ${c.replace(/_(\w)/g, (_, l: string) => l.toUpperCase())}`)
  .join(", ");

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
  /** Touches the provider reported accepted by the recipient's server (Email Service events). */
  delivered: number;
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
    delivered: sum("delivered"),
    opened: sum("opened"),
    clicked: sum("clicked"),
    replied: sum("replied"),
    rates: { delivery: rate(sum("delivered"), sent), open: rate(sum("opened"), sent), click: rate(sum("clicked"), sent), reply: rate(sum("replied"), sent) },
    origins: { template: sum("template"), aiDraft: sum("aiDraft"), aiDraftByModel: sum("aiDraftModel"), editedDraft: sum("editedDraft") },
  };
}

export async function periodStats(db: D1Database, period: Period) {
  const { from, to } = period;
  const [overall, daily, bySequence, touches, delivered, chat] = await db.batch<Record<string, unknown>>([
    db.prepare(`SELECT ${FUNNEL_COLUMNS} FROM lead_daily WHERE day >= ?1 AND day < ?2`).bind(from, to),
    db
      .prepare(
        `SELECT day, sum(leads) AS leads, sum(replied) AS replied, sum(booked) AS booked FROM lead_daily WHERE day >= ?1 AND day < ?2 GROUP BY day HAVING sum(leads) > 0 ORDER BY day`,
      )
      .bind(from, to),
    db
      .prepare(
        `SELECT sequence_id AS sequenceId, ${FUNNEL_COLUMNS} FROM lead_daily WHERE day >= ?1 AND day < ?2 AND sequence_id != '' GROUP BY sequence_id HAVING sum(leads) > 0 ORDER BY leads DESC`,
      )
      .bind(from, to),
    db
      .prepare(
        `SELECT sequence_id AS sequenceId, step_id AS stepId, channel, sum(sent) AS sent, sum(opened) AS opened, sum(clicked) AS clicked, sum(replied) AS replied,
           sum(ai_draft) AS aiDraft, sum(ai_draft_model) AS aiDraftModel, sum(edited_draft) AS editedDraft, sum(template) AS template
         FROM touch_daily WHERE day >= ?1 AND day < ?2 GROUP BY sequence_id, step_id, channel HAVING sum(sent) > 0 ORDER BY sequence_id, min(day)`,
      )
      .bind(from, to),
    // Read from the touch rows, not the daily rollup: deliveries are reported per touch, after
    // it was sent, and the period is the one the touch was sent in (as for opens and replies).
    db
      .prepare(
        `SELECT sequence_id AS sequenceId, step_id AS stepId, channel, count(delivered_at) AS delivered FROM touches
         WHERE sent_at >= ?1 AND sent_at < ?2 AND delivered_at IS NOT NULL GROUP BY sequence_id, step_id, channel`,
      )
      .bind(from, to),
    chatFiguresQuery(db, period),
  ]);
  const deliveredBy = new Map(
    ((delivered!.results ?? []) as { sequenceId: string; stepId: string; channel: string; delivered: number }[]).map((r) => [
      `${r.sequenceId}\u0000${r.stepId}\u0000${r.channel}`,
      r.delivered,
    ]),
  );
  const touchRows = ((touches!.results ?? []) as unknown as Omit<TouchRow, "delivered">[]).map((r) => ({
    ...r,
    delivered: deliveredBy.get(`${r.sequenceId}\u0000${r.stepId}\u0000${r.channel}`) ?? 0,
  }));
  const channels = [...new Set(touchRows.map((r) => r.channel))].sort();
  return {
    period,
    ...withRates((overall!.results[0] ?? {}) as unknown as FunnelRow),
    daily: daily!.results as { day: number; leads: number; replied: number; booked: number }[],
    bySequence: (bySequence!.results as unknown as (FunnelRow & { sequenceId: string })[]).map((r) => ({ sequenceId: r.sequenceId, ...withRates(r) })),
    byStep: touchRows.map((r) => ({ sequenceId: r.sequenceId, stepId: r.stepId, channel: r.channel, ...touchFigures([r]) })),
    byChannel: channels.map((channel) => ({ channel, ...touchFigures(touchRows.filter((r) => r.channel === channel)) })),
    touches: touchFigures(touchRows),
    chat: (chat!.results[0] ?? { conversations: 0, leadsCaptured: 0, bookings: 0, handOffs: 0 }) as unknown as ChatFigures,
  };
}
export type PeriodStats = Awaited<ReturnType<typeof periodStats>>;

/**
 * Whether delivery events come back at all: of the emails sent between two weeks and a day
 * ago (a provider reports within hours), how many a provider has reported delivered. The
 * doctor reads it, since a queue subscription or a webhook cannot be seen from the Worker.
 */
export async function deliveryEvidence(db: D1Database, now: number): Promise<{ sent: number; reported: number }> {
  const row = await db
    .prepare("SELECT count(*) AS sent, count(delivered_at) AS reported FROM touches WHERE channel = 'email' AND sent_at BETWEEN ? AND ?")
    .bind(now - 14 * DAY, now - DAY)
    .first<{ sent: number; reported: number }>();
  return { sent: row?.sent ?? 0, reported: row?.reported ?? 0 };
}
