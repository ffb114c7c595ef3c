import { parsePhoneNumberFromString } from "libphonenumber-js";
import type { LeadProfile } from "../../schemas/lead";
import { isTimeZone } from "../../schemas/time-zone";

/**
 * The zone a country's people mostly live in. For countries that span zones this is the
 * most populous one: a phone number says the country, not the city.
 */
const COUNTRY_ZONES: Record<string, string> = {
  US: "America/New_York", CA: "America/Toronto", MX: "America/Mexico_City", BR: "America/Sao_Paulo",
  AR: "America/Argentina/Buenos_Aires", CL: "America/Santiago", CO: "America/Bogota", PE: "America/Lima",
  GB: "Europe/London", IE: "Europe/Dublin", FR: "Europe/Paris", DE: "Europe/Berlin", NL: "Europe/Amsterdam",
  BE: "Europe/Brussels", LU: "Europe/Luxembourg", ES: "Europe/Madrid", PT: "Europe/Lisbon", IT: "Europe/Rome",
  CH: "Europe/Zurich", AT: "Europe/Vienna", DK: "Europe/Copenhagen", SE: "Europe/Stockholm", NO: "Europe/Oslo",
  FI: "Europe/Helsinki", PL: "Europe/Warsaw", CZ: "Europe/Prague", SK: "Europe/Bratislava", HU: "Europe/Budapest",
  RO: "Europe/Bucharest", BG: "Europe/Sofia", GR: "Europe/Athens", TR: "Europe/Istanbul", UA: "Europe/Kyiv",
  RU: "Europe/Moscow", IL: "Asia/Jerusalem", AE: "Asia/Dubai", SA: "Asia/Riyadh", EG: "Africa/Cairo",
  ZA: "Africa/Johannesburg", NG: "Africa/Lagos", KE: "Africa/Nairobi", IN: "Asia/Kolkata", PK: "Asia/Karachi",
  SG: "Asia/Singapore", MY: "Asia/Kuala_Lumpur", ID: "Asia/Jakarta", PH: "Asia/Manila", TH: "Asia/Bangkok",
  VN: "Asia/Ho_Chi_Minh", CN: "Asia/Shanghai", HK: "Asia/Hong_Kong", TW: "Asia/Taipei", JP: "Asia/Tokyo",
  KR: "Asia/Seoul", AU: "Australia/Sydney", NZ: "Pacific/Auckland",
};

/** The zone the lead's own data gives: its form's, else its browser's, else its phone country's. */
function zoneFrom(profile: LeadProfile, browserZone: string | undefined): string | undefined {
  if (profile.timezone && isTimeZone(profile.timezone)) return profile.timezone;
  if (browserZone && isTimeZone(browserZone)) return browserZone;
  const country = profile.phone ? parsePhoneNumberFromString(profile.phone)?.country : undefined;
  return country ? COUNTRY_ZONES[country] : undefined;
}

/**
 * The lead's IANA zone: what its form said, else what its browser said (the snippet),
 * else its phone's country, else the business default.
 */
export function leadTimezone(profile: LeadProfile, browserZone: string | undefined, businessDefault: string): string {
  return zoneFrom(profile, browserZone) ?? businessDefault;
}

/**
 * Whether the lead's zone is known (from its form, browser or phone) rather than the
 * business default. A known zone times its quiet hours, so anonymous input (a re-post, a
 * beacon) never moves it.
 */
export function zoneKnown(profile: LeadProfile, browserZone: string | undefined): boolean {
  return zoneFrom(profile, browserZone) !== undefined;
}
