import type { FirstRunItem } from "../first-run";

/** The first-run checklist, until every item is done; and the unknown-site queue whenever something waits there. */
export function FirstRun(props: { items: FirstRunItem[]; waitingFromUnknownSites: number }) {
  const left = props.items.filter((i) => !i.done).length;
  return (
    <>
      {props.waitingFromUnknownSites > 0 && (
        <p class="flash error" data-testid="unknown-site-notice">
          <a href="/dashboard/unknown-sites">{`${props.waitingFromUnknownSites} form post${props.waitingFromUnknownSites === 1 ? "" : "s"} from an unknown site wait for you`}</a>
          {": nobody was contacted yet. Approve or discard them."}
        </p>
      )}
      {left > 0 && (
        <section class="card" data-testid="first-run" style="margin-bottom:1rem">
          <h2 style="margin-top:0">{`Getting started: ${props.items.length - left} of ${props.items.length} done`}</h2>
          <ol style="padding-left:1.2rem;margin:0">
            {props.items.map((item) => (
              <li data-item={item.id} data-done={String(item.done)}>
                <span aria-hidden="true">{item.done ? "✓ " : "○ "}</span>
                <a href={item.href}>{item.what}</a>
                <span class="muted">{` · ${item.done ? "done" : "not done"}: ${item.detail}`}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}
