import { Hono, type Context } from "hono";
import { SETTING_KEYS, SETTING_VARS, settingFromText, SettingsSchema, type SettingKey, type SettingsPatch } from "../../schemas/settings";
import { clockFrom } from "../../services/clock";
import { settingsAuditList } from "../../services/d1/settings";
import { currentSequence, listSequences } from "../../services/d1/sequences";
import { checkDeployment } from "../../services/deployment-checks";
import { changeSettings, effectiveSettings } from "../../services/deployment-settings";
import { destinationsFrom } from "../../services/hand-off-delivery";
import { Checklist } from "../dashboard/doctor";
import { Page } from "../dashboard/layout";
import type { Session } from "../dashboard/session";
import { Fixed, SequenceWindows, Sessions, SettingsAudit, SettingsForm, type SettingsFormState } from "../dashboard/settings";
import { postedForm } from "./validate";

/**
 * `/dashboard/settings`, mounted behind the dashboard's session and CSRF check: the doctor's
 * checklist, the settings form (each field checked by the rule `PATCH /api/settings` uses,
 * refusals shown next to their field), and the audit list.
 */
type SettingsEnv = { Bindings: Env; Variables: { session: Session; csrf: string; zone: string } };
export const dashboardSettings = new Hono<SettingsEnv>();

const FLASH = "Settings saved: the next touch uses them.";

async function settingsPage(c: Context<SettingsEnv>, state?: SettingsFormState) {
  const [effective, checks, changes, listings] = await Promise.all([effectiveSettings(c.env), checkDeployment(c.env), settingsAuditList(c.env.DB, 50), listSequences(c.env.DB)]);
  const sequences = (await Promise.all(listings.map((s) => currentSequence(c.env.DB, s.id)))).flatMap((s) => (s ? [s] : []));
  return (
    <Page title="Settings" path="/dashboard/settings" csrf={c.get("csrf")} flash={c.req.query("done") === "saved" ? FLASH : undefined} zone={c.get("zone")}>
      <h1>Settings</h1>
      <Checklist checks={checks} />
      <h2>This deployment</h2>
      <p class="muted">Saved here and used from the next touch on, without a deploy. The wrangler vars give each setting's first value only; secrets stay Worker secrets.</p>
      <SettingsForm effective={effective} csrf={c.get("csrf")} {...(state ? { state } : {})} />
      <SettingsAudit changes={changes} />
      <Fixed env={c.env} effective={effective} destinations={destinationsFrom(c.env, effective.values)} />
      <SequenceWindows sequences={sequences} />
      <Sessions csrf={c.get("csrf")} />
    </Page>
  );
}

dashboardSettings.get("/", async (c) => c.html(await settingsPage(c)));

/** Every field is checked by its own rule: either all are saved, or none and each refusal is shown in place. */
dashboardSettings.post("/", async (c) => {
  const form = await postedForm(c);
  const patch: Record<string, unknown> = {};
  const typed: Partial<Record<SettingKey, string>> = {};
  const errors: Partial<Record<SettingKey, string>> = {};
  for (const key of SETTING_KEYS) {
    const raw = form[key];
    if (typeof raw !== "string") continue;
    typed[key] = raw;
    const parsed = SettingsSchema.shape[key].safeParse(settingFromText(SETTING_VARS[key].kind, raw.replace(/\r\n/g, "\n")));
    if (parsed.success) patch[key] = parsed.data;
    else errors[key] = parsed.error.issues[0]?.message ?? "is not valid";
  }
  if (Object.keys(errors).length > 0) return c.html(await settingsPage(c, { typed, errors }), 422);
  await changeSettings(c.env, patch as SettingsPatch, `dashboard session ${c.get("session").sid.slice(0, 8)}`, clockFrom(c.env).wallNow());
  return c.redirect("/dashboard/settings?done=saved", 303);
});
