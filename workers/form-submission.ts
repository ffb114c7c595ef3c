import type { CountryCode } from "libphonenumber-js/max";
import { captureFieldsSchema, KNOWN_FIELDS } from "../schemas/capture";
import type { FormConfig } from "../schemas/form";
import { MessageChannelSchema, type Submission } from "../schemas/lead";
import { isTimeZone } from "../schemas/time-zone";
import { invalid } from "../services/app-error";
import type { PostedFields } from "./form-body";
import { isVisitorId } from "../services/d1/visitors";
import { TURNSTILE_FIELD } from "../services/turnstile";
import { ERRORS_FIELD } from "./form-errors";

const known = new Set<string>(KNOWN_FIELDS);
const MAX_CUSTOM_FIELDS = 50;
const MAX_CUSTOM_VALUE = 2000;
/** What each consent box agrees to, in the words of a refusal. */
const CONSENT_WORDS = { email: "email", sms: "text messages", whatsapp: "WhatsApp messages" } as const;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
const clip = (value: string) => value.slice(0, MAX_CUSTOM_VALUE);

/** The snippet adds this field to forms posted here, naming the visitor who filled them in. */
export const VISITOR_FIELD = "fu_vid";

export interface Interpreted {
  submission: Submission;
  visitorId?: string;
  /** The hidden field people never see was filled in: a bot. */
  caughtByHoneypot: boolean;
}

/** Built once per phone region: building the schema cost a form post more than parsing with it. */
const fieldsSchemas = new Map<string, ReturnType<typeof captureFieldsSchema>>();
function fieldsSchemaFor(phoneRegion: string): ReturnType<typeof captureFieldsSchema> {
  const region = phoneRegion.toUpperCase();
  let schema = fieldsSchemas.get(region);
  if (!schema) {
    schema = captureFieldsSchema(region as CountryCode);
    fieldsSchemas.set(region, schema);
  }
  return schema;
}

/**
 * Turns posted fields into a normalised submission for the lead, or a 422 that names
 * every field that needs fixing.
 */
export function interpretSubmission(
  form: FormConfig,
  posted: PostedFields,
  context: { receivedAt: number; page?: string; phoneRegion: string; edgeTimezone?: string },
): Interpreted {
  const knownValues: Record<string, string | undefined> = {};
  const utm: Record<string, string> = {};
  const custom: Submission["custom"] = {};
  let customCount = 0;
  for (const [name, value] of Object.entries(posted)) {
    if (name === form.honeypotField || name === VISITOR_FIELD || name === TURNSTILE_FIELD || name === ERRORS_FIELD) continue;
    if (known.has(name)) knownValues[name] = first(value);
    else if (/^utm_[a-z_]{1,30}$/i.test(name)) utm[name.toLowerCase()] = clip(first(value) ?? "");
    else if (customCount < MAX_CUSTOM_FIELDS && name.length <= 100) {
      custom[name] = Array.isArray(value) ? value.slice(0, 20).map(clip) : clip(value);
      customCount++;
    }
  }

  const schema = fieldsSchemaFor(context.phoneRegion).superRefine((fields, ctx) => {
    for (const channel of MessageChannelSchema.options) {
      if (form.consent[channel]?.required && fields[`consent_${channel}`] !== true) {
        ctx.addIssue({ code: "custom", path: [`consent_${channel}`], message: `this form needs consent to ${CONSENT_WORDS[channel]}` });
      }
    }
  });
  const parsed = schema.safeParse(knownValues);
  if (!parsed.success) throw invalid("invalid_submission", "Some fields need fixing.", parsed.error);
  const f = parsed.data;
  const consentWording = Object.fromEntries(
    MessageChannelSchema.options.flatMap((channel) => {
      const wording = form.consent[channel]?.wording;
      return wording && f[`consent_${channel}`] !== undefined ? [[channel, wording]] : [];
    }),
  );
  const honeypot = first(posted[form.honeypotField]);

  const visitorId = first(posted[VISITOR_FIELD]);
  return {
    ...(isVisitorId(visitorId) ? { visitorId } : {}),
    caughtByHoneypot: honeypot !== undefined && honeypot.trim() !== "",
    submission: {
      formId: form.id,
      receivedAt: context.receivedAt,
      profile: {
        email: f.email,
        phone: f.phone,
        name: f.name ?? ([f.first_name, f.last_name].filter(Boolean).join(" ") || undefined),
        firstName: f.first_name ?? f.name?.split(/\s+/)[0],
        lastName: f.last_name,
        company: f.company,
        title: f.title,
        timezone: f.timezone,
        source: f.source ?? form.defaultSource,
      },
      message: f.message,
      consent: { email: f.consent_email, sms: f.consent_sms, whatsapp: f.consent_whatsapp },
      ...(Object.keys(consentWording).length > 0 ? { consentWording } : {}),
      lawfulBasis: form.lawfulBasis,
      utm,
      custom,
      page: context.page?.slice(0, 2048),
      ...(context.edgeTimezone && isTimeZone(context.edgeTimezone) ? { edgeTimezone: context.edgeTimezone } : {}),
    },
  };
}
