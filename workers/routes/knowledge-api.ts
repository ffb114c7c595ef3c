import { Hono } from "hono";
import { z } from "zod";
import { clockFrom } from "../../services/clock";
import { AppError } from "../../services/app-error";
import { KnowledgeDocumentIdSchema, KnowledgeDocumentSchema, KnowledgeSearchSchema } from "../../schemas/knowledge";
import { deleteDocument, listDocuments, putDocument, retrievePassages } from "../../services/d1/knowledge";
import { limitBody } from "./body-limit";
import { valid } from "./validate";

/** `/api/knowledge`: the owner's documents that drafts may draw on (mounted behind the owner API's auth). */
export const knowledgeApi = new Hono<{ Bindings: Env }>();

knowledgeApi.get("/", async (c) => c.json({ documents: await listDocuments(c.env.DB) }));

knowledgeApi.get("/search", valid("query", KnowledgeSearchSchema), async (c) => {
  const { q, kind, limit } = c.req.valid("query");
  return c.json({ passages: await retrievePassages(c.env.DB, q, { ...(kind ? { kinds: [kind] } : {}), limit }) });
});

/** Adds or replaces a document: `{title, kind, text}`, text up to 200 KB, split into passages and indexed. */
knowledgeApi.put(
  "/:id",
  limitBody(256 * 1024, "A knowledge document", "Its text may be at most 200 KB."),
  valid("param", z.object({ id: KnowledgeDocumentIdSchema })),
  valid("json", KnowledgeDocumentSchema),
  async (c) => {
    const stored = await putDocument(c.env.DB, c.req.valid("param").id, c.req.valid("json"), clockFrom(c.env).now());
    return c.json(stored, stored.created ? 201 : 200);
  },
);

knowledgeApi.delete("/:id", async (c) => {
  if (!(await deleteDocument(c.env.DB, c.req.param("id")))) throw new AppError(404, "not_found", "There is no such document.");
  return c.body(null, 204);
});
