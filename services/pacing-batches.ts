import type { SlotAnswer, SlotAsk } from "../engine/time/sender-pacing";

/**
 * Sender pacing asked once per batch, not once per touch (#23). Every lead's object in this
 * isolate that wants a slot from one sending address joins a lane: while one call to the
 * address's pacing is out, the touches that ask meanwhile wait and go together in the next
 * call. A burst of form posts then costs the sender a few calls and state writes, not one of
 * each per lead, and an idle lane asks at once, so no touch waits for a batch to fill.
 *
 * Touches in a batch come from different objects, so each waits on a call another object
 * made. A call that never answers (its object gone mid-call) must not strand them: every
 * touch gives up at its own deadline (a transient failure its engine retries; the sender
 * keeps a slot it gave by the touch's key, so the retry gets the same one), and a batch
 * waits for the call ahead of it no longer than its first touch's deadline.
 */

/** Gives up on a call after a while; `clear` once the answer is in. */
export interface Deadline {
  expired: Promise<never>;
  clear(): void;
}

/** Asks one address's pacing for a batch of slots, answered in the same order. */
export type ReserveMany = (asks: SlotAsk[]) => Promise<SlotAnswer[]>;

interface Batch {
  asks: SlotAsk[];
  answers: Promise<SlotAnswer[]>;
}

interface Lane {
  /** The batch still taking touches: it goes when the call ahead of it is back. */
  open?: Batch;
  /** Settles when the call that is out is back, however it ended. */
  out?: Promise<void>;
}

const ignore = () => undefined;

/** A batcher with lanes of its own: one per isolate in production, one per case in tests. */
export function slotBatcher(deadline: () => Deadline) {
  const lanes = new Map<string, Lane>();

  function openBatch(name: string, lane: Lane, reserveMany: ReserveMany, expired: Promise<never>): Batch {
    const ahead = lane.out;
    const asks: SlotAsk[] = [];
    const answers = (async () => {
      // Always at least a microtask: touches asking in the same turn share the call.
      await (ahead ? Promise.race([ahead, expired]).catch(ignore) : undefined);
      if (lane.open?.asks === asks) lane.open = undefined;
      return reserveMany(asks);
    })();
    const batch: Batch = { asks, answers };
    const out = batch.answers.then(ignore, ignore);
    lane.open = batch;
    lane.out = out;
    void out.then(() => {
      if (lane.out === out && !lane.open && lanes.get(name) === lane) lanes.delete(name);
    });
    return batch;
  }

  /** This touch's slot, asked in the lane's next batch; `reserveMany` is used if this touch opens it. */
  return async function askSlot(name: string, ask: SlotAsk, reserveMany: ReserveMany): Promise<SlotAnswer> {
    const limit = deadline();
    try {
      const lane = lanes.get(name) ?? {};
      lanes.set(name, lane);
      const batch = lane.open ?? openBatch(name, lane, reserveMany, limit.expired);
      const index = batch.asks.push(ask) - 1;
      const answers = await Promise.race([batch.answers, limit.expired]);
      // Answers pair with touches by place: a short answer cannot say whose slot is whose.
      const answer = answers.length === batch.asks.length ? answers[index] : undefined;
      if (!answer) throw new Error(`the sender's pacing answered ${answers.length} of ${batch.asks.length} touches`);
      return answer;
    } finally {
      limit.clear();
    }
  };
}

/** A deadline on a timer: the sender's pacing answers in milliseconds, so seconds mean it is gone. */
export function timeLimit(ms: number): Deadline {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the sender's pacing did not answer within ${ms / 1000} s`)), ms);
  });
  // Raced only while a touch waits; after that nobody listens, and that must not read as unhandled.
  expired.catch(ignore);
  return { expired, clear: () => clearTimeout(timer) };
}
