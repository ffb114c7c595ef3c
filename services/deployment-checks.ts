import { emailTransportName } from "./channels/select";
import { clockFrom } from "./clock";
import { deliveryEvidence } from "./d1/stats";
import { destinationsFrom } from "./hand-off-delivery";
import { effectiveSettings, senderFrom, settingsFromVars, type EffectiveSettings } from "./deployment-settings";

/**
 * The doctor: a deployment's configuration (its secrets and bindings, and its effective
 * settings: saved in the dashboard, else the vars) checked against what sending needs, in plain
 * words. `npm run doctor`, `GET /api/doctor` and the dashboard's Settings page show the same
 * list. The MX records of the reply domain are the one thing read from outside (DNS), and
 * only where the caller could look them up.
 */

export interface Check {
  id: string;
  /** `unknown`: could not be checked from here (DNS unreachable). */
  status: "ok" | "missing" | "unknown";
  what: string;
  /** What to do about it, when it is not ok. */
  fix?: string;
}

const SECRETS = ["OWNER_TOKEN", "LEAD_ID_SECRET", "TOKEN_SECRET"] as const;
const domainOf = (email: string) => email.slice(email.lastIndexOf("@") + 1).toLowerCase();
const https = (url: string | undefined) => /^https:\/\//.test(url?.trim() ?? "");
const set = (value: unknown) => typeof value === "string" && value.trim() !== "";

function check(id: string, ok: boolean, what: string, fix: string): Check {
  return ok ? { id, status: "ok", what } : { id, status: "missing", what, fix };
}

/** Where replies come back: the reply domain, else the sender's own domain. */
function replyDomainOf(settings: EffectiveSettings["values"]): string | undefined {
  return settings.replyDomain || (set(settings.senderEmail) ? domainOf(settings.senderEmail) : undefined);
}

/**
 * `mx`: the reply domain's MX hosts, or null when DNS could not be asked. `effective`: the
 * settings, by default the vars alone. `reports`: emails sent through the provider a day or
 * more ago and how many it reported on (null: unread).
 */
export function deploymentChecks(
  env: Env,
  mx: string[] | null,
  effective: EffectiveSettings = settingsFromVars(env),
  reports: { sent: number; reported: number } | null = null,
): Check[] {
  const settings = effective.values;
  const sender = senderFrom(settings);
  const senderDomain = set(settings.senderEmail) ? domainOf(settings.senderEmail) : undefined;
  const replyDomain = replyDomainOf(settings);
  const transport = emailTransportName(env);
  const checks: Check[] = [
    check(
      "secrets",
      SECRETS.every((name) => set(env[name])),
      "The secrets every route needs (OWNER_TOKEN, LEAD_ID_SECRET, TOKEN_SECRET)",
      `Set ${SECRETS.filter((n) => !set(env[n])).join(", ")} with \`npx wrangler secret put <NAME> --env production\`.`,
    ),
    check(
      "public-url",
      https(settings.publicUrl),
      `The public address links point at (${settings.publicUrl || "not set"})`,
      "Set the public URL under Settings to this Worker's https:// address (a custom domain is best): List-Unsubscribe must be https.",
    ),
    check(
      "sender",
      "sender" in sender,
      "The sender's identity (name, company, address, postal address)",
      "missing" in sender ? `Set the ${sender.missing.join(", ")} under Settings: email waits until they are all set.` : "",
    ),
    check(
      "email-transport",
      transport !== "outbox",
      `Email goes through ${transport}`,
      "EMAIL_TRANSPORT is outbox: messages are kept in D1, not sent. Set it to email-service (with the EMAIL binding) or resend.",
    ),
  ];
  if (transport === "email-service")
    checks.push(
      check(
        "email-binding",
        "EMAIL" in env && env.EMAIL !== undefined,
        "The send_email binding EMAIL",
        "Declare the send_email binding EMAIL and onboard the sending domain under Email Service.",
      ),
    );
  if (transport === "resend") {
    checks.push(
      check("resend-key", set(env.RESEND_API_KEY), "The Resend API key", "Set the secret RESEND_API_KEY."),
      check(
        "resend-webhook",
        set(env.RESEND_WEBHOOK_SECRET),
        `Resend's delivery webhook (${(settings.publicUrl || "").replace(/\/$/, "")}/hooks/email/resend)`,
        `Add a webhook in Resend for the email.* events pointing at ${(settings.publicUrl || "<public URL>").replace(/\/$/, "")}/hooks/email/resend and set its signing secret as RESEND_WEBHOOK_SECRET: without it bounces and complaints never come back and a bad address is mailed again at every step.`,
      ),
    );
  }
  if (transport === "email-service" || transport === "resend") checks.push(deliveryEventsCheck(transport, reports));
  checks.push(
    check(
      "reply-subdomain",
      replyDomain !== undefined && replyDomain !== senderDomain,
      `Replies come back to ${replyDomain ?? "no domain"}`,
      "Set the reply domain under Settings to a subdomain (reply.example.com): Email Routing takes over a domain's MX records, so on the sender's own domain it would take your mailboxes' mail.",
    ),
  );
  if (replyDomain) {
    const routed = mx?.some((host) => /\.mx\.cloudflare\.net\.?$/i.test(host));
    checks.push(
      mx === null
        ? {
            id: "reply-mx",
            status: "unknown",
            what: `The MX records of ${replyDomain}`,
            fix: "DNS could not be asked from here: check that they point at Cloudflare Email Routing (route1/2/3.mx.cloudflare.net).",
          }
        : check(
            "reply-mx",
            routed === true,
            `The MX records of ${replyDomain} point at Cloudflare Email Routing`,
            `Enable Email Routing on ${replyDomain} with a catch-all rule to this Worker (found: ${mx.join(", ") || "no MX records"}).`,
          ),
    );
  }
  checks.push(
    check(
      "owner-email",
      set(settings.ownerEmail),
      "Where reply alerts and unmatched mail go (the alerts email)",
      "Set the alerts email under Settings and verify it as an Email Routing destination.",
    ),
  );
  if (set(settings.handOffWebhookUrl)) {
    checks.push(
      check(
        "hand-off-webhook",
        https(settings.handOffWebhookUrl) && set(env.HANDOFF_WEBHOOK_SECRET),
        "The hand-off webhook (https, signed)",
        "The hand-off webhook URL must be https and the secret HANDOFF_WEBHOOK_SECRET set, or nothing is delivered there.",
      ),
    );
  }
  if (set(env.SLACK_WEBHOOK_URL)) checks.push(check("slack-webhook", https(env.SLACK_WEBHOOK_URL), "The Slack webhook", "SLACK_WEBHOOK_URL must be an https:// address."));
  checks.push(
    check(
      "hand-off-destination",
      destinationsFrom(env, settings).length > 0,
      "Where hot leads and rep tasks go",
      "Set a hand-off email or webhook URL (+ the secret HANDOFF_WEBHOOK_SECRET) under Settings, or the secret SLACK_WEBHOOK_URL: otherwise only the dashboard's queue shows hand-offs.",
    ),
  );
  if (env.SMS_TRANSPORT === "twilio") {
    checks.push(
      check(
        "twilio",
        set(env.TWILIO_ACCOUNT_SID) && set(env.TWILIO_AUTH_TOKEN) && set(env.SMS_FROM),
        "The SMS provider (Twilio)",
        "Set TWILIO_ACCOUNT_SID, SMS_FROM and the secret TWILIO_AUTH_TOKEN.",
      ),
    );
  }
  if (env.WHATSAPP_TRANSPORT === "twilio") {
    checks.push(
      check(
        "twilio-whatsapp",
        set(env.TWILIO_ACCOUNT_SID) && set(env.TWILIO_AUTH_TOKEN) && set(env.TWILIO_WHATSAPP_FROM),
        "WhatsApp through Twilio",
        `Set TWILIO_ACCOUNT_SID, TWILIO_WHATSAPP_FROM (the approved WhatsApp sender) and the secret TWILIO_AUTH_TOKEN, and point the sender's incoming-message webhook at ${(settings.publicUrl || "<public URL>").replace(/\/$/, "")}/hooks/whatsapp/twilio.`,
      ),
    );
  }
  checks.push(
    check(
      "real-time",
      (env.CLOCK_SPEED?.trim() || "1") === "1",
      `Waits run in real time (CLOCK_SPEED ${env.CLOCK_SPEED || "1"})`,
      "Set CLOCK_SPEED to 1: a faster clock plays a whole sequence in minutes.",
    ),
    check("demo-pages", env.DEMO_PAGES !== "on", "The demo pages are off", "Set DEMO_PAGES to off: the demo form and outbox pages are for local use."),
    check("settings", effective.refused.length === 0, "Every setting is readable", effective.refused.join("; ")),
  );
  return checks;
}

/**
 * An event subscription or a webhook cannot be seen from here, only what it brings: when
 * emails went out a day ago or more and no delivery event came back for any, the path is
 * broken and every bounce is missed.
 */
function deliveryEventsCheck(transport: "email-service" | "resend", reports: { sent: number; reported: number } | null): Check {
  const path =
    transport === "resend"
      ? "the Resend webhook (to /hooks/email/resend, secret RESEND_WEBHOOK_SECRET)"
      : "the queue edge-follow-up-email-events subscribed to the sending domain's Email Sending events";
  const what = "Delivery events come back (bounces, complaints, deliveries)";
  if (!reports) return { id: "delivery-events", status: "unknown", what, fix: `The sent emails could not be read: check ${path}.` };
  if (reports.sent === 0)
    return { id: "delivery-events", status: "unknown", what, fix: `No email went out a day ago or more yet; once one has, this checks that ${path} reports it.` };
  if (reports.reported > 0)
    return { id: "delivery-events", status: "ok", what: `${what}: ${reports.reported} of ${reports.sent} emails sent a day ago or more were reported delivered` };
  return {
    id: "delivery-events",
    status: "missing",
    what,
    fix: `None of the ${reports.sent} emails sent a day ago or more has a delivery event: set up ${path} (README "Production set-up"). Until then bounces and complaints are missed and a bad address is mailed at every step.`,
  };
}

/**
 * Every check, with the reply domain's MX records looked up where DNS answers and the sent
 * emails' delivery reports read from D1; `effective` defaults to the settings in effect (D1
 * over vars).
 */
export async function checkDeployment(
  env: Env,
  fetcher: typeof fetch = fetch,
  given?: EffectiveSettings,
  mx: (domain: string) => Promise<string[] | null> = (domain) => lookUpMx(domain, fetcher),
): Promise<Check[]> {
  const effective = given ?? (await effectiveSettings(env));
  const domain = replyDomainOf(effective.values);
  const reports = await deliveryEvidence(env.DB, clockFrom(env).now()).catch(() => null);
  return deploymentChecks(env, domain ? await mx(domain) : null, effective, reports);
}

const MX_MEMORY_MS = 5 * 60_000;
const MX_MEMORY_DOMAINS = 20;
const mxSeen = new Map<string, { at: number; hosts: string[] | null }>();

/**
 * `lookUpMx`, remembered for five minutes in this isolate: the overview's checklist asks on
 * every load, and a slow resolver would hold each load for up to its 3 s timeout. MX records
 * change slowly; the doctor itself (`/api/doctor`, Settings) always asks afresh.
 */
export async function lookUpMxRemembered(domain: string, fetcher: typeof fetch = fetch, wallNow = Date.now()): Promise<string[] | null> {
  const seen = mxSeen.get(domain);
  if (seen && wallNow - seen.at < MX_MEMORY_MS) return seen.hosts;
  const hosts = await lookUpMx(domain, fetcher);
  mxSeen.delete(domain);
  mxSeen.set(domain, { at: wallNow, hosts });
  // A Map keeps insertion order: the first key is the longest remembered.
  if (mxSeen.size > MX_MEMORY_DOMAINS) mxSeen.delete(mxSeen.keys().next().value!);
  return hosts;
}

/** The reply domain's MX hosts by DNS over HTTPS (Cloudflare's resolver), or null when it cannot be asked. */
export async function lookUpMx(domain: string, fetcher: typeof fetch = fetch): Promise<string[] | null> {
  // Names reserved for examples and local use (RFC 2606, RFC 6761) have no MX to look up.
  if (/(^|\.)(example\.(com|net|org)|example|test|localhost|invalid|local)$/i.test(domain)) return null;
  try {
    const response = await fetcher(`https://cloudflare-dns.com/dns-query?name=${encodeURIComponent(domain)}&type=MX`, {
      headers: { accept: "application/dns-json" },
      signal: AbortSignal.timeout(3000),
    });
    if (!response.ok) return null;
    const answer = ((await response.json()) as { Answer?: { type: number; data: string }[] }).Answer ?? [];
    return answer.filter((a) => a.type === 15).map((a) => a.data.split(/\s+/).at(-1)!.toLowerCase());
  } catch {
    return null;
  }
}
