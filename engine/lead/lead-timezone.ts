import type { LeadProfile } from "../../schemas/lead";
import type { SendingWindow } from "../../schemas/sequence";
import { isTimeZone, type TimezoneSource } from "../../schemas/time-zone";
import { keepsCountryClock, phoneZones, type PhoneZones } from "../time/phone-zones";
import { nextOpeningForRecipient, type RecipientZones } from "../time/sending-window";
import type { LeadState } from "./lead-state";

/**
 * The zone a country's people mostly live in: emails to a lead known only by its phone's
 * country are timed in it. SMS is not: it keeps quiet hours in every zone of the country.
 */
const COUNTRY_ZONES: Record<string, string> = {
  US: "America/New_York",
  CA: "America/Toronto",
  MX: "America/Mexico_City",
  BR: "America/Sao_Paulo",
  AR: "America/Argentina/Buenos_Aires",
  CL: "America/Santiago",
  CO: "America/Bogota",
  PE: "America/Lima",
  GB: "Europe/London",
  IE: "Europe/Dublin",
  FR: "Europe/Paris",
  DE: "Europe/Berlin",
  NL: "Europe/Amsterdam",
  BE: "Europe/Brussels",
  LU: "Europe/Luxembourg",
  ES: "Europe/Madrid",
  PT: "Europe/Lisbon",
  IT: "Europe/Rome",
  CH: "Europe/Zurich",
  AT: "Europe/Vienna",
  DK: "Europe/Copenhagen",
  SE: "Europe/Stockholm",
  NO: "Europe/Oslo",
  FI: "Europe/Helsinki",
  PL: "Europe/Warsaw",
  CZ: "Europe/Prague",
  SK: "Europe/Bratislava",
  HU: "Europe/Budapest",
  RO: "Europe/Bucharest",
  BG: "Europe/Sofia",
  GR: "Europe/Athens",
  TR: "Europe/Istanbul",
  UA: "Europe/Kyiv",
  RU: "Europe/Moscow",
  IL: "Asia/Jerusalem",
  AE: "Asia/Dubai",
  SA: "Asia/Riyadh",
  EG: "Africa/Cairo",
  ZA: "Africa/Johannesburg",
  NG: "Africa/Lagos",
  KE: "Africa/Nairobi",
  IN: "Asia/Kolkata",
  PK: "Asia/Karachi",
  SG: "Asia/Singapore",
  MY: "Asia/Kuala_Lumpur",
  ID: "Asia/Jakarta",
  PH: "Asia/Manila",
  TH: "Asia/Bangkok",
  VN: "Asia/Ho_Chi_Minh",
  CN: "Asia/Shanghai",
  HK: "Asia/Hong_Kong",
  TW: "Asia/Taipei",
  JP: "Asia/Tokyo",
  KR: "Asia/Seoul",
  AU: "Australia/Sydney",
  NZ: "Pacific/Auckland",
};

/** What the lead's own data says about its zone. */
export interface ZoneClues {
  profile: LeadProfile;
  /** The zone the lead's browser reported through the snippet. */
  browser?: string;
  /** The edge's guess from the address of the browser that posted the lead's form. */
  edge?: string;
}

/** The lead's zone, where it came from, and, while it is a guess from the phone's country, every zone its SMS must keep quiet hours in. */
export interface LeadZone {
  timezone: string;
  timezoneSource: TimezoneSource;
  smsTimezones?: string[];
}

/**
 * Zones from the lead's own data are final: its form's field, its device's zone (the snippet)
 * and its phone's area code. Later posts and beacons are anyone's, so nothing moves such a
 * zone. The rest are guesses a better source replaces. The edge's zone is one: a VPN, a
 * corporate proxy or a mobile gateway puts an address far from its person, so the snippet's
 * browser zone or a later form field replaces it — but a later post's address never does
 * (the first edge zone is kept).
 */
const FINAL_SOURCES: readonly TimezoneSource[] = ["form", "browser", "phone_area"];

const valid = (zone: string | undefined): zone is string => zone !== undefined && isTimeZone(zone);

function countryZone(phone: PhoneZones): string {
  const main = phone.country ? COUNTRY_ZONES[phone.country] : undefined;
  // An area spanning zones (Idaho, Alaska) is narrower than its country: stay inside it.
  return main && (!phone.byArea || phone.zones.includes(main)) ? main : phone.zones[0]!;
}

/** The best zone the clues give, best source first. */
function bestZone(clues: ZoneClues, phone: PhoneZones | undefined, businessDefault: string): Omit<LeadZone, "smsTimezones"> {
  if (valid(clues.profile.timezone)) return { timezone: clues.profile.timezone, timezoneSource: "form" };
  if (valid(clues.browser)) return { timezone: clues.browser, timezoneSource: "browser" };
  // An address outside the phone's country is a VPN or a trip, not where the number rings.
  if (valid(clues.edge) && (!phone || keepsCountryClock(phone, clues.edge))) return { timezone: clues.edge, timezoneSource: "edge" };
  if (phone?.byArea && phone.zones.length === 1) return { timezone: phone.zones[0]!, timezoneSource: "phone_area" };
  if (phone) return { timezone: countryZone(phone), timezoneSource: "phone_country" };
  return { timezone: businessDefault, timezoneSource: "default" };
}

/** The lead's zone from its data alone, as a new lead gets it. */
export function resolveZone(clues: ZoneClues, businessDefault: string): LeadZone {
  const phone = clues.profile.phone ? phoneZones(clues.profile.phone) : undefined;
  const zone = bestZone(clues, phone, businessDefault);
  // A zone guessed from the number, or the edge's guess for a lead with a number: SMS keeps
  // quiet hours in every zone the number may be in too (a New York VPN for a 415 number).
  if (!phone) return zone;
  if (zone.timezoneSource === "phone_country") return { ...zone, smsTimezones: [...new Set([zone.timezone, ...phone.zones])] };
  if (zone.timezoneSource !== "edge" || phone.zones.includes(zone.timezone)) return zone;
  return { ...zone, smsTimezones: [...new Set([zone.timezone, ...phone.zones])] };
}

/** The lead's zone after its data grew (a post, a beacon): a better source replaces a guess; a final zone stays. */
export function settleZone(current: Partial<LeadZone> & { timezone: string }, clues: ZoneClues, businessDefault: string, existing: boolean): LeadZone {
  // A final zone is never a guess, so it has no SMS zones of its own.
  if (zoneFinal(current)) return { timezone: current.timezone, timezoneSource: current.timezoneSource };
  const zone = resolveZone(clues, businessDefault);
  if (!existing) return zone;
  // A later post's field or a beacon is anyone's: it may time the lead's email, but SMS keeps
  // quiet hours in the zones the lead's own data pointed to as well, so no stranger's zone
  // opens the night to texts.
  // A zone inside what the lead's data allowed narrows it; one outside it adds to it.
  const kept = current.smsTimezones ?? [current.timezone];
  if (kept.includes(zone.timezone)) return zone;
  return { ...zone, smsTimezones: [...new Set([...(zone.smsTimezones ?? [zone.timezone]), ...kept])] };
}

/** Whether the lead's zone is final: a later post or beacon may only fill in a zone that is not. */
export function zoneFinal<T extends Partial<Pick<LeadZone, "timezoneSource">>>(state: T): state is T & Pick<LeadZone, "timezoneSource"> {
  return state.timezoneSource !== undefined && FINAL_SOURCES.includes(state.timezoneSource);
}

/** The zones the lead's touches are timed in: its own, and every one its SMS must keep quiet hours in. */
export function recipientZones(state: LeadState): RecipientZones {
  if (state.timezoneSource) return { timezone: state.timezone, recipientZones: state.smsTimezones ?? [state.timezone] };
  // Stored before sources were recorded, its zone may be a phone country's guess: keep hours good in it and wherever its data points now.
  const fresh = resolveZone({ profile: state.profile, browser: state.browserTimezone, edge: state.edgeTimezone }, state.timezone);
  return { timezone: state.timezone, recipientZones: [...new Set([state.timezone, ...(fresh.smsTimezones ?? [fresh.timezone])])] };
}

/** The earliest instant at or after `at` a touch with these windows may reach the lead. */
export function nextOpeningFor(state: LeadState, windows: SendingWindow[], at: number): number {
  return nextOpeningForRecipient(at, recipientZones(state), windows);
}
