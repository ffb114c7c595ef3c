/**
 * The one reader of the wall clock. Locally `CLOCK_SPEED` compresses every wait (8640
 * turns a day into ten seconds) from `CLOCK_EPOCH`, the moment `npm start` began, so a
 * whole sequence plays out in minutes. Production runs at 1×.
 */
export interface Clock {
  /** Engine time in epoch milliseconds. */
  now(): number;
  /** The wall-clock moment at which engine time `at` arrives (for alarms). */
  wallTimeOf(at: number): number;
  /** Wall-clock now, for the runtime's own timers. */
  wallNow(): number;
  /** The engine time at wall-clock moment `wallAt` (the inverse of wallTimeOf). */
  engineTimeAt(wallAt: number): number;
}

export function clockFrom(env: { CLOCK_SPEED?: string; CLOCK_EPOCH?: string }, wallNow: () => number = Date.now): Clock {
  const speed = Number(env.CLOCK_SPEED ?? "1");
  const epoch = Number(env.CLOCK_EPOCH);
  if (!(speed > 1) || !(epoch > 0)) {
    return { now: wallNow, wallTimeOf: (at) => at, wallNow, engineTimeAt: (wallAt) => wallAt };
  }
  return {
    now: () => epoch + (wallNow() - epoch) * speed,
    wallTimeOf: (at) => epoch + (at - epoch) / speed,
    wallNow,
    engineTimeAt: (wallAt) => epoch + (wallAt - epoch) * speed,
  };
}
