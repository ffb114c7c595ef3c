import type { Passage } from "../../schemas/knowledge";
import { URL_PATTERN } from "../drafting/draft-guardrails";

/**
 * What a model's chat answer must not do before a visitor reads it: run long, bring a link
 * or a number that neither the owner's passages nor the lead's own history state, or speak
 * for the owner beyond them. Pure; an answer with a problem is never shown: the retrieval
 * answer (or "I'll get someone who knows") stands in.
 */

export const CHAT_ANSWER_MAX = 700;
/** What the model says when the passages do not answer: the chat then offers a person. */
export const NOT_IN_PASSAGES = "NOT_IN_PASSAGES";

const NUMBER = /\d[\d,]*(?:\.\d+)?/g;
const numbersIn = (text: string) => (text.replace(URL_PATTERN, " ").match(NUMBER) ?? []).map((n) => n.replace(/,/g, "").replace(/\.0+$/, ""));

export function checkChatAnswer(answer: string, passages: Passage[], history: string[]): string[] {
  const problems: string[] = [];
  if (!answer.trim()) problems.push("the answer is empty");
  if (answer.includes(NOT_IN_PASSAGES)) problems.push("the passages do not answer the question");
  if (answer.length > CHAT_ANSWER_MAX) problems.push(`the answer is ${answer.length} characters; at most ${CHAT_ANSWER_MAX}`);
  const grounds = [...passages.map((p) => `${p.title} ${p.text}`), ...history];
  const urls = new Set(grounds.flatMap((g) => g.match(URL_PATTERN) ?? []));
  for (const url of new Set(answer.match(URL_PATTERN) ?? [])) if (!urls.has(url)) problems.push(`the link ${url} is in no passage`);
  const grounded = new Set(grounds.flatMap(numbersIn));
  const invented = [...new Set(numbersIn(answer))].filter((n) => !grounded.has(n));
  if (invented.length > 0) problems.push(`it states ${invented.map((n) => `"${n}"`).join(", ")}, which no passage states`);
  return problems;
}
