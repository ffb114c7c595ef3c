import type { Child } from "hono/jsx";
import { KnowledgeKindSchema } from "../../schemas/knowledge";
import { PurposeSchema } from "../../schemas/lead";
import { DraftingSchema, MERGE_FIELDS, StepChannelSchema } from "../../schemas/sequence";
import type { FieldIssue } from "../../services/app-error";
import { Checkbox, Checkboxes, Errors, fieldLabel, idOf, labelled, Menu, plain, Reshape, TextArea, TextField } from "./editor-fields";
import { Csrf } from "./layout";
import { ACTION_LABELS, INTENT_LABELS, MERGE_HELP, RULE_LABELS, SIGNAL_LABELS } from "./sequence-words";
import { countOf, RULE_FIGURES, fieldValue, type EditorFields, type RuleName } from "./sequence-form";
import { SequencePreview, type previewOf } from "./sequences";

/**
 * The sequence editor: every part of a sequence from menus and fields, no JSON. Inputs are
 * named by their path in the document (see sequence-form.ts), so each error sits under the
 * input it is about. The page works without script; with it, the preview follows the draft
 * as the owner types (`EDITOR_SCRIPT`).
 */

/** What the page edits: the current version of a sequence, or a copy that will be a new one. */
export type EditorTarget = { kind: "edit"; id: string; version: number } | { kind: "duplicate"; from: string };

export const editorPath = (target: EditorTarget) => (target.kind === "edit" ? `/dashboard/sequences/${target.id}/edit` : `/dashboard/sequences/${target.from}/duplicate`);

/** The preview of the draft: its timelines, or why there is none yet. */
export type DraftPreview = { kind: "ready"; runs: ReturnType<typeof previewOf> } | { kind: "invalid"; issues: number };

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export const EDITOR_CSS = `
.editor fieldset{border:1px solid #dde2e8;border-radius:8px;background:#fff;margin:0 0 1rem;padding:.6rem .8rem;min-width:0}
.editor legend{font-weight:600;padding:0 .3rem} .editor fieldset fieldset,.editor details{background:#f9fafb}
.editor details{border:1px solid #dde2e8;border-radius:6px;padding:.3rem .6rem;margin:.5rem 0} .editor summary{font-weight:600;cursor:pointer}
.editor .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.5rem .8rem;align-items:start}
.editor label{display:grid;gap:.15rem;font-size:.85rem} .editor label.check{display:flex;gap:.4rem;align-items:center}
.editor input:not([type=checkbox]),.editor select,.editor textarea{width:100%}
.editor textarea{min-height:6rem;font:13px/1.45 ui-monospace,monospace}
.editor .field-error{color:#b42318;font-size:.8rem;margin:.1rem 0 0} .editor [aria-invalid=true]{border-color:#b42318;background:#fff8f7}
.editor .bar{position:sticky;top:0;z-index:1;background:#f6f7f9;padding:.4rem 0;display:flex;flex-wrap:wrap;gap:.5rem}
.editor .row-actions{display:flex;flex-wrap:wrap;gap:.4rem;margin-top:.5rem}
.editor .checks{display:flex;flex-wrap:wrap;gap:.2rem .8rem;border:0;padding:0;margin:0;background:none}
.merge code{background:#eef1f4;padding:0 .2rem;border-radius:3px}
`;

/**
 * A step's words for one channel. Those it does not use fold away while empty, so a step
 * reads as what it sends; they open when they hold words or an error.
 */
function Words(props: { title: string; prefix: string; used: boolean; fields: EditorFields; issues: FieldIssue[]; children: Child }) {
  const inside = (name: string) => name === props.prefix || name.startsWith(`${props.prefix}.`);
  const filled = Object.entries(props.fields).some(([name, values]) => inside(name) && values.some((v) => v.trim() !== ""));
  const wrong = props.issues.some((issue) => inside(issue.field));
  return (
    <details open={props.used || filled || wrong} id={idOf(props.prefix)}>
      <summary>{props.title}</summary>
      <Errors issues={props.issues} at={props.prefix} />
      {props.children}
    </details>
  );
}

function Template(props: { title: string; prefix: string; used: boolean; fields: EditorFields; issues: FieldIssue[] }) {
  const f = { fields: props.fields, issues: props.issues };
  return (
    <Words title={props.title} prefix={props.prefix} used={props.used} {...f}>
      <TextField label="Subject" name={`${props.prefix}.subject`} maxlength={200} hint="blank: reply in the same thread" {...f} />
      <TextArea label="Body" name={`${props.prefix}.body`} maxlength={10_000} {...f} />
    </Words>
  );
}

function Branch(props: { action: string; step: number; branch: number; stepIds: string[]; sequences: string[]; fields: EditorFields; issues: FieldIssue[] }) {
  const at = `steps.${props.step}.branches.${props.branch}`;
  const f = { fields: props.fields, issues: props.issues };
  const steps = props.stepIds.filter(Boolean).map((id) => [id, id] as const);
  return (
    <fieldset id={idOf(at)}>
      <legend>{`Branch ${props.branch + 1}`}</legend>
      <Errors issues={props.issues} at={at} />
      <Errors issues={props.issues} at={`${at}.then`} />
      <div class="grid">
        <Menu
          label="If the lead"
          name={`${at}.if.not`}
          options={[
            ["false", "did"],
            ["true", "did not"],
          ]}
          {...f}
        />
        <Menu label="…do this" name={`${at}.if.signal`} options={labelled(SIGNAL_LABELS)} {...f} />
        <Menu label="Counting the email of" name={`${at}.if.step`} options={steps} blank="any step" {...f} />
        <TextField label="Page class (visits only)" name={`${at}.if.pageClass`} maxlength={50} hint="pricing" {...f} />
        <Menu
          label="Since"
          name={`${at}.if.since`}
          options={[
            ["previous_step", "the previous step"],
            ["enrolment", "the lead entered"],
          ]}
          {...f}
        />
        <Menu label="Then" name={`${at}.then.do`} options={labelled(ACTION_LABELS)} {...f} />
        <Menu label="Step (send another, resend)" name={`${at}.then.step`} options={steps} blank="choose a step" {...f} />
        <TextField label="New subject (resend)" name={`${at}.then.subject`} maxlength={200} {...f} />
        <Menu label="Sequence (move the lead)" name={`${at}.then.sequence`} options={plain(props.sequences)} blank="choose a sequence" {...f} />
      </div>
      <div class="row-actions">
        <Reshape action={props.action} value={`remove-branch:${props.step}:${props.branch}`} anchor={idOf(`steps.${props.step}`)}>
          {`Remove branch ${props.branch + 1}`}
        </Reshape>
      </div>
    </fieldset>
  );
}

function Variant(props: { action: string; step: number; variant: number; fields: EditorFields; issues: FieldIssue[] }) {
  const at = `steps.${props.step}.variants.${props.variant}`;
  const f = { fields: props.fields, issues: props.issues };
  return (
    <fieldset id={idOf(at)}>
      <legend>{`Source variant ${props.variant + 1}`}</legend>
      <TextField label="For leads from (source, UTM value or page: pricing-page)" name={`${at}.key`} maxlength={100} {...f} />
      <TextField label="Subject" name={`${at}.subject`} maxlength={200} {...f} />
      <TextArea label="Body" name={`${at}.body`} maxlength={10_000} {...f} />
      <div class="row-actions">
        <Reshape action={props.action} value={`remove-variant:${props.step}:${props.variant}`} anchor={idOf(`steps.${props.step}`)}>
          {`Remove source variant ${props.variant + 1}`}
        </Reshape>
      </div>
    </fieldset>
  );
}

/** A step's channels go out in the order it lists them: the ticked ones come first, in that order, so a save keeps it. */
const inStepOrder = (ticked: string[]) => [
  ...StepChannelSchema.options.filter((c) => ticked.includes(c)).sort((a, b) => ticked.indexOf(a) - ticked.indexOf(b)),
  ...StepChannelSchema.options.filter((c) => !ticked.includes(c)),
];

function Step(props: { action: string; index: number; count: number; stepIds: string[]; sequences: string[]; fields: EditorFields; issues: FieldIssue[] }) {
  const i = props.index;
  const at = `steps.${i}`;
  const f = { fields: props.fields, issues: props.issues };
  const branches = countOf(props.fields, `${at}.branches`);
  const variants = countOf(props.fields, `${at}.variants`);
  const id = fieldValue(props.fields, `${at}.id`);
  const channels = props.fields[`${at}.channels`] ?? [];
  return (
    <fieldset id={idOf(at)} data-step={id}>
      <legend>{`Step ${i + 1}${id ? ` · ${id}` : ""}`}</legend>
      <Errors issues={props.issues} at={at} />
      <div class="grid">
        <TextField label="Step id" name={`${at}.id`} maxlength={63} hint="lowercase-with-dashes" {...f} />
        <Menu label="Intent" name={`${at}.intent`} options={labelled(INTENT_LABELS)} {...f} />
        <TextField
          label={i === 0 ? "Wait after entering (days)" : "Wait after the previous step (days)"}
          name={`${at}.wait.days`}
          type="number"
          min={0}
          max={365}
          step="any"
          {...f}
        />
        <TextField label="…plus hours" name={`${at}.wait.hours`} type="number" min={0} max={720} step="any" {...f} />
        <Menu label="Grounded in knowledge of kind" name={`${at}.knowledge`} options={plain(KnowledgeKindSchema.options)} blank="none" {...f} />
      </div>
      <Checkboxes label="Channels" name={`${at}.channels`} options={plain(inStepOrder(channels))} {...f} />
      <Checkbox label="At once, outside the sending window (answers the lead's own post)" name={`${at}.instant`} {...f} />
      <Checkbox label="Wait for the lead's peak hour" name={`${at}.atPeakHour`} {...f} />
      <Template title="Email" prefix={`${at}.email`} used={channels.includes("email")} {...f} />
      <Template title="Alternative angle (for silent leads)" prefix={`${at}.alternative`} used={false} {...f} />
      <Words title="SMS (also the SMS path for a lead without email)" prefix={`${at}.sms`} used={channels.includes("sms")} {...f}>
        <TextArea label="SMS text" name={`${at}.sms.text`} maxlength={640} rows={3} {...f} />
      </Words>
      <Words title="WhatsApp (free text inside the 24 hours after the lead's last WhatsApp message)" prefix={`${at}.whatsapp`} used={channels.includes("whatsapp")} {...f}>
        <TextArea label="WhatsApp text" name={`${at}.whatsapp.text`} maxlength={1600} rows={3} {...f} />
      </Words>
      <Words
        title="WhatsApp template (what goes outside the 24-hour window; without one, a touch there is not sent)"
        prefix={`${at}.whatsappTemplate`}
        used={channels.includes("whatsapp")}
        {...f}
      >
        <TextField
          label="Content SID of the approved template"
          name={`${at}.whatsappTemplate.contentSid`}
          maxlength={34}
          hint="HX…, from Twilio's Content Template Builder"
          {...f}
        />
        <TextArea label="Variables, one a line: 1 = {{firstName|there}}" name={`${at}.whatsappTemplate.variables`} maxlength={20_000} rows={3} {...f} />
      </Words>
      <Words title="Task for a rep" prefix={`${at}.task`} used={channels.includes("task")} {...f}>
        <TextArea label="Note for the rep" name={`${at}.task.note`} maxlength={1000} rows={3} {...f} />
      </Words>
      {Array.from({ length: variants }, (_, v) => (
        <Variant action={props.action} step={i} variant={v} {...f} />
      ))}
      <Errors issues={props.issues} at={`${at}.branches`} />
      {Array.from({ length: branches }, (_, b) => (
        <Branch action={props.action} step={i} branch={b} stepIds={props.stepIds} sequences={props.sequences} {...f} />
      ))}
      <div class="row-actions">
        <Reshape action={props.action} value={`add-variant:${i}`} anchor={idOf(at)} disabled={variants >= 20}>
          {`Add a source variant to step ${i + 1}`}
        </Reshape>
        <Reshape action={props.action} value={`add-branch:${i}`} anchor={idOf(at)} disabled={branches >= 10}>
          {`Add a branch to step ${i + 1}`}
        </Reshape>
        {i > 0 && (
          <Reshape action={props.action} value={`step-up:${i}`} anchor={idOf(`steps.${i - 1}`)}>
            {`Move step ${i + 1} up`}
          </Reshape>
        )}
        <Reshape action={props.action} value={`remove-step:${i}`} anchor={idOf(`steps.${Math.max(0, i - 1)}`)} kind="danger" disabled={props.count <= 1}>
          {`Remove step ${i + 1}`}
        </Reshape>
      </div>
    </fieldset>
  );
}

function Rules(props: { fields: EditorFields; issues: FieldIssue[] }) {
  return (
    <fieldset id={idOf("rules")}>
      <legend>Rules that bend the timing (human signals only)</legend>
      {(Object.keys(RULE_FIGURES) as RuleName[]).map((rule) => (
        <div class="grid">
          <Checkbox label={RULE_LABELS[rule].title} name={`rules.${rule}.enabled`} fields={props.fields} issues={props.issues} />
          {RULE_FIGURES[rule].map((figure) => (
            <TextField label={RULE_LABELS[rule].figures[figure]!} name={`rules.${rule}.${figure}`} type="number" min={0} step="any" fields={props.fields} issues={props.issues} />
          ))}
        </div>
      ))}
    </fieldset>
  );
}

function MergeHelp() {
  return (
    <details class="merge">
      <summary>Merge fields you can use in any subject, body, text or note</summary>
      <p class="muted">
        Write <code>{"{{firstName|there}}"}</code>: the part after <code>|</code> is used when the lead has no such value (or one that does not look like its field). Any other name
        inside <code>{"{{ }}"}</code> is refused when you save.
      </p>
      <ul>
        {MERGE_FIELDS.map((field) => (
          <li>
            <code>{`{{${field}}}`}</code> {MERGE_HELP[field]}
          </li>
        ))}
      </ul>
    </details>
  );
}

/** The preview of the draft: re-rendered with the page, or alone when the script asks for it. */
export function DraftPreviewSection(props: { preview: DraftPreview; saved: boolean }) {
  return (
    <section id="preview" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      <p role="status">
        {props.preview.kind === "invalid"
          ? `Fix the ${props.preview.issues === 1 ? "error" : `${props.preview.issues} errors`} above to see the preview.`
          : props.saved
            ? "Of the saved version."
            : "Of your unsaved draft: nothing is saved until you press Save as a new version."}
      </p>
      {props.preview.kind === "ready" && <SequencePreview preview={props.preview.runs} open />}
    </section>
  );
}

export function SequenceEditor(props: {
  target: EditorTarget;
  fields: EditorFields;
  issues: FieldIssue[];
  preview: DraftPreview;
  saved: boolean;
  /** Someone saved this version while the draft was open: the draft is shown, unsaved. */
  overtakenFrom?: number;
  sequences: string[];
  csrf: string;
}) {
  const f = { fields: props.fields, issues: props.issues };
  const steps = countOf(props.fields, "steps");
  const stepIds = Array.from({ length: steps }, (_, i) => fieldValue(props.fields, `steps.${i}.id`));
  const action = editorPath(props.target);
  const bar: Child = (
    <div class="bar">
      <button type="submit" name="action" value="preview" formaction={`${action}#preview`}>
        Preview
      </button>
      <button type="submit" name="action" value="save">
        Save as a new version
      </button>
      <a href={props.target.kind === "edit" ? `/dashboard/sequences/${props.target.id}` : `/dashboard/sequences/${props.target.from}`}>Cancel</a>
    </div>
  );
  return (
    <div class="editor">
      <style dangerouslySetInnerHTML={{ __html: EDITOR_CSS }} />
      <p class="muted">
        {props.target.kind === "edit"
          ? `Editing version ${props.target.version}${props.target.version === 0 ? " (the preset)" : ""}. Saving makes a new version: leads already in this sequence keep theirs.`
          : `A copy of ${props.target.from}: give it its own id. Saving makes its version 1.`}
      </p>
      {props.overtakenFrom !== undefined && props.target.kind === "edit" && (
        <div class="flash error" role="alert" id="overtaken">
          <p>{`Not saved: version ${props.target.version} of this sequence was saved while you were editing version ${props.overtakenFrom}. Your draft is below, unchanged. Open the saved version in another tab to see what changed; saving this draft makes it the newest version, replacing theirs for new leads.`}</p>
        </div>
      )}
      {props.issues.length > 0 && (
        <div class="flash error" role="alert" id="issues">
          <p>{`Not saved: ${props.issues.length === 1 ? "one thing needs" : `${props.issues.length} things need`} fixing.`}</p>
          <ul>
            {props.issues.map((issue) => (
              <li>
                <a href={`#${idOf(issue.field)}`}>{fieldLabel(issue.field, props.fields)}</a>
                {`: ${issue.message}`}
              </li>
            ))}
          </ul>
        </div>
      )}
      <MergeHelp />
      <form method="post" action={action} data-preview-url={`${action}/preview`} id="sequence-editor" novalidate>
        <Csrf token={props.csrf} />
        {/* The version this draft started from: a save checks nobody saved another since. */}
        {props.target.kind === "edit" && <input type="hidden" name="base_version" value={String(props.target.version)} />}
        {bar}
        <fieldset>
          <legend>Sequence</legend>
          <Errors issues={props.issues} at="" />
          <div class="grid">
            <TextField label="Id" name="id" maxlength={63} readonly={props.target.kind === "edit"} {...f} />
            <TextField label="Name" name="name" maxlength={200} {...f} />
            <Menu
              label="Purpose"
              name="purpose"
              options={PurposeSchema.options.map((p) => [p, p === "inquiry" ? "answering an inquiry" : "marketing (needs consent)"] as const)}
              {...f}
            />
          </div>
          <TextArea label="Description" name="description" maxlength={2000} rows={2} {...f} />
        </fieldset>
        <fieldset id={idOf("window")}>
          <legend>Sending window (in the lead's own timezone)</legend>
          <Errors issues={props.issues} at="window" />
          <Checkboxes label="Days" name="window.days" options={WEEKDAYS.map((day, i) => [String(i + 1), day] as const)} {...f} />
          <div class="grid">
            <TextField label="From" name="window.start" type="time" {...f} />
            <TextField label="Until" name="window.end" type="time" {...f} />
          </div>
        </fieldset>
        <h2>Steps</h2>
        <Errors issues={props.issues} at="steps" />
        {Array.from({ length: steps }, (_, i) => (
          <Step action={action} index={i} count={steps} stepIds={stepIds} sequences={props.sequences} {...f} />
        ))}
        <p>
          <Reshape action={action} value="add-step" anchor={idOf(`steps.${steps}`)} disabled={steps >= 50}>
            Add a step
          </Reshape>
        </p>
        <Rules {...f} />
        <fieldset>
          <legend>AI drafting</legend>
          <div class="grid">
            <Menu label="Drafts" name="drafting.mode" options={plain(DraftingSchema.unwrap().shape.mode.unwrap().options)} {...f} />
            <Menu label="Unreviewed at due time" name="drafting.unreviewed" options={plain(DraftingSchema.unwrap().shape.unreviewed.unwrap().options)} {...f} />
          </div>
        </fieldset>
        {bar}
      </form>
      <DraftPreviewSection preview={props.preview} saved={props.saved} />
      <script src="/dashboard/sequence-editor.js" defer />
    </div>
  );
}
