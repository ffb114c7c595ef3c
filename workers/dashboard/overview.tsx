import type { PeriodStats } from "../../services/d1/stats";
import type { SendingToday } from "../../services/touch-delivery";
import { Choice, figures, ListTable, percent } from "./layout";

/** The overview: the funnel, the rates, opens by verdict, a daily trend, and per-sequence, step and channel tables. */

const DAY = 86_400_000;

/** Leads in per day, with replies and bookings among them, as an inline SVG bar chart. */
function TrendChart(props: { daily: PeriodStats["daily"]; from: number; to: number }) {
  // Whole UTC days touched by the period, its first and last partial days included.
  const first = Math.floor(props.from / DAY) * DAY;
  const days = Math.min(Math.max(1, Math.floor((props.to - 1) / DAY) - first / DAY + 1), 367);
  const byDay = new Map(props.daily.map((d) => [d.day, d]));
  const width = 640;
  const height = 160;
  const bar = width / days;
  const peak = Math.max(1, ...props.daily.map((d) => d.leads));
  const y = (n: number) => height - 20 - (n / peak) * (height - 30);
  return (
    <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Leads per day over ${days} days, with replies and bookings`}>
      {Array.from({ length: days }, (_, i) => {
        const day = byDay.get(first + i * DAY);
        if (!day) return null;
        return (
          <g>
            <rect x={i * bar + 1} y={y(day.leads)} width={Math.max(1, bar - 2)} height={height - 20 - y(day.leads)} fill="#9ec5fe">
              <title>{`${new Date(day.day).toISOString().slice(0, 10)}: ${day.leads} leads, ${day.replied} replied, ${day.booked} booked`}</title>
            </rect>
            <rect x={i * bar + 1} y={y(day.replied)} width={Math.max(1, bar - 2)} height={height - 20 - y(day.replied)} fill="#1f6feb" />
            <rect x={i * bar + 1} y={y(day.booked)} width={Math.max(1, bar - 2)} height={height - 20 - y(day.booked)} fill="#2e7d32" />
          </g>
        );
      })}
      <line x1="0" x2={width} y1={height - 20} y2={height - 20} stroke="#9aa5b1" />
      <text x="4" y={height - 5} font-size="11" fill="#64707d">{new Date(first).toISOString().slice(0, 10)}</text>
      <text x={width - 4} y={height - 5} font-size="11" fill="#64707d" text-anchor="end">{new Date(first + (days - 1) * DAY).toISOString().slice(0, 10)}</text>
      <text x={width - 4} y="12" font-size="11" fill="#64707d" text-anchor="end">{`peak ${peak}/day · light: leads · blue: replied · green: booked`}</text>
    </svg>
  );
}

type Funnel = PeriodStats["funnel"];
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
  if (!sending) return <p class="muted" data-testid="sending">Email waits until the sender is set (see Settings).</p>;
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

export function Overview(props: { stats: PeriodStats; days: number; sending: SendingToday | null }) {
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
      <TouchTable rows={stats.byStep.map((r) => ({ label: `${r.sequenceId} · ${r.stepId} · ${r.channel}`, ...r }))} />
      <h2>By channel</h2>
      <TouchTable rows={stats.byChannel.map((r) => ({ label: r.channel, ...r }))} />
    </>
  );
}

type TouchFigures = PeriodStats["touches"];

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
