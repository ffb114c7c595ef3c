import type { OutgoingTouch } from "../engine/lead/lead-state";
import type { LeadId } from "../schemas/lead";
import type { EmailOut } from "./channels/transport";
import { routingAddress } from "./crypto/reply-address";
import type { TokenKeys } from "./crypto/signed-token";
import { openToken, trackLink, unsubscribeToken } from "./crypto/tracked-links";
import { escapeMarkup } from "../engine/markup";

/**
 * Turns a rendered touch into the email that goes out: HTML and text parts, a Message-ID
 * we recognise, threading headers, a Reply-To that routes back to the lead, one-click
 * unsubscribe headers, the sender's postal address, tracked links, the pixel and the
 * honeypot link that only machines follow.
 */

export interface Sender {
  name: string;
  company: string;
  email: string;
  postalAddress: string;
  /** The domain Email Routing receives replies on. */
  replyDomain: string;
  /** Where tracking and unsubscribe links point: this Worker's public origin. */
  publicUrl: string;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/g;

/** Header values come partly from the lead: no line break may reach a header. */
const headerSafe = (value: string, max = 998) =>
  value
    .replace(/[\r\n\t\0]+/g, " ")
    .trim()
    .slice(0, max);

/** A URL found in text, without the sentence punctuation that follows it. */
function trimUrl(url: string): string {
  return url.replace(/[.,;:!?)\]]+$/, "");
}

export async function composeEmail(keys: TokenKeys, sender: Sender, siteOrigins: ReadonlySet<string>, leadId: LeadId, touch: OutgoingTouch, sentAt: number): Promise<EmailOut> {
  const base = sender.publicUrl.replace(/\/+$/, "");
  const senderDomain = sender.email.slice(sender.email.lastIndexOf("@") + 1);
  const links = new Map<string, string>();
  for (const match of touch.text.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[0]);
    if (!links.has(url)) {
      const token = await trackLink(keys, siteOrigins, { leadId, messageId: touch.key, sentAt, index: links.size, url });
      links.set(url, `${base}/c/${token}`);
    }
  }
  const honeypot = `${base}/c/${await trackLink(keys, siteOrigins, { leadId, messageId: touch.key, sentAt, index: links.size, url: `${base}/`, honeypot: true })}`;
  const pixel = `${base}/o/${await openToken(keys, { l: leadId, m: touch.key, s: sentAt })}`;
  const unsubscribeUrl = `${base}/u/${await unsubscribeToken(keys, leadId)}`;
  const unsubscribeMailto = `mailto:${await routingAddress(keys, "unsubscribe", leadId, sender.replyDomain)}?subject=unsubscribe`;
  const tracked = (text: string) =>
    text.replace(URL_PATTERN, (raw) => {
      const url = trimUrl(raw);
      return `${links.get(url) ?? url}${raw.slice(url.length)}`;
    });

  const footerText = `--\n${sender.name}, ${sender.company}\n${sender.postalAddress}\nTo stop these emails: ${unsubscribeUrl}`;
  const text = `${tracked(touch.text)}\n\n${footerText}\n`;

  const bodyHtml = touch.text
    .split(/\n{2,}/)
    .map((paragraph) => {
      const withLinks = escapeMarkup(paragraph).replace(/\bhttps?:\/\/[^\s<>"']+/g, (escaped) => {
        const raw = escaped.replace(/&amp;/g, "&");
        const url = trimUrl(raw);
        const href = links.get(url);
        if (!href) return escaped;
        return `<a href="${escapeMarkup(href)}">${escapeMarkup(url)}</a>${escapeMarkup(raw.slice(url.length))}`;
      });
      return `<p>${withLinks.replace(/\n/g, "<br>")}</p>`;
    })
    .join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;font-size:15px;line-height:1.5;color:#222">
${bodyHtml}
<p style="margin-top:2em;font-size:12px;color:#666">${escapeMarkup(sender.name)}, ${escapeMarkup(sender.company)}<br>${escapeMarkup(sender.postalAddress)}<br><a href="${escapeMarkup(unsubscribeUrl)}">Unsubscribe</a></p>
<a href="${escapeMarkup(honeypot)}" style="display:none" aria-hidden="true" tabindex="-1">&#8203;</a><img src="${escapeMarkup(pixel)}" width="1" height="1" alt="" style="border:0;width:1px;height:1px">
</body></html>`;

  const inReplyTo = touch.references.at(-1);
  return {
    from: { name: headerSafe(sender.name, 100), email: sender.email },
    to: headerSafe(touch.to, 320),
    replyTo: await routingAddress(keys, "reply", leadId, sender.replyDomain),
    subject: headerSafe(touch.subject ?? "", 200),
    text,
    html,
    messageId: `<${touch.key}.${leadId}@${senderDomain}>`,
    headers: {
      ...(inReplyTo ? { "In-Reply-To": headerSafe(inReplyTo), References: headerSafe(touch.references.join(" ")) } : {}),
      "List-Unsubscribe": `<${unsubscribeUrl}>, <${unsubscribeMailto}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "X-Follow-Up-Touch": touch.key,
    },
  };
}

/** SMS carries the words and the opt-out line carriers expect. */
export function composeSms(text: string): string {
  return /\bSTOP\b/.test(text) ? text : `${text} Reply STOP to opt out.`;
}
