import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { CALLING_CODE_ZONES, NANP_AREA_CODES_BY_ZONE, NANP_COUNTRY_ZONES } from "./phone-zone-data";
import { localParts } from "./local-time";

/**
 * The zones a phone number may ring in. A number says its country and, in the North American
 * Numbering Plan, often its area's zone; people keep their numbers when they move, so this is
 * a presumption, the one quiet-hour rules are commonly read against.
 */
export interface PhoneZones {
  /** The number's country (ISO 3166), when its plan tells it. */
  country?: string;
  /** Every zone the number may be in, at least one. */
  zones: string[];
  /** Whether the zones come from the number's area code rather than its whole country. */
  byArea: boolean;
  /** Every zone of the number's country (or calling code). */
  countryZones: string[];
}

const zoneList = (zones: string) => zones.split(" ");

const AREA_ZONES = new Map<string, string[]>();
for (const [zone, areas] of Object.entries(NANP_AREA_CODES_BY_ZONE)) {
  for (const area of zoneList(areas)) AREA_ZONES.set(area, [...(AREA_ZONES.get(area) ?? []), zone]);
}

export function phoneZones(phone: string): PhoneZones | undefined {
  const number = parsePhoneNumberFromString(phone);
  if (!number) return undefined;
  const { country, countryCallingCode } = number;
  if (countryCallingCode !== "1") {
    const zones = CALLING_CODE_ZONES[countryCallingCode];
    return zones ? { country, zones: zoneList(zones), byArea: false, countryZones: zoneList(zones) } : undefined;
  }
  const inCountry = country ? NANP_COUNTRY_ZONES[country] : undefined;
  if (!inCountry) return undefined;
  const countryZones = zoneList(inCountry);
  const area = AREA_ZONES.get(number.nationalNumber.slice(0, 3));
  // Toll-free and other non-geographic numbers belong to no area: the whole country they are dialled in.
  return area ? { country, zones: area, byArea: true, countryZones } : { country, zones: countryZones, byArea: false, countryZones };
}

/** Mid-winter and mid-summer: two zones with the same clock at both keep the same hours. */
const SEASONS = [Date.UTC(2026, 0, 15), Date.UTC(2026, 6, 15)];

function clockOf(zone: string): string {
  return SEASONS.map((at) => {
    const p = localParts(at, zone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - at;
  }).join(" ");
}

/**
 * Whether a zone keeps the clock of one of the number's country's zones, winter and summer:
 * America/Detroit is New York's, Europe/Amsterdam is no US zone's. The table names a
 * country's main zones, not every alias of them.
 */
export function keepsCountryClock(phone: PhoneZones, zone: string): boolean {
  const clock = clockOf(zone);
  return phone.countryZones.some((z) => clockOf(z) === clock);
}
