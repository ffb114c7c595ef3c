import type { Child } from "hono/jsx";
import type { FormConfig } from "../../schemas/form";
import { MessageChannelSchema, type MessageChannel } from "../../schemas/lead";
import type { FieldIssue } from "../../services/app-error";
import { Choice, Csrf, ListTable } from "./layout";
import { formHtml } from "./setup";

/**
 * The Forms pages: the list, the editor (create and edit, errors next to their field), the
 * embed code with copy buttons, and delete. What the editor posts is read by `formFromFields`
 * and validated with the API's own schema.
 */

/** Where a form's posts may come from, in words. */
const originsInWords = (form: FormConfig) =>
  form.allowedOrigins.length === 0 ? "your registered sites" : form.allowedOrigins.includes("*") ? "any site" : form.allowedOrigins.join(", ");

export function FormList(props: { forms: FormConfig[]; waiting: number }) {
  return (
    <>
      {props.waiting > 0 && (
        <p class="flash error" data-testid="unknown-site-notice">
          <a href="/dashboard/unknown-sites">{`${props.waiting} post${props.waiting === 1 ? "" : "s"} from an unknown site wait${props.waiting === 1 ? "s" : ""} for you`}</a>
          {": approve each to enrol it, or discard it."}
        </p>
      )}
      <p class="actions">
        <a href="/dashboard/forms/new">
          <button type="button">New form</button>
        </a>
      </p>
      <ListTable
        columns={["Form", "Sequence", "Takes posts from", "Lawful basis"]}
        empty="No form yet. Make one with New form, then paste its code into your site."
        rows={props.forms.map((form) => (
          <tr data-form={form.id}>
            <td>
              <a href={`/dashboard/forms/${form.id}`}>{form.name}</a>
              <div class="muted">{form.id}</div>
            </td>
            <td>{form.sequenceId ?? "none"}</td>
            <td>{originsInWords(form)}</td>
            <td>{form.lawfulBasis.replace("_", " ")}</td>
          </tr>
        ))}
      />
    </>
  );
}

/** An input inside its label and, when it needs fixing, the reason right after it. */
function Field(props: { name: string; label: string; issues: FieldIssue[]; hint?: string; children: Child }) {
  const issue = props.issues.find((i) => i.field === props.name || i.field.startsWith(`${props.name}.`));
  return (
    <div style="margin:.6rem 0">
      {/* biome-ignore lint/a11y/noLabelWithoutControl: every caller passes its control (input, textarea, Choice) as the child */}
      <label>
        {props.label}
        <br />
        {props.children}
      </label>
      {props.hint && (
        <span class="muted" style="display:block">
          {props.hint}
        </span>
      )}
      {issue && (
        <span class="warn" style="display:block" role="alert" data-error-for={props.name}>
          {issue.message}
        </span>
      )}
    </div>
  );
}

export interface FormDraft {
  id: string;
  name: string;
  thankYouUrl: string;
  allowedOrigins: string;
  defaultSource: string;
  honeypotField: string;
  sequenceId: string;
  lawfulBasis: string;
  validationErrors: string;
  turnstile: boolean;
  consent: Record<MessageChannel, { shown: boolean; required: boolean; wording: string }>;
}

export const draftOf = (form: FormConfig): FormDraft => ({
  id: form.id,
  name: form.name,
  thankYouUrl: form.thankYouUrl,
  allowedOrigins: form.allowedOrigins.join("\n"),
  defaultSource: form.defaultSource,
  honeypotField: form.honeypotField,
  sequenceId: form.sequenceId ?? "",
  lawfulBasis: form.lawfulBasis,
  validationErrors: form.validationErrors,
  turnstile: form.turnstile !== false,
  consent: {
    email: { shown: form.consent.email !== undefined, required: form.consent.email?.required ?? false, wording: form.consent.email?.wording ?? "" },
    sms: { shown: form.consent.sms !== undefined, required: form.consent.sms?.required ?? false, wording: form.consent.sms?.wording ?? "" },
    whatsapp: { shown: form.consent.whatsapp !== undefined, required: form.consent.whatsapp?.required ?? false, wording: form.consent.whatsapp?.wording ?? "" },
  },
});

export const NEW_FORM: FormDraft = {
  id: "",
  name: "",
  thankYouUrl: "",
  allowedOrigins: "",
  defaultSource: "website",
  honeypotField: "website_url",
  sequenceId: "new-inquiry",
  lawfulBasis: "legitimate_interest",
  validationErrors: "page",
  turnstile: false,
  consent: {
    email: { shown: false, required: false, wording: "Yes, you may email me about my inquiry and related offers." },
    sms: { shown: false, required: false, wording: "Yes, you may text me about my inquiry. Reply STOP to opt out." },
    whatsapp: { shown: false, required: false, wording: "Yes, you may message me on WhatsApp about my inquiry. Reply STOP to opt out." },
  },
};

const CHANNEL_WORDS = { email: "email", sms: "text messages (SMS)", whatsapp: "WhatsApp messages" } as const;
const BOX_WORDS = { email: "email", sms: "SMS", whatsapp: "WhatsApp" } as const;

export function FormEditor(props: { draft: FormDraft; isNew: boolean; sequences: string[]; issues: FieldIssue[]; csrf: string }) {
  const { draft, issues } = props;
  const action = props.isNew ? "/dashboard/forms" : `/dashboard/forms/${draft.id}`;
  return (
    <form method="post" action={action} class="editor" novalidate>
      <Csrf token={props.csrf} />
      {issues.length > 0 && (
        <p class="flash error" role="alert">
          {`${issues.length} thing${issues.length === 1 ? "" : "s"} to fix before the form is saved; each is shown next to its field.`}
        </p>
      )}
      {props.isNew && (
        <Field name="id" label="Form id (part of its address, /f/…)" issues={issues} hint="Lowercase letters, digits and dashes, for example contact or quote-request.">
          <input name="id" value={draft.id} required maxlength={63} pattern="[a-z0-9][a-z0-9-]*" />
        </Field>
      )}
      <Field name="name" label="Name" issues={issues}>
        <input name="name" value={draft.name} required maxlength={200} style="width:100%" />
      </Field>
      <Field name="thankYouUrl" label="Thank-you page" issues={issues} hint="Where a visitor lands after sending: https://… or a path on this engine.">
        <input name="thankYouUrl" value={draft.thankYouUrl} required maxlength={2048} style="width:100%" />
      </Field>
      <Field name="sequenceId" label="Sequence every new lead enters" issues={issues}>
        <Choice name="sequenceId" options={props.sequences} selected={draft.sequenceId} blank="None (keep the lead, send nothing)" />
      </Field>
      <Field
        name="allowedOrigins"
        label="Sites that may post this form"
        issues={issues}
        hint="Leave empty for every registered site (see Sites). Or one origin per line, like https://example.com; * for any site. A post from any other site waits for you under Unknown sites."
      >
        <textarea name="allowedOrigins" rows={3} style="width:100%">
          {draft.allowedOrigins}
        </textarea>
      </Field>
      <fieldset>
        <legend>Consent boxes</legend>
        {MessageChannelSchema.options.map((channel) => {
          const box = draft.consent[channel];
          return (
            <div data-consent={channel}>
              <p>
                <label>
                  <input type="checkbox" name={`consent.${channel}.shown`} value="yes" checked={box.shown} />
                  {` Show a box for consent to ${CHANNEL_WORDS[channel]}`}
                </label>
                <br />
                <label>
                  <input type="checkbox" name={`consent.${channel}.required`} value="yes" checked={box.required} />
                  {" The box must be ticked to send the form"}
                </label>
              </p>
              <Field name={`consent.${channel}`} label={`Wording next to the ${BOX_WORDS[channel]} box (kept with each consent)`} issues={issues}>
                <textarea name={`consent.${channel}.wording`} rows={2} maxlength={500} style="width:100%">
                  {box.wording}
                </textarea>
              </Field>
            </div>
          );
        })}
      </fieldset>
      <Field name="lawfulBasis" label="Why its leads may be contacted" issues={issues}>
        <Choice
          name="lawfulBasis"
          options={[
            ["legitimate_interest", "Legitimate interest: answer the inquiry only"],
            ["consent", "Consent: the form collects it (needs a required consent box)"],
          ]}
          selected={draft.lawfulBasis}
        />
      </Field>
      <details open={issues.some((i) => ["defaultSource", "honeypotField", "validationErrors", "turnstile"].includes(i.field))}>
        <summary>More settings</summary>
        <Field name="defaultSource" label="Source recorded for its leads" issues={issues}>
          <input name="defaultSource" value={draft.defaultSource} maxlength={100} />
        </Field>
        <Field name="honeypotField" label="Hidden honeypot field (filled only by bots)" issues={issues}>
          <input name="honeypotField" value={draft.honeypotField} maxlength={64} />
        </Field>
        <Field name="validationErrors" label="When a post needs fixing, the visitor" issues={issues}>
          <Choice
            name="validationErrors"
            options={[
              ["page", "reads a plain page with the reasons"],
              ["redirect", "goes back to the form's page, with the reasons as fu_error parameters"],
            ]}
            selected={draft.validationErrors}
          />
        </Field>
        <p>
          <label>
            <input type="checkbox" name="turnstile" value="yes" checked={draft.turnstile} />
            {" Require Cloudflare Turnstile (the deployment's keys)"}
          </label>
        </p>
      </details>
      <p class="actions">
        <button type="submit">{props.isNew ? "Create form" : "Save changes"}</button>
        <a href="/dashboard/forms">Cancel</a>
      </p>
    </form>
  );
}

/** The same form posted by a script: the visitor stays on the page, and the answer is read as JSON. */
export function fetchCode(form: FormConfig, base: string): string {
  const thanks = form.thankYouUrl.startsWith("/") ? `${base}${form.thankYouUrl}` : form.thankYouUrl;
  return `${formHtml(form, base).replace("<form ", `<form id="fu-${form.id}" `)}
<script>
document.getElementById("fu-${form.id}").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch(event.target.action, { method: "POST", headers: { accept: "application/json" }, body: new FormData(event.target) });
  if (response.ok) { location.href = ${JSON.stringify(thanks)}; return; }
  const { error } = await response.json();
  alert([error.message, ...(error.issues ?? []).map((i) => i.field + ": " + i.message)].join("\\n"));
});
</script>`;
}

export function EmbedCode(props: { form: FormConfig; base: string }) {
  const { form, base } = props;
  return (
    <section data-testid="embed">
      <h2>Put it on your site</h2>
      <p class="muted">
        Paste one of these where the form should appear. The site must be registered (Sites) or listed above; posts from anywhere else wait for you under Unknown sites.
      </p>
      <h3>Plain HTML</h3>
      <pre id="embed-html">{formHtml(form, base)}</pre>
      <button type="button" class="secondary" data-copy="embed-html">
        Copy the HTML
      </button>
      <h3>With fetch (the visitor stays on the page)</h3>
      <pre id="embed-fetch">{fetchCode(form, base)}</pre>
      <button type="button" class="secondary" data-copy="embed-fetch">
        Copy the fetch code
      </button>
    </section>
  );
}

export function DeleteForm(props: { form: FormConfig; csrf: string }) {
  return (
    <section>
      <h2>Delete</h2>
      <form method="post" action={`/dashboard/forms/${props.form.id}/delete`}>
        <Csrf token={props.csrf} />
        <p>
          <label>
            <input type="checkbox" name="confirm" value="yes" required />
            {` Delete ${props.form.name}: posts to /f/${props.form.id} are refused from now on (its leads stay)`}
          </label>
        </p>
        <button type="submit" class="danger">
          Delete the form
        </button>
      </form>
    </section>
  );
}

/** The copy buttons' script (the dashboard's CSP runs same-origin scripts only). */
export const COPY_SCRIPT = `for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.copy).textContent;
    try { await navigator.clipboard.writeText(text); button.textContent = "Copied"; }
    catch { button.textContent = "Select the code and copy it"; }
  });
}`;

type Posted = Record<string, string | File | (string | File)[]>;
const text = (posted: Posted, name: string) => {
  const value = posted[name];
  return typeof value === "string" ? value.replace(/\r\n/g, "\n") : "";
};
const ticked = (posted: Posted, name: string) => posted[name] === "yes";

/** The editor's fields as they were posted, to show again next to their errors. */
export function draftFromFields(posted: Posted, id: string): FormDraft {
  const box = (channel: MessageChannel) => ({
    shown: ticked(posted, `consent.${channel}.shown`),
    required: ticked(posted, `consent.${channel}.required`),
    wording: text(posted, `consent.${channel}.wording`).trim(),
  });
  return {
    id,
    name: text(posted, "name"),
    thankYouUrl: text(posted, "thankYouUrl").trim(),
    allowedOrigins: text(posted, "allowedOrigins"),
    defaultSource: text(posted, "defaultSource").trim() || "website",
    honeypotField: text(posted, "honeypotField").trim() || "website_url",
    sequenceId: text(posted, "sequenceId"),
    lawfulBasis: text(posted, "lawfulBasis"),
    validationErrors: text(posted, "validationErrors") || "page",
    turnstile: ticked(posted, "turnstile"),
    consent: { email: box("email"), sms: box("sms"), whatsapp: box("whatsapp") },
  };
}

/**
 * The form a draft describes, for the API's schema to judge. A required box is shown even if
 * its "show" tick was forgotten; a custom Turnstile key set through the API is kept.
 */
export function formOfDraft(draft: FormDraft, stored?: FormConfig): unknown {
  const consent = Object.fromEntries(
    MessageChannelSchema.options.flatMap((channel) => {
      const box = draft.consent[channel];
      return box.shown || box.required ? [[channel, { required: box.required, wording: box.wording }]] : [];
    }),
  );
  return {
    id: draft.id,
    name: draft.name,
    thankYouUrl: draft.thankYouUrl,
    allowedOrigins: draft.allowedOrigins.split(/[\s,]+/).filter(Boolean),
    defaultSource: draft.defaultSource,
    honeypotField: draft.honeypotField,
    sequenceId: draft.sequenceId || null,
    consent,
    lawfulBasis: draft.lawfulBasis,
    validationErrors: draft.validationErrors,
    turnstile: draft.turnstile ? (typeof stored?.turnstile === "object" ? stored.turnstile : true) : false,
  };
}
