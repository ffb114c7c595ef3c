import type { LanguageModel } from "ai";
import type { DraftRequest } from "../engine/drafting/draft-types";
import { buildPackage, type HandOffPackage } from "../engine/hand-off/hand-off-package";
import { OBJECTION_TERMS } from "../engine/hand-off/raised-objections";
import type { LeadEffect, LeadEvent, LeadState, OutgoingTouch } from "../engine/lead/lead-state";
import type { EnrolReason, MessageChannel, TimelineEntry } from "../schemas/lead";
import type { Settings } from "../schemas/settings";
import { draftTouch, type DraftGrounds } from "../services/ai/drafting";
import { withModelSummary } from "../services/ai/hand-off-summary";
import { transportsFor } from "../services/channels/select";
import type { Clock } from "../services/clock";
import { bestPassageOf, retrievePassages } from "../services/d1/knowledge";
import { currentSequence } from "../services/d1/sequences";
import { removeSuppression, suppress } from "../services/d1/suppressions";
import { reconsentRequest } from "../services/reconsent-request";
import { deliverHandOff, destinationsFrom, recordHandOff, type DestinationKind } from "../services/hand-off-delivery";
import { alertOwner } from "../services/owner-alerts";
import { upsertConversation } from "../services/d1/conversations";
import type { ConversationRow } from "../schemas/d1";
import { deliverTouch } from "../services/touch-delivery";

/**
 * What the object does outside itself, one due row at a time. Each performer makes one
 * attempt and says how it went; the object settles the row (and applies any event the
 * attempt produced) in one storage transaction, so a success is never repeated and a
 * failure is retried by the one policy in effect-retry.ts.
 */

/** An effect as it waits in the due table (the payload, with its kind). */
export type EffectRow =
  | { kind: "send"; touch: OutgoingTouch }
  | { kind: "enrol"; sequenceId: string; reason: EnrolReason }
  | { kind: "alert"; reason: "reply" | "rep_task" | "notice"; message: string; key: string }
  | { kind: "suppress"; channel: MessageChannel; value: string; reason: string; evidence?: string }
  | { kind: "unsuppress"; channel: MessageChannel; value: string; evidence: string }
  | { kind: "send_reconsent"; to: string; withdrawnAt: number; key: string }
  /** `email`: a site chat's own hand-off destination, instead of the deployment's. */
  | { kind: "hand_off"; triggers: { trigger: string; reason: string }[]; key: string; email?: string }
  | { kind: "rep_task"; note: string; stepId: string; key: string }
  /** One destination of a hand-off; the package was built once, by the `hand_off` row. */
  | { kind: "handoff"; destination: DestinationKind; pkg: HandOffPackage; key: string; email?: string }
  | ({ kind: "draft" } & DraftRequest)
  /** Projects the lead as it is when it runs: one lasting row, whatever asked for it (lead-storage.ts, LASTING). */
  | { kind: "project" }
  /** A chat's row in D1 (the live list, chat stats); the only effect an object without a lead has, so it reads no lead state. */
  | { kind: "conversation"; row: ConversationRow };

export type EffectResult =
  /** Done: delete the row, apply `event` and queue `then` in the same transaction. */
  | { kind: "done"; event?: LeadEvent; then?: { key: string; effect: EffectRow }[] }
  /** A passing failure: try again later, up to the cap. */
  | { kind: "retry"; reason: string }
  /** Will never succeed: give up now, visibly. */
  | { kind: "failed"; reason: string };

export interface EffectContext {
  env: Env;
  /** The deployment's settings, read once for the drain that runs this effect. */
  settings: Settings;
  clock: Clock;
  state: LeadState;
  now: number;
  timeline: () => TimelineEntry[];
  /** The drafting model. */
  languageModel: LanguageModel | null;
  /** The quick model for the hand-off brief; absent, the drafting model writes it. */
  summaryModel?: LanguageModel | null;
  draftTimeoutMs: number;
  /** Projects the lead to D1; false when D1 refused. */
  project: () => Promise<boolean>;
}

/** The row an engine effect becomes, with the key that keeps it from being queued twice; null for storage effects. */
export function effectRowOf(effect: LeadEffect, state: LeadState): { key: string; effect: EffectRow } | null {
  switch (effect.kind) {
    case "append_timeline":
    case "rejudge_timeline":
    case "schedule":
    case "unschedule":
      return null;
    case "project":
      return { key: "project", effect: { kind: "project" } };
    case "send":
      return { key: `send:${effect.touch.key}`, effect: { kind: "send", touch: effect.touch } };
    case "enrol":
      return { key: `enrol:${effect.sequenceId}:${state.lastSeq}`, effect: { kind: "enrol", sequenceId: effect.sequenceId, reason: effect.reason } };
    case "alert": {
      // Two alerts of one event (a reply and a task) must not share a key.
      const key = `alert-${state.id}-${state.lastSeq}-${effect.reason}`;
      return { key, effect: { kind: "alert", reason: effect.reason, message: effect.message, key } };
    }
    case "suppress":
      return {
        key: `suppress:${effect.channel}:${effect.value}`,
        effect: { kind: "suppress", channel: effect.channel, value: effect.value, reason: effect.reason, ...(effect.evidence ? { evidence: effect.evidence } : {}) },
      };
    case "unsuppress":
      return {
        key: `unsuppress:${effect.channel}:${effect.value}:${state.lastSeq}`,
        effect: { kind: "unsuppress", channel: effect.channel, value: effect.value, evidence: effect.evidence },
      };
    case "send_reconsent": {
      const key = `reconsent-${state.id}-${state.lastSeq}`;
      return { key, effect: { kind: "send_reconsent", to: effect.to, withdrawnAt: effect.withdrawnAt, key } };
    }
    case "rep_task": {
      const key = `task-${state.id}-${state.lastSeq}`;
      return { key, effect: { kind: "rep_task", note: effect.note, stepId: effect.stepId, key } };
    }
    case "hand_off": {
      const key = `handoff-${state.id}-${state.lastSeq}`;
      return { key, effect: { kind: "hand_off", triggers: effect.triggers, key, ...(effect.email ? { email: effect.email } : {}) } };
    }
    case "draft":
      return { key: `draft:${effect.request.enrolmentId}:${effect.request.requestedAt}`, effect: { kind: "draft", ...effect.request } };
  }
}

/**
 * Our suppression list is checked before every send, so the provider's is the second line:
 * it also stops mail sent to the address by any other tool on the account. Pushing again
 * after a passing failure is safe (the provider treats a listed address as listed); a final
 * refusal (no access to its API, say) ends the effect visibly on the lead's timeline, while
 * our own suppression already holds.
 */
async function syncProviderSuppression(change: "add" | "remove", address: string, { env, clock }: EffectContext): Promise<EffectResult> {
  const list = transportsFor(env, () => clock.now()).email.suppressionList;
  if (!list) return { kind: "done" };
  const result = await list[change](address.trim().toLowerCase());
  if (result.ok) return { kind: "done" };
  const reason = `provider suppression list (${change}): ${result.reason}`;
  return result.permanent ? { kind: "failed", reason } : { kind: "retry", reason };
}

export async function performEffect(effect: EffectRow, context: EffectContext): Promise<EffectResult> {
  switch (effect.kind) {
    case "send":
      return send(effect.touch, context);
    case "enrol":
      return enrol(effect.sequenceId, effect.reason, context);
    case "alert": {
      const { email } = transportsFor(context.env, () => context.clock.now());
      await alertOwner(context.settings, email, context.state, { reason: effect.reason, message: effect.message }, effect.key);
      return { kind: "done" };
    }
    case "suppress":
      await suppress(
        context.env.DB,
        [{ channel: effect.channel, value: effect.value, reason: effect.reason, ...(effect.evidence ? { evidence: effect.evidence } : {}) }],
        context.now,
      );
      return effect.channel === "email" ? syncProviderSuppression("add", effect.value, context) : { kind: "done" };
    case "unsuppress":
      // Already gone (the owner lifted it first) is as good as removed now.
      if (await removeSuppression(context.env.DB, effect.channel, effect.value.trim().toLowerCase())) {
        console.log(JSON.stringify({ leadId: context.state.id, event: "suppression_lifted", channel: effect.channel, evidence: effect.evidence }));
      }
      return effect.channel === "email" ? syncProviderSuppression("remove", effect.value, context) : { kind: "done" };
    case "send_reconsent":
      return sendReconsentRequest(effect, context);
    case "hand_off":
      return handOff(effect.triggers, effect.key, context, effect.email);
    case "rep_task":
      return repTask(effect, context);
    case "handoff":
      return deliverToDestination(effect, effect.email ? { ...context, settings: { ...context.settings, handOffEmail: effect.email } } : context);
    case "draft": {
      const { kind: _, ...request } = effect;
      return draft(request, context);
    }
    case "project":
      return (await context.project()) ? { kind: "done" } : { kind: "retry", reason: "D1 refused the projection" };
    case "conversation":
      await upsertConversation(context.env.DB, effect.row);
      return { kind: "done" };
  }
  // A row of a kind this version does not know (written by a newer one, before a rollback) fails alone.
  return { kind: "retry", reason: `no effect of kind ${(effect as { kind: string }).kind} in this version` };
}

/** Hands a touch to its channel; whatever the channel answers is the engine's to judge (its own retries for deliveries). */
async function send(touch: OutgoingTouch, { env, settings, clock, state, now }: EffectContext): Promise<EffectResult> {
  const outcome = await deliverTouch({ env, settings, transports: transportsFor(env, () => clock.now()), now }, state.id, touch).catch((error: unknown) => ({
    kind: "failed" as const,
    permanent: false,
    reason: `unexpected: ${String(error).slice(0, 200)}`,
  }));
  const key = touch.key;
  switch (outcome.kind) {
    case "sent":
      return { kind: "done", event: { kind: "delivery_sent", key, messageId: outcome.messageId, ...(outcome.providerId ? { providerId: outcome.providerId } : {}) } };
    case "failed":
      return {
        kind: "done",
        event: {
          kind: "delivery_failed",
          key,
          permanent: outcome.permanent,
          reason: outcome.reason,
          ...("recipientSuppressed" in outcome && outcome.recipientSuppressed ? { recipientSuppressed: true } : {}),
        },
      };
    case "blocked":
      return { kind: "done", event: { kind: "delivery_blocked", key, reason: outcome.reason } };
    case "deferred":
      return { kind: "done", event: { kind: "delivery_deferred", key, until: outcome.until, ...(outcome.heldBy ? { heldBy: outcome.heldBy } : {}) } };
  }
}

/**
 * The one confirmation email to an address that unsubscribed. It is transactional — asked
 * for by a post for the address, no tracking, no sequence — so it goes to an address on the
 * suppression list; it waits (retried) while the sender identity is not set.
 */
async function sendReconsentRequest(effect: Extract<EffectRow, { kind: "send_reconsent" }>, { env, settings, clock, state }: EffectContext): Promise<EffectResult> {
  const message = await reconsentRequest(env, settings, state.id, effect.to, effect.withdrawnAt, effect.key);
  if ("missing" in message) return { kind: "retry", reason: message.missing };
  const result = await transportsFor(env, () => clock.now()).email.sendEmail(message.email, effect.key, state.id);
  if (result.ok) return { kind: "done" };
  return result.permanent ? { kind: "failed", reason: `re-consent email: ${result.reason}` } : { kind: "retry", reason: `re-consent email: ${result.reason}` };
}

/** Looks up the sequence's current version; a D1 that cannot answer is retried, an unknown sequence is not. */
async function enrol(sequenceId: string, reason: EnrolReason, { env }: EffectContext): Promise<EffectResult> {
  const sequence = await currentSequence(env.DB, sequenceId);
  if (!sequence) return { kind: "failed", reason: `there is no sequence "${sequenceId}"` };
  return { kind: "done", event: { kind: "enrolled", sequence, reason } };
}

/** Builds the package once (with the model's brief where there is one) and queues one delivery per destination. */
async function handOff(triggers: { trigger: string; reason: string }[], key: string, context: EffectContext, email?: string): Promise<EffectResult> {
  const { env, state, now } = context;
  const pkg = await withModelSummary(context.summaryModel === undefined ? context.languageModel : context.summaryModel, buildPackage(state, context.timeline(), triggers, now));
  await recordHandOff(env.DB, pkg);
  // A chat's own destination goes with its delivery; the deployment's is read when the delivery runs.
  const settings = email ? { ...context.settings, handOffEmail: email } : context.settings;
  return {
    kind: "done",
    then: destinationsFrom(env, settings).map((destination) => ({
      key: `${key}-${destination}`,
      effect: { kind: "handoff", destination, pkg, key: `${key}-${destination}`, ...(destination === "email" && email ? { email } : {}) },
    })),
  };
}

/**
 * A rep task goes where hand-offs go, with the lead's package, so the call lands in the
 * rep's own tools; with no destination set, the owner gets it by email.
 */
async function repTask(effect: Extract<EffectRow, { kind: "rep_task" }>, context: EffectContext): Promise<EffectResult> {
  const { env, state, now } = context;
  const destinations = destinationsFrom(env, context.settings);
  if (destinations.length === 0) {
    await alertOwner(context.settings, transportsFor(env, () => context.clock.now()).email, state, { reason: "rep_task", message: effect.note }, effect.key);
    return { kind: "done" };
  }
  const pkg = { ...buildPackage(state, context.timeline(), [{ trigger: "rep_task", reason: effect.note }], now), task: effect.note };
  return {
    kind: "done",
    then: destinations.map((destination) => ({ key: `${effect.key}-${destination}`, effect: { kind: "handoff", destination, pkg, key: `${effect.key}-${destination}` } })),
  };
}

async function deliverToDestination(effect: Extract<EffectRow, { kind: "handoff" }>, { env, settings, clock }: EffectContext): Promise<EffectResult> {
  const result = await deliverHandOff(env, settings, transportsFor(env, () => clock.now()).email, effect.destination, effect.pkg, effect.key, clock.wallNow());
  if (result.ok) return { kind: "done" };
  return result.permanent ? { kind: "failed", reason: `${effect.destination}: ${result.reason}` } : { kind: "retry", reason: `${effect.destination}: ${result.reason}` };
}

/** Drafts a touch ahead of its time and hands the answer to the engine (which drops it if the step moved on). */
async function draft(request: DraftRequest, context: EffectContext): Promise<EffectResult> {
  const answer = await draftTouch(context.languageModel, request, await draftGrounds(request, context), context.draftTimeoutMs);
  if (answer.by === "model" && answer.notes.length > 0) console.warn(JSON.stringify({ leadId: request.leadId, event: "draft_notes", stepId: request.stepId, notes: answer.notes }));
  return { kind: "done", event: { kind: "draft_ready", enrolmentId: request.enrolmentId, requestedAt: request.requestedAt, ...answer } };
}

/** What earlier touches of the enrolment said, and the owner's passages that match the lead and the step (the kind it rests on first). */
async function draftGrounds(request: DraftRequest, { env, timeline }: EffectContext): Promise<DraftGrounds> {
  const earlierTouches = timeline()
    .flatMap((e) => (e.kind === "touch_sent" && e.enrolmentId === request.enrolmentId ? [{ ...(e.subject ? { subject: e.subject } : {}), text: e.text }] : []))
    .slice(-5);
  const about = [request.profile.title, request.profile.company, request.profile.source, ...request.facts.map((f) => f.pageClass ?? "")].filter(Boolean).join(" ");
  try {
    const query = `${request.intent.replace(/_/g, " ")} ${about} ${request.template.body ?? request.template.sms ?? ""}`;
    // The knowledge the step rests on comes first, and grounds even a draft made without a model.
    const restsOn = request.knowledge ? await bestPassageOf(env.DB, request.knowledge, query) : undefined;
    const found = await retrievePassages(env.DB, query, { limit: 3 });
    const passages = restsOn ? [restsOn, ...found.filter((p) => p.text !== restsOn.text)] : found;
    const grounds = { earlierTouches, passages, ...(restsOn ? { stepPassage: restsOn } : {}) };
    if (request.intent !== "objection") return grounds;
    // The objection step answers the concern the lead stated; without one, the concern this kind of lead most likely has.
    const stated = request.statedObjection;
    const [objection] = await retrievePassages(env.DB, stated ? OBJECTION_TERMS[stated] : `${about} ${request.template.body ?? ""}`, { kinds: ["objection"], limit: 1 });
    const predicted = stated ? { predictedObjection: `${stated} (stated by the lead)` } : objection ? { predictedObjection: objection.title } : {};
    if (!objection) return { ...grounds, ...predicted };
    return { ...grounds, passages: [objection, ...passages.filter((p) => p.text !== objection.text)], ...predicted };
  } catch (error) {
    // Without the knowledge base the draft has fewer grounds, and the guardrails hold it to the template's facts.
    console.error(JSON.stringify({ leadId: request.leadId, event: "knowledge_unavailable", error: String(error).slice(0, 200) }));
    return { earlierTouches, passages: [] };
  }
}
