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
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function readParts(at: number, timeZone: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const { type, value } of formatterFor(timeZone).formatToParts(at)) parts[type] = value;
  return parts;
}

/**
 * A zone's UTC offset, by quarter hour: every offset change in the tz database falls on
 * a quarter-hour boundary, so one Intl call serves the whole quarter (Intl is the engine's
 * costliest step otherwise). Bounded, so a long-lived isolate cannot grow it forever.
 */
const QUARTER_HOUR = 900_000;
const offsets = new Map<string, number>();

function offsetAt(at: number, timeZone: string): number {
  const quarter = Math.floor(at / QUARTER_HOUR);
  const key = `${timeZone} ${quarter}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const start = quarter * QUARTER_HOUR;
    const p = readParts(start, timeZone);
    offset = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - start;
    if (offsets.size >= 100_000) offsets.clear();
    offsets.set(key, offset);
  }
  return offset;
}

export function localParts(at: number, timeZone: string): LocalParts {
  const local = new Date(at + offsetAt(at, timeZone));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    weekday: local.getUTCDay() === 0 ? 7 : local.getUTCDay(),
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
