import { drizzle } from "drizzle-orm/d1";
import { handOffs } from "../schemas/d1";
import type { HandOffPackage } from "../engine/hand-off/hand-off-package";
import { packageText } from "../engine/hand-off/hand-off-package";
import { escapeSlack } from "../engine/markup";
import { PROVIDER_TIMEOUT_MS, resultOfError, resultOfResponse, type EmailTransport, type SendResult } from "./channels/transport";
import type { Settings } from "../schemas/settings";
import { senderFrom } from "./deployment-settings";
import { hmacSha256, toHex } from "./crypto/hmac";
import { ownerLeadApiUrl, ownerLeadUrl, ownerNotice } from "./owner-notice";

/**
 * Delivers a hand-off package to the owner's destinations: a generic webhook signed with
 * HMAC-SHA256 over `<timestamp>.<body>` (headers `X-Follow-Up-Timestamp` and
 * `X-Follow-Up-Signature: v1=<hex>`), a Slack-compatible incoming webhook, and email.
 */

export type DestinationKind = "webhook" | "slack" | "email";

/** The webhook needs its URL (a setting) and its signing secret (a Worker secret); Slack's URL is itself a secret. */
export function destinationsFrom(env: Env, settings: Settings): DestinationKind[] {
  const kinds: DestinationKind[] = [];
  if (settings.handOffWebhookUrl && env.HANDOFF_WEBHOOK_SECRET) kinds.push("webhook");
  if (env.SLACK_WEBHOOK_URL) kinds.push("slack");
  if (settings.handOffEmail) kinds.push("email");
  return kinds;
}

/** What a receiver recomputes to trust the webhook: HMAC-SHA256(secret, `${timestamp}.${body}`). */
export async function webhookSignature(secret: string, timestamp: number, body: string): Promise<string> {
  return `v1=${toHex(await hmacSha256(secret, `${timestamp}.${body}`))}`;
}

async function post(url: string, body: string, headers: Record<string, string>, provider: string): Promise<SendResult> {
  try {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS) });
    return await resultOfResponse(response, provider, () => ({ messageId: "accepted" }));
  } catch (error) {
    return resultOfError(error, provider);
  }
}

export async function deliverHandOff(
  env: Env,
  settings: Settings,
  email: EmailTransport,
  kind: DestinationKind,
  pkg: HandOffPackage,
  key: string,
  wallNowMs: number,
): Promise<SendResult> {
  const leadUrl = ownerLeadUrl(settings.publicUrl, pkg.leadId);
  switch (kind) {
    case "webhook": {
      if (!env.HANDOFF_WEBHOOK_SECRET) return { ok: false, permanent: false, reason: "HANDOFF_WEBHOOK_SECRET is not set" };
      // A person follows `url`; a CRM integration reads the lead through `api` with the owner token.
      const body = JSON.stringify({ type: pkg.task ? "lead.task" : "lead.handed_off", id: key, ...pkg, url: leadUrl, api: ownerLeadApiUrl(settings.publicUrl, pkg.leadId) });
      const timestamp = Math.floor(wallNowMs / 1000);
      return post(
        settings.handOffWebhookUrl,
        body,
        { "x-follow-up-timestamp": String(timestamp), "x-follow-up-signature": await webhookSignature(env.HANDOFF_WEBHOOK_SECRET, timestamp, body) },
        "hand-off webhook",
      );
    }
    case "slack":
      if (!env.SLACK_WEBHOOK_URL) return { ok: false, permanent: false, reason: "SLACK_WEBHOOK_URL is not set" };
      return post(env.SLACK_WEBHOOK_URL, JSON.stringify({ text: escapeSlack(packageText(pkg, leadUrl)) }), {}, "slack");
    case "email": {
      const identity = senderFrom(settings);
      if ("missing" in identity) return { ok: false, permanent: false, reason: `sender identity incomplete: set ${identity.missing.join(", ")} under Settings` };
      const who = pkg.profile.name ?? pkg.profile.email ?? pkg.leadId;
      const notice = { to: settings.handOffEmail, subject: `${pkg.task ? "Task" : "Hot lead"}: ${who}`, text: packageText(pkg, leadUrl) };
      return email.sendEmail(ownerNotice(identity.sender, notice, key), key, pkg.leadId);
    }
  }
}

/**
 * Keeps the lead's latest hand-off for the dashboard's queue. Best effort: the rep's
 * destinations are what matter, and the lead's timeline keeps every hand-off anyway.
 */
export async function recordHandOff(db: D1Database, pkg: HandOffPackage): Promise<void> {
  const row = { leadId: pkg.leadId, at: pkg.handedOffAt, triggers: pkg.triggers, summary: pkg.summary, nextAction: pkg.nextAction };
  try {
    await drizzle(db).insert(handOffs).values(row).onConflictDoUpdate({ target: handOffs.leadId, set: row });
  } catch (error) {
    console.error(JSON.stringify({ leadId: pkg.leadId, event: "hand_off_record_failed", error: String(error).slice(0, 200) }));
  }
}
