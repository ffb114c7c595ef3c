import { describe, expect, it } from "vitest";
import { applyEvent } from "../../engine/lead/lead-engine";
import { recipientZones } from "../../engine/lead/lead-timezone";
import type { LeadEvent, LeadState } from "../../engine/lead/lead-state";
import { localParts } from "../../engine/time/local-time";
import { phoneZones } from "../../engine/time/phone-zones";
import { CALLING_CODE_ZONES, NANP_AREA_CODES_BY_ZONE, NANP_COUNTRY_ZONES } from "../../engine/time/phone-zone-data";
import { nextOpeningForRecipient, SMS_QUIET_HOURS } from "../../engine/time/sending-window";
import { DEFAULT_ENGINE_CONFIG } from "../../engine/engine-config";
import { PERSON, simulate } from "../../engine/simulator";
import type { Submission } from "../../schemas/lead";
import { SequenceSchema, type SequenceVersion } from "../../schemas/sequence";
import { PRESETS } from "../../schemas/sequence-presets";
import { isTimeZone } from "../../schemas/time-zone";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const LEAD = "0123456789abcdef0123456789abcdef";
const LA = "America/Los_Angeles";
const NY = "America/New_York";
/** Monday 2 November 2026, 10:00 in New York (EST, UTC−5). */
const MONDAY_10_NY = Date.UTC(2026, 10, 2, 15, 0);
/** Monday 2 November 2026, 23:00 in Los Angeles (PST, UTC−8). */
const MONDAY_23_LA = Date.UTC(2026, 10, 3, 7, 0);
const US_ZONES = NANP_COUNTRY_ZONES.US!.split(" ");

function submission(profile: Submission["profile"], extra: Partial<Submission> = {}): Submission {
  return { formId: "contact", receivedAt: MONDAY_10_NY, profile, consent: { sms: true }, utm: {}, custom: {}, ...extra };
}
const post = (s: Submission): LeadEvent => ({ kind: "form_submitted", leadId: LEAD, submission: s });
const view = (id: string, timezone: string): LeadEvent => ({ kind: "page_viewed", pageViewId: id, url: "https://owner.example/", pageClass: null, timezone, facts: PERSON });

function walk(events: [number, LeadEvent][], start: LeadState | null = null): LeadState {
  let state = start;
  for (const [at, event] of events) state = applyEvent(state, event, at, DEFAULT_ENGINE_CONFIG).state ?? state;
  return state!;
}
const zoneOf = (state: LeadState) => ({ timezone: state.timezone, source: state.timezoneSource, sms: state.smsTimezones });

/** Whether an SMS at `at` is inside 08:00–21:00 local time in every one of the zones. */
const inQuietHoursEverywhere = (at: number, zones: string[]) =>
  zones.every((zone) => {
    const { hour } = localParts(at, zone);
    return hour >= 8 && hour < 21;
  });

const instantSms = (sequenceId = "new-inquiry"): SequenceVersion => ({ id: sequenceId, version: 0, sequence: PRESETS.get(sequenceId)! });

describe("where the lead's zone comes from", () => {
  it("the form's timezone field comes first, over the browser, the edge and the phone", () => {
    const state = walk([[MONDAY_10_NY, post(submission({ email: "a@example.com", phone: "+14155550123", timezone: "Europe/Berlin" }, { edgeTimezone: NY }))]]);
    expect(zoneOf(state)).toEqual({ timezone: "Europe/Berlin", source: "form", sms: undefined });
  });

  it("the snippet's browser zone replaces a guess, and nothing moves it after", () => {
    const guessed = walk([[MONDAY_10_NY, post(submission({ email: "a@example.com", phone: "+18005550123" }))]]);
    expect(guessed.timezoneSource).toBe("phone_country");
    const browser = walk([[MONDAY_10_NY + MINUTE, view("b1", "America/Chicago")]], guessed);
    expect(zoneOf(browser)).toEqual({ timezone: "America/Chicago", source: "browser", sms: undefined });
    const later = walk(
      [
        [MONDAY_10_NY + HOUR, view("b2", "Asia/Tokyo")],
        [MONDAY_10_NY + 2 * HOUR, post(submission({ email: "a@example.com", timezone: "Europe/Paris" }))],
      ],
      browser,
    );
    expect(zoneOf(later)).toEqual({ timezone: "America/Chicago", source: "browser", sms: undefined });
  });

  it("a browser post's edge zone is used when the lead gave none; the browser refines it, a later post's edge never moves it", () => {
    const edge = walk([[MONDAY_10_NY, post(submission({ email: "a@example.com", phone: "+14155550123" }, { edgeTimezone: "America/Denver" }))]]);
    // The edge ranks above the area code (the person posted from Colorado), but it is a guess:
    // SMS keeps quiet hours where the number rings too.
    expect(zoneOf(edge)).toEqual({ timezone: "America/Denver", source: "edge", sms: ["America/Denver", LA] });
    const repost = walk([[MONDAY_10_NY + HOUR, post(submission({ email: "a@example.com" }, { edgeTimezone: "America/Chicago" }))]], edge);
    expect(zoneOf(repost)).toEqual({ timezone: "America/Denver", source: "edge", sms: ["America/Denver", LA] });
    const refined = walk([[MONDAY_10_NY + 2 * HOUR, view("e1", LA)]], repost);
    expect(zoneOf(refined)).toEqual({ timezone: LA, source: "browser", sms: undefined });
  });

  it("a later post's zone field for a lead whose zone is a guess times its email, but its texts keep the quiet hours the number needs", () => {
    const guessed = walk([[MONDAY_10_NY, post(submission({ email: "t@example.com", phone: "+18005550123" }))]]);
    expect(zoneOf(guessed).source).toBe("phone_country");
    const usZones = guessed.smsTimezones!;
    const tokyo = walk([[MONDAY_10_NY + HOUR, post(submission({ email: "t@example.com", timezone: "Asia/Tokyo" }))]], guessed);
    expect(tokyo.timezone).toBe("Asia/Tokyo");
    expect(tokyo.smsTimezones).toEqual(expect.arrayContaining([...usZones, "Asia/Tokyo"]));
  });

  it("an edge zone outside the phone's country (a VPN, a trip) is not where the number rings", () => {
    const state = walk([[MONDAY_10_NY, post(submission({ email: "a@example.com", phone: "+14155550123" }, { edgeTimezone: "Europe/Amsterdam" }))]]);
    expect(zoneOf(state)).toEqual({ timezone: LA, source: "phone_area", sms: undefined });
    // A zone with a US clock is in the number's country, whatever the table calls it.
    const detroit = walk([[MONDAY_10_NY, post(submission({ email: "c@example.com", phone: "+14155550123" }, { edgeTimezone: "America/Detroit" }))]]);
    expect(zoneOf(detroit)).toEqual({ timezone: "America/Detroit", source: "edge", sms: ["America/Detroit", LA] });
    // Without a phone there is nothing better than the edge.
    const noPhone = walk([[MONDAY_10_NY, post(submission({ email: "b@example.com" }, { edgeTimezone: "Europe/Amsterdam" }))]]);
    expect(zoneOf(noPhone)).toEqual({ timezone: "Europe/Amsterdam", source: "edge", sms: undefined });
  });

  it("a phone's area code that maps to one zone gives it, and it is final: a beacon or a later post does not move it", () => {
    const state = walk([[MONDAY_10_NY, post(submission({ email: "a@example.com", phone: "+14155550123" }))]]);
    expect(zoneOf(state)).toEqual({ timezone: LA, source: "phone_area", sms: undefined });
    const after = walk(
      [
        [MONDAY_10_NY + MINUTE, view("p1", "Asia/Tokyo")],
        [MONDAY_10_NY + HOUR, post(submission({ email: "a@example.com", timezone: "Asia/Tokyo" }, { edgeTimezone: "Asia/Tokyo" }))],
      ],
      state,
    );
    expect(zoneOf(after)).toEqual({ timezone: LA, source: "phone_area", sms: undefined });
  });

  it("a phone without a one-zone area gives its country's main zone for email and every zone it may be in for SMS", () => {
    const tollFree = walk([[MONDAY_10_NY, post(submission({ email: "a@example.com", phone: "+18005550123" }))]]);
    expect(tollFree.timezone).toBe(NY);
    expect(tollFree.timezoneSource).toBe("phone_country");
    expect([...tollFree.smsTimezones!].sort()).toEqual([...US_ZONES].sort());
    // Idaho's 208 spans three zones: SMS keeps hours in those, not the whole country.
    const idaho = walk([[MONDAY_10_NY, post(submission({ email: "b@example.com", phone: "+12085550123" }))]]);
    expect(idaho.timezoneSource).toBe("phone_country");
    expect([...idaho.smsTimezones!].sort()).toEqual(["America/Boise", "America/Denver", LA]);
    // A country of one zone is known exactly.
    const paris = walk([[MONDAY_10_NY, post(submission({ email: "c@example.com", phone: "+33612345678" }))]]);
    expect(zoneOf(paris)).toEqual({ timezone: "Europe/Paris", source: "phone_country", sms: ["Europe/Paris"] });
  });

  it("with nothing to go on the lead is on the business default", () => {
    const state = walk([[MONDAY_10_NY, post(submission({ email: "a@example.com" }))]]);
    expect(zoneOf(state)).toEqual({ timezone: DEFAULT_ENGINE_CONFIG.sequences.defaultTimezone, source: "default", sms: undefined });
  });

  it("a lead stored before sources were recorded keeps SMS hours good in its old zone and where its data points now", () => {
    const fresh = walk([[MONDAY_10_NY, post(submission({ email: "a@example.com", phone: "+14155550123" }))]]);
    const { timezoneSource: _source, ...legacy } = { ...fresh, timezone: NY };
    expect(recipientZones(legacy).recipientZones.sort()).toEqual([LA, NY]);
  });
});

describe("SMS quiet hours when the zone is assumed", () => {
  it("the journey: a 23:00 Pacific API post from +1 415 with no timezone field gets its email at once and its SMS at 08:00 Pacific", () => {
    const { state, sent } = simulate({
      leadId: LEAD,
      submission: submission({ email: "west@example.com", phone: "+14155550123", firstName: "Wes" }, { receivedAt: MONDAY_23_LA }),
      sequence: instantSms(),
      start: MONDAY_23_LA,
      until: MONDAY_23_LA + DAY,
    });
    expect(zoneOf(state)).toEqual({ timezone: LA, source: "phone_area", sms: undefined });
    const email = sent.find((s) => s.touch.channel === "email" && s.touch.stepId === "acknowledge")!;
    const sms = sent.find((s) => s.touch.channel === "sms" && s.touch.stepId === "acknowledge")!;
    expect(email.at).toBe(MONDAY_23_LA);
    expect(localParts(sms.at, LA)).toMatchObject({ day: 3, hour: 8, minute: 0 });
  });

  for (const [what, phone] of [
    ["a toll-free number", "+18005550123"],
    ["an area code not in the table", "+15005550123"],
  ] as const) {
    it(`a US lead with ${what} gets SMS only in hours that are 08:00–21:00 in every US zone; email keeps New York's`, () => {
      // 08:30 in New York is 03:30 in Honolulu: the acknowledgement SMS waits for 08:00 there.
      const morning = Date.UTC(2026, 10, 3, 13, 30);
      const { state, sent } = simulate({
        leadId: LEAD,
        submission: submission({ email: "us@example.com", phone }, { receivedAt: morning }),
        sequence: instantSms(),
        start: morning,
        until: morning + 12 * DAY,
      });
      expect([...state.smsTimezones!].sort()).toEqual([...US_ZONES].sort());
      const texts = sent.filter((s) => s.touch.channel === "sms");
      expect(texts.length).toBeGreaterThan(0);
      expect(localParts(texts[0]!.at, "Pacific/Honolulu")).toMatchObject({ day: 3, hour: 8, minute: 0 });
      for (const { at } of texts) expect(inQuietHoursEverywhere(at, US_ZONES)).toBe(true);
      expect(sent.find((s) => s.touch.channel === "email")!.at).toBe(morning);
    });
  }

  it("an SMS-only step of a lead whose zone is a guess is due inside its window and every US zone's quiet hours", () => {
    const texting: SequenceVersion = {
      id: "texting",
      version: 1,
      sequence: SequenceSchema.parse({
        id: "texting",
        name: "Texting",
        window: { days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" },
        steps: [{ id: "nudge", intent: "value", channels: ["sms"], wait: { days: 1 }, sms: { text: "Still keen?" } }],
      }),
    };
    const { sent } = simulate({
      leadId: LEAD,
      submission: submission({ email: "step@example.com", phone: "+18885550123" }),
      sequence: texting,
      start: MONDAY_10_NY,
      until: MONDAY_10_NY + 5 * DAY,
    });
    const [text] = sent.filter((s) => s.touch.channel === "sms");
    // 09:00–17:00 New York and 08:00–21:00 in Honolulu meet at 13:00 New York.
    expect(localParts(text!.at, NY)).toMatchObject({ day: 3, hour: 13, minute: 0 });
  });
});

describe("the vendored phone-zone table", () => {
  const allZones = [
    ...Object.keys(NANP_AREA_CODES_BY_ZONE),
    ...Object.values(NANP_COUNTRY_ZONES).flatMap((z) => z.split(" ")),
    ...Object.values(CALLING_CODE_ZONES).flatMap((z) => z.split(" ")),
  ];

  it("names only zones the runtime knows", () => {
    expect(allZones.filter((zone) => !isTimeZone(zone))).toEqual([]);
  });

  it("every country's zones share some hours of 08:00–21:00 every day, winter and summer", () => {
    const sets = [...Object.values(NANP_COUNTRY_ZONES), ...Object.values(CALLING_CODE_ZONES)].map((z) => z.split(" "));
    for (const start of [Date.UTC(2026, 0, 15), Date.UTC(2026, 6, 15)]) {
      for (const zones of sets) {
        const opening = nextOpeningForRecipient(start, { timezone: zones[0]!, recipientZones: zones }, [SMS_QUIET_HOURS]);
        expect(opening - start, zones.join(" ")).toBeLessThan(DAY);
        expect(inQuietHoursEverywhere(opening, zones), zones.join(" ")).toBe(true);
      }
    }
  });

  it("reads the area code of a NANP number and the calling code elsewhere", () => {
    expect(phoneZones("+14155550123")).toMatchObject({ country: "US", zones: [LA], byArea: true });
    expect(phoneZones("+14165550123")).toMatchObject({ country: "CA", zones: ["America/Toronto"], byArea: true });
    expect(phoneZones("+18005550123")).toMatchObject({ country: "US", byArea: false });
    expect(phoneZones("+61291234567")?.zones).toContain("Australia/Perth");
    expect(phoneZones("not a number")).toBeUndefined();
  });
});
