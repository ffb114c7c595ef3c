import { desc, eq, lt, and } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { z } from "zod";
import { inboundMessages } from "../../schemas/d1";
import { clockFrom } from "../../services/clock";
import { replyJudgeFor } from "../../services/ai/reply-judgement";
import { effectiveSettings } from "../../services/deployment-settings";
import { AppError } from "../../services/app-error";
import { describeReading, MAX_INBOUND_BYTES, readInbound, type InboundReading } from "../../services/read-inbound";
import { limitBody } from "./body-limit";
import { valid } from "./validate";

/** `/api/inbound`: what came in by email and what was done with it (mounted behind the owner API's auth). */
export const inboundApi = new Hono<{ Bindings: Env }>();

/**
 * A raw RFC 822 message in, the reading out — kind, bounce, return date, visible text,
 * intent and confidence — with no side effects, so an owner can see why a message was
 * treated as it was.
 */
inboundApi.post("/inspect", limitBody(MAX_INBOUND_BYTES, "A message to inspect", "Inbound mail has the same limit."), async (c) => {
  const type = c.req.header("content-type") ?? "";
  if (!/^(message\/rfc822|text\/plain|application\/octet-stream)\b/i.test(type)) {
    throw new AppError(415, "unsupported_media_type", "Send the raw message as message/rfc822 (or text/plain).");
  }
  const raw = await c.req.arrayBuffer();
  if (raw.byteLength === 0) throw new AppError(400, "empty_body", "The body is empty: send the raw message.");
  let reading: InboundReading;
  try {
    reading = await readInbound(raw, clockFrom(c.env).now(), replyJudgeFor(c.env, (await effectiveSettings(c.env)).values));
  } catch (error) {
    throw new AppError(422, "unreadable_message", `The message could not be parsed: ${String(error).slice(0, 200)}`);
  }
  return c.json(describeReading(reading));
});

const ListSchema = z.object({
  kind: z.enum(["human", "unsubscribe_request", "auto_reply", "bounce", "delivery_notice", "complaint", "challenge", "unreadable", "rejected", "failed"]).optional(),
  before: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Recent inbound messages, newest first; `before` pages back by received time. */
inboundApi.get("/", valid("query", ListSchema), async (c) => {
  const { kind, before, limit } = c.req.valid("query");
  const filters = [kind ? eq(inboundMessages.kind, kind) : undefined, before !== undefined ? lt(inboundMessages.receivedAt, before) : undefined].filter((f) => f !== undefined);
  const rows = await drizzle(c.env.DB)
    .select()
    .from(inboundMessages)
    .where(and(...filters))
    .orderBy(desc(inboundMessages.receivedAt))
    .limit(limit)
    .all();
  return c.json({ messages: rows, ...(rows.length === limit ? { before: rows[rows.length - 1]!.receivedAt } : {}) });
});
