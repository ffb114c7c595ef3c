import type { Submission, LeadId } from "../schemas/lead";
import { leadIdFor } from "../services/crypto/lead-identity";
import { currentRouting } from "../services/d1/routing";
import { currentSequence } from "../services/d1/sequences";
import { linkPostedVisitor } from "../services/d1/visitors";
import { leadObject } from "./lead-stub";

/**
 * A valid form post entering its lead: the one intake for a post from an allowed site and
 * for one the owner approved from the unknown-site queue, so both are scored, held and
 * enrolled alike. `defer` runs the visitor link off the caller's path when it can.
 */
export async function admitFormPost(
  env: Env,
  post: { sequenceId: string | null; submission: Submission; hold?: string | undefined; visitorId?: string | undefined },
  defer: (work: Promise<unknown>) => unknown = (work) => work,
): Promise<LeadId> {
  const leadId = await leadIdFor(env.LEAD_ID_SECRET, post.submission.profile);
  // The lead keeps the version current now; a missing sequence (deleted preset id) enrols in none rather than losing the lead.
  const [sequence, routing] = await Promise.all([post.sequenceId ? currentSequence(env.DB, post.sequenceId) : undefined, currentRouting(env.DB)]);
  await leadObject(env, leadId).submitForm(post.submission, sequence, post.hold, routing);
  // From now on the snippet's page views on this browser belong to this lead, unless it has a browser already.
  if (post.visitorId) {
    const { visitorId } = post;
    await defer(
      linkPostedVisitor(env.DB, visitorId, leadId, post.submission.receivedAt)
        .then((linked) => {
          if (!linked) console.log(JSON.stringify({ event: "visitor_not_linked", leadId, reason: "the lead has a visitor already; only a click ticket adds one" }));
        })
        .catch((error) => console.error(JSON.stringify({ event: "visitor_link_failed", error: String(error) }))),
    );
  }
  return leadId;
}
