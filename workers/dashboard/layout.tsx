import { raw } from "hono/html";
import { createContext, useContext, type Child } from "hono/jsx";

/**
 * The dashboard's frame: a doctype (no quirks mode), a skip link, navigation that folds into
 * a menu on a phone, a small stylesheet readable at 390 px, and the session's CSRF token for
 * every form. Every page works without script; the few scripts there are come from this
 * origin only (the import page's parser, the sequence editor's live preview, the copy
 * buttons), and lead data is always rendered as text (JSX escapes it).
 */

const CSS = `
*{box-sizing:border-box} body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d232b;background:#f6f7f9}
.skip{position:absolute;left:-10000px;top:0;background:#fff;color:#1d232b;padding:.5rem .8rem;z-index:2} .skip:focus{left:.5rem}
header{background:#1d232b;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}
header a{color:#dfe6ee;text-decoration:none} header a[aria-current]{color:#fff;font-weight:600;text-decoration:underline}
header nav{flex:1} header ul{display:flex;flex-wrap:wrap;gap:.4rem 1rem;list-style:none;margin:0;padding:0}
header .menu{display:none}
header button,header summary{background:none;border:1px solid #5b6673;color:#dfe6ee;border-radius:4px;padding:.15rem .6rem;font:inherit;cursor:pointer}
main{max-width:70rem;margin:0 auto;padding:1rem} h1{font-size:1.4rem;margin:.2rem 0 1rem} h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.6rem}
.card{background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:.6rem .8rem} .card b{display:block;font-size:1.4rem}
@media (max-width:40rem){
 header .wide{display:none} header .menu{display:block;position:relative} header summary{display:inline-block;list-style:none} header summary::-webkit-details-marker{display:none}
 header .menu ul{display:grid;gap:0;position:absolute;left:0;top:2rem;min-width:12rem;background:#1d232b;border:1px solid #5b6673;border-radius:6px;padding:.3rem .8rem;z-index:1}
 header .menu a{display:block;padding:.45rem 0}
 main{padding:.75rem} .card b{font-size:1.2rem}
}
.muted{color:#64707d;font-size:.85rem} .warn{color:#b42318} table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
.scroll{overflow-x:auto;max-width:100%} td,th{border-bottom:1px solid #e5e9ee;padding:.35rem .5rem;text-align:left;vertical-align:top} th{background:#eef1f4;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
form.inline{display:inline} input,select,textarea,button{font:inherit} input,select,textarea{padding:.35rem;border:1px solid #b9c1ca;border-radius:5px;max-width:100%}
button{padding:.35rem .8rem;border:0;border-radius:5px;background:#1f6feb;color:#fff;cursor:pointer} button.secondary{background:#5b6673} button.danger{background:#c62828}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:.8rem} .filters label{display:grid;font-size:.8rem}
td,p,li,summary{overflow-wrap:anywhere} td.when,.scroll td{overflow-wrap:normal} .scroll th{white-space:nowrap} pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:.6rem;font-size:.85rem}
.pill{display:inline-block;padding:0 .45rem;border-radius:999px;background:#e3e8ee;font-size:.8rem} .human{background:#d6f0dc} .machine{background:#f6dada} .auto{background:#f4ecd0}
.flash{background:#e6f4ea;border:1px solid #a8d5b5;padding:.5rem .8rem;border-radius:6px} .error{background:#fdecea;border-color:#f5b5ad}
iframe{width:100%;height:24rem;border:1px solid #dde2e8;border-radius:6px;background:#fff} svg{max-width:100%;height:auto;background:#fff;border:1px solid #dde2e8;border-radius:8px}
figure.chart{margin:0 0 1rem} .axis{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.2rem 1rem;font-size:.8rem;color:#64707d;margin-top:.2rem}
ol.funnel{list-style:none;margin:0;padding:.6rem .8rem;background:#fff;border:1px solid #dde2e8;border-radius:8px;display:grid;gap:.35rem}
ol.funnel li{display:grid;grid-template-columns:6.5rem 1fr 7.5rem;gap:.5rem;align-items:center;font-size:.9rem}
.funnel-bar{background:#eef1f4;border-radius:4px;height:1rem;overflow:hidden} .funnel-bar span{display:block;height:100%;background:#1f6feb}
.funnel-value{text-align:right;font-variant-numeric:tabular-nums}
@media (max-width:40rem){ol.funnel li{grid-template-columns:5rem 1fr 6.5rem;font-size:.85rem}}
.actions{display:flex;flex-wrap:wrap;gap:.4rem;margin:.6rem 0}
`;

const NAV = [
  ["/dashboard", "Overview"],
  ["/dashboard/leads", "Leads"],
  ["/dashboard/hand-offs", "Hand-offs"],
  ["/dashboard/conversations", "Conversations"],
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

/**
 * The business's time zone for the page being rendered. Times are formatted deep inside
 * tables and timeline rows; the page's zone reaches them this way instead of through
 * every component's props. Outside a page (or before one names it) times show in UTC.
 */
const BusinessZone = createContext("UTC");

function Navigation(props: { path: string | undefined }) {
  const links = (
    <ul>
      {NAV.map(([href, label]) => (
        <li>
          <a href={href} aria-current={props.path === href ? "page" : undefined}>
            {label}
          </a>
        </li>
      ))}
    </ul>
  );
  // Wide screens see the links; a phone sees a Menu that opens them (no script: <details>).
  return (
    <nav aria-label="Dashboard">
      <div class="wide">{links}</div>
      <details class="menu">
        <summary>Menu</summary>
        {links}
      </details>
    </nav>
  );
}

export function Page(props: { title: string; path?: string; csrf?: string; flash?: string | undefined; zone?: string; children?: Child }) {
  const zone = props.zone ?? "UTC";
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <meta name="referrer" content="no-referrer" />
          <title>{`${props.title} · Follow-up engine`}</title>
          <style dangerouslySetInnerHTML={{ __html: CSS }} />
        </head>
        <body>
          <a class="skip" href="#main">
            Skip to content
          </a>
          {props.csrf !== undefined && (
            <header>
              <strong>Follow-up</strong>
              <Navigation path={props.path} />
              <form method="post" action="/dashboard/logout">
                <Csrf token={props.csrf} />
                <button type="submit">Log out</button>
              </form>
            </header>
          )}
          <main id="main">
            <BusinessZone.Provider value={zone}>
              {props.flash && <p class="flash">{props.flash}</p>}
              {props.children}
              {props.csrf !== undefined && <p class="muted" data-testid="zone">{`Times are in ${zone}, the business's time zone.`}</p>}
            </BusinessZone.Provider>
          </main>
        </body>
      </html>
    </>
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
          <tr>{props.columns.map((column) => (typeof column === "string" ? <th>{column}</th> : <th class="n">{column.label}</th>))}</tr>
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

/** The zone's short name at a moment, as people read it on a clock: "EST", "EDT", "GMT+1". */
export function zoneName(zone: string, at: number): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" }).formatToParts(at).find((p) => p.type === "timeZoneName")?.value ?? zone;
}

/** A date-time in the business's zone, short and sortable, with the zone named: "2026-11-02 10:00 EST". */
export function when(at: number | null | undefined): string {
  if (!at) return "—";
  const zone = useContext(BusinessZone);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${zoneName(zone, at)}`;
}
export const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)}%`);
