import type { LeadRow } from "../../schemas/d1";
import type { SuppressionRow } from "../../services/d1/suppressions";
import { LeadStatusSchema, MessageChannelSchema, type LeadStatus, type LeadSummary, type TimelineEntry } from "../../schemas/lead";
import { CONSENT_METHOD_WORDS, draftWords, EntryStory, fieldWords, signalWords, statusWords, STATUS_WORDS } from "./timeline-wording";
import { Choice, Csrf, FieldTable, figures, ListTable, when } from "./layout";
import { WHATSAPP_WINDOW_MS } from "../../engine/sequence/whatsapp-session";
import { hasChat, LeadChat } from "./lead-chat";

/** The leads list (search, filters, pages) and one lead's page (profile, consent, score, timeline, actions). */

const CONSENT_CHANNEL_WORDS = { email: "Email", sms: "Text (SMS)", whatsapp: "WhatsApp" } as const;

export interface LeadFilters {
  q?: string | undefined;
  status?: string | undefined;
  minScore?: number | undefined;
  sequenceId?: string | undefined;
}

export function LeadList(props: { leads: Omit<LeadRow, "version">[]; filters: LeadFilters; sequences: string[]; next: string | null }) {
  const { filters } = props;
  const query = (cursor: string) =>
    new URLSearchParams({
      ...Object.fromEntries(
        Object.entries(filters)
          .filter(([, v]) => v !== undefined && v !== "")
          .map(([k, v]) => [k, String(v)]),
      ),
      cursor,
    }).toString();
  return (
    <>
      {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for some of the browsers owners use; the role says the same */}
      <form method="get" class="filters" role="search">
        <label>
          Name, email or company
          <input type="search" name="q" value={filters.q ?? ""} maxlength={200} />
        </label>
        <label>
          Status
          <Choice name="status" options={LeadStatusSchema.options.map((status) => [status, STATUS_WORDS[status]] as const)} selected={filters.status} blank="any" />
        </label>
        <label>
          Score at least
          <input type="number" name="minScore" min="0" max="1000" value={filters.minScore === undefined ? "" : String(filters.minScore)} />
        </label>
        <label>
          Sequence
          <Choice name="sequenceId" options={props.sequences} selected={filters.sequenceId} blank="any" />
        </label>
        <button type="submit">Filter</button>
        <a href="/dashboard/leads.csv">Export CSV</a>
      </form>
      <ListTable
        columns={["Lead", "Company", "Status", figures("Score"), "Sequence", "Came in", "Last activity"]}
        empty="No leads match."
        rows={props.leads.map((lead) => (
          <tr>
            <td>
              <a href={`/dashboard/leads/${lead.id}`}>{lead.name || lead.email || lead.phone || lead.id}</a>
              <div class="muted">{lead.email ?? lead.phone ?? ""}</div>
            </td>
            <td>{lead.company ?? ""}</td>
            <td>
              <span class="pill">{statusWords(lead.status)}</span>
            </td>
            <td class="n">{lead.score}</td>
            <td>{lead.sequenceId ?? ""}</td>
            <td>{when(lead.createdAt)}</td>
            <td>{when(lead.lastActivityAt)}</td>
          </tr>
        ))}
      />
      {props.next && (
        <p>
          <a href={`/dashboard/leads?${query(props.next)}`} rel="next">
            Next page →
          </a>
        </p>
      )}
    </>
  );
}

/** One timeline entry as a table row: when, and what happened in a sentence. */
function EntryRow(props: { entry: TimelineEntry; engaged: Map<string, number> }) {
  return (
    <tr data-kind={props.entry.kind}>
      <td class="when">{when(props.entry.at)}</td>
      <td>
        <EntryStory entry={props.entry} engaged={props.engaged} />
      </td>
    </tr>
  );
}

type LeadAction = "pause" | "resume" | "complete" | "booked" | "hand-off";
const ACTION_LABELS: Record<LeadAction, [string, string?]> = {
  pause: ["Pause"],
  resume: ["Resume"],
  complete: ["Stop", "secondary"],
  booked: ["Mark booked"],
  "hand-off": ["Hand off"],
};
const HALTED: readonly LeadStatus[] = ["booked", "unsubscribed"];

/** The buttons that would do something for a lead in this state: Pause while it runs, Resume while it waits. */
export function actionsFor(lead: Pick<LeadSummary, "status" | "enrolments">): LeadAction[] {
  const { status } = lead;
  const paused = status === "paused" || status === "replied" || status === "with_rep" || lead.enrolments.some((e) => e.status === "paused");
  return [
    ...(status === "new" || status === "active" ? (["pause"] as const) : []),
    ...(paused && !HALTED.includes(status) ? (["resume"] as const) : []),
    ...(!HALTED.includes(status) && status !== "completed" ? (["complete"] as const) : []),
    ...(!HALTED.includes(status) ? (["booked"] as const) : []),
    ...(!HALTED.includes(status) && status !== "with_rep" ? (["hand-off"] as const) : []),
  ];
}

const ZONE_SOURCES: Record<NonNullable<LeadSummary["timezoneSource"]>, string> = {
  form: "from the form",
  browser: "from the browser",
  edge: "guessed from the posting browser's network",
  phone_area: "from the phone's area code",
  phone_country: "guessed from the phone's country",
  default: "the business default",
};

/** Where the zone came from, and the zones SMS keeps quiet hours in when the zone is a guess. */
function ZoneSource(props: { lead: LeadSummary }) {
  const { timezoneSource, smsTimezones } = props.lead;
  if (!timezoneSource) return null;
  return (
    <span data-testid="zone-source">
      ({ZONE_SOURCES[timezoneSource]}
      {smsTimezones ? `; SMS only at hours that are 08:00–21:00 in each of ${smsTimezones.join(", ")}` : ""})
    </span>
  );
}

export function LeadPage(props: { lead: LeadSummary; suppressions: SuppressionRow[]; csrf: string }) {
  const { lead } = props;
  const engaged = new Map(lead.engagement.visits.map((v) => [v.pageViewId, v.engagedMs]));
  const { profile } = lead;
  return (
    <>
      <p>
        <span class="pill" data-testid="status">
          {STATUS_WORDS[lead.status]}
        </span>{" "}
        · score <b data-testid="score">{lead.score}</b> · zone {lead.timezone} <ZoneSource lead={lead} /> · came in {when(lead.createdAt)}
      </p>
      <div class="actions">
        {actionsFor(lead).map((action) => (
          <form method="post" action={`/dashboard/leads/${lead.id}/${action}`} class="inline">
            <Csrf token={props.csrf} />
            <button type="submit" class={ACTION_LABELS[action][1]} data-action={action}>
              {ACTION_LABELS[action][0]}
            </button>
          </form>
        ))}
        <a href={`/dashboard/leads/${lead.id}/export`}>Export JSON</a>
      </div>
      {hasChat(lead) && <LeadChat lead={lead} />}
      <h2>Profile</h2>
      <FieldTable rows={Object.entries(profile).map(([field, value]) => [fieldWords(field), String(value)])} />
      <h2>Consent</h2>
      <table>
        <tbody>
          {MessageChannelSchema.options.map((channel) => {
            const record = lead.consent[channel];
            return (
              <tr>
                <th>{CONSENT_CHANNEL_WORDS[channel]}</th>
                <td>
                  {record
                    ? `${record.granted ? "Given" : "Withdrawn"} ${CONSENT_METHOD_WORDS[record.method]}, ${when(record.at)}${record.wording ? ` — “${record.wording}”` : ""}`
                    : "Not recorded"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {lead.whatsappInboundAt !== undefined && (
        <p class="muted">{`The lead last wrote on WhatsApp ${when(lead.whatsappInboundAt)}: free text may go until ${when(lead.whatsappInboundAt + WHATSAPP_WINDOW_MS)}, approved templates only after that.`}</p>
      )}
      <h2>Lawful basis</h2>
      <table data-testid="lawful-basis">
        <tbody>
          {lead.lawfulBasis.length === 0 && (
            <tr>
              <td class="muted">None recorded (the lead came in before forms declared one, or by import).</td>
            </tr>
          )}
          {lead.lawfulBasis.map((r) => (
            <tr>
              <th>{`${r.channel} · ${r.purpose}`}</th>
              <td>{`${r.basis.replace("_", " ")} · form ${r.formId} · ${when(r.at)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Suppressions</h2>
      <table data-testid="suppressions">
        <tbody>
          {props.suppressions.length === 0 && (
            <tr>
              <td class="muted">Neither the lead's address nor its phone (SMS, WhatsApp) is suppressed.</td>
            </tr>
          )}
          {props.suppressions.map((row) => (
            <tr>
              <th>{row.channel}</th>
              <td>{`${row.reason} ${when(row.createdAt)}`}</td>
              <td>{row.evidence ? `proved by ${row.evidence}` : <span class="muted">no evidence recorded</span>}</td>
              <td>
                <form method="post" action={`/dashboard/leads/${lead.id}/suppressions/${row.channel}/lift`} class="inline">
                  <Csrf token={props.csrf} />
                  <button type="submit" class="secondary">
                    Lift
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Score factors</h2>
      <table>
        <tbody>
          {lead.scoreFactors.length === 0 && (
            <tr>
              <td class="muted">No human activity scored yet.</td>
            </tr>
          )}
          {lead.scoreFactors.map((f) => (
            <tr>
              <td>{signalWords(f.signal)}</td>
              <td class="n">{`×${f.count}`}</td>
              <td class="n">{`${f.points > 0 ? "+" : ""}${f.points}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {lead.drafts.length > 0 && (
        <>
          <h2>Drafts</h2>
          {lead.drafts.map((d) => (
            <details>
              <summary>{draftWords(d)}</summary>
              {d.content?.subject && <p>{d.content.subject}</p>}
              {d.content?.body && <pre>{d.content.body}</pre>}
              {d.content?.sms && <pre>{d.content.sms}</pre>}
              {d.notes && <p class="muted">{d.notes.join("; ")}</p>}
            </details>
          ))}
        </>
      )}
      <h2>Timeline</h2>
      {/* Two columns of sentences that wrap: no sideways scroll needed, even on a phone. */}
      <table data-testid="timeline">
        <tbody>
          {[...lead.timeline].reverse().map((entry) => (
            <EntryRow entry={entry} engaged={engaged} />
          ))}
        </tbody>
      </table>
      <h2>Erase</h2>
      <form method="post" action={`/dashboard/leads/${lead.id}/erase`}>
        <Csrf token={props.csrf} />
        <label>
          <input type="checkbox" name="confirm" value="yes" required /> Erase everything held about this lead (an opt-out stays as a keyed hash)
        </label>{" "}
        <button type="submit" class="danger">
          Erase
        </button>
      </form>
    </>
  );
}
