/**
 * The text a person actually wrote in a reply: quoted history, forwarded parts, the
 * "On … wrote:" line above them (in many languages and clients) and signatures removed.
 *
 * Line by line, and every pattern is matched against one line (or a header split over at
 * most three lines) of bounded length, so a hostile message cannot make it slow: the
 * npm `email-reply-parser` scores well on the fixtures but spends minutes on a 767 KB
 * line of `>` (github/email_reply_parser's `email_long_quote.txt`). Its list of quote
 * headers (MIT, crisp-oss/email-reply-parser `src/regex.ts`) informed the verbs below.
 */

/** Lines longer than this are only ever content: no header or signature is this long. */
const MATCHABLE = 400;

/**
 * The verb of an attribution line ("On Tue, … Jane <jane@x> wrote:", "Den … skrev Jane:"),
 * per language; the line may name the writer after it, and ends with a colon (or nothing).
 */
const WROTE =
  /(wrote|writes|a écrit|écrit|escribió|ha escrit|escreveu|ha scritto|scritto|schrieb|skrev|schreef|napisał\(a\)|napisał|napisała|pisze|kirjoitti|írta|написал\(а\)|написала|написал|написав|napsal|napísal|yazdı|έγραψε|scrie|har skrivit|skrifaði|kirjutas|rašė|rakstīja|写道|寫道|작성|のメッセージ)([^:：]{0,160}[:：])?[\s-]*$/iu;
/** Gmail's attribution in some locales: a date, a name and an address, then a colon. */
const DATED_ADDRESS = /^[^<>\d]{0,40}\d[^<>]{0,120}<[^<>\s]{1,200}@[^<>\s]{1,200}>\s*[:：]\s*$/u;
/** An attribution names a time or an address, which a sentence that ends in "wrote:" rarely does. */
const NAMES_TIME_OR_ADDRESS = /[\d@]/;

/** "-----Original Message-----", forwarded-message markers and their translations. */
const SEPARATOR =
  /^\s*[-_=*>]*\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|mensagem original|oorspronkelijk bericht|oprindelig besked|opprinnelig melding|ursprungligt meddelande|alkuperäinen viesti|wiadomość oryginalna|исходное сообщение|původní zpráva|forwarded message|begin forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|videresendt meddelelse|vidarebefordrat meddelande|välitetty viesti|przekazana wiadomość|пересылаемое сообщение|転送されたメッセージ|转发的邮件)\s*:?\s*[-_=*]*\s*$/iu;

/** The first line of a pasted header block, as Outlook and others put above the quoted message. */
const HEADER_FROM = /^\s*\*?\s*(from|von|de|da|van|från|fra|od|от|lähettäjä|feladó|kimden|送信者|发件人|寄件者|보낸 사람)\s*\*?\s*[:：]/iu;
/** Further header lines of such a block; two of them near a From line confirm it. */
const HEADER_OTHER =
  /^\s*\*?\s*(sent|date|to|cc|subject|gesendet|datum|an|betreff|envoyé|date d'envoi|à|objet|enviado|fecha|para|asunto|inviato|data|a|oggetto|verzonden|aan|onderwerp|skickat|till|ämne|sendt|til|emne|wysłano|do|temat|отправлено|кому|тема|lähetetty|vastaanottaja|aihe|件名|宛先|日付|发送时间|收件人|主题|날짜|받는 사람|제목)\s*\*?\s*[:：]/iu;
/** A line of underscores or dashes Outlook and mailing lists draw above what follows. */
const RULE = /^\s*(_{10,}|-{10,}|={10,})\s*$/;

/** Mailing lists draw a rule of underscores above their footer. */
const MAILING_LIST_RULE = /^\s*_{10,}\s*$/;
/** Signature delimiters: RFC 3676's "-- " and the common variants. */
const SIGNATURE_DELIMITER = /^(--|—|–|-- |__|___)\s*$/;
/** "Sent from my iPhone" and friends: a device line, short, at the end of what was written. */
const DEVICE_LINE =
  /^\s*(sent from|sent with|get outlook for|gesendet von|gesendet mit|von meinem|envoyé de|envoyé depuis|envoyé avec|enviado desde|enviado con|enviado do|enviado de|inviato da|verzonden met|verzonden vanaf|verstuurd vanaf|verstuurd met|skickat från|sendt fra|lähetetty|wysłane z|отправлено с|отправлено из)\s[^,;.!?\n]{1,60}(<[^<>\s]{1,200}>)?\s*$/iu;

const isQuoted = (line: string) => /^\s*>/.test(line);
const isBlank = (line: string) => line.trim() === "";
const short = (line: string) => (line.length > MATCHABLE ? "" : line);

/** An attribution line, possibly wrapped by the client over up to three lines. */
function attributionLength(lines: string[], i: number): number {
  const first = short(lines[i]!);
  if (DATED_ADDRESS.test(first)) return 1;
  if (!NAMES_TIME_OR_ADDRESS.test(first) || isQuoted(first)) return 0;
  let joined = "";
  for (let n = 1; n <= 3 && i + n - 1 < lines.length; n++) {
    const line = short(lines[i + n - 1]!);
    // A wrapped address can leave its closing ">:" alone on the next line.
    if (!line || (isQuoted(line) && !/^\s*>\s*[:：]\s*$/.test(line))) return 0;
    joined = n === 1 ? line : `${joined} ${line.trim()}`;
    if (joined.length > MATCHABLE) return 0;
    if (WROTE.test(joined) || (n > 1 && /[:：]\s*$/.test(line) && DATED_ADDRESS.test(joined.replace(/\s*>\s*[:：]\s*$/, ">:")))) return n;
  }
  return 0;
}

/** Quoted lines followed by the person's own text again: an answer written between the quotes. */
function interleaved(lines: string[], from: number): boolean {
  let sawQuote = false;
  for (let j = from; j < lines.length; j++) {
    const line = lines[j]!;
    if (isQuoted(line)) sawQuote = true;
    else if (!isBlank(line) && sawQuote) return !(SEPARATOR.test(short(line)) || isHeaderBlock(lines, j) || attributionLength(lines, j) > 0);
  }
  return false;
}

/** A pasted header block: a From line with an address, or one followed by two more header lines. */
function isHeaderBlock(lines: string[], i: number): boolean {
  if (i >= lines.length) return false;
  const line = short(lines[i]!);
  if (!HEADER_FROM.test(line)) return false;
  // "From: Jane <jane@example.com>" alone on its line is a header, not a sentence.
  if (/[:：].{0,200}@[^<>\s@]{1,200}>?\s*$/.test(line)) return true;
  let others = 0;
  for (let j = i + 1; j < Math.min(lines.length, i + 6); j++) if (HEADER_OTHER.test(short(lines[j]!))) others++;
  return others >= 2;
}

/** Where the quoted history starts: its line index, or the number of lines when nothing is quoted. */
function historyStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // Mobile clients put the device line between the answer and the history.
    if (SEPARATOR.test(short(line)) || DEVICE_LINE.test(short(line))) return i;
    if (isHeaderBlock(lines, i)) return i;
    if (RULE.test(line) && i + 1 < lines.length && (isHeaderBlock(lines, i + 1) || isHeaderBlock(lines, i + 2))) return i;
    const attribution = attributionLength(lines, i);
    // Unless the person answered between the quotes (bottom-posting), the rest is history.
    if (attribution && !interleaved(lines, i + attribution)) return i;
  }
  return lines.length;
}

/** Removes quoted lines interleaved with the reply (a bottom-posted answer keeps its own text). */
function withoutQuotes(lines: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (isQuoted(lines[i]!)) continue;
    const attribution = attributionLength(lines, i);
    if (attribution && lines.slice(i + attribution).find((l) => !isBlank(l)) !== undefined && isQuoted(lines.slice(i + attribution).find((l) => !isBlank(l))!)) {
      i += attribution - 1;
      continue;
    }
    kept.push(lines[i]!);
  }
  return kept;
}

/** Cuts the signature: after a delimiter line, a trailing device line, a mailing-list footer. */
function withoutSignature(lines: string[]): string[] {
  const delimiter = lines.findIndex((line, i) => i > 0 && (SIGNATURE_DELIMITER.test(line) || MAILING_LIST_RULE.test(line)));
  let body = delimiter > 0 ? lines.slice(0, delimiter) : lines;
  let end = body.length;
  while (end > 0 && isBlank(body[end - 1]!)) end--;
  if (end > 0 && DEVICE_LINE.test(short(body[end - 1]!))) end--;
  body = body.slice(0, end);
  return body;
}

function tidy(lines: string[]): string {
  const text = lines.map((line) => line.replace(/\s+$/, "")).join("\n");
  return text.replace(/^\n+|\n+$/g, "");
}

/** The visible part of a plain-text reply. */
export function visibleReply(text: string): string {
  const lines = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n").split("\n");
  const own = withoutSignature(withoutQuotes(lines.slice(0, historyStart(lines))));
  // Empty when the message is all history (a forward without a comment): the caller keeps the whole.
  return tidy(own);
}
