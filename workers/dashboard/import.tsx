import { IMPORT_FIELDS, MAX_ROWS_PER_CHUNK } from "../lead-import";
import { Choice, Csrf } from "./layout";

/**
 * The CSV import page. The browser streams the file, maps its columns, and sends whole
 * records in chunks; each answer moves the progress bar and lists the rows that failed.
 */

export function ImportPage(props: { csrf: string; sequences: string[] }) {
  return (
    <>
      <p class="muted">A CSV file with a header row. Each row becomes a lead (or updates one with the same email or phone), read like a form post. Imported leads record no consent: enrol them only where you may contact them.</p>
      <form id="import" data-fields={JSON.stringify(IMPORT_FIELDS)} data-chunk={String(MAX_ROWS_PER_CHUNK)}>
        <Csrf token={props.csrf} />
        <p>
          <input type="file" name="file" accept=".csv,text/csv" required />
        </p>
        <fieldset hidden>
          <legend>Columns</legend>
          <div class="filters">
            {IMPORT_FIELDS.map((field) => (
              <label>
                {field}
                <select data-field={field} name={`map_${field}`}>
                  <option value="">—</option>
                </select>
              </label>
            ))}
          </div>
          <div class="filters">
            <label>
              Source
              <input name="source" value="import" maxlength={100} />
            </label>
            <label>
              Enrol in
              <Choice name="sequenceId" options={props.sequences} blank="no sequence" />
            </label>
            <button type="submit">Import</button>
          </div>
        </fieldset>
      </form>
      <p>
        <progress id="progress-bar" max="1" value="0" style="width:100%"></progress>
      </p>
      <p id="progress" role="status" aria-live="polite"></p>
      <table id="errors" hidden>
        <thead>
          <tr>
            <th>Row</th>
            <th>Problem</th>
          </tr>
        </thead>
        <tbody></tbody>
      </table>
      <script src="/dashboard/import.js" defer></script>
    </>
  );
}

/** Served as /dashboard/import.js, so the pages' CSP can forbid inline scripts. */
export const IMPORT_SCRIPT = `"use strict";
(() => {
  const form = document.getElementById("import");
  const picker = form.elements.file;
  const status = document.getElementById("progress");
  const bar = document.getElementById("progress-bar");
  const errors = document.getElementById("errors");
  const chunkRows = Number(form.dataset.chunk);
  let header = [];

  // Whole records from text: a newline inside quotes belongs to its cell.
  function splitRecords(text, final) {
    const records = [];
    let start = 0, quoted = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') quoted = !quoted;
      else if (ch === "\\n" && !quoted) { records.push(text.slice(start, i).replace(/\\r$/, "")); start = i + 1; }
    }
    let rest = text.slice(start);
    if (final && rest.trim() !== "") { records.push(rest); rest = ""; }
    return [records, rest];
  }
  function cellsOf(line) {
    const cells = [];
    let cell = "", quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') { cell += '"'; i++; }
        else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ",") { cells.push(cell); cell = ""; }
      else cell += ch;
    }
    cells.push(cell);
    return cells.map((c) => c.trim());
  }
  const squash = (s) => s.toLowerCase().replace(/[^a-z]/g, "");

  picker.addEventListener("change", async () => {
    const file = picker.files[0];
    if (!file) return;
    const head = (await file.slice(0, 65536).text()).replace(/^\\uFEFF/, "");
    header = cellsOf(splitRecords(head, true)[0][0] || "");
    for (const select of form.querySelectorAll("select[data-field]")) {
      select.replaceChildren(new Option("—", ""), ...header.map((h) => new Option(h, h)));
      const guess = header.find((h) => squash(h) === squash(select.dataset.field));
      if (guess) select.value = guess;
    }
    form.querySelector("fieldset").hidden = false;
    status.textContent = header.length + " columns found. Check the mapping, then import.";
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = picker.files[0];
    const mapping = {};
    for (const select of form.querySelectorAll("select[data-field]")) if (select.value) mapping[select.dataset.field] = select.value;
    const body = { header, mapping, source: form.elements.source.value || "import", sequenceId: form.elements.sequenceId.value || null };
    const reader = file.stream().getReader();
    const decoder = new TextDecoder();
    let buffer = "", read = 0, seen = 0, imported = 0, failed = 0, skippedHeader = false, pending = [];
    const show = (done) => {
      bar.value = file.size ? read / file.size : 1;
      status.textContent = (done ? "Done: " : "Importing… ") + imported + " imported, " + failed + " with problems, " + seen + " rows read.";
    };
    const send = async (records) => {
      const firstRow = seen - records.length + 1;
      const response = await fetch("/dashboard/import/rows", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": form.elements._csrf.value },
        body: JSON.stringify({ ...body, csv: records.join("\\n"), firstRow }),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error((answer.error && answer.error.message) || "The import stopped (" + response.status + ").");
      imported += answer.imported;
      failed += answer.errors.length;
      for (const e of answer.errors) {
        const row = errors.tBodies[0].insertRow();
        row.insertCell().textContent = String(e.row);
        row.insertCell().textContent = e.problem;
        errors.hidden = false;
      }
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (value) { read += value.byteLength; buffer += decoder.decode(value, { stream: true }); }
        if (done) buffer += decoder.decode();
        const [records, rest] = splitRecords(buffer.replace(/^\\uFEFF/, ""), done);
        buffer = rest;
        for (const record of records) {
          if (!skippedHeader) { skippedHeader = true; continue; }
          if (record.trim() === "") continue;
          seen++;
          pending.push(record);
          if (pending.length === chunkRows) { await send(pending); pending = []; show(false); }
        }
        show(false);
        if (done) break;
      }
      if (pending.length) await send(pending);
      show(true);
    } catch (error) {
      status.textContent = String(error.message || error) + " " + imported + " imported before it stopped.";
    }
  });
})();
`;
