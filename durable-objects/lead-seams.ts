import type { LanguageModel } from "ai";
import type { Settings } from "../schemas/settings";
import type { Clock } from "../services/clock";

/** What a test may swap in an object (through runInDurableObject); production never changes them. */
export interface LeadObjectSeams {
  clock: Clock;
  env: Env;
  /** The deployment's model (the one the settings name), or null locally. */
  languageModel: (settings: Settings) => LanguageModel | null;
  draftTimeoutMs: number;
  /** How long a visitor waits for the model's chat answer before the retrieval answer goes. */
  chatTimeoutMs: number;
  /** Off only in tests that play an eviction right after a commit: the effects then wait for the alarm. */
  drainAfterEvents: boolean;
  /** Waits for the drain in flight, or runs one: what a test awaits before it looks. */
  readonly drain: () => Promise<void>;
}
