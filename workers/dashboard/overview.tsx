import type { PeriodStats } from "../../services/d1/stats";
import type { SendingToday } from "../../services/touch-delivery";
import { Choice, figures, ListTable, percent } from "./layout";

/** The overview: the funnel, the rates, opens by verdict, site chat, a daily trend, and per-sequence, step and channel tables. */

const DAY = 86_400_000;

/**
 * Leads in per day, with replies and bookings among them: bars in an inline SVG, words in
 * HTML beneath it, so they stay readable when the chart shrinks to a phone's width.
 */
function TrendChart(props: { daily: PeriodStats["daily"]; from: number; to: number }) {
  // Whole UTC days touched by the period, its first and last partial days included.
  const first = Math.floor(props.from / DAY) * DAY;
  const days = Math.min(Math.max(1, Math.floor((props.to - 1) / DAY) - first / DAY + 1), 367);
  const byDay = new Map(props.daily.map((d) => [d.day, d]));
  const width = 640;
  const height = 140;
  const bar = width / days;
  const peak = Math.max(1, ...props.daily.map((d) => d.leads));
  const y = (n: number) => height - 2 - (n / peak) * (height - 10);
  const day = (at: number) => new Date(at).toISOString().slice(0, 10);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Leads per day over ${days} days, with replies and bookings`}>
        {Array.from({ length: days }, (_, i) => {
          const d = byDay.get(first + i * DAY);
          if (!d) return null;
          return (
            <g>
              <rect x={i * bar + 1} y={y(d.leads)} width={Math.max(1, bar - 2)} height={height - 2 - y(d.leads)} fill="#9ec5fe">
                <title>{`${day(d.day)}: ${d.leads} leads, ${d.replied} replied, ${d.booked} booked`}</title>
              </rect>
              <rect x={i * bar + 1} y={y(d.replied)} width={Math.max(1, bar - 2)} height={height - 2 - y(d.replied)} fill="#1f6feb" />
              <rect x={i * bar + 1} y={y(d.booked)} width={Math.max(1, bar - 2)} height={height - 2 - y(d.booked)} fill="#2e7d32" />
            </g>
          );
        })}
        <line x1="0" x2={width} y1={height - 2} y2={height - 2} stroke="#9aa5b1" />
      </svg>
      <figcaption class="axis">
        <span>{day(first)}</span>
        <span>{`peak ${peak} a day · light: leads · blue: replied · green: booked`}</span>
        <span>{day(first + (days - 1) * DAY)}</span>
      </figcaption>
    </figure>
  );
}

type Funnel = PeriodStats["funnel"];

/** The funnel's steps, each a subset of the one before: where leads drop out. */
const FUNNEL_CHART: [keyof Funnel, string][] = [
  ["leads", "Leads"],
  ["contacted", "Contacted"],
  ["opened", "Opened"],
  ["clicked", "Clicked"],
  ["replied", "Replied"],
  ["booked", "Booked"],
];

/** The funnel as bars, server-rendered in HTML: each bar's width is its share of the leads, its words plain text. */
function FunnelChart(props: { funnel: Funnel }) {
  const top = Math.max(1, props.funnel.leads);
  return (
    <figure class="chart">
      <ol class="funnel" data-testid="funnel-chart">
        {FUNNEL_CHART.map(([key, label]) => {
          const share = props.funnel[key] / top;
          return (
            <li data-step={key}>
              <span class="funnel-label">{label}</span>
              <span class="funnel-bar" aria-hidden="true">
                <span style={`width:${Math.round(share * 1000) / 10}%`}></span>
              </span>
              <span class="funnel-value">{`${props.funnel[key]} · ${key === "leads" ? "100%" : percent(share)}`}</span>
            </li>
          );
        })}
      </ol>
      <figcaption class="muted">Opened and clicked count people only: privacy proxies and link scanners are left out.</figcaption>
    </figure>
  );
}
const FUNNEL: [keyof Funnel, string][] = [
  ["leads", "Leads in"],
  ["enrolled", "Enrolled"],
  ["contacted", "Contacted"],
  ["opened", "Opened (human)"],
  ["clicked", "Clicked (human)"],
  ["replied", "Replied"],
  ["booked", "Booked"],
];

/** Today for the sending address: where it is in its warm-up, and what its daily cap holds back. */
function SendingCard(props: { sending: SendingToday | null }) {
  const { sending } = props;
  if (!sending)
    return (
      <p class="muted" data-testid="sending">
        Email waits until the sender is set (see Settings).
      </p>
    );
  const { today, sent, heldBack } = sending;
  const stage = today.day <= today.warmupDays ? `warm-up day ${today.day} of ${today.warmupDays}` : "warmed up";
  return (
    <div class="cards" data-testid="sending">
      <div class="card" data-metric="sentToday">
        <span class="muted">{`Sent today, ${stage}`}</span>
        <b>{`${sent} / ${today.limit}`}</b>
        <span class="muted">{`by ${sending.address}; today's cap ${today.limit}`}</span>
      </div>
      <div class="card" data-metric="heldBack">
        <span class="muted">Touches held back by the sending cap</span>
        <b class={heldBack > 0 ? "warn" : undefined}>{heldBack}</b>
        <span class="muted">waiting for a later day's room</span>
      </div>
    </div>
  );
}

const CHAT_FIGURES: [keyof PeriodStats["chat"], string][] = [
  ["conversations", "Conversations"],
  ["leadsCaptured", "Leads captured by chat"],
  ["bookings", "Bookings from chat"],
  ["handOffs", "Hand-offs from chat"],
];

/** What chat brought in: the conversations that started in the period and where they led. */
function ChatCards(props: { chat: PeriodStats["chat"] }) {
  return (
    <div class="cards" data-testid="chat">
      {CHAT_FIGURES.map(([key, label]) => (
        <div class="card" data-metric={`chat-${key}`}>
          <span class="muted">{label}</span>
          <b>{props.chat[key]}</b>
        </div>
      ))}
    </div>
  );
}

export function Overview(props: { stats: PeriodStats; stepOrders: Map<string, string[]>; days: number; sending: SendingToday | null }) {
  const { stats } = props;
  const top = Math.max(1, stats.funnel.leads);
  return (
    <>
      <h2>Sending today</h2>
      <SendingCard sending={props.sending} />
      <form method="get" class="filters">
        <label>
          Period
          <Choice name="days" options={[7, 30, 90, 365].map((d) => [String(d), `Last ${d} days`] as const)} selected={String(props.days)} />
        </label>
        <button type="submit">Show</button>
      </form>
      <h2>Funnel</h2>
      <FunnelChart funnel={stats.funnel} />
      <div class="cards" data-testid="funnel">
        {FUNNEL.map(([key, label]) => (
          <div class="card" data-metric={key}>
            <span class="muted">{label}</span>
            <b>{stats.funnel[key]}</b>
            <span class="muted">{key === "leads" ? "100%" : percent(stats.funnel[key] / top)}</span>
          </div>
        ))}
      </div>
      <h2>Rates (of contacted leads)</h2>
      <div class="cards" data-testid="rates">
        {(["reply", "booking", "unsubscribe", "bounce"] as const).map((key) => (
          <div class="card" data-metric={`${key}Rate`}>
            <span class="muted">{`${key[0]!.toUpperCase()}${key.slice(1)} rate`}</span>
            <b>{percent(stats.rates[key])}</b>
          </div>
        ))}
        <div class="card" data-metric="opens">
          <span class="muted">Opens: human · auto · machine</span>
          <b>{`${stats.opens.human} · ${stats.opens.auto} · ${stats.opens.machine}`}</b>
        </div>
        <div class="card" data-metric="origins">
          <span class="muted">Touches: AI draft · edited · template</span>
          <b>{`${stats.touches.origins.aiDraft} · ${stats.touches.origins.editedDraft} · ${stats.touches.origins.template}`}</b>
        </div>
      </div>
      <h2>Site chat</h2>
      <ChatCards chat={stats.chat} />
      <h2>Daily trend</h2>
      <TrendChart daily={stats.daily} from={stats.period.from} to={stats.period.to} />
      <h2>By sequence</h2>
      <ListTable
        columns={["Sequence", ...[...FUNNEL.map(([, label]) => label), "Reply", "Booking", "Unsub."].map(figures)]}
        rows={stats.bySequence.map((s) => (
          <tr>
            <td>
              <a href={`/dashboard/sequences#${s.sequenceId}`}>{s.sequenceId}</a>
            </td>
            {FUNNEL.map(([key]) => (
              <td class="n">{s.funnel[key]}</td>
            ))}
            <td class="n">{percent(s.rates.reply)}</td>
            <td class="n">{percent(s.rates.booking)}</td>
            <td class="n">{percent(s.rates.unsubscribe)}</td>
          </tr>
        ))}
      />
      <h2>By step</h2>
      <TouchTable rows={inStepOrder(stats.byStep, props.stepOrders).map((r) => ({ label: `${r.sequenceId} · ${r.stepId} · ${r.channel}`, ...r }))} />
      <h2>By channel</h2>
      <TouchTable rows={stats.byChannel.map((r) => ({ label: r.channel, ...r }))} />
    </>
  );
}

type TouchFigures = PeriodStats["touches"];

/**
 * Per-step rows in the order each sequence runs its steps (sequences by id); a step the
 * current version no longer has comes after the ones it has.
 */
export function inStepOrder<Row extends { sequenceId: string; stepId: string }>(rows: Row[], orders: Map<string, string[]>): Row[] {
  const position = (row: Row) => {
    const index = orders.get(row.sequenceId)?.indexOf(row.stepId) ?? -1;
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  return rows
    .map((row, arrival) => ({ row, arrival }))
    .sort((a, b) => a.row.sequenceId.localeCompare(b.row.sequenceId) || position(a.row) - position(b.row) || a.arrival - b.arrival)
    .map(({ row }) => row);
}

export function TouchTable(props: { rows: (TouchFigures & { label: string })[] }) {
  return (
    <ListTable
      columns={["", ...["Sent", "Delivered", "Open", "Click", "Reply", "AI draft", "Edited", "Template"].map(figures)]}
      empty="Nothing sent in this period."
      rows={props.rows.map((r) => (
        <tr>
          <td>{r.label}</td>
          <td class="n">{r.sent}</td>
          <td class="n">{percent(r.rates.delivery)}</td>
          <td class="n">{percent(r.rates.open)}</td>
          <td class="n">{percent(r.rates.click)}</td>
          <td class="n">{percent(r.rates.reply)}</td>
          <td class="n">{r.origins.aiDraft}</td>
          <td class="n">{r.origins.editedDraft}</td>
          <td class="n">{r.origins.template}</td>
        </tr>
      ))}
    />
  );
}
