import { effectiveSettings, senderFrom } from "../services/deployment-settings";
import { checkDeployment, lookUpMxRemembered } from "../services/deployment-checks";
import { listForms } from "../services/d1/forms";
import { listSites } from "../services/d1/sites";

/**
 * The overview's first-run checklist: what a new deployment needs before it follows anyone
 * up, each item read from where it is really done (the settings, D1, the doctor), so a tick
 * cannot be claimed, only earned.
 */

export interface FirstRunItem {
  id: "sender" | "site" | "form-embedded" | "test-lead" | "sending-domain";
  what: string;
  done: boolean;
  /** Where it is done. */
  href: string;
  /** What to do, or what was found. */
  detail: string;
}

/** The doctor's checks that are about the sending domain and its mail, not the rest of the deployment. */
const SENDING_DOMAIN_CHECKS = new Set(["sender", "email-transport", "email-binding", "resend-key", "resend-webhook", "reply-subdomain", "reply-mx"]);

/**
 * Whether a form post arrived (an imported row is not one), and whether one came from a page
 * of a registered site that is not this engine (a form embedded in the owner's site). Each is
 * a mark the projection keeps — the lead's first post, the site's first post — not a scan of raw events.
 */
async function formPostsSeen(db: D1Database, engineOrigins: string[]): Promise<{ any: boolean; embedded: boolean }> {
  const notEngine = engineOrigins.map((_, i) => `?${i + 1}`).join(", ");
  const [any, embedded] = await Promise.all([
    db.prepare("SELECT 1 AS found FROM leads WHERE form_posted_at IS NOT NULL LIMIT 1").first(),
    db
      .prepare(`SELECT 1 AS found FROM sites WHERE form_posted_at IS NOT NULL AND origin NOT IN (${notEngine}) LIMIT 1`)
      .bind(...engineOrigins)
      .first(),
  ]);
  return { any: any !== null, embedded: embedded !== null };
}

/** `engineOrigin`: the address the owner reaches this engine at (PUBLIC_URL may be another). */
export async function firstRunChecklist(env: Env, engineOrigin: string): Promise<FirstRunItem[]> {
  const effective = await effectiveSettings(env);
  const { publicUrl } = effective.values;
  const publicOrigin = URL.canParse(publicUrl) ? new URL(publicUrl).origin : engineOrigin;
  const [sites, forms, checks, posts] = await Promise.all([
    listSites(env.DB),
    listForms(env.DB),
    checkDeployment(env, fetch, effective, (domain) => lookUpMxRemembered(domain)),
    formPostsSeen(env.DB, [...new Set([engineOrigin, publicOrigin])]),
  ]);
  const sender = senderFrom(effective.values);
  const formPage = forms[0] ? `/dashboard/forms/${forms[0].id}` : "/dashboard/forms/new";
  const domainProblems = checks.filter((c) => SENDING_DOMAIN_CHECKS.has(c.id) && c.status !== "ok");
  return [
    {
      id: "sender",
      what: "Sender identity",
      done: "sender" in sender,
      href: "/dashboard/settings",
      detail: "sender" in sender ? `${sender.sender.name}, ${sender.sender.company} <${sender.sender.email}>` : `Set ${sender.missing.join(", ")}.`,
    },
    {
      id: "site",
      what: "Your site registered",
      done: sites.length > 0,
      href: "/dashboard/sites",
      detail: sites.length > 0 ? sites.map((s) => s.origin).join(", ") : "Register the site your forms and snippet go on.",
    },
    {
      id: "form-embedded",
      what: "A form on your site",
      done: posts.embedded,
      href: formPage,
      detail: posts.embedded
        ? "A post came in from a page on your site."
        : forms.length > 0
          ? "Paste a form's code into a page of your site and send it once."
          : "Make a form, then paste its code into your site.",
    },
    {
      id: "test-lead",
      what: "A test lead received",
      done: posts.any,
      href: posts.any ? "/dashboard/leads" : formPage,
      detail: posts.any ? "A form post made a lead: see Leads." : "Send your form once with your own address.",
    },
    {
      id: "sending-domain",
      what: "Sending domain checked",
      done: domainProblems.length === 0,
      href: "/dashboard/settings",
      detail: domainProblems.length === 0 ? "The doctor finds nothing missing for sending." : domainProblems.map((c) => c.fix ?? c.what).join(" "),
    },
  ];
}
