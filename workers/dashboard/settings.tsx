import { SMS_QUIET_HOURS } from "../../engine/time/sending-window";
import type { SettingsAuditRow } from "../../schemas/d1";
import type { SequenceVersion } from "../../schemas/sequence";
import { modelFor, type ModelTask, SETTING_LABELS, SETTING_VARS, settingAsText, type SettingKey } from "../../schemas/settings";
import { emailTransportName } from "../../services/channels/select";
import { type EffectiveSettings, pacingRulesFrom } from "../../services/deployment-settings";
import type { DestinationKind } from "../../services/hand-off-delivery";
import { Csrf, FieldTable, ListTable, when } from "./layout";

/**
 * The Settings page: the deployment's settings as a form (saved to D1; the wrangler vars are
 * only their first-deploy defaults), the audit list of every change, what is not a setting
 * (transports, secrets, the law's quiet hours), the per-sequence windows and the sessions.
 */

/** The form's sections, in the order an owner sets a deployment up. */
const SECTIONS: { title: string; hint?: string; keys: SettingKey[] }[] = [
  {
    title: "Sender identity",
    hint: "Commercial email must say who sends it and where they are: email waits until name, company, sending address, postal address and public URL are all set.",
    keys: ["senderName", "senderCompany", "senderEmail", "senderPostalAddress", "replyDomain", "ownerEmail"],
  },
  {
    title: "Links",
    hint: "The public URL is this Worker's address (tracking and unsubscribe links); the booking and site URLs fill {{bookingUrl}} and {{siteUrl}} in templates.",
    keys: ["publicUrl", "bookingUrl", "siteUrl"],
  },
  {
    title: "Hand-off to a person",
    hint: "The webhook is signed with the secret HANDOFF_WEBHOOK_SECRET; a Slack webhook is the secret SLACK_WEBHOOK_URL.",
    keys: ["handOffThreshold", "competitors", "bookingWaitHours", "handOffPausesAutomation", "handOffEmail", "handOffWebhookUrl"],
  },
  { title: "Replies and bounces", keys: ["notNowHoldDays", "outOfOfficeDays", "softBounceLimit"] },
  {
    title: "Sending",
    hint: "A new address warms up: it starts at the first day's count and grows by the daily factor, under 50 a day, for the warm-up days; 0 warm-up days for an address that is already warm.",
    keys: [
      "businessTimezone",
      "senderDailyCap",
      "warmupDays",
      "warmupFirstDay",
      "warmupDailyGrowth",
      "warmupDailyLimit",
      "minSendSpacingSeconds",
      "instantPerDomainDailyCap",
      "smsCountries",
    ],
  },
  {
    title: "AI",
    hint: "Drafts are written by the drafting model; reply judgements, hand-off briefs and chat answers by the quick one (short structured answers, within seconds), unless the task's own model below is set.",
    keys: ["aiModel", "aiFastModel", "aiJudgementModel", "aiSummaryModel", "aiChatModel"],
  },
];

/** What each model task is called in the deployment's status. */
const MODEL_TASKS: readonly (readonly [ModelTask, string])[] = [
  ["drafting", "drafts"],
  ["judgement", "reply judgements"],
  ["summary", "hand-off briefs"],
  ["chat", "chat answers"],
];

/** The form's own layout: one column on a phone, label beside input from tablet width. */
const FORM_CSS = `
form.settings fieldset{background:#fff;border:1px solid #dde2e8;border-radius:8px;margin:0 0 1rem;padding:.6rem .9rem}
form.settings legend{font-weight:600;padding:0 .3rem}
form.settings .field{display:grid;gap:.15rem;margin:.55rem 0}
form.settings .field input,form.settings .field select,form.settings .field textarea{width:100%}
form.settings .field.invalid input,form.settings .field.invalid select,form.settings .field.invalid textarea{border-color:#b42318;background:#fff7f6}
form.settings .field-error{color:#b42318;font-size:.85rem}
@media (min-width:45rem){form.settings .field{grid-template-columns:16rem 1fr;column-gap:1rem;align-items:start} form.settings .field>:not(label){grid-column:2}}
`;

/** Inputs that take a number get a numeric keyboard on a phone; lists are typed comma-separated. */
const INPUT_TYPE: Partial<Record<SettingKey, string>> = {
  senderEmail: "email",
  ownerEmail: "email",
  handOffEmail: "email",
  publicUrl: "url",
  bookingUrl: "url",
  siteUrl: "url",
  handOffWebhookUrl: "url",
};

export interface SettingsFormState {
  /** What the owner typed, shown back when something was refused. */
  typed?: Partial<Record<SettingKey, string>>;
  /** Why each refused field was refused. */
  errors?: Partial<Record<SettingKey, string>>;
}

function Field(props: { name: SettingKey; effective: EffectiveSettings; state: SettingsFormState }) {
  const { name, effective, state } = props;
  const id = `setting-${name}`;
  const error = state.errors?.[name];
  const value = state.typed?.[name] ?? settingAsText(effective.values[name]);
  const source = effective.sources[name] === "saved" ? "saved" : `default (wrangler var ${SETTING_VARS[name].name})`;
  const described = `${id}-source${error ? ` ${id}-error` : ""}`;
  const common = { id, name, "aria-describedby": described, "aria-invalid": error ? "true" : undefined };
  const kind = SETTING_VARS[name].kind;
  return (
    <div class={`field${error ? " invalid" : ""}`} data-setting={name}>
      <label for={id}>{SETTING_LABELS[name]}</label>
      {kind === "switch" ? (
        <select {...common}>
          <option value="on" selected={value === "on"}>
            on
          </option>
          <option value="off" selected={value === "off"}>
            off
          </option>
        </select>
      ) : name === "senderPostalAddress" ? (
        <textarea {...common} rows={2}>
          {value}
        </textarea>
      ) : (
        <input {...common} type={INPUT_TYPE[name] ?? "text"} inputmode={kind === "number" ? "decimal" : undefined} value={value} />
      )}
      {error && (
        <span class="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      )}
      <span class="muted" id={`${id}-source`}>
        {source}
      </span>
    </div>
  );
}

export function SettingsForm(props: { effective: EffectiveSettings; state?: SettingsFormState; csrf: string }) {
  const state = props.state ?? {};
  const refusedCount = Object.keys(state.errors ?? {}).length;
  return (
    <form method="post" action="/dashboard/settings" class="settings" novalidate>
      <style dangerouslySetInnerHTML={{ __html: FORM_CSS }} />
      <Csrf token={props.csrf} />
      {refusedCount > 0 && (
        <p class="flash error" role="alert">
          {`${refusedCount} setting${refusedCount === 1 ? " was" : "s were"} not saved: see the reason next to ${refusedCount === 1 ? "it" : "each"}. Nothing was changed.`}
        </p>
      )}
      {SECTIONS.map((section) => (
        <fieldset>
          <legend>{section.title}</legend>
          {section.hint && <p class="muted">{section.hint}</p>}
          {section.keys.map((key) => (
            <Field name={key} effective={props.effective} state={state} />
          ))}
        </fieldset>
      ))}
      <p>
        <button type="submit">Save settings</button>
      </p>
    </form>
  );
}

/** What this deployment runs with that is not edited here: bindings, secrets, and the law's quiet hours. */
export function Fixed(props: { env: Env; effective: EffectiveSettings; destinations: DestinationKind[] }) {
  const { env, effective } = props;
  const pacing = pacingRulesFrom(effective.values);
  const rows: [string, string][] = [
    [
      "Daily cap per sending address",
      pacing.warmupDays > 0
        ? `${pacing.dailyCap} after a ${pacing.warmupDays}-day warm-up (from ${pacing.warmupFirstDay}/day, ×${pacing.warmupGrowth} a day, at most ${pacing.warmupDailyLimit}/day while warming up)`
        : `${pacing.dailyCap} from the first day (no warm-up: WARMUP_DAYS is 0)`,
    ],
    ...effective.refused.map((reason): [string, string] => ["Refused setting", reason]),
    ["Email transport", emailTransportName(env)],
    ["SMS transport", env.SMS_TRANSPORT || "outbox"],
    ["WhatsApp transport", env.WHATSAPP_TRANSPORT === "twilio" ? `twilio, from whatsapp:${env.TWILIO_WHATSAPP_FROM || "(TWILIO_WHATSAPP_FROM not set)"}` : "outbox"],
    ["SMS quiet hours", `${SMS_QUIET_HOURS.start}–${SMS_QUIET_HOURS.end} in the recipient's time, every day: the law's (TCPA), not a setting`],
    [
      "AI",
      "AI" in env && env.AI
        ? `Workers AI, ${MODEL_TASKS.map(([task, what]) => `${modelFor(effective.values, task)} (${what})`).join(", ")}`
        : "no Workers AI binding: the deterministic drafter and heuristics run",
    ],
    ["Hand-off destinations", props.destinations.length ? props.destinations.join(", ") : "none configured (the dashboard's hand-off queue only)"],
  ];
  return (
    <>
      <h2>In effect</h2>
      <FieldTable rows={rows} />
    </>
  );
}

export function SettingsAudit(props: { changes: SettingsAuditRow[] }) {
  const shown = (value: unknown) =>
    value === null || value === undefined
      ? "—"
      : Array.isArray(value) || typeof value === "boolean" || typeof value === "number" || typeof value === "string"
        ? settingAsText(value) || "(empty)"
        : JSON.stringify(value);
  return (
    <>
      <h2>Changes</h2>
      <ListTable
        columns={["When", "Who", "Setting", "From", "To"]}
        empty="No setting has been changed here yet: every value above is its wrangler var's default."
        rows={props.changes.map((change) => (
          <tr data-audit={change.key}>
            <td>{when(change.at)}</td>
            <td>{change.actor}</td>
            <td>{SETTING_LABELS[change.key as SettingKey] ?? change.key}</td>
            <td>{shown(change.oldValue)}</td>
            <td>{shown(change.newValue)}</td>
          </tr>
        ))}
      />
    </>
  );
}

export function SequenceWindows(props: { sequences: SequenceVersion[] }) {
  return (
    <>
      <h2>Per sequence</h2>
      <p class="muted">Sending windows and AI drafting are set per sequence.</p>
      <ListTable
        columns={["Sequence", "Sending window (lead's time)", "AI drafting"]}
        rows={props.sequences.map(({ id, sequence }) => (
          <tr>
            <td>
              <a href={`/dashboard/sequences/${id}`}>{id}</a>
            </td>
            <td>{`${sequence.window.days.map((d) => "MTWTFSS"[d - 1]).join("")} ${sequence.window.start}–${sequence.window.end}`}</td>
            <td>{`${sequence.drafting.mode}${sequence.drafting.mode === "review" ? `, unreviewed → ${sequence.drafting.unreviewed}` : ""}`}</td>
          </tr>
        ))}
      />
    </>
  );
}

export function Sessions(props: { csrf: string }) {
  return (
    <>
      <h2>Sessions</h2>
      <p class="muted">Lost a device, or logged in somewhere you should not have? This ends every dashboard session, on every device, this one included.</p>
      <form method="post" action="/dashboard/logout-everywhere">
        <Csrf token={props.csrf} />
        <button type="submit">Log out everywhere</button>
      </form>
    </>
  );
}
