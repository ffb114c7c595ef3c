import type { LeadEffect, LeadEvent, LeadState } from "../../engine/lead/lead-state";
import { timerKey } from "../../engine/lead/lead-state";
import type { TimelineEntry } from "../../schemas/lead";
import { leadRowOf } from "../../engine/lead/lead-row";
import { INDEXED_LEAD_COLUMNS } from "../../schemas/d1";
import { DEFAULT_RETENTION_DAYS } from "../../schemas/settings";
import type { OutgoingTouch } from "../../engine/lead/lead-state";
import { simulate, type Reaction } from "../../engine/simulator";
import { PRESETS } from "../../schemas/sequence-presets";
import { DRAFT_INSTRUCTIONS, draftPrompt } from "../../services/ai/drafting";
import { JUDGEMENT_INSTRUCTIONS } from "../../services/ai/judgement-instructions";
import { CHARS_PER_TOKEN, estimateTokens, PROMPT_BUDGETS } from "../../engine/drafting/prompt-budget";

/**
 * Operations one lead costs over a full sequence, counted from what the engine asks the
 * object to do (the same engine code the object runs), each effect priced by what the
 * object and the Worker do for it — read from the code, listed below. lead-costs.ts prices
 * them per 1,000 leads.
 *
 * The lead: posts the form (email only), opens every email three hours after it arrives,
 * never clicks or replies, so the whole of new-inquiry runs (60 days). With a model bound,
 * each draft is answered at once. The `engaged` lead also reads the pricing page after the
 * value email, clicks the proof email and asks about the price in answer to the objection
 * email: its reply is judged, and it is handed off.
 *
 * Storage is counted as the row meters count it (a row, each index entry it touches and
 * AUTOINCREMENT's counter are each a row written), per statement the object and the
 * projection run; test/projection-meters.test.ts checks the counts against the meters of a
 * real object and D1. `before` counts storage as it was before #23: every timeline entry a
 * D1 event row (five index entries) and marked projected in the object, the lead row
 * rewritten (all its indexes) at every projection, due rows with a time index and a counter.
 *
 * Model calls are counted per task and priced with that task's model. `before` is the
 * configuration before issue #23: one 70B model for everything, a draft for every step and
 * again after every human signal, prompts without a budget (five earlier touches quoted,
 * three 800-character passages). `now` is the engine as it is: drafts only where they
 * could differ from the template, prompts within their budgets, quick tasks on the fast model.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 10, 2, 15, 0);
/** The deployment's default retention: the object prunes nothing, and marks no prune, before an entry is this old. */
const RETENTION_MS = DEFAULT_RETENTION_DAYS * DAY;

/** Secondary and primary-key index entries each table's insert writes (D1 bills an index entry as a written row), before #23. */
const INDEX_ENTRIES_ON_INSERT = { events: 4, leads: 6, touches: 3, lead_daily: 1, touch_daily: 1 };
/**
 * Now: a lead row's insert writes its text key and five indexes, and the day's rollup row with
 * its key; a touch row its key, its time, sequence and Message-ID indexes (and the provider id
 * where the provider gave one), and its day's rollup row with its key. A rollup row is counted
 * as new (the first lead of its day): with many leads a day it is an update, one row less.
 */
const NOW_INDEX_ENTRIES = { leadInsert: 7, touchInsert: 5 };
/** The lead row's counted columns: a change writes its day's rollup row once (a change of sequence moves the counts: two rows). */
const ROLLUP_COLUMNS = ["contactedAt", "openedAt", "clickedAt", "repliedAt", "bookedAt", "unsubscribedAt", "bouncedAt", "opensHuman", "opensAuto", "opensMachine"] as const;
/** D1 rows a projection reads: the lead row's upsert and its four indexed-column checks. */
const PROJECTION_ROWS_READ = 5;
export type CountedTask = "drafting" | "judgement" | "summary";
export type ModelConfig = "local" | "before" | "now";
/** A hand-off brief's prompt and answer before #23 (an 8,000-character transcript at most): an estimate. */
const SUMMARY_BEFORE = { inputTokens: 1_500, outputTokens: 120 };

export interface OperationCounts {
  workerRequests: number;
  objectRequests: number;
  objectRowsWritten: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  d1IndexEntriesWritten: number;
  modelCalls: number;
  modelInputTokens: number;
  modelOutputTokens: number;
  /** The same calls and tokens, per task. */
  byTask: Record<CountedTask, { calls: number; inputTokens: number; outputTokens: number }>;
  touchesSent: number;
  /** Raw timeline entries sent to the event log: Analytics Engine data points in production (none before #23: they were D1 rows). */
  eventLogDataPoints: number;
}

/** A judgement's answer: a few JSON fields. */
const JUDGEMENT_ANSWER_TOKENS = 60;
const ENGAGED_REPLY = "Thanks, this is helpful. What would it cost for a roof our size, and could you start next month?";

/**
 * `silent`: never opens, clicks or replies (the meter test's lead). `days`: how much of the
 * sequence runs.
 */
export function countOperations(config: ModelConfig, lead: "opener" | "engaged" | "silent" = "opener", days = 60): OperationCounts {
  const storageBefore = config === "before";
  const withModel = config !== "local";
  const counts: OperationCounts = {
    workerRequests: 0,
    objectRequests: 0,
    objectRowsWritten: 0,
    d1RowsRead: 0,
    d1RowsWritten: 0,
    d1IndexEntriesWritten: 0,
    modelCalls: 0,
    modelInputTokens: 0,
    modelOutputTokens: 0,
    byTask: {
      drafting: { calls: 0, inputTokens: 0, outputTokens: 0 },
      judgement: { calls: 0, inputTokens: 0, outputTokens: 0 },
      summary: { calls: 0, inputTokens: 0, outputTokens: 0 },
    },
    touchesSent: 0,
    eventLogDataPoints: 0,
  };
  const call = (task: CountedTask, inputTokens: number, outputTokens: number) => {
    counts.modelCalls += 1;
    counts.modelInputTokens += inputTokens;
    counts.modelOutputTokens += outputTokens;
    const line = counts.byTask[task];
    line.calls += 1;
    line.inputTokens += inputTokens;
    line.outputTokens += outputTokens;
  };
  const passages = Array.from({ length: 3 }, (_, i) => ({ documentId: `d${i}`, kind: "faq" as const, title: "A passage", text: "x ".repeat(400) }));
  /**
   * A draft as it was asked for before #23: the prompt's instructions, template and lead
   * (about 300 characters of framing), five earlier touches quoted up to 600 characters,
   * three 800-character passages; the answer as long as the template.
   */
  let templateChars = 0;
  const draftBefore = () => {
    const earlier = sentTexts.slice(-5).reduce((n, t) => n + (t.subject?.length ?? 0) + Math.min(600, t.text.length), 0);
    call("drafting", Math.ceil((DRAFT_INSTRUCTIONS.length + templateChars + 300 + earlier + 3 * 820) / CHARS_PER_TOKEN), Math.ceil((templateChars + 80) / CHARS_PER_TOKEN));
  };
  const alarmTimes = new Set<number>();
  const sentTexts: { subject?: string; text: string }[] = [];
  let leadRowWritten = false;
  let touchesAfterClick = -1;
  const react = (touch: OutgoingTouch): Reaction[] => {
    if (touch.channel !== "email" || lead === "silent") return [];
    if (touch.stepId === "proof") touchesAfterClick = 0;
    const open: Reaction = { after: 3 * HOUR, kind: "open" };
    if (lead === "opener") return [open];
    if (touch.stepId === "value") return [open, { after: 4 * HOUR, kind: "visit", pageClass: "pricing" }];
    if (touchesAfterClick < 0) return [open];
    if (touch.stepId === "proof") return [open, { after: 4 * HOUR, kind: "click" }];
    // The click moves the lead to the booking ask; the next email is the one it answers.
    if (touchesAfterClick++ === 0) return [open, { after: 5 * HOUR, kind: "reply", text: ENGAGED_REPLY }];
    return [open];
  };

  /** Now: what the object's due table holds (timer and effect keys), what was last projected, and the entries since. */
  const dueKeys = new Set<string>();
  let projected: ReturnType<typeof leadRowOf> | null = null;
  let pending: TimelineEntry[] = [];
  const marked = new Set<string>();
  let cursorWritten = false;
  const pruneDays = new Set<number>();
  const project = (state: LeadState) => {
    counts.d1RowsRead += PROJECTION_ROWS_READ;
    const row = leadRowOf(state, pending);
    if (projected === null) {
      counts.d1RowsWritten += 2;
      counts.d1IndexEntriesWritten += NOW_INDEX_ENTRIES.leadInsert;
    } else {
      const before = projected;
      const differs = (key: keyof typeof row) => row[key] !== before[key];
      const shown = (Object.keys(row) as (keyof typeof row)[]).filter((k) => !["id", "createdAt", "version", "formPostedAt", ...INDEXED_LEAD_COLUMNS].includes(k));
      if (shown.some(differs) || (before.formPostedAt === null && row.formPostedAt !== null)) counts.d1RowsWritten += 1;
      // An indexed column that changed: the row again, and its index entry.
      const indexedChanged = INDEXED_LEAD_COLUMNS.filter(differs).length;
      counts.d1RowsWritten += indexedChanged;
      counts.d1IndexEntriesWritten += indexedChanged;
      if (differs("sequenceId")) counts.d1RowsWritten += 2;
      else if (ROLLUP_COLUMNS.some(differs)) counts.d1RowsWritten += 1;
    }
    projected = { ...row, formPostedAt: projected?.formPostedAt ?? row.formPostedAt };
    const mark = (touchKey: string, column: string) => {
      counts.d1RowsRead += 1;
      if (marked.has(`${touchKey}:${column}`)) return;
      marked.add(`${touchKey}:${column}`);
      // The touch row, and its rollup row (a delivery is not in the rollup).
      counts.d1RowsWritten += column === "delivered" ? 1 : 2;
    };
    for (const entry of pending) {
      if (entry.kind === "touch_sent") {
        counts.d1RowsWritten += 2;
        counts.d1IndexEntriesWritten += NOW_INDEX_ENTRIES.touchInsert + (entry.providerId ? 1 : 0);
      }
      if (entry.kind === "email_opened" && entry.verdict === "human") mark(entry.messageId, "opened");
      if (entry.kind === "link_clicked" && entry.verdict === "human") {
        mark(entry.messageId, "clicked");
        mark(entry.messageId, "opened");
      }
      if (entry.kind === "reply_received" && entry.touchKey) mark(entry.touchKey, "replied");
      if (entry.kind === "touch_delivered") mark(entry.key, "delivered");
    }
    if (pending.length > 0) {
      // The cursor's meta row (its key too, the first time); the entries go to the event log.
      counts.objectRowsWritten += cursorWritten ? 1 : 2;
      cursorWritten = true;
      counts.eventLogDataPoints += pending.length;
    }
    pending = [];
  };
  /** Now: an effect's due row, written with its key (two rows), leased, deleted. */
  const effectRow = () => {
    counts.objectRowsWritten += 4;
  };
  /**
   * The drain runs a queued projection after the work due at its moment that goes first (the
   * step's timer, the touch it sends and its delivery: lead-drain.ts's rank) and before drafts,
   * so one projection covers them; the simulator runs them one by one, so the project row waits
   * here until the simulation moves on.
   */
  let queued: { at: number } | null = null;
  let latest: LeadState | null = null;
  const runQueuedProjection = () => {
    if (queued && latest) project(latest);
    queued = null;
  };
  const observeNow = (event: LeadEvent, effects: LeadEffect[], at: number, state: LeadState | null) => {
    if (queued && (at > queued.at || event.kind === "draft_ready")) runQueuedProjection();
    latest = state;
    if (event.kind === "timer_fired") {
      // Fired in the transaction that applies it: leased (one row) only when the engine leaves it as it was.
      const fired = timerKey(event.timer);
      if (!effects.some((e) => (e.kind === "schedule" || e.kind === "unschedule") && timerKey(e.timer) === fired)) counts.objectRowsWritten += 1;
      // A drain prunes the timeline at most once a day, once its first entry has passed retention: its meta row.
      const day = Math.floor(at / DAY);
      if (at >= START + RETENTION_MS && !pruneDays.has(day)) {
        counts.objectRowsWritten += pruneDays.size === 0 ? 2 : 1;
        pruneDays.add(day);
      }
    }
    for (const effect of effects) {
      switch (effect.kind) {
        case "append_timeline":
          counts.objectRowsWritten += 1;
          pending.push(effect.entry);
          break;
        case "rejudge_timeline":
          // Each entry's verdict, and the cursor's list of re-judged entries.
          counts.objectRowsWritten += effect.seqs.length + 1;
          counts.eventLogDataPoints += effect.seqs.length;
          break;
        case "schedule": {
          const key = timerKey(effect.timer);
          counts.objectRowsWritten += dueKeys.has(key) ? 1 : 2;
          dueKeys.add(key);
          break;
        }
        case "unschedule":
          counts.objectRowsWritten += 1;
          dueKeys.delete(timerKey(effect.timer));
          break;
        case "project":
          // Asked again while one waits for the same moment: nothing written. Else the lasting row is
          // written (the first time with its key: two rows) or woken, leased, then parked.
          if (!queued) counts.objectRowsWritten += dueKeys.has("project") ? 3 : 4;
          dueKeys.add("project");
          queued = { at };
          break;
        default:
          if (effect.kind === "send" || effect.kind === "draft" || effect.kind === "alert" || effect.kind === "hand_off" || effect.kind === "enrol" || effect.kind === "suppress")
            effectRow();
          break;
      }
    }
  };

  const observe = (event: LeadEvent, effects: LeadEffect[], at: number, state: LeadState | null) => {
    if (!storageBefore) observeNow(event, effects, at, state);
    switch (event.kind) {
      case "form_submitted":
        // The post: the form and the sequence looked up in D1, then one RPC to the object.
        counts.workerRequests += 1;
        counts.objectRequests += 1;
        counts.d1RowsRead += 2;
        break;
      case "email_opened":
      case "link_clicked":
        counts.workerRequests += 1;
        counts.objectRequests += 1;
        // Before #23 every human signal had the next step's draft made again (at most every 30 minutes).
        if (config === "before") draftBefore();
        break;
      case "page_viewed":
        // The view and, later, its leave beacon: each reads the site and the visitor link.
        counts.workerRequests += 2;
        counts.objectRequests += 2;
        counts.d1RowsRead += 4;
        if (config === "before") draftBefore();
        break;
      case "reply_received":
        // Judged once at intake, before the object hears of it (the inbound path, not counted here beyond the model).
        if (withModel) call("judgement", estimateTokens(JUDGEMENT_INSTRUCTIONS + ENGAGED_REPLY) + 20, JUDGEMENT_ANSWER_TOKENS);
        break;
      case "timer_fired":
        // Timers due together run in one alarm; each is leased (one row) while it runs.
        alarmTimes.add(at);
        if (storageBefore) counts.objectRowsWritten += 1;
        break;
      default:
        break;
    }
    if (effects.length > 0) counts.objectRowsWritten += 1; // the state row
    for (const effect of effects) {
      switch (effect.kind) {
        case "append_timeline":
          if (effect.entry.kind === "touch_sent") {
            counts.touchesSent += 1;
            sentTexts.push({ ...(effect.entry.subject ? { subject: effect.entry.subject } : {}), text: effect.entry.text });
          }
          if (!storageBefore) break;
          // Inserted, then marked projected; one event row (and its index entries) in D1.
          counts.objectRowsWritten += 2;
          counts.d1RowsWritten += 1;
          counts.d1IndexEntriesWritten += INDEX_ENTRIES_ON_INSERT.events;
          if (effect.entry.kind === "touch_sent") {
            counts.d1RowsWritten += 2; // the touch row and its day's rollup
            counts.d1IndexEntriesWritten += INDEX_ENTRIES_ON_INSERT.touches + INDEX_ENTRIES_ON_INSERT.touch_daily;
          }
          if ((effect.entry.kind === "email_opened" || effect.entry.kind === "link_clicked") && effect.entry.verdict === "human") {
            counts.d1RowsRead += 1;
            counts.d1RowsWritten += 2; // the touch's first open or click, and its rollup
          }
          break;
        case "rejudge_timeline":
          if (!storageBefore) break;
          counts.objectRowsWritten += 2 * effect.seqs.length;
          counts.d1RowsWritten += effect.seqs.length;
          break;
        case "schedule":
        case "unschedule":
          if (storageBefore) counts.objectRowsWritten += 1;
          break;
        case "project":
          if (!storageBefore) break;
          // The lead row (insert once, then updates) and its day's rollup (moved: two rows).
          counts.d1RowsRead += 1;
          counts.d1RowsWritten += leadRowWritten ? 3 : 2;
          counts.d1IndexEntriesWritten += leadRowWritten ? 0 : INDEX_ENTRIES_ON_INSERT.leads + INDEX_ENTRIES_ON_INSERT.lead_daily;
          leadRowWritten = true;
          break;
        case "send":
          // Suppression check and site list in D1; the sender's pacing object (one request, one row).
          counts.d1RowsRead += 3;
          counts.objectRequests += 1;
          counts.objectRowsWritten += 1;
          if (config === "before" && !effect.touch.instant) {
            templateChars = effect.touch.text.length;
            draftBefore();
          }
          break;
        case "draft":
          if (storageBefore) counts.objectRowsWritten += 2; // queued, then done
          if (config === "now") {
            const prompt = DRAFT_INSTRUCTIONS + draftPrompt(effect.request, { earlierTouches: sentTexts.slice(-5), passages });
            const answer = estimateTokens((effect.request.template.body ?? "") + (effect.request.template.sms ?? "")) + 20;
            call("drafting", estimateTokens(prompt), Math.min(answer, PROMPT_BUDGETS.drafting.maxOutputTokens));
          }
          break;
        case "hand_off":
          // The brief is as long as before (within the budget); what changed is the model that writes it.
          if (withModel) call("summary", Math.min(SUMMARY_BEFORE.inputTokens, PROMPT_BUDGETS.summary.maxInputTokens), SUMMARY_BEFORE.outputTokens);
          break;
        default:
          break;
      }
    }
  };

  simulate({
    leadId: "0".repeat(32),
    submission: {
      formId: "bench",
      receivedAt: START,
      profile: { email: "ops@example.org", firstName: "Ops", timezone: "America/New_York" },
      consent: { email: true },
      utm: {},
      custom: {},
    },
    sequence: { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! },
    start: START,
    until: START + days * DAY,
    react,
    draftAnswer: withModel ? "model" : "rules",
    observe,
  });
  runQueuedProjection();
  counts.objectRequests += alarmTimes.size;
  return counts;
}
