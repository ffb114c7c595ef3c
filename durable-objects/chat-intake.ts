import type { CountryCode } from "libphonenumber-js/max";
import { CHANNEL_CONSENT_TEXT, type ChatClientMessage } from "../schemas/chat";
import { withinLimit } from "../services/rate-limit";
import { captureFieldsSchema } from "../schemas/capture";
import type { ConversationRow } from "../schemas/d1";
import type { Submission } from "../schemas/lead";
import { admitPost } from "../services/lead-intake";
import { broadcast, projectConversation, proven, send, siteChat, type ChatHost } from "./chat-host";
import { appendChat, clearChat, conversationFor, conversationLines, markCreatedBy, type ChatLine, type SocketFacts } from "./chat-storage";

/**
 * An unknown visitor becomes a lead in chat: the details they typed in the chat's own small
 * form (beside the site's consent line) enter through the same intake as a form post, and
 * the conversation moves to the lead's object; the visitor's object keeps nothing of it.
 */

/** The chat's post, as the lead's timeline and consent records name it. */
const CHAT_FORM_ID = "chat";

export interface MovedChat {
  conversation: ConversationRow;
  lines: ChatLine[];
  visitor: string;
  /** The lead was created by this chat: the visitor may see its history (the contract's trust rule). */
  created: boolean;
}

export async function giveContact(
  host: ChatHost,
  ws: WebSocket,
  facts: Extract<SocketFacts, { role: "visitor" }>,
  frame: Extract<ChatClientMessage, { t: "contact" }>,
): Promise<void> {
  if (host.lead() !== null) return send(ws, { t: "error", code: "known", message: "We already have your details." });
  const { env } = host.seams;
  const fields = captureFieldsSchema(env.DEFAULT_PHONE_REGION.toUpperCase() as CountryCode).safeParse({ email: frame.email, phone: frame.phone, name: frame.name });
  if (!fields.success)
    return send(ws, { t: "error", code: "invalid_contact", message: fields.error.issues.map((i) => `${i.path.join(".") || "contact"} ${i.message}`).join("; ") });
  // A lead made in chat is a form post: the same per-address limit, and the same flood hold per site.
  if (facts.client && !(await withinLimit(env.FORM_POSTS_PER_CLIENT, facts.client))) {
    return send(ws, { t: "error", code: "rate_limited", message: "Too many details sent from your connection in the last minute: try again in a minute." });
  }
  const flooded = !(await withinLimit(env.FORM_POSTS_PER_FORM, `chat:${facts.site}`));
  const chat = await siteChat(host, facts.site);
  const now = host.seams.clock.now();
  const conversation = conversationFor(host.sql, facts.site, facts.visitor, null, now, () => crypto.randomUUID());
  const lines = conversationLines(host.sql, conversation.id);
  const { email, phone, name } = fields.data;
  const submission: Submission = {
    formId: CHAT_FORM_ID,
    receivedAt: now,
    profile: { ...(email ? { email } : {}), ...(phone ? { phone } : {}), ...(name ? { name } : {}), source: "chat" },
    ...(lines.some((l) => l.from === "visitor") ? { message: lines.filter((l) => l.from === "visitor").at(-1)!.text } : {}),
    // The box beside the chat's form, recorded with its wording as a form's ticked checkbox is; unticked records nothing, as on a form.
    // Its line speaks of email: texts and WhatsApp need their own consent, asked with the channel question and its own words.
    consent: frame.consent && email ? { email: true } : {},
    ...(frame.consent && email ? { consentWording: { email: chat.consentText } } : {}),
    lawfulBasis: frame.consent ? "consent" : "legitimate_interest",
    utm: {},
    custom: {},
    ...(facts.page ? { page: facts.page } : {}),
  };
  const hold = flooded ? "chat flood: the site's chat took more leads this minute than FORM_POSTS_PER_FORM allows" : undefined;
  const { leadId, created, linked } = await admitPost(env, { sequenceId: chat.sequenceId, submission, hold, visitorId: facts.visitor });
  const moved: MovedChat = { conversation: { ...conversation, leadId, captured: created }, lines, visitor: facts.visitor, created };
  await env.LEADS.getByName(leadId).adoptChat(moved);
  if (!(await linked)) {
    // The lead has another browser: this one is not linked, so the chat stays here (its words are on the lead's timeline).
    await host.commit(null, () => projectConversation(host, moved.conversation, now));
    return send(ws, { t: "answer", from: "assistant", text: "Thanks! We'll get back to you." });
  }
  await host.commit(null, () => {
    projectConversation(host, moved.conversation, now);
    clearChat(host.sql);
  });
  broadcast(host, "visitor", { t: "moved" });
  for (const socket of host.ctx.getWebSockets("visitor")) socket.close(1000, "moved");
}

/** The lead's side of a move: the conversation's messages go on its timeline (and its chat), its row now names the lead. */
export async function adoptChat(host: ChatHost, moved: MovedChat): Promise<void> {
  const { conversation, lines, visitor, created } = moved;
  // A second move of the same conversation (a retried contact frame) adds nothing twice.
  if (host.sql.exec("SELECT 1 FROM chat_message WHERE conversation_id = ? LIMIT 1", conversation.id).toArray().length > 0) return;
  for (const line of lines) {
    await host.commit(
      { kind: "chat_message", from: line.from, text: line.text, siteOrigin: conversation.siteOrigin, conversationId: conversation.id, proof: created ? "chat" : "none" },
      () => appendChat(host.sql, conversation.id, line),
    );
  }
  await host.commit(null, () => {
    if (created) markCreatedBy(host.sql, visitor, conversation.id);
    projectConversation(host, conversation, host.seams.clock.now());
  });
}

const CHANNEL_WORDS = { email: "email", sms: "text message", whatsapp: "WhatsApp" } as const;

/**
 * The channel the lead prefers, with the consent line shown beside the choice. Only a chat
 * that proved the visitor is the lead may set it: it steers what the lead receives.
 */
export async function chooseChannel(
  host: ChatHost,
  ws: WebSocket,
  facts: Extract<SocketFacts, { role: "visitor" }>,
  frame: Extract<ChatClientMessage, { t: "channel" }>,
): Promise<void> {
  const lead = host.lead();
  if (!lead || !proven(facts)) return send(ws, { t: "error", code: "not_allowed", message: "Leave your details first." });
  // Only a channel the lead can be reached on: consent to texts means nothing without a number.
  if (!(frame.channel === "email" ? lead.profile.email : lead.profile.phone)) {
    return send(ws, { t: "error", code: "not_reachable", message: `We have no ${frame.channel === "email" ? "email address" : "phone number"} for you.` });
  }
  if (!frame.consent) return send(ws, { t: "answer", from: "assistant", text: "No problem: we'll keep to how you contacted us." });
  // The choice and the consent to be reached that way, in the words the widget showed beside it (a recorded answer stands).
  // Consent first: a preference is never on record without it.
  await host.commit({ kind: "consent_given", channel: frame.channel, method: "chat", wording: CHANNEL_CONSENT_TEXT, page: facts.site });
  await host.commit({ kind: "channel_preferred", channel: frame.channel, wording: CHANNEL_CONSENT_TEXT, siteOrigin: facts.site });
  send(ws, { t: "answer", from: "assistant", text: `Thanks: we'll reach you by ${CHANNEL_WORDS[frame.channel]} from now on.` });
}
