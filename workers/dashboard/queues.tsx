import type { HandOffRow, LeadRow, OutboxRow, ReviewRow } from "../../schemas/d1";
import { Csrf, FieldTable, ListTable, when } from "./layout";
import { spelledOut } from "./timeline-wording";

/** The owner's queues: hot leads handed off, drafts waiting for review, and the local outbox. */

export function HandOffQueue(props: { rows: (HandOffRow & { lead: Pick<LeadRow, "name" | "email" | "company" | "score"> })[] }) {
  if (props.rows.length === 0) return <p class="muted">No lead is with a rep right now.</p>;
  return (
    <ListTable
      columns={["Lead", "Why", "Summary", "Next", "When"]}
      rows={props.rows.map((row) => (
        <tr>
          <td>
            <a href={`/dashboard/leads/${row.leadId}`}>{row.lead.name || row.lead.email || row.leadId}</a>
            <div class="muted">{`${row.lead.company ?? ""} · score ${row.lead.score}`}</div>
          </td>
          <td>
            {row.triggers.map((t) => (
              <div>
                <span class="pill">{spelledOut(t.trigger)}</span> {t.reason}
              </div>
            ))}
          </td>
          <td>
            {row.summary.needs}
            {row.summary.topObjection && <div class="muted">{`Objection: ${row.summary.topObjection}`}</div>}
            <div class="muted">{`summary by ${row.summary.by}`}</div>
          </td>
          <td>{row.nextAction}</td>
          <td>{when(row.at)}</td>
        </tr>
      ))}
    />
  );
}

export function ReviewQueue(props: { drafts: ReviewRow[]; total: number; csrf: string }) {
  if (props.drafts.length === 0) return <p class="muted">No draft is waiting for review.</p>;
  return (
    <>
      <p class="muted">{`${props.total} waiting. Unreviewed at its due time, a draft goes out as the template (or its step holds, where the sequence says so).`}</p>
      {props.drafts.map((d) => {
        const action = `/dashboard/review/${d.leadId}/${d.enrolmentId}`;
        return (
          <section class="card" data-testid="draft" data-lead={d.leadId} style="margin-bottom:1rem">
            <p>
              <a href={`/dashboard/leads/${d.leadId}`}>{d.leadId.slice(0, 8)}</a>
              {` · ${d.sequenceId} · ${d.stepId} (${d.intent}) · due ${when(d.dueAt)} · drafted by ${d.draftedBy}`}
              {d.held && <span class="pill machine"> held until reviewed</span>}
            </p>
            {d.predictedObjection && <p class="muted">{`Likely concern: ${d.predictedObjection}`}</p>}
            <form method="post" action={action}>
              <Csrf token={props.csrf} />
              <input type="hidden" name="stepId" value={d.stepId} />
              {d.draft.subject !== undefined && (
                <label>
                  Subject
                  <br />
                  <input name="subject" value={d.draft.subject} maxlength={200} style="width:100%" />
                </label>
              )}
              {d.draft.body !== undefined && (
                <label>
                  Email
                  <textarea name="body" rows={10} style="width:100%">
                    {d.draft.body}
                  </textarea>
                </label>
              )}
              {d.draft.sms !== undefined && (
                <label>
                  SMS
                  <textarea name="sms" rows={3} style="width:100%">
                    {d.draft.sms}
                  </textarea>
                </label>
              )}
              <details>
                <summary>The template it rewrites</summary>
                <pre>{[d.template.subject, d.template.body, d.template.sms].filter(Boolean).join("\n\n")}</pre>
              </details>
              <div class="actions">
                <button type="submit" name="decision" value="approve">
                  Approve
                </button>
                <button type="submit" name="decision" value="edit" class="secondary">
                  Save my edits and approve
                </button>
                <button type="submit" name="decision" value="reject" class="danger">
                  Reject (send the template)
                </button>
              </div>
            </form>
          </section>
        );
      })}
    </>
  );
}

export function OutboxList(props: { messages: OutboxRow[]; next: string | null }) {
  if (props.messages.length === 0) return <p class="muted">The outbox is empty. Messages appear here when the local transport holds them instead of sending.</p>;
  return (
    <>
      {props.messages.map((m) => (
        <details class="card" style="margin-bottom:.5rem">
          <summary>
            {`${when(m.createdAt)} · ${m.channel} to ${m.to}`}
            {m.subject ? ` · ${m.subject}` : ""}
          </summary>
          <FieldTable rows={Object.entries({ From: m.from, To: m.to, ...m.headers })} />
          <pre>{m.text}</pre>
          {m.html && (
            <>
              <p class="muted">The email as the lead sees it, with its images and links turned off: looking at it here counts as no open and no click.</p>
              <iframe sandbox="" src={`/dashboard/outbox/${encodeURIComponent(m.id)}/preview`} loading="lazy" title="The message as HTML" />
            </>
          )}
        </details>
      ))}
      {props.next && (
        <p>
          <a href={`/dashboard/outbox?cursor=${encodeURIComponent(props.next)}`}>Older →</a>
        </p>
      )}
    </>
  );
}
