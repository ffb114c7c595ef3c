import { z } from "zod";

/** Whether the runtime's tz database (Intl) knows this IANA zone name. */
export function isTimeZone(name: string): boolean {
  if (!name || name.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Where a lead's zone came from, best first: its form's timezone field, its browser (the
 * snippet), the edge's guess from the posting browser's address, its phone's area code (one
 * zone), its phone's country, or the business default.
 */
export const TimezoneSourceSchema = z.enum(["form", "browser", "edge", "phone_area", "phone_country", "default"]);
export type TimezoneSource = z.infer<typeof TimezoneSourceSchema>;
