import type { Check } from "../../services/deployment-checks";

/** The doctor's checklist, as `npm run doctor` and `GET /api/doctor` give it. */
export function Checklist(props: { checks: Check[] }) {
  const missing = props.checks.filter((c) => c.status === "missing").length;
  return (
    <>
      <h2>Checklist</h2>
      <p class={missing > 0 ? "warn" : "muted"}>
        {missing > 0 ? `${missing} thing${missing === 1 ? "" : "s"} to set before this deployment sends for real.` : "Everything sending needs is set."}
      </p>
      <table data-testid="checklist">
        <tbody>
          {props.checks.map((check) => (
            <tr data-check={check.id} data-status={check.status}>
              <td>{check.status === "ok" ? "✓" : check.status === "missing" ? "✗" : "?"}</td>
              <td>{check.what}</td>
              <td class="muted">{check.fix ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
