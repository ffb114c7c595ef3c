import type { LeadEvent, LeadState, Timer } from "../engine/lead/lead-state";
import type { Settings } from "../schemas/settings";
import { EFFECT_LEASE_MS, EFFECT_MAX_ATTEMPTS, retryDelayMs } from "./effect-retry";
import { performEffect, type EffectContext, type EffectResult, type EffectRow } from "./lead-effects";
import { projectFromStorage } from "./lead-projection";
import type { LeadObjectSeams } from "./lead-seams";
import * as storage from "./lead-storage";

/**
 * The object's due rows, run: each leased for one attempt, its effect performed, and the
 * row settled with the event the attempt produced in one transaction; a failure is retried
 * by the one policy in effect-retry.ts and, at the cap, given up visibly.
 */

/** The object as its due rows see it. */
export interface DrainHost {
  readonly sql: SqlStorage;
  readonly seams: LeadObjectSeams;
  readonly ctx: DurableObjectState;
  load(): LeadState | null;
  /** Applies an event and writes its outcome; `alongside` runs inside the same transaction. */
  apply(event: LeadEvent, settings: Settings, alongside?: () => void): void;
}

/**
 * What the lead gets (or must stop getting) goes first, then the owner's view in D1, then the
 * slower work for people: alerts, hand-offs, drafts of later touches.
 */
const RANK: Record<storage.DueKind, 0 | 1 | 2> = {
  timer: 0,
  send: 0,
  // A step's task for a rep is that step's touch.
  rep_task: 0,
  enrol: 0,
  suppress: 0,
  unsuppress: 0,
  send_reconsent: 0,
  conversation: 0,
  project: 1,
  alert: 2,
  hand_off: 2,
  handoff: 2,
  draft: 2,
};
// A kind this code does not know (a row from a newer version, after a rollback) runs with the touches and fails alone.
const rank = (item: storage.DueItem): number => RANK[item.kind] ?? 0;

export async function runDue(host: DrainHost, settings: Settings): Promise<void> {
  // Bounded: each pass handles what is due now; new work due at once is picked up by the next pass.
  for (let pass = 0; pass < 50; pass++) {
    const due = storage.dueItems(host.sql, host.seams.clock.now());
    if (due.length === 0) return;
    // A pass runs only the most urgent rank due: a step's timer queues the touch it sends, and
    // that touch (a new lead's acknowledgement) must go before the projection and drafts the
    // same event queued, not after them.
    const urgent = Math.min(...due.map(rank));
    for (const item of due.filter((i) => rank(i) === urgent)) await runItem(host, item, settings);
  }
}

/**
 * One row, leased for one attempt. A row asked for again while it runs no longer holds its
 * lease (storage.Lease), and settling it (deleting, parking, a retry's wait) only touches a
 * row that still does. A lasting row (the projection) is leased too: the lease holds a
 * burst's later signals to the burst's end and counts an attempt cut short by an eviction. It
 * is never dropped, as D1 must come to mirror the lead: its failure is recorded once, at the
 * cap, and it goes on at the longest wait.
 */
async function runItem(host: DrainHost, item: storage.DueItem, settings: Settings): Promise<void> {
  const state = host.load();
  const now = host.seams.clock.now();
  const leaseEnd = host.seams.clock.engineTimeAt(host.seams.clock.wallNow() + EFFECT_LEASE_MS);
  if (item.kind === "timer") return fireTimer(host, item, state, settings, now, leaseEnd);
  const leased = storage.leaseDue(host.sql, item.id, now, leaseEnd);
  if (leased === undefined) return;
  // A conversation row is the only effect of an object without a lead (an unknown visitor's chat); it reads no lead state.
  if (state === null && item.kind !== "conversation") return storage.completeDue(host.sql, item.id);
  const { payload, attempts } = leased;
  const lease = { until: leaseEnd, attempts };
  const lasting = storage.LASTING.has(item.kind);
  const effect = { ...JSON.parse(payload), kind: item.kind } as EffectRow;
  let result: EffectResult;
  try {
    result = await performEffect(effect, effectContext(host, state as LeadState, now, settings));
  } catch (error) {
    result = { kind: "retry", reason: String(error).slice(0, 200) };
  }
  if (result.kind === "done") {
    const { then = [] } = result;
    const settle = () => {
      if (lasting) storage.parkDue(host.sql, item.id, lease);
      else storage.completeDue(host.sql, item.id, lease);
      for (const next of then) storage.queueEffect(host.sql, next.key, next.effect, now);
    };
    if (result.event) host.apply(result.event, settings, settle);
    else host.ctx.storage.transactionSync(settle);
    return;
  }
  const givenUp = lasting ? attempts === EFFECT_MAX_ATTEMPTS : result.kind === "failed" || attempts >= EFFECT_MAX_ATTEMPTS;
  console.error(JSON.stringify({ leadId: host.ctx.id.name, event: "effect_not_done", effect: item.kind, key: item.key, attempts, reason: result.reason, givenUp }));
  const retryAt = now + retryDelayMs(attempts, Math.random());
  if (!givenUp) return storage.retryDue(host.sql, item.id, lease, retryAt);
  const failed = { kind: "effect_failed" as const, effect: item.kind, attempts, reason: result.reason };
  // The failure is a change of the lead, which asks for a projection again: the row keeps that newer request, at the longest wait.
  if (lasting) return host.apply(failed, settings, () => storage.holdDue(host.sql, item.id, retryAt, attempts));
  host.apply(failed, settings, () => storage.completeDue(host.sql, item.id, lease));
}

/**
 * A timer fires in the one transaction that applies it, with nothing awaited in between, so it
 * needs no lease written first (a row saved per timer). The engine moves or clears it; one it
 * leaves as it was waits a lease before it fires again, as does one whose event throws.
 */
function fireTimer(host: DrainHost, item: storage.DueItem, state: LeadState | null, settings: Settings, now: number, leaseEnd: number): void {
  // The row as it is now, if it is still due: an earlier row of the same pass may have moved or cleared it.
  const row = storage.dueRow(host.sql, item.id, now);
  if (row === undefined) return;
  if (state === null) {
    storage.completeDue(host.sql, item.id);
    return;
  }
  try {
    host.apply({ kind: "timer_fired", timer: JSON.parse(row.payload) as Timer }, settings, () => storage.leaseIfUnchanged(host.sql, item.id, row, leaseEnd));
  } catch (error) {
    storage.leaseDue(host.sql, item.id, now, leaseEnd);
    throw error;
  }
}

function effectContext(host: DrainHost, state: LeadState, now: number, settings: Settings): EffectContext {
  return {
    env: host.seams.env,
    settings,
    clock: host.seams.clock,
    state,
    now,
    timeline: () => storage.readTimeline(host.sql),
    languageModel: host.seams.languageModel(settings),
    summaryModel: host.seams.languageModel(settings, "summary"),
    draftTimeoutMs: host.seams.draftTimeoutMs,
    project: () => projectFromStorage(host.sql, host.seams.env, host.load() ?? state),
  };
}
