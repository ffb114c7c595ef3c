import { readMessage, type InboundMessage } from "../engine/inbound/message";
import { messageKind, type MessageKind } from "../engine/inbound/message-kind";
import type { ReplyJudge } from "./ai/reply-judgement";
import type { ReplyJudgement } from "../schemas/lead";
import { visibleReply } from "../engine/inbound/visible-text";
import { senderAuthentication } from "../engine/inbound/sender-authentication";

/** Inbound mail larger than this is refused at the door: replies are small, attachments are not ours to keep. */
export const MAX_INBOUND_BYTES = 2 * 1024 * 1024;

/** Everything the inbound path concludes about one raw message, before anything is done with it. */
export interface InboundReading {
  message: InboundMessage;
  kind: MessageKind;
  /** The text the person wrote (human replies only). */
  visibleText?: string;
  judgement?: ReplyJudgement;
}

export async function readInbound(raw: ArrayBuffer | Uint8Array, receivedAt: number, judge: ReplyJudge): Promise<InboundReading> {
  const message = await readMessage(raw);
  const kind = messageKind(message, receivedAt);
  if (kind.kind !== "human") return { message, kind };
  const visibleText = visibleReply(message.text);
  return { message, kind, visibleText, judgement: await judge(`${message.subject.replace(/^\s*((re|aw|sv|antw|r|ref)\s*:\s*)+/i, "")}\n${visibleText}`) };
}

/** The reading as the inspection API shows it: what it was and why, nothing private beyond the message itself. */
export function describeReading(reading: InboundReading) {
  const { message, kind } = reading;
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    messageId: message.messageId,
    threadIds: message.threadIds,
    kind: kind.kind,
    /** Whether the receiving side vouches for the From: what a From or thread match needs before it acts. */
    senderAuthentication: senderAuthentication(message),
    ...(kind.kind === "bounce" ? { bounce: kind.bounce } : {}),
    ...(kind.kind === "complaint" ? { complaint: { recipient: kind.recipient, feedbackType: kind.feedbackType } } : {}),
    ...(kind.kind === "auto_reply" ? { autoReply: { returnDate: kind.returnDate } } : {}),
    ...(kind.kind === "delivery_notice" ? { notice: kind.notice } : {}),
    ...(reading.visibleText !== undefined ? { visibleText: reading.visibleText, htmlConverted: message.fromHtml } : {}),
    ...(reading.judgement
      ? {
          intent: reading.judgement.intent,
          confidence: reading.judgement.confidence,
          judgedBy: reading.judgement.judgedBy,
          ...(reading.judgement.competitor ? { competitor: reading.judgement.competitor } : {}),
        }
      : {}),
  };
}
