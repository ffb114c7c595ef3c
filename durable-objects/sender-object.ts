import { DurableObject } from "cloudflare:workers";
import { EMPTY_PACING, pacingToday, reserveSlots, type PacingRules, type PacingState, type SlotAnswer, type SlotAsk } from "../engine/time/sender-pacing";

/**
 * One per sending address: the single place that counts what this address sent today,
 * so a cap and spacing hold across every lead's object.
 */
export class SenderObject extends DurableObject<Env> {
  /**
   * The pacing state, read once: each reservation reads and replaces it with no await between,
   * so touches asking at the same moment (a burst of form posts) each see the slots taken
   * before them. Read from storage before every reservation, two could both see the day's
   * last free slot and the cap be passed.
   */
  private state: PacingState = EMPTY_PACING;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.state = (await ctx.storage.get<PacingState>("pacing")) ?? EMPTY_PACING;
    });
  }

  /**
   * Reserves send slots for a batch of touches, in the order they asked (the same slot again
   * for a retried touch), or says why one may not go; `heldBy` is the day's cap when that is
   * what moved a touch to a later day. One state write for the whole batch.
   */
  async reserveMany(asks: SlotAsk[], rules: PacingRules): Promise<SlotAnswer[]> {
    const current = this.state;
    const { state, answers } = reserveSlots(current, rules, asks);
    if (state !== current) {
      this.state = state;
      await this.ctx.storage.put("pacing", state);
    }
    return answers;
  }

  /**
   * The previous release's one-touch request, kept for one release: during a gradual
   * deployment or a rollback, lead objects on that release still ask this way.
   */
  async reserve(key: string, now: number, rules: PacingRules, instant = false, recipientDomain?: string): Promise<SlotAnswer> {
    const [answer] = await this.reserveMany([{ key, now, instant, recipientDomain }], rules);
    if (!answer) throw new Error("the pacing gave no answer for the touch");
    return answer;
  }

  /** Today's cap and sends, and how many touches wait for a later day's room. */
  async today(now: number, rules: PacingRules): Promise<ReturnType<typeof pacingToday>> {
    return pacingToday(this.state, rules, now);
  }
}
