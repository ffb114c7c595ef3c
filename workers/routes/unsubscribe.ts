import { Hono } from "hono";
import { effectiveSettings } from "../../services/deployment-settings";
import { html } from "hono/html";
import { AppError } from "../../services/app-error";
import { leadObject } from "../lead-stub";
import { tokenKeys } from "../../services/crypto/signed-token";
import { readReconsentToken, readUnsubscribeToken } from "../../services/crypto/tracked-links";
import { limitBody } from "./body-limit";

/**
 * `/u/:token`, the link in every email's footer and List-Unsubscribe header. GET shows a
 * confirmation and changes nothing (security scanners follow every link); POST — the
 * page's button, or a mail client's RFC 8058 one-click — unsubscribes at once. Tokens are
 * signed and do not expire while their key verifies.
 */
export const unsubscribe = new Hono<{ Bindings: Env }>();

const page = (title: string, body: ReturnType<typeof html>) => html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d232b}button{font:inherit;padding:.6rem 1rem;border:0;border-radius:6px;background:#1d232b;color:#fff;cursor:pointer}</style>
</head><body>${body}</body></html>`;

/** Shows enough of the address for a person to recognise it, not enough to harvest it. */
function masked(email: string | undefined): string {
  if (!email) return "your address";
  const at = email.lastIndexOf("@");
  return at > 0 ? `${email[0]}${"•".repeat(Math.min(6, Math.max(1, at - 1)))}${email.slice(at)}` : "your address";
}

/** Who the person is unsubscribing from, as the page names them. */
async function senderName(env: Env): Promise<string> {
  const { values } = await effectiveSettings(env);
  return values.senderCompany || values.senderName || "us";
}

async function leadOf(env: Env, token: string) {
  const keys = tokenKeys(env);
  const leadId = keys ? await readUnsubscribeToken(keys, token) : null;
  if (!leadId) throw new AppError(404, "invalid_link", "This unsubscribe link is not valid. Reply to the email with “unsubscribe” and we will remove you.");
  return leadId;
}

/** The lead a re-consent link names, and the withdrawal it was made for; 404 for anything else (an unsubscribe token included). */
async function reconsentOf(env: Env, token: string) {
  const keys = tokenKeys(env);
  const read = keys ? await readReconsentToken(keys, token) : null;
  if (!read) throw new AppError(404, "invalid_link", "This confirmation link is not valid.");
  return read;
}

/**
 * `/u/:token/confirm`, the link in the one confirmation email an address gets when a form
 * is posted for it after it unsubscribed. GET asks and changes nothing; POST grants email
 * consent again ("confirmed by the address's owner via a signed link") and lifts the
 * suppression. Nothing resumes: the lead is `completed`, and the owner may enrol it.
 */
unsubscribe.get("/:token/confirm", async (c) => {
  const { leadId } = await reconsentOf(c.env, c.req.param("token"));
  const lead = await leadObject(c.env, leadId).summary();
  if (!lead) throw new AppError(404, "invalid_link", "This confirmation link is not valid.");
  const sender = await senderName(c.env);
  c.header("cache-control", "no-store");
  if (lead.consent.email?.granted !== false && lead.status !== "unsubscribed") {
    return c.html(page("Confirmed", html`<h1>You are subscribed</h1><p>${masked(lead.profile.email)} may get emails from ${sender}.</p>`));
  }
  return c.html(
    page(
      "Confirm",
      html`<h1>Get emails from ${sender} again?</h1><p>${masked(lead.profile.email)} unsubscribed earlier. Confirm to let ${sender} email this address again; you can unsubscribe at any time.</p>
<form method="post"><button>Yes, email me again</button></form>`,
    ),
  );
});

unsubscribe.post("/:token/confirm", limitBody(8 * 1024, "A confirmation", "It needs no body."), async (c) => {
  const { leadId, withdrawnAt } = await reconsentOf(c.env, c.req.param("token"));
  const restored = await leadObject(c.env, leadId).restoreConsent("email", "confirmed_link", "confirmed by the address's owner via a signed link", withdrawnAt);
  if (restored === null) throw new AppError(404, "invalid_link", "This confirmation link is not valid.");
  const sender = await senderName(c.env);
  c.header("cache-control", "no-store");
  if (!restored) {
    const lead = await leadObject(c.env, leadId).summary();
    if (lead?.consent.email?.granted === false) {
      // A link from before a later unsubscribe: that later request stands.
      return c.html(page("Link expired", html`<h1>This link has expired</h1><p>You unsubscribed again after it was sent, so nothing changed.</p>`), 410);
    }
  }
  return c.html(page("Confirmed", html`<h1>Thank you</h1><p>${sender} may email you again. Every email has a link to unsubscribe.</p>`));
});

unsubscribe.get("/:token", async (c) => {
  const leadId = await leadOf(c.env, c.req.param("token"));
  const lead = await leadObject(c.env, leadId).summary();
  const sender = await senderName(c.env);
  c.header("cache-control", "no-store");
  if (!lead || lead.status === "unsubscribed") {
    return c.html(page("Unsubscribed", html`<h1>You are unsubscribed</h1><p>${masked(lead?.profile.email)} gets no more emails from ${sender}.</p>`));
  }
  return c.html(
    page(
      "Unsubscribe",
      html`<h1>Unsubscribe?</h1><p>Stop all emails and texts from ${sender} to ${masked(lead.profile.email)}.</p>
<form method="post"><button>Unsubscribe</button></form>`,
    ),
  );
});

unsubscribe.post("/:token", limitBody(8 * 1024, "An unsubscribe request", "It needs no body beyond List-Unsubscribe=One-Click."), async (c) => {
  const leadId = await leadOf(c.env, c.req.param("token"));
  // RFC 8058: a mail client's one-click POST carries exactly this body.
  const body = await c.req.text().catch(() => "");
  const oneClick = /(^|&)List-Unsubscribe=One-Click(&|$)/.test(body.trim());
  const contacts = await leadObject(c.env, leadId).unsubscribe("email", oneClick ? "one_click" : "unsubscribe_link");
  const sender = await senderName(c.env);
  c.header("cache-control", "no-store");
  return c.html(page("Unsubscribed", html`<h1>You are unsubscribed</h1><p>${masked(contacts?.email)} gets no more emails or texts from ${sender}. Nothing else is needed.</p>`));
});
