import { z } from "zod";
import { guessMapping, IMPORT_FIELDS, mapsContact, rowFields, type ImportMapping } from "../engine/lead/import-columns";
import type { FormConfig } from "../schemas/form";
import type { SequenceVersion } from "../schemas/sequence";
import { AppError } from "../services/app-error";
import { leadIdFor } from "../services/crypto/lead-identity";
import { interpretSubmission } from "./form-submission";
import { leadObject } from "./lead-stub";

/**
 * CSV import of leads, one chunk of rows at a time: the browser parses the file (Papa Parse:
 * any delimiter, quoted newlines) and sends rows of cells in chunks, so a file of any size
 * is read without holding it, and each answer reports the rows that could not be imported
 * (with why). Each row goes through the same reading as a form post, and into the lead's
 * object like one.
 */

export const MAX_ROWS_PER_CHUNK = 500;
const MAX_COLUMNS = 200;

export const ImportChunkSchema = z
  .object({
    /** The file's header row: the column names, in order. */
    header: z.array(z.string().max(200)).min(1).max(MAX_COLUMNS),
    /** Records under the header, each its cells in the header's order. */
    rows: z
      .array(z.array(z.string().max(20_000)).max(MAX_COLUMNS))
      .min(1)
      .max(MAX_ROWS_PER_CHUNK, `send at most ${MAX_ROWS_PER_CHUNK} rows at a time`),
    /** Our field → the index of its column; guessed from the header (as the page does) when left out. */
    mapping: z
      .partialRecord(
        z.enum(IMPORT_FIELDS),
        z
          .number()
          .int()
          .min(0)
          .max(MAX_COLUMNS - 1),
      )
      .optional(),
    /** The number of the chunk's first row, counting from 1 under the header (for the report). */
    firstRow: z.number().int().min(1),
    /** Enrol every imported lead in this sequence; none by default (imported leads gave no consent here). */
    sequenceId: z.string().max(63).nullable().default(null),
    source: z.string().trim().min(1).max(100).default("import"),
  })
  .transform(({ mapping, ...chunk }, ctx) => {
    const chosen = mapping ?? guessMapping(chunk.header);
    if (!mapsContact(chosen)) ctx.addIssue({ code: "custom", path: ["mapping"], message: "map a column to email or phone: a lead is found by one of them" });
    const outside = Object.entries(chosen).find(([, index]) => index >= chunk.header.length);
    if (outside) ctx.addIssue({ code: "custom", path: ["mapping", outside[0]], message: `the file has no column ${outside[1] + 1}` });
    return { ...chunk, mapping: chosen as ImportMapping };
  });
type ImportChunk = z.output<typeof ImportChunkSchema>;

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
  validationErrors: "page",
  lawfulBasis: "legitimate_interest",
});

export async function importChunk(env: Env, chunk: ImportChunk, sequence: SequenceVersion | undefined, now: number): Promise<ImportResult> {
  const form = importForm(chunk.source);
  const result: ImportResult = { imported: 0, errors: [] };
  for (const [offset, cells] of chunk.rows.entries()) {
    const row = chunk.firstRow + offset;
    const fields: Record<string, string> = { source: chunk.source, ...rowFields(cells, chunk.mapping) };
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
