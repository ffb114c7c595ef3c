import { DurableObject } from "cloudflare:workers";
import { EMPTY_PACING, pacingToday, reserveSlot, type PacingRules, type PacingState, type Reservation } from "../engine/time/sender-pacing";
import type { SendingDay } from "../schemas/lead";

/**
 * One per sending address: the single place that counts what this address sent today,
 * so a cap and spacing hold across every lead's object.
 */
export class SenderObject extends DurableObject<Env> {
  /**
   * Reserves the send slot for a touch (the same slot again for a retried touch), or says why
   * it may not go; `heldBy` is the day's cap when that is what moved it to a later day.
   */
  async reserve(key: string, now: number, rules: PacingRules, instant = false, recipientDomain?: string): Promise<{ slot: number; heldBy?: SendingDay } | { refused: string }> {
    const current = await this.pacing();
    const reservation: Reservation = reserveSlot(current, rules, key, now, instant, recipientDomain);
    if (reservation.state !== current) await this.ctx.storage.put("pacing", reservation.state);
    if (reservation.refused !== undefined) return { refused: reservation.refused };
    return reservation.heldBy ? { slot: reservation.slot, heldBy: reservation.heldBy } : { slot: reservation.slot };
  }

  /** Today's cap and sends, and how many touches wait for a later day's room. */
  async today(now: number, rules: PacingRules): Promise<ReturnType<typeof pacingToday>> {
    return pacingToday(await this.pacing(), rules, now);
  }

  private async pacing(): Promise<PacingState> {
    return (await this.ctx.storage.get<PacingState>("pacing")) ?? EMPTY_PACING;
  }
}
