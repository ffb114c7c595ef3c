import { Hono, type Context } from "hono";
import { documentIdOf, documentText } from "../../engine/knowledge/document-text";
import { KnowledgeDocumentIdSchema, KnowledgeDocumentSchema, KnowledgeSearchSchema } from "../../schemas/knowledge";
import { AppError, type FieldIssue, issuesOf } from "../../services/app-error";
import { clockFrom } from "../../services/clock";
import { deleteDocument, documentPassages, getDocument, listDocuments, putDocument, retrievePassages } from "../../services/d1/knowledge";
import { type DocumentDraft, KnowledgeDocumentPage, KnowledgeIndex, type KnowledgeSearch } from "../dashboard/knowledge";
import { Page } from "../dashboard/layout";
import { limitBody } from "./body-limit";
import { postedForm } from "./validate";

/**
 * `/dashboard/knowledge`: the knowledge base for the owner, mounted behind the dashboard's
 * session and CSRF checks. Documents go through the API's own schemas and services; a
 * refused one comes back with the reasons beside its fields and the text kept.
 */
type KnowledgeEnv = { Bindings: Env; Variables: { csrf: string; zone: string } };
export const dashboardKnowledge = new Hono<KnowledgeEnv>();

const DONE: Record<string, string> = {
  added: "Added: its passages are below, and drafts may quote them from now on.",
  replaced: "Replaced: drafts quote the new text from now on.",
  deleted: "Deleted: drafts no longer quote it.",
};

const show = (c: Context<KnowledgeEnv>, title: string, body: unknown, status: 200 | 404 | 422 = 200) =>
  c.html(
    <Page title={title} path="/dashboard/knowledge" csrf={c.get("csrf")} flash={DONE[c.req.query("done") ?? ""]} zone={c.get("zone")}>
      <h1>{title}</h1>
      {body as never}
    </Page>,
    status,
  );

const index = async (c: Context<KnowledgeEnv>, extra: { draft?: DocumentDraft; problems?: FieldIssue[]; search?: KnowledgeSearch }, status: 200 | 422 = 200) =>
  show(c, "Knowledge base", <KnowledgeIndex documents={await listDocuments(c.env.DB)} csrf={c.get("csrf")} {...extra} />, status);

/** The documents, the add form, and, with `?q=`, the passages drafting would retrieve for those words. */
dashboardKnowledge.get("/", async (c) => {
  const { q, kind } = c.req.query();
  if (!q) return index(c, {});
  const asked = KnowledgeSearchSchema.safeParse({ q, kind: kind || undefined });
  const search: KnowledgeSearch = { q, kind: kind || undefined };
  if (!asked.success) return index(c, { search: { ...search, problems: issuesOf(asked.error) } }, 422);
  const { limit, ...options } = asked.data;
  return index(c, { search: { ...search, passages: await retrievePassages(c.env.DB, options.q, { ...(options.kind ? { kinds: [options.kind] } : {}), limit }) } });
});

/** A new id from the title, never landing on an existing document: only an id given on purpose replaces one. */
async function freshIdFor(db: D1Database, title: string): Promise<string> {
  const base = documentIdOf(title);
  for (let n = 1; ; n++) {
    const id = n === 1 ? base : `${base.slice(0, 60)}-${n}`;
    if (!(await getDocument(db, id))) return id;
  }
}

dashboardKnowledge.post("/", limitBody(256 * 1024, "A knowledge document", "Its text may be at most 200 KB."), async (c) => {
  const form = await postedForm(c);
  const field = (name: string) => (typeof form[name] === "string" ? (form[name] as string) : "");
  const file = form.file instanceof File && form.file.size > 0 ? form.file : undefined;
  const format = field("format") === "text" ? "text" : "markdown";
  const title = field("title").trim() || (file ? file.name.replace(/\.[^.]*$/, "") : "");
  const givenId = field("id").trim();
  const draft: DocumentDraft = { id: givenId, title, kind: field("kind"), format, text: field("text") };
  const written = file ? await file.text() : field("text");
  const parsedDocument = KnowledgeDocumentSchema.safeParse({ title, kind: field("kind") || undefined, text: documentText(written, format) });
  const parsedId = givenId ? KnowledgeDocumentIdSchema.safeParse(givenId) : undefined;
  const problems = [
    ...(parsedDocument.success ? [] : issuesOf(parsedDocument.error)),
    ...(parsedId && !parsedId.success ? issuesOf(parsedId.error).map((i) => ({ ...i, field: "id" })) : []),
  ];
  if (!parsedDocument.success || problems.length > 0) return index(c, { draft, problems }, 422);
  const id = parsedId?.success ? parsedId.data : await freshIdFor(c.env.DB, parsedDocument.data.title);
  const stored = await putDocument(c.env.DB, id, parsedDocument.data, clockFrom(c.env).now());
  return c.redirect(`/dashboard/knowledge/${id}?done=${stored.created ? "added" : "replaced"}`, 303);
});

const documentOf = async (c: Context<KnowledgeEnv>) => {
  const id = KnowledgeDocumentIdSchema.safeParse(c.req.param("id"));
  const document = id.success ? await getDocument(c.env.DB, id.data) : undefined;
  if (!document) throw new AppError(404, "not_found", "There is no such document.");
  return document;
};

dashboardKnowledge.get("/:id", async (c) => {
  const document = await documentOf(c);
  return show(c, document.title, <KnowledgeDocumentPage document={document} passages={await documentPassages(c.env.DB, document.id)} csrf={c.get("csrf")} />);
});

dashboardKnowledge.post("/:id/delete", async (c) => {
  const document = await documentOf(c);
  if ((await postedForm(c)).confirm !== "yes") throw new AppError(422, "not_confirmed", "Tick the box to confirm the deletion.");
  await deleteDocument(c.env.DB, document.id);
  return c.redirect("/dashboard/knowledge?done=deleted", 303);
});
