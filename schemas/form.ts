import { z } from "zod";
import { LawfulBasisSchema } from "./lead";
import { OriginSchema } from "./origin";
import { SequenceIdSchema } from "./sequence";
import { DEFAULT_SEQUENCE_ID } from "./sequence-presets";

/** A form id appears in `/f/:formId`, pasted into customers' sites: keep it a plain slug. */
export const FormIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "use 1–63 lowercase letters, digits or dashes");

/** Where a browser lands after posting: an absolute http(s) URL or a path on this Worker. */
const ThankYouUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => (value.startsWith("/") && !value.startsWith("//")) || /^https?:\/\/[^/]/i.test(value), "must be an http(s) URL or a path starting with /");

/** `*` (any site), or a bare origin such as `https://example.com`. */
const AllowedOriginSchema = z.union([z.literal("*"), OriginSchema], { error: "must be * or an origin like https://example.com" });

const HoneypotFieldSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, "must be a field name");

/** A consent checkbox on the form: whether the form requires it, and the words next to it. */
const ConsentFieldSchema = z.object({ required: z.boolean().default(false), wording: z.string().trim().min(1).max(500) });

/**
 * Turnstile on the form: `true` uses the deployment's TURNSTILE_SITE_KEY and
 * TURNSTILE_SECRET_KEY; an object names the widget's site key, and its secret unless the
 * deployment's secret serves.
 */
export const FormTurnstileSchema = z.union([z.boolean(), z.object({ siteKey: z.string().trim().min(1).max(200), secret: z.string().trim().min(1).max(200).optional() })]);
export type FormTurnstile = z.infer<typeof FormTurnstileSchema>;

export const FormConfigSchema = z.object({
  id: FormIdSchema,
  name: z.string().trim().min(1).max(200),
  thankYouUrl: ThankYouUrlSchema,
  /** Browsers that may post it; empty (the default) means every registered site. A post from any other origin waits for the owner. */
  allowedOrigins: z.array(AllowedOriginSchema).max(50).default([]),
  defaultSource: z.string().trim().min(1).max(100).default("website"),
  honeypotField: HoneypotFieldSchema.default("website_url"),
  /** The sequence every lead from this form enters at once; null enters none. */
  sequenceId: SequenceIdSchema.nullable().default(DEFAULT_SEQUENCE_ID),
  /**
   * `consent_email` / `consent_sms` / `consent_whatsapp` checkboxes: required ones must be
   * ticked, and their wording is kept with the consent. WhatsApp has its own box: consent to
   * texts is not consent to WhatsApp.
   */
  consent: z.object({ email: ConsentFieldSchema.optional(), sms: ConsentFieldSchema.optional(), whatsapp: ConsentFieldSchema.optional() }).default({}),
  /**
   * Why this form's leads may be contacted. `legitimate_interest` (the default) answers the
   * inquiry the person sent and nothing more: marketing needs a consent box they ticked. It
   * is the safe default because it claims no consent nobody gave. `consent` declares that
   * the form collects consent, so it needs a required consent box.
   */
  lawfulBasis: LawfulBasisSchema.default("legitimate_interest"),
  /** Posts must carry a `cf-turnstile-response` token that Cloudflare's siteverify accepts. */
  turnstile: FormTurnstileSchema.default(false),
  /**
   * What a browser whose post needs fixing sees: `page`, a plain page with the reasons, under
   * the form's name; `redirect`, a 303 back to the page that posted with `fu_error` query
   * parameters (a site may also ask per post with a hidden `fu_errors=redirect` field).
   */
  validationErrors: z.enum(["page", "redirect"]).default("page"),
});
export type FormConfig = z.infer<typeof FormConfigSchema>;

/** Why a form's lawful basis cannot stand as configured, or nothing: consent is only what a person ticked. */
export function lawfulBasisProblem(form: Pick<FormConfig, "lawfulBasis" | "consent">): string | undefined {
  if (form.lawfulBasis !== "consent" || form.consent.email?.required || form.consent.sms?.required || form.consent.whatsapp?.required) return undefined;
  return "a form whose lawfulBasis is consent needs a required consent box (consent.email, consent.sms or consent.whatsapp with required: true)";
}

/**
 * `PATCH /api/forms/:id`: any subset of a form's fields (the id comes from the path). Parsing
 * fills the fields it was not given with their defaults, so only the keys the patch names
 * are merged over the stored form (`patchForm`), and the result is validated whole.
 */
export const FormPatchSchema = FormConfigSchema.omit({ id: true }).partial().strict();
export type FormPatch = z.infer<typeof FormPatchSchema>;

/** The stored form with the fields the patch names replaced: the caller validates the result whole. */
export function patchForm(form: FormConfig, patch: FormPatch, named: readonly string[]): Record<string, unknown> {
  return { ...form, ...Object.fromEntries(Object.entries(patch).filter(([key]) => named.includes(key))) };
}
