import type { LeadProfile } from "../../schemas/lead";
import type { LeadState } from "../lead/lead-state";
import type { SequenceConfig } from "./sequence-config";
import type { MergeValues } from "./template";

/**
 * What of the lead's own words may appear in a message we send in the owner's name. Form
 * fields are written by strangers: a "first name" of "https://evil.example Urgent: verify
 * your account at" must not become our subject line and a tracked link. So a value is
 * merged only when it looks like what its field holds — a name, a company, a title — with
 * no link, address, markup, control or direction-changing character; anything else stays
 * on the lead for the owner to read and the template's fallback ("Hi there") goes instead.
 */

/** Link-like text a mail client or phone would turn into a link: schemes, www., any dotted domain, an address. */
const LINK_LIKE = /[a-z][a-z0-9+.-]*:\/\/|www\.|@|[\p{L}\p{N}-]+\.[\p{L}]{2,}(?![\p{L}])/iu;
/** C0/C1 controls and the bidirectional overrides and isolates that can make text read differently than it is. */
const HIDDEN = /[\p{Cc}\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/u;

interface FieldRule {
  max: number;
  maxWords: number;
  allowed: RegExp;
}

const PERSON: FieldRule = { max: 40, maxWords: 4, allowed: /^[\p{L}\p{M}][\p{L}\p{M}' ’.-]*$/u };
const FULL_NAME: FieldRule = { ...PERSON, max: 80, maxWords: 6 };
const ORGANISATION: FieldRule = { max: 80, maxWords: 8, allowed: /^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}' ’.,&()+/-]*$/u };

/** The lead's fields a template may merge, each with what it must look like. */
const RULES: Partial<Record<keyof LeadProfile, FieldRule>> = {
  firstName: PERSON,
  lastName: PERSON,
  name: FULL_NAME,
  company: ORGANISATION,
  title: ORGANISATION,
  source: { max: 40, maxWords: 4, allowed: /^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u },
};

/** The value as it would be merged, or undefined when it does not look like its field. */
export function mergeable(field: keyof LeadProfile, value: string | undefined): string | undefined {
  const rule = RULES[field];
  if (!rule || value === undefined) return undefined;
  const text = value.replace(/\s+/g, " ").trim();
  if (!text || text.length > rule.max || HIDDEN.test(value) || LINK_LIKE.test(text)) return undefined;
  if (text.split(" ").length > rule.maxWords || !rule.allowed.test(text)) return undefined;
  return text;
}

/** The lead's mergeable fields: those that fail their rule are left out, so templates use their fallbacks. */
export function mergeableProfile(profile: LeadProfile): Partial<LeadProfile> {
  const values: Partial<LeadProfile> = {};
  for (const field of Object.keys(RULES) as (keyof LeadProfile)[]) {
    const value = mergeable(field, profile[field]);
    if (value !== undefined) values[field] = value;
  }
  return values;
}

export function mergeValues(state: LeadState, config: SequenceConfig): MergeValues {
  const lead = mergeableProfile(state.profile);
  const firstName = lead.firstName ?? mergeable("firstName", lead.name?.split(" ")[0]);
  return { ...config.merge, ...lead, ...(firstName ? { firstName } : {}) };
}
