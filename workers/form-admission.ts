import type { Context } from "hono";
import type { FormConfig } from "../schemas/form";
import { AppError } from "../services/app-error";
import { TURNSTILE_FIELD, verifyTurnstile } from "../services/turnstile";
import { clientAddress, perClient, tooManyRequests, withinLimit } from "./abuse-limits";
import type { PostedFields } from "./form-body";

/**
 * Who may post a form, and how far a post is trusted (docs/api.md "Form posts"). Two rules keep
 * both promises — an abusive request gets a 4xx, a legitimate lead is never lost:
 * - one address posting more than a person would is refused with 429 (they are told, and
 *   can send again in a minute);
 * - a post the edge cannot vouch for (the form is flooded from many addresses, or Turnstile
 *   could not be asked) is kept, lead and all, but its sequence waits for the owner.
 */

/** Before the body is read: one address over FORM_POSTS_PER_CLIENT gets 429. */
export async function refuseFloodingClient<E extends { Bindings: Env }>(c: Context<E>): Promise<void> {
  const client = clientAddress(c.req.raw);
  if (client && !(await withinLimit(c.env.FORM_POSTS_PER_CLIENT, perClient(client)))) {
    throw tooManyRequests(c, "too_many_posts", "Too many form posts from your address in the last minute. Wait a minute, then send the form again.");
  }
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * A form with Turnstile on accepts only posts whose token siteverify passes (403 otherwise).
 * When siteverify cannot answer, or the deployment has no secret, the post is kept and held:
 * an outage must not turn people away, nor let strangers' addresses be mailed unchecked.
 */
async function turnstileHold(env: Env, form: FormConfig, posted: PostedFields, client: string | undefined): Promise<string | undefined> {
  if (form.turnstile === false) return undefined;
  const token = first(posted[TURNSTILE_FIELD])?.trim();
  if (!token) {
    throw new AppError(
      403,
      "turnstile_required",
      "This form needs its security check (Cloudflare Turnstile) completed before it is sent. Complete the check, then send the form again.",
    );
  }
  const secret = (typeof form.turnstile === "object" ? form.turnstile.secret : undefined) ?? env.TURNSTILE_SECRET_KEY;
  if (!secret) {
    console.error(JSON.stringify({ event: "turnstile_not_configured", formId: form.id }));
    return "Turnstile unverified: the deployment has no TURNSTILE_SECRET_KEY";
  }
  const verdict = await verifyTurnstile(secret, token, client);
  if (verdict.kind === "failed") {
    const codes = verdict.codes.length > 0 ? ` (${verdict.codes.join(", ")})` : "";
    throw new AppError(403, "turnstile_failed", `The security check (Cloudflare Turnstile) did not pass${codes}. Complete it again, then send the form again.`);
  }
  if (verdict.kind === "unavailable") {
    console.error(JSON.stringify({ event: "turnstile_unavailable", formId: form.id, reason: verdict.reason }));
    return `Turnstile unverified: ${verdict.reason}`;
  }
  return undefined;
}

/** Checks a valid post's Turnstile token (when the form asks for one). */
export function checkTurnstile<E extends { Bindings: Env }>(c: Context<E>, form: FormConfig, posted: PostedFields): Promise<string | undefined> {
  return turnstileHold(c.env, form, posted, clientAddress(c.req.raw));
}

/**
 * One count against the form's FORM_POSTS_PER_FORM: past it, the post is kept and held. A
 * form that starts no sequence sends nothing to hold, and is not counted.
 */
export async function floodHold<E extends { Bindings: Env }>(c: Context<E>, form: FormConfig): Promise<string | undefined> {
  if (!form.sequenceId || (await withinLimit(c.env.FORM_POSTS_PER_FORM, form.id))) return undefined;
  return "form flood: the form took more posts this minute than FORM_POSTS_PER_FORM allows";
}
