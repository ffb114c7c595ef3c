import { Hono, type Context } from "hono";
import { judgeOwnerToken } from "../dashboard/session";
import { z } from "zod";
import { FormConfigSchema, FormIdSchema, FormPatchSchema, patchForm, type FormConfig } from "../../schemas/form";
import { LeadIdSchema } from "../../schemas/lead";
import { clockFrom } from "../../services/clock";
import { AppError, invalid } from "../../services/app-error";
import { createForm, deleteForm, findForm, listForms, putForm } from "../../services/d1/forms";
import { listSites, putSite } from "../../services/d1/sites";
import { SiteSchema } from "../../schemas/tracking";
import { SequenceIdSchema, SequenceSchema, type Sequence } from "../../schemas/sequence";
import { listOutbox } from "../../services/channels/outbox";
import { currentSequence, listSequences, missingEnrolTargets, putSequence, sequenceExists, sequenceVersion } from "../../services/d1/sequences";
import { currentRouting, putRouting } from "../../services/d1/routing";
import { checkDeployment } from "../../services/deployment-checks";
import { RoutingSchema, type Routing } from "../../schemas/routing";
import { inboundApi } from "./inbound-api";
import { knowledgeApi } from "./knowledge-api";
import { leadsApi } from "./leads-api";
import { reviewApi } from "./review-api";
import { settingsApi } from "./settings-api";
import { suppressionsApi } from "./suppressions-api";
import { valid } from "./validate";
import { formProblems } from "../form-soundness";
import { periodOf, periodStats, PeriodQuerySchema } from "../../services/d1/stats";

const unauthorized = (c: Context, message: string) => c.json({ error: { code: "unauthorized", message } }, 401, { "www-authenticate": 'Bearer realm="follow-up"' });

/**
 * The owner's JSON API: every route needs `Authorization: Bearer <OWNER_TOKEN>`. The
 * token is judged like the dashboard login's: the right one always passes, and a client
 * address that keeps sending wrong ones is answered 429 with Retry-After.
 */
export const api = new Hono<{ Bindings: Env }>();

api.use("*", async (c, next) => {
  if (!c.env.OWNER_TOKEN) throw new AppError(503, "not_configured", "OWNER_TOKEN is not set on this deployment.");
  const header = c.req.header("authorization");
  if (header === undefined) return unauthorized(c, "Send Authorization: Bearer <OWNER_TOKEN>.");
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/.exec(header);
  if (!match) throw new AppError(400, "bad_request", "The Authorization header must be Bearer <token>.");
  const verdict = await judgeOwnerToken(c, match[1]!, clockFrom(c.env).wallNow());
  if (verdict.ok) return next();
  if (verdict.retryAfterS > 0) {
    c.header("retry-after", String(verdict.retryAfterS));
    throw new AppError(429, "too_many_attempts", `Too many wrong tokens from this address. Try again in ${verdict.retryAfterS} s.`);
  }
  return unauthorized(c, "The owner token is not valid.");
});

api.get("/forms", async (c) => c.json({ forms: await listForms(c.env.DB) }));

api.get("/forms/:id", valid("param", z.object({ id: FormIdSchema })), async (c) => {
  const form = await findForm(c.env.DB, c.req.valid("param").id);
  if (!form) throw new AppError(404, "unknown_form", "There is no such form.");
  return c.json(form);
});

/** A form the schema accepts may still name a missing sequence or claim consent it does not ask for: 422 with the first such problem. */
async function requireSound(db: D1Database, form: FormConfig): Promise<void> {
  const [problem] = await formProblems(db, form);
  if (problem) throw new AppError(422, problem.code, problem.message);
}

api.post("/forms", valid("json", FormConfigSchema), async (c) => {
  const form = c.req.valid("json");
  await requireSound(c.env.DB, form);
  return c.json(await createForm(c.env.DB, form, clockFrom(c.env).now()), 201);
});

api.put("/forms/:id", valid("param", z.object({ id: FormIdSchema })), valid("json", FormConfigSchema.omit({ id: true })), async (c) => {
  const form = { ...c.req.valid("json"), id: c.req.valid("param").id };
  await requireSound(c.env.DB, form);
  return c.json(await putForm(c.env.DB, form, clockFrom(c.env).now()));
});

/** Changes only the fields the body names; the form that results is validated whole (422 with every issue). */
api.patch("/forms/:id", valid("param", z.object({ id: FormIdSchema })), async (c) => {
  const id = c.req.valid("param").id;
  const body: unknown = await c.req.json().catch(() => {
    throw new AppError(400, "invalid_json", "The request body is not valid JSON.");
  });
  const patch = FormPatchSchema.safeParse(body);
  if (!patch.success) throw invalid("invalid_json", "The request body is not valid: send some of the form's fields (not its id).", patch.error);
  const stored = await findForm(c.env.DB, id);
  if (!stored) throw new AppError(404, "unknown_form", `There is no form "${id}"; PUT /api/forms/${id} creates it.`);
  const merged = FormConfigSchema.safeParse(patchForm(stored, patch.data, Object.keys(body as object)));
  if (!merged.success) throw invalid("invalid_form", "The form would not be valid with these changes.", merged.error);
  await requireSound(c.env.DB, merged.data);
  return c.json(await putForm(c.env.DB, merged.data, clockFrom(c.env).now()));
});

/** Deletes a form: posts to it get 404 from now on; its leads stay. */
api.delete("/forms/:id", valid("param", z.object({ id: FormIdSchema })), async (c) => {
  if (!(await deleteForm(c.env.DB, c.req.valid("param").id))) throw new AppError(404, "unknown_form", "There is no such form.");
  return c.body(null, 204);
});

api.route("/leads", leadsApi);

api.get("/sequences", async (c) => c.json({ sequences: await listSequences(c.env.DB) }));

api.get("/sequences/:id", valid("param", z.object({ id: SequenceIdSchema })), valid("query", z.object({ version: z.coerce.number().int().min(0).optional() })), async (c) => {
  const { id } = c.req.valid("param");
  const { version } = c.req.valid("query");
  const found = version === undefined ? await currentSequence(c.env.DB, id) : await sequenceVersion(c.env.DB, id, version);
  if (!found) throw new AppError(404, "unknown_sequence", "There is no such sequence (or version).");
  return c.json(found);
});

/** Sequences an `enrol` branch names must exist, or a lead would fall out of automation at that step. */
async function requireBranchTargets(db: D1Database, sequence: Sequence): Promise<void> {
  const [missing] = await missingEnrolTargets(db, sequence);
  if (missing !== undefined) throw new AppError(422, "unknown_sequence", `A branch enrols in "${missing}", which does not exist.`);
}

/** Checks a sequence document without storing it: the normalised document, or 422 with every issue. */
api.post("/sequences/validate", valid("json", SequenceSchema), async (c) => {
  await requireBranchTargets(c.env.DB, c.req.valid("json"));
  return c.json({ valid: true, sequence: c.req.valid("json") });
});

/** Stores a new version of a sequence; leads already in it keep theirs. */
api.put("/sequences/:id", valid("param", z.object({ id: SequenceIdSchema })), async (c) => {
  const body: unknown = await c.req.json().catch(() => {
    throw new AppError(400, "invalid_json", "The request body is not valid JSON.");
  });
  const id = c.req.valid("param").id;
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new AppError(422, "invalid_json", "The body must be a sequence object.");
  if ("id" in body && body.id !== id) throw new AppError(422, "id_mismatch", "The body's id differs from the path's.");
  const parsed = SequenceSchema.safeParse({ ...body, id });
  if (!parsed.success) throw invalid("invalid_json", "The request body is not valid.", parsed.error);
  await requireBranchTargets(c.env.DB, parsed.data);
  return c.json(await putSequence(c.env.DB, parsed.data, clockFrom(c.env).now()), 201);
});

/** The cadences routing rules move leads to must exist, or a lead would be moved into nothing. */
async function requireCadences(db: D1Database, routing: Routing): Promise<void> {
  for (const cadence of new Set(routing.rules.map((r) => r.cadence))) {
    if (!(await sequenceExists(db, cadence))) throw new AppError(422, "unknown_sequence", `A routing rule moves leads to "${cadence}", which does not exist.`);
  }
}

/** The doctor: this deployment's configuration against what sending needs; `ok` when nothing is missing. */
api.get("/doctor", async (c) => {
  const checks = await checkDeployment(c.env);
  return c.json({ ok: checks.every((check) => check.status !== "missing"), checks });
});

/** The intent-stage routing new leads get (version 0 is the preset). */
api.get("/routing", async (c) => c.json(await currentRouting(c.env.DB)));

/** Checks a routing document without storing it: the normalised document, or 422 with every issue. */
api.post("/routing/validate", valid("json", RoutingSchema), async (c) => {
  await requireCadences(c.env.DB, c.req.valid("json"));
  return c.json({ valid: true, routing: c.req.valid("json") });
});

/** Stores a new version of the routing; leads already in keep theirs. */
api.put("/routing", valid("json", RoutingSchema), async (c) => {
  await requireCadences(c.env.DB, c.req.valid("json"));
  return c.json(await putRouting(c.env.DB, c.req.valid("json"), clockFrom(c.env).now()), 201);
});

const OutboxQuerySchema = z.object({
  leadId: LeadIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/** Messages the local transport holds instead of sending, newest first, with their headers. */
api.get("/outbox", valid("query", OutboxQuerySchema), async (c) => c.json(await listOutbox(c.env.DB, c.req.valid("query"))));

api.get("/sites", async (c) => c.json({ sites: await listSites(c.env.DB) }));

/** Adds or updates a site that runs the snippet (its origin and page class rules). */
api.put("/sites", valid("json", SiteSchema), async (c) => c.json(await putSite(c.env.DB, c.req.valid("json"), clockFrom(c.env).now())));

api.route("/suppressions", suppressionsApi);
api.route("/inbound", inboundApi);
api.route("/knowledge", knowledgeApi);
api.route("/review", reviewApi);
api.route("/settings", settingsApi);

/** The owner's numbers for a period (default: the last 30 days): funnel, rates, opens by verdict, per sequence, step and channel, and whose words went out. */
api.get("/stats", valid("query", PeriodQuerySchema), async (c) => c.json(await periodStats(c.env.DB, periodOf(c.req.valid("query"), clockFrom(c.env).now()))));
