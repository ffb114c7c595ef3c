import { convert } from "html-to-text";
import PostalMime, { type Address, type Email } from "postal-mime";

/**
 * An inbound message as the rest of the inbound code reads it: addresses normalised,
 * headers by lower-case name, the body as text (HTML converted), and the machine-readable
 * parts of reports (delivery status, feedback report, returned headers) as text.
 */
export interface InboundMessage {
  from: string | null;
  fromName: string;
  to: string[];
  subject: string;
  messageId: string | null;
  /** In-Reply-To and References together, in order, without angle brackets. */
  threadIds: string[];
  /** The message this one answers (In-Reply-To), without angle brackets. */
  inReplyTo: string | null;
  headers: ReadonlyMap<string, string>;
  contentType: string;
  /** The body a person reads: the text part, else the HTML part converted with its quoted history cut. */
  text: string;
  /** True when `text` came from HTML. */
  fromHtml: boolean;
  /** `message/delivery-status`, `message/feedback-report`, `text/rfc822-headers` and returned messages, as text. */
  reportParts: { mimeType: string; text: string }[];
}

/** Headers beyond this size make postal-mime stop reading them: the message is hostile or broken. */
const MAX_HEADERS_BYTES = 256 * 1024;
/** Report parts and bodies are read this far; what matters in them comes first. */
const MAX_PART_CHARS = 64 * 1024;

const REPORT_TYPES = /^(message\/(delivery-status|global-delivery-status|feedback-report|rfc822|global)|text\/rfc822-headers)$/i;

/**
 * Where HTML clients put the quoted history: Gmail, Outlook (desktop and web, the bordered
 * <div> over its header block, Outlook for Mac's OLK_SRC_BODY_SECTION), Hotmail's
 * `<hr id="stopSpelling">`, Yahoo, Apple Mail, Thunderbird, Windows Mail's top-bordered <div>, Zimbra's divider <hr>. The reply is what comes before.
 * A plain <hr> becomes a rule in the text, cut there when a header block follows.
 */
const HTML_HISTORY =
  /<(blockquote|div[^>]{0,200}(gmail_quote|divRplyFwdMsg|appendonsend|yahoo_quoted|moz-cite-prefix|OutlookMessageHeader|mail-editor-reference-message-container|border-top:\s{0,3}solid|border-top-style:\s{0,3}solid)|span[^>]{0,200}OLK_SRC_BODY_SECTION|hr[^>]{0,200}(stopSpelling|__DIVIDER__))/i;

const mailbox = (address: Address | undefined): { address: string | null; name: string } =>
  address && !address.group ? { address: address.address.trim().toLowerCase() || null, name: address.name } : { address: null, name: "" };

const ids = (value: string | undefined): string[] => (value ?? "").match(/<[^<>\s]{1,250}>/g)?.map((id) => id.slice(1, -1)) ?? [];

const partText = (content: ArrayBuffer | Uint8Array | string): string => (typeof content === "string" ? content : new TextDecoder().decode(content)).slice(0, MAX_PART_CHARS);

function htmlToText(html: string): string {
  const cut = HTML_HISTORY.exec(html);
  return convert((cut ? html.slice(0, cut.index) : html).slice(0, 4 * MAX_PART_CHARS), {
    wordwrap: false,
    selectors: [
      { selector: "a", options: { ignoreHref: true } },
      { selector: "img", format: "skip" },
    ],
  });
}

/**
 * Some relays hand over a message with blank lines before its first header, which a parser
 * reads as an empty header block and the whole message as body. Drop them when a header follows.
 */
function withoutLeadingBlankLines(raw: ArrayBuffer | Uint8Array | string): ArrayBuffer | Uint8Array | string {
  if (typeof raw === "string") return /^(\r?\n)+[!-9;-~]{1,76}:/.test(raw.slice(0, 200)) ? raw.replace(/^(\r?\n)+/, "") : raw;
  const bytes = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
  let start = 0;
  while (start < bytes.length && start < 100 && (bytes[start] === 0x0a || bytes[start] === 0x0d)) start++;
  if (start === 0 || start === 100) return raw;
  const head = new TextDecoder("latin1").decode(bytes.subarray(start, start + 80));
  return /^[!-9;-~]{1,76}:/.test(head) ? bytes.subarray(start) : raw;
}

/** Parses a raw RFC 822 message; throws on input postal-mime cannot read at all. */
export async function readMessage(raw: ArrayBuffer | Uint8Array | string): Promise<InboundMessage> {
  const email: Email = await PostalMime.parse(withoutLeadingBlankLines(raw), {
    attachmentEncoding: "arraybuffer",
    maxHeadersSize: MAX_HEADERS_BYTES,
    forceRfc822Attachments: true,
  });
  const headers = new Map<string, string>();
  for (const { key, value } of email.headers) if (!headers.has(key)) headers.set(key, value);
  const from = mailbox(email.from);
  const fromHtml = !email.text?.trim() && Boolean(email.html);
  return {
    from: from.address,
    fromName: from.name,
    to: (email.to ?? [])
      .flatMap((a) => (a.group ? a.group : [a]))
      .map((a) => a.address.trim().toLowerCase())
      .filter(Boolean),
    subject: email.subject ?? "",
    messageId: ids(email.messageId)[0] ?? null,
    threadIds: [...ids(email.inReplyTo), ...ids(email.references)],
    inReplyTo: ids(email.inReplyTo)[0] ?? null,
    headers,
    contentType: headers.get("content-type") ?? "text/plain",
    text: (fromHtml ? htmlToText(email.html!) : (email.text ?? "")).slice(0, MAX_PART_CHARS),
    fromHtml,
    reportParts: email.attachments.filter((a) => REPORT_TYPES.test(a.mimeType)).map((a) => ({ mimeType: a.mimeType.toLowerCase(), text: partText(a.content) })),
  };
}
