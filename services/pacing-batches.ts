import type { SlotAnswer, SlotAsk } from "../engine/time/sender-pacing";

/**
 * Sender pacing asked once per batch, not once per touch (#23). Every lead's object in this
 * isolate that wants a slot from one sending address joins a lane: while one call to the
 * address's pacing is out, the touches that ask meanwhile wait and go together in the next
 * call. A burst of form posts then costs the sender a few calls and state writes, not one of
 * each per lead, and an idle lane asks at once, so no touch waits for a batch to fill.
 *
 * Touches in a batch come from different objects. workerd lets an object await a promise made
 * and settled in another object's context (the waiter gets a promise of its own, settled in
 * its own context), but a promise settled from a context other than its maker's runs its
 * followers in the wrong one and fails their I/O; the suite showed both. So the touch that
 * opens a batch makes its call, with its own stub, and settles the batch's answers; the
 * others only await them. Its context can end while it waits (its object reset, or over a
 * limit), taking its timers and continuations with it: every touch gives up on its answer at
 * its own deadline (a transient failure its engine retries; the sender keeps a slot it gave
 * by the touch's key, so if the call reached it the retry gets the same one), and a batch
 * still unsent well past the time its opener would have sent it is left to them, while
 * later touches open another without waiting on it.
 */

/** Gives up after a while; `clear` once the wait is over. */
export interface Deadline {
  expired: Promise<never>;
  clear(): void;
}

export interface BatchLimits {
  /** How long a batch's opener lets the call ahead hold the batch back before sending it beside that call. */
  waitAhead: () => Deadline;
  /** How long a touch waits for its answer in all. */
  answer: () => Deadline;
  /** A batch still unsent this long after it opened has lost its opener. */
  abandonedAfterMs: number;
  now: () => number;
}

/** Asks one address's pacing for a batch of slots, answered in the same order. */
export type ReserveMany = (asks: SlotAsk[]) => Promise<SlotAnswer[]>;

interface Batch {
  asks: SlotAsk[];
  openedAt: number;
  answers: Promise<SlotAnswer[]>;
}

interface Lane {
  /** The batch still taking touches. */
  open?: Batch;
  /** Settles when the last batch opened is back, however it ended (never, if its opener is gone). */
  out?: Promise<void>;
}

const ignore = () => undefined;

/** Opens a lane's next batch: it goes, with its opener's stub, once the call ahead is back or has been waited for long enough. */
function openBatch(lane: Lane, ahead: Promise<void> | undefined, reserveMany: ReserveMany, limits: BatchLimits): Batch {
  const batch: Batch = { asks: [], openedAt: limits.now(), answers: Promise.resolve([]) };
  batch.answers = (async () => {
    if (ahead) {
      const wait = limits.waitAhead();
      await Promise.race([ahead, wait.expired]).catch(ignore);
      wait.clear();
    } else {
      // A microtask at least: touches asking in the same turn share the call.
      await undefined;
    }
    if (lane.open === batch) lane.open = undefined;
    return reserveMany([...batch.asks]);
  })();
  // Touches that gave up no longer listen; that must not read as unhandled.
  batch.answers.catch(ignore);
  lane.open = batch;
  lane.out = batch.answers.then(ignore, ignore);
  return batch;
}

/** A batcher with lanes of its own: one per isolate in production, one per case in tests. */
export function slotBatcher(limits: BatchLimits) {
  // One lane per address and rules, kept for the isolate's life: a handful, each two references.
  const lanes = new Map<string, Lane>();

  /** This touch's slot, asked in its lane's next batch; `reserveMany` makes the call if this touch opens the batch. */
  return async function batchedSlot(laneKey: string, ask: SlotAsk, reserveMany: ReserveMany): Promise<SlotAnswer> {
    const deadline = limits.answer();
    try {
      const lane = lanes.get(laneKey) ?? {};
      lanes.set(laneKey, lane);
      const abandoned = lane.open !== undefined && limits.now() - lane.open.openedAt > limits.abandonedAfterMs;
      // An abandoned batch's call will never come back: the next one does not wait on it.
      const batch = (!abandoned && lane.open) || openBatch(lane, abandoned ? undefined : lane.out, reserveMany, limits);
      const index = batch.asks.push(ask) - 1;
      const answers = await Promise.race([batch.answers, deadline.expired]);
      // Answers pair with touches by place: a short answer cannot say whose slot is whose.
      const slot = answers.length === batch.asks.length ? answers[index] : undefined;
      if (!slot) throw new Error(`the sender's pacing answered ${answers.length} of ${batch.asks.length} touches`);
      return slot;
    } finally {
      deadline.clear();
    }
  };
}

/** A deadline on a timer. */
export function timeLimit(ms: number, what: string): Deadline {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  // Raced only while a touch waits; after that nobody listens, and that must not read as unhandled.
  expired.catch(ignore);
  return { expired, clear: () => clearTimeout(timer) };
}

/**
 * The sender's pacing answers in milliseconds (p50 36 ms inside a burst of 50 posts): a call
 * ahead still out after 2 s is slow or gone, and the next batch goes beside it; a batch not
 * sent 4 s after it opened lost its opener; no answer in 10 s, and the touch is retried.
 */
export const PACING_LIMITS: BatchLimits = {
  waitAhead: () => timeLimit(2_000, "the call ahead did not answer"),
  answer: () => timeLimit(10_000, "the sender's pacing did not answer"),
  abandonedAfterMs: 4_000,
  now: () => Date.now(),
};
