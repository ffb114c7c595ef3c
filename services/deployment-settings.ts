import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from "../engine/engine-config";
import { isTimeZone } from "../schemas/time-zone";
import type { PacingRules } from "../engine/time/sender-pacing";
import type { Sender } from "./email-composer";

/**
 * Deployment settings read from vars, in one place. Anything unset or unreadable keeps
 * its default, except the sender's identity: email waits until it is complete.
 */

function number(value: string | undefined, fallback: number, min = 0): number {
  const parsed = value?.trim() ? Number(value) : Number.NaN;
  return Number.isFinite(parsed) && parsed >= min ? parsed : fallback;
}

export function businessTimezone(env: Env): string {
  return env.DEFAULT_TIMEZONE && isTimeZone(env.DEFAULT_TIMEZONE) ? env.DEFAULT_TIMEZONE : DEFAULT_ENGINE_CONFIG.sequences.defaultTimezone;
}

export function engineConfigFrom(env: Env): EngineConfig {
  const { signals, sequences, handOff } = DEFAULT_ENGINE_CONFIG;
  return {
    ...DEFAULT_ENGINE_CONFIG,
    handOff: {
      ...handOff,
      threshold: number(env.HANDOFF_SCORE_THRESHOLD, handOff.threshold, 1),
      competitors: (env.COMPETITORS ?? "").split(",").map((name) => name.trim()).filter(Boolean),
      ...(env.BOOKING_URL?.trim() ? { bookingUrl: env.BOOKING_URL.trim() } : {}),
      bookingWaitHours: number(env.BOOKING_WAIT_HOURS, handOff.bookingWaitHours, 0),
      pauseAutomation: env.HANDOFF_PAUSES_AUTOMATION !== "off",
    },
    signals: { ...signals, scannerWindowMs: number(env.SCANNER_WINDOW_SECONDS, signals.scannerWindowMs / 1000) * 1000 },
    sequences: {
      ...sequences,
      defaultTimezone: businessTimezone(env),
      merge: { senderName: env.SENDER_NAME, senderCompany: env.SENDER_COMPANY, bookingUrl: env.BOOKING_URL, siteUrl: env.SITE_URL },
      notNowHoldDays: number(env.NOT_NOW_HOLD_DAYS, sequences.notNowHoldDays, 1),
      outOfOfficeDays: number(env.OUT_OF_OFFICE_DAYS, sequences.outOfOfficeDays, 1),
      softBounceLimit: number(env.SOFT_BOUNCE_LIMIT, sequences.softBounceLimit, 1),
    },
  };
}

/** Commercial email must say who sends it and where they are (CAN-SPAM): no identity, no email. */
export function senderFrom(env: Env): { sender: Sender } | { missing: string[] } {
  const fields = {
    SENDER_NAME: env.SENDER_NAME,
    SENDER_COMPANY: env.SENDER_COMPANY,
    SENDER_EMAIL: env.SENDER_EMAIL,
    SENDER_POSTAL_ADDRESS: env.SENDER_POSTAL_ADDRESS,
    PUBLIC_URL: env.PUBLIC_URL,
  };
  const missing = Object.entries(fields)
    .filter(([, value]) => !value?.trim())
    .map(([name]) => name);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(env.SENDER_EMAIL ?? "") && !missing.includes("SENDER_EMAIL")) missing.push("SENDER_EMAIL");
  if (missing.length > 0) return { missing };
  const email = env.SENDER_EMAIL.trim();
  return {
    sender: {
      name: env.SENDER_NAME.trim(),
      company: env.SENDER_COMPANY.trim(),
      email,
      postalAddress: env.SENDER_POSTAL_ADDRESS.trim(),
      replyDomain: env.REPLY_DOMAIN?.trim() || email.slice(email.lastIndexOf("@") + 1),
      publicUrl: env.PUBLIC_URL.trim(),
    },
  };
}

/**
 * The countries SMS may go to: SMS_COUNTRIES, or the business's own (DEFAULT_PHONE_REGION).
 * Texts to premium and far-away numbers are how SMS pumping fraud bills the sender.
 */
export function smsCountriesFrom(env: Env): string[] {
  const listed = (env.SMS_COUNTRIES ?? "").split(",").map((c) => c.trim().toUpperCase()).filter((c) => /^[A-Z]{2}$/.test(c));
  return listed.length > 0 ? listed : [(env.DEFAULT_PHONE_REGION || "US").toUpperCase()];
}

/** The playbook's ceiling for a warming address: fewer than this many emails a day. */
const WARMUP_CEILING = 50;

/**
 * The sending address's guards, and the settings refused with why (each then keeps its
 * default). A warm-up limit of 50 or more is refused rather than trusted: the playbook keeps a
 * new address under 50 a day, and an address that is already warm says so with WARMUP_DAYS=0.
 */
export function pacingSettingsFrom(env: Env): { rules: PacingRules; refused: string[] } {
  const refused: string[] = [];
  const setting = (name: keyof Env & string, fallback: number, valid: (n: number) => boolean, rule: string): number => {
    const raw = (env[name] as string | undefined)?.trim();
    if (!raw) return fallback;
    const parsed = Number(raw);
    if (Number.isFinite(parsed) && valid(parsed)) return parsed;
    refused.push(`${name}=${raw} refused: ${rule}; ${fallback} is used`);
    return fallback;
  };
  const whole = (min: number, max = Number.POSITIVE_INFINITY) => (n: number) => Number.isInteger(n) && n >= min && n <= max;
  const dailyCap = setting("SENDER_DAILY_CAP", 200, whole(1), "a whole number of emails, at least 1");
  const spacingS = setting("MIN_SEND_SPACING_SECONDS", 20, (n) => n >= 0, "seconds, 0 or more");
  return {
    rules: {
      dailyCap,
      warmupDays: setting("WARMUP_DAYS", 30, whole(0), "a whole number of days, 0 for an address that is already warm"),
      warmupDailyLimit: setting("WARMUP_DAILY_LIMIT", WARMUP_CEILING - 1, whole(1, WARMUP_CEILING - 1), `a warming address sends fewer than ${WARMUP_CEILING} a day (set WARMUP_DAYS=0 for one that is already warm)`),
      warmupFirstDay: Math.min(dailyCap, setting("WARMUP_FIRST_DAY", 20, whole(1), "a whole number of emails, at least 1")),
      warmupGrowth: setting("WARMUP_DAILY_GROWTH", 1.3, (n) => n > 1, "a factor above 1, or the address never grows"),
      minSpacingMs: spacingS * 1000,
      jitterMs: spacingS * 500,
      instantPerDomainCap: number(env.INSTANT_PER_DOMAIN_DAILY_CAP, 50, 1),
      timezone: businessTimezone(env),
    },
    refused,
  };
}

export const pacingRulesFrom = (env: Env): PacingRules => pacingSettingsFrom(env).rules;

/** How many days raw records (D1 rows, each lead's timeline entries) are kept: RETENTION_DAYS, default 395. */
export function retentionDaysFrom(env: { RETENTION_DAYS?: string }): number {
  const days = Number(env.RETENTION_DAYS);
  return Number.isFinite(days) && days >= 1 ? days : 395;
}
