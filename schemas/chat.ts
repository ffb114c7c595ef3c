import { z } from "zod";
import { SequenceIdSchema } from "./sequence";
import { DEFAULT_SEQUENCE_ID } from "./sequence-presets";

/**
 * Site chat: the owner's settings per site, and the messages the widget and the dashboard
 * exchange with a lead's object over a WebSocket. Every message from a browser is a
 * stranger's: parsed here, bounded, never trusted to name a lead.
 */

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "a time as HH:MM" });

/** When the widget opens by itself; each rule is off when absent. Never more than once per visit. */
export const ChatOpenRulesSchema = z.object({
  /** A visitor the engine already knows as a lead comes back. */
  returningLead: z.boolean().default(false),
  /** The visitor's Nth view of a pricing page (counted in this browser). */
  pricingViews: z.number().int().min(1).max(20).nullable().default(null),
  /** N seconds on a page of this class. */
  secondsOnPage: z
    .object({ pageClass: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/), seconds: z.number().int().min(1).max(3600) })
    .nullable()
    .default(null),
});
export type ChatOpenRules = z.infer<typeof ChatOpenRulesSchema>;

/** Hours a person can answer, in the business timezone; outside them the hand-off says when someone will. */
export const ChatHoursSchema = z
  .object({
    /** ISO weekdays, 1 = Monday. */
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7),
    start: clock,
    end: clock,
  })
  .refine((h) => h.start < h.end, { error: "the hours must start before they end", path: ["end"] });
export type ChatHours = z.infer<typeof ChatHoursSchema>;

export const ChatSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  /** The first line for a visitor the engine does not know yet; a known lead gets a greeting from its history. */
  greeting: z.string().trim().min(1).max(300).default("Hi! Ask me anything about us, or leave your email and we'll get back to you."),
  openOn: ChatOpenRulesSchema.default({ returningLead: false, pricingViews: null, secondsOnPage: null }),
  hours: ChatHoursSchema.nullable().default(null),
  /** Where a chat hand-off goes; null: the deployment's hand-off destination (Settings). */
  handOffEmail: z.email().max(254).nullable().default(null),
  /** The consent line the widget shows beside its contact form, recorded with the consent as a form's box is. */
  consentText: z.string().trim().min(10).max(500).default("Email me about my question. I can unsubscribe at any time."),
  /** The sequence a lead who gives their details in chat enters, as a form's does; null enters none. */
  sequenceId: SequenceIdSchema.nullable().default(DEFAULT_SEQUENCE_ID),
});
export type ChatSettings = z.infer<typeof ChatSettingsSchema>;
export const CHAT_OFF: ChatSettings = ChatSettingsSchema.parse({});

/**
 * The object an unknown visitor chats with: the same class as a lead's, holding only the
 * conversation until the visitor gives their details and it moves to the lead's object.
 */
export const visitorChatName = (siteOrigin: string, visitorId: string) => `visitor-chat:${siteOrigin.toLowerCase()}|${visitorId}`;

/** How the edge tied a visitor to a lead: a signed click ticket proves it; a form post only claims it. */
export type VisitorProof = "ticket" | "form" | "none";

/** The longest message a visitor or a rep may send; chat is for questions, not documents. */
export const CHAT_TEXT_MAX = 2000;
const text = z.string().trim().min(1).max(CHAT_TEXT_MAX);

/** A preferred channel for later touches, asked once in chat. */
export const PreferredChannelSchema = z.enum(["email", "sms", "whatsapp"]);
export type PreferredChannel = z.infer<typeof PreferredChannelSchema>;

/** What the widget sends. */
export const ChatClientMessageSchema = z.discriminatedUnion("t", [
  /** First frame on every connection: where the visitor is. */
  z.object({ t: z.literal("hello"), page: z.url({ protocol: /^https?$/ }).max(2048), title: z.string().max(300).optional() }),
  z.object({ t: z.literal("say"), text }),
  /** The visitor gives details in the chat's own small form, which shows the consent wording. */
  z.object({
    t: z.literal("contact"),
    email: z.email().max(254).optional(),
    phone: z.string().max(40).optional(),
    name: z.string().trim().max(120).optional(),
    /** The visitor ticked the consent line the widget showed. */
    consent: z.boolean(),
  }),
  z.object({ t: z.literal("channel"), channel: PreferredChannelSchema, consent: z.boolean() }),
]);
export type ChatClientMessage = z.infer<typeof ChatClientMessageSchema>;

/** Something the widget offers under an answer. */
export type ChatAction = { kind: "book"; url: string } | { kind: "contact"; consentText: string } | { kind: "channel"; options: PreferredChannel[]; consentText: string };

/** The line beside the channel question: ticked, it is the consent recorded for the channel chosen, in these words. */
export const CHANNEL_CONSENT_TEXT = "You may contact me this way about my question. I can opt out at any time (reply STOP to a text or WhatsApp message).";

/** What the widget receives. */
export type ChatServerMessage =
  | { t: "greeting"; text: string; actions?: ChatAction[] }
  /** `quiet`: the visitor asked to stop; the widget never opens by itself again in this browser. */
  | { t: "answer"; text: string; from: "assistant" | "rep"; sources?: { title: string }[]; actions?: ChatAction[]; quiet?: true }
  | { t: "handed_off"; text: string }
  /** The visitor became a lead: reconnect, and the conversation continues in the lead's object. */
  | { t: "moved" }
  | { t: "error"; code: string; message: string };

/** What a rep's dashboard socket receives and sends. */
export type RepChatServerMessage = { t: "message"; from: "visitor" | "assistant" | "rep"; text: string; at: number } | { t: "error"; code: string; message: string };
export const RepChatClientMessageSchema = z.object({ t: z.literal("say"), text });
