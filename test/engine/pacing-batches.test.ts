import { describe, expect, it } from "vitest";
import type { SlotAnswer, SlotAsk } from "../../engine/time/sender-pacing";
import { type BatchLimits, type Deadline, slotBatcher } from "../../services/pacing-batches";

/** Sender pacing asked once per batch (#23): the lanes, with calls and deadlines the test settles by hand. */

/** A call to the sender's pacing that answers only when the test says. */
function pacingCalls() {
  const calls: { asks: SlotAsk[]; answer(): void; fail(error: Error): void }[] = [];
  const reserveMany = (asks: SlotAsk[]) =>
    new Promise<SlotAnswer[]>((resolve, reject) => {
      calls.push({ asks: [...asks], answer: () => resolve(asks.map((ask) => ({ slot: ask.now }))), fail: reject });
    });
  return { calls, reserveMany };
}

/** A clock of deadlines that expire only when the test expires them, each kind in the order the touches asked. */
function deadlines() {
  const made = { waitAhead: [] as { expire(): void; cleared: boolean }[], answer: [] as { expire(): void; cleared: boolean }[] };
  const make = (kind: keyof typeof made) => (): Deadline => {
    let expire = () => {};
    const expired = new Promise<never>((_, reject) => {
      expire = () => reject(new Error(`${kind} deadline`));
    });
    expired.catch(() => undefined);
    const entry = { expire, cleared: false };
    made[kind].push(entry);
    return {
      expired,
      clear: () => {
        entry.cleared = true;
      },
    };
  };
  const clock = { at: 0 };
  const limits: BatchLimits = { waitAhead: make("waitAhead"), answer: make("answer"), abandonedAfterMs: 4_000, now: () => clock.at };
  return { ...made, limits, clock };
}

const ask = (key: string, now = 1_000): SlotAsk => ({ key, now, instant: true, recipientDomain: "example.com" });
/** Lets every pending continuation run: the lanes chain a few promises per step. */
const turns = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe("asking a sender's pacing in batches", () => {
  it("touches asking while a call is out go together in the next call, each with its own answer", async () => {
    const { calls, reserveMany } = pacingCalls();
    const askSlot = slotBatcher(deadlines().limits);
    const first = askSlot("owner@example.com", ask("a", 1), reserveMany);
    await turns();
    expect(calls.map((c) => c.asks.map((a) => a.key))).toEqual([["a"]]);

    const later = ["b", "c", "d"].map((key, i) => askSlot("owner@example.com", ask(key, 10 + i), reserveMany));
    await turns();
    expect(calls).toHaveLength(1);
    calls[0]!.answer();
    expect(await first).toEqual({ slot: 1 });
    await turns();
    expect(calls.map((c) => c.asks.map((a) => a.key))).toEqual([["a"], ["b", "c", "d"]]);
    calls[1]!.answer();
    expect(await Promise.all(later)).toEqual([{ slot: 10 }, { slot: 11 }, { slot: 12 }]);
  });

  it("an idle lane asks at once, and lanes for different addresses never wait on each other", async () => {
    const { calls, reserveMany } = pacingCalls();
    const askSlot = slotBatcher(deadlines().limits);
    const one = askSlot("one@example.com", ask("a"), reserveMany);
    const two = askSlot("two@example.com", ask("b"), reserveMany);
    await turns();
    expect(calls.map((c) => c.asks.map((a) => a.key))).toEqual([["a"], ["b"]]);
    calls[1]!.answer();
    expect(await two).toEqual({ slot: 1_000 });
    calls[0]!.answer();
    await one;
  });

  it("a call that fails fails every touch in it, and the next batch still goes", async () => {
    const { calls, reserveMany } = pacingCalls();
    const askSlot = slotBatcher(deadlines().limits);
    const failing = [askSlot("s", ask("a"), reserveMany), askSlot("s", ask("b"), reserveMany)];
    await turns();
    const next = askSlot("s", ask("c"), reserveMany);
    calls[0]!.fail(new Error("sender overloaded"));
    for (const touch of failing) await expect(touch).rejects.toThrow("sender overloaded");
    await turns();
    expect(calls.map((c) => c.asks.map((a) => a.key))).toEqual([["a", "b"], ["c"]]);
    calls[1]!.answer();
    expect(await next).toEqual({ slot: 1_000 });
  });

  it("a call that never answers: the batch behind it goes once its opener has waited long enough, and its touches keep their answers", async () => {
    const { calls, reserveMany } = pacingCalls();
    const clock = deadlines();
    const askSlot = slotBatcher(clock.limits);
    const stranded = askSlot("s", ask("a"), reserveMany);
    await turns();
    const behind = [askSlot("s", ask("b"), reserveMany), askSlot("s", ask("c"), reserveMany)];
    await turns();
    expect(calls).toHaveLength(1);

    clock.answer[0]!.expire();
    await expect(stranded).rejects.toThrow("answer deadline");
    await turns();
    // Still behind the stranded call: the opener's wait for the call ahead bounds it, not an answer's deadline.
    expect(calls).toHaveLength(1);
    clock.waitAhead[0]!.expire();
    await turns();
    expect(calls.map((c) => c.asks.map((a) => a.key))).toEqual([["a"], ["b", "c"]]);
    calls[1]!.answer();
    expect(await Promise.all(behind)).toEqual([{ slot: 1_000 }, { slot: 1_000 }]);
    expect([...clock.waitAhead, ...clock.answer].every((d) => d.cleared)).toBe(true);
  });

  it("a batch whose opener is gone before it sent: touches within the opener's time join it, later ones open another that goes at once", async () => {
    const { calls, reserveMany } = pacingCalls();
    const clock = deadlines();
    const askSlot = slotBatcher(clock.limits);
    void askSlot("s", ask("a"), reserveMany).catch(() => undefined);
    await turns();
    // "b" opens the next batch and its object goes away: its wait never ends, it never sends.
    void askSlot("s", ask("b"), reserveMany).catch(() => undefined);
    const joined = askSlot("s", ask("c"), reserveMany);
    await turns();
    clock.clock.at = 4_000;
    const within = askSlot("s", ask("d"), reserveMany);
    clock.clock.at = 4_001;
    const later = askSlot("s", ask("e"), reserveMany);
    await turns();
    // Neither the stranded call ahead nor the abandoned batch holds "e" back.
    expect(calls.map((c) => c.asks.map((a) => a.key))).toEqual([["a"], ["e"]]);
    calls[1]!.answer();
    expect(await later).toEqual({ slot: 1_000 });
    // The abandoned batch's touches in live objects give up at their own deadlines, to be retried.
    clock.answer[2]!.expire();
    clock.answer[3]!.expire();
    await expect(joined).rejects.toThrow("answer deadline");
    await expect(within).rejects.toThrow("answer deadline");
  });

  it("an answer that leaves a touch out fails every touch in the batch: none gets a slot that may be another's", async () => {
    const askSlot = slotBatcher(deadlines().limits);
    const short = async (asks: SlotAsk[]): Promise<SlotAnswer[]> => asks.slice(1).map(() => ({ slot: 5 }));
    const touches = [askSlot("s", ask("a"), short), askSlot("s", ask("b"), short)];
    for (const touch of touches) await expect(touch).rejects.toThrow("answered 1 of 2 touches");
  });
});
