import type { Child } from "hono/jsx";

/**
 * The dashboard's frame: navigation, a small stylesheet readable on a phone, and the
 * session's CSRF token for every form. No script runs on these pages except the import
 * page's uploader; lead data is always rendered as text (JSX escapes it).
 */

const CSS = `
*{box-sizing:border-box} body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d232b;background:#f6f7f9}
header{background:#1d232b;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}
header a{color:#dfe6ee;text-decoration:none} header a[aria-current]{color:#fff;font-weight:600;text-decoration:underline}
header form{margin-left:auto} header button{background:none;border:1px solid #5b6673;color:#dfe6ee;border-radius:4px;padding:.15rem .6rem;font:inherit}
main{max-width:70rem;margin:0 auto;padding:1rem} h1{font-size:1.4rem;margin:.2rem 0 1rem} h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.6rem}
.card{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:.6rem .8rem} .card b{display:block;font-size:1.4rem}
.muted{color:#64707d;font-size:.85rem} .warn{color:#b42318} table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
.scroll{overflow-x:auto} td,th{border-bottom:1px solid #e5e9ee;padding:.35rem .5rem;text-align:left;vertical-align:top} th{background:#eef1f4;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
form.inline{display:inline} input,select,textarea,button{font:inherit} input,select,textarea{padding:.35rem;border:1px solid #b9c1ca;border-radius:5px;max-width:100%}
button{padding:.35rem .8rem;border:0;border-radius:5px;background:#1f6feb;color:#fff;cursor:pointer} button.secondary{background:#5b6673} button.danger{background:#c62828}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:.8rem} .filters label{display:grid;font-size:.8rem}
pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:.6rem;font-size:.85rem}
.pill{display:inline-block;padding:0 .45rem;border-radius:999px;background:#e3e8ee;font-size:.8rem} .human{background:#d6f0dc} .machine{background:#f6dada} .auto{background:#f4ecd0}
.flash{background:#e6f4ea;border:1px solid #a8d5b5;padding:.5rem .8rem;border-radius:6px} .error{background:#fdecea;border-color:#f5b5ad}
iframe{width:100%;height:24rem;border:1px solid #dde2e8;border-radius:6px;background:#fff} svg{max-width:100%;height:auto;background:#fff;border:1px solid #dde2e8;border-radius:8px}
.actions{display:flex;flex-wrap:wrap;gap:.4rem;margin:.6rem 0}
`;

const NAV = [
  ["/dashboard", "Overview"],
  ["/dashboard/leads", "Leads"],
  ["/dashboard/hand-offs", "Hand-offs"],
  ["/dashboard/review", "Review"],
  ["/dashboard/outbox", "Outbox"],
  ["/dashboard/sequences", "Sequences"],
  ["/dashboard/import", "Import"],
  ["/dashboard/forms", "Forms"],
  ["/dashboard/sites", "Sites"],
  ["/dashboard/knowledge", "Knowledge"],
  ["/dashboard/install", "Install"],
  ["/dashboard/settings", "Settings"],
] as const;

export function Page(props: { title: string; path?: string; csrf?: string; flash?: string | undefined; children?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · Follow-up engine`}</title>
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        {props.csrf !== undefined && (
          <header>
            <strong>Follow-up</strong>
            {NAV.map(([href, label]) => (
              <a href={href} aria-current={props.path === href ? "page" : undefined}>
                {label}
              </a>
            ))}
            <form method="post" action="/dashboard/logout">
              <Csrf token={props.csrf} />
              <button type="submit">Log out</button>
            </form>
          </header>
        )}
        <main>
          {props.flash && <p class="flash">{props.flash}</p>}
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** Names and values, one per row: a message's headers, a lead's profile, the deployment's settings. */
export function FieldTable(props: { rows: [string, string][] }) {
  return (
    <table>
      <tbody>
        {props.rows.map(([name, value]) => (
          <tr>
            <th>{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A column of a list table: its heading, and whether it holds figures (right-aligned). */
export type Column = string | { label: string; figures: true };
export const figures = (label: string): Column => ({ label, figures: true });

/** A list that scrolls sideways on a phone: a heading per column, a row per item, and what to say when there is none. */
export function ListTable(props: { columns: Column[]; rows: Child[]; empty?: string }) {
  return (
    <div class="scroll">
      <table>
        <thead>
          <tr>
            {props.columns.map((column) => (typeof column === "string" ? <th>{column}</th> : <th class="n">{column.label}</th>))}
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0 && props.empty && (
            <tr>
              <td colspan={props.columns.length} class="muted">
                {props.empty}
              </td>
            </tr>
          )}
          {props.rows}
        </tbody>
      </table>
    </div>
  );
}

/** A drop-down: each option a value or a [value, label] pair, one of them selected; `blank` offers "none of these" first. */
export function Choice(props: { name: string; options: readonly (string | readonly [string, string])[]; selected?: string | undefined; blank?: string }) {
  return (
    <select name={props.name}>
      {props.blank !== undefined && <option value="">{props.blank}</option>}
      {props.options.map((option) => {
        const [value, label] = typeof option === "string" ? [option, option] : option;
        return (
          <option value={value} selected={props.selected === value}>
            {label}
          </option>
        );
      })}
    </select>
  );
}

export const Csrf = (props: { token: string }) => <input type="hidden" name="_csrf" value={props.token} />;

/** A date-time in UTC, short: the dashboard is read by people in many zones. */
export const when = (at: number | null | undefined) => (at ? `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC` : "—");
export const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)}%`);
