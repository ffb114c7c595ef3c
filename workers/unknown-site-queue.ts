import { SubmissionSchema, type LeadId } from "../schemas/lead";
import { AppError } from "../services/app-error";
import { findForm } from "../services/d1/forms";
import { findUnknownSitePost, removeUnknownSitePost, restoreUnknownSitePost } from "../services/d1/unknown-site-posts";
import { admitPost } from "../services/lead-intake";

/**
 * The owner's decisions on the "from an unknown site" queue. Approving a post enters it as
 * the form post it was (its consent wording as the visitor saw it, its hold if the edge could
 * not vouch for it) and enrols it in the form's sequence; discarding deletes it.
 */

const gone = () => new AppError(404, "unknown_post", "This post is no longer waiting: it was approved or discarded already.");

export async function approveUnknownSitePost(env: Env, id: string): Promise<LeadId> {
  const post = await findUnknownSitePost(env.DB, id);
  if (!post) throw gone();
  // The form's sequence as it is now, as for any post; a form deleted since enrols in none, and the lead is still kept.
  const form = await findForm(env.DB, post.formId);
  const submission = SubmissionSchema.parse(post.submission);
  // Claimed first, so two approves at once cannot enter it twice; put back if entering it fails.
  if (!(await removeUnknownSitePost(env.DB, id))) throw gone();
  try {
    return (await admitPost(env, { sequenceId: form?.sequenceId ?? null, submission, hold: post.hold ?? undefined, visitorId: post.visitorId ?? undefined })).leadId;
  } catch (error) {
    await restoreUnknownSitePost(env.DB, post);
    throw error;
  }
}

export async function discardUnknownSitePost(env: Env, id: string): Promise<void> {
  if (!(await removeUnknownSitePost(env.DB, id))) throw gone();
}
