import { Hono } from "hono";
import { z } from "zod";
import { LeadIdSchema } from "../../schemas/lead";
import { EnrolmentIdSchema, ReviewDecisionSchema } from "../../schemas/review";
import { AppError } from "../../services/app-error";
import { listReview, reviewDraft } from "../review-queue";
import { valid } from "./validate";

/** `/api/review`: drafts of sequences in review mode, and the owner's approve, edit or reject (behind the owner API's auth). */
export const reviewApi = new Hono<{ Bindings: Env }>();

reviewApi.get("/", valid("query", z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) })), async (c) =>
  c.json(await listReview(c.env.DB, c.req.valid("query").limit)),
);

reviewApi.post(
  "/:leadId/:enrolmentId",
  valid("param", z.object({ leadId: LeadIdSchema, enrolmentId: EnrolmentIdSchema })),
  valid("json", ReviewDecisionSchema),
  async (c) => {
    const { leadId, enrolmentId } = c.req.valid("param");
    const result = await reviewDraft(c.env, leadId, enrolmentId, c.req.valid("json"));
    if (result === null) throw new AppError(404, "unknown_lead", "There is no lead with this id.");
    if (!result) throw new AppError(409, "not_waiting", "This draft is not waiting for review: it was reviewed, sent, or replaced by a newer draft.");
    return c.json({ reviewed: true });
  },
);
