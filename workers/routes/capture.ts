import { Hono } from "hono";
import { cors } from "hono/cors";
import type { FormConfig } from "../../schemas/form";
import { FormIdSchema } from "../../schemas/form";
import { clockFrom } from "../../services/clock";
import { AppError } from "../../services/app-error";
import { readPostedFields } from "../form-body";
import { limitBody } from "./body-limit";
import { interpretSubmission } from "../form-submission";
import { checkTurnstile, floodHold, refuseFloodingClient } from "../form-admission";
import { originAllowed } from "../../services/d1/forms";
import { formIntake, type IntakeConfig } from "../../services/d1/intake-config";
import { knownSites } from "../../services/d1/sites";
import { keepUnknownSitePost } from "../../services/d1/unknown-site-posts";
import { answerInvalidPost } from "../form-errors";
import { admitPost } from "../../services/lead-intake";
import { leadIdFor } from "../../services/crypto/lead-identity";

const MAX_BODY_BYTES = 64 * 1024;

type CaptureEnv = { Bindings: Env; Variables: { form: FormConfig; intake: IntakeConfig } };

/**
 * `POST /f/:formId`: a lead form post from any site, a browser or an API client. A post from
 * a site the form does not allow yet is kept for the owner (the "from an unknown site"
 * queue) and answered as any post is, so CORS lets every origin post and read the answer:
 * the answer to an unknown site says only that the post was received.
 */
export const capture = new Hono<CaptureEnv>();

capture.use("/:formId", async (c, next) => {
  const id = c.req.param("formId");
  const found = FormIdSchema.safeParse(id).success ? await formIntake(c.env.DB, id) : undefined;
  if (!found) throw new AppError(404, "unknown_form", `There is no form "${id}".`);
  const { form, ...intake } = found;
  c.set("form", form);
  c.set("intake", intake);
  await next();
});

capture.use("/:formId", cors({ origin: (origin) => origin || null, allowMethods: ["POST"], allowHeaders: ["Content-Type", "Accept"], maxAge: 86400 }));

capture.post("/:formId", limitBody(MAX_BODY_BYTES, "A form post"), async (c) => {
  await refuseFloodingClient(c);
  const form = c.var.form;
  const receivedAt = clockFrom(c.env).now();
  const posted = await readPostedFields(c.req.raw);
  const isApiClient = postedByApiClient(c.req.header("accept"), c.req.header("content-type"));
  let interpreted: ReturnType<typeof interpretSubmission>;
  let unverified: string | undefined;
  try {
    interpreted = interpretSubmission(form, posted, {
      receivedAt,
      page: c.req.header("referer"),
      phoneRegion: c.env.DEFAULT_PHONE_REGION,
      // An API client's address is the poster's server, not the lead: only a browser's tells the lead's zone.
      edgeTimezone: isApiClient ? undefined : edgeTimezone(c.req.raw),
    });
    // After the fields pass: a token is single-use, and a person fixing a field should not need a new one.
    unverified = await checkTurnstile(c, form, posted);
  } catch (error) {
    // Fields that need fixing: the person reads them on the form's terms. Turnstile's refusals keep their own page.
    if (!isApiClient && error instanceof AppError && error.status === 422) return answerInvalidPost(c, form, posted, error);
    throw error;
  }
  const { submission, caughtByHoneypot, visitorId } = interpreted;
  const holdOf = async () => [unverified, await floodHold(c, form)].filter(Boolean).join("; ") || undefined;
  const origin = c.req.header("origin");
  if (!originAllowed(form, origin, new URL(c.req.url).origin, await knownSites(c.env.DB))) {
    if (!caughtByHoneypot) {
      // Nothing reaches a lead, nor is sent, until the owner approves the post.
      const kept = await keepUnknownSitePost(c.env.DB, { formId: form.id, origin: origin!, receivedAt, submission, hold: await holdOf(), visitorId });
      if (!kept) console.error(JSON.stringify({ event: "unknown_site_post_turned_away", formId: form.id, origin, reason: "the unknown-site queue is full" }));
    }
    // The visitor is thanked as on any site; a script there learns nothing about the lead.
    return isApiClient ? c.json({ received: true }, 202) : c.redirect(form.thankYouUrl, 303);
  }
  // A bot that filled the honeypot gets the answer a person gets, and creates nothing.
  const leadId = caughtByHoneypot
    ? await leadIdFor(c.env.LEAD_ID_SECRET, submission.profile)
    : (await admitPost(c.env, { sequenceId: form.sequenceId, submission, hold: await holdOf(), visitorId, config: c.var.intake }, (work) => c.executionCtx.waitUntil(work))).leadId;
  if (isApiClient) return c.json({ leadId }, 202);
  return c.redirect(form.thankYouUrl, 303);
});

/** A JSON post or a JSON answer asked for: a server posting for the lead, not the lead's browser. */
function postedByApiClient(accept = "", contentType = ""): boolean {
  return accept.includes("application/json") || contentType.includes("json");
}

/** The edge's guess of the client's zone from its address (`request.cf.timezone`), when it has one. */
function edgeTimezone(request: Request): string | undefined {
  const zone = (request.cf as { timezone?: unknown } | undefined)?.timezone;
  return typeof zone === "string" && zone !== "" ? zone : undefined;
}
