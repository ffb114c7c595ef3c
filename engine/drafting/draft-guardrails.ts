import type { DraftContent, DraftRequest, LeadFact } from "./draft-types";
import type { Passage } from "../../schemas/knowledge";

/**
 * What a draft must not do before it may stand in for the owner's template: run long for
 * its channel, leave a placeholder, drop the booking link from a booking ask, bring links
 * or numbers from nowhere, or claim the lead did something the signals do not show.
 * Pure; every problem is worded so it can be handed back to the model on the retry.
 */

export const SMS_MAX = 320;
export const SUBJECT_MAX = 120;
const BODY_MIN_ALLOWANCE = 1_500;

export const URL_PATTERN = /\bhttps?:\/\/[^\s<>"')\]]+/gi;
const PLACEHOLDER =
  /\{\{|\}\}|\[[^\]\n]{0,40}\b(?:name|company|link|url|date|time|insert|placeholder|your)\b[^\]\n]{0,40}\]|<(?:first_?name|name|company|link|url)>|\bX{2,}\b|\bTBD\b|\bLorem ipsum\b/i;
const NUMBER_PATTERN = /\d[\d,]*(?:\.\d+)?/g;

/** The second person doing something we could only know from tracking, and which signal would show it. */
const BEHAVIOUR_CLAIMS: { pattern: RegExp; needs: LeadFact["kind"] | "never" }[] = [
  { pattern: /\byou(?:'ve| have| had)?\s+(?:already\s+|recently\s+|just\s+)?(?:opened|read)\b/i, needs: "open" },
  { pattern: /\byou(?:'ve| have| had)?\s+(?:already\s+|recently\s+|just\s+)?(?:clicked|downloaded)\b/i, needs: "click" },
  {
    pattern:
      /\byou(?:'ve| have| had| were)?\s+(?:already\s+|recently\s+|just\s+)?(?:visit|view|look|check|brows|spen[dt]|return|came back|been (?:on|to|looking|reading|browsing))\w*/i,
    needs: "visit",
  },
  { pattern: /\byou(?:'ve| have| had)?\s+(?:already\s+|recently\s+|just\s+)?(?:watched|attended|signed up|registered)\b/i, needs: "never" },
  { pattern: /\b(?:saw|noticed|see|notice)\s+(?:that\s+)?you\b/i, needs: "visit" },
];

const sentencesOf = (text: string) => text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim() !== "");
const normalNumber = (n: string) => n.replace(/,/g, "").replace(/\.0+$/, "");
const numbersIn = (text: string) => (text.replace(URL_PATTERN, " ").match(NUMBER_PATTERN) ?? []).map(normalNumber);

/** Numbers the draft may state: those in the template, the retrieved passages, the lead's facts and profile. */
function groundedNumbers(request: DraftRequest, passages: Passage[]): Set<string> {
  const sources = [
    ...Object.values(request.template),
    ...Object.values(request.profile),
    ...passages.map((p) => `${p.title} ${p.text}`),
    ...request.facts.flatMap((f) => [String(f.count), String(f.engagedMinutes ?? "")]),
  ];
  return new Set(sources.flatMap((s) => (s ? numbersIn(s) : [])));
}

/** A claim about behaviour is grounded when a fact of its kind exists (and, for a named page class, a visit of that class). */
function unsupportedClaim(sentence: string, facts: LeadFact[]): string | null {
  for (const { pattern, needs } of BEHAVIOUR_CLAIMS) {
    if (!pattern.test(sentence)) continue;
    const shown = facts.filter((f) => f.kind === needs || (needs === "open" && f.kind === "click"));
    if (shown.length === 0) return sentence.trim();
    if (needs === "visit") {
      const named = facts.filter((f) => f.kind === "visit" && f.pageClass).map((f) => f.pageClass!.toLowerCase());
      const mentions = (sentence.toLowerCase().match(/\b(pricing|case[- ]stud\w*|demo|features?|blog|contact|about|careers?|docs?)\b/g) ?? []).map((w) => w.replace(/ /g, "-"));
      if (mentions.some((m) => !named.some((n) => n.startsWith(m.replace(/ies$|y$|s$/, ""))))) return sentence.trim();
    }
  }
  return null;
}

export function checkDraft(draft: DraftContent, request: DraftRequest, passages: Passage[]): string[] {
  const problems: string[] = [];
  const { template } = request;
  const wants = { subject: template.subject !== undefined, body: request.channels.includes("email"), sms: request.channels.includes("sms") };
  for (const field of ["subject", "body", "sms"] as const) {
    if (wants[field] && !draft[field]?.trim()) problems.push(`the ${field === "body" ? "email body" : field === "sms" ? "SMS text" : "subject"} is missing`);
  }
  if (draft.sms && draft.sms.length > SMS_MAX) problems.push(`the SMS text is ${draft.sms.length} characters; at most ${SMS_MAX}`);
  if (draft.subject && draft.subject.length > SUBJECT_MAX) problems.push(`the subject is ${draft.subject.length} characters; at most ${SUBJECT_MAX}`);
  if (draft.subject && /[\r\n]/.test(draft.subject)) problems.push("the subject has a line break");
  const bodyMax = Math.max(BODY_MIN_ALLOWANCE, Math.round((template.body?.length ?? 0) * 1.5));
  if (draft.body && draft.body.length > bodyMax) problems.push(`the email body is ${draft.body.length} characters; at most ${bodyMax}`);

  const written = [draft.subject, draft.body, draft.sms].filter((t): t is string => Boolean(t));
  const all = written.join("\n");
  if (PLACEHOLDER.test(all)) problems.push(`a placeholder is left unfilled: "${all.match(PLACEHOLDER)![0]}"`);

  const templateUrls = new Set([...Object.values(template).flatMap((t) => t?.match(URL_PATTERN) ?? []), ...(request.bookingUrl ? [request.bookingUrl] : [])]);
  for (const url of new Set(all.match(URL_PATTERN) ?? [])) {
    if (!templateUrls.has(url)) problems.push(`the link ${url} is not in the template`);
  }
  if (request.intent === "booking_ask" && request.bookingUrl) {
    if (draft.body && !draft.body.includes(request.bookingUrl)) problems.push(`the booking ask lacks the booking link ${request.bookingUrl}`);
    if (draft.sms && template.sms?.includes(request.bookingUrl) && !draft.sms.includes(request.bookingUrl)) problems.push(`the SMS lacks the booking link ${request.bookingUrl}`);
  }

  const grounded = groundedNumbers(request, passages);
  const invented = [...new Set(numbersIn(all))].filter((n) => !grounded.has(n));
  if (invented.length > 0) problems.push(`it states ${invented.map((n) => `"${n}"`).join(", ")}, which neither the template nor the knowledge base says`);

  for (const sentence of written.flatMap(sentencesOf)) {
    const claim = unsupportedClaim(sentence, request.facts);
    if (claim) problems.push(`it claims something the lead's signals do not show: "${claim.slice(0, 160)}"`);
  }
  return problems;
}
