import { Hono } from "hono";
import { z } from "zod";
import { LeadStatusSchema, RepActionSchema } from "../../schemas/lead";
import { SequenceIdSchema } from "../../schemas/sequence";
import { clockFrom } from "../../services/clock";
import { listLeads } from "../../services/d1/lead-index";
import { decideLead, enrolLead, eraseLeadEverywhere, handOffLead, leadExport, leadSummary, markLeadBooked } from "../lead-actions";
import { leadParam, type LeadParamEnv } from "./lead-param";
import { valid } from "./validate";

/** `/api/leads`: the owner's leads and what can be done to one (mounted behind the owner API's auth). */
export const leadsApi = new Hono<{ Bindings: Env } & LeadParamEnv>();

leadsApi.use("/:leadId/*", leadParam);

export const LeadListQuerySchema = z.object({
  status: LeadStatusSchema.optional(),
  q: z.string().trim().min(1).max(200).optional(),
  minScore: z.coerce.number().int().min(0).max(1000).optional(),
  sequenceId: SequenceIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

leadsApi.get("/", valid("query", LeadListQuerySchema), async (c) => c.json(await listLeads(c.env.DB, c.req.valid("query"))));

leadsApi.get("/:leadId", async (c) => c.json(await leadSummary(c.env, c.var.leadId)));

/** Everything held about one lead, as JSON (GDPR access and portability). */
leadsApi.get("/:leadId/export", async (c) => {
  const data = await leadExport(c.env, c.var.leadId, clockFrom(c.env).now());
  c.header("content-disposition", `attachment; filename="lead-${c.var.leadId}.json"`);
  return c.json(data);
});

/** Erases a lead everywhere; an address that opted out stays suppressed as a keyed hash only. */
leadsApi.delete("/:leadId", async (c) => {
  await eraseLeadEverywhere(c.env, c.var.leadId, clockFrom(c.env).now());
  return c.body(null, 204);
});

/** Enrols a lead in a sequence's current version; 409 when it already runs it or automation is halted. */
leadsApi.post("/:leadId/enrol", valid("json", z.object({ sequenceId: SequenceIdSchema })), async (c) =>
  c.json({ enrolled: true, ...(await enrolLead(c.env, c.var.leadId, c.req.valid("json").sequenceId)) }),
);

/** Hands a lead to a person now; the package goes to every configured destination. */
leadsApi.post("/:leadId/hand-off", valid("json", z.object({ reason: z.string().trim().min(1).max(300).default("handed over by the owner") })), async (c) => {
  await handOffLead(c.env, c.var.leadId, c.req.valid("json").reason);
  return c.json({ handedOff: true });
});

/** The owner's or rep's decision: `pause` the automation, `resume` the paused sequences, `return` the lead to automation (nurture), or `complete` it. */
leadsApi.post("/:leadId/:action{pause|resume|return|complete}", valid("json", z.object({ note: z.string().trim().max(1000).optional() })), async (c) =>
  c.json({ status: await decideLead(c.env, c.var.leadId, RepActionSchema.parse(c.req.param("action")), c.req.valid("json").note) }),
);

/** Marks a lead booked (a call was booked outside the booking webhooks): its sequences complete. */
leadsApi.post("/:leadId/booked", valid("json", z.object({ source: z.string().trim().min(1).max(100).default("owner") })), async (c) => {
  await markLeadBooked(c.env, c.var.leadId, c.req.valid("json").source);
  return c.json({ booked: true });
});
