import { zValidator } from "@hono/zod-validator";
import type { z } from "zod";
import { invalid } from "../../services/app-error";

/** Validation failures at the door become one 422 shape, whatever the target. */
export const valid = <T extends z.ZodType, Target extends "json" | "query" | "param">(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw invalid(`invalid_${target}`, `The request ${target === "json" ? "body" : target} is not valid.`, result.error);
  });
