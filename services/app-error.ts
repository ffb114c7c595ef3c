import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface FieldIssue {
  field: string;
  message: string;
}

/** An error the client can act on: a status, a stable code and a readable reason. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = "AppError";
  }
}

/** The part of a zod error we report (zod's classic and core errors both have it). */
interface ZodIssues {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}

export function issuesOf(error: ZodIssues): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join(".") : "(body)",
    message: issue.message,
  }));
}

export function invalid(code: string, message: string, error: ZodIssues): AppError {
  return new AppError(422, code, message, issuesOf(error));
}
