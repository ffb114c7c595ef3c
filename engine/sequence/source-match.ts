import type { EmailTemplate } from "../../schemas/sequence";

/**
 * Which `bySource` variant of a step fits where the lead came from. The lead's first post
 * is its attribution: the form's `source`, then `utm_source`, `utm_medium`, `utm_campaign`,
 * then the landing page, in that order; the first value that names a variant wins. Values
 * and keys compare as slugs (lower case, every run of other characters a dash), so
 * `utm_source=Google_Ads` matches the key `google-ads`. The landing page names variants by
 * its path, the deepest segment first, each as `<segment>-page` and then `<segment>`
 * (`/pricing/` → `pricing-page`, `pricing`; the site root → `home-page`).
 */

/** Where the lead came from, as its first post said. */
export interface LeadOrigin {
  source?: string | undefined;
  utm?: Record<string, string> | undefined;
  /** The URL of the page the form was posted from. */
  page?: string | undefined;
}

const UTM_ORDER = ["utm_source", "utm_medium", "utm_campaign"] as const;

const slug = (value: string): string =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** The keys a landing page can match, most specific first. */
export function pageKeys(page: string): string[] {
  let path: string;
  try {
    path = new URL(page).pathname;
  } catch {
    return [];
  }
  const segments = path
    .split("/")
    .map((s) => slug(decodeSafely(s)))
    .filter(Boolean);
  if (segments.length === 0) return ["home-page"];
  return segments.toReversed().flatMap((segment) => [`${segment}-page`, segment]);
}

const decodeSafely = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** The candidate keys in matching order. */
export function originKeys(origin: LeadOrigin): string[] {
  const values = [origin.source, ...UTM_ORDER.map((name) => origin.utm?.[name])].filter((v): v is string => Boolean(v)).map(slug);
  return [...values, ...(origin.page ? pageKeys(origin.page) : [])].filter(Boolean);
}

/** The step's variant for this origin and the key it matched, or undefined when none fits. */
export function matchSource(bySource: Record<string, EmailTemplate> | undefined, origin: LeadOrigin): { key: string; template: EmailTemplate } | undefined {
  if (!bySource) return undefined;
  const variants = new Map(Object.entries(bySource).map(([key, template]) => [slug(key), { key, template }]));
  for (const candidate of originKeys(origin)) {
    const variant = variants.get(candidate);
    if (variant) return variant;
  }
  return undefined;
}
