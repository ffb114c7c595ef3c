import { AppError, type FieldIssue } from "../../services/app-error";

/**
 * The sequence editor's form, both ways. Every input is named by the path of what it holds
 * in the sequence document (`steps.2.wait.days`), so a zod issue's path names the input it
 * belongs to and the error is shown right there. `bySource` is a record keyed by text the
 * owner types, so its variants are a list in the form (`steps.1.variants.0.key`).
 *
 * A draft is what the owner wrote, not yet valid: a number field that does not read as a
 * number keeps its text, so the form shows it back and the schema names the problem.
 */

type Figure = number | string;
export interface DraftTemplate {
  subject?: string | undefined;
  body: string;
}
export interface DraftBranch {
  if: { signal: string; not?: boolean; step?: string | undefined; pageClass?: string | undefined; since?: string };
  then: { do: string; step?: string; subject?: string; sequence?: string };
}
export interface DraftStep {
  id: string;
  intent: string;
  channels: string[];
  wait?: { days?: Figure; hours?: Figure };
  instant?: boolean;
  atPeakHour?: boolean;
  email?: DraftTemplate | undefined;
  alternative?: DraftTemplate | undefined;
  bySource?: Record<string, DraftTemplate> | undefined;
  sms?: { text: string } | undefined;
  whatsapp?: { text: string } | undefined;
  whatsappTemplate?: { contentSid: string; variables: Record<string, string> } | undefined;
  knowledge?: string | undefined;
  task?: { note: string } | undefined;
  branches?: DraftBranch[];
}
/** A sequence as the editor holds it; a stored `Sequence` is one. */
export interface SequenceDraft {
  id: string;
  name: string;
  description?: string | undefined;
  purpose?: string;
  steps: DraftStep[];
  window?: { days?: Figure[]; start?: string; end?: string };
  rules?: Record<string, Record<string, Figure | boolean>>;
  drafting?: { mode?: string; unreviewed?: string };
}

/** The posted form: every field's values in order (a group of checkboxes has several). */
export type EditorFields = Record<string, string[]>;

/** The rules' settings, as the schema names them: each has `enabled` and these figures. */
export const RULE_FIGURES = {
  openedSooner: ["keepFraction", "minHours"],
  clickedToBookingAsk: ["afterHours"],
  silentUsesAlternative: ["afterEmails"],
  peakHour: ["minSignals"],
} as const;
export type RuleName = keyof typeof RULE_FIGURES;

/** A checkbox posts "on" when ticked and nothing when not. */
const CHECKED = "on";

export function fieldsFromBody(body: Record<string, string | File | (string | File)[]>): EditorFields {
  const fields: EditorFields = {};
  for (const [name, value] of Object.entries(body)) {
    fields[name] = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === "string" ? [v.replace(/\r\n/g, "\n")] : []));
  }
  return fields;
}

/** The first value of a field, as posted ("" when absent). */
export const fieldValue = (fields: EditorFields, name: string) => fields[name]?.[0] ?? "";

const optional = (fields: EditorFields, name: string) => fieldValue(fields, name).trim() || undefined;
const figure = (fields: EditorFields, name: string): Figure | undefined => {
  const text = fieldValue(fields, name).trim();
  if (text === "") return undefined;
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
};
const checked = (fields: EditorFields, name: string) => fields[name]?.includes(CHECKED) ?? false;

/** The most items each list may hold (the schema's own limits; source variants are bounded here). */
const LIST_LIMITS = { steps: 50, branches: 10, variants: 20 } as const;

/** How many items a list holds in the form: one more than the highest index of `prefix.N.` seen. */
export function countOf(fields: EditorFields, prefix: `${string}${keyof typeof LIST_LIMITS}`): number {
  const pattern = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)\\.`);
  let count = 0;
  for (const name of Object.keys(fields)) {
    const match = pattern.exec(name);
    if (match) count = Math.max(count, Number(match[1]) + 1);
  }
  const list = prefix.split(".").at(-1) as keyof typeof LIST_LIMITS;
  // A hand-made post could name item 10⁹; refuse it rather than build that many.
  if (count > LIST_LIMITS[list])
    throw new AppError(
      422,
      "too_many_items",
      `A sequence holds at most ${LIST_LIMITS.steps} steps, ${LIST_LIMITS.branches} branches and ${LIST_LIMITS.variants} source variants a step.`,
    );
  return count;
}

const indexes = (count: number) => Array.from({ length: count }, (_, i) => i);

/** Words left blank are no template at all: the schema then says which channel needs one. */
function templateFrom(fields: EditorFields, prefix: string): DraftTemplate | undefined {
  const subject = optional(fields, `${prefix}.subject`);
  const body = fieldValue(fields, `${prefix}.body`);
  if (subject === undefined && body.trim() === "") return undefined;
  return { subject, body };
}

function branchFrom(fields: EditorFields, prefix: string): DraftBranch {
  const action = fieldValue(fields, `${prefix}.then.do`);
  const then: DraftBranch["then"] = { do: action };
  if (action === "goto" || action === "resend") then.step = fieldValue(fields, `${prefix}.then.step`);
  if (action === "resend") then.subject = fieldValue(fields, `${prefix}.then.subject`);
  if (action === "enrol") then.sequence = fieldValue(fields, `${prefix}.then.sequence`);
  return {
    if: {
      signal: fieldValue(fields, `${prefix}.if.signal`),
      not: fieldValue(fields, `${prefix}.if.not`) === "true",
      step: optional(fields, `${prefix}.if.step`),
      pageClass: optional(fields, `${prefix}.if.pageClass`),
      since: fieldValue(fields, `${prefix}.if.since`) || "previous_step",
    },
    then,
  };
}

/** The template's variables are written one a line, `1 = {{firstName|there}}`, as the template numbers them. */
function whatsappTemplateFrom(fields: EditorFields, prefix: string): DraftStep["whatsappTemplate"] {
  const contentSid = optional(fields, `${prefix}.contentSid`)?.trim();
  const lines = (optional(fields, `${prefix}.variables`) ?? "").split("\n").filter((line) => line.trim() !== "");
  if (contentSid === undefined && lines.length === 0) return undefined;
  const variables = Object.fromEntries(
    lines.map((line) => {
      const at = line.indexOf("=");
      return at < 0 ? [line.trim(), ""] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    }),
  );
  return { contentSid: contentSid ?? "", variables };
}

function stepFrom(fields: EditorFields, prefix: string): DraftStep {
  const variants = indexes(countOf(fields, `${prefix}.variants`)).flatMap((v) => {
    const template = templateFrom(fields, `${prefix}.variants.${v}`);
    const key = fieldValue(fields, `${prefix}.variants.${v}.key`).trim();
    return template || key ? [[key, template ?? { body: "" }] as const] : [];
  });
  const sms = optional(fields, `${prefix}.sms.text`);
  const whatsapp = optional(fields, `${prefix}.whatsapp.text`);
  const note = optional(fields, `${prefix}.task.note`);
  return {
    id: fieldValue(fields, `${prefix}.id`).trim(),
    intent: fieldValue(fields, `${prefix}.intent`),
    channels: fields[`${prefix}.channels`] ?? [],
    wait: { days: figure(fields, `${prefix}.wait.days`) ?? 0, hours: figure(fields, `${prefix}.wait.hours`) ?? 0 },
    instant: checked(fields, `${prefix}.instant`),
    atPeakHour: checked(fields, `${prefix}.atPeakHour`),
    email: templateFrom(fields, `${prefix}.email`),
    alternative: templateFrom(fields, `${prefix}.alternative`),
    bySource: variants.length > 0 ? Object.fromEntries(variants) : undefined,
    sms: sms === undefined ? undefined : { text: sms },
    whatsapp: whatsapp === undefined ? undefined : { text: whatsapp },
    whatsappTemplate: whatsappTemplateFrom(fields, `${prefix}.whatsappTemplate`),
    knowledge: optional(fields, `${prefix}.knowledge`),
    task: note === undefined ? undefined : { note },
    branches: indexes(countOf(fields, `${prefix}.branches`)).map((b) => branchFrom(fields, `${prefix}.branches.${b}`)),
  };
}

/** The draft the posted form describes, for the sequence schema to judge. */
export function draftFromFields(fields: EditorFields): SequenceDraft {
  const rules: NonNullable<SequenceDraft["rules"]> = {};
  for (const rule of Object.keys(RULE_FIGURES) as RuleName[]) {
    const settings: Record<string, Figure | boolean> = { enabled: checked(fields, `rules.${rule}.enabled`) };
    for (const name of RULE_FIGURES[rule]) {
      const value = figure(fields, `rules.${rule}.${name}`);
      if (value !== undefined) settings[name] = value;
    }
    rules[rule] = settings;
  }
  return {
    id: fieldValue(fields, "id").trim(),
    name: fieldValue(fields, "name"),
    description: optional(fields, "description"),
    purpose: fieldValue(fields, "purpose") || "inquiry",
    steps: indexes(countOf(fields, "steps")).map((i) => stepFrom(fields, `steps.${i}`)),
    window: { days: (fields["window.days"] ?? []).map(Number), start: fieldValue(fields, "window.start"), end: fieldValue(fields, "window.end") },
    rules,
    drafting: { mode: fieldValue(fields, "drafting.mode"), unreviewed: fieldValue(fields, "drafting.unreviewed") },
  };
}

/** The form's fields for a draft (a stored sequence, or one the owner reshaped): what the editor renders. */
export function fieldsOfDraft(draft: SequenceDraft): EditorFields {
  const fields: EditorFields = {};
  const put = (name: string, value: Figure | boolean | undefined) => {
    if (value === true) fields[name] = [CHECKED];
    else if (value !== undefined && value !== false) fields[name] = [String(value)];
  };
  const putTemplate = (prefix: string, template: DraftTemplate | undefined) => {
    put(`${prefix}.subject`, template?.subject);
    put(`${prefix}.body`, template?.body);
  };
  put("id", draft.id);
  put("name", draft.name);
  put("description", draft.description);
  put("purpose", draft.purpose);
  fields["window.days"] = (draft.window?.days ?? []).map(String);
  put("window.start", draft.window?.start);
  put("window.end", draft.window?.end);
  for (const [rule, settings] of Object.entries(draft.rules ?? {})) {
    for (const [name, value] of Object.entries(settings)) put(`rules.${rule}.${name}`, value);
  }
  put("drafting.mode", draft.drafting?.mode);
  put("drafting.unreviewed", draft.drafting?.unreviewed);
  draft.steps.forEach((step, i) => {
    const at = `steps.${i}`;
    put(`${at}.id`, step.id);
    put(`${at}.intent`, step.intent);
    fields[`${at}.channels`] = [...step.channels];
    put(`${at}.wait.days`, step.wait?.days ?? 0);
    put(`${at}.wait.hours`, step.wait?.hours ?? 0);
    put(`${at}.instant`, step.instant);
    put(`${at}.atPeakHour`, step.atPeakHour);
    put(`${at}.knowledge`, step.knowledge);
    putTemplate(`${at}.email`, step.email);
    putTemplate(`${at}.alternative`, step.alternative);
    Object.entries(step.bySource ?? {}).forEach(([key, template], v) => {
      put(`${at}.variants.${v}.key`, key);
      putTemplate(`${at}.variants.${v}`, template);
    });
    put(`${at}.sms.text`, step.sms?.text);
    put(`${at}.whatsapp.text`, step.whatsapp?.text);
    put(`${at}.whatsappTemplate.contentSid`, step.whatsappTemplate?.contentSid);
    const variables = Object.entries(step.whatsappTemplate?.variables ?? {}).map(([n, text]) => `${n} = ${text}`);
    if (variables.length > 0) put(`${at}.whatsappTemplate.variables`, variables.join("\n"));
    put(`${at}.task.note`, step.task?.note);
    (step.branches ?? []).forEach((branch, b) => {
      const br = `${at}.branches.${b}`;
      put(`${br}.if.signal`, branch.if.signal);
      put(`${br}.if.not`, branch.if.not ? "true" : "false");
      put(`${br}.if.step`, branch.if.step);
      put(`${br}.if.pageClass`, branch.if.pageClass);
      put(`${br}.if.since`, branch.if.since ?? "previous_step");
      put(`${br}.then.do`, branch.then.do);
      put(`${br}.then.step`, branch.then.step);
      put(`${br}.then.subject`, branch.then.subject);
      put(`${br}.then.sequence`, branch.then.sequence);
    });
  });
  return fields;
}

/**
 * The input an issue belongs to. Most paths are input names already; a checkbox group's
 * item (`window.days.2`) belongs to the group, and a `bySource` key to its variant's row.
 */
export function fieldOfIssue(path: readonly PropertyKey[], draft: SequenceDraft): string {
  const parts = path.map(String);
  if (parts[0] === "steps" && parts[2] === "bySource" && parts[3] !== undefined) {
    const keys = Object.keys(draft.steps[Number(parts[1])]?.bySource ?? {});
    const rest = parts.slice(4);
    return [...parts.slice(0, 2), "variants", String(Math.max(0, keys.indexOf(parts[3]))), ...(rest.length > 0 ? rest : ["key"])].join(".");
  }
  const last = parts.at(-1);
  const parent = parts.at(-2);
  if (last !== undefined && /^\d+$/.test(last) && (parent === "channels" || parent === "days")) parts.pop();
  return parts.join(".");
}

/** The zod issues of a draft, each placed at its input. */
export function placedIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], draft: SequenceDraft): FieldIssue[] {
  return issues.map((issue) => ({ field: fieldOfIssue(issue.path, draft), message: issue.message }));
}

/**
 * The editor's buttons that reshape the draft without saving it: add, remove or move a
 * step, add or remove a branch or a source variant. Written `kind:step[:item]`.
 */
export type Reshape =
  | { kind: "add-step" }
  | { kind: "remove-step" | "step-up" | "add-branch" | "add-variant"; step: number }
  | { kind: "remove-branch" | "remove-variant"; step: number; item: number };

export function reshapeOf(action: string): Reshape | undefined {
  const [kind, step, item] = action.split(":");
  const s = Number(step);
  const n = Number(item);
  if (kind === "add-step") return { kind };
  if (!Number.isInteger(s) || s < 0) return undefined;
  if (kind === "remove-step" || kind === "step-up" || kind === "add-branch" || kind === "add-variant") return { kind, step: s };
  if ((kind === "remove-branch" || kind === "remove-variant") && Number.isInteger(n) && n >= 0) return { kind, step: s, item: n };
  return undefined;
}

/** A new step: an email with no words yet, two days after the one before. */
const NEW_STEP: DraftStep = { id: "", intent: "value", channels: ["email"], wait: { days: 2, hours: 0 }, branches: [] };
const NEW_BRANCH: DraftBranch = { if: { signal: "opened", not: true, since: "previous_step" }, then: { do: "skip" } };

export function reshaped(draft: SequenceDraft, change: Reshape): SequenceDraft {
  const steps = [...draft.steps];
  if (change.kind === "add-step") return { ...draft, steps: [...steps, { ...NEW_STEP, id: `step-${steps.length + 1}` }] };
  const step = steps[change.step];
  if (!step) return draft;
  switch (change.kind) {
    case "remove-step":
      steps.splice(change.step, 1);
      break;
    case "step-up":
      if (change.step > 0) [steps[change.step - 1], steps[change.step]] = [step, steps[change.step - 1]!];
      break;
    case "add-branch":
      steps[change.step] = { ...step, branches: [...(step.branches ?? []), NEW_BRANCH] };
      break;
    case "remove-branch":
      steps[change.step] = { ...step, branches: (step.branches ?? []).filter((_, b) => b !== change.item) };
      break;
    case "add-variant":
      steps[change.step] = { ...step, bySource: { ...step.bySource, "": { subject: "", body: "" } } };
      break;
    case "remove-variant":
      steps[change.step] = { ...step, bySource: Object.fromEntries(Object.entries(step.bySource ?? {}).filter((_, v) => v !== change.item)) };
      break;
    default:
      change satisfies never;
  }
  return { ...draft, steps };
}
