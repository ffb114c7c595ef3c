import { Hono } from "hono";
import { SETTING_KEYS, SETTING_VARS, SettingsPatchSchema } from "../../schemas/settings";
import { SMS_QUIET_HOURS } from "../../engine/time/sending-window";
import { clockFrom } from "../../services/clock";
import { settingsAuditList } from "../../services/d1/settings";
import { changeSettings, effectiveSettings } from "../../services/deployment-settings";
import { valid } from "./validate";

/**
 * `/api/settings`: the deployment's settings as they are in effect, each with where it comes
 * from (saved, or the default its wrangler var gives), a partial change checked by the same
 * rules as the dashboard's form, and the audit list of every change.
 */
export const settingsApi = new Hono<{ Bindings: Env }>();

async function described(env: Env) {
  const { values, sources, refused } = await effectiveSettings(env);
  return {
    settings: Object.fromEntries(SETTING_KEYS.map((key) => [key, { value: values[key], source: sources[key], var: SETTING_VARS[key].name }])),
    refused,
    // The law's, not the owner's: shown so nobody looks for a setting that must not exist.
    fixed: { smsQuietHours: { start: SMS_QUIET_HOURS.start, end: SMS_QUIET_HOURS.end, in: "the recipient's time, every day" } },
  };
}

settingsApi.get("/", async (c) => c.json(await described(c.env)));

settingsApi.patch("/", valid("json", SettingsPatchSchema), async (c) => {
  const changed = await changeSettings(c.env, c.req.valid("json"), "API (owner token)", clockFrom(c.env).wallNow());
  return c.json({ changed, ...(await described(c.env)) });
});

settingsApi.get("/audit", async (c) => c.json({ changes: await settingsAuditList(c.env.DB) }));
