import Papa from "papaparse";
import { guessMapping, type ImportField, type ImportMapping, mapsContact } from "../../../engine/lead/import-columns";

/**
 * The import page's script, bundled with Papa Parse into /dashboard/import.js (`npm run
 * build:browser`): nothing is fetched from another origin. The file is read twice with the
 * same parser: once on choosing it, to find its delimiter, header and row count (so the
 * progress can say "490 of 700 rows"); then on Import, row by row, sending 500 rows at a
 * time and pausing the parser until each chunk is answered.
 */

interface Layout {
  header: string[];
  delimiter: string;
  rows: number;
}
interface Rejected {
  row: number;
  problem: string;
  cells: string[];
}
interface ChunkAnswer {
  imported: number;
  errors: { row: number; problem: string }[];
}

const form = document.getElementById("import") as HTMLFormElement;
const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
const picker = field("file") as HTMLInputElement;
const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
const selects = [...form.querySelectorAll<HTMLSelectElement>("select[data-field]")];
const warning = document.getElementById("mapping-warning")!;
const status = document.getElementById("progress")!;
const bar = document.getElementById("progress-bar") as HTMLProgressElement;
const errors = document.getElementById("errors") as HTMLTableElement;
const summary = document.getElementById("summary")!;
const chunkRows = Number(form.dataset.chunk);
/** A chunk is sent before its JSON would near the server's 1 MB limit, however few rows it holds. */
const CHUNK_CHARS = 800_000;
/** The server reads at most this much of a cell; a longer one (an unclosed quote swallowing the file) is cut, and its row reported. */
const CELL_CHARS = 20_000;
/** The table lists this many rejected rows; the download holds them all. */
const LISTED_REJECTS = 500;
const DELIMITER_NAMES: Record<string, string> = { ",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars" };

let layout: Layout | undefined;
let running = false;

function survey(file: File): Promise<Layout> {
  return new Promise((resolve, reject) => {
    let header: string[] | undefined;
    let rows = 0;
    let delimiter = ",";
    Papa.parse<string[]>(file, {
      skipEmptyLines: "greedy",
      chunk: (results) => {
        delimiter = results.meta.delimiter;
        for (const record of results.data) {
          if (header) rows++;
          else header = record.map((name) => name.replace(/^\uFEFF/, "").trim());
        }
      },
      complete: () => (header ? resolve({ header, delimiter, rows }) : reject(new Error("The file is empty."))),
      error: (error) => reject(error),
    });
  });
}

function chosenMapping(): ImportMapping {
  const mapping: ImportMapping = {};
  for (const select of selects) if (select.value !== "") mapping[select.dataset.field as ImportField] = Number(select.value);
  return mapping;
}

/** The import waits until a column gives each row an email or a phone: without one no row can become a lead. */
function judgeMapping(): void {
  const ready = layout !== undefined && mapsContact(chosenMapping());
  warning.hidden = layout === undefined || ready;
  button.disabled = running || !ready;
}

function showProgress(processed: number, total: number, imported: number, rejected: number, done: boolean): void {
  bar.max = Math.max(total, processed, 1);
  bar.value = processed;
  status.textContent = `${done ? "Done" : "Importing…"}: ${processed} of ${Math.max(total, processed)} rows processed: ${imported} imported, ${rejected} rejected.`;
}

function listRejected(rejects: Rejected[]): void {
  const body = errors.tBodies[0]!;
  for (const reject of rejects) {
    if (body.rows.length >= LISTED_REJECTS) break;
    const row = body.insertRow();
    row.insertCell().textContent = String(reject.row);
    row.insertCell().textContent = reject.problem;
  }
  errors.hidden = body.rows.length === 0;
}

/** What was not imported, as a file of the same shape with the reason first: fix it and import it again. */
function summarise(rejects: Rejected[], header: string[], delimiter: string): void {
  summary.replaceChildren();
  if (rejects.length === 0) return;
  const csv = Papa.unparse({ fields: ["Row", "Problem", ...header], data: rejects.map((r) => [String(r.row), r.problem, ...r.cells]) }, { delimiter, escapeFormulae: true });
  const link = document.createElement("a");
  link.id = "rejected-download";
  link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
  link.download = "rejected-rows.csv";
  link.textContent = `Download the ${rejects.length} rejected rows with their reasons (CSV)`;
  const listed = document.createElement("a");
  listed.href = "#errors";
  listed.textContent = rejects.length > LISTED_REJECTS ? `the first ${LISTED_REJECTS} are listed below` : "they are listed below";
  summary.append(`${rejects.length} rows were not imported: `, listed, ". ", link, ".");
}

async function sendChunk(rows: string[][], firstRow: number, mapping: ImportMapping, header: string[]): Promise<ChunkAnswer> {
  const response = await fetch("/dashboard/import/rows", {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": field("_csrf").value },
    body: JSON.stringify({ header, rows, mapping, firstRow, source: field("source").value || "import", sequenceId: field("sequenceId").value || null }),
  });
  const answer = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!response.ok) throw new Error(answer?.error?.message ?? `The import stopped (${response.status}).`);
  return answer as ChunkAnswer;
}

function runImport(file: File, found: Layout, mapping: ImportMapping): Promise<void> {
  let processed = 0;
  let imported = 0;
  const rejects: Rejected[] = [];
  let pending: string[][] = [];
  let pendingChars = 0;
  let headerSeen = false;
  let stopped = false;
  const flush = async () => {
    const rows = pending;
    pending = [];
    pendingChars = 0;
    if (rows.length === 0) return;
    const firstRow = processed + 1;
    const answer = await sendChunk(rows, firstRow, mapping, found.header);
    const fresh = answer.errors.map((e) => ({ ...e, cells: rows[e.row - firstRow] ?? [] }));
    processed += rows.length;
    imported += answer.imported;
    rejects.push(...fresh);
    listRejected(fresh);
    showProgress(processed, found.rows, imported, rejects.length, false);
  };
  showProgress(0, found.rows, 0, 0, false);
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      stopped = true;
      reject(new Error(`${error instanceof Error ? error.message : String(error)} ${processed} of ${found.rows} rows were processed before it stopped (${imported} imported).`));
    };
    Papa.parse<string[]>(file, {
      delimiter: found.delimiter,
      skipEmptyLines: "greedy",
      step: (results, parser) => {
        if (!headerSeen) {
          headerSeen = true;
          return;
        }
        // Cells past the header's columns belong to no field.
        const cells = results.data.slice(0, found.header.length).map((cell) => cell.slice(0, CELL_CHARS));
        pending.push(cells);
        pendingChars += JSON.stringify(cells).length + 1;
        if (pending.length < chunkRows && pendingChars < CHUNK_CHARS) return;
        parser.pause();
        flush().then(
          () => parser.resume(),
          (error) => {
            parser.abort();
            fail(error);
          },
        );
      },
      complete: () => {
        if (stopped) return;
        flush().then(() => {
          showProgress(processed, found.rows, imported, rejects.length, true);
          summarise(rejects, found.header, found.delimiter);
          resolve();
        }, fail);
      },
      error: fail,
    });
  });
}

picker.addEventListener("change", async () => {
  const file = picker.files?.[0];
  layout = undefined;
  form.querySelector("fieldset")!.hidden = true;
  summary.replaceChildren();
  if (!file) return judgeMapping();
  try {
    layout = await survey(file);
  } catch (error) {
    status.textContent = `This file cannot be read as CSV: ${error instanceof Error ? error.message : String(error)}`;
    return judgeMapping();
  }
  const guessed = guessMapping(layout.header);
  for (const select of selects) {
    const columns = layout.header.map((name, index) => new Option(name || `Column ${index + 1}`, String(index)));
    select.replaceChildren(new Option("— not imported —", ""), ...columns);
    const index = guessed[select.dataset.field as ImportField];
    select.value = index === undefined ? "" : String(index);
  }
  form.querySelector("fieldset")!.hidden = false;
  const by = DELIMITER_NAMES[layout.delimiter] ?? `"${layout.delimiter}"`;
  status.textContent = `${layout.header.length} columns (separated by ${by}) and ${layout.rows} rows found. Check the mapping, then import.`;
  judgeMapping();
});

for (const select of selects) select.addEventListener("change", judgeMapping);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = picker.files?.[0];
  const mapping = chosenMapping();
  if (!file || !layout || !mapsContact(mapping) || running) return judgeMapping();
  running = true;
  picker.disabled = true;
  form.setAttribute("aria-busy", "true");
  errors.tBodies[0]!.replaceChildren();
  errors.hidden = true;
  summary.replaceChildren();
  judgeMapping();
  try {
    await runImport(file, layout, mapping);
  } catch (error) {
    status.textContent = error instanceof Error ? error.message : String(error);
  } finally {
    running = false;
    picker.disabled = false;
    form.removeAttribute("aria-busy");
    judgeMapping();
  }
});
