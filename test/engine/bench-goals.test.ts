import { describe, expect, it } from "vitest";
import { atLeast, atMost, type BenchFigures, type Figure, goalsTable, isMet, issue23Figures, verdict } from "../bench/goals";

/** BENCHMARKS.md says which of issue #23's goals a run met: computed from the figures, never typed. */

const run = (over: Partial<BenchFigures> = {}): BenchFigures => ({
  speedToLead: { p50Ms: 180, p99Ms: 640 },
  formPostRatio: 0.2,
  hotPath: { leads: 1000, spread: { pixel: 0.7, click: 0.65, beacon: 0.8 }, singleLead: { pixel: 0.1, click: 0.1, beacon: 0.1 } },
  d1RowsWritten: 31,
  d1IndexEntriesWritten: 38,
  objectRowsWritten: 55,
  platformDollarsPerThousand: 0.08,
  modelDollarsPerThousand: { opener: 0.12, engaged: 0.4 },
  engineGrowth: [1.9, 2.05, 2.2],
  engineSizes: [10_000, 20_000],
  ...over,
});

const rowOf = (table: string, figure: string) => table.split("\n").find((line) => line.startsWith(`| ${figure}`)) ?? "";

describe("issue #23's goals table", () => {
  it("meets an 'at most' goal up to and including its limit, and misses it above", () => {
    expect(isMet(250, atMost(250, "ms"))).toBe(true);
    expect(isMet(249, atMost(250, "ms"))).toBe(true);
    expect(isMet(251, atMost(250, "ms"))).toBe(false);
  });

  it("meets an 'at least' ratio from its limit up, and misses it below", () => {
    expect(isMet(0.6, atLeast(0.6, "×"))).toBe(true);
    expect(isMet(0.59, atLeast(0.6, "×"))).toBe(false);
  });

  it("marks every figure met when each measure meets its goal", () => {
    const table = goalsTable(issue23Figures(run()));
    const rows = table.split("\n").slice(2);
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row.endsWith("| **yes** |")).toBe(true);
  });

  it("names the part of a figure that missed: a p99 over 1 s with a p50 under 250 ms", () => {
    const table = goalsTable(issue23Figures(run({ speedToLead: { p50Ms: 240, p99Ms: 1_210 } })));
    expect(rowOf(table, "speed to lead")).toBe(
      "| speed to lead, 50 form posts at once → first touch in the outbox | p50 1,514 ms, p99 1,548 ms | p50 240 ms, p99 1,210 ms | p50 ≤ 250 ms, p99 ≤ 1,000 ms | **no** (p99) |",
    );
  });

  it("misses engine growth when one of the three runs is over 2.2, however good the others", () => {
    const table = goalsTable(issue23Figures(run({ engineGrowth: [1.4, 2.26, 1.9] })));
    expect(rowOf(table, "engine growth")).toBe(
      "| engine growth for 2× leads (10k → 20k) in CPU time, in each of 3 runs | 2.26 this run, 1.94 last | run 1 1.4, run 2 2.26, run 3 1.9 | each ≤ 2.2 | **no** (run 2) |",
    );
  });

  it("judges the hot path on the spread ratios only: the single lead stays beside them as the worst case", () => {
    const spreadMet = issue23Figures(run({ hotPath: { leads: 1000, spread: { pixel: 0.6, click: 0.61, beacon: 0.9 }, singleLead: { pixel: 0.02, click: 0.02, beacon: 0.02 } } }));
    expect(verdict(spreadMet[2] as Figure)).toEqual({ met: true });
    const clickMissed = issue23Figures(run({ hotPath: { leads: 1000, spread: { pixel: 0.6, click: 0.59, beacon: 0.9 }, singleLead: { pixel: 0.9, click: 0.9, beacon: 0.9 } } }));
    expect(verdict(clickMissed[2] as Figure)).toEqual({ met: false, missed: ["click"] });
  });

  it("counts D1's index entries against their own goal beside the rows", () => {
    expect(verdict(issue23Figures(run({ d1RowsWritten: 40, d1IndexEntriesWritten: 41 }))[3] as Figure)).toEqual({ met: false, missed: ["index entries"] });
  });

  it("misses a figure every part of which missed without naming the parts, and prices in dollars", () => {
    const table = goalsTable(issue23Figures(run({ modelDollarsPerThousand: { opener: 0.773, engaged: 1.6775 } })));
    expect(rowOf(table, "model cost")).toContain("| opener $0.773, engaged $1.678 | each ≤ $0.50 | **no** |");
  });

  it("says 'not measured' rather than met when a part of the bench did not run", () => {
    const table = goalsTable(issue23Figures(run({ speedToLead: null, formPostRatio: null, hotPath: null })));
    expect(rowOf(table, "speed to lead")).toContain("| not measured | p50 ≤ 250 ms, p99 ≤ 1,000 ms | not measured |");
    expect(rowOf(table, "form post")).toContain("| not measured | ≥ 0.15× | not measured |");
    expect(rowOf(table, "open pixel")).toContain("| not measured | each ≥ 0.6× | not measured |");
  });
});
