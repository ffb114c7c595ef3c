import { createMiddleware } from "hono/factory";
import { LeadIdSchema, type LeadId } from "../../schemas/lead";
import { unknownLead } from "../lead-actions";

export type LeadParamEnv = { Variables: { leadId: LeadId } };

/**
 * The `:leadId` path parameter, validated once per sub-app (`use("/…/:leadId/*", leadParam)`)
 * and handed on as `c.var.leadId`. A malformed id names no lead: 404, as for an unknown one.
 */
export const leadParam = createMiddleware<LeadParamEnv>(async (c, next) => {
  const id = LeadIdSchema.safeParse(c.req.param("leadId"));
  if (!id.success) unknownLead();
  c.set("leadId", id.data);
  await next();
});
