import { IMPORT_FIELD_LABELS, IMPORT_FIELDS } from "../../engine/lead/import-columns";
import { MAX_ROWS_PER_CHUNK } from "../lead-import";
import { Choice, Csrf } from "./layout";

/**
 * The CSV import page. Its script (/dashboard/import.js, built from browser/import-page.ts)
 * parses the file, guesses each field's column from the same synonym table the server
 * uses, and sends rows in chunks; each answer moves the progress by rows processed and
 * lists the rows that failed, which the summary offers as a file to fix and import again.
 */

export function ImportPage(props: { csrf: string; sequences: string[] }) {
  return (
    <>
      <p class="muted">
        A CSV file with a header row, separated by commas, semicolons or tabs. Each row becomes a lead (or updates one with the same email or phone), read like a form post.
        Imported leads record no consent: enrol them only where you may contact them.
      </p>
      <form id="import" data-chunk={String(MAX_ROWS_PER_CHUNK)}>
        <Csrf token={props.csrf} />
        <p>
          <label>
            CSV file
            <br />
            <input type="file" name="file" accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values" required />
          </label>
        </p>
        <fieldset hidden>
          <legend>Which column holds what</legend>
          <div class="filters">
            {IMPORT_FIELDS.map((field) => (
              <label>
                {IMPORT_FIELD_LABELS[field]}
                <select data-field={field} name={`map_${field}`}>
                  <option value="">— not imported —</option>
                </select>
              </label>
            ))}
          </div>
          <p id="mapping-warning" class="flash error" role="alert" hidden>
            No column is mapped to Email or Phone. A lead is found by one of them, so no row could be imported: choose the column that holds either.
          </p>
          <div class="filters">
            <label>
              Source of rows with none
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
        <label>
          Progress
          <br />
          <progress id="progress-bar" max="1" value="0" style="width:100%"></progress>
        </label>
      </p>
      <p id="progress" role="status" aria-live="polite"></p>
      <p id="summary"></p>
      <table id="errors" hidden>
        <caption class="muted">Rows not imported (row 1 is the first row under the header)</caption>
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
