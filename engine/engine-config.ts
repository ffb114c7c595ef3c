import { DEFAULT_HAND_OFF_RULES, type HandOffRules } from "./hand-off/hand-off-triggers";
import { DEFAULT_SCORE_RULES, type ScoreRules } from "./hand-off/lead-score";
import { DEFAULT_SEQUENCE_CONFIG, type SequenceConfig } from "./sequence/sequence-config";
import { DEFAULT_SIGNAL_RULES, type SignalRules } from "./signals/signal-verdict";

/** Per-deployment settings the rules read; every field has a default. */
export interface EngineConfig {
  signals: SignalRules;
  sequences: SequenceConfig;
  score: ScoreRules;
  handOff: HandOffRules;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  signals: DEFAULT_SIGNAL_RULES,
  sequences: DEFAULT_SEQUENCE_CONFIG,
  score: DEFAULT_SCORE_RULES,
  handOff: DEFAULT_HAND_OFF_RULES,
};
