import { Hono } from "hono";
import { z } from "zod";
import { outboxMessage } from "../../services/channels/outbox";
import { AppError } from "../../services/app-error";
import { inertPreview, PREVIEW_POLICY } from "../dashboard/outbox-preview";
import { valid } from "./validate";

/**
 * `/dashboard/outbox/:id/preview`: one kept email's HTML, made inert, for the outbox page's
 * sandboxed frame. Mounted behind the dashboard's session check.
 */
export const outboxPages = new Hono<{ Bindings: Env }>();

outboxPages.get("/:id/preview", valid("param", z.object({ id: z.string().min(1).max(300) })), async (c) => {
  const message = await outboxMessage(c.env.DB, c.req.valid("param").id);
  if (!message?.html) throw new AppError(404, "unknown_message", "There is no such email in the outbox.");
  // Set here, so the dashboard's page policy (which allows same-origin images) does not replace it.
  c.header("content-security-policy", PREVIEW_POLICY);
  return c.html(await inertPreview(message.html));
});
