import { z } from "zod";
import { isTimeZone } from "./time-zone";

/**
 * The deployment settings the owner edits in the dashboard (and `PATCH /api/settings`): the
 * one definition of each setting, its rule and the wrangler var that gives its first-deploy
 * default. Secrets (webhook signing keys, API keys) are not here: they stay Worker secrets.
 */

/** Empty means "not set": the text fields of a fresh deployment start empty, and a blank one (spaces) is read as empty. */
const optional = <T extends z.ZodType>(schema: T) => z.union([z.string().trim().pipe(z.literal("")), schema]);

const text = (max: number) => z.string().trim().max(max, `at most ${max} characters`);
const email = optional(z.email("must be an email address like sam@example.com").max(254));
const webUrl = optional(z.url({ protocol: /^https?$/, error: "must be an http(s):// address" }).max(2048));
const whole = (min: number, rule: string, max = Number.MAX_SAFE_INTEGER) => z.number({ error: rule }).int(rule).min(min, rule).max(max, rule);

const modelName = z
  .string()
  .trim()
  .min(1, "name a Workers AI model")
  .max(200)
  .regex(/^[@\w./:-]+$/, "a Workers AI model name like @cf/meta/llama-3.3-70b-instruct-fp8-fast");

/** Under the playbook's 50 a day: a warming address that sends more risks its reputation for good. */
const WARMUP_CEILING = 50;

export const SettingsSchema = z.object({
  senderName: text(100),
  senderCompany: text(100),
  senderEmail: email,
  senderPostalAddress: text(300),
  replyDomain: optional(
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a domain like reply.example.com"),
  ),
  publicUrl: webUrl,
  bookingUrl: webUrl,
  siteUrl: webUrl,
  ownerEmail: email,
  businessTimezone: z.string().trim().refine(isTimeZone, "must be an IANA timezone like America/New_York"),
  competitors: z.array(z.string().trim().min(1).max(100)).max(50, "at most 50 competitors"),
  handOffThreshold: whole(1, "a whole score, at least 1"),
  bookingWaitHours: z
    .number({ error: "hours, 0 or more" })
    .min(0, "hours, 0 or more")
    .max(24 * 60, "at most 60 days"),
  handOffPausesAutomation: z.boolean({ error: "on or off" }),
  notNowHoldDays: whole(1, "a whole number of days, at least 1"),
  outOfOfficeDays: whole(1, "a whole number of days, at least 1"),
  softBounceLimit: whole(1, "a whole number of bounces, at least 1"),
  senderDailyCap: whole(1, "a whole number of emails, at least 1"),
  warmupDays: whole(0, "a whole number of days, 0 for an address that is already warm"),
  warmupDailyLimit: whole(1, `a warming address sends fewer than ${WARMUP_CEILING} a day (set WARMUP_DAYS=0 for one that is already warm)`, WARMUP_CEILING - 1),
  warmupFirstDay: whole(1, "a whole number of emails, at least 1"),
  warmupDailyGrowth: z.number({ error: "a factor above 1, or the address never grows" }).gt(1, "a factor above 1, or the address never grows").max(10, "at most 10"),
  minSendSpacingSeconds: z.number({ error: "seconds, 0 or more" }).min(0, "seconds, 0 or more").max(3600, "at most 3600 seconds"),
  instantPerDomainDailyCap: whole(1, "a whole number of emails, at least 1"),
  smsCountries: z
    .array(
      z
        .string()
        .trim()
        .toUpperCase()
        .regex(/^[A-Z]{2}$/, "two-letter country codes like US, GB"),
    )
    .max(250),
  // https, as it carries lead data; plain http only to this machine (a local CRM, the bench).
  handOffWebhookUrl: optional(
    z
      .url({ error: "must be an https:// address" })
      .max(2048)
      .refine((url) => url.startsWith("https://") || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url), "must be an https:// address"),
  ),
  handOffEmail: email,
  aiModel: modelName,
  aiFastModel: modelName,
  // Empty: the task runs on the quick model.
  aiJudgementModel: optional(modelName),
  aiSummaryModel: optional(modelName),
  aiChatModel: optional(modelName),
});
export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;

/** What a model is asked to do: drafting writes in the owner's voice; the rest are short, structured answers. */
export type ModelTask = "drafting" | "judgement" | "summary" | "chat";

/** The settings that name models. */
export type ModelSettings = Pick<Settings, "aiModel" | "aiFastModel" | "aiJudgementModel" | "aiSummaryModel" | "aiChatModel">;
const QUICK_TASK_MODEL = { judgement: "aiJudgementModel", summary: "aiSummaryModel", chat: "aiChatModel" } as const;

/**
 * The model a task runs on: drafting on `aiModel` (a mid-size model); reply judgements,
 * hand-off summaries and chat answers on the small fast `aiFastModel`, as they must answer
 * within seconds and say little, unless the task names a model of its own.
 */
export function modelFor(settings: ModelSettings, task: ModelTask): string {
  return task === "drafting" ? settings.aiModel : settings[QUICK_TASK_MODEL[task]] || settings.aiFastModel;
}
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as SettingKey[];

/** A change: any subset of the settings, each checked by its own rule; unknown keys are refused. */
export const SettingsPatchSchema = SettingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

/** How many days raw records are kept when RETENTION_DAYS (a var, not a setting) is unset: a year and a month. */
export const DEFAULT_RETENTION_DAYS = 395;

/** How a wrangler var spells a setting: as it is, a number, a comma list, or on/off. */
type VarKind = "text" | "number" | "list" | "switch";

/** Each setting's wrangler var (its first-deploy default), how the var spells it, and the built-in default when the var is unset or refused. */
export const SETTING_VARS: { [K in SettingKey]: { name: string; kind: VarKind; fallback: Settings[K] } } = {
  senderName: { name: "SENDER_NAME", kind: "text", fallback: "" },
  senderCompany: { name: "SENDER_COMPANY", kind: "text", fallback: "" },
  senderEmail: { name: "SENDER_EMAIL", kind: "text", fallback: "" },
  senderPostalAddress: { name: "SENDER_POSTAL_ADDRESS", kind: "text", fallback: "" },
  replyDomain: { name: "REPLY_DOMAIN", kind: "text", fallback: "" },
  publicUrl: { name: "PUBLIC_URL", kind: "text", fallback: "" },
  bookingUrl: { name: "BOOKING_URL", kind: "text", fallback: "" },
  siteUrl: { name: "SITE_URL", kind: "text", fallback: "" },
  ownerEmail: { name: "OWNER_EMAIL", kind: "text", fallback: "" },
  businessTimezone: { name: "DEFAULT_TIMEZONE", kind: "text", fallback: "America/New_York" },
  competitors: { name: "COMPETITORS", kind: "list", fallback: [] },
  handOffThreshold: { name: "HANDOFF_SCORE_THRESHOLD", kind: "number", fallback: 75 },
  bookingWaitHours: { name: "BOOKING_WAIT_HOURS", kind: "number", fallback: 24 },
  handOffPausesAutomation: { name: "HANDOFF_PAUSES_AUTOMATION", kind: "switch", fallback: true },
  notNowHoldDays: { name: "NOT_NOW_HOLD_DAYS", kind: "number", fallback: 30 },
  outOfOfficeDays: { name: "OUT_OF_OFFICE_DAYS", kind: "number", fallback: 7 },
  softBounceLimit: { name: "SOFT_BOUNCE_LIMIT", kind: "number", fallback: 3 },
  senderDailyCap: { name: "SENDER_DAILY_CAP", kind: "number", fallback: 200 },
  warmupDays: { name: "WARMUP_DAYS", kind: "number", fallback: 30 },
  warmupDailyLimit: { name: "WARMUP_DAILY_LIMIT", kind: "number", fallback: WARMUP_CEILING - 1 },
  warmupFirstDay: { name: "WARMUP_FIRST_DAY", kind: "number", fallback: 20 },
  warmupDailyGrowth: { name: "WARMUP_DAILY_GROWTH", kind: "number", fallback: 1.3 },
  minSendSpacingSeconds: { name: "MIN_SEND_SPACING_SECONDS", kind: "number", fallback: 20 },
  instantPerDomainDailyCap: { name: "INSTANT_PER_DOMAIN_DAILY_CAP", kind: "number", fallback: 50 },
  smsCountries: { name: "SMS_COUNTRIES", kind: "list", fallback: [] },
  handOffWebhookUrl: { name: "HANDOFF_WEBHOOK_URL", kind: "text", fallback: "" },
  handOffEmail: { name: "HANDOFF_EMAIL", kind: "text", fallback: "" },
  aiModel: { name: "AI_MODEL", kind: "text", fallback: "@cf/qwen/qwen3-30b-a3b-fp8" },
  aiFastModel: { name: "AI_FAST_MODEL", kind: "text", fallback: "@cf/meta/llama-3.1-8b-instruct-fp8-fast" },
  aiJudgementModel: { name: "AI_JUDGEMENT_MODEL", kind: "text", fallback: "" },
  aiSummaryModel: { name: "AI_SUMMARY_MODEL", kind: "text", fallback: "" },
  aiChatModel: { name: "AI_CHAT_MODEL", kind: "text", fallback: "" },
};

/** Each setting's name for people: the dashboard's labels, and the words of "set …" messages. */
export const SETTING_LABELS: Record<SettingKey, string> = {
  senderName: "Sender name",
  senderCompany: "Company",
  senderEmail: "Sending address",
  senderPostalAddress: "Postal address",
  replyDomain: "Reply domain",
  publicUrl: "Public URL",
  bookingUrl: "Booking URL",
  siteUrl: "Site URL",
  ownerEmail: "Alerts email",
  businessTimezone: "Business timezone",
  competitors: "Competitors",
  handOffThreshold: "Hand-off score",
  bookingWaitHours: "Booking wait (hours)",
  handOffPausesAutomation: "Hand-off pauses automation",
  notNowHoldDays: '"Not now" hold (days)',
  outOfOfficeDays: "Out-of-office wait (days)",
  softBounceLimit: "Soft bounces before suppression",
  senderDailyCap: "Daily cap per sending address",
  warmupDays: "Warm-up days",
  warmupDailyLimit: "Warm-up daily limit",
  warmupFirstDay: "Warm-up first day",
  warmupDailyGrowth: "Warm-up daily growth",
  minSendSpacingSeconds: "Minimum spacing between sends (seconds)",
  instantPerDomainDailyCap: "Instant answers per recipient domain a day",
  smsCountries: "SMS countries",
  handOffWebhookUrl: "Hand-off webhook URL",
  handOffEmail: "Hand-off email",
  aiModel: "AI model for drafts",
  aiFastModel: "AI model for quick judgements",
  aiJudgementModel: "AI model for reply judgements",
  aiSummaryModel: "AI model for hand-off briefs",
  aiChatModel: "AI model for chat answers",
};

/**
 * A setting as a var or a form field spells it, read into its value (not yet checked): a
 * number (NaN when unreadable, so the rule refuses it), a comma list, or on/off.
 */
export function settingFromText(kind: VarKind, raw: string): unknown {
  const trimmed = raw.trim();
  switch (kind) {
    case "text":
      return trimmed;
    case "number":
      return trimmed === "" ? Number.NaN : Number(trimmed);
    case "list":
      return trimmed
        .split(/[,\n]/)
        .map((item) => item.trim())
        .filter(Boolean);
    case "switch":
      return trimmed === "on" || trimmed === "true" || trimmed === "yes" ? true : trimmed === "off" || trimmed === "false" || trimmed === "no" ? false : trimmed;
  }
}

/** The reverse: a value as a form field or var spells it. */
export function settingAsText(value: Settings[SettingKey]): string {
  if (Array.isArray(value)) return value.join(", ");
  if (typeof value === "boolean") return value ? "on" : "off";
  return String(value);
}

/** Where an effective value comes from: saved in D1 (the dashboard or the API), or the wrangler var's first-deploy default. */
export type SettingSource = "saved" | "default";
