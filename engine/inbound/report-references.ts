import type { InboundMessage } from "./message";

/**
 * What a delivery or feedback report says about the message it is reporting on: the
 * Message-IDs, our `X-Follow-Up-Touch` header and the signed routing addresses (Reply-To,
 * the List-Unsubscribe mailto) found in the returned headers or original message — or, for
 * the reports that quote the original in their text, in the text — and the report's own
 * In-Reply-To/References. None of it is trusted here: the caller checks each against what
 * we actually sent.
 */
export interface ReportReferences {
  messageIds: string[];
  touchKeys: string[];
  routingAddresses: string[];
}

const SCAN_CHARS = 32_000;
const MAX_EACH = 20;

export function reportReferences(message: InboundMessage): ReportReferences {
  const returned = message.reportParts.filter((p) => /rfc822/.test(p.mimeType)).map((p) => p.text.slice(0, SCAN_CHARS));
  const texts = [...returned, message.text.slice(0, SCAN_CHARS)];
  const all = (pattern: RegExp) => [...new Set(texts.flatMap((text) => [...text.matchAll(pattern)].map((m) => m[1]!)))].slice(0, MAX_EACH);
  return {
    messageIds: [...new Set([...all(/^message-id:\s*<([^<>\s]{1,250})>/gim), ...message.threadIds])].slice(0, MAX_EACH),
    touchKeys: all(/^x-follow-up-touch:\s*([A-Za-z0-9_.:-]{1,120})\s*$/gim),
    routingAddresses: all(/((?:reply|unsubscribe)\+[0-9a-f]{32}-[0-9a-f]{20}@[a-z0-9.-]{1,253})/gi),
  };
}
