import type { KNOWN_FIELDS } from "../../schemas/capture";

/**
 * Which column of an imported file holds which lead field, guessed from the header the way
 * a person reads it: "E-mail Address", "Work email" and "email" are all the email. One
 * table serves the importer's page (bundled into its browser script) and the server, which
 * guesses the same way when a chunk comes without a mapping. The type-only import keeps
 * zod out of the browser bundle.
 */

/** Fields a column may fill: the form fields a lead can carry, minus consent (an import records none) and the browser's zone. */
export const IMPORT_FIELDS = [
  "email",
  "phone",
  "name",
  "first_name",
  "last_name",
  "company",
  "title",
  "message",
  "source",
] as const satisfies readonly (typeof KNOWN_FIELDS)[number][];
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Field → the index of the column it comes from. */
export type ImportMapping = Partial<Record<ImportField, number>>;

export const IMPORT_FIELD_LABELS: Record<ImportField, string> = {
  email: "Email",
  phone: "Phone",
  name: "Full name",
  first_name: "First name",
  last_name: "Last name",
  company: "Company",
  title: "Job title",
  message: "Notes or message",
  source: "Source",
};

/**
 * Header names as CRMs, spreadsheets and sign-up tools export them, compared by
 * `columnKey`: "Job Title", "job_title" and "JOB-TITLE" are one entry.
 */
const SYNONYMS: Record<ImportField, readonly string[]> = {
  email: [
    "email",
    "e-mail",
    "email address",
    "e-mail address",
    "mail",
    "work email",
    "business email",
    "work email address",
    "primary email",
    "contact email",
    "personal email",
    "email 1",
    "e-mail 1",
    "email address 1",
  ],
  phone: [
    "phone",
    "phone number",
    "telephone",
    "telephone number",
    "tel",
    "mobile",
    "mobile phone",
    "mobile number",
    "cell",
    "cell phone",
    "cell phone number",
    "work phone",
    "business phone",
    "primary phone",
    "contact number",
    "phone 1",
    "whatsapp",
  ],
  name: ["name", "full name", "contact name", "contact", "lead name", "person", "your name"],
  first_name: ["first name", "firstname", "first", "given name", "forename"],
  last_name: ["last name", "lastname", "last", "surname", "family name"],
  company: [
    "company",
    "company name",
    "organization",
    "organisation",
    "organization name",
    "organisation name",
    "org",
    "account",
    "account name",
    "business",
    "business name",
    "employer",
  ],
  title: ["title", "job title", "position", "role", "job role", "job", "job position", "designation"],
  message: ["message", "notes", "note", "comments", "comment", "description", "details", "inquiry", "enquiry", "remarks", "your message"],
  source: ["source", "lead source", "origin"],
};

/** A header name without case, accents, spaces or punctuation. */
export const columnKey = (name: string): string =>
  name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "");

const FIELD_BY_KEY = new Map<string, ImportField>(IMPORT_FIELDS.flatMap((field) => [field, ...SYNONYMS[field]].map((name) => [columnKey(name), field] as const)));

/** The field a column name means, if it is one we know. */
export const fieldOfColumn = (name: string): ImportField | undefined => FIELD_BY_KEY.get(columnKey(name));

/** Each field from the first column that names it; a column fills one field at most. */
export function guessMapping(header: readonly string[]): ImportMapping {
  const mapping: ImportMapping = {};
  header.forEach((name, index) => {
    const field = fieldOfColumn(name);
    if (field !== undefined && mapping[field] === undefined) mapping[field] = index;
  });
  return mapping;
}

/** A lead is found by its email or phone: a mapping without either imports nothing. */
export const mapsContact = (mapping: ImportMapping): boolean => mapping.email !== undefined || mapping.phone !== undefined;

/** The fields of one row under a mapping: blank cells are not given. */
export function rowFields(cells: readonly string[], mapping: ImportMapping): Partial<Record<ImportField, string>> {
  const fields: Partial<Record<ImportField, string>> = {};
  for (const field of IMPORT_FIELDS) {
    const index = mapping[field];
    const value = index === undefined ? undefined : cells[index];
    if (value !== undefined && value.trim() !== "") fields[field] = value;
  }
  return fields;
}
