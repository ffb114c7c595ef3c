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
import { findForm, originAllowed } from "../../services/d1/forms";
import { leadIdFor } from "../../services/crypto/lead-identity";
import { leadObject } from "../lead-stub";
import { currentSequence } from "../../services/d1/sequences";
import { currentRouting } from "../../services/d1/routing";
import { linkPostedVisitor } from "../../services/d1/visitors";

const MAX_BODY_BYTES = 64 * 1024;

type CaptureEnv = { Bindings: Env; Variables: { form: FormConfig } };

/** `POST /f/:formId`: a lead form post from any site, a browser or an API client. */
export const capture = new Hono<CaptureEnv>();

capture.use("/:formId", async (c, next) => {
  const id = c.req.param("formId");
  const form = FormIdSchema.safeParse(id).success ? await findForm(c.env.DB, id) : undefined;
  if (!form) throw new AppError(404, "unknown_form", `There is no form "${id}".`);
  const origin = c.req.header("origin");
  if (!originAllowed(form, origin, new URL(c.req.url).origin)) {
    throw new AppError(403, "origin_not_allowed", `This form does not accept posts from ${origin}; add it to the form's allowedOrigins.`);
  }
  c.set("form", form);
  await next();
});

capture.use(
  "/:formId",
  cors({ origin: (origin) => origin || null, allowMethods: ["POST"], allowHeaders: ["Content-Type", "Accept"], maxAge: 86400 }),
);

capture.post(
  "/:formId",
  limitBody(MAX_BODY_BYTES, "A form post"),
  async (c) => {
    await refuseFloodingClient(c);
    const form = c.var.form;
    const receivedAt = clockFrom(c.env).now();
    const posted = await readPostedFields(c.req.raw);
    const isApiClient = postedByApiClient(c.req.header("accept"), c.req.header("content-type"));
    const { submission, caughtByHoneypot, visitorId } = interpretSubmission(form, posted, {
      receivedAt,
      page: c.req.header("referer"),
      phoneRegion: c.env.DEFAULT_PHONE_REGION,
      // An API client's address is the poster's server, not the lead: only a browser's tells the lead's zone.
      edgeTimezone: isApiClient ? undefined : edgeTimezone(c.req.raw),
    });
    // After the fields pass: a token is single-use, and a person fixing a field should not need a new one.
    const unverified = await checkTurnstile(c, form, posted);
    const leadId = await leadIdFor(c.env.LEAD_ID_SECRET, submission.profile);
    // A bot that filled the honeypot gets the answer a person gets, and creates nothing.
    if (!caughtByHoneypot) {
      const hold = [unverified, await floodHold(c, form)].filter(Boolean).join("; ") || undefined;
      // The lead keeps the version current now; a missing sequence (deleted preset id) enrols in none rather than losing the lead.
      const [sequence, routing] = await Promise.all([form.sequenceId ? currentSequence(c.env.DB, form.sequenceId) : undefined, currentRouting(c.env.DB)]);
      await leadObject(c.env, leadId).submitForm(submission, sequence, hold, routing);
      // From now on the snippet's page views on this browser belong to this lead, unless it has a browser already.
      if (visitorId) {
        c.executionCtx.waitUntil(
          linkPostedVisitor(c.env.DB, visitorId, leadId, receivedAt).then((linked) => {
            if (!linked) console.log(JSON.stringify({ event: "visitor_not_linked", leadId, reason: "the lead has a visitor already; only a click ticket adds one" }));
          }).catch((error) => console.error(JSON.stringify({ event: "visitor_link_failed", error: String(error) }))),
        );
      }
    }

    if (isApiClient) return c.json({ leadId }, 202);
    return c.redirect(form.thankYouUrl, 303);
  },
);

/** A JSON post or a JSON answer asked for: a server posting for the lead, not the lead's browser. */
function postedByApiClient(accept = "", contentType = ""): boolean {
  return accept.includes("application/json") || contentType.includes("json");
}

/** The edge's guess of the client's zone from its address (`request.cf.timezone`), when it has one. */
function edgeTimezone(request: Request): string | undefined {
  const zone = (request.cf as { timezone?: unknown } | undefined)?.timezone;
  return typeof zone === "string" && zone !== "" ? zone : undefined;
}
