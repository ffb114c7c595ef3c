import type { SendingWindow } from "../../schemas/sequence";
import { localParts, localTimeOnDay } from "./local-time";

/** SMS may reach a person only between 08:00 and 21:00 their time (TCPA quiet hours), any day. */
export const SMS_QUIET_HOURS: SendingWindow = { days: [1, 2, 3, 4, 5, 6, 7], start: "08:00", end: "21:00" };

/** The earliest instant at or after `at` inside the window, in the lead's zone. */
export function nextOpening(at: number, timeZone: string, window: SendingWindow): number {
  // A window open at least one day a week opens within the next eight local days.
  for (let day = 0; day <= 8; day++) {
    const opens = localTimeOnDay(at, timeZone, day, window.start);
    const closes = localTimeOnDay(at, timeZone, day, window.end);
    if (closes <= at || !window.days.includes(localParts(opens, timeZone).weekday)) continue;
    return Math.max(at, opens);
  }
  return at;
}

/** The earliest instant at or after `at` inside every one of the windows. */
export function nextOpeningInAll(at: number, timeZone: string, windows: SendingWindow[]): number {
  let candidate = at;
  // Each pass moves forward to the next window's opening; when none moves it, all are open.
  for (let pass = 0; pass < 16; pass++) {
    const moved = windows.reduce((t, window) => nextOpening(t, timeZone, window), candidate);
    if (moved === candidate) return candidate;
    candidate = moved;
  }
  return candidate;
}

function isOpen(at: number, timeZone: string, windows: SendingWindow[]): boolean {
  return nextOpeningInAll(at, timeZone, windows) === at;
}

/**
 * The lead's most active local hour from its human opens and clicks, once there are at
 * least `minSignals`; ties go to the earlier hour. Null when there is not enough to go on.
 */
export function peakHour(signalTimes: number[], timeZone: string, minSignals: number): number | null {
  if (signalTimes.length < minSignals) return null;
  const byHour = new Array<number>(24).fill(0);
  for (const at of signalTimes) byHour[localParts(at, timeZone).hour]! += 1;
  const best = Math.max(...byHour);
  return byHour.indexOf(best);
}

/**
 * Send-time optimisation: the first start of the peak hour at or after `at` that lies in
 * the windows, within a day, and before `limit` (the next step). Otherwise `at` itself.
 */
export function atPeakHour(at: number, timeZone: string, hour: number, windows: SendingWindow[], limit: number): number {
  if (localParts(at, timeZone).hour === hour) return at;
  const hh = `${String(hour).padStart(2, "0")}:00`;
  for (const day of [0, 1]) {
    const candidate = localTimeOnDay(at, timeZone, day, hh);
    if (candidate <= at || candidate - at > 86_400_000 || candidate >= limit) continue;
    if (isOpen(candidate, timeZone, windows)) return candidate;
  }
  return at;
}
