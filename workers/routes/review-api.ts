import { Hono } from "hono";
import { z } from "zod";
import { EnrolmentIdSchema, ReviewDecisionSchema } from "../../schemas/review";
import { listReview, reviewDraft } from "../review-queue";
import { leadParam, type LeadParamEnv } from "./lead-param";
import { valid } from "./validate";

/** `/api/review`: drafts of sequences in review mode, and the owner's approve, edit or reject (behind the owner API's auth). */
export const reviewApi = new Hono<{ Bindings: Env } & LeadParamEnv>();

reviewApi.use("/:leadId/*", leadParam);

reviewApi.get("/", valid("query", z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) })), async (c) =>
  c.json(await listReview(c.env.DB, c.req.valid("query").limit)),
);

reviewApi.post("/:leadId/:enrolmentId", valid("param", z.object({ enrolmentId: EnrolmentIdSchema })), valid("json", ReviewDecisionSchema), async (c) => {
  await reviewDraft(c.env, c.var.leadId, c.req.valid("param").enrolmentId, c.req.valid("json"));
  return c.json({ reviewed: true });
});
