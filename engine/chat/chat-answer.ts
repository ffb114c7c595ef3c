import type { ChatHours } from "../../schemas/chat";
import type { Passage } from "../../schemas/knowledge";
import type { ReplyJudgement } from "../../schemas/lead";
import { passageParagraph } from "../drafting/passage-excerpt";
import { judgeReply } from "../inbound/reply-judgement";
import { localParts } from "../time/local-time";

/**
 * What the chat answers without a model: the reply reader's intents (stop, pricing, booking)
 * plus a request for a person, and otherwise the owner's best passage for the question, or
 * an honest "I don't know" with a person on offer. Never invents: every sentence of an answer
 * is the owner's (a passage, a setting) or one of the fixed lines here.
 */

export type ChatIntent = "stop" | "person" | "contact_given" | "booking" | "pricing" | "question";

const PERSON =
  /(?<![\p{L}])(talk|speak|chat|get in touch) (to|with) (a |an |some |your )?(person|human|someone|somebody|real person|agent|rep|representative|sales|team)|(?<![\p{L}])(human|real person|representative|live agent)(?![\p{L}])/iu;
const BOOKING = /(?<![\p{L}])(book|schedule|set up|arrange)(?![\p{L}]).{0,30}(demo|call|meeting)|(?<![\p{L}])(demo|appointment|calendar)(?![\p{L}])/iu;
const BARE_STOP = /^\s*(stop|unsubscribe|quit|cancel)\s*[.!]*\s*$/i;
const EMAIL = /[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}/i;

/** What a visitor's message asks for, most binding first: a stop outranks everything, a person outranks an answer. */
export function chatIntent(text: string, competitors: readonly string[] = []): { intent: ChatIntent; judgement: ReplyJudgement } {
  const judgement = judgeReply(text, competitors);
  if (judgement.intent === "unsubscribe" || BARE_STOP.test(text)) return { intent: "stop", judgement };
  if (PERSON.test(text)) return { intent: "person", judgement };
  if (EMAIL.test(text)) return { intent: "contact_given", judgement };
  if (BOOKING.test(text)) return { intent: "booking", judgement };
  if (judgement.intent === "pricing" || judgement.buyingIntent === "pricing") return { intent: "pricing", judgement };
  return { intent: "question", judgement };
}

const STOPWORDS = new Set(
  "about after again also and any are can could does for from have how into is it its just like more much need not our out please that the their them then there these they this what when where which who why will with would you your yours want know tell".split(
    " ",
  ),
);

/** A word's stem for matching: long enough to tell words apart, short enough to join "integrate" and "integration". */
const stems = (text: string) => new Set((text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []).filter((w) => !STOPWORDS.has(w)).map((w) => w.slice(0, 6)));

/**
 * Whether a passage answers the question well enough to quote: it shares more than half of
 * the question's content words (two at least when the question has more than two). The
 * full-text search ranks any shared word; an answer needs more than one stray word in common.
 */
export function answers(question: string, passage: Passage): boolean {
  const asked = stems(question);
  if (asked.size === 0) return false;
  const held = stems(`${passage.title} ${passage.text}`);
  const shared = [...asked].filter((w) => held.has(w)).length;
  return shared >= Math.min(2, asked.size) && shared / asked.size > 0.5;
}

export interface ChatAnswer {
  text: string;
  sources: { title: string }[];
}

/** The first passage that answers, as the owner wrote it (title and whole sentences); null when none does. */
export function passageAnswer(question: string, passages: Passage[], relevant = answers): ChatAnswer | null {
  for (const passage of passages) {
    if (!relevant(question, passage)) continue;
    const paragraph = passageParagraph(passage);
    if (paragraph) return { text: paragraph, sources: [{ title: passage.title }] };
  }
  return null;
}

/** The pricing passage answers a pricing question whatever words it shares: the owner filed it as pricing. */
export function pricingAnswer(passage: Passage | undefined): ChatAnswer | null {
  const paragraph = passage && passageParagraph(passage);
  return paragraph ? { text: paragraph, sources: [{ title: passage.title }] } : null;
}

export const NO_ANSWER = "I don't know that from what we've written down, and I'd rather not guess. I can get a person who knows to answer you.";
export const NO_BOOKING_LINK = "I can't book a time here, but a person can set it up with you.";
export const ASK_FOR_FORM = "Thanks! To have a person follow up, please use the small form below so we record how you'd like us to contact you.";
export const STOP_ANSWER = "Understood: we won't contact you again.";
export const STOP_UNPROVEN = "Understood: I won't open this chat by myself again. I've passed your request on to the team.";
export const PERSON_WITHOUT_LEAD = "Happy to get a person. Leave your email or phone below and someone will answer you.";
export const PERSON_UNPROVEN = "I've passed your request on to the team: someone will answer you here.";
export const REP_WILL_ANSWER = "A person has this conversation now and will answer here.";

const WEEKDAY_NAMES = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** Whether a person can answer now, in the business's zone; no hours set: always. */
export function withinHours(hours: ChatHours | null, timeZone: string, now: number): boolean {
  if (!hours) return true;
  const local = localParts(now, timeZone);
  const minute = local.hour * 60 + local.minute;
  return hours.days.includes(local.weekday) && minute >= minutesOf(hours.start) && minute < minutesOf(hours.end);
}

/** What the visitor is told when the chat is handed to a person: soon, or when the team's hours begin. */
export function handOffNotice(hours: ChatHours | null, timeZone: string, now: number): string {
  if (withinHours(hours, timeZone, now)) return "I've asked a person to take over. They'll answer you here, or by email if you've left.";
  const days = [...hours!.days].sort((a, b) => a - b);
  const span =
    days.length > 1 && days.at(-1)! - days[0]! === days.length - 1 ? `${WEEKDAY_NAMES[days[0]!]}–${WEEKDAY_NAMES[days.at(-1)!]}` : days.map((d) => WEEKDAY_NAMES[d]).join(", ");
  return `I've passed this to the team. Nobody is in right now: someone will answer during our hours (${span}, ${hours!.start}–${hours!.end} ${timeZone}), by email if you've left.`;
}
