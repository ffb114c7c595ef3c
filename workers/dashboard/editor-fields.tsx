import type { Child } from "hono/jsx";
import type { FieldIssue } from "../../services/app-error";
import { fieldValue, type EditorFields } from "./sequence-form";

/**
 * The sequence editor's form controls: each labelled, named by its path in the sequence
 * document, and carrying its own errors in place (aria-invalid, aria-describedby).
 */

export const idOf = (name: string) => `f-${name}`;

const PART_LABELS: Record<string, string> = {
  window: "sending window",
  start: "from",
  end: "until",
  wait: "wait",
  instant: "at once",
  atPeakHour: "peak hour",
  alternative: "alternative angle",
  sms: "SMS",
  whatsapp: "WhatsApp",
  whatsappTemplate: "WhatsApp template",
  contentSid: "Content SID",
  key: "for leads from",
  if: "if",
  then: "then",
  not: "did / did not",
  pageClass: "page class",
  do: "action",
  drafting: "AI drafting",
  openedSooner: "opens bring touches sooner",
  clickedToBookingAsk: "clicks jump to the booking ask",
  silentUsesAlternative: "silent leads get the alternative",
  peakHour: "peak hour",
};
const LIST_LABELS: Record<string, string> = { branches: "branch", variants: "source variant" };

/** An input's name in words, for the list of errors: "Step 2 (value) · email · subject". */
export function fieldLabel(name: string, fields: EditorFields): string {
  if (name === "") return "The sequence";
  const parts = name.split(".");
  const words: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const index = parts[i + 1] !== undefined && /^\d+$/.test(parts[i + 1]!) ? Number(parts[i + 1]) : undefined;
    if (part === "steps" && index !== undefined) {
      const id = fieldValue(fields, `steps.${index}.id`);
      words.push(`Step ${index + 1}${id ? ` (${id})` : ""}`);
      i++;
    } else if (LIST_LABELS[part] && index !== undefined) {
      words.push(`${LIST_LABELS[part]} ${index + 1}`);
      i++;
    } else {
      words.push(PART_LABELS[part] ?? part);
    }
  }
  const [first = "", ...rest] = words;
  return [first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(" · ");
}

/** The messages placed at one input or group, shown where it is. */
export const issuesAt = (issues: FieldIssue[], name: string) => issues.filter((i) => i.field === name).map((i) => i.message);

export function Errors(props: { issues: FieldIssue[]; at: string }) {
  const messages = issuesAt(props.issues, props.at);
  if (messages.length === 0) return null;
  return (
    <p class="field-error" id={`${idOf(props.at)}-error`} data-error-for={props.at}>
      {messages.join("; ")}
    </p>
  );
}

/** What every input shares: its name, id, current value, and its error wired to it. */
interface FieldProps {
  label: string;
  name: string;
  fields: EditorFields;
  issues: FieldIssue[];
}

export const invalidAttrs = (props: FieldProps) =>
  issuesAt(props.issues, props.name).length > 0 ? { "aria-invalid": "true", "aria-describedby": `${idOf(props.name)}-error` } : {};

export function TextField(
  props: FieldProps & { type?: "text" | "number" | "time"; min?: number; max?: number; step?: string; maxlength?: number; readonly?: boolean; hint?: string },
) {
  return (
    <label>
      {props.label}
      <input
        id={idOf(props.name)}
        name={props.name}
        type={props.type ?? "text"}
        value={fieldValue(props.fields, props.name)}
        min={props.min}
        max={props.max}
        step={props.step}
        maxlength={props.maxlength}
        readonly={props.readonly}
        placeholder={props.hint}
        {...invalidAttrs(props)}
      />
      <Errors issues={props.issues} at={props.name} />
    </label>
  );
}

export function TextArea(props: FieldProps & { maxlength: number; rows?: number }) {
  return (
    <label>
      {props.label}
      <textarea id={idOf(props.name)} name={props.name} maxlength={props.maxlength} rows={props.rows ?? 6} {...invalidAttrs(props)}>
        {fieldValue(props.fields, props.name)}
      </textarea>
      <Errors issues={props.issues} at={props.name} />
    </label>
  );
}

/** A drop-down. A value it does not offer (a step since removed) stays chosen, marked, so the draft keeps saying what it says and the error can name it. */
export function Menu(props: FieldProps & { options: readonly (readonly [string, string])[]; blank?: string }) {
  const selected = fieldValue(props.fields, props.name);
  const offered = selected === "" || props.options.some(([value]) => value === selected);
  const options = offered ? props.options : [...props.options, [selected, `${selected} (not available)`] as const];
  return (
    <label>
      {props.label}
      <select id={idOf(props.name)} name={props.name} {...invalidAttrs(props)}>
        {props.blank !== undefined && <option value="">{props.blank}</option>}
        {options.map(([value, label]) => (
          <option value={value} selected={value === selected}>
            {label}
          </option>
        ))}
      </select>
      <Errors issues={props.issues} at={props.name} />
    </label>
  );
}

export function Checkbox(props: FieldProps & { value?: string }) {
  const value = props.value ?? "on";
  return (
    <label class="check">
      <input
        type="checkbox"
        id={props.value ? `${idOf(props.name)}-${value}` : idOf(props.name)}
        name={props.name}
        value={value}
        checked={props.fields[props.name]?.includes(value) ?? false}
      />
      {props.label}
    </label>
  );
}

/** A group of checkboxes under one name (a step's channels, the window's days). */
export function Checkboxes(props: FieldProps & { options: readonly (readonly [string, string])[] }) {
  return (
    <fieldset class="checks" id={idOf(props.name)} {...invalidAttrs(props)}>
      <legend>{props.label}</legend>
      {props.options.map(([value, label]) => (
        <Checkbox label={label} name={props.name} value={value} fields={props.fields} issues={props.issues} />
      ))}
      <Errors issues={props.issues} at={props.name} />
    </fieldset>
  );
}

/**
 * A button that reshapes the draft and comes back to the step it changed (the form's own
 * address with that step's anchor), so adding a branch to step 5 does not land at the top.
 */
export function Reshape(props: { action: string; value: string; anchor: string; kind?: "danger"; disabled?: boolean; children: Child }) {
  return (
    <button type="submit" class={props.kind ?? "secondary"} name="action" value={props.value} formaction={`${props.action}#${props.anchor}`} disabled={props.disabled}>
      {props.children}
    </button>
  );
}

export const labelled = <T extends string>(labels: Record<T, string>) => Object.entries(labels) as [T, string][];
export const plain = (options: readonly string[]) => options.map((o) => [o, o] as const);
