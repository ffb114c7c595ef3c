import type { Context } from "hono";
import { escapeMarkup } from "../engine/markup";
import type { FormConfig } from "../schemas/form";
import type { AppError } from "../services/app-error";
import type { PostedFields } from "./form-body";

/**
 * What a person whose post needs fixing sees (docs/api.md "Form posts"). Never a developer error:
 * either the page they came from, with the reasons as `fu_error` query parameters (when the
 * form or the post asks for it, and the page is on the site that posted), or a plain page
 * under the form's own name that lists what to fix.
 */

/** A site asks for the redirect per post with this hidden field (`fu_errors=redirect`). */
export const ERRORS_FIELD = "fu_errors";

const LABELS: Record<string, string> = {
  email: "Email",
  phone: "Phone",
  name: "Name",
  first_name: "First name",
  last_name: "Last name",
  company: "Company",
  title: "Job title",
  message: "Message",
  timezone: "Time zone",
  consent_email: "Consent to email",
  consent_sms: "Consent to text messages",
  consent_whatsapp: "Consent to WhatsApp messages",
  source: "Source",
  "(body)": "The form",
};

const reasonsOf = (error: AppError) => (error.issues.length > 0 ? error.issues : [{ field: "(body)", message: error.message }]);

/**
 * The page to send the person back to: the Referer, only when it is on the origin that posted
 * (a browser sets both; a redirect elsewhere would make the form an open redirect).
 */
function pageToReturnTo(referer: string | undefined, origin: string | undefined): URL | undefined {
  if (!referer || !origin) return undefined;
  try {
    const page = new URL(referer);
    return page.origin === origin.toLowerCase() && /^https?:$/.test(page.protocol) ? page : undefined;
  } catch {
    return undefined;
  }
}

export function answerInvalidPost<E extends { Bindings: Env }>(c: Context<E>, form: FormConfig, posted: PostedFields, error: AppError): Response {
  const asked = form.validationErrors === "redirect" || posted[ERRORS_FIELD] === "redirect";
  const page = asked ? pageToReturnTo(c.req.header("referer"), c.req.header("origin")) : undefined;
  if (page) {
    page.searchParams.delete("fu_error");
    for (const reason of reasonsOf(error)) page.searchParams.append("fu_error", `${reason.field}: ${reason.message}`);
    return c.redirect(page.toString(), 303);
  }
  return c.html(plainPage(form, error), error.status);
}

function plainPage(form: FormConfig, error: AppError): string {
  const items = reasonsOf(error)
    .map((r) => `<li><strong>${escapeMarkup(LABELS[r.field] ?? r.field)}</strong>: ${escapeMarkup(r.message)}</li>`)
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeMarkup(form.name)}: please check the form</title><style>body{font:17px/1.5 system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1d232b}h1{font-size:1.3rem}li{margin:.3rem 0}a{color:#1f6feb}</style></head><body><p>${escapeMarkup(form.name)}</p><h1>Please check the form</h1><p>${escapeMarkup(error.message)}</p><ul>${items}</ul><p><a href="javascript:history.back()">Go back to the form</a>, fix what is listed and send it again.</p></body></html>`;
}
