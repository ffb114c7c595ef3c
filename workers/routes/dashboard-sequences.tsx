import { Hono, type Context } from "hono";
import { SequenceIdSchema, SequenceSchema, type Sequence, type SequenceVersion } from "../../schemas/sequence";
import { AppError, type FieldIssue } from "../../services/app-error";
import { clockFrom } from "../../services/clock";
import { currentSequence, listSequences, missingEnrolTargets, putSequence, sequenceExists } from "../../services/d1/sequences";
import { Page } from "../dashboard/layout";
import { DraftPreviewSection, SequenceEditor, type DraftPreview, type EditorTarget } from "../dashboard/sequence-editor";
import { EDITOR_SCRIPT } from "../dashboard/sequence-editor-script";
import { draftFromFields, fieldsFromBody, fieldsOfDraft, placedIssues, reshaped, reshapeOf, fieldValue, type EditorFields, type SequenceDraft } from "../dashboard/sequence-form";
import { previewOf } from "../dashboard/sequences";
import { postedForm } from "./validate";

/**
 * The sequence editor's routes, under `/dashboard` (mounted after the session and CSRF
 * checks): edit a sequence or a copy of one (a preset, say), preview the draft without
 * saving it, and save it as a new version with `putSequence`, as `PUT /api/sequences/:id`
 * does. The draft is judged by the API's schema, `SequenceSchema`.
 */
type EditorEnv = { Bindings: Env; Variables: { csrf: string; zone: string } };
export const sequenceEditor = new Hono<EditorEnv>();
type EditorContext = Context<EditorEnv>;

async function storedSequence(c: EditorContext): Promise<SequenceVersion> {
  const id = SequenceIdSchema.safeParse(c.req.param("id"));
  const sequence = id.success ? await currentSequence(c.env.DB, id.data) : undefined;
  if (!sequence) throw new AppError(404, "unknown_sequence", "There is no such sequence.");
  return sequence;
}

/** A copy's first id: `<id>-copy`, numbered when that is taken. */
async function freeCopyId(db: D1Database, id: string): Promise<string> {
  const base = `${id.slice(0, 50)}-copy`;
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await sequenceExists(db, candidate))) return candidate;
  }
}

interface Judgement {
  draft: SequenceDraft;
  sequence?: Sequence;
  issues: FieldIssue[];
}

/** The draft against the API's schema, then what only D1 knows: the sequences it enrols in exist, and a copy's id is free. */
async function judge(c: EditorContext, target: EditorTarget, fields: EditorFields): Promise<Judgement> {
  const posted = draftFromFields(fields);
  // An edit saves a new version of this sequence, whatever id the form claims.
  const draft = target.kind === "edit" ? { ...posted, id: target.id } : posted;
  const parsed = SequenceSchema.safeParse(draft);
  if (!parsed.success) return { draft, issues: placedIssues(parsed.error.issues, draft) };
  const sequence = parsed.data;
  const missing = new Set(await missingEnrolTargets(c.env.DB, sequence));
  const issues: FieldIssue[] = sequence.steps.flatMap((step, i) =>
    step.branches.flatMap((branch, b) =>
      branch.then.do === "enrol" && missing.has(branch.then.sequence)
        ? [{ field: `steps.${i}.branches.${b}.then.sequence`, message: `there is no sequence "${branch.then.sequence}"` }]
        : [],
    ),
  );
  if (target.kind === "duplicate" && (await sequenceExists(c.env.DB, sequence.id))) {
    issues.push({ field: "id", message: `a sequence "${sequence.id}" already exists: choose another id` });
  }
  return issues.length > 0 ? { draft, issues } : { draft, sequence, issues };
}

const previewFrom = (judgement: Judgement): DraftPreview =>
  judgement.sequence
    ? { kind: "ready", runs: previewOf({ id: judgement.sequence.id, version: 0, sequence: judgement.sequence }) }
    : { kind: "invalid", issues: judgement.issues.length };

async function editorPage(
  c: EditorContext,
  target: EditorTarget,
  view: { fields: EditorFields; issues: FieldIssue[]; preview: DraftPreview; saved: boolean; overtakenFrom?: number },
  status: 200 | 409 | 422 = 200,
) {
  const title = target.kind === "edit" ? `Edit ${target.id}` : `New sequence from ${target.from}`;
  const sequences = (await listSequences(c.env.DB)).map((s) => s.id);
  return c.html(
    <Page title={title} path="/dashboard/sequences" csrf={c.get("csrf")} zone={c.get("zone")}>
      <h1>{title}</h1>
      <SequenceEditor target={target} sequences={sequences} csrf={c.get("csrf")} {...view} />
    </Page>,
    status,
  );
}

sequenceEditor.get("/sequence-editor.js", (c) => c.body(EDITOR_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }));

sequenceEditor.get("/sequences/:id/edit", async (c) => {
  const current = await storedSequence(c);
  const target: EditorTarget = { kind: "edit", id: current.id, version: current.version };
  return editorPage(c, target, { fields: fieldsOfDraft(current.sequence), issues: [], preview: { kind: "ready", runs: previewOf(current) }, saved: true });
});

sequenceEditor.get("/sequences/:id/duplicate", async (c) => {
  const source = await storedSequence(c);
  const copy: Sequence = { ...source.sequence, id: await freeCopyId(c.env.DB, source.id), name: `${source.sequence.name} (copy)`.slice(0, 200) };
  const target: EditorTarget = { kind: "duplicate", from: source.id };
  return editorPage(c, target, { fields: fieldsOfDraft(copy), issues: [], preview: { kind: "ready", runs: previewOf({ ...source, sequence: copy }) }, saved: false });
});

/**
 * One form, several buttons: reshape the draft (add, move or remove a step, a branch, a
 * source variant), preview it, or save it. Only `save` writes anything.
 */
async function submitted(c: EditorContext, current: EditorTarget) {
  const fields = fieldsFromBody(await postedForm(c, { all: true }));
  const action = fieldValue(fields, "action");
  // The page keeps the version its draft started from; `current` is the newest saved.
  const base = Number.parseInt(fieldValue(fields, "base_version"), 10);
  const target: EditorTarget = current.kind === "edit" && Number.isInteger(base) ? { ...current, version: base } : current;
  const reshape = reshapeOf(action);
  if (reshape) {
    const draft = reshaped(draftFromFields(fields), reshape);
    const reshapedFields = fieldsOfDraft(draft);
    return editorPage(c, target, { fields: reshapedFields, issues: [], preview: previewFrom(await judge(c, target, reshapedFields)), saved: false });
  }
  const judgement = await judge(c, target, fields);
  if (!judgement.sequence) return editorPage(c, target, { fields, issues: judgement.issues, preview: previewFrom(judgement), saved: false }, 422);
  if (action !== "save") return editorPage(c, target, { fields, issues: [], preview: previewFrom(judgement), saved: false });
  if (target.kind === "edit" && current.kind === "edit" && target.version !== current.version) {
    // Two people editing: the later save does not silently replace the other's version. Shown once; saving again is a choice.
    return editorPage(c, current, { fields, issues: [], preview: previewFrom(judgement), saved: false, overtakenFrom: target.version }, 409);
  }
  const saved = await putSequence(c.env.DB, judgement.sequence, clockFrom(c.env).now());
  return c.redirect(`/dashboard/sequences/${saved.id}?done=saved`, 303);
}

/** The preview alone, for the editor's script: the draft is judged and played, never saved. */
async function previewed(c: EditorContext, target: EditorTarget) {
  const judgement = await judge(c, target, fieldsFromBody(await postedForm(c, { all: true })));
  return c.html(<DraftPreviewSection preview={previewFrom(judgement)} saved={false} />);
}

const editTarget = async (c: EditorContext): Promise<EditorTarget> => {
  const current = await storedSequence(c);
  return { kind: "edit", id: current.id, version: current.version };
};
const duplicateTarget = async (c: EditorContext): Promise<EditorTarget> => ({ kind: "duplicate", from: (await storedSequence(c)).id });

sequenceEditor.post("/sequences/:id/edit", async (c) => submitted(c, await editTarget(c)));
sequenceEditor.post("/sequences/:id/edit/preview", async (c) => previewed(c, await editTarget(c)));
sequenceEditor.post("/sequences/:id/duplicate", async (c) => submitted(c, await duplicateTarget(c)));
sequenceEditor.post("/sequences/:id/duplicate/preview", async (c) => previewed(c, await duplicateTarget(c)));
