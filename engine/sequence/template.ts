import { MERGE_PATTERN, type MergeField } from "../../schemas/sequence";

export type MergeValues = Partial<Record<MergeField, string>>;

/**
 * Fills `{{field|fallback}}` from the lead and the sender. A field with no value takes
 * its fallback, or nothing; a value never carries a line break into a subject line.
 */
export function renderTemplate(text: string, values: MergeValues): string {
  return text
    .replace(MERGE_PATTERN, (_match, field: string, fallback: string | undefined) => {
      const value = values[field as MergeField]?.replace(/[\r\n]+/g, " ").trim();
      return value ? value : (fallback ?? "").trim();
    })
    .replace(/[ \t]+([,.!?])/g, "$1")
    .replace(/[ \t]{2,}/g, " ");
}
