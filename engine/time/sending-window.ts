import type { SendingWindow } from "../../schemas/sequence";
import { localParts, localTimeOnDay } from "./local-time";

/**
 * A window read in the recipient's time wherever the recipient may be: while the lead's zone
 * is a guess (a phone's country), it must be open in every zone the lead may be in.
 */
export type RecipientWindow = SendingWindow & { inEveryRecipientZone: true };

/** SMS may reach a person only between 08:00 and 21:00 their time (TCPA quiet hours), any day. */
export const SMS_QUIET_HOURS: RecipientWindow = { days: [1, 2, 3, 4, 5, 6, 7], start: "08:00", end: "21:00", inEveryRecipientZone: true };

/** The zones a touch's windows are read in: the lead's, and every one a recipient window must hold in. */
export interface RecipientZones {
  timezone: string;
  /** Every zone the recipient may be in (the lead's own among them). */
  recipientZones: string[];
}

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

interface ZonedWindow {
  timeZone: string;
  window: SendingWindow;
}

function nextOpeningInZones(at: number, zoned: ZonedWindow[]): number {
  let candidate = at;
  // Each pass moves forward to the next window's opening; when none moves it, all are open.
  for (let pass = 0; pass < 32; pass++) {
    const moved = zoned.reduce((t, { timeZone, window }) => nextOpening(t, timeZone, window), candidate);
    if (moved === candidate) return candidate;
    candidate = moved;
  }
  return candidate;
}

/** The earliest instant at or after `at` inside every one of the windows. */
function nextOpeningInAll(at: number, timeZone: string, windows: SendingWindow[]): number {
  return nextOpeningInZones(
    at,
    windows.map((window) => ({ timeZone, window })),
  );
}

/**
 * The earliest instant at or after `at` inside every one of a touch's windows: each in the
 * lead's zone, and a recipient window (SMS quiet hours) in every zone the recipient may be in.
 */
export function nextOpeningForRecipient(at: number, zones: RecipientZones, windows: SendingWindow[]): number {
  const zoned = windows.flatMap((window) =>
    "inEveryRecipientZone" in window && window.inEveryRecipientZone ? zones.recipientZones.map((timeZone) => ({ timeZone, window })) : [{ timeZone: zones.timezone, window }],
  );
  return nextOpeningInZones(at, zoned);
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
