import type { Change, HumanSignal, LeadEvent } from "../lead/lead-state";
import { effect, log } from "../lead/lead-change";
import { optOut } from "../lead/lead-lifecycle";
import { chatIntent } from "./chat-answer";

/**
 * A message of a site chat on the lead's timeline. The visitor's words are a human signal
 * judged like a reply (buying intent, a decision-maker, a competitor, "stop") only when the
 * chat proved the visitor is the lead (a click ticket, or the lead was created in this chat):
 * a form post links anyone's browser to an address, so an unproven chat adds words to the
 * timeline and changes nothing else. A chat message does not pause the lead's sequence (a
 * question in chat is not an answer to a touch); a hand-off from chat does, as any hand-off.
 */

export type ChatMessageEvent = Extract<LeadEvent, { kind: "chat_message" }>;

const MAX_HUMAN_SIGNALS = 100;

export function receiveChatMessage(change: Change, event: ChatMessageEvent, now: number, competitors: readonly string[]): Change {
  const { from, text, siteOrigin, conversationId, proof } = event;
  const c = log(change, now, { kind: "chat_message", from, text, siteOrigin, conversationId, ...(from === "visitor" ? { proof } : {}) });
  if (from !== "visitor") return c;
  // The same reading that chooses the chat's answer: what the visitor was told is what happens.
  const { intent, judgement } = chatIntent(text, competitors);
  if (proof !== "ticket" && proof !== "chat") {
    // Neither an opt-out nor a hand-off (which pauses the lead) on a form post's word: the owner is told, and decides.
    const unproven = "the chat has no proof the visitor is the lead (their browser was linked by a form post)";
    if (intent === "stop") {
      return effect(c, {
        kind: "alert",
        reason: "notice",
        message: `Someone chatting on ${siteOrigin} as this lead asked to stop: “${text.slice(0, 300)}”. The lead was not opted out: ${unproven}. The chat no longer opens by itself in that browser.`,
      });
    }
    if (intent === "person") {
      return effect(c, {
        kind: "alert",
        reason: "notice",
        message: `Someone chatting on ${siteOrigin} as this lead asked for a person: “${text.slice(0, 300)}”. No hand-off was made and automation was not paused: ${unproven}. You can answer in the chat from the lead's page.`,
      });
    }
    return c;
  }
  const signal: HumanSignal = { seq: c.state.lastSeq, at: now, kind: "chat", judgement };
  const signalled: Change = {
    ...c,
    state: { ...c.state, lastActivityAt: Math.max(c.state.lastActivityAt, now), humanSignals: [...c.state.humanSignals, signal].slice(-MAX_HUMAN_SIGNALS) },
  };
  return intent === "stop"
    ? optOut(
        signalled,
        "email",
        "reply",
        now,
        `said “${text.slice(0, 120)}” in the chat on ${siteOrigin} (${proof === "chat" ? "the lead was created in this chat" : "click-ticket proof"})`,
      )
    : signalled;
}

/**
 * The channel a proven lead chose in chat (the object refuses an unproven chat's choice):
 * kept with its evidence, it narrows a step that offers several channels to that one
 * (touch-dispatch.ts). It grants no consent a channel lacks: SMS still needs its own.
 */
export function preferChannel(change: Change, event: Extract<LeadEvent, { kind: "channel_preferred" }>, now: number): Change {
  const { channel, wording, siteOrigin } = event;
  return { ...change, state: { ...change.state, preferredChannel: { channel, at: now, method: "chat", wording, siteOrigin } } };
}
