import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { inboundMessages } from "../../schemas/d1";
import type { LeadId } from "../../schemas/lead";
import { clockFrom } from "../../services/clock";
import { replyJudgeFor } from "../../services/ai/reply-judgement";
import { effectiveSettings } from "../../services/deployment-settings";
import { leadObject } from "../lead-stub";
import { tokenKeys } from "../../services/crypto/signed-token";
import { suppress } from "../../services/d1/suppressions";
import { isLead, proveReport, resolveLead, sentToLead, type Resolution } from "./lead-resolution";
import { answeredIds, answeredTouch } from "../../engine/inbound/answered-touch";
import { reportReferences } from "../../engine/inbound/report-references";
import { senderAuthentication, type SenderAuthentication } from "../../engine/inbound/sender-authentication";
import { MAX_INBOUND_BYTES, readInbound, type InboundReading } from "../../services/read-inbound";

/**
 * Email Routing's `email()` entry: every message to the reply domain lands here. It is
 * read (kind, visible text, intent), matched to a lead, and acted on through the lead's
 * object; whatever happens, it is recorded in D1, and what a person should see — human
 * replies, challenges, and anything that matches no lead — is forwarded to the owner.
 */
export async function receiveEmail(message: ForwardableEmailMessage, env: Env): Promise<void> {
  try {
    await handle(message, env);
  } catch (error) {
    // Whatever went wrong, the message is not lost: the owner gets it and the failure is logged.
    console.error(JSON.stringify({ event: "inbound_failed", error: String(error).slice(0, 300) }));
    const forwarded = await forwardToOwner(message, env, "the follow-up engine could not process this message");
    await keep(env, {
      id: `${Date.now()}-${crypto.randomUUID()}`,
      receivedAt: clockFrom(env).now(),
      from: message.from.slice(0, 320),
      to: message.to.slice(0, 320),
      subject: (message.headers.get("subject") ?? "").slice(0, 500),
      kind: "failed",
      leadId: null,
      disposition: forwarded,
      detail: { error: String(error).slice(0, 300) },
    });
  }
}

async function handle(message: ForwardableEmailMessage, env: Env): Promise<void> {
  const now = clockFrom(env).now();
  const record = (entry: {
    kind: string;
    leadId?: LeadId | null;
    disposition: string;
    detail: Record<string, unknown>;
    subject?: string;
    from?: string | null;
    id?: string | null;
  }) =>
    keep(env, {
      id: entry.id ?? `${now}-${crypto.randomUUID()}`,
      receivedAt: now,
      from: (entry.from ?? message.from)?.slice(0, 320) ?? null,
      to: message.to.slice(0, 320),
      subject: (entry.subject ?? message.headers.get("subject") ?? "").slice(0, 500),
      kind: entry.kind,
      leadId: entry.leadId ?? null,
      disposition: entry.disposition,
      detail: entry.detail,
    });

  if (message.rawSize > MAX_INBOUND_BYTES) {
    message.setReject(`Message too large: ${message.rawSize} bytes; replies are accepted up to ${MAX_INBOUND_BYTES} bytes.`);
    await record({ kind: "rejected", disposition: "rejected: too large", detail: { rawSize: message.rawSize } });
    return;
  }

  let reading: InboundReading;
  try {
    reading = await readInbound(await new Response(message.raw).arrayBuffer(), now, replyJudgeFor(env, (await effectiveSettings(env)).values));
  } catch (error) {
    // Unreadable MIME is still somebody's message: the owner gets it as it came.
    const forwarded = await forwardToOwner(message, env);
    await record({ kind: "unreadable", disposition: forwarded, detail: { error: String(error).slice(0, 300) } });
    return;
  }

  const { message: mail, kind } = reading;
  const id = mail.messageId ? `${mail.from ?? message.from}|${mail.messageId}`.slice(0, 600) : null;
  // Email Routing may deliver a message again after a failure: one that was handled is not acted on twice.
  if (id && (await drizzle(env.DB).select({ id: inboundMessages.id }).from(inboundMessages).where(eq(inboundMessages.id, id)).get())) return;
  const base = { id, from: mail.from, subject: mail.subject };

  if (kind.kind === "bounce" || kind.kind === "complaint") {
    const address = kind.kind === "bounce" ? kind.bounce.recipient : kind.recipient;
    const detail = kind.kind === "bounce" ? { bounce: kind.bounce } : { complaint: { recipient: kind.recipient, feedbackType: kind.feedbackType } };
    if (!address) {
      await record({ ...base, kind: kind.kind, leadId: null, disposition: await forwardToOwner(message, env, "no recipient found in the report"), detail });
      return;
    }
    // A report anyone could have written changes nothing: it must tie to a message we sent to that address.
    const proof = await proveReport(env, tokenKeys(env), reportReferences(mail), [message.to, ...mail.to], address);
    if (!proof) {
      await record({
        ...base,
        kind: kind.kind,
        leadId: null,
        disposition: "unverified",
        detail: { ...detail, unverified: "nothing in the report ties it to a message we sent to this address" },
      });
      return;
    }
    const { leadId, evidence } = proof;
    let known = false;
    if (kind.kind === "bounce") {
      const { type, status, diagnostic } = kind.bounce;
      known = await leadObject(env, leadId).recordBounce({ bounceType: type, address, ...(status ? { status } : {}), diagnostic, evidence });
    } else {
      known = (await leadObject(env, leadId).unsubscribe("email", "complaint", `complaint (${kind.feedbackType}) that ${evidence}`)) !== null;
    }
    // An address whose lead was erased still must not be mailed again (a signed address in the report still proves it was ours).
    const suppressNow = !known && (kind.kind === "complaint" || kind.bounce.type === "hard");
    if (suppressNow)
      await suppress(
        env.DB,
        [
          {
            channel: "email",
            value: address,
            reason: kind.kind === "complaint" ? `complaint (${kind.feedbackType})` : `hard bounce${kind.bounce.status ? ` ${kind.bounce.status}` : ""}`,
            evidence,
          },
        ],
        now,
      );
    await record({
      ...base,
      kind: kind.kind,
      leadId: known ? leadId : null,
      disposition: known ? "applied" : suppressNow ? "suppressed: no lead" : "unmatched",
      detail: { ...detail, evidence },
    });
    return;
  }

  if (kind.kind === "delivery_notice") {
    // Still being tried, or delivered: no failure, so nothing about the lead or the address changes.
    await record({ ...base, kind: "delivery_notice", leadId: null, disposition: `ignored: ${kind.notice}`, detail: { notice: kind.notice } });
    return;
  }

  const resolution = await resolveLead(env, tokenKeys(env), [message.to, ...mail.to], mail.threadIds, mail.from);
  // The signed routing address proves itself; a thread or sender match only names a lead, so
  // the receiving side must vouch for the From before anything acts on it.
  const proof = resolution && proofOf(resolution, senderAuthentication(mail));
  const resolvedBy = resolution ? { resolvedBy: resolution.by } : {};

  if (kind.kind === "auto_reply") {
    if (resolution && !proof?.verified) {
      await record({ ...base, kind: "auto_reply", leadId: null, disposition: "unverified", detail: { returnDate: kind.returnDate, ...resolvedBy, unverified: proof!.reason } });
      return;
    }
    const applied = resolution ? await leadObject(env, resolution.leadId).recordAutoReply(kind.returnDate ?? undefined) : false;
    await record({
      ...base,
      kind: "auto_reply",
      leadId: applied ? resolution!.leadId : null,
      disposition: applied ? "applied" : "unmatched",
      detail: { returnDate: kind.returnDate, ...resolvedBy, ...(proof?.verified ? { evidence: proof.evidence } : {}) },
    });
    return;
  }

  if (kind.kind === "challenge") {
    // A sender-verification request needs a person's click; nothing automatic should answer it.
    await record({ ...base, kind: "challenge", leadId: proof?.verified ? resolution!.leadId : null, disposition: await forwardToOwner(message, env), detail: {} });
    return;
  }

  const { visibleText = "", judgement } = reading;
  const text = (visibleText || mail.text).slice(0, 2000);
  const detail = {
    visibleText: visibleText.slice(0, 4000),
    intent: judgement?.intent,
    confidence: judgement?.confidence,
    judgedBy: judgement?.judgedBy,
    ...(judgement?.competitor ? { competitor: judgement.competitor } : {}),
    ...resolvedBy,
  };
  if (resolution && !proof?.verified) {
    // Unproven: the owner reads it and decides; it does not unsubscribe, pause, score or hand off.
    if (!(await isLead(env.DB, resolution.leadId))) {
      await record({ ...base, kind: "human", leadId: null, disposition: `unmatched; ${await forwardToOwner(message, env)}`, detail });
      return;
    }
    const forwarded = await forwardToOwner(message, env, `needs review: the sender is not verified (${proof!.reason})`);
    await record({
      ...base,
      kind: "human",
      leadId: null,
      disposition: `needs_review; ${forwarded}`,
      detail: { ...detail, candidateLeadId: resolution.leadId, unverified: proof!.reason },
    });
    return;
  }
  const evidence = proof?.verified ? proof.evidence : undefined;
  let applied = false;
  if (resolution?.purpose === "unsubscribe") {
    applied = (await leadObject(env, resolution.leadId).unsubscribe("email", "reply", evidence)) !== null;
  } else if (resolution) {
    const messageKey = answeredTouch(mail, resolution.leadId, await sentToLead(env.DB, resolution.leadId, answeredIds(mail)));
    applied = await leadObject(env, resolution.leadId).recordReply({
      ...(messageKey ? { messageKey } : {}),
      ...(text ? { text } : {}),
      channel: "email",
      ...(judgement ? { judgement } : {}),
      ...(evidence ? { evidence } : {}),
    });
  }
  // A person wrote: the owner gets the original, whether or not it matched a lead.
  const forwarded = resolution?.purpose === "unsubscribe" && applied ? "applied" : await forwardToOwner(message, env);
  await record({
    ...base,
    kind: resolution?.purpose === "unsubscribe" ? "unsubscribe_request" : "human",
    leadId: applied ? resolution!.leadId : null,
    disposition: applied ? `applied; ${forwarded}` : `unmatched; ${forwarded}`,
    detail: { ...detail, ...(evidence ? { evidence } : {}) },
  });
}

/**
 * What lets a resolved message act. The signed routing address is proof by itself. A thread
 * match is not: our Message-IDs are predictable from the lead id that our links carry, and
 * they travel in quoted and forwarded mail, so like a bare `From:` match it needs the
 * receiving side's authentication of the sender.
 */
function proofOf(resolution: Resolution, sender: SenderAuthentication): { verified: true; evidence: string } | { verified: false; reason: string } {
  if (resolution.by === "routing_address") return { verified: true, evidence: `signed ${resolution.purpose} address` };
  if (!sender.verified) return sender;
  return { verified: true, evidence: resolution.by === "thread" ? `answers our Message-ID ${resolution.messageId}; ${sender.evidence}` : sender.evidence };
}

async function forwardToOwner(message: ForwardableEmailMessage, env: Env, note?: string): Promise<string> {
  const { ownerEmail } = (await effectiveSettings(env)).values;
  if (!ownerEmail) return "kept: the alerts email is not set";
  try {
    const headers = new Headers();
    if (note) headers.set("X-Follow-Up-Note", note.replace(/[\r\n]+/g, " ").slice(0, 200));
    await message.forward(ownerEmail, headers);
    return "forwarded";
  } catch (error) {
    console.error(JSON.stringify({ event: "inbound_forward_failed", error: String(error).slice(0, 300) }));
    return "kept: forwarding failed";
  }
}

/** D1 keeps every inbound message's outcome; if D1 is down the message was still acted on, so this only logs. */
async function keep(env: Env, row: typeof inboundMessages.$inferInsert): Promise<void> {
  try {
    await drizzle(env.DB).insert(inboundMessages).values(row).onConflictDoNothing();
  } catch (error) {
    console.error(JSON.stringify({ event: "inbound_record_failed", kind: row.kind, disposition: row.disposition, error: String(error).slice(0, 300) }));
  }
}
