import type { LeadEffect, LeadEvent, LeadState } from "../engine/lead/lead-state";
import type { Clock } from "../services/clock";
import { effectRowOf } from "./lead-effects";
import * as storage from "./lead-storage";

/**
 * Signals come in bursts: a mail client's open with its image proxy's, a scanner's run over
 * every link, a visit's page views and leaves. The first signal of a burst is projected to
 * D1 at once; those that follow within this long (wall time) share one projection at the
 * window's end. Anything else (a form post, a reply, a hand-off) takes a waiting projection
 * with it at once.
 */
export const SIGNAL_PROJECTION_DELAY_MS = 2_000;
const SIGNALS: ReadonlySet<LeadEvent["kind"]> = new Set(["email_opened", "link_clicked", "page_viewed", "page_left"]);

/**
 * A lead's current burst of signals: it ends at `endsAt` (wall time), and signals until then
 * share the projection due at `dueAt` (engine time, fixed when the burst began, so that every
 * signal of the burst asks for the same moment and the waiting row need not be written again).
 */
export interface SignalBurst {
  endsAt: number;
  dueAt: number;
}

/**
 * When an event's projection is due (engine time, `now` given): now, unless the event is a signal inside a
 * burst (then the burst's end). A signal after the burst ended begins the next one.
 */
export function projectionDueAt(event: LeadEvent, burst: SignalBurst, clock: Clock, now: number): number {
  const wallNow = clock.wallNow();
  if (!SIGNALS.has(event.kind)) return now;
  if (wallNow < burst.endsAt) return burst.dueAt;
  burst.endsAt = wallNow + SIGNAL_PROJECTION_DELAY_MS;
  burst.dueAt = clock.engineTimeAt(burst.endsAt);
  return now;
}

/**
 * Writes what an event changed: the state, its timeline entries and timers, and every other
 * effect as a keyed due row, due `now` (a signal's projection at `projectionAt`). Call inside
 * the state's transaction.
 */
export function writeOutcome(sql: SqlStorage, state: LeadState, effects: LeadEffect[], now: number, projectionAt: number): void {
  storage.saveState(sql, state);
  for (const effect of effects) {
    if (effect.kind === "append_timeline") storage.appendTimeline(sql, effect.entry);
    else if (effect.kind === "rejudge_timeline") storage.rejudgeTimeline(sql, effect.seqs, effect.verdict, effect.reason);
    else if (effect.kind === "schedule") storage.setTimer(sql, effect.timer, effect.at);
    else if (effect.kind === "unschedule") storage.clearTimer(sql, effect.timer);
    else {
      const row = effectRowOf(effect, state);
      if (!row) continue;
      // A suppression still retrying must not land after the owner lifted it, nor a lift after a new opt-out.
      if (row.effect.kind === "unsuppress") storage.dropQueuedEffect(sql, `suppress:${row.effect.channel}:${row.effect.value}`);
      if (row.effect.kind === "suppress") storage.dropQueuedEffectsStartingWith(sql, `unsuppress:${row.effect.channel}:${row.effect.value}:`);
      storage.queueEffect(sql, row.key, row.effect, row.effect.kind === "project" ? projectionAt : now);
    }
  }
}
