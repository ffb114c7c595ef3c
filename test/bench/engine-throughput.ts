import { simulate, type Reaction } from "../../engine/simulator";
import type { OutgoingTouch } from "../../engine/lead/lead-state";
import type { Submission } from "../../schemas/lead";
import { PRESETS } from "../../schemas/sequence-presets";

/**
 * Drives N leads through the new-inquiry preset on simulated time (60 days each), with a
 * fixed mix of behaviours, and reports wall time, leads and touches per second, and peak
 * memory. Pure engine: no workerd, no storage — the ceiling the object shell works under.
 */

const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 2, 15, 0);
const preset = (id: string) => ({ id, version: 0, sequence: PRESETS.get(id)! });

/** Lead i's behaviour: 40 % open, 10 % of those click, 5 % reply, the rest stay silent. */
function behaviour(i: number): (touch: OutgoingTouch) => Reaction[] {
  const opens = i % 10 < 4;
  const clicks = i % 100 < 10;
  const replies = i % 100 === 42 || i % 100 === 77 || i % 100 < 3;
  return (touch) => {
    if (touch.channel !== "email") return [];
    const reactions: Reaction[] = [];
    if (opens) reactions.push({ after: 3 * HOUR, kind: "open" });
    if (clicks && touch.stepId === "value") reactions.push({ after: 4 * HOUR, kind: "click" });
    if (replies && touch.stepId === "objection") reactions.push({ after: 5 * HOUR, kind: "reply" });
    return reactions;
  };
}

export interface EngineRun {
  leads: number;
  wallMs: number;
  /** The process's CPU time (user and system) over the run: unlike wall time, not stretched by the neighbours' load on a shared machine. */
  cpuMs: number;
  leadsPerSecond: number;
  touches: number;
  touchesPerSecond: number;
  events: number;
  peakRssMb: number;
}

export function runEngine(leads: number): EngineRun {
  const zones = ["America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney"];
  let touches = 0;
  let events = 0;
  let peakRss = process.memoryUsage().rss;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (let i = 0; i < leads; i++) {
    const leadId = i.toString(16).padStart(32, "0");
    const submission: Submission = {
      formId: "bench",
      receivedAt: START,
      profile: { email: `lead${i}@example.com`, firstName: "Ann", phone: "+12125550100", timezone: zones[i % zones.length]!, source: i % 3 === 0 ? "pricing-page" : "website" },
      consent: { sms: i % 2 === 0 },
      utm: {},
      custom: {},
    };
    const result = simulate({
      leadId,
      submission,
      sequence: preset("new-inquiry"),
      start: START + (i % 1440) * 60_000,
      until: START + 60 * 24 * HOUR,
      react: behaviour(i),
      sequences: (id) => (PRESETS.has(id) ? preset(id) : undefined),
    });
    touches += result.sent.length;
    events += result.events;
    if (i % 500 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  return {
    leads,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    leadsPerSecond: Math.round(leads / (wallMs / 1000)),
    touches,
    touchesPerSecond: Math.round(touches / (wallMs / 1000)),
    events,
    peakRssMb: Math.round(peakRss / 1024 / 1024),
  };
}

export interface GrowthPair {
  warmUpLeads: number;
  runs: EngineRun[];
  /** CPU time for the larger size over the smaller: 2.0 is linear growth for twice the leads. */
  growth: number;
  /** The same in wall time, which a busy machine stretches for either size. */
  wallGrowth: number;
}

/** Leads run first and not measured: the optimising compiler's work and the heap's growth would otherwise be charged to the smaller size alone, flattering the growth. */
const WARM_UP_LEADS = 2_000;

/** The smaller size, then the larger, after the warm-up. */
export function runGrowthPair([small, large]: [number, number]): GrowthPair {
  runEngine(WARM_UP_LEADS);
  const runs = [runEngine(small), runEngine(large)] as [EngineRun, EngineRun];
  const ratio = (a: number, b: number) => Number((b / a).toFixed(2));
  return { warmUpLeads: WARM_UP_LEADS, runs, growth: ratio(runs[0].cpuMs, runs[1].cpuMs), wallGrowth: ratio(runs[0].wallMs, runs[1].wallMs) };
}
