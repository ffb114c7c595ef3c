/**
 * What the owner pastes or uploads into the knowledge base, made into the plain text its
 * passages are cut from. Markdown's marks would otherwise reach drafts as written ("**40%**"
 * in an email), and its links would be foreign links the draft guardrails refuse.
 */

export type DocumentFormat = "markdown" | "text";

/** Markdown as a reader sees it: headings as sentences, links and images as their words, no emphasis marks or fences. */
export function plainTextOfMarkdown(markdown: string): string {
  return markdown
    .replace(/\r\n?/g, "\n")
    .replace(/^[ \t]*(```|~~~).*$/gm, "")
    .replace(/^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$/gm, "")
    .replace(/^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$/gm, (_, heading: string) => (/[.!?:]$/.test(heading) ? heading : `${heading}.`))
    .replace(/^ {0,3}>[ \t]?/gm, "")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1")
    .replace(/^ {0,3}\[[^\]]+\]:[ \t]+\S+.*$/gm, "")
    .replace(/<\/?[a-z][^>]*>/gi, "")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, "$2")
    .replace(/(^|[^\w*])([*_])(?=\S)([^*_\n]*?\S)\2(?![\w*])/g, "$1$3")
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, "$1")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export const documentText = (text: string, format: DocumentFormat): string => (format === "markdown" ? plainTextOfMarkdown(text) : text);

/** A document id from its title: "Acme Roofing — case study" → "acme-roofing-case-study". */
export function documentIdOf(title: string): string {
  const slug = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 64)
    .replace(/-+$/, "");
  return slug || "document";
}
