import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { escapeMarkup } from "../engine/markup";
import { AppError } from "../services/app-error";

/** A person who posted a plain HTML form reads a page, not JSON. */
function wantsPage(c: Context): boolean {
  if (c.req.path.startsWith("/api/")) return false;
  const accept = c.req.header("accept") ?? "";
  return accept.includes("text/html") && !accept.includes("application/json");
}

function errorPage(error: AppError): string {
  const items = error.issues.map((i) => `<li><strong>${escapeMarkup(i.field)}</strong>: ${escapeMarkup(i.message)}</li>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeMarkup(error.message)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}</style></head><body><h1>${escapeMarkup(error.message)}</h1>${items ? `<ul>${items}</ul>` : ""}<p><a href="javascript:history.back()">Go back</a> and try again.</p></body></html>`;
}

/** The one place that turns an error into an answer (installed with `app.onError`). */
export function answerError(err: Error, c: Context): Response {
  let error: AppError;
  if (err instanceof AppError) {
    error = err;
  } else if (err instanceof HTTPException) {
    // Hono's middleware speaks HTTPException; one built with a full response (the owner
    // auth, which already answers in our JSON shape) goes out as it is.
    if (err.res) return err.getResponse();
    error = new AppError(err.status as ContentfulStatusCode, "bad_request", err.message || "The request could not be read.");
  } else {
    const requestId = crypto.randomUUID();
    console.error(JSON.stringify({ requestId, path: c.req.path, error: String(err), stack: err.stack }));
    error = new AppError(500, "internal", `Something went wrong on our side (request ${requestId}).`);
  }
  if (wantsPage(c)) return c.html(errorPage(error), error.status);
  return c.json({ error: { code: error.code, message: error.message, ...(error.issues.length > 0 ? { issues: error.issues } : {}) } }, error.status);
}
