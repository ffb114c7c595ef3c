import type { PageRule } from "../../schemas/tracking";

function globToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "i",
  );
}

/**
 * The class of the first rule whose pattern matches the page's path, or null. Pure, so the
 * edge (beacons) and the chat widget (its opening rules, in the visitor's browser) classify
 * a page the same way.
 */
export function classifyPage(rules: PageRule[], url: string): string | null {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return null;
  }
  return rules.find((rule) => globToRegExp(rule.pattern).test(path))?.class ?? null;
}
