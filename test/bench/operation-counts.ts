import type { LeadEffect, LeadEvent } from "../../engine/lead/lead-state";
import type { OutgoingTouch } from "../../engine/lead/lead-state";
import { simulate, type Reaction } from "../../engine/simulator";
import { PRESETS } from "../../schemas/sequence-presets";
import { DRAFT_INSTRUCTIONS, draftPrompt } from "../../services/ai/drafting";

/**
 * Operations one lead costs over a full sequence, counted from what the engine asks the
 * object to do (the same engine code the object runs), each effect priced by what the
 * object and the Worker do for it — read from the code, listed below. Then the cost per
 * 1,000 leads at the prices in scripts/cloudflare-prices.json, the model's cost apart.
 *
 * The lead: posts the form (email only), opens every email three hours after it arrives,
 * never clicks or replies, so the whole of new-inquiry runs (60 days). With a model bound,
 * each draft is answered at once.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 10, 2, 15, 0);

/** Secondary and primary-key index entries each table's insert writes (D1 bills an index entry as a written row). */
const INDEX_ENTRIES_ON_INSERT = { events: 4, leads: 6, touches: 3, lead_daily: 1, touch_daily: 1 };
/** Assumed wall time an object stays active per request (D1 and channel awaits included): an assumption, not measured. */
export const ASSUMED_OBJECT_ACTIVE_MS = 20;
const OBJECT_MEMORY_GB = 0.128;
/** Characters per token, for prompt sizes (English text, llama tokenizer): an estimate. */
const CHARS_PER_TOKEN = 4;

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
  touchesSent: number;
}

export function countOperations(withModel: boolean): OperationCounts {
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
    touchesSent: 0,
  };
  const alarmTimes = new Set<number>();
  const sentTexts: { subject?: string; text: string }[] = [];
  let leadRowWritten = false;
  const react = (touch: OutgoingTouch): Reaction[] => {
    if (touch.channel !== "email") return [];
    return [{ after: 3 * HOUR, kind: "open" }];
  };

  const observe = (event: LeadEvent, effects: LeadEffect[], at: number) => {
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
        break;
      case "page_viewed":
        // The view and, later, its leave beacon: each reads the site and the visitor link.
        counts.workerRequests += 2;
        counts.objectRequests += 2;
        counts.d1RowsRead += 4;
        break;
      case "timer_fired":
        // Timers due together run in one alarm; each is leased (one row) while it runs.
        alarmTimes.add(at);
        counts.objectRowsWritten += 1;
        break;
      default:
        break;
    }
    if (effects.length > 0) counts.objectRowsWritten += 1; // the state row
    for (const effect of effects) {
      switch (effect.kind) {
        case "append_timeline":
          // Inserted, then marked projected; one event row (and its index entries) in D1.
          counts.objectRowsWritten += 2;
          counts.d1RowsWritten += 1;
          counts.d1IndexEntriesWritten += INDEX_ENTRIES_ON_INSERT.events;
          if (effect.entry.kind === "touch_sent") {
            counts.touchesSent += 1;
            sentTexts.push({ ...(effect.entry.subject ? { subject: effect.entry.subject } : {}), text: effect.entry.text });
            counts.d1RowsWritten += 2; // the touch row and its day's rollup
            counts.d1IndexEntriesWritten += INDEX_ENTRIES_ON_INSERT.touches + INDEX_ENTRIES_ON_INSERT.touch_daily;
          }
          if ((effect.entry.kind === "email_opened" || effect.entry.kind === "link_clicked") && effect.entry.verdict === "human") {
            counts.d1RowsRead += 1;
            counts.d1RowsWritten += 2; // the touch's first open or click, and its rollup
          }
          break;
        case "rejudge_timeline":
          counts.objectRowsWritten += 2 * effect.seqs.length;
          counts.d1RowsWritten += effect.seqs.length;
          break;
        case "schedule":
        case "unschedule":
          counts.objectRowsWritten += 1;
          break;
        case "project":
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
          break;
        case "draft":
          counts.objectRowsWritten += 2; // queued, then done
          if (withModel) {
            counts.modelCalls += 1;
            const prompt =
              DRAFT_INSTRUCTIONS +
              draftPrompt(effect.request, {
                earlierTouches: sentTexts.slice(-5),
                passages: Array.from({ length: 3 }, (_, i) => ({ documentId: `d${i}`, kind: "faq" as const, title: "A passage", text: "x".repeat(800) })),
              });
            counts.modelInputTokens += Math.ceil(prompt.length / CHARS_PER_TOKEN);
            counts.modelOutputTokens += Math.ceil(((effect.request.template.body ?? "").length + (effect.request.template.sms ?? "").length + 80) / CHARS_PER_TOKEN);
          }
          break;
        case "hand_off":
          if (withModel) {
            counts.modelCalls += 1;
            counts.modelInputTokens += 1_500;
            counts.modelOutputTokens += 120;
          }
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
    until: START + 60 * DAY,
    react,
    draftAnswer: withModel ? "model" : "rules",
    observe,
  });
  counts.objectRequests += alarmTimes.size;
  return counts;
}

interface Prices {
  checked: string;
  workers: { perMillionRequests: number };
  durableObjects: { perMillionRequests: number; perMillionGbSeconds: number; perMillionRowsWritten: number };
  d1: { perMillionRowsRead: number; perMillionRowsWritten: number };
  workersAi: { perThousandNeurons: number; models: Record<string, { neuronsPerMillionInputTokens: number; neuronsPerMillionOutputTokens: number }> };
}

/** Dollars per 1,000 leads at list prices beyond the allowances; the model's cost apart. */
export function costPerThousandLeads(counts: OperationCounts, prices: Prices, model: string) {
  const perMillion = (n: number, price: number) => (n * 1000 * price) / 1_000_000;
  const lines = {
    workerRequests: perMillion(counts.workerRequests, prices.workers.perMillionRequests),
    objectRequests: perMillion(counts.objectRequests, prices.durableObjects.perMillionRequests),
    objectDuration: perMillion(counts.objectRequests * (ASSUMED_OBJECT_ACTIVE_MS / 1000) * OBJECT_MEMORY_GB, prices.durableObjects.perMillionGbSeconds),
    objectRowsWritten: perMillion(counts.objectRowsWritten, prices.durableObjects.perMillionRowsWritten),
    d1RowsRead: perMillion(counts.d1RowsRead, prices.d1.perMillionRowsRead),
    d1RowsWritten: perMillion(counts.d1RowsWritten + counts.d1IndexEntriesWritten, prices.d1.perMillionRowsWritten),
  };
  const rates = prices.workersAi.models[model];
  const neurons = rates ? (counts.modelInputTokens * rates.neuronsPerMillionInputTokens + counts.modelOutputTokens * rates.neuronsPerMillionOutputTokens) / 1_000_000 : 0;
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  const platform = Object.values(lines).reduce((a, b) => a + b, 0);
  return {
    lines: Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, round(v)])),
    platform: round(platform),
    model: round(((neurons * 1000) / 1000) * prices.workersAi.perThousandNeurons),
    pricesChecked: prices.checked,
  };
}
