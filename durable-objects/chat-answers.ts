import {
  ASK_FOR_FORM,
  chatIntent,
  handOffNotice,
  NO_ANSWER,
  NO_BOOKING_LINK,
  passageAnswer,
  PERSON_UNPROVEN,
  PERSON_WITHOUT_LEAD,
  pricingAnswer,
  STOP_ANSWER,
  STOP_UNPROVEN,
  type ChatAnswer,
} from "../engine/chat/chat-answer";
import { leadHistory, returnFacts, returnGreeting } from "../engine/chat/return-greeting";
import { withinLimit } from "../services/rate-limit";
import { CHANNEL_CONSENT_TEXT, type ChatAction, type ChatServerMessage, type PreferredChannel } from "../schemas/chat";
import type { Passage } from "../schemas/knowledge";
import { modelAnswer, modelGreeting } from "../services/ai/chat-answer";
import { bestPassageOf, retrievePassages } from "../services/d1/knowledge";
import type { SocketFacts } from "./chat-storage";
import { markConversation, proven, siteChat, type ChatHost } from "./chat-host";
import { readMeta, writeMeta } from "./lead-storage";

/**
 * What the chat says: the greeting on connect and the answer to each message. The lead's
 * history is used only where the chat proved the visitor is the lead (a click ticket, or
 * the lead was created in this chat); otherwise only what this conversation was told and
 * the owner's knowledge. A model, where bound, words answers from the same grounds and is
 * held to the guardrails; whatever it fails, the retrieval answer stands.
 */

type VisitorFacts = Extract<SocketFacts, { role: "visitor" }>;

function actionsFor(host: ChatHost, bookingUrl: string, consentText: string, wanted: ("book" | "contact")[]): ChatAction[] {
  const actions: ChatAction[] = [];
  if (wanted.includes("book") && bookingUrl) actions.push({ kind: "book", url: bookingUrl });
  // Someone we cannot reach yet is offered the contact form, with the consent line it records.
  if (wanted.includes("contact") && host.lead() === null) actions.push({ kind: "contact", consentText });
  return actions;
}

const withActions = (answer: ChatAnswer, actions: ChatAction[]): Extract<ChatServerMessage, { t: "answer" }> => ({
  t: "answer",
  from: "assistant",
  text: answer.text,
  ...(answer.sources.length ? { sources: answer.sources } : {}),
  ...(actions.length ? { actions } : {}),
});

/** A returning lead the chat may know is greeted from its history; anyone else gets the site's greeting. */
export async function greetVisitor(host: ChatHost, facts: VisitorFacts): Promise<ChatServerMessage> {
  const [chat, settings] = await Promise.all([siteChat(host, facts.site), host.settings()]);
  const actions = actionsFor(host, settings.bookingUrl, chat.consentText, ["book", "contact"]);
  const known = host.lead() !== null && proven(facts);
  const recalled = known ? returnFacts(host.timeline()) : {};
  const model = known ? host.seams.languageModel(settings, "chat") : null;
  const text =
    (model && (await modelGreeting(model, recalled, host.seams.chatTimeoutMs))) ?? (known ? returnGreeting(recalled, settings.bookingUrl !== "") : null) ?? chat.greeting;
  const channels = facts.proof === "chat" ? await channelQuestion(host) : [];
  return { t: "greeting", text, ...(actions.length || channels.length ? { actions: [...actions, ...channels] } : {}) };
}

const CHANNEL_ASKED = "chat:channel_asked";

/** Once, to a lead just created in chat that can be reached more than one way: which channel it prefers. */
async function channelQuestion(host: ChatHost): Promise<ChatAction[]> {
  const lead = host.lead();
  if (!lead || lead.preferredChannel || readMeta(host.sql, CHANNEL_ASKED)) return [];
  const options: PreferredChannel[] = [...(lead.profile.email ? (["email"] as const) : []), ...(lead.profile.phone ? (["sms", "whatsapp"] as const) : [])];
  if (options.length < 2) return [];
  await host.commit(null, () => writeMeta(host.sql, CHANNEL_ASKED, String(host.seams.clock.now())));
  return [{ kind: "channel", options, consentText: CHANNEL_CONSENT_TEXT }];
}

/** The answer to a visitor's message (already recorded); a request for a person hands the lead off. */
export async function answerVisitor(host: ChatHost, facts: VisitorFacts, text: string): Promise<ChatServerMessage> {
  const [chat, settings] = await Promise.all([siteChat(host, facts.site), host.settings()]);
  const lead = host.lead();
  const { bookingUrl } = settings;
  const plain = (words: string, wanted: ("book" | "contact")[] = []) => withActions({ text: words, sources: [] }, actionsFor(host, bookingUrl, chat.consentText, wanted));
  switch (chatIntent(text).intent) {
    case "stop":
      // The engine already opted a proven lead out (or alerted the owner) when the message was recorded.
      return { ...plain(lead && proven(facts) ? STOP_ANSWER : STOP_UNPROVEN), quiet: true };
    case "person": {
      if (!lead) return plain(PERSON_WITHOUT_LEAD, ["contact"]);
      // A hand-off pauses the lead: an unproven chat may not (the engine alerted the owner when the message was recorded).
      if (!proven(facts)) return plain(PERSON_UNPROVEN);
      const now = host.seams.clock.now();
      const destination = chat.handOffEmail ? { email: chat.handOffEmail } : {};
      await host.commit({ kind: "hand_off_requested", reason: `asked for a person in the site chat on ${facts.site}`, ...destination }, () =>
        markConversation(host, { handedOff: true }, now),
      );
      return { t: "handed_off", text: handOffNotice(chat.hours, settings.businessTimezone, now) };
    }
    case "contact_given":
      if (!lead) return plain(ASK_FOR_FORM, ["contact"]);
      break;
    case "booking":
      return bookingUrl ? plain("Pick any time that suits you in our calendar.", ["book"]) : plain(NO_BOOKING_LINK, ["contact"]);
    case "pricing": {
      const passage = await bestPassageOf(host.seams.env.DB, "pricing", text);
      const answer = passage && ((await grounded(host, facts, text, [passage])) ?? pricingAnswer(passage));
      if (answer) return withActions(answer, actionsFor(host, bookingUrl, chat.consentText, ["book"]));
      break;
    }
    case "question":
      break;
  }
  const passages = await retrievePassages(host.seams.env.DB, text, { limit: 3 });
  const answer = (await grounded(host, facts, text, passages)) ?? passageAnswer(text, passages);
  return answer ? withActions(answer, []) : plain(NO_ANSWER, ["contact"]);
}

/** The model's answer from the passages (and, where the chat may use it, the lead's history); null without a model or when it strays. */
async function grounded(host: ChatHost, facts: VisitorFacts, question: string, passages: Passage[]): Promise<ChatAnswer | null> {
  const model = host.seams.languageModel(await host.settings(), "chat");
  if (!model || passages.length === 0) return null;
  // A stranger's sockets cost the owner model calls: past a per-address bound, the knowledge-base answer stands alone.
  if (!proven(facts) && facts.client && !(await withinLimit(host.seams.env.CHAT_ANSWERS_PER_CLIENT, facts.client))) return null;
  const history = host.lead() && proven(facts) ? leadHistory(host.timeline()) : [];
  return modelAnswer(model, question, passages, history, host.seams.chatTimeoutMs);
}
