import { ChatSettingsSchema, type ChatSettings } from "../../schemas/chat";
import type { Site } from "../../schemas/tracking";
import { issuesOf, type FieldIssue } from "../../services/app-error";
import { Checkbox, Checkboxes, Errors, idOf, Menu, TextArea, TextField } from "./editor-fields";
import { Csrf } from "./layout";
import { EDITOR_CSS } from "./sequence-editor";
import { fieldValue, type EditorFields } from "./sequence-form";

/**
 * A site's chat settings: on or off, the greeting, when the widget opens by itself, the hours
 * a person answers, where a hand-off goes, the consent line and the sequence a chat lead
 * enters. Inputs are named by their path in `ChatSettingsSchema`, so each error sits under
 * the input it is about; the page works without script.
 */

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const ON = "on";

/** The saved settings as the form shows them. */
export function fieldsOfChat(chat: ChatSettings): EditorFields {
  const { openOn, hours } = chat;
  return {
    ...(chat.enabled ? { enabled: [ON] } : {}),
    greeting: [chat.greeting],
    ...(openOn.returningLead ? { "openOn.returningLead": [ON] } : {}),
    "openOn.pricingViews": [openOn.pricingViews === null ? "" : String(openOn.pricingViews)],
    "openOn.secondsOnPage.pageClass": [openOn.secondsOnPage?.pageClass ?? ""],
    "openOn.secondsOnPage.seconds": [openOn.secondsOnPage ? String(openOn.secondsOnPage.seconds) : ""],
    "hours.days": (hours?.days ?? []).map(String),
    "hours.start": [hours?.start ?? ""],
    "hours.end": [hours?.end ?? ""],
    handOffEmail: [chat.handOffEmail ?? ""],
    consentText: [chat.consentText],
    sequenceId: [chat.sequenceId ?? ""],
  };
}

/** A whole number as typed, or the text itself so the schema names what is wrong with it; blank is none. */
const figure = (text: string): number | string | null => (text === "" ? null : /^\d+$/.test(text) ? Number(text) : text);

/** Plainer words than the schema's for the mistakes people make in this form. */
function reworded(issue: FieldIssue): FieldIssue {
  if (issue.field === "hours.days") return { ...issue, message: "Tick the days someone answers, or clear the hours for none." };
  if (issue.field === "hours.start" || (issue.field === "hours.end" && !/before/.test(issue.message)))
    return { ...issue, message: "A time as HH:MM, or clear the hours for none." };
  if (issue.field === "handOffEmail") return { ...issue, message: "An email address, or blank for the deployment's hand-off destination." };
  if (/expected number|expected int/i.test(issue.message)) return { ...issue, message: "A whole number, or blank for none." };
  return issue;
}

/**
 * The posted fields as settings the API would accept, or every reason they are not, by
 * field. A page class must be one of the site's; a sequence must exist.
 */
export function chatOfFields(fields: EditorFields, site: Site, sequences: string[]): { chat: ChatSettings } | { issues: FieldIssue[] } {
  const text = (name: string) => fieldValue(fields, name).trim();
  const issues: FieldIssue[] = [];
  const pageClass = text("openOn.secondsOnPage.pageClass");
  const seconds = figure(text("openOn.secondsOnPage.seconds"));
  if (pageClass && seconds === null) issues.push({ field: "openOn.secondsOnPage.seconds", message: "How many seconds on the page before the chat opens." });
  if (!pageClass && seconds !== null) issues.push({ field: "openOn.secondsOnPage.pageClass", message: "Choose the class of page, or clear the seconds." });
  if (pageClass && !site.pageRules.some((rule) => rule.class === pageClass))
    issues.push({ field: "openOn.secondsOnPage.pageClass", message: `This site has no "${pageClass}" pages: choose a class from its page rules.` });
  const sequenceId = text("sequenceId");
  if (sequenceId && !sequences.includes(sequenceId)) issues.push({ field: "sequenceId", message: `There is no sequence "${sequenceId}".` });
  const days = fields["hours.days"] ?? [];
  const noHours = days.length === 0 && !text("hours.start") && !text("hours.end");
  const parsed = ChatSettingsSchema.safeParse({
    enabled: fields.enabled?.includes(ON) ?? false,
    greeting: text("greeting"),
    openOn: {
      returningLead: fields["openOn.returningLead"]?.includes(ON) ?? false,
      pricingViews: figure(text("openOn.pricingViews")),
      secondsOnPage: pageClass && seconds !== null ? { pageClass, seconds } : null,
    },
    hours: noHours ? null : { days: days.map(Number), start: text("hours.start"), end: text("hours.end") },
    handOffEmail: text("handOffEmail") || null,
    consentText: text("consentText"),
    sequenceId: sequenceId || null,
  });
  if (!parsed.success) issues.push(...issuesOf(parsed.error).map(reworded));
  return issues.length > 0 || !parsed.success ? { issues } : { chat: parsed.data };
}

export function ChatSettingsForm(props: { site: Site; fields: EditorFields; issues: FieldIssue[]; sequences: string[]; zone: string; csrf: string }) {
  const f = { fields: props.fields, issues: props.issues };
  const classes = [...new Set(props.site.pageRules.map((rule) => rule.class))];
  return (
    <div class="editor">
      <style dangerouslySetInnerHTML={{ __html: EDITOR_CSS }} />
      <form method="post" action="/dashboard/sites/chat" novalidate>
        <Csrf token={props.csrf} />
        <input type="hidden" name="origin" value={props.site.origin} />
        {props.issues.length > 0 && (
          <p class="flash error" role="alert">
            {`Not saved: ${props.issues.length === 1 ? "one thing needs" : `${props.issues.length} things need`} fixing; each reason is next to its field.`}
          </p>
        )}
        <fieldset>
          <legend>Chat on this site</legend>
          <Checkbox label="Chat is on: the snippet loads the chat widget on this site's pages" name="enabled" {...f} />
          <TextArea label="Greeting for a visitor we don't know yet (a known lead is greeted from their history)" name="greeting" maxlength={300} rows={3} {...f} />
        </fieldset>
        <fieldset>
          <legend>When it opens by itself (at most once per visit)</legend>
          <Checkbox label="A lead we already know comes back" name="openOn.returningLead" {...f} />
          <div class="grid">
            <TextField label="On the visitor's Nth view of a pricing page (blank: never)" name="openOn.pricingViews" type="number" min={1} max={20} {...f} />
            <Menu
              label="After some time on a page of class"
              name="openOn.secondsOnPage.pageClass"
              options={classes.map((c) => [c, c] as const)}
              blank="(no page class: off)"
              {...f}
            />
            <TextField label="Seconds on that page" name="openOn.secondsOnPage.seconds" type="number" min={1} max={3600} {...f} />
          </div>
          <p class="muted">The classes come from this site's page rules.</p>
        </fieldset>
        <fieldset id={idOf("hours")}>
          <legend>{`Hours a person answers (${props.zone}, the business's time zone)`}</legend>
          <p class="muted">Outside them a hand-off tells the visitor when someone will answer. Leave them blank for no hours.</p>
          <Checkboxes label="Days" name="hours.days" options={WEEKDAYS.map((day, i) => [String(i + 1), day] as const)} {...f} />
          <div class="grid">
            <TextField label="From" name="hours.start" type="time" {...f} />
            <TextField label="Until" name="hours.end" type="time" {...f} />
          </div>
          <Errors issues={props.issues} at="hours" />
        </fieldset>
        <fieldset>
          <legend>Hand-off and follow-up</legend>
          <TextField label="Hand-off email (blank: the deployment's hand-off destination in Settings)" name="handOffEmail" maxlength={254} {...f} />
          <TextArea label="Consent line the widget shows beside its contact form" name="consentText" maxlength={500} rows={2} {...f} />
          <Menu label="Sequence a lead from chat enters" name="sequenceId" options={props.sequences.map((s) => [s, s] as const)} blank="(none)" {...f} />
        </fieldset>
        <p class="actions">
          <button type="submit">Save chat settings</button>
          <a href={`/dashboard/sites/edit?origin=${encodeURIComponent(props.site.origin)}`}>Page rules</a>
          <a href="/dashboard/sites">Back to sites</a>
        </p>
      </form>
    </div>
  );
}
