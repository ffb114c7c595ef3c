import type { InboundMessage } from "./message";

/**
 * Which of our touches a reply answers, so that it is credited to the step the lead
 * answered and not to whatever went out last. The message it replies to (In-Reply-To)
 * names it; clients that drop that header still list the thread (References), newest
 * last. Our own Message-ID (`<touch.lead@sender-domain>`, see services/email-composer.ts)
 * names its touch; a platform that set its own id is looked up among those recorded when
 * the touch went out.
 */

/** A Message-ID we sent and the touch it carried, as recorded at delivery (with or without angle brackets). */
export interface SentMessage {
  messageId: string;
  key: string;
}

const OUR_MESSAGE_ID = /^([^.@\s]+)\.([^.@\s]+)@/;

/** The Message-IDs a reply answers, the likeliest first: the one it replies to, then its References from the newest. */
export const answeredIds = (message: Pick<InboundMessage, "inReplyTo" | "threadIds">): string[] => [
  ...new Set([...(message.inReplyTo ? [message.inReplyTo] : []), ...message.threadIds.toReversed()]),
];

/** The key of the touch the reply answers, or undefined when it names none of the lead's messages. */
export function answeredTouch(message: Pick<InboundMessage, "inReplyTo" | "threadIds">, leadId: string, sent: SentMessage[]): string | undefined {
  const recorded = new Map(sent.map((s) => [s.messageId.replace(/^<|>$/g, ""), s.key]));
  for (const id of answeredIds(message)) {
    const ours = OUR_MESSAGE_ID.exec(id);
    if (ours && ours[2] === leadId) return ours[1];
    const key = recorded.get(id);
    if (key) return key;
  }
  return undefined;
}
