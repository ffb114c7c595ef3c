import { listLeads } from "../services/d1/lead-index";

/**
 * CSV export of every lead, newest first, streamed page by page from D1 so a large list
 * never sits in memory. Cells that a spreadsheet would run as a formula are defused.
 */

const COLUMNS = [
  "id",
  "name",
  "email",
  "phone",
  "company",
  "title",
  "source",
  "status",
  "score",
  "sequenceId",
  "createdAt",
  "lastActivityAt",
  "repliedAt",
  "bookedAt",
  "unsubscribedAt",
] as const;
type Column = (typeof COLUMNS)[number];
const PAGE = 500;

/**
 * A phone as the lead index keeps it, E.164: "+" and digits only. Such a cell holds no
 * operator, reference or function call, so a spreadsheet reading it as a formula can only
 * compute the number itself; it is exported as written, not behind a `'` that breaks dialling
 * and re-import.
 */
const E164 = /^\+[1-9]\d{1,14}$/;

/** RFC 4180 quoting, and a leading `'` before `=`, `+`, `-`, `@`, tab or CR (CSV injection), except on an E.164 phone. */
function csvCell(column: Column, value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text) && !(column === "phone" && E164.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const iso = (at: number | null) => (at ? new Date(at).toISOString() : null);

export function leadsCsv(db: D1Database): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let started = false;
  return new ReadableStream({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`${COLUMNS.join(",")}\r\n`));
      }
      const page = await listLeads(db, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      const lines = page.leads.map((lead) => {
        const row = {
          ...lead,
          createdAt: iso(lead.createdAt),
          lastActivityAt: iso(lead.lastActivityAt),
          repliedAt: iso(lead.repliedAt),
          bookedAt: iso(lead.bookedAt),
          unsubscribedAt: iso(lead.unsubscribedAt),
        };
        return COLUMNS.map((c) => csvCell(c, row[c])).join(",");
      });
      if (lines.length) controller.enqueue(encoder.encode(`${lines.join("\r\n")}\r\n`));
      if (!page.nextCursor) controller.close();
      else cursor = page.nextCursor;
    },
  });
}
