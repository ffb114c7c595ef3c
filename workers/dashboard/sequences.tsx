import { simulate, type Reaction } from "../../engine/simulator";
import type { OutgoingTouch } from "../../engine/lead/lead-state";
import type { SequenceVersion } from "../../schemas/sequence";
import type { SequenceListing } from "../../services/d1/sequences";
import type { PeriodStats } from "../../services/d1/stats";
import { Choice, Csrf, ListTable } from "./layout";
import { inStepOrder, TouchTable } from "./overview";

/** Sequences: each one's steps with their stats, and a preview of how it plays for a few kinds of lead. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Monday 2 November 2026, 10:00 in New York: the preview's fixed start, so it reads the same every time. */
const PREVIEW_START = Date.UTC(2026, 10, 2, 15, 0);

/** The behaviours the preview plays: how a scripted lead answers each touch. */
const BEHAVIOURS: { name: string; react: (touch: OutgoingTouch, sentAt: number, start: number) => Reaction[] }[] = [
  { name: "Opens but never clicks", react: (t) => (t.channel === "email" ? [{ after: 2 * HOUR, kind: "open" }] : []) },
  { name: "Clicks on day 1", react: (t, at, start) => (t.channel === "email" && at - start < DAY ? [{ after: HOUR, kind: "click", text: "https://example.com/" }] : []) },
  { name: "Silent", react: () => [] },
  {
    name: "Replies to the second email",
    react: (t) => (t.channel === "email" && /-t[23]-/.test(t.key) ? [{ after: 3 * HOUR, kind: "reply", text: "Thanks, can we talk next week?" }] : []),
  },
];

export function previewOf(sequence: SequenceVersion, start = PREVIEW_START) {
  return BEHAVIOURS.map((behaviour) => {
    const run = simulate({
      leadId: "0".repeat(32),
      submission: {
        formId: "preview",
        receivedAt: start,
        profile: { email: "preview@example.com", firstName: "Alex", timezone: "America/New_York" },
        consent: { email: true },
        utm: {},
        custom: {},
      },
      sequence,
      start,
      until: start + 60 * DAY,
      react: (touch, sentAt) => behaviour.react(touch, sentAt, start),
    });
    return {
      behaviour: behaviour.name,
      status: run.state.status,
      touches: run.sent.map((s) => ({ day: Math.floor((s.at - start) / DAY), stepId: s.touch.stepId, channel: s.touch.channel, subject: s.touch.subject, text: s.touch.text })),
    };
  });
}

export function SequenceList(props: { sequences: SequenceListing[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Sequence</th>
          <th class="n">Version</th>
          <th class="n">Steps</th>
          <th>Change</th>
        </tr>
      </thead>
      <tbody>
        {props.sequences.map((s) => (
          <tr id={s.id}>
            <td>
              <a href={`/dashboard/sequences/${s.id}`}>{s.name}</a> <span class="muted">{s.id}</span>
            </td>
            <td class="n">{s.preset ? "preset" : String(s.version)}</td>
            <td class="n">{s.steps}</td>
            <td>
              <a href={`/dashboard/sequences/${s.id}/edit`} aria-label={`Edit ${s.name}`}>
                Edit
              </a>{" "}
              ·{" "}
              <a href={`/dashboard/sequences/${s.id}/duplicate`} aria-label={`Duplicate ${s.name}`}>
                Duplicate
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SequenceDetail(props: { sequence: SequenceVersion; stats: PeriodStats; preview: ReturnType<typeof previewOf>; csrf: string }) {
  const { sequence } = props.sequence;
  const order = new Map([[props.sequence.id, sequence.steps.map((step) => step.id)]]);
  const rows = inStepOrder(
    props.stats.byStep.filter((r) => r.sequenceId === props.sequence.id),
    order,
  );
  return (
    <>
      <p class="muted">{`${props.sequence.id} · version ${props.sequence.version} · window ${sequence.window.start}–${sequence.window.end} · drafting ${sequence.drafting.mode}${sequence.drafting.mode === "review" ? ` (unreviewed: ${sequence.drafting.unreviewed})` : ""}`}</p>
      <p class="actions">
        <a href={`/dashboard/sequences/${props.sequence.id}/edit`}>Edit steps, copy and rules</a>
        <a href={`/dashboard/sequences/${props.sequence.id}/duplicate`}>Duplicate as a new sequence</a>
      </p>
      <form method="post" action={`/dashboard/sequences/${props.sequence.id}/drafting`} class="filters">
        <Csrf token={props.csrf} />
        <label>
          AI drafting
          <Choice name="mode" options={["auto", "review", "off"]} selected={sequence.drafting.mode} />
        </label>
        <label>
          Unreviewed at due time
          <Choice name="unreviewed" options={["template", "hold"]} selected={sequence.drafting.unreviewed} />
        </label>
        <button type="submit">Save as a new version</button>
      </form>
      <h2>Steps</h2>
      <ListTable
        columns={["Step", "Intent", "Channels", "Wait", "Branches"]}
        rows={sequence.steps.map((step) => (
          <tr>
            <td>{step.id}</td>
            <td>{step.intent}</td>
            <td>{step.channels.join(", ")}</td>
            <td>{step.instant ? "at once" : `${step.wait.days} d ${step.wait.hours} h`}</td>
            <td>{step.branches.map((b) => `${b.if.not ? "not " : ""}${b.if.signal} → ${b.then.do}`).join("; ")}</td>
          </tr>
        ))}
      />
      <h2>Per step, last 30 days</h2>
      <TouchTable rows={rows.map((r) => ({ label: `${r.stepId} · ${r.channel}`, ...r }))} />
      <h2>Preview</h2>
      <SequencePreview preview={props.preview} />
    </>
  );
}

/** The simulated timelines, one per behaviour, with the words each touch would carry (merged for a lead named Alex). */
export function SequencePreview(props: { preview: ReturnType<typeof previewOf>; open?: boolean }) {
  return (
    <>
      <p class="muted">The simulated timeline for a lead who posts a form on a Monday at 10:00 (New York), by behaviour.</p>
      {props.preview.map((p, i) => (
        <details open={props.open === true && i === 0} data-behaviour={p.behaviour}>
          <summary>{`${p.behaviour}: ${p.touches.length} touches, ends ${p.status}`}</summary>
          <ol>
            {p.touches.map((t) => (
              <li data-step={t.stepId}>
                {`day ${t.day} · ${t.stepId} · ${t.channel}${t.subject ? ` · ${t.subject}` : ""}`}
                <pre>{t.text}</pre>
              </li>
            ))}
          </ol>
        </details>
      ))}
    </>
  );
}
