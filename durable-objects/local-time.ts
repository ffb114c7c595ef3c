/**
 * Wall-clock arithmetic in a named IANA zone, with the runtime's own tz database (Intl).
 * Never a fixed offset: a touch "two days later at 10:00" must stay at 10:00 across a
 * DST change.
 */

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether the runtime knows this IANA zone name. */
export function isTimeZone(name: string): boolean {
  if (!name || name.length > 64) return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

export function localParts(at: number, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const { type, value } of formatterFor(timeZone).formatToParts(at)) parts[type] = value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday!]!,
  };
}

const asUtc = (p: Omit<LocalParts, "weekday">) => Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);

/**
 * The instant a local wall time names. A time skipped by a spring-forward change lands
 * just after the gap; a repeated one (fall back) takes its first occurrence.
 */
export function zonedTime(timeZone: string, local: Omit<LocalParts, "weekday">): number {
  const wanted = asUtc(local);
  let at = wanted - (asUtc(localParts(wanted, timeZone)) - wanted);
  const drift = asUtc(localParts(at, timeZone)) - wanted;
  if (drift !== 0) {
    const retry = at - drift;
    // Inside a spring-forward gap no instant shows the wanted time: keep the later reading.
    at = asUtc(localParts(retry, timeZone)) === wanted ? retry : Math.max(at, retry);
  }
  return at;
}

/** The same local wall time `days` calendar days later (a fraction of a day is added as hours). */
export function addLocalDays(at: number, timeZone: string, days: number): number {
  const whole = Math.trunc(days);
  const p = localParts(at, timeZone);
  const date = new Date(Date.UTC(p.year, p.month - 1, p.day + whole));
  const shifted = zonedTime(timeZone, { ...p, year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
  return shifted + (days - whole) * 86_400_000;
}

/** The instant of `hh:mm` local time on the calendar day `dayOffset` days after `at`'s local day. */
export function localTimeOnDay(at: number, timeZone: string, dayOffset: number, hhmm: string): number {
  const p = localParts(at, timeZone);
  const date = new Date(Date.UTC(p.year, p.month - 1, p.day + dayOffset));
  const [hour, minute] = hhmm.split(":").map(Number) as [number, number];
  return zonedTime(timeZone, { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour, minute, second: 0 });
}
