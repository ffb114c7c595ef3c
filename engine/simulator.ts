import type { LeadId, Submission } from "../schemas/lead";
import type { SequenceVersion } from "../schemas/sequence";
import type { RoutingVersion } from "../schemas/routing";
import type { RequestFacts } from "../schemas/tracking";
import { applyEvent } from "./lead/lead-engine";
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from "./engine-config";
import type { LeadEffect, LeadEvent, LeadState } from "./lead/lead-state";
import { timerKey, type OutgoingTouch, type Timer } from "./lead/lead-state";

/**
 * Plays a lead through the engine on simulated time, the way the object would: timers
 * fire in order, every send succeeds at once, and the lead reacts to touches as scripted.
 * Tests walk days with it; the bench drives thousands of leads; owners preview behaviours.
 */

export interface Reaction {
  /** Milliseconds after the touch went out. */
  after: number;
  kind: "open" | "click" | "reply" | "visit" | "book";
  pageClass?: string;
  /** A reply's words, or a click's destination. */
  text?: string;
}

export interface Simulation {
  leadId: LeadId;
  submission: Submission;
  sequence: SequenceVersion;
  start: number;
  until: number;
  /** How the lead answers each touch it receives. */
  react?: (touch: OutgoingTouch, sentAt: number) => Reaction[];
  /** Events at fixed times (a site visit months later, a booking). */
  events?: { at: number; event: LeadEvent }[];
  /** Looks up sequences that rules enrol the lead in (nurture, reactivation). */
  sequences?: (id: string) => SequenceVersion | undefined;
  /** Makes the channel refuse a send: return a reason, and whether it is permanent. */
  refuse?: (touch: OutgoingTouch, at: number, attempt: number) => { permanent: boolean; reason: string } | null;
  config?: EngineConfig;
  /** The routing the lead comes in with (absent: the preset). */
  routing?: RoutingVersion;
  /** Answer each draft request at once with an empty draft by this drafter (a model that wrote nothing usable); unset, requests go unanswered. */
  draftAnswer?: "model" | "rules";
  /** Sees every event applied, what the engine made of it and the lead after it (operation counts). */
  observe?: (event: LeadEvent, effects: LeadEffect[], at: number, state: LeadState | null) => void;
}

export interface SimulationResult {
  state: LeadState;
  sent: { at: number; touch: OutgoingTouch }[];
  alerts: { at: number; reason: string; message: string }[];
  handOffs: { at: number; trigger: string; reason: string }[];
  /** Every event applied, for operation counts. */
  events: number;
}

/** A person at a desktop browser: every signal it sends is judged human. */
export const PERSON: RequestFacts = {
  userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15",
  botAgent: false,
  network: null,
  prefetch: false,
};

export function simulate(sim: Simulation): SimulationResult {
  const config = sim.config ?? DEFAULT_ENGINE_CONFIG;
  const timers = new Map<string, { timer: Timer; at: number }>();
  const scripted = [...(sim.events ?? [])];
  const sent: SimulationResult["sent"] = [];
  const alerts: SimulationResult["alerts"] = [];
  const handOffs: SimulationResult["handOffs"] = [];
  const attempts = new Map<string, number>();
  let state: LeadState | null = null;
  let events = 0;

  const apply = (event: LeadEvent, at: number) => {
    events += 1;
    const outcome = applyEvent(state, event, at, config);
    if (outcome.state !== null) state = outcome.state;
    sim.observe?.(event, outcome.effects, at, state);
    perform(outcome.effects, at);
  };

  const perform = (effects: LeadEffect[], at: number) => {
    for (const effect of effects) {
      switch (effect.kind) {
        case "schedule":
          timers.set(timerKey(effect.timer), { timer: effect.timer, at: effect.at });
          break;
        case "unschedule":
          timers.delete(timerKey(effect.timer));
          break;
        case "send": {
          const { touch } = effect;
          const attempt = (attempts.get(touch.key) ?? 0) + 1;
          attempts.set(touch.key, attempt);
          const refusal = sim.refuse?.(touch, at, attempt) ?? null;
          if (refusal) {
            apply({ kind: "delivery_failed", key: touch.key, ...refusal }, at);
            break;
          }
          sent.push({ at, touch });
          apply({ kind: "delivery_sent", key: touch.key, messageId: `<${touch.key}@simulated>` }, at);
          for (const reaction of sim.react?.(touch, at) ?? []) scripted.push({ at: at + reaction.after, event: reactionEvent(touch, at, reaction) });
          break;
        }
        case "enrol": {
          const sequence = sim.sequences?.(effect.sequenceId);
          if (sequence) apply({ kind: "enrolled", sequence, reason: effect.reason }, at);
          break;
        }
        case "alert":
          alerts.push({ at, reason: effect.reason, message: effect.message });
          break;
        case "rep_task":
          alerts.push({ at, reason: "rep_task", message: effect.note });
          break;
        case "hand_off":
          handOffs.push(...effect.triggers.map((t) => ({ at, ...t })));
          break;
        case "append_timeline":
        case "rejudge_timeline":
        case "project":
        case "suppress":
        case "unsuppress":
        case "send_reconsent":
          break;
        case "draft": {
          // The preview shows the templates: drafts depend on a model and the owner's review.
          if (sim.draftAnswer) {
            const { enrolmentId, requestedAt } = effect.request;
            apply({ kind: "draft_ready", enrolmentId, requestedAt, content: null, by: sim.draftAnswer, notes: [] }, at);
          }
          break;
        }
        default:
          effect satisfies never;
      }
    }
  };

  apply({ kind: "form_submitted", leadId: sim.leadId, submission: sim.submission, sequence: sim.sequence, ...(sim.routing ? { routing: sim.routing } : {}) }, sim.start);
  // Every step and delivery is one timer; the bound only stops a rule that loops.
  for (let guard = 0; guard < 100_000; guard++) {
    const timer = [...timers.values()].reduce<{ timer: Timer; at: number } | undefined>((a, b) => (a === undefined || b.at < a.at ? b : a), undefined);
    scripted.sort((a, b) => a.at - b.at);
    const event = scripted[0];
    const nextAt = Math.min(timer?.at ?? Infinity, event?.at ?? Infinity);
    if (nextAt > sim.until) break;
    if (event && event.at <= nextAt) {
      scripted.shift();
      apply(event.event, event.at);
    } else if (timer) {
      timers.delete(timerKey(timer.timer));
      apply({ kind: "timer_fired", timer: timer.timer }, timer.at);
    }
  }
  return { state: state!, sent, alerts, handOffs, events };
}

function reactionEvent(touch: OutgoingTouch, sentAt: number, reaction: Reaction): LeadEvent {
  switch (reaction.kind) {
    case "open":
      return { kind: "email_opened", messageId: touch.key, sentAt, facts: PERSON };
    case "click":
      return { kind: "link_clicked", messageId: touch.key, sentAt, linkIndex: 0, url: reaction.text ?? "https://owner.example/", honeypot: false, facts: PERSON };
    case "reply":
      return { kind: "reply_received", messageKey: touch.key, text: reaction.text ?? "Sounds good, let's talk." };
    case "visit":
      return {
        kind: "page_viewed",
        pageViewId: `pv-${touch.key}-${reaction.after}`,
        url: "https://owner.example/pricing",
        pageClass: reaction.pageClass ?? "pricing",
        facts: PERSON,
      };
    case "book":
      return { kind: "booked", source: "simulation" };
  }
}
