import { zValidator } from "@hono/zod-validator";
import type { z } from "zod";
import type { Context } from "hono";
import { AppError, invalid } from "../../services/app-error";

/** Validation failures at the door become one 422 shape, whatever the target. */
export const valid = <T extends z.ZodType, Target extends "json" | "query" | "param">(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw invalid(`invalid_${target}`, `The request ${target === "json" ? "body" : target} is not valid.`, result.error);
  });

/**
 * The posted form fields (urlencoded or multipart), or a 400 with a reason when the body
 * cannot be read — a truncated multipart body or a wrong boundary makes the runtime's
 * parser throw, which would otherwise be a 500. Every route that reads a form reads it here;
 * `all` keeps every value of a repeated field (a group of checkboxes).
 */
export async function postedForm(c: Context, options: { all?: boolean } = {}): Promise<Record<string, string | File | (string | File)[]>> {
  try {
    return await c.req.parseBody(options);
  } catch {
    throw new AppError(400, "malformed_body", "The form body could not be read (truncated, or a wrong multipart boundary).");
  }
}
