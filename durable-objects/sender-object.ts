import { DurableObject } from "cloudflare:workers";
import { EMPTY_PACING, reserveSlot, type PacingRules, type PacingState } from "../engine/time/sender-pacing";

/**
 * One per sending address: the single place that counts what this address sent today,
 * so a cap and spacing hold across every lead's object.
 */
export class SenderObject extends DurableObject<Env> {
  /** Reserves the send slot for a touch (the same slot again for a retried touch). */
  async reserve(key: string, now: number, rules: PacingRules, instant = false): Promise<number> {
    const current = (await this.ctx.storage.get<PacingState>("pacing")) ?? EMPTY_PACING;
    const { state, slot } = reserveSlot(current, rules, key, now, instant);
    if (state !== current) await this.ctx.storage.put("pacing", state);
    return slot;
  }
}
