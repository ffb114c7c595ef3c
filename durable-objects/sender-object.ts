import { DurableObject } from "cloudflare:workers";
import { EMPTY_PACING, reserveSlot, type PacingRules, type PacingState, type Reservation } from "../engine/time/sender-pacing";

/**
 * One per sending address: the single place that counts what this address sent today,
 * so a cap and spacing hold across every lead's object.
 */
export class SenderObject extends DurableObject<Env> {
  /** Reserves the send slot for a touch (the same slot again for a retried touch), or says why it may not go. */
  async reserve(key: string, now: number, rules: PacingRules, instant = false, recipientDomain?: string): Promise<{ slot: number } | { refused: string }> {
    const current = (await this.ctx.storage.get<PacingState>("pacing")) ?? EMPTY_PACING;
    const reservation: Reservation = reserveSlot(current, rules, key, now, instant, recipientDomain);
    if (reservation.state !== current) await this.ctx.storage.put("pacing", reservation.state);
    return reservation.refused === undefined ? { slot: reservation.slot } : { refused: reservation.refused };
  }
}
