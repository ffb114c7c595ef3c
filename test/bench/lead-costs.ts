import { modelFor, type ModelSettings, SETTING_VARS } from "../../schemas/settings";
import type { CountedTask, ModelConfig, OperationCounts } from "./operation-counts";

/**
 * What the counts of operation-counts.ts cost per 1,000 leads, at the list prices in
 * scripts/cloudflare-prices.json (dated there): the platform's lines, and the model's per task
 * at each task's model.
 */

/** Assumed wall time an object stays active per request (D1 and channel awaits included): an assumption, not measured. */
export const ASSUMED_OBJECT_ACTIVE_MS = 20;
const OBJECT_MEMORY_GB = 0.128;
/** The model configuration before issue #23: one model for every task. */
export const MODEL_BEFORE = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
/** The deployment's defaults now (the wrangler vars' fallbacks), per task. */
export const MODELS_NOW: ModelSettings = {
  aiModel: SETTING_VARS.aiModel.fallback,
  aiFastModel: SETTING_VARS.aiFastModel.fallback,
  aiJudgementModel: SETTING_VARS.aiJudgementModel.fallback,
  aiSummaryModel: SETTING_VARS.aiSummaryModel.fallback,
  aiChatModel: SETTING_VARS.aiChatModel.fallback,
};

interface Prices {
  checked: string;
  analyticsEngine: { perMillionDataPointsWritten: number };
  workers: { perMillionRequests: number };
  durableObjects: { perMillionRequests: number; perMillionGbSeconds: number; perMillionRowsWritten: number };
  d1: { perMillionRowsRead: number; perMillionRowsWritten: number };
  workersAi: { perThousandNeurons: number; models: Record<string, { neuronsPerMillionInputTokens: number; neuronsPerMillionOutputTokens: number }> };
}

/** Dollars per 1,000 leads at list prices beyond the allowances; the model's cost apart, per task at each task's model. */
export function costPerThousandLeads(counts: OperationCounts, prices: Prices, modelOf: (task: CountedTask) => string) {
  const perMillion = (n: number, price: number) => (n * 1000 * price) / 1_000_000;
  const lines = {
    workerRequests: perMillion(counts.workerRequests, prices.workers.perMillionRequests),
    objectRequests: perMillion(counts.objectRequests, prices.durableObjects.perMillionRequests),
    objectDuration: perMillion(counts.objectRequests * (ASSUMED_OBJECT_ACTIVE_MS / 1000) * OBJECT_MEMORY_GB, prices.durableObjects.perMillionGbSeconds),
    objectRowsWritten: perMillion(counts.objectRowsWritten, prices.durableObjects.perMillionRowsWritten),
    d1RowsRead: perMillion(counts.d1RowsRead, prices.d1.perMillionRowsRead),
    d1RowsWritten: perMillion(counts.d1RowsWritten + counts.d1IndexEntriesWritten, prices.d1.perMillionRowsWritten),
    eventLogDataPoints: perMillion(counts.eventLogDataPoints, prices.analyticsEngine.perMillionDataPointsWritten),
  };
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  const modelByTask = Object.fromEntries(
    (Object.entries(counts.byTask) as [CountedTask, OperationCounts["byTask"][CountedTask]][]).map(([task, used]) => {
      const model = modelOf(task);
      const rates = prices.workersAi.models[model];
      if (!rates && used.calls > 0) throw new Error(`scripts/cloudflare-prices.json has no rates for ${model}`);
      const neurons = rates ? (used.inputTokens * rates.neuronsPerMillionInputTokens + used.outputTokens * rates.neuronsPerMillionOutputTokens) / 1_000_000 : 0;
      // Per lead in neurons; times 1,000 leads, at the price per 1,000 neurons.
      return [task, { model, dollars: round(neurons * prices.workersAi.perThousandNeurons) }];
    }),
  ) as Record<CountedTask, { model: string; dollars: number }>;
  const platform = Object.values(lines).reduce((a, b) => a + b, 0);
  return {
    lines: Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, round(v)])),
    platform: round(platform),
    model: round(Object.values(modelByTask).reduce((sum, t) => sum + t.dollars, 0)),
    modelByTask,
    pricesChecked: prices.checked,
  };
}

/** Which model each task ran on, before #23 and now (the deployment's defaults). */
export function modelsOf(config: ModelConfig): (task: CountedTask) => string {
  return (task) => (config === "before" ? MODEL_BEFORE : modelFor(MODELS_NOW, task));
}
