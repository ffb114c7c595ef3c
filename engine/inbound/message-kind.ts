import { HOST_UNKNOWN_PHRASES, MAILBOX_EXISTS_PHRASES, saysAny, USER_UNKNOWN_PHRASES } from "./bounce-phrases";
import type { InboundMessage } from "./message";

/**
 * What kind of message came in: a delivery failure, an automatic reply, a
 * challenge-response request, a complaint (feedback report), or a person writing.
 * Structured reports (RFC 3464 delivery status, RFC 5965 feedback reports, RFC 3834
 * auto-reply headers) are read first; the common non-standard forms after them.
 */

export type Bounce = {
  /** hard: the address is permanently bad; soft: try again later (full mailbox, policy, timeout). */
  type: "hard" | "soft";
  status: string | null;
  recipient: string | null;
  diagnostic: string;
};

export type MessageKind =
  | { kind: "bounce"; bounce: Bounce }
  /** A report that is not a failure: delivery still being tried (delayed), or done (delivered). Nothing to act on. */
  | { kind: "delivery_notice"; notice: "delayed" | "delivered" }
  | { kind: "complaint"; recipient: string | null; feedbackType: string }
  | { kind: "auto_reply"; returnDate: string | null }
  | { kind: "challenge" }
  | { kind: "human" };

const BOUNCE_SENDER = /^(mailer-daemon|postmaster|post_master|mail-daemon|mailerdaemon|bounce|bounces|double-bounce)([+@]|$)/i;
const BOUNCE_SENDER_NAME = /(mail delivery (subsystem|system|service)|mailer-daemon|postmaster|mail administrator|delivery status notification)/i;
const BOUNCE_SUBJECT =
  /(undeliver(ed|able)|undelivered mail|mail failure|error sending|bounce (notification|message|report)|delivery notification: (delivery has failed|failed)|delivery (status notification|failure|failed|has failed|problem|report)|mail delivery failed|returned mail|failure notice|non[- ]?deliver|could not be delivered|not delivered|returned to sender|delivery unsuccessful|mail system error|unzustellbar|nicht zustellbar|non remis|non distribuable|no se puede entregar|no entregado|impossibile recapitare|onbestelbaar|olevererbart|kan ikke leveres|niedostarczalna|не доставлено|エラー|配信不能)/i;
const BOUNCE_BODY =
  /(could not be delivered|couldn'?t be delivered|delivery (to the following recipients? )?(has )?failed|permanent (fatal )?error|following address(es)? failed|message (was )?not delivered|undeliverable|delivery has failed|unable to deliver|wasn'?t delivered|returned mail|did not reach the following|delivery status notification|I'?m sorry to have to inform you|trouble delivering your message|rejected recipient|incorrectly constructed|was not delivered to|could not deliver|failed to deliver|delivery failure)/i;
/** A daemon's report quoting the remote server's refusal: "550 5.1.1 …", "550 User unknown". */
const SMTP_REFUSAL = /\b[45]\d\d[ -]#?[45]\.\d{1,3}\.\d{1,3}\b|\b5[05][0-9] [A-Za-z<]/;

/** Still trying: "Delivery Status Notification (Delay)", "Warning: could not send message for past 4 hours". */
const DELAY_SUBJECT =
  /(\(delay(ed)?\)|delivery (status notification: )?delayed|delivery has been delayed|delayed mail|mail delivery delayed|message delayed|warning: (could not send|message .{0,100} delayed)|delay(ed)? (notification|warning|notice)|zustellung verzögert|remise différée)/i;
const DELAY_BODY =
  /(this is a warning message only|you do not need to re-?send|only a temporary failure report|will (be )?retr(y|ied)|will keep trying|still (being )?(retried|trying)|has been delayed|not yet been delivered)/i;

const AUTO_SUBJECT =
  /^\s*(re:\s*)?[[(]?\s*(out of (the )?office|auto(matic)?[- ]?(reply|response|antwort|svar|respuesta|risposta)|autoreply|automatic reply|away from (the )?office|on (vacation|holiday|leave)|away until|vacation (reply|notice)|abwesen(d|heit)|automatische antwort|außer haus|nicht im büro|réponse automatique|absence|absent|respuesta automática|fuera de la oficina|ausente|risposta automatica|fuori (sede|ufficio)|assente|automatisch antwoord|afwezig|niet aanwezig|autosvar|frånvar|fraværende|poza biurem|nieobecn|автоответ|автоматический ответ|не в офисе|resposta automática|fora do escritório|automaattinen vastaus|automatická odpověď|automatyczna odpowiedź|otomatik (yanıt|cevap)|automatikus válasz|αυτόματη απάντηση|răspuns automat|automatisk svar|automatiskt svar|不在|自動応答|自動返信|自动回复|自动答复|自動回覆|자동 회신|자동 응답)/i;
const AUTO_BODY =
  /(i am (currently )?(out of (the )?office|away|on (vacation|holiday|leave|annual leave|parental leave|maternity leave))|i'?m (currently )?(out of (the )?office|away|on (vacation|holiday|leave))|i will be (out|away|back)|with limited access to (e-?mail|my e-?mail)|ich bin (bis|vom|derzeit|zurzeit)|je suis (absent|actuellement absent)|estoy (fuera|de vacaciones|ausente)|sono (fuori|assente|in ferie)|ik ben (afwezig|met vakantie)|estou (fora|de férias|ausente)|estarei (fora|ausente)|jag är (ledig|tjänstledig|på semester|borta)|jeg er (på ferie|fraværende|ikke på kontoret)|jestem (na urlopie|poza biurem|nieobecn)|olen (lomalla|poissa)|jsem (mimo kancelář|na dovolené)|я (в отпуске|нахожусь в отпуске)|i('?m| am) (currently )?(away from|out of) (my desk|the office)|will (respond|reply|get back to you) (to your (e-?mail|message) )?(when|as soon as|upon my return))/i;
const CHALLENGE =
  /(verify (that )?you are (a )?human|sender not pre-?approved|add yourself to my (\w+ )?guest list|your server requires confirmation|please (confirm|verify) (your (e-?mail|message|address)|that you)|sender verification (request|required|needed)|challenge[- ]response|i am protected by|spam ?arrest|boxbe|mailbox verification|click (the link|here) to (be added|verify|confirm) (to|your)|approved senders? list|please (add me to your|whitelist|white-list|allow-?list)|add (me|this address|my address) to your (white ?list|safe senders|address book|contacts)|whitelist(ing)? request|(to be|get) (whitelisted|white-listed)|(held|on hold|pending) (until|pending) (you|the sender) (verify|confirm))/i;

/**
 * Hard or soft as established bounce classifiers (sisimai) map their reasons: the address or its
 * domain does not exist, has moved, or takes no mail (userunknown, hostunknown, hasmoved,
 * notaccept) is hard; a full or disabled mailbox, a policy, content, reputation or network
 * refusal is soft, and so is anything about our side (sender, IP) or refused after the
 * recipient was accepted (at DATA). Status codes where the address itself is bad (RFC 3463):
 * bad mailbox, bad domain, moved, unroutable, null MX, and Exchange's 5.1.3xx "unknown recipient" codes.
 */
const HARD_STATUS = /^5\.1\.(0|1|2|3|6|10|3\d\d)$|^5\.4\.4$/;
/** The mailbox exists (full, disabled), or the refusal is about security or policy: soft whatever the words say. */
const SOFT_STATUS = /^5\.(2|6|7)\./;
/** The mailbox does not exist. */
const USER_UNKNOWN =
  /(user unknown|unknown (or illegal )?user|illegal user|invalid user|mailbox unavailable|doesn'?t have an? [^\n]{0,40}account|no such (user|mailbox|recipient|address|account)|does ?n[o']t exist|not exist|mailbox (not found|does not exist|unavailable: user)|recipient (not found|unknown|address rejected: user unknown)|invalid (recipient|mailbox|address)|unknown (recipient|mailbox|address)|address (not found|unknown)|unrouteable address|no mailbox here|account (does not exist|not found|has been (deleted|removed))|has moved|is no longer (valid|available|with)|user not found|no longer (active|in use)|not listed in (the )?(domino directory|public name & address book|address book|directory)|recipient name is not recognized|recipient address rejected: access denied|recipient address rejected\.(\s|$)|check if (the )?address is correct)/i;
/** The domain does not exist or takes no mail. */
const HOST_UNKNOWN =
  /(no such domain|invalid domain|unknown domain|unknown host|domain must exist|name or service not known|mail domain mentioned in email address is unknown|host or domain name not found|domain (not found|does not exist|is not reachable)|name service error|host unknown|no mx (record|host)|couldn'?t find a mail exchanger|no smtp service|does not accept (e-?mail|mail)|not accepting (network )?messages|null mx|^[^@\s]{0,10}[45]\d\d [a-z0-9.-]{1,253}\.[a-z]{2,24} does not exist)/i;
const saysUserUnknown = (text: string) => USER_UNKNOWN.test(text) || saysAny(text, USER_UNKNOWN_PHRASES);
const saysHostUnknown = (text: string) => HOST_UNKNOWN.test(text) || saysAny(text, HOST_UNKNOWN_PHRASES);
const isHardText = (text: string) => saysUserUnknown(text) || saysHostUnknown(text);
/** Even with a permanent status these are about the message, a policy or our side, not the address. */
const SOFT_TEXT =
  /(mailbox (is )?full|over ?quota|quota exceeded|insufficient (storage|space)|message (is )?too (large|big)|size limit|exceeds? .{0,30}size|spam|virus|blocked|banned|blacklist|block ?list|policy|reputation|rate limit|too many|temporar|try again|greylist|dmarc|spf|dkim|authentication|ptr|reverse dns|relay|disabled|suspended|account (is )?(locked|frozen))/i;
/** Refusals about the sender or its host, not the recipient: "Sender address rejected", "Domain of sender address … does not exist". */
const SENDER_SIDE =
  /(sender (address )?(rejected|denied|unknown|verify failed)|invalid sender|domain of sender|sender domain|sending ip|your (ip|host|server)|client host|does not exist e2110)/i;
/** The network or DNS failed on the way, which says nothing about the address (sisimai's NetworkError, checked before HostUnknown). */
const NETWORK_ERROR =
  /(host not found, try again|host name lookup failure|malformed (or unexpected )?name server reply|no route to host|host is unreachable|mail forwarding loop|too many hops|hop count exceeded|routing loop|message looping|unable to resolve route|dns records for the destination computer could not be found)/i;
/** The recipient's own filter refused the message: the address exists (sisimai's Filtered, soft even under a 5.1.1). */
const RECIPIENT_FILTER =
  /(refused due to recipient preferences|message filtered|message rejected due to user rules|user refuses to receive this mail|user reject|is not accepting any mail|you have been blocked by the recipient|this account is protected by|only accepting mail from specific email addresses|due to extended inactivity new mail is not currently being accepted|restricted sms e-mail)/i;
/** What only the recipient's own mail system says, having looked the address up in its directory. */
const DIRECTORY_MISS =
  /(not listed in (the )?(domino directory|public name & address book)|recipient name is not recognized|address couldn'?t be found|recipient not found by smtp address lookup)/i;
/** Refused after the server had accepted the recipient, so the address exists. */
const AFTER_DATA = /(in reply to end of data|after end of data|in reply to data command|after data command|x-failed-command: data|smtp; ?data)/i;

const header = (message: InboundMessage, name: string) => message.headers.get(name)?.trim() ?? "";

/** The fields of every block of an RFC 3464 (or 5965) report: name → value, one map per recipient. */
function reportFields(text: string): Map<string, string>[] {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\n[ \t]+/g, " ")
    .split(/\n\s*\n/)
    .map(
      (block) =>
        new Map(
          block.split("\n").flatMap((line) => {
            const match = /^([A-Za-z-]{2,40})\s*:\s*(.*)$/.exec(line.slice(0, 2000));
            return match ? [[match[1]!.toLowerCase(), match[2]!.trim()] as [string, string]] : [];
          }),
        ),
    )
    .filter((fields) => fields.size > 0);
}

const addressIn = (value: string | undefined): string | null => {
  const match = /([^\s<>;:"'()[\]]{1,64}@[a-z0-9.-]{1,253}\.[a-z]{2,24})/i.exec(value ?? "");
  return match ? match[1]!.toLowerCase() : null;
};

/** Hard only when the status or the words say the address is bad; when in doubt, soft (retried, suppressed after repeats). */
function bounceType(status: string | null, diagnostic: string, body: string): "hard" | "soft" {
  // A relay's wrapper code comes first ("5.1.0 - Unknown address error 550-'5.2.2 … Mailbox Full'"): the last code is the remote one.
  const codes = diagnostic.slice(0, 1000).match(/\b[245]\.\d{1,3}\.\d{1,3}\b/g);
  const code = codes?.[codes.length - 1] ?? status;
  if (code?.startsWith("4")) return "soft";
  if (SENDER_SIDE.test(diagnostic)) return "soft";
  if (NETWORK_ERROR.test(diagnostic)) return "soft";
  // A domain that does not exist stays so whenever it was said.
  if (saysHostUnknown(diagnostic)) return "hard";
  if (RECIPIENT_FILTER.test(diagnostic)) return "soft";
  if (AFTER_DATA.test(diagnostic) || AFTER_DATA.test(body)) return "soft";
  const command = smtpCommand(`${diagnostic}\n${body}`);
  if (saysAny(diagnostic, MAILBOX_EXISTS_PHRASES)) return "soft";
  // Refused at RCPT for an unknown user: the address is bad whatever the status code's subject says (sisimai's UserUnknown).
  if (command === "RCPT" && saysUserUnknown(diagnostic)) return "hard";
  if (code && SOFT_STATUS.test(code)) return "soft";
  if (SOFT_TEXT.test(diagnostic) && !isHardText(diagnostic)) return "soft";
  if (code && HARD_STATUS.test(code)) return "hard";
  // A mailbox server's own directory said so (Domino, Exchange, Gmail): the address is bad.
  if (DIRECTORY_MISS.test(diagnostic)) return "hard";
  // "User unknown" with neither a bad-mailbox status nor a refusal at RCPT: a filter's answer, not the mailbox's
  // (sisimai's Filtered, checked after its UserUnknown); soft, and suppressed after repeats like any soft bounce.
  if (saysUserUnknown(diagnostic)) return "soft";
  return isHardText(body) ? "hard" : "soft";
}

/** The SMTP command a report says the refusal answered, the latest in a session's order (sisimai's smtp/command: upper case, not part of a word or an address, "[RCPT_TO]" counts). */
function smtpCommand(text: string): "DATA" | "RCPT" | "MAIL" | "HELO" | null {
  const said = text.slice(0, 20_000);
  const found = (command: string) => new RegExp(`(?<![A-Za-z0-9@])${command}(?![A-Za-z0-9@])`).test(said);
  if (found("DATA")) return "DATA";
  if (found("RCPT")) return "RCPT";
  if (/(?<![A-Za-z0-9@])MAIL F/.test(said)) return "MAIL";
  return found("EHLO") || found("HELO") ? "HELO" : null;
}

/** A delivery failure from its RFC 3464 report, or from the text of a non-standard one. */
function readBounce(message: InboundMessage): Bounce {
  const status = message.reportParts.find((p) => /delivery-status/.test(p.mimeType));
  if (status) {
    const recipients = reportFields(status.text).filter((f) => f.has("final-recipient") || f.has("original-recipient"));
    const failed =
      recipients.find((f) => /^failed/i.test(f.get("action") ?? "")) ?? recipients.find((f) => !/^(delivered|relayed|expanded)/i.test(f.get("action") ?? "")) ?? recipients[0];
    if (failed) {
      const code = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(failed.get("status") ?? "")?.[1] ?? null;
      const diagnostic = (failed.get("diagnostic-code") ?? "").replace(/^[a-z-]+;\s*/i, "") || message.text.slice(0, 2000);
      const recipient = addressIn(failed.get("original-recipient")) ?? addressIn(failed.get("final-recipient"));
      return { type: bounceType(code, diagnostic, message.text.slice(0, 4000)), status: code, recipient, diagnostic: diagnostic.slice(0, 500) };
    }
  }
  const body = message.text.slice(0, 16_000);
  const code = /\b([45]\.\d{1,3}\.\d{1,3})\b/.exec(body)?.[1] ?? null;
  const smtp = /\b([45]\d\d)[ -]/.exec(body)?.[1];
  const lines = body.split("\n").map((l) => l.slice(0, 1000));
  // The line naming the refusal: one with an SMTP code, else one whose words say why (Domino, Exchange 2003, iMail …).
  let at = lines.findIndex((l) => /\b[45]\d\d\b|\b[45]\.\d{1,3}\.\d{1,3}\b/.test(l));
  if (at < 0) at = lines.findIndex((l) => isHardText(l) || SOFT_TEXT.test(l));
  const line = at < 0 ? "" : refusalWithContinuation(lines, at);
  return {
    type: bounceType(code ?? (smtp ? `${smtp[0]}.0.0` : null), line, body),
    status: code,
    recipient: failedRecipient(body, message),
    diagnostic: line.trim().slice(0, 500),
  };
}

/**
 * The refusal's line and the indented lines Exim and Postfix wrap it onto ("554 5.7.1 <jane@example.com>:",
 * "    Recipient address rejected: Access denied"), joined, at most three more.
 */
function refusalWithContinuation(lines: string[], at: number): string {
  const indent = (line: string) => /^\s*/.exec(line)![0].length;
  const parts = [lines[at]!.trim()];
  for (let i = at + 1; i < Math.min(lines.length, at + 4) && /\S/.test(lines[i]!) && indent(lines[i]!) > 0 && indent(lines[i]!) >= indent(lines[at]!); i++)
    parts.push(lines[i]!.trim());
  return parts.join(" ");
}

/** The failed address in a non-standard report: the first address the report names that is not ours or the reporter's. */
function failedRecipient(body: string, message: InboundMessage): string | null {
  const ours = new Set([message.from, ...message.to]);
  const header = /^(x-failed-recipients|x-original-to|original-recipient|final-recipient)$/i;
  for (const [name, value] of message.headers) if (header.test(name)) return addressIn(value);
  for (const match of body.matchAll(/[^\s<>;:"'()[\]]{1,64}@[a-z0-9.-]{1,253}\.[a-z]{2,24}/gi)) {
    const address = match[0].toLowerCase();
    if (!ours.has(address)) return address;
  }
  return null;
}

/** A delivery report that only holds the message for the sender to prove itself: no recipient failed for good, or the refusal itself asks for the proof. */
function challengeReport(message: InboundMessage): boolean {
  const status = message.reportParts.find((p) => /delivery-status/.test(p.mimeType));
  const recipients = reportFields(status?.text ?? "").filter((f) => f.has("status") || f.has("diagnostic-code"));
  if (recipients.length === 0) return false;
  return recipients.every((f) => /^4\./.test(f.get("status") ?? "") || CHALLENGE.test(f.get("diagnostic-code") ?? ""));
}

const hasDeliveryStatus = (message: InboundMessage) =>
  message.reportParts.some((p) => /delivery-status/.test(p.mimeType)) || /report-type\s*=\s*"?delivery-status/i.test(message.contentType);
const fromDaemon = (message: InboundMessage) => BOUNCE_SENDER.test(message.from ?? "") || BOUNCE_SENDER_NAME.test(message.fromName);

function isBounce(message: InboundMessage): boolean {
  if (hasDeliveryStatus(message) || message.headers.has("x-failed-recipients")) return true;
  const daemon = fromDaemon(message);
  const returnPathEmpty = /^<\s*>$/.test(header(message, "return-path"));
  const subject = BOUNCE_SUBJECT.test(message.subject);
  const text = message.text.slice(0, 8000);
  const body = BOUNCE_BODY.test(text);
  return (daemon && (subject || body || SMTP_REFUSAL.test(text) || isHardText(text.slice(0, 2000)))) || (returnPathEmpty && (subject || body)) || (subject && body);
}

/**
 * A delivery report that is not a failure: every recipient block of its RFC 3464 report says
 * `delayed` (or `delivered`, `deliverable`, `relayed`, `expanded`), or, without one, a daemon says it is still
 * trying. Counting these as bounces would suppress addresses that work.
 */
function deliveryNotice(message: InboundMessage): "delayed" | "delivered" | null {
  const status = message.reportParts.find((p) => /delivery-status/.test(p.mimeType));
  if (status) {
    const actions = reportFields(status.text).flatMap((f) => (f.has("action") ? [f.get("action")!.toLowerCase()] : []));
    if (actions.length === 0 || actions.some((a) => a.startsWith("failed"))) return null;
    if (actions.every((a) => a.startsWith("delayed"))) return "delayed";
    return actions.every((a) => /^(delivered|deliverable|relayed|expanded)/.test(a)) ? "delivered" : null;
  }
  if (message.headers.has("x-failed-recipients")) return null;
  const text = message.text.slice(0, 8000);
  return DELAY_SUBJECT.test(message.subject) || (fromDaemon(message) && DELAY_BODY.test(text) && !BOUNCE_BODY.test(text)) ? "delayed" : null;
}

function feedbackReport(message: InboundMessage): MessageKind | null {
  // Microsoft's junk-mail reports (JMRP) return the message with the complainant in a header, without an ARF part.
  const jmrp = message.reportParts.find((p) => /rfc822/.test(p.mimeType) && /^x-hmxmroriginalrecipient:/im.test(p.text));
  if (jmrp) return { kind: "complaint", recipient: addressIn(/^x-hmxmroriginalrecipient:\s*(.*)$/im.exec(jmrp.text)?.[1]), feedbackType: "abuse" };
  const report = message.reportParts.find((p) => p.mimeType === "message/feedback-report");
  if (!report && !/report-type\s*=\s*"?feedback-report/i.test(message.contentType)) return null;
  const fields = new Map(reportFields(report?.text ?? "").flatMap((f) => [...f]));
  const returned = message.reportParts.find((p) => /rfc822/.test(p.mimeType))?.text ?? "";
  const recipient = addressIn(fields.get("original-rcpt-to")) ?? addressIn(/^to:\s*(.*)$/im.exec(returned)?.[1]) ?? null;
  return { kind: "complaint", recipient, feedbackType: (fields.get("feedback-type") ?? "abuse").toLowerCase() };
}

function isAutoReply(message: InboundMessage): boolean {
  const autoSubmitted = header(message, "auto-submitted").toLowerCase();
  if (autoSubmitted && autoSubmitted !== "no") return true;
  // Headers autoresponders set besides RFC 3834's (Yahoo, FirstClass, Mimecast and others).
  if (["x-autoreply", "x-autorespond", "x-autoresponse", "x-autoreply-from", "x-mail-autoreply", "x-fc-machinegenerated"].some((name) => message.headers.has(name))) return true;
  // Mimecast marks forwards the same way, and a forward may carry a person's words.
  if (/^reply$/i.test(header(message, "x-autogenerated")) || /autoresponder/i.test(header(message, "x-post-messageclass"))) return true;
  // Autoresponders send from the null sender as RFC 3834 asks; a failure report would have been read as a bounce before this.
  // Precedence bulk or junk is no sign on its own: Request Tracker and list relays put it on a person's reply too.
  if (/^auto[_-]?reply$/i.test(header(message, "precedence"))) return true;
  if (/^<\s*>$/.test(header(message, "return-path"))) return true;
  if (/^(oof|autoreply)$/i.test(header(message, "x-auto-response-suppress")) && AUTO_SUBJECT.test(message.subject)) return true;
  return AUTO_SUBJECT.test(message.subject) || AUTO_BODY.test(message.text.slice(0, 4000));
}

export function messageKind(message: InboundMessage, receivedAt: number): MessageKind {
  const complaint = feedbackReport(message);
  if (complaint) return complaint;
  const notice = deliveryNotice(message);
  if (notice) return { kind: "delivery_notice", notice };
  // A challenge-response request comes from a filter, often with an empty Return-Path, and is no failure,
  // even when wrapped in a delivery report (Boxbe's "Sender not pre-approved", status 4.7.0).
  if (CHALLENGE.test(`${message.subject}\n${message.text.slice(0, 4000)}`) && (!hasDeliveryStatus(message) || challengeReport(message))) return { kind: "challenge" };
  if (isBounce(message)) return { kind: "bounce", bounce: readBounce(message) };
  if (isAutoReply(message)) return { kind: "auto_reply", returnDate: returnDate(`${message.subject}\n${message.text.slice(0, 4000)}`, receivedAt) };
  return { kind: "human" };
}

const MONTHS: Record<string, number> = {};
[
  ["jan", "january", "januar", "janvier", "enero", "gennaio", "januari", "janeiro"],
  ["feb", "february", "februar", "février", "fevrier", "febrero", "febbraio", "februari", "fevereiro"],
  ["mar", "march", "märz", "maerz", "mars", "marzo", "maart", "março"],
  ["apr", "april", "avril", "abril", "aprile"],
  ["may", "mai", "mayo", "maggio", "mei", "maio"],
  ["jun", "june", "juni", "juin", "junio", "giugno", "junho"],
  ["jul", "july", "juli", "juillet", "julio", "luglio", "julho"],
  ["aug", "august", "août", "aout", "agosto", "augustus"],
  ["sep", "sept", "september", "septembre", "septiembre", "settembre", "setembro"],
  ["oct", "october", "oktober", "octobre", "octubre", "ottobre", "outubro"],
  ["nov", "november", "novembre", "noviembre", "novembro"],
  ["dec", "december", "dezember", "décembre", "decembre", "diciembre", "dicembre", "dezembro"],
].forEach((names, month) => {
  for (const name of names) MONTHS[name] = month;
});

const RETURN_CUE =
  /(until|till|back (on|in the office on)?|return(ing)?( to the office)?( on)?|away through|bis (zum|einschließlich)?|ab dem|wieder (da|im büro) (am|ab)?|jusqu'(au|à)|de retour (le)?|hasta (el)?|regreso (el)?|vuelvo (el)?|fino al|rientro (il)?|tot en met|terug op|tot)\s*/gi;

/**
 * The date an out-of-office says its writer is back, as YYYY-MM-DD, when one is stated
 * after a cue ("until", "back on", "bis", "jusqu'au" …). The year, when not given, is the
 * next occurrence on or after the day the message came in.
 */
export function returnDate(text: string, receivedAt: number): string | null {
  const received = new Date(receivedAt);
  for (const cue of text.slice(0, 4000).matchAll(RETURN_CUE)) {
    const rest = text.slice(cue.index! + cue[0].length, cue.index! + cue[0].length + 60).toLowerCase();
    const date = dateAtStart(rest, received);
    if (date) return date;
  }
  return null;
}

function dateAtStart(text: string, received: Date): string | null {
  const year = (y: string | undefined, month: number, day: number) => {
    if (y) return y.length === 2 ? 2000 + Number(y) : Number(y);
    const candidate = Date.UTC(received.getUTCFullYear(), month, day);
    return candidate < Date.UTC(received.getUTCFullYear(), received.getUTCMonth(), received.getUTCDate()) ? received.getUTCFullYear() + 1 : received.getUTCFullYear();
  };
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (iso) return valid(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]));
  // Day first with a month name: "3 December", "3. Dezember 2026", "le 3 décembre".
  const dayName = /^(?:(?:le|el|il|den|am|the)\s+)?(?:[a-zà-ü]{2,12},?\s+)?(\d{1,2})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?([a-zà-üä]{3,10})\.?(?:\s+(?:de\s+)?(\d{4}))?/.exec(text);
  if (dayName && MONTHS[dayName[2]!] !== undefined) {
    const month = MONTHS[dayName[2]!]!,
      day = Number(dayName[1]);
    return valid(year(dayName[3], month, day), month, day);
  }
  // Month name first: "December 3", "Monday, Dec 3rd, 2026".
  const nameDay = /^(?:[a-z]{3,9},?\s+)?([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?/.exec(text);
  if (nameDay && MONTHS[nameDay[1]!] !== undefined) {
    const month = MONTHS[nameDay[1]!]!,
      day = Number(nameDay[2]);
    return valid(year(nameDay[3], month, day), month, day);
  }
  // Numeric: 03.12.2026 and 3/12 are day first in most of the world; 12/3/2026 is ambiguous, read day first unless impossible.
  const numeric = /^(?:[a-z]{2,9},?\s+)?(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?/.exec(text);
  if (numeric) {
    let day = Number(numeric[1]),
      month = Number(numeric[2]) - 1;
    if (month > 11 && day <= 12) [day, month] = [month + 1, day - 1];
    return valid(year(numeric[3], month, day), month, day);
  }
  return null;
}

function valid(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month, day));
  if (date.getUTCMonth() !== month || date.getUTCDate() !== day || year < 2000 || year > 2100) return null;
  return date.toISOString().slice(0, 10);
}
