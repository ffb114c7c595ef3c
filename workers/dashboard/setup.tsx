import type { FormConfig } from "../../schemas/form";
import type { SequenceVersion } from "../../schemas/sequence";
import { pacingSettingsFrom, senderFrom } from "../../services/deployment-settings";
import { destinationsFrom } from "../../services/hand-off-delivery";
import { Csrf, FieldTable } from "./layout";

/** Install (the snippet, a ready form per form, the DNS checklist) and Settings (what this deployment runs with). */

/** A plain HTML form posting to the engine, with the form's consent boxes and honeypot. */
export function formHtml(form: FormConfig, base: string): string {
  const consent = (channel: "email" | "sms") => {
    const field = form.consent[channel];
    return field ? `\n  <label><input type="checkbox" name="consent_${channel}" value="yes"${field.required ? " required" : ""}> ${field.wording}</label>` : "";
  };
  return `<form method="post" action="${base}/f/${form.id}">
  <label>Name <input name="name" autocomplete="name" required></label>
  <label>Email <input name="email" type="email" autocomplete="email"></label>
  <label>Phone <input name="phone" type="tel" autocomplete="tel"></label>
  <label>Company <input name="company" autocomplete="organization"></label>
  <label>Message <textarea name="message"></textarea></label>${consent("email")}${consent("sms")}
  <label style="position:absolute;left:-10000px" aria-hidden="true">Leave empty <input name="${form.honeypotField}" tabindex="-1" autocomplete="off"></label>
  <button type="submit">Send</button>
</form>`;
}

export function Install(props: { base: string; forms: FormConfig[]; replyDomain: string }) {
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
        <li>Onboard your sending domain to Cloudflare Email Service (Dashboard → Email → Email Sending): add the SPF include, the DKIM records and a DMARC policy it shows, and wait until the domain is verified.</li>
        <li>
          Turn on Email Routing for <code>{props.replyDomain}</code> (MX and SPF records are added for you), then add a catch-all rule that sends to this Worker: replies and out-of-office answers reach <code>email()</code>.
        </li>
        <li>
          Subscribe the queue <code>edge-follow-up-email-events</code> to your sending domain's Email Sending events (README "Production set-up"): Email Service keeps the
          Return-Path for itself, so bounces, complaints and deliveries come back only as these events, to this Worker's <code>queue()</code>. Without it a bad address is mailed at
          every step.
        </li>
        <li>Verify OWNER_EMAIL as a destination address: unmatched mail and reply alerts are forwarded there.</li>
        <li>Set SENDER_NAME, SENDER_COMPANY, SENDER_EMAIL (on the onboarded domain) and SENDER_POSTAL_ADDRESS: email waits until all are set.</li>
        <li>Send yourself a test through the demo form and check the message's headers: SPF, DKIM and DMARC should all pass.</li>
      </ol>
    </>
  );
}

export function Settings(props: { env: Env; sequences: SequenceVersion[]; csrf: string }) {
  const { env } = props;
  const sender = senderFrom(env);
  const { rules: pacing, refused } = pacingSettingsFrom(env);
  const destinations = destinationsFrom(env);
  const rows: [string, string][] = [
    ["Sender", "sender" in sender ? `${sender.sender.name}, ${sender.sender.company} <${sender.sender.email}>` : `incomplete — set ${sender.missing.join(", ")}`],
    ["Postal address", env.SENDER_POSTAL_ADDRESS || "not set"],
    ["Reply domain", env.REPLY_DOMAIN || "the sender's domain"],
    ["Email transport", env.EMAIL_TRANSPORT || "outbox"],
    ["SMS transport", env.SMS_TRANSPORT || "outbox"],
    [
      "Daily cap per sending address",
      pacing.warmupDays > 0
        ? `${pacing.dailyCap} after a ${pacing.warmupDays}-day warm-up (from ${pacing.warmupFirstDay}/day, ×${pacing.warmupGrowth} a day, at most ${pacing.warmupDailyLimit}/day while warming up)`
        : `${pacing.dailyCap} from the first day (no warm-up: WARMUP_DAYS is 0)`,
    ],
    ...refused.map((reason): [string, string] => ["Refused setting", reason]),
    ["Minimum spacing between sends", `${env.MIN_SEND_SPACING_SECONDS || "20"} s`],
    ["AI", "AI" in env && env.AI ? `Workers AI, ${env.AI_MODEL}` : "no Workers AI binding: the deterministic drafter and heuristics run"],
    ["Hand-off destinations", destinations.length ? destinations.join(", ") : "none configured (the dashboard's hand-off queue only)"],
    ["Hand-off pauses automation", env.HANDOFF_PAUSES_AUTOMATION === "off" ? "no" : "yes"],
    ["Booking link", env.BOOKING_URL || "not set"],
  ];
  return (
    <>
      <p class="muted">These are the deployment's settings (vars and secrets in wrangler.toml and Cloudflare): change them there and deploy again. Sending windows and AI drafting are per sequence.</p>
      <FieldTable rows={rows} />
      <h2>Per sequence</h2>
      <table>
        <thead>
          <tr>
            <th>Sequence</th>
            <th>Sending window (lead's time)</th>
            <th>AI drafting</th>
          </tr>
        </thead>
        <tbody>
          {props.sequences.map(({ id, sequence }) => (
            <tr>
              <td>
                <a href={`/dashboard/sequences/${id}`}>{id}</a>
              </td>
              <td>{`${sequence.window.days.map((d) => "MTWTFSS"[d - 1]).join("")} ${sequence.window.start}–${sequence.window.end}`}</td>
              <td>{`${sequence.drafting.mode}${sequence.drafting.mode === "review" ? `, unreviewed → ${sequence.drafting.unreviewed}` : ""}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Sessions</h2>
      <p class="muted">Lost a device, or logged in somewhere you should not have? This ends every dashboard session, on every device, this one included.</p>
      <form method="post" action="/dashboard/logout-everywhere">
        <Csrf token={props.csrf} />
        <button type="submit">Log out everywhere</button>
      </form>
    </>
  );
}
