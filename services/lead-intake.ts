import type { Submission, LeadId } from "../schemas/lead";
import { leadIdFor } from "./crypto/lead-identity";
import { sequenceIntake, type IntakeConfig } from "./d1/intake-config";
import { linkPostedVisitor } from "./d1/visitors";

/**
 * A valid post entering its lead: the one intake for a form post from an allowed site, for
 * one the owner approved from the unknown-site queue, and for details a visitor gives in the
 * site chat, so all are scored, held and enrolled alike. `config`: the sequence and routing the
 * caller already read for this post (the form route reads them with the form). `defer` runs
 * the visitor link off the caller's path when it can; `linked` is known only when it was awaited.
 */
export async function admitPost(
  env: Env,
  post: { sequenceId: string | null; submission: Submission; hold?: string | undefined; visitorId?: string | undefined; config?: IntakeConfig },
  defer: (work: Promise<unknown>) => unknown = (work) => work,
): Promise<{ leadId: LeadId; created: boolean; linked: Promise<boolean> }> {
  const leadId = await leadIdFor(env.LEAD_ID_SECRET, post.submission.profile);
  // The lead keeps the version current now; a missing sequence (deleted preset id) enrols in none rather than losing the lead.
  const { sequence, routing } = post.config ?? (await sequenceIntake(env.DB, post.sequenceId));
  const { created } = await env.LEADS.getByName(leadId).submitForm(post.submission, sequence, post.hold, routing);
  if (!post.visitorId) return { leadId, created, linked: Promise.resolve(false) };
  // From now on the snippet's page views on this browser belong to this lead, unless it has a browser already.
  const { visitorId } = post;
  const linked = linkPostedVisitor(env.DB, visitorId, leadId, post.submission.receivedAt)
    .then((done) => {
      if (!done) console.log(JSON.stringify({ event: "visitor_not_linked", leadId, reason: "the lead has a visitor already; only a click ticket adds one" }));
      return done;
    })
    .catch((error) => {
      console.error(JSON.stringify({ event: "visitor_link_failed", error: String(error) }));
      return false;
    });
  await defer(linked);
  return { leadId, created, linked };
}
