import type { TimelineEntry } from "../../schemas/lead";

/**
 * The first line for a returning lead the chat may know (click-ticket proof, or a lead
 * created in this chat): what it last looked at on the site and the last thing it asked,
 * from its own timeline. Only facts the timeline holds; a model may reword them
 * (services/ai/chat-answer.ts), never add to them.
 */

export interface ReturnFacts {
  /** The page the lead cared most about lately: a pricing or demo page first, else the latest. */
  page?: { pageClass: string | null; title?: string };
  /** The lead's last question, in its own words (chat, reply or form message), shortened. */
  asked?: string;
}

const TELLING_CLASSES = ["pricing", "demo", "case-study", "features", "integrations"];

/** The lead's own recent words, as it wrote them: chat messages, replies, form messages. */
function lastWords(entry: TimelineEntry): string | undefined {
  if (entry.kind === "chat_message" && entry.from === "visitor") return entry.text;
  if (entry.kind === "reply_received") return entry.text;
  if (entry.kind === "form_submitted") return entry.submission.message;
  return undefined;
}

/** A short quote: its first sentence, at most 80 characters, cut at a word. */
function shortQuote(text: string): string {
  const first =
    text
      .replace(/\s+/g, " ")
      .trim()
      .split(/(?<=[.!?])\s/)[0] ?? "";
  const cut = first.length > 80 ? `${first.slice(0, 80).replace(/\s+\S*$/, "")}…` : first;
  return cut.replace(/[.!?]+$/, "");
}

export function returnFacts(timeline: TimelineEntry[]): ReturnFacts {
  const views = timeline.filter((e): e is Extract<TimelineEntry, { kind: "page_viewed" }> => e.kind === "page_viewed" && e.verdict === "human").slice(-10);
  const telling = [...views].reverse().find((v) => TELLING_CLASSES.includes(v.pageClass ?? "")) ?? views.at(-1);
  const said = [...timeline]
    .reverse()
    .map(lastWords)
    .find((w) => w?.trim());
  return {
    ...(telling ? { page: { pageClass: telling.pageClass, ...(telling.title ? { title: telling.title } : {}) } } : {}),
    ...(said ? { asked: shortQuote(said) } : {}),
  };
}

/** The deterministic greeting; null when the timeline holds nothing to recall (the site's greeting then). */
export function returnGreeting(facts: ReturnFacts, canBook: boolean): string | null {
  const { page, asked } = facts;
  if (!page?.pageClass && !page?.title && !asked) return null;
  const looked = page?.pageClass ? `looking at our ${page.pageClass.replace(/-/g, " ")} page` : page?.title ? `reading “${page.title}”` : undefined;
  const recalled = [looked && `you were ${looked}`, asked && `you asked “${asked}”`].filter(Boolean).join(" and ");
  const offer = canBook ? "Want me to walk you through it, or are you ready to book a demo?" : "Want me to walk you through it?";
  return `Welcome back. Last time ${recalled}. ${offer}`;
}

/**
 * The lead's own history as short lines for a model's answer: pages seen, emails opened,
 * earlier chats and replies (the latest few of each). Only for a chat that may reveal it.
 */
export function leadHistory(timeline: TimelineEntry[]): string[] {
  const pages = timeline.flatMap((e) => (e.kind === "page_viewed" && e.verdict === "human" ? [`viewed ${e.pageClass ? `the ${e.pageClass} page` : (e.title ?? "a page")}`] : []));
  const opened = timeline.filter((e) => e.kind === "email_opened" && e.verdict === "human").length;
  const said = timeline.flatMap((e) => {
    const words = lastWords(e);
    return words ? [`${e.kind === "chat_message" ? "asked in chat" : e.kind === "reply_received" ? "replied" : "wrote on a form"}: “${shortQuote(words)}”`] : [];
  });
  return [...[...new Set(pages)].slice(-4), ...(opened > 0 ? [`opened our emails ${opened} time${opened === 1 ? "" : "s"}`] : []), ...said.slice(-4)];
}
