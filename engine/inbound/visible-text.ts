/**
 * The text a person actually wrote in a reply: quoted history, forwarded parts, the
 * "On … wrote:" line above them (in many languages and clients) and signatures removed.
 *
 * Line by line, and every pattern is matched against one line (or a header split over at
 * most four lines) of bounded length, so a hostile message cannot make it slow: the
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
  /(wrote|writes|verzond|a écrit|écrit|escribió|ha escrit|va escriure|escreveu|ha scritto|scritto|schrieb|skrev|schreef|geschreven|napisał\(a\)|napisał|napisała|pisze|kirjoitti|írta|написал\(а\)|написала|написал|написав|написа|пишет|пише|napsal\(a\)|napsal|napísal|napisao|napisala|je napisal|yazdı|έγραψε|a scris|scrie|har skrivit|skrifaði|kirjutas|rašė|rakstīja|đã viết|menulis|escribiu|idatzi zuen|het geskryf|aliandika|sumulat|написао|напиша|लिखा|লিখেছেন|نوشت|لکھا|כתב|كتب|เขียน|書きました|写道|寫道|작성|のメッセージ)(.{0,160}[:：])?[\s-]*$/iu;
/** Gmail's attribution in some locales: a date, a name and an address, then a colon. */
const DATED_ADDRESS = /^[^<>\d]{0,40}\d[^<>]{0,120}<[^<>\s]{1,200}@[^<>\s]{1,200}>\s*[:：]\s*$/u;
/** The same led by an ISO date ("2017-04-11 22:07 GMT+02:00 Jane <jane@x>:", "2013/7/20 Jane <jane@x>"), where some clients drop the colon. */
const ISO_DATED_ADDRESS = /^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b[^<>]{0,120}<[^<>\s]{1,200}@[^<>\s]{1,200}>\s*[:：]?\s*$/u;
/** Apple Mail and others: "On 11 Apr 2017, at 22:07, Jane Doe sent:", "On 11 Apr 2017, Jane Doe sent:". */
const ON_AT_SENT = /^\s*on\s[^,\n]{0,80}\d[^,\n]{0,80},[^\n]{0,200}\bsent\s*[:：]\s*$/iu;
/**
 * "said"/"says" end many sentences a person writes ("Our CTO said", "as of 2025 the policy says"),
 * so they make an attribution only when confirmed: ending in a colon over a quote, or in the
 * forum form that names a numeric date and a clock time ("On 10/12/15 12:30, Jane Doe said:"; a
 * person's "On Monday at 10:30, my manager said:" names no date). Never in a wrapped join.
 */
const SAID = /\b(said|says)\s*[:：]\s*$/iu;
const ON_AT_SAID = /^\s*on\s[^,\n\d]{0,40}\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\s{1,3}(?:at\s{1,3})?\d{1,2}:\d{2}[^,\n]{0,30},[^\n]{0,200}\bsaid\s*[:：]\s*$/iu;
/** Gmail's ISO-dated attribution when the address wrapped away: "2016-03-03 17:21 GMT+01:00 Jane Doe". */
const ISO_DATED_NAME = /^\s*\d{4}-\d{2}-\d{2} \d{1,2}:\d{2} GMT[+-]\d{2}:\d{2} [^<>:@\d]{1,80}$/u;
/** Mailing-list and forum gateways: "Jane via Example Forum wrote:", which names neither time nor address. */
const VIA_WROTE = /^[^:<>]{1,80}\svia\s[^:<>]{1,80}\s(wrote|schrieb)\s*:?\s*$/iu;
/** Forums quoting a post: "Posted by jane on 01/21/2016". */
const POSTED_BY = /^\s*posted by \S[^\n]{0,80} on \d{1,4}[./-]\d{1,2}[./-]\d{2,4}\s*$/iu;
/** Pieces a client leaves when it wraps an attribution's address: "<", "mailto:…>", "> wrote:". */
const WRAPPED_ADDRESS = /^\s*(<\s*|mailto:[^\s]{0,200}.{0,200}|>\s*[^\s<>]{0,20}\s*[:：]?)\s*$/iu;
/** An attribution names a time or an address, which a sentence that ends in "wrote:" rarely does. */
const NAMES_TIME_OR_ADDRESS = /[\d@]/;

/** Help desks ask for the answer above a marker line ("## Please type your reply above this line ##"). */
const REPLY_ABOVE =
  /^[\s#=*_>-]{0,10}[^\n]{0,60}(above this line|über dieser zeile|oberhalb dieser zeile|au-dessus de cette ligne|encima de esta línea|sopra questa riga|sopra questa linea|boven deze regel|boven deze lijn|ovanför denna rad|ovenfor denne linje|over denne linjen|powyżej tej linii|выше этой строки|acima desta linha)[^\n]{0,40}$/iu;
/** Help desks put the earlier messages of a ticket under a heading after a short rule. */
const PREVIOUS_REPLIES =
  /^\s*(previous (replies|messages|comments|responses)|conversation history|vorherige antworten|frühere antworten|réponses précédentes|messages précédents|respuestas anteriores|mensajes anteriores|risposte precedenti|eerdere antwoorden|vorige antwoorden|tidigare svar|tidligere svar|poprzednie odpowiedzi|предыдущие ответы|respostas anteriores|aiemmat vastaukset|önceki yanıtlar|以前的回复|以前の返信|이전 답장)\s*[:：]?\s*$/iu;
const SHORT_RULE = /^\s*-{2,}\s*$/;

/** A reply client's marker above the quoted message ("-----Original Message-----") and its translations. */
const REPLY_MARKERS =
  "original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|mensagem original|oorspronkelijk bericht|oprindelig besked|opprinnelig melding|ursprungligt meddelande|alkuperäinen viesti|wiadomość oryginalna|исходное сообщение|původní zpráva|oryginalna wiadomość|оригінальне повідомлення|orijinal mesaj|özgün ileti|eredeti üzenet|mesaj original|message original|oprindelig meddelelse|αρχικό μήνυμα|元のメッセージ|原始邮件|原始郵件|원본 메시지|reply message|antwort nachricht";
/** A forward's marker ("---------- Forwarded message ----------", Apple Mail's "Begin forwarded message:") and its translations. */
const FORWARD_MARKERS =
  "forwarded message|begin forwarded message|mensagem encaminhada|wiadomość przekazana dalej|przekazana wiadomość|i̇letilen ileti|iletilen ileti|přeposlaná zpráva|転送メッセージ|転送されたメッセージ|전달된 메시지|weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|videresendt meddelelse|vidarebefordrat meddelande|välitetty viesti|пересылаемое сообщение|转发的邮件|début du message transféré|inicio del mensaje reenviado|inizio messaggio inoltrato|anfang der weitergeleiteten nachricht|begin doorgestuurd bericht";
/** A marker alone on its line, between rules of dashes or stars, with or without a colon. */
const markerLine = (names: string) => new RegExp(`^\\s*[-_=*>]*\\s*(${names})\\s*:?\\s*[-_=*]*\\s*$`, "iu");
const SEPARATOR = markerLine(`${REPLY_MARKERS}|${FORWARD_MARKERS}`);
const FORWARD_MARKER = markerLine(FORWARD_MARKERS);

/** The first line of a pasted header block, as Outlook and others put above the quoted message. */
const HEADER_FROM = /^\s*\*?\s*(from|von|de|de la|da|van|från|fra|od|от|від|expéditeur|lähettäjä|feladó|kimden|από|מאת|من|送信者|差出人|发件人|寄件者|보낸 사람)\s*\*?\s*[:：]/iu;
/** Further header lines of such a block; two of them near a From line confirm it. */
const HEADER_OTHER =
  /^\s*\*?\s*(sent|date|to|cc|subject|reply-to|destinataire|répondre à|risposta|beantwoorden - aan|gesendet|datum|an|betreff|envoyé|date d'envoi|à|objet|enviado|enviado el|enviada em|fecha|para|asunto|assunto|inviato|data|a|oggetto|verzonden|aan|onderwerp|skickat|till|ämne|sendt|til|emne|wysłano|do|temat|отправлено|надіслано|кому|тема|lähetetty|vastaanottaja|aihe|odesláno|komu|předmět|gönderildi|gönderilme tarihi|kime|konu|elküldve|címzett|tárgy|trimis|către|subiect|στάλθηκε|προς|θέμα|נשלח|אל|נושא|تاريخ الإرسال|إلى|الموضوع|件名|宛先|日付|送信日時|发送时间|收件人|主题|寄件日期|收件者|主旨|날짜|보낸 날짜|받는 사람|제목)\s*\*?\s*[:：]/iu;
/** A line of underscores or dashes Outlook and mailing lists draw above what follows. */
const RULE = /^\s*(_{10,}|-{10,}|={10,})\s*$/;

/** Mailing lists draw a rule of underscores above their footer. */
const MAILING_LIST_RULE = /^\s*_{10,}\s*$/;
/** Signature delimiters: RFC 3676's "-- " and the common variants. */
const SIGNATURE_DELIMITER = /^(--|—|–|-- |__|___)\s*$/;
/** "Sent from my iPhone" and friends: a device line, short, at the end of what was written. */
const DEVICE_LINE =
  /^\s*[(<]{0,2}\s*(sent from|sent with|get outlook for|diese nachricht wurde von|odesláno z|odoslané z|gesendet von|gesendet mit|von meinem|envoyé de|envoyé depuis|envoyé avec|envoyé à partir de|enviado desde|enviado con|enviado do|enviado de|inviato da|verzonden met|verzonden vanaf|verstuurd vanaf|verstuurd met|skickat från|sendt fra|lähetetty|wysłane z|отправлено с|отправлено из)\s[^,;.!?\n]{1,60}(<[^<>\s]{1,200}>)?[\s.)>]*$|^\s*(发自我的|發自我的|從我的)[^\n]{1,30}$|^\s*[^\n]{1,30}(から送信|傳送)\s*$/iu;
/**
 * Shorter forms that also start sentences ("From my phone it works fine", "Sent via the portal
 * last week"): a device line only when it ends with the device or app ("From my Android phone",
 * "Sent via Superhuman", "Sam from mobile"), and only with nothing but history or a signature after it.
 */
const LOOSE_DEVICE_LINE = /^\s*[(<]{0,2}\s*(sent via(?: my)?|from my|\S{1,20} from)((?:\s[^\s,;.!?()<>]{1,30}){1,4})[\s.)>]*$/iu;
const DEVICE_NOUN = /^(iphone|ipad|android|phone|mobile|samsung|galaxy|blackberry|smartphone|tablet|pixel|device|cellphone)$/iu;
/** What may follow the device in "From my …": its model ("iPhone 6", "Galaxy S9", "iPad Pro"). */
const MODEL_WORD = /^([a-z]{0,2}\d{1,3}[a-z+]{0,4}|pro|max|plus|mini|ultra|lite|note)$/iu;
/** What may follow an app's name in "Sent via …": capitalised words and their joints ("BlackBerry from T-Mobile"). */
const APP_NAME_WORD = /^(\p{Lu}[\p{L}\d&+-]{0,29}|from|by|for|on)$/u;

/** "From my Android phone", "Sent via Superhuman", "Sam from mobile": the line ends with the device or the app. */
function isLooseDeviceLine(line: string): boolean {
  const match = LOOSE_DEVICE_LINE.exec(line);
  if (!match) return false;
  const opening = match[1]!.toLowerCase();
  const [first, ...rest] = match[2]!.trim().split(/\s+/) as [string, ...string[]];
  const device = DEVICE_NOUN.test(first);
  if (opening.startsWith("sent via")) return (device || /^\p{Lu}/u.test(first)) && rest.every((word) => APP_NAME_WORD.test(word) || DEVICE_NOUN.test(word));
  if (opening === "from my") return device && rest.every((word) => DEVICE_NOUN.test(word) || MODEL_WORD.test(word));
  return first.toLowerCase() === "mobile" && rest.length === 0;
}

/**
 * Characters that show nothing: zero-width spaces and joiners, soft hyphens, and U+1427,
 * which Gmail add-ons leave behind as a tracking marker. A line of only these is blank.
 */
const INVISIBLE_LINE = /^[\s\u00AD\u1427\u180E\u200B-\u200F\u2060-\u2064\uFEFF]+$/u;
const INVISIBLE_TAIL = /[\s\u00AD\u1427\u180E\u200B-\u200F\u2060-\u2064\uFEFF]+$/u;
/** A line without the invisible characters at its ends (short lines only: the tail search is quadratic on a long run of spaces). */
const visible = (line: string) => (line === "" || INVISIBLE_LINE.test(line) ? "" : line.length > MATCHABLE ? line : line.replace(/^\uFEFF/, "").replace(INVISIBLE_TAIL, ""));

const isQuoted = (line: string) => /^\s*>/.test(line);
/** A quoted line this long was likely wrapped by the client at its width. */
const WRAP_WIDTH = 60;

/** The first word of an attribution in the languages that start it with a preposition ("On …", "Le …", "Am …"). */
const ATTRIBUTION_OPENERS = "on|le|am|op|el|em|il|w dniu|den|på";
/** Where an attribution starts after a sentence on the same line ("Thanks! On Tue, … Jane <jane@x> wrote:"), as HTML conversion leaves it. */
const INLINE_ATTRIBUTION = new RegExp(`[.!?]\\s+(?=(${ATTRIBUTION_OPENERS})\\s)`, "iu");
/** A line that starts with such a word. */
const ATTRIBUTION_START = new RegExp(`^\\s*(${ATTRIBUTION_OPENERS})\\s`, "iu");

/** Puts an attribution that follows the person's last sentence on its own line, so that the sentence stays. */
function withInlineAttributionsSplit(lines: string[]): string[] {
  return lines.flatMap((line) => {
    const at = line.length > MATCHABLE ? null : INLINE_ATTRIBUTION.exec(line);
    if (!at) return [line];
    const rest = line.slice(at.index + at[0].length);
    return WROTE.test(rest) && NAMES_TIME_OR_ADDRESS.test(rest) ? [line.slice(0, at.index + 1), rest] : [line];
  });
}

/**
 * Clients that wrap a long quoted line after quoting it leave its tail without the ">":
 * a line squeezed between a long quoted line and the next quoted one is part of the quote,
 * not an answer written under it, when it reads as that line's tail: the quoted line does not
 * end in a question or a prompt, and the tail is short and goes on in lower case.
 */
function withWrappedQuotesMarked(lines: string[]): string[] {
  return lines.map((line, i) =>
    i > 0 && i + 1 < lines.length && !isBlank(line) && !isQuoted(line) && isQuoted(lines[i + 1]!) && isWrappedTail(lines[i - 1]!, line) ? `> ${line}` : line,
  );
}

/** A wrapped tail is what did not fit on its line: a few words, never a paragraph. */
const WRAPPED_TAIL_MAX = 50;

function isWrappedTail(quoted: string, line: string): boolean {
  if (!isQuoted(quoted) || quoted.length < WRAP_WIDTH || quoted.length > MATCHABLE || line.trim().length > WRAPPED_TAIL_MAX) return false;
  // A question or a prompt ("?", "!", ":") is where an answer goes; a full stop tells nothing, as clients wrap after one too (willdurand's email_7).
  return !/[?!:]\s*$/.test(quoted) && /^\s*\p{Ll}/u.test(line);
}
const isBlank = (line: string) => !/\S/.test(line);
const short = (line: string) => (line.length > MATCHABLE ? "" : line);

/**
 * An attribution line, possibly wrapped by the client over up to four lines, or over up to
 * eight when the wrap breaks its address into pieces ("On … Jane", "", "<", "mailto:jane@x>",
 * "> wrote:"). A small state machine over whole lines: each step joins one line and tests
 * the joined text, which stays under MATCHABLE characters.
 */
function attributionLength(lines: string[], i: number): number {
  const first = short(lines[i]!);
  if (isBlank(first)) return 0;
  if ([DATED_ADDRESS, ISO_DATED_ADDRESS, ISO_DATED_NAME, ON_AT_SENT, ON_AT_SAID, VIA_WROTE, POSTED_BY].some((pattern) => pattern.test(first))) return 1;
  if (isQuoted(first)) return 0;
  // "Jane Doe wrote:" (or "said:") names neither time nor address, but a quote right under it confirms it.
  if ((WROTE.test(first) || SAID.test(first)) && /[:：]\s*$/.test(first) && first.length <= 120) {
    const next = nextNonBlank(lines, i + 1, 2);
    if (next > 0 && isQuoted(lines[next]!)) return 1;
  }
  if (!NAMES_TIME_OR_ADDRESS.test(first)) return 0;
  let joined = first;
  let pieces = 1;
  for (let j = i; j < Math.min(lines.length, i + 8); j++) {
    if (j > i) {
      const line = short(lines[j]!);
      const wrapPiece = WRAPPED_ADDRESS.test(line);
      if (isBlank(line)) {
        // Blank lines only inside a broken address: the next line must be one of its pieces.
        const next = nextNonBlank(lines, j, 3);
        if (next < 0 || !WRAPPED_ADDRESS.test(short(lines[next]!))) return 0;
        continue;
      }
      // A quoted line ends the attribution, unless it is the closing ">" of a wrapped address.
      if ((isQuoted(line) && !wrapPiece) || (!wrapPiece && ++pieces > 4)) return 0;
      // A finished sentence followed by an attribution of its own is not the attribution's first piece.
      if (/[.!?]\s*$/.test(joined) && ATTRIBUTION_START.test(line)) return 0;
      joined = `${joined} ${line.trim()}`;
      if (joined.length > MATCHABLE) return 0;
    }
    if (WROTE.test(joined) || (j > i && /[:：]\s*$/.test(joined) && DATED_ADDRESS.test(joined.replace(/<\s+/g, "<").replace(/\s*>\s*[:：]\s*$/, ">:")))) return j - i + 1;
  }
  return 0;
}

/** Further header lines within the next five. */
function headerLinesAfter(lines: string[], i: number): number {
  let others = 0;
  for (let j = i + 1; j < Math.min(lines.length, i + 6); j++) if (HEADER_OTHER.test(short(lines[j]!)) || HEADER_FROM.test(short(lines[j]!))) others++;
  return others;
}

/**
 * A pasted header block: a From line with an address, or one followed by two more header
 * lines; or a block some clients start with Sent or Date, with its From line among the next two.
 */
function isHeaderBlock(lines: string[], i: number): boolean {
  if (i >= lines.length) return false;
  const line = short(lines[i]!);
  if (!HEADER_FROM.test(line)) {
    if (!HEADER_OTHER.test(line)) return false;
    const from = [i + 1, i + 2].find((j) => j < lines.length && HEADER_FROM.test(short(lines[j]!)));
    if (from !== undefined) return headerLinesAfter(lines, i) >= 2;
    // Without a From line: three header lines in a row, one of them dated ("Date:", "Sent:").
    const three = lines.slice(i, i + 3).map(short);
    return three.length === 3 && three.every((l) => HEADER_OTHER.test(l)) && three.some((l) => /\d/.test(l));
  }
  // "From: Jane <jane@example.com>" alone on its line is a header, not a sentence.
  if (/[:：].{0,200}@[^<>\s@]{1,200}>?\s*$/.test(line)) return true;
  return headerLinesAfter(lines, i) >= 2;
}

/** What some clients draw or write just above a header block: a short rule, or a dated line ("Message du : 12/12/2016 13:20"). */
const HEADER_LEAD_IN = /^\s*([-_=*~]{3,}|[^\d:：<>]{1,40}[:：]\s*\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b.{0,40})\s*$/u;

/** The start of a header block's history: its lead-in lines above it, if any (at most two, blank lines between). */
function headerBlockStart(lines: string[], i: number): number {
  let start = i;
  for (let j = i - 1, leadIns = 0; j >= 0 && j >= i - 4 && leadIns < 2; j--) {
    if (isBlank(lines[j]!)) continue;
    if (!HEADER_LEAD_IN.test(short(lines[j]!))) break;
    start = j;
    leadIns++;
  }
  return start;
}

/** Under a rule Hotmail and Outlook start the block with any header ("Date:", "Sent:"), not always From. */
const headerBlockUnderRule = (lines: string[], i: number) =>
  i < lines.length && (isHeaderBlock(lines, i) || (HEADER_OTHER.test(short(lines[i]!)) && headerLinesAfter(lines, i) >= 1));

/** The next line that is not blank, from `i` on (or -1 after `limit` lines). */
function nextNonBlank(lines: string[], i: number, limit: number): number {
  for (let j = i; j < Math.min(lines.length, i + limit); j++) if (!isBlank(lines[j]!)) return j;
  return -1;
}

/**
 * What each line starts, worked out once from the last line up so that no line is looked at
 * more than a bounded number of times, whatever the message (hostile input stays linear).
 */
interface LineFacts {
  /** Lines of the attribution starting here (0: none). */
  attribution: Int32Array;
  /** The first line at or after this one that is not blank (the number of lines when none). */
  nextText: Int32Array;
  /** From here on, a quote is followed by the person's own text again: an answer written between the quotes (bottom-posting). */
  answeredBelow: Uint8Array;
}

function lineFacts(lines: string[]): LineFacts {
  const n = lines.length;
  // Typed arrays: a body of 64 K blank lines is still 64 K lines to keep facts about.
  const attribution = new Int32Array(n + 1);
  const nextText = new Int32Array(n + 1).fill(n);
  // Two states of one scan: before any quote was seen (answeredBelow), and after one (ownTextAfterQuote).
  const answeredBelow = new Uint8Array(n + 1);
  const ownTextAfterQuote = new Uint8Array(n + 1);
  for (let j = n - 1; j >= 0; j--) {
    const line = lines[j]!;
    if (isBlank(line)) {
      nextText[j] = nextText[j + 1]!;
      answeredBelow[j] = answeredBelow[j + 1]!;
      ownTextAfterQuote[j] = ownTextAfterQuote[j + 1]!;
      continue;
    }
    nextText[j] = j;
    if (isQuoted(line)) {
      answeredBelow[j] = ownTextAfterQuote[j + 1]!;
      ownTextAfterQuote[j] = ownTextAfterQuote[j + 1]!;
      continue;
    }
    attribution[j] = attributionLength(lines, j);
    // Text after a quote is an answer, unless it starts the next piece of history.
    ownTextAfterQuote[j] = SEPARATOR.test(short(line)) || isHeaderBlock(lines, j) || attribution[j]! > 0 ? 0 : 1;
    // An older attribution's wrapped "> wrote:" is not a quote the person answered.
    answeredBelow[j] = answeredBelow[Math.min(n, j + Math.max(1, attribution[j]!))]!;
  }
  return { attribution, nextText, answeredBelow };
}

/** Nothing after line `i` but blank lines, quoted history (no answer under it) or a signature. */
function onlyHistoryAfter(lines: string[], facts: LineFacts, i: number): boolean {
  const next = facts.nextText[i + 1]!;
  if (next >= lines.length) return true;
  const line = short(lines[next]!);
  if (isQuoted(line)) return !facts.answeredBelow[next];
  const attribution = facts.attribution[next]!;
  if (attribution) return !facts.answeredBelow[next + attribution];
  return SIGNATURE_DELIMITER.test(line) || MAILING_LIST_RULE.test(line) || SEPARATOR.test(line) || RULE.test(line) || isHeaderBlock(lines, next);
}

/** Where the quoted history starts: its line index, or the number of lines when nothing is quoted. */
function historyStart(lines: string[], facts: LineFacts): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isBlank(line)) continue;
    // Mobile clients put the device line between the answer and the history.
    if (SEPARATOR.test(short(line)) || DEVICE_LINE.test(short(line)) || REPLY_ABOVE.test(short(line))) return i;
    if (isLooseDeviceLine(short(line)) && onlyHistoryAfter(lines, facts, i)) return i;
    if (isHeaderBlock(lines, i)) return headerBlockStart(lines, i);
    if (SHORT_RULE.test(line) || RULE.test(line)) {
      const next = facts.nextText[i + 1]!;
      if (next - i <= 3 && next < lines.length && (PREVIOUS_REPLIES.test(short(lines[next]!)) || (RULE.test(line) && headerBlockUnderRule(lines, next)))) return i;
    }
    const attribution = facts.attribution[i]!;
    // Unless the person answered between the quotes (bottom-posting), the rest is history.
    if (attribution && !facts.answeredBelow[i + attribution]) return i;
  }
  return lines.length;
}

/** Removes quoted lines interleaved with the reply (a bottom-posted answer keeps its own text). */
function withoutQuotes(lines: string[], facts: LineFacts, end: number): string[] {
  const kept: string[] = [];
  // A quote cut out right under a line of text leaves no paragraph break of its own: the blank lines after it go too.
  let cutUnderText = false;
  for (let i = 0; i < end; i++) {
    const line = lines[i]!;
    const attribution = facts.attribution[i]!;
    const next = facts.nextText[Math.min(lines.length, i + attribution)]!;
    const cut = isQuoted(line) || (attribution > 0 && next < end && isQuoted(lines[next]!));
    if (cut) {
      cutUnderText ||= kept.length > 0 && !isBlank(kept[kept.length - 1]!);
      i += Math.max(1, attribution) - 1;
      continue;
    }
    if (isBlank(line) && cutUnderText) continue;
    cutUnderText = false;
    kept.push(line);
  }
  return kept;
}

/** Cuts the signature: after a delimiter line, a trailing device line, a mailing-list footer. */
function withoutSignature(lines: string[]): string[] {
  const delimiter = lines.findIndex((line, i) => i > 0 && (SIGNATURE_DELIMITER.test(line) || MAILING_LIST_RULE.test(line)));
  let body = delimiter > 0 ? lines.slice(0, delimiter) : lines;
  let end = body.length;
  while (end > 0 && isBlank(body[end - 1]!)) end--;
  if (end > 0 && (DEVICE_LINE.test(short(body[end - 1]!)) || isLooseDeviceLine(short(body[end - 1]!)))) end--;
  body = body.slice(0, end);
  return body;
}

function tidy(lines: string[]): string {
  const text = lines.map((line) => line.trimEnd()).join("\n");
  return text.replace(/^\n+|\n+$/g, "");
}

/** The lines of a forwarded message after its marker and header block (header lines and their wrapped continuations up to a blank line). */
function forwardedBody(lines: string[], marker: number): string[] {
  let i = marker + 1;
  while (i < lines.length && isBlank(lines[i]!)) i++;
  if (i >= lines.length || !(HEADER_FROM.test(short(lines[i]!)) || HEADER_OTHER.test(short(lines[i]!)))) return [];
  while (i < lines.length && !isBlank(lines[i]!)) i++;
  return lines.slice(i);
}

function ownText(lines: string[]): { text: string; history: number } {
  const facts = lineFacts(lines);
  const history = historyStart(lines, facts);
  return { text: tidy(withoutSignature(withoutQuotes(lines, facts, history))), history };
}

/** The visible part of a plain-text reply. */
export function visibleReply(text: string): string {
  const lines = withWrappedQuotesMarked(withInlineAttributionsSplit(text.replace(/\r\n?/g, "\n").split("\n").map(visible)));
  const own = ownText(lines);
  // A forward without a comment: what was forwarded is what the person means us to read.
  if (own.text === "" && own.history < lines.length && FORWARD_MARKER.test(short(lines[own.history]!))) return ownText(forwardedBody(lines, own.history)).text;
  // Empty when the message is all history of another kind.
  return own.text;
}
