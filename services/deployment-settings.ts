import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from "../engine/engine-config";
import type { PacingRules } from "../engine/time/sender-pacing";
import {
  DEFAULT_RETENTION_DAYS,
  SETTING_KEYS,
  SETTING_LABELS,
  SETTING_VARS,
  settingFromText,
  SettingsSchema,
  type SettingKey,
  type Settings,
  type SettingSource,
  type SettingsPatch,
} from "../schemas/settings";
import { savedSettings, saveSettings, settingsVersion } from "./d1/settings";
import type { Sender } from "./email-composer";

/**
 * The deployment's settings in one place. What the owner saved in D1 (dashboard or API) wins;
 * a setting never saved takes its wrangler var, the first-deploy default. A value its rule
 * refuses keeps the built-in default, and says why (the doctor lists it).
 */

export interface EffectiveSettings {
  values: Settings;
  sources: Record<SettingKey, SettingSource>;
  /** Values refused by their rule, each with why: the default stands in for them. */
  refused: string[];
}

/** The settings the wrangler vars give, each checked by the same rule as a saved one. */
export function settingsFromVars(env: object): EffectiveSettings {
  const vars = env as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  const refused: string[] = [];
  for (const key of SETTING_KEYS) {
    const { name, kind, fallback } = SETTING_VARS[key];
    const raw = typeof vars[name] === "string" ? (vars[name] as string).trim() : "";
    if (raw === "") {
      values[key] = fallback;
      continue;
    }
    const parsed = SettingsSchema.shape[key].safeParse(settingFromText(kind, raw));
    values[key] = parsed.success ? parsed.data : fallback;
    if (!parsed.success) refused.push(`${name}=${raw} refused: ${parsed.error.issues[0]?.message}; ${String(fallback) || "nothing"} is used`);
  }
  return { values: values as Settings, sources: Object.fromEntries(SETTING_KEYS.map((k) => [k, "default"])) as Record<SettingKey, SettingSource>, refused };
}

/** Saved values over the vars' defaults; a saved value its rule now refuses is ignored, with why. */
function withSaved(defaults: EffectiveSettings, saved: Record<string, unknown>): EffectiveSettings {
  const values: Record<string, unknown> = { ...defaults.values };
  const sources = { ...defaults.sources };
  const refused = [...defaults.refused];
  for (const key of SETTING_KEYS) {
    if (!(key in saved)) continue;
    const parsed = SettingsSchema.shape[key].safeParse(saved[key]);
    if (!parsed.success) {
      refused.push(`the saved ${SETTING_LABELS[key]} refused: ${parsed.error.issues[0]?.message}; the default is used`);
      continue;
    }
    values[key] = parsed.data;
    sources[key] = "saved";
  }
  return { values: values as Settings, sources, refused };
}

/** The vars' settings per env object: an isolate keeps its env, so they are read once. */
const fromVars = new WeakMap<object, EffectiveSettings>();

/** One isolate's copy of the saved settings, per database, the version it was read at, and the settings they make. */
const savedCache = new WeakMap<D1Database, { version: number; saved: Record<string, unknown>; merged?: { over: EffectiveSettings; effective: EffectiveSettings } }>();

/**
 * The version read in flight, per database: a burst of opens and clicks in one isolate asks
 * D1 once, and every event of the burst waits for that read, begun after it arrived or just before.
 */
const versionReads = new WeakMap<D1Database, Promise<number>>();

/** Forgets the cached copy: the isolate that saved reads the change at once. */
const forgetSavedSettings = (db: D1Database) => {
  savedCache.delete(db);
  versionReads.delete(db);
};

function sharedVersionRead(db: D1Database): Promise<number> {
  let read = versionReads.get(db);
  if (!read) {
    read = settingsVersion(db).finally(() => {
      if (versionReads.get(db) === read) versionReads.delete(db);
    });
    versionReads.set(db, read);
  }
  return read;
}

/**
 * The effective settings, read once per request or alarm drain: one indexed read of the
 * version while the isolate's copy is current, the rows only after a change. Never throws:
 * when D1 cannot be read, the last copy (or the vars) stands, so no post or touch is lost to it.
 * The settings returned are shared by every caller until the next change: read them, never change them.
 */
export async function effectiveSettings(env: Env): Promise<EffectiveSettings> {
  let defaults = fromVars.get(env);
  if (!defaults) {
    defaults = settingsFromVars(env);
    fromVars.set(env, defaults);
  }
  let cached = savedCache.get(env.DB);
  try {
    // The version first: a change landing between the two reads leaves the copy a version behind, so the next check reads again.
    const version = await sharedVersionRead(env.DB);
    cached = savedCache.get(env.DB);
    if (!cached || version !== cached.version) {
      cached = { version, saved: await savedSettings(env.DB) };
      savedCache.set(env.DB, cached);
    }
  } catch (error) {
    console.error(JSON.stringify({ event: "settings_unreadable", error: String(error).slice(0, 200), using: cached ? "last read" : "wrangler vars" }));
  }
  if (!cached) return defaults;
  // Merged once per version and per set of vars (an isolate has one; a test may swap them).
  if (cached.merged?.over !== defaults) cached.merged = { over: defaults, effective: withSaved(defaults, cached.saved) };
  return cached.merged.effective;
}

export function engineConfigFrom(settings: Settings, env: { SCANNER_WINDOW_SECONDS?: string }): EngineConfig {
  const { signals, sequences, handOff } = DEFAULT_ENGINE_CONFIG;
  const scannerS = Number(env.SCANNER_WINDOW_SECONDS?.trim() || Number.NaN);
  return {
    ...DEFAULT_ENGINE_CONFIG,
    handOff: {
      ...handOff,
      threshold: settings.handOffThreshold,
      competitors: settings.competitors,
      ...(settings.bookingUrl ? { bookingUrl: settings.bookingUrl } : {}),
      bookingWaitHours: settings.bookingWaitHours,
      pauseAutomation: settings.handOffPausesAutomation,
    },
    signals: { ...signals, scannerWindowMs: Number.isFinite(scannerS) && scannerS >= 0 ? scannerS * 1000 : signals.scannerWindowMs },
    sequences: {
      ...sequences,
      defaultTimezone: settings.businessTimezone,
      merge: {
        ...(settings.senderName ? { senderName: settings.senderName } : {}),
        ...(settings.senderCompany ? { senderCompany: settings.senderCompany } : {}),
        ...(settings.bookingUrl ? { bookingUrl: settings.bookingUrl } : {}),
        ...(settings.siteUrl ? { siteUrl: settings.siteUrl } : {}),
      },
      notNowHoldDays: settings.notNowHoldDays,
      outOfOfficeDays: settings.outOfOfficeDays,
      softBounceLimit: settings.softBounceLimit,
    },
  };
}

const IDENTITY = ["senderName", "senderCompany", "senderEmail", "senderPostalAddress", "publicUrl"] as const;

/** Commercial email must say who sends it and where they are (CAN-SPAM): no identity, no email. */
export function senderFrom(settings: Settings): { sender: Sender } | { missing: string[] } {
  const missing = IDENTITY.filter((key) => settings[key] === "").map((key) => SETTING_LABELS[key].toLowerCase());
  if (missing.length > 0) return { missing };
  const email = settings.senderEmail;
  return {
    sender: {
      name: settings.senderName,
      company: settings.senderCompany,
      email,
      postalAddress: settings.senderPostalAddress,
      replyDomain: settings.replyDomain || email.slice(email.lastIndexOf("@") + 1),
      publicUrl: settings.publicUrl,
    },
  };
}

/**
 * The countries SMS may go to: the listed ones, or the business's own (DEFAULT_PHONE_REGION).
 * Texts to premium and far-away numbers are how SMS pumping fraud bills the sender.
 */
export function smsCountriesFrom(settings: Settings, env: { DEFAULT_PHONE_REGION?: string }): string[] {
  return settings.smsCountries.length > 0 ? settings.smsCountries : [(env.DEFAULT_PHONE_REGION || "US").toUpperCase()];
}

/**
 * The sending address's guards. A warm-up limit of 50 or more never gets here: its rule
 * refuses it, since the playbook keeps a new address under 50 a day, and an address that is
 * already warm says so with 0 warm-up days.
 */
export function pacingRulesFrom(settings: Settings): PacingRules {
  const spacingS = settings.minSendSpacingSeconds;
  return {
    dailyCap: settings.senderDailyCap,
    warmupDays: settings.warmupDays,
    warmupDailyLimit: settings.warmupDailyLimit,
    warmupFirstDay: Math.min(settings.senderDailyCap, settings.warmupFirstDay),
    warmupGrowth: settings.warmupDailyGrowth,
    minSpacingMs: spacingS * 1000,
    jitterMs: spacingS * 500,
    instantPerDomainCap: settings.instantPerDomainDailyCap,
    timezone: settings.businessTimezone,
  };
}

/** How many days raw records (D1 rows, each lead's timeline entries) are kept: RETENTION_DAYS, default DEFAULT_RETENTION_DAYS. */
export function retentionDaysFrom(env: { RETENTION_DAYS?: string }): number {
  const days = Number(env.RETENTION_DAYS);
  return Number.isFinite(days) && days >= 1 ? days : DEFAULT_RETENTION_DAYS;
}

/**
 * Saves the settings in `patch` that differ from those in effect, each with its audit row
 * (who, when, from what to what). Returns the keys that changed; this isolate reads them at
 * once, and every other one at its next version check.
 */
export async function changeSettings(env: Env, patch: SettingsPatch, actor: string, now: number): Promise<SettingKey[]> {
  const { values } = await effectiveSettings(env);
  const changes = SETTING_KEYS.flatMap((key) => {
    const to = patch[key];
    return to === undefined || JSON.stringify(to) === JSON.stringify(values[key]) ? [] : [{ key, from: values[key], to }];
  });
  await saveSettings(env.DB, changes, actor, now);
  forgetSavedSettings(env.DB);
  return changes.map((c) => c.key);
}
