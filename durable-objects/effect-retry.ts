/**
 * The one retry policy for every effect a lead object performs: exponential backoff from
 * 30 seconds, capped at an hour a wait, with ±20% jitter so that a thousand leads hit by
 * the same outage do not come back in the same second; given up after the eighth attempt
 * (about two hours of trying), visibly. The projection is recorded as failed there but not
 * dropped (lead-storage.ts, LASTING).
 */

export const EFFECT_MAX_ATTEMPTS = 8;
const FIRST_WAIT_MS = 30_000;
const LONGEST_WAIT_MS = 3_600_000;

/** An attempt running longer than this (wall clock) is taken to have died with its object. */
export const EFFECT_LEASE_MS = 60_000;

/** How long to wait after attempt number `attempts` failed; `random` is in [0, 1). */
export function retryDelayMs(attempts: number, random: number): number {
  const wait = Math.min(FIRST_WAIT_MS * 2 ** Math.max(0, attempts - 1), LONGEST_WAIT_MS);
  return Math.round(wait * (0.8 + 0.4 * random));
}
