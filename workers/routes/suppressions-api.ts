import { Hono } from "hono";
import Papa from "papaparse";
import { z } from "zod";
import { MessageChannelSchema } from "../../schemas/lead";
import { clockFrom } from "../../services/clock";
import { AppError } from "../../services/app-error";
import { limitBody } from "./body-limit";
import { leadIdFor } from "../../services/crypto/lead-identity";
import { leadObject } from "../lead-stub";
import { valid } from "./validate";
import { listSuppressions, normaliseEntry, removeSuppression, suppress, type SuppressedChannel } from "../../services/d1/suppressions";
import { liftAtProvider } from "../../services/channels/select";

/** `/api/suppressions`: the owner's view of who gets nothing more (mounted behind the owner API's auth). */
export const suppressionsApi = new Hono<{ Bindings: Env }>();

const ChannelSchema = MessageChannelSchema;
const MAX_IMPORT_BYTES = 1024 * 1024;
const MAX_IMPORT_ROWS = 10_000;

const query = valid("query", z.object({ channel: ChannelSchema.optional(), limit: z.coerce.number().int().min(1).max(500).default(100), cursor: z.string().max(400).optional() }));

suppressionsApi.get("/", query, async (c) => c.json(await listSuppressions(c.env.DB, c.req.valid("query"))));

const EntrySchema = z.object({
  channel: ChannelSchema.default("email"),
  value: z.string().trim().min(1).max(320),
  reason: z.string().trim().min(1).max(200).default("added by the owner"),
});

suppressionsApi.post("/", valid("json", EntrySchema), async (c) => {
  const { channel, value, reason } = c.req.valid("json");
  const entry = normaliseEntry(channel, value, c.env.DEFAULT_PHONE_REGION);
  if ("problem" in entry) throw new AppError(422, "invalid_entry", `"${value}" is ${entry.problem}.`);
  const added = await suppress(c.env.DB, [{ channel, value: entry.value, reason, evidence: "owner action" }], clockFrom(c.env).now());
  return c.json({ channel, value: entry.value, added: added > 0 }, added > 0 ? 201 : 200);
});

suppressionsApi.delete("/:channel/:value", async (c) => {
  const channel = ChannelSchema.safeParse(c.req.param("channel"));
  if (!channel.success) throw new AppError(404, "unknown_channel", "The channel is email, sms or whatsapp.");
  const entry = normaliseEntry(channel.data, c.req.param("value"), c.env.DEFAULT_PHONE_REGION);
  if (channel.data === "email" && "value" in entry && !entry.value.startsWith("@")) await liftAtProvider(c.env, entry.value);
  const removed = "value" in entry && (await removeSuppression(c.env.DB, channel.data, entry.value));
  if (!removed) throw new AppError(404, "not_suppressed", "That address is not on the suppression list.");
  // An address is a lead's id (phones name one only when it has no email): its withdrawn consent is granted again, as on the lead page.
  if (channel.data === "email" && "value" in entry && !entry.value.startsWith("@") && c.env.LEAD_ID_SECRET) {
    await leadObject(c.env, await leadIdFor(c.env.LEAD_ID_SECRET, { email: entry.value })).restoreConsent("email", "owner", "owner action");
  }
  return c.body(null, 204);
});

/**
 * Imports a CSV: one entry per line, `value[,reason[,channel]]`, with or without a header
 * row. Lines that cannot be read are reported by number; the rest are added.
 */
suppressionsApi.post("/import", limitBody(MAX_IMPORT_BYTES, "A suppression import"), async (c) => {
  const type = c.req.header("content-type") ?? "";
  if (!/^text\/(csv|plain)\b/i.test(type)) throw new AppError(415, "unsupported_media_type", "Send the list as text/csv.");
  const text = await c.req.text();
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), { skipEmptyLines: "greedy" });
  const rows = parsed.data;
  if (rows.length > MAX_IMPORT_ROWS + 1) throw new AppError(413, "too_many_rows", `An import may have at most ${MAX_IMPORT_ROWS} lines.`);
  const header = rows[0]?.[0]?.trim().toLowerCase();
  const start = header && ["value", "email", "address", "phone", "domain"].includes(header) ? 1 : 0;
  const entries: { channel: SuppressedChannel; value: string; reason: string; evidence: string }[] = [];
  const skipped: { line: number; value: string; problem: string }[] = [];
  rows.slice(start).forEach((cells, i) => {
    const line = i + start + 1;
    const [raw = "", reason = "", channelText = ""] = cells.map((cell) => cell.trim());
    const channel = ChannelSchema.safeParse((channelText || "email").toLowerCase());
    if (!channel.success) {
      skipped.push({ line, value: raw.slice(0, 100), problem: `unknown channel "${channelText.slice(0, 20)}"` });
      return;
    }
    const entry = normaliseEntry(channel.data, raw, c.env.DEFAULT_PHONE_REGION);
    if ("problem" in entry) {
      skipped.push({ line, value: raw.slice(0, 100), problem: entry.problem });
      return;
    }
    entries.push({ channel: channel.data, value: entry.value, reason: reason || "imported", evidence: "owner action (import)" });
  });
  const added = await suppress(c.env.DB, entries, clockFrom(c.env).now());
  return c.json({ imported: added, alreadyListed: entries.length - added, skipped: skipped.slice(0, 100), skippedCount: skipped.length });
});
