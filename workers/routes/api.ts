import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { z } from "zod";
import { FormConfigSchema, FormIdSchema } from "../../schemas/form";
import { LeadIdSchema, LeadStatusSchema } from "../../schemas/lead";
import { clockFrom } from "../clock";
import { AppError, invalid } from "../errors";
import { createForm, findForm, listForms, putForm } from "../forms";
import { listLeads } from "../lead-index";
import { leadObject } from "../lead-stub";
import { listSites, putSite } from "../sites";
import { SiteSchema } from "../../schemas/tracking";

/** Validation failures at the door become one 422 shape, whatever the target. */
const valid = <T extends z.ZodType, Target extends "json" | "query" | "param">(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw invalid(`invalid_${target}`, `The request ${target === "json" ? "body" : target} is not valid.`, result.error);
  });

const unauthorized = (message: string) => ({ error: { code: "unauthorized", message } });

/** The owner's JSON API: every route needs `Authorization: Bearer <OWNER_TOKEN>`. */
export const api = new Hono<{ Bindings: Env }>();

api.use("*", async (c, next) => {
  if (!c.env.OWNER_TOKEN) throw new AppError(503, "not_configured", "OWNER_TOKEN is not set on this deployment.");
  return bearerAuth<{ Bindings: Env }>({
    token: c.env.OWNER_TOKEN,
    noAuthenticationHeader: { message: unauthorized("Send Authorization: Bearer <OWNER_TOKEN>.") },
    invalidAuthenticationHeader: { message: unauthorized("The Authorization header must be Bearer <token>.") },
    invalidToken: { message: unauthorized("The owner token is not valid.") },
  })(c, next);
});

api.get("/forms", async (c) => c.json({ forms: await listForms(c.env.DB) }));

api.get("/forms/:id", valid("param", z.object({ id: FormIdSchema })), async (c) => {
  const form = await findForm(c.env.DB, c.req.valid("param").id);
  if (!form) throw new AppError(404, "unknown_form", "There is no such form.");
  return c.json(form);
});

api.post("/forms", valid("json", FormConfigSchema), async (c) =>
  c.json(await createForm(c.env.DB, c.req.valid("json"), clockFrom(c.env).now()), 201),
);

api.put(
  "/forms/:id",
  valid("param", z.object({ id: FormIdSchema })),
  valid("json", FormConfigSchema.omit({ id: true })),
  async (c) => c.json(await putForm(c.env.DB, { ...c.req.valid("json"), id: c.req.valid("param").id }, clockFrom(c.env).now())),
);

const LeadListQuerySchema = z.object({
  status: LeadStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

api.get("/leads", valid("query", LeadListQuerySchema), async (c) => c.json(await listLeads(c.env.DB, c.req.valid("query"))));

api.get("/leads/:id", async (c) => {
  const id = LeadIdSchema.safeParse(c.req.param("id"));
  const lead = id.success ? await leadObject(c.env, id.data).summary() : null;
  if (!lead) throw new AppError(404, "unknown_lead", "There is no lead with this id.");
  return c.json(lead);
});

api.get("/sites", async (c) => c.json({ sites: await listSites(c.env.DB) }));

/** Adds or updates a site that runs the snippet (its origin and page class rules). */
api.put("/sites", valid("json", SiteSchema), async (c) => c.json(await putSite(c.env.DB, c.req.valid("json"), clockFrom(c.env).now())));
