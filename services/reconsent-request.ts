import { escapeMarkup } from "../engine/markup";
import type { LeadId } from "../schemas/lead";
import type { EmailOut } from "./channels/transport";
import { reconsentToken } from "./crypto/tracked-links";
import { requiredTokenKeys, tokenKeys } from "./crypto/signed-token";
import type { Settings } from "../schemas/settings";
import { senderFrom } from "./deployment-settings";

/**
 * The confirmation email an address gets when a form is posted for it after it
 * unsubscribed. Transactional: no pixel, no tracked link, no unsubscribe headers (it grants
 * nothing unless its owner acts), but who sends it and their postal address. Its one link
 * is the signed `/u/<token>/confirm` page, which asks before it changes anything.
 */
export async function reconsentRequest(
  env: Env,
  settings: Settings,
  leadId: LeadId,
  to: string,
  withdrawnAt: number,
  key: string,
): Promise<{ email: EmailOut } | { missing: string }> {
  const identity = senderFrom(settings);
  if ("missing" in identity) return { missing: `sender identity is not set (${identity.missing.join(", ")})` };
  if (!tokenKeys(env)) return { missing: "TOKEN_SECRET is not set" };
  const { sender } = identity;
  const link = `${sender.publicUrl.replace(/\/+$/, "")}/u/${await reconsentToken(requiredTokenKeys(env), leadId, withdrawnAt)}/confirm`;
  const who = sender.company || sender.name;
  const text = [
    `Someone (perhaps you) filled in a form at ${who} with this address, which unsubscribed from our emails earlier.`,
    "",
    "We will not email you again unless you confirm that you want us to:",
    link,
    "",
    "If it was not you, or you changed your mind, ignore this email: nothing changes, and we will not ask again for at least 30 days.",
    "",
    `${sender.name}, ${sender.company}`,
    sender.postalAddress,
  ].join("\n");
  const domain = sender.email.slice(sender.email.lastIndexOf("@") + 1);
  const html = `<div style="font-family:system-ui,sans-serif;line-height:1.5">
<p>Someone (perhaps you) filled in a form at ${escapeMarkup(who)} with this address, which unsubscribed from our emails earlier.</p>
<p>We will not email you again unless you confirm that you want us to: <a href="${escapeMarkup(link)}">confirm emails from ${escapeMarkup(who)}</a>.</p>
<p>If it was not you, or you changed your mind, ignore this email: nothing changes, and we will not ask again for at least 30 days.</p>
<p style="color:#555;font-size:13px">${escapeMarkup(`${sender.name}, ${sender.company}`)}<br>${escapeMarkup(sender.postalAddress)}</p>
</div>`;
  return {
    email: {
      from: { name: sender.name, email: sender.email },
      to,
      subject: `Confirm you want emails from ${who}`.replace(/[\r\n]+/g, " ").slice(0, 200),
      text,
      html,
      headers: { "Auto-Submitted": "auto-generated" },
      messageId: `<${key}@${domain}>`,
    },
  };
}
