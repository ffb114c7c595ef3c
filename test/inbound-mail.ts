import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import { leadIdFor } from "../services/crypto/lead-identity";
import worker from "../workers/index";
import { unique } from "./helpers";
import { outboxFor, settle, stubFor, submission, summaryOf, withClock } from "./lead-harness";

/**
 * Inbound mail for the Worker's `email()` entry (inbound.test.ts, inbound-proof.test.ts):
 * raw messages built as Email Routing hands them over, a lead to answer, and the rows they
 * leave behind.
 */

const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };

export type Delivered = ForwardableEmailMessage & { forwardedTo: string[]; rejected?: string };

export function inbound(raw: string | Uint8Array, envelope: { from: string; to: string }): Delivered {
  const bytes = typeof raw === "string" ? new TextEncoder().encode(raw.replace(/\r?\n/g, "\r\n")) : raw;
  const headerEnd = new TextDecoder().decode(bytes.slice(0, 64 * 1024)).split(/\r?\n\r?\n/)[0] ?? "";
  const headers = new Headers();
  for (const line of headerEnd.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const match = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (match)
      try {
        headers.append(match[1]!, match[2]!);
      } catch {
        /* a header Headers refuses is still in the raw message */
      }
  }
  const message: Delivered = {
    ...envelope,
    headers,
    raw: new Response(bytes).body!,
    rawSize: bytes.byteLength,
    forwardedTo: [],
    setReject(reason: string) {
      message.rejected = reason;
    },
    async forward(rcptTo: string) {
      message.forwardedTo.push(rcptTo);
      return { messageId: `fwd-${message.forwardedTo.length}` };
    },
    async reply() {
      return { messageId: "reply" };
    },
  };
  return message;
}

export async function deliver(message: Delivered): Promise<Delivered> {
  await worker.email(message, env);
  return message;
}

export function mail(fields: { from: string; to: string; subject: string; body: string; headers?: Record<string, string>; contentType?: string }): string {
  const extra = Object.entries(fields.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\n`)
    .join("");
  return `From: ${fields.from}\nTo: ${fields.to}\nSubject: ${fields.subject}\nMessage-ID: <${crypto.randomUUID()}@mail.example.net>\nDate: Mon, 2 Nov 2026 16:00:00 +0000\nMIME-Version: 1.0\n${extra}Content-Type: ${fields.contentType ?? "text/plain; charset=utf-8"}\n\n${fields.body}\n`;
}

/** A lead enrolled in the new-inquiry preset whose acknowledgement went out; its object keyed as production keys it. */
export async function leadWithFirstTouch(prefix = "in") {
  const email = `${unique(prefix)}@example.org`;
  const leadId = await leadIdFor(env.LEAD_ID_SECRET, { email });
  const stub = stubFor(leadId);
  await withClock(stub);
  await stub.submitForm(submission(email), NEW_INQUIRY);
  await settle(stub);
  const sent = (await outboxFor(leadId)).filter((m) => m.channel === "email");
  expect(sent.length).toBeGreaterThan(0);
  const first = sent[0]!;
  return { email, leadId, stub, replyTo: first.headers["Reply-To"]!, messageId: first.messageId };
}

export const suppressed = async (channel: string, value: string) =>
  (await env.DB.prepare("SELECT reason FROM suppressions WHERE channel = ? AND value = ?").bind(channel, value).first<{ reason: string }>())?.reason ?? null;

/** What Email Routing stamps on top of a message whose sender passed DMARC (its real form: see engine/inbound/sender-authentication.ts). */
export const dmarcPass = (address: string) => {
  const domain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
  return {
    "Authentication-Results": `mx.cloudflare.net; dkim=pass header.d=${domain} header.s=s1; dmarc=pass header.from=${domain} policy.dmarc=none; spf=pass smtp.mailfrom=${address.toLowerCase()}`,
  };
};

export const evidenceOf = async (channel: string, value: string) =>
  (await env.DB.prepare("SELECT evidence FROM suppressions WHERE channel = ? AND value = ?").bind(channel, value).first<{ evidence: string | null }>())?.evidence ?? null;

export const replyEntry = async (stub: ReturnType<typeof stubFor>) =>
  (await summaryOf(stub)).timeline.find((e) => e.kind === "reply_received") as { text?: string; intent?: string; confidence?: number } | undefined;
