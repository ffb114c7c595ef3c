import Papa from "papaparse";
import { z } from "zod";
import { KNOWN_FIELDS } from "../schemas/capture";
import type { FormConfig } from "../schemas/form";
import type { SequenceVersion } from "../schemas/sequence";
import { AppError } from "../services/app-error";
import { interpretSubmission } from "./form-submission";
import { leadIdFor } from "../services/crypto/lead-identity";
import { leadObject } from "./lead-stub";

/**
 * CSV import of leads, one chunk of rows at a time: the browser streams the file and sends
 * chunks, so a file of any size is read without holding it, and each answer reports
 * progress and the rows that could not be imported (with why). Each row goes through the
 * same reading as a form post, and into the lead's object like one.
 */

/** Fields a column may map to: the form fields a lead can carry, minus consent (an import records none). */
export const IMPORT_FIELDS = KNOWN_FIELDS.filter((f) => !f.startsWith("consent_") && f !== "timezone");
export const MAX_ROWS_PER_CHUNK = 500;

export const ImportChunkSchema = z.object({
  /** The CSV text of whole records (no header row). */
  csv: z.string().max(1_000_000),
  /** The file's header, as the browser read it: the column names the mapping refers to. */
  header: z.array(z.string().max(200)).min(1).max(200),
  /** Our field → the column it comes from. */
  mapping: z.partialRecord(z.enum(IMPORT_FIELDS), z.string().max(200)).refine((m) => m.email !== undefined || m.phone !== undefined, "map a column to email or phone"),
  /** The file line number of the chunk's first record (for error reports). */
  firstRow: z.number().int().min(1),
  /** Enrol every imported lead in this sequence; none by default (imported leads gave no consent here). */
  sequenceId: z.string().max(63).nullable().default(null),
  source: z.string().trim().min(1).max(100).default("import"),
});
type ImportChunk = z.infer<typeof ImportChunkSchema>;

export interface ImportResult {
  imported: number;
  errors: { row: number; problem: string }[];
}

/** The import's stand-in form: no consent boxes, a source, no honeypot in play. */
const importForm = (source: string): FormConfig => ({
  id: "import",
  name: "CSV import",
  thankYouUrl: "https://import.invalid/",
  allowedOrigins: [],
  defaultSource: source,
  honeypotField: "__none__",
  sequenceId: null,
  consent: {},
  turnstile: false,
  lawfulBasis: "legitimate_interest",
});

export async function importChunk(env: Env, chunk: ImportChunk, sequence: SequenceVersion | undefined, now: number): Promise<ImportResult> {
  for (const column of Object.values(chunk.mapping)) {
    if (column !== undefined && !chunk.header.includes(column)) throw new AppError(422, "unknown_column", `The file has no column "${column}".`);
  }
  const parsed = Papa.parse<string[]>(chunk.csv, { skipEmptyLines: "greedy" });
  if (parsed.data.length > MAX_ROWS_PER_CHUNK) throw new AppError(413, "chunk_too_large", `Send at most ${MAX_ROWS_PER_CHUNK} rows at a time.`);
  const index = new Map(chunk.header.map((name, i) => [name, i]));
  const form = importForm(chunk.source);
  const result: ImportResult = { imported: 0, errors: [] };
  for (const [offset, cells] of parsed.data.entries()) {
    const row = chunk.firstRow + offset;
    const fields: Record<string, string> = { source: chunk.source };
    for (const [field, column] of Object.entries(chunk.mapping)) {
      const value = cells[index.get(column!)!];
      if (value !== undefined && value.trim() !== "") fields[field] = value;
    }
    if (!fields.email && !fields.phone) {
      result.errors.push({ row, problem: "no email or phone" });
      continue;
    }
    try {
      const { submission } = interpretSubmission(form, fields, { receivedAt: now, phoneRegion: env.DEFAULT_PHONE_REGION });
      const leadId = await leadIdFor(env.LEAD_ID_SECRET, submission.profile);
      await leadObject(env, leadId).submitForm({ ...submission, imported: true }, sequence);
      result.imported++;
    } catch (error) {
      const problem = error instanceof AppError ? [error.message, ...error.issues.map((i) => `${i.field}: ${i.message}`)].join(" ") : "could not be stored; try this row again";
      result.errors.push({ row, problem: problem.slice(0, 300) });
    }
  }
  return result;
}
