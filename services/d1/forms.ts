import { asc, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { FormConfig } from "../../schemas/form";
import { forms, type FormRow } from "../../schemas/d1";
import { AppError } from "../app-error";

const toConfig = (row: FormRow): FormConfig => ({
  id: row.id,
  name: row.name,
  thankYouUrl: row.thankYouUrl,
  allowedOrigins: row.allowedOrigins,
  defaultSource: row.defaultSource,
  honeypotField: row.honeypotField,
  sequenceId: row.sequenceId,
  consent: row.consent,
  turnstile: row.turnstile,
  lawfulBasis: row.lawfulBasis,
  validationErrors: row.validationErrors,
});

export async function findForm(db: D1Database, id: string): Promise<FormConfig | undefined> {
  return (await formWithVersion(db, id))?.form;
}

/** A form with its version: `updated_at`, which every change moves forward (intake-config.ts caches by it). */
export async function formWithVersion(db: D1Database, id: string): Promise<{ form: FormConfig; version: number } | undefined> {
  const row = await drizzle(db).select().from(forms).where(eq(forms.id, id)).get();
  return row && { form: toConfig(row), version: row.updatedAt };
}

export async function listForms(db: D1Database): Promise<FormConfig[]> {
  return (await drizzle(db).select().from(forms).orderBy(asc(forms.id)).all()).map(toConfig);
}

export async function createForm(db: D1Database, form: FormConfig, now: number): Promise<FormConfig> {
  const inserted = await drizzle(db)
    .insert(forms)
    .values({ ...form, createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning()
    .get();
  if (!inserted) throw new AppError(409, "form_exists", `A form with id "${form.id}" already exists; PUT /api/forms/${form.id} replaces it, PATCH changes some of its fields.`);
  return toConfig(inserted);
}

/** Creates or replaces a form: PUT is idempotent. */
export async function putForm(db: D1Database, form: FormConfig, now: number): Promise<FormConfig> {
  const { id, ...fields } = form;
  const row = await drizzle(db)
    .insert(forms)
    .values({ ...form, createdAt: now, updatedAt: now })
    // Forward even for two changes within a millisecond: the edge's cached copy is keyed by it.
    .onConflictDoUpdate({ target: forms.id, set: { ...fields, updatedAt: sql`max(${now}, "updated_at" + 1)` } })
    .returning()
    .get();
  return toConfig(row!);
}

export async function deleteForm(db: D1Database, id: string): Promise<boolean> {
  return (await drizzle(db).delete(forms).where(eq(forms.id, id)).returning({ id: forms.id })).length > 0;
}

/**
 * May `origin` post to this form from a browser? Server clients send no Origin at all. A form
 * that names no origins takes posts from every registered site (`siteOrigins`): registering a
 * site is all it takes to embed a form on it.
 */
export function originAllowed(form: FormConfig, origin: string | undefined, selfOrigin: string, siteOrigins: Pick<ReadonlySet<string>, "has">): boolean {
  if (origin === undefined || origin === selfOrigin) return true;
  const asSent = origin.toLowerCase();
  if (form.allowedOrigins.length === 0) return siteOrigins.has(asSent);
  return form.allowedOrigins.includes("*") || form.allowedOrigins.includes(asSent);
}
