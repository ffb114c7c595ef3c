import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";
import { z } from "zod";
import { isTimeZone } from "./time-zone";

/**
 * The fields a form post may carry, as posted (every value a string, or several).
 * Anything not named here is kept as a custom field, except `utm_*` and the honeypot.
 */
export const KNOWN_FIELDS = [
  "email",
  "phone",
  "name",
  "first_name",
  "last_name",
  "company",
  "title",
  "message",
  "timezone",
  "consent_email",
  "consent_sms",
  "consent_whatsapp",
  "source",
] as const;

/** Browsers post empty inputs as "", which means "not given", not "invalid". */
const optionalText = (max: number) =>
  z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? undefined : value), z.string().trim().max(max, `must be at most ${max} characters`).optional());

/** Checkbox values as browsers, form builders and JSON clients send them. */
const checkbox = z.preprocess((value) => (typeof value === "string" ? ["on", "true", "1", "yes", "y"].includes(value.trim().toLowerCase()) : value), z.boolean().optional());

export function captureFieldsSchema(defaultPhoneRegion: CountryCode) {
  return z
    .object({
      email: optionalText(254).pipe(z.email("is not a valid email address").toLowerCase().optional()),
      phone: optionalText(40).transform((raw, ctx) => {
        if (raw === undefined) return undefined;
        const parsed = parsePhoneNumberFromString(raw, defaultPhoneRegion);
        if (!parsed?.isValid()) {
          ctx.addIssue({ code: "custom", message: "is not a valid phone number (include the country code, e.g. +44 20 7946 0958)" });
          return z.NEVER;
        }
        return parsed.number;
      }),
      name: optionalText(200),
      first_name: optionalText(100),
      last_name: optionalText(100),
      company: optionalText(200),
      title: optionalText(200),
      message: optionalText(5000),
      // The zone usually comes from a hidden field filled by script; a bad one is dropped
      // rather than failing a lead the visitor cannot fix.
      timezone: optionalText(64).transform((zone) => (zone !== undefined && isTimeZone(zone) ? zone : undefined)),
      consent_email: checkbox,
      consent_sms: checkbox,
      consent_whatsapp: checkbox,
      source: optionalText(100),
    })
    .refine((fields) => fields.email !== undefined || fields.phone !== undefined, {
      message: "an email address or a phone number is required",
      path: ["email"],
    });
}
export type CaptureFields = z.infer<ReturnType<typeof captureFieldsSchema>>;
