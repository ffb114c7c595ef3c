import type { FormConfig } from "../../schemas/form";
import type { MessageChannel } from "../../schemas/lead";

/** Install: the snippet, a ready form per form, the DNS checklist. */

/** A plain HTML form posting to the engine, with the form's consent boxes and honeypot. */
export function formHtml(form: FormConfig, base: string): string {
  const consent = (channel: MessageChannel) => {
    const field = form.consent[channel];
    return field ? `\n  <label><input type="checkbox" name="consent_${channel}" value="yes"${field.required ? " required" : ""}> ${field.wording}</label>` : "";
  };
  return `<form method="post" action="${base}/f/${form.id}">
  <label>Name <input name="name" autocomplete="name" required></label>
  <label>Email <input name="email" type="email" autocomplete="email"></label>
  <label>Phone <input name="phone" type="tel" autocomplete="tel"></label>
  <label>Company <input name="company" autocomplete="organization"></label>
  <label>Message <textarea name="message"></textarea></label>${consent("email")}${consent("sms")}${consent("whatsapp")}
  <label style="position:absolute;left:-10000px" aria-hidden="true">Leave empty <input name="${form.honeypotField}" tabindex="-1" autocomplete="off"></label>
  <button type="submit">Send</button>
</form>`;
}

export function Install(props: { base: string; forms: FormConfig[]; replyDomain: string; transport: string }) {
  const { base } = props;
  return (
    <>
      <h2>1. The site snippet</h2>
      <p>
        On every page of your site, before &lt;/body&gt; (register the site under <a href="/dashboard/sites">Sites</a> so its beacons and form posts are accepted):
      </p>
      <pre>{`<script src="${base}/s.js" async></script>`}</pre>
      <h2>2. Your forms</h2>
      {props.forms.length === 0 && (
        <p class="muted">
          No form yet: <a href="/dashboard/forms/new">make one</a>.
        </p>
      )}
      {props.forms.map((form) => (
        <details>
          <summary>{`${form.name} (${form.id}) → ${form.sequenceId ?? "no sequence"} · lawful basis: ${form.lawfulBasis.replace("_", " ")}`}</summary>
          <pre>{formHtml(form, base)}</pre>
        </details>
      ))}
      <h2>3. Email: DNS and routing checklist</h2>
      <ol>
        {props.transport === "resend" ? (
          <>
            <li>Verify your sending domain in Resend (Domains): add the SPF and DKIM records it shows and a DMARC record, and wait until it is verified.</li>
            <li>
              In Resend (Webhooks), add a webhook to <code>{`${base}/hooks/email/resend`}</code> for the <code>email.*</code> events and set its signing secret as the secret
              RESEND_WEBHOOK_SECRET: Resend keeps the Return-Path for itself, so bounces, complaints and deliveries come back only through this webhook. Without it a bad address is
              mailed at every step.
            </li>
          </>
        ) : (
          <>
            <li>
              Onboard your sending domain to Cloudflare Email Service (Dashboard → Email → Email Sending): add the SPF include, the DKIM records and a DMARC policy it shows, and
              wait until the domain is verified. Email Service is meant for transactional mail; for sequences, a commercial sender (Resend) is the better fit.
            </li>
            <li>
              Subscribe the queue <code>edge-follow-up-email-events</code> to your sending domain's Email Sending events (README "Production set-up"): Email Service keeps the
              Return-Path for itself, so bounces, complaints and deliveries come back only as these events, to this Worker's <code>queue()</code>. Without it a bad address is
              mailed at every step.
            </li>
          </>
        )}
        <li>
          Turn on Email Routing for <code>{props.replyDomain}</code>, a subdomain used for nothing else (Email Routing takes over its MX records), then add a catch-all rule that
          sends to this Worker: replies, out-of-office answers and the bounces that reach the reply address arrive at <code>email()</code>.
        </li>
        <li>Verify the alerts email (Settings) as a destination address: unmatched mail and reply alerts are forwarded there.</li>
        <li>
          Under <a href="/dashboard/settings">Settings</a>, set the sender name, company, sending address (on the onboarded domain) and postal address: email waits until all are
          set.
        </li>
        <li>Send yourself a test through the demo form and check the message's headers: SPF, DKIM and DMARC should all pass.</li>
      </ol>
    </>
  );
}
