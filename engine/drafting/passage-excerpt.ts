import type { Passage } from "../../schemas/knowledge";
import { URL_PATTERN } from "./draft-guardrails";

/**
 * The owner's knowledge as a rules draft weaves it in: the passage's title, then its whole
 * sentences up to a short paragraph's length. Sentences with a link are left out, since a
 * draft may carry only the template's links; every number in it comes from the passage, so
 * the guardrails accept it.
 */

const EXCERPT_CHARS = 400;

/** One paragraph for the draft, or null when the passage has no sentence it can carry. */
export function passageParagraph(passage: Passage): string | null {
  const sentences = passage.text
    .replace(/\s+/g, " ")
    .trim()
    .split(/(?<=[.!?])\s+/)
    .filter((sentence) => !new RegExp(URL_PATTERN.source, "i").test(sentence));
  let excerpt = "";
  for (const sentence of sentences) {
    const longer = excerpt ? `${excerpt} ${sentence}` : sentence;
    if (longer.length > EXCERPT_CHARS) break;
    excerpt = longer;
  }
  // A first sentence longer than a paragraph is cut at a word and marked as cut.
  if (!excerpt && sentences[0]) excerpt = `${sentences[0].slice(0, EXCERPT_CHARS).replace(/\s+\S*$/, "")}…`;
  if (!excerpt) return null;
  const title = passage.title.trim().replace(/[.:;,\s]+$/, "");
  return `${title}: ${excerpt}`;
}
