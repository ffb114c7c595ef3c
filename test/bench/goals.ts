/**
 * The goals of issue #23 as data: each figure of its table, what it was when the issue was
 * filed, this run's measure and whether the goal is met — computed from the measure against
 * the goal, never typed. `npm run bench` renders the table into BENCHMARKS.md.
 */

export type Unit = "ms" | "×" | "$" | "rows" | "ratio";

/** A limit a measure must stay within. */
export interface Goal {
  bound: "at most" | "at least";
  limit: number;
  unit: Unit;
}

/** One measured number of a figure; `value` is null where this run did not measure it. A measure without a goal is shown beside the others (a worst case, a second lead). */
export interface Measure {
  label?: string;
  value: number | null;
  unit: Unit;
  goal?: Goal;
}

export interface Figure {
  figure: string;
  /** The issue's "now" column, as filed. */
  whenFiled: string;
  measures: Measure[];
}

export type Verdict = { met: true } | { met: false; missed: string[] } | { met: null };

export const atMost = (limit: number, unit: Unit): Goal => ({ bound: "at most", limit, unit });
export const atLeast = (limit: number, unit: Unit): Goal => ({ bound: "at least", limit, unit });

export function isMet(value: number, goal: Goal): boolean {
  return goal.bound === "at most" ? value <= goal.limit : value >= goal.limit;
}

/** Met when every measure with a goal meets it; unknown when one of them was not measured. */
export function verdict(figure: Figure): Verdict {
  const judged = figure.measures.filter((m): m is Measure & { goal: Goal } => m.goal !== undefined);
  if (judged.length === 0 || judged.some((m) => m.value === null)) return { met: null };
  const missed = judged.filter((m) => !isMet(m.value as number, m.goal)).map((m) => m.label ?? figure.figure);
  return missed.length === 0 ? { met: true } : { met: false, missed };
}

/** Two decimals at most, none trailing: 0.6, 0.03, 2.26. */
const trimmed = (value: number) => String(Number(value.toFixed(2)));

export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case "ms":
      return `${Math.round(value).toLocaleString("en")} ms`;
    case "×":
      return `${trimmed(value)}×`;
    case "$":
      return `$${value.toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 3 })}`;
    case "rows":
      return Math.round(value).toLocaleString("en");
    case "ratio":
      return trimmed(value);
  }
}

const formatGoal = (goal: Goal) => `${goal.bound === "at most" ? "≤" : "≥"} ${formatValue(goal.limit, goal.unit)}`;
const labelled = (m: Measure, text: string) => (m.label ? `${m.label} ${text}` : text);
const cell = (s: string) => s.replaceAll("|", "\\|");

function renderVerdict(v: Verdict, figure: Figure): string {
  if (v.met === null) return "not measured";
  if (v.met) return "**yes**";
  const all = figure.measures.filter((m) => m.goal).length;
  return v.missed.length === all ? "**no**" : `**no** (${v.missed.join(", ")})`;
}

/** One goal shared by every part reads "each ≤ 2.2"; different goals are named part by part. */
function renderGoals(judged: (Measure & { goal: Goal })[]): string {
  if (judged.length === 0) return "–";
  const texts = judged.map((m) => formatGoal(m.goal));
  if (judged.length > 1 && texts.every((t) => t === texts[0])) return `each ${texts[0]}`;
  return judged.map((m, i) => labelled(m, texts[i] as string)).join(", ");
}

/** The goals table in Markdown: figure, the issue's "now", this run, goal, met. */
export function goalsTable(figures: Figure[]): string {
  const rows = figures.map((f) => {
    const run = f.measures.every((m) => m.value === null)
      ? "not measured"
      : f.measures.map((m) => labelled(m, m.value === null ? "not measured" : formatValue(m.value, m.unit))).join(", ");
    const goal = renderGoals(f.measures.filter((m): m is Measure & { goal: Goal } => m.goal !== undefined));
    return `| ${cell(f.figure)} | ${cell(f.whenFiled)} | ${cell(run)} | ${cell(goal)} | ${renderVerdict(verdict(f), f)} |`;
  });
  return ["| figure | when #23 was filed | this run | goal | met? |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}

/** What one `npm run bench` measured, as the goals need it; null where a part did not run. */
export interface BenchFigures {
  speedToLead: { p50Ms: number; p99Ms: number } | null;
  formPostRatio: number | null;
  /** Ratios to the bare route: spread over `leads` leads, and all to one lead (the worst case). */
  hotPath: { leads: number; spread: HotPathRatios; singleLead: HotPathRatios } | null;
  d1RowsWritten: number;
  d1IndexEntriesWritten: number;
  objectRowsWritten: number;
  platformDollarsPerThousand: number;
  /** Model cost per 1,000 leads with the deployment's default models: the lead that only opens, and an engaged one. */
  modelDollarsPerThousand: { opener: number; engaged: number };
  /** The engine's growth ratio for 2× leads, one per run. */
  engineGrowth: number[];
  engineSizes: [number, number];
}

export interface HotPathRatios {
  pixel: number;
  click: number;
  beacon: number;
}

const ROWS_GOAL = 40;

/** Issue #23's table, row by row, with this run's measures. */
export function issue23Figures(b: BenchFigures): Figure[] {
  const hot = (pick: (r: HotPathRatios) => number, label: string, goal?: Goal): Measure => ({
    label,
    value: b.hotPath ? pick(b.hotPath.spread) : null,
    unit: "×",
    ...(goal ? { goal } : {}),
  });
  const single = (pick: (r: HotPathRatios) => number, label: string): Measure => ({ label, value: b.hotPath ? pick(b.hotPath.singleLead) : null, unit: "×" });
  const spreadOver = b.hotPath ? b.hotPath.leads.toLocaleString("en") : "1,000";
  const [small, large] = b.engineSizes.map((n) => `${n / 1000}k`);
  return [
    {
      figure: "speed to lead, 50 form posts at once → first touch in the outbox",
      whenFiled: "p50 1,514 ms, p99 1,548 ms",
      measures: [
        { label: "p50", value: b.speedToLead?.p50Ms ?? null, unit: "ms", goal: atMost(250, "ms") },
        { label: "p99", value: b.speedToLead?.p99Ms ?? null, unit: "ms", goal: atMost(1000, "ms") },
      ],
    },
    {
      figure: "form post, req/s as a ratio to the bare route",
      whenFiled: "0.021×",
      measures: [{ value: b.formPostRatio, unit: "×", goal: atLeast(0.15, "×") }],
    },
    {
      figure: `open pixel / click / beacon, ratio to bare, spread over ${spreadOver} leads (one lead beside, the worst case)`,
      whenFiled: "0.23× / 0.18× / 0.28× (one lead)",
      measures: [
        hot((r) => r.pixel, "pixel", atLeast(0.6, "×")),
        hot((r) => r.click, "click", atLeast(0.6, "×")),
        hot((r) => r.beacon, "beacon", atLeast(0.6, "×")),
        single((r) => r.pixel, "one lead: pixel"),
        single((r) => r.click, "click"),
        single((r) => r.beacon, "beacon"),
      ],
    },
    {
      figure: "D1 rows written per lead over new-inquiry (+ index entries)",
      whenFiled: "131 (+115)",
      measures: [
        { label: "rows", value: b.d1RowsWritten, unit: "rows", goal: atMost(ROWS_GOAL, "rows") },
        { label: "index entries", value: b.d1IndexEntriesWritten, unit: "rows", goal: atMost(ROWS_GOAL, "rows") },
      ],
    },
    {
      figure: "object rows written per lead",
      whenFiled: "138",
      measures: [{ value: b.objectRowsWritten, unit: "rows", goal: atMost(60, "rows") }],
    },
    {
      figure: "platform cost per 1,000 leads (list prices, counted)",
      whenFiled: "$0.39",
      measures: [{ value: b.platformDollarsPerThousand, unit: "$", goal: atMost(0.1, "$") }],
    },
    {
      figure: "model cost per 1,000 leads (default models)",
      whenFiled: "$4.89 (11 calls, ~12k tokens in per lead, a 70B model)",
      measures: [
        { label: "opener", value: b.modelDollarsPerThousand.opener, unit: "$", goal: atMost(0.5, "$") },
        { label: "engaged", value: b.modelDollarsPerThousand.engaged, unit: "$", goal: atMost(0.5, "$") },
      ],
    },
    {
      figure: `engine growth for 2× leads (${small} → ${large}) in CPU time, ${b.engineGrowth.length === 1 ? "in one run" : `in each of ${b.engineGrowth.length} runs`}`,
      whenFiled: "2.26 this run, 1.94 last",
      measures:
        b.engineGrowth.length === 0
          ? [{ value: null, unit: "ratio", goal: atMost(2.2, "ratio") }]
          : b.engineGrowth.map((g, i) => ({ label: `run ${i + 1}`, value: g, unit: "ratio" as const, goal: atMost(2.2, "ratio") })),
    },
  ];
}
