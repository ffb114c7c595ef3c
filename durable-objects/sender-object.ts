import { DurableObject } from "cloudflare:workers";
import { EMPTY_PACING, pacingToday, reserveSlot, type PacingRules, type PacingState, type Reservation } from "../engine/time/sender-pacing";
import type { SendingDay } from "../schemas/lead";

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
   * Reserves the send slot for a touch (the same slot again for a retried touch), or says why
   * it may not go; `heldBy` is the day's cap when that is what moved it to a later day.
   */
  async reserve(key: string, now: number, rules: PacingRules, instant = false, recipientDomain?: string): Promise<{ slot: number; heldBy?: SendingDay } | { refused: string }> {
    const current = this.state;
    const reservation: Reservation = reserveSlot(current, rules, key, now, instant, recipientDomain);
    if (reservation.state !== current) {
      this.state = reservation.state;
      await this.ctx.storage.put("pacing", reservation.state);
    }
    if (reservation.refused !== undefined) return { refused: reservation.refused };
    return reservation.heldBy ? { slot: reservation.slot, heldBy: reservation.heldBy } : { slot: reservation.slot };
  }

  /** Today's cap and sends, and how many touches wait for a later day's room. */
  async today(now: number, rules: PacingRules): Promise<ReturnType<typeof pacingToday>> {
    return pacingToday(this.state, rules, now);
  }
}
