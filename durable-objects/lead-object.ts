import { DurableObject } from "cloudflare:workers";
import type { ConsentMethod, EnrolReason, LeadId, LeadSummary, RepAction, Submission } from "../schemas/lead";
import type { SequenceVersion } from "../schemas/sequence";
import type { RequestFacts } from "../schemas/tracking";
import { DRAFT_TIMEOUT_MS, draftTouch, type DraftGrounds } from "../services/ai/drafting";
import { withModelSummary } from "../services/ai/hand-off-summary";
import { languageModelFrom } from "../services/ai/model";
import { transportsFor } from "../services/channels/select";
import { clockFrom, type Clock } from "../services/clock";
import { engineConfigFrom } from "../services/deployment-settings";
import { deliverHandOff, destinationsFrom, recordHandOff, type DestinationKind } from "../services/hand-off-delivery";
import { alertOwner } from "../services/owner-alerts";
import { currentSequence } from "../services/d1/sequences";
import { suppress } from "../services/d1/suppressions";
import { deliverTouch, type DeliveryOutcome } from "../services/touch-delivery";
import { applyEvent, openedStatus } from "../engine/lead/lead-engine";
import { type EngineConfig } from "../engine/engine-config";
import { type LeadEffect, type LeadEvent, type LeadState, type Outcome } from "../engine/lead/lead-state";
import { buildPackage, type HandOffPackage } from "../engine/hand-off/hand-off-package";
import { projectLead, reviewRows } from "./lead-projection";
import * as storage from "./lead-storage";
import { isEnrolled } from "../engine/sequence/enrolment";
import { type OutgoingTouch, type Reply, type Timer } from "../engine/lead/lead-state";
import type { DraftRequest, DraftReview, TouchDraft } from "../engine/drafting/draft-types";
import { retrievePassages } from "../services/d1/knowledge";

type SuppressEffect = Omit<Extract<LeadEffect, { kind: "suppress" }>, "kind">;
type HandOffDelivery = { destination: DestinationKind; pkg: HandOffPackage; key: string; attempt: number };

/** Backoff for a hand-off destination that fails: then it is given up (the hand-off stays on the timeline). */
const HAND_OFF_RETRY_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000];

/** When D1 refuses a projection, try again after this long, doubling up to an hour. */
const PROJECTION_RETRY_MS = 30_000;
const PROJECTION_RETRY_MAX_MS = 3_600_000;
/**
 * A timer being handled is leased for this long (wall clock): if the object is evicted
 * mid-send, the alarm picks the timer up again after the lease instead of never.
 */
const TIMER_LEASE_WALL_MS = 60_000;

/**
 * One lead's authority: its profile, consents, timeline, enrolments and pending touches
 * live here. A thin shell — it loads state, asks the engine what changes, performs the
 * effects (timers, sends, projection) and keeps one alarm for the earliest due item.
 */
export class LeadObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly clock: Clock;
  private readonly config: EngineConfig;
  /** Touches handed to a channel and not yet answered: never handed over twice at once. */
  private readonly sending = new Set<string>();
  private draining: Promise<void> | null = null;
  /** The state as last saved, kept between events: parsing it again for every open and click is most of their cost. */
  private state: LeadState | null | undefined;
  /** The deployment's model, or null locally; a seam so tests can bind the AI SDK's mock model. */
  private languageModel = () => languageModelFrom(this.env);
  private draftTimeoutMs = DRAFT_TIMEOUT_MS;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.clock = clockFrom(env);
    this.config = engineConfigFrom(env);
    ctx.blockConcurrencyWhile(async () => storage.migrate(this.sql));
  }

  /** Records a form post, merging it into the lead (created on first contact), and enrols it in the form's sequence. */
  async submitForm(submission: Submission, sequence?: SequenceVersion): Promise<{ leadId: LeadId; created: boolean }> {
    const existed = this.load() !== null;
    const leadId = this.leadId;
    await this.handle({ kind: "form_submitted", leadId, submission, ...(sequence ? { sequence } : {}) });
    return { leadId, created: !existed };
  }

  /** Enrols the lead in a sequence version; refused when it already runs that sequence or automation is halted. */
  async enrol(sequence: SequenceVersion, reason: EnrolReason = "api"): Promise<{ enrolled: boolean; reason?: string }> {
    const before = this.load();
    if (before === null) return { enrolled: false, reason: "unknown_lead" };
    if (isEnrolled(before, sequence.id)) return { enrolled: false, reason: "already_enrolled" };
    await this.handle({ kind: "enrolled", sequence, reason });
    const after = this.load()!;
    return isEnrolled(after, sequence.id) ? { enrolled: true } : { enrolled: false, reason: `lead_${after.status}` };
  }

  /** Records a human reply: automation pauses at once and the owner is alerted. False when there is no such lead. */
  async recordReply(reply: Reply): Promise<boolean> {
    if (this.load() === null) return false;
    await this.handle({ kind: "reply_received", ...reply });
    return true;
  }

  /** An out-of-office answered a touch: pending touches wait until after the return date. */
  async recordAutoReply(returnDate?: string): Promise<boolean> {
    if (this.load() === null) return false;
    await this.handle({ kind: "auto_reply_received", ...(returnDate ? { returnDate } : {}) });
    return true;
  }

  /** A delivery failure for the lead's address: a hard one (or repeated soft ones) stops email and suppresses it. */
  async recordBounce(bounce: { bounceType: "hard" | "soft"; address: string; status?: string; diagnostic: string }): Promise<boolean> {
    if (this.load() === null) return false;
    await this.handle({ kind: "bounced", ...bounce });
    return true;
  }

  /** SMS START: the lead may be texted again. */
  async resubscribeSms(): Promise<boolean> {
    if (this.load() === null) return false;
    await this.handle({ kind: "sms_resubscribed" });
    return true;
  }

  /**
   * The lead opts out of a channel: every sequence stops and the address is on the
   * suppression list before this returns. Null when there is no such lead.
   */
  async unsubscribe(channel: "email" | "sms", method: ConsentMethod): Promise<{ email?: string; phone?: string } | null> {
    const state = this.load();
    if (state === null) return null;
    await this.handle({ kind: "unsubscribed", channel, method });
    const { email, phone } = state.profile;
    return { ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
  }

  /** Everything this object holds about the lead (state, timeline, pending items), for a data export. */
  async exportData(): Promise<ReturnType<typeof storage.everything> | null> {
    const held = storage.everything(this.sql);
    return held.state === null ? null : held;
  }

  /**
   * Erases the lead from this object: every row, the alarm. Returns the contacts the caller
   * needs to finish the erasure in D1, or null when nothing was held.
   */
  async erase(): Promise<{ email?: string; phone?: string; optedOut: { email: boolean; sms: boolean } } | null> {
    const state = this.load();
    await this.ctx.storage.deleteAlarm();
    this.state = undefined;
    await this.ctx.storage.deleteAll();
    // The object stays usable: a later form post from the same person starts afresh.
    storage.migrate(this.sql);
    if (state === null) return null;
    const { email, phone } = state.profile;
    // An unsubscribe stops everything, so it counts for both channels.
    const unsubscribed = state.status === "unsubscribed";
    const optedOut = { email: unsubscribed || state.consent.email?.granted === false, sms: unsubscribed || state.consent.sms?.granted === false };
    return { ...(email ? { email } : {}), ...(phone ? { phone } : {}), optedOut };
  }

  /** Hands the lead to a person now (the owner's call); false when there is no such lead. */
  async requestHandOff(reason: string): Promise<boolean> {
    if (this.load() === null) return false;
    await this.handle({ kind: "hand_off_requested", reason });
    return true;
  }

  /** The rep's decision on a handed-off (or paused) lead: resume, return to automation, or complete. */
  async repAction(action: RepAction, note?: string): Promise<LeadSummary["status"] | null> {
    if (this.load() === null) return null;
    await this.handle({ kind: "rep_action", action, ...(note ? { note } : {}) });
    return this.load()!.status;
  }

  /** Drafts of the lead's next steps, with where each stands. */
  async drafts(): Promise<TouchDraft[]> {
    return this.load()?.drafts ?? [];
  }

  /**
   * The owner's review of a draft: approve, edit (with the owner's words) or reject. Null
   * when there is no such lead; false when the draft is not waiting for review (already
   * reviewed, sent, or replaced by a newer draft).
   */
  async reviewDraft(review: DraftReview): Promise<boolean | null> {
    const state = this.load();
    if (state === null) return null;
    const waiting = state.drafts.some((d) => d.enrolmentId === review.enrolmentId && d.stepId === review.stepId && d.status === "ready");
    if (!waiting) return false;
    await this.handle({ kind: "draft_reviewed", ...review });
    return true;
  }

  /** Marks the lead booked: every sequence it is in completes. False when there is no such lead. */
  async markBooked(source: string): Promise<boolean> {
    if (this.load() === null) return false;
    await this.handle({ kind: "booked", source });
    return true;
  }

  /** Records an open of one of our messages (the pixel), judged human, auto or machine. */
  async recordOpen(open: { messageId: string; sentAt: number; facts: RequestFacts }): Promise<void> {
    await this.handle({ kind: "email_opened", ...open });
  }

  /** Records a click on a tracked link; may re-judge earlier clicks that turn out to be a scanner's burst. */
  async recordClick(
    click: { messageId: string; sentAt: number; linkIndex: number; url: string; honeypot: boolean; facts: RequestFacts },
  ): Promise<void> {
    await this.handle({ kind: "link_clicked", ...click });
  }

  /** Records a page view of the lead on the owner's site (from the snippet, once identified). */
  async recordPageView(
    view: { pageViewId: string; url: string; pageClass: string | null; title?: string; referrer?: string; timezone?: string; facts: RequestFacts },
  ): Promise<void> {
    await this.handle({ kind: "page_viewed", ...view });
  }

  /** Records the engaged time of a page view when the lead leaves the page. */
  async recordPageLeft(leave: { pageViewId: string; engagedMs: number }): Promise<void> {
    await this.handle({ kind: "page_left", ...leave });
  }

  /** Everything the owner sees about this lead, or null when nobody by this id has contacted us. */
  async summary(): Promise<LeadSummary | null> {
    const state = this.load();
    if (state === null) return null;
    const { id, status, score, profile, consent, createdAt, lastActivityAt, engagement, timezone } = state;
    return {
      id,
      status,
      score,
      profile,
      consent,
      createdAt,
      lastActivityAt,
      engagement,
      opened: openedStatus(engagement),
      timezone,
      scoreFactors: state.scoreFactors,
      handOffs: state.handOffs,
      enrolments: state.enrolments.map((e) => ({
        id: e.id,
        sequenceId: e.sequenceId,
        version: e.version,
        status: e.status,
        startedAt: e.startedAt,
        ...(e.next ? { next: { stepId: e.sequence.steps[e.next.stepIndex]!.id, dueAt: e.next.dueAt } } : {}),
      })),
      drafts: state.drafts.map((d) => ({
        enrolmentId: d.enrolmentId,
        stepId: d.stepId,
        status: d.status,
        ...(d.by ? { by: d.by } : {}),
        ...(d.content ? { content: d.content } : {}),
        ...(d.notes ? { notes: d.notes } : {}),
      })),
      pendingTouches: state.deliveries.map((d) => ({ key: d.touch.key, stepId: d.touch.stepId, channel: d.touch.channel, dueAt: d.dueAt, attempts: d.attempts })),
      timeline: storage.readTimeline(this.sql),
    };
  }

  /** The lead's id is the object's name (every stub is made with getByName). */
  private get leadId(): LeadId {
    return this.ctx.id.name as LeadId;
  }

  private load(): LeadState | null {
    if (this.state === undefined) this.state = storage.loadState(this.sql);
    return this.state;
  }

  /** Runs what is due: sequence steps, deliveries, and retries of D1 projections and sequence lookups. */
  override async alarm(): Promise<void> {
    await this.drain();
  }

  /**
   * An event from outside: apply it and answer, then run whatever became due without
   * making the caller wait on a channel (a form post answers at once; its acknowledgement
   * goes out right after). The alarm is armed first, so an eviction loses nothing.
   */
  private async handle(event: LeadEvent): Promise<void> {
    await this.apply(event);
    await this.armAlarm();
    this.ctx.waitUntil(this.drain());
  }

  private async apply(event: LeadEvent): Promise<void> {
    const now = this.clock.now();
    await this.perform(applyEvent(this.load(), event, now, this.config), now);
  }

  /** One drain at a time; a drain asked for while one runs is folded into it. Never rejects: what failed stays due. */
  private drain(): Promise<void> {
    if (this.draining) return this.draining;
    this.draining = (async () => {
      try {
        await this.runDue();
      } catch (error) {
        console.error(JSON.stringify({ event: "drain_failed", error: String(error) }));
      } finally {
        this.draining = null;
        await this.armAlarm();
      }
    })();
    return this.draining;
  }

  private async runDue(): Promise<void> {
    // Bounded: each pass handles what is due now; new work due at once is picked up by the next pass.
    for (let pass = 0; pass < 50; pass++) {
      const now = this.clock.now();
      const due = storage.dueItems(this.sql, now);
      if (due.length === 0) return;
      // Drafts are for later touches: whatever must go now goes before any model call.
      const items = [...due.filter((i) => i.kind !== "draft"), ...due.filter((i) => i.kind === "draft")];
      for (const item of items) {
        switch (item.kind) {
          case "project":
            // Taken off the list first: an event that lands while D1 answers asks for its own projection.
            storage.completeDue(this.sql, item.id);
            if (!(await this.project())) {
              storage.scheduleOnce(this.sql, "project", now + Math.min(PROJECTION_RETRY_MS * 2 ** item.attempts, PROJECTION_RETRY_MAX_MS), "{}", item.attempts + 1);
            }
            break;
          case "enrol": {
            const { sequenceId, reason } = JSON.parse(item.payload) as { sequenceId: string; reason: EnrolReason };
            storage.completeDue(this.sql, item.id);
            await this.enrolIn(sequenceId, reason, now);
            break;
          }
          case "suppress":
            storage.completeDue(this.sql, item.id);
            await this.suppress(JSON.parse(item.payload) as SuppressEffect, now);
            break;
          case "handoff": {
            storage.completeDue(this.sql, item.id);
            const { destination, pkg, key, attempt } = JSON.parse(item.payload) as HandOffDelivery;
            await this.deliverHandOff(destination, pkg, key, attempt, now);
            break;
          }
          case "draft":
            storage.completeDue(this.sql, item.id);
            await this.makeDraft(JSON.parse(item.payload) as DraftRequest);
            break;
          case "timer": {
            const timer = JSON.parse(item.payload) as Timer;
            if (timer.kind === "delivery" && this.sending.has(timer.key)) continue;
            storage.retryDue(this.sql, item.id, this.clock.engineTimeAt(this.clock.wallNow() + TIMER_LEASE_WALL_MS));
            const state = this.load();
            if (state) await this.apply({ kind: "timer_fired", timer });
            break;
          }
        }
      }
    }
  }

  private async perform({ state, effects }: Outcome, now: number): Promise<void> {
    // No lead, or an event the engine ignored (a repeated leave): nothing to write.
    if (state === null || effects.length === 0) return;
    this.state = undefined;
    this.ctx.storage.transactionSync(() => {
      storage.saveState(this.sql, state);
      for (const effect of effects) {
        if (effect.kind === "append_timeline") storage.appendTimeline(this.sql, effect.entry);
        if (effect.kind === "rejudge_timeline") storage.rejudgeTimeline(this.sql, effect.seqs, effect.verdict, effect.reason);
        if (effect.kind === "schedule") storage.setTimer(this.sql, effect.timer, effect.at);
        if (effect.kind === "unschedule") storage.clearTimer(this.sql, effect.timer);
      }
    });
    // Only once the transaction holds: a write that failed leaves the stored state the truth.
    this.state = state;
    for (const effect of effects) {
      switch (effect.kind) {
        case "append_timeline":
        case "rejudge_timeline":
        case "schedule":
        case "unschedule":
          break;
        case "project":
          // Projected by the drain that follows, after the touches due now have gone: the caller
          // does not wait on D1, and events that arrive meanwhile share one projection.
          storage.scheduleOnce(this.sql, "project", now);
          break;
        case "send":
          await this.send(state, effect.touch);
          break;
        case "enrol":
          await this.enrolIn(effect.sequenceId, effect.reason, now);
          break;
        case "alert":
          await this.alert(state, effect.reason, effect.message);
          break;
        case "suppress":
          await this.suppress(effect, now);
          break;
        case "hand_off":
          await this.handOff(state, effect.triggers, now);
          break;
        case "draft":
          // Made by the next drain, after what is due now has gone; durable across an eviction.
          storage.scheduleOnce(this.sql, "draft", now, JSON.stringify(effect.request));
          break;
        default:
          effect satisfies never;
      }
    }
  }

  /** Drafts a touch ahead of its time and hands the answer to the engine (which drops it if the step moved on). */
  private async makeDraft(request: DraftRequest): Promise<void> {
    const answer = await draftTouch(this.languageModel(), request, await this.draftGrounds(request), this.draftTimeoutMs);
    if (answer.by === "model" && answer.notes.length > 0) console.warn(JSON.stringify({ leadId: request.leadId, event: "draft_notes", stepId: request.stepId, notes: answer.notes }));
    await this.apply({ kind: "draft_ready", enrolmentId: request.enrolmentId, requestedAt: request.requestedAt, ...answer });
  }

  /** What earlier touches of the enrolment said, and the owner's passages that match the lead and the step. */
  private async draftGrounds(request: DraftRequest): Promise<DraftGrounds> {
    const earlierTouches = storage
      .readTimeline(this.sql)
      .flatMap((e) => (e.kind === "touch_sent" && e.enrolmentId === request.enrolmentId ? [{ ...(e.subject ? { subject: e.subject } : {}), text: e.text }] : []))
      .slice(-5);
    const about = [request.profile.title, request.profile.company, request.profile.source, ...request.facts.map((f) => f.pageClass ?? "")].filter(Boolean).join(" ");
    try {
      const passages = await retrievePassages(this.env.DB, `${request.intent.replace(/_/g, " ")} ${about} ${request.template.body ?? request.template.sms ?? ""}`, { limit: 3 });
      if (request.intent !== "objection") return { earlierTouches, passages };
      // The objection step answers the concern this kind of lead most likely has.
      const [objection] = await retrievePassages(this.env.DB, `${about} ${request.template.body ?? ""}`, { kinds: ["objection"], limit: 1 });
      if (!objection) return { earlierTouches, passages };
      return { earlierTouches, passages: [objection, ...passages.filter((p) => p.text !== objection.text)], predictedObjection: objection.title };
    } catch (error) {
      // Without the knowledge base the draft has fewer grounds, and the guardrails hold it to the template's facts.
      console.error(JSON.stringify({ leadId: request.leadId, event: "knowledge_unavailable", error: String(error).slice(0, 200) }));
      return { earlierTouches, passages: [] };
    }
  }

  /** Builds the hand-off package from the lead's timeline and sends it to every configured destination. */
  private async handOff(state: LeadState, triggers: { trigger: string; reason: string }[], now: number): Promise<void> {
    const pkg = await withModelSummary(this.languageModel(), buildPackage(state, storage.readTimeline(this.sql), triggers, now));
    const key = `handoff-${state.id}-${state.lastSeq}`;
    await recordHandOff(this.env.DB, pkg);
    for (const destination of destinationsFrom(this.env)) await this.deliverHandOff(destination, pkg, `${key}-${destination}`, 0, now);
  }

  /** One destination, one attempt; a passing failure is retried with backoff, durably. */
  private async deliverHandOff(destination: DestinationKind, pkg: HandOffPackage, key: string, attempt: number, now: number): Promise<void> {
    let result;
    try {
      result = await deliverHandOff(this.env, transportsFor(this.env, () => this.clock.now()).email, destination, pkg, key, this.clock.wallNow());
    } catch (error) {
      result = { ok: false as const, permanent: false, reason: String(error).slice(0, 200) };
    }
    if (result.ok) return;
    const delay = HAND_OFF_RETRY_MS[attempt];
    console.error(JSON.stringify({ leadId: pkg.leadId, event: "hand_off_not_delivered", destination, attempt, reason: result.reason, retry: !result.permanent && delay !== undefined }));
    if (result.permanent || delay === undefined) return;
    const retry: HandOffDelivery = { destination, pkg, key, attempt: attempt + 1 };
    storage.scheduleOnce(this.sql, "handoff", now + delay, JSON.stringify(retry));
  }

  /** Writes an opt-out to the D1 suppression list; if D1 cannot take it now, it is retried (the lead itself is already halted). */
  private async suppress(entry: SuppressEffect, now: number): Promise<void> {
    const { channel, value, reason } = entry;
    try {
      await suppress(this.env.DB, [{ channel, value, reason }], now);
    } catch (error) {
      console.error(JSON.stringify({ event: "suppression_write_failed", error: String(error) }));
      storage.scheduleOnce(this.sql, "suppress", now + PROJECTION_RETRY_MS, JSON.stringify({ channel, value, reason }));
    }
  }

  /** Looks up the sequence's current version; if D1 cannot answer, the enrolment is retried, not lost. */
  private async enrolIn(sequenceId: string, reason: EnrolReason, now: number): Promise<void> {
    const state = this.load();
    if (!state) return;
    let sequence: SequenceVersion | undefined;
    try {
      sequence = await currentSequence(this.env.DB, sequenceId);
    } catch (error) {
      console.error(JSON.stringify({ leadId: state.id, event: "sequence_lookup_failed", sequenceId, error: String(error) }));
      storage.scheduleOnce(this.sql, "enrol", now + PROJECTION_RETRY_MS, JSON.stringify({ sequenceId, reason }));
      return;
    }
    if (!sequence) {
      console.error(JSON.stringify({ leadId: state.id, event: "unknown_sequence", sequenceId }));
      return;
    }
    await this.apply({ kind: "enrolled", sequence, reason });
  }

  /** Hands a touch to its channel and tells the engine how it went. */
  private async send(state: LeadState, touch: OutgoingTouch): Promise<void> {
    if (this.sending.has(touch.key)) return;
    this.sending.add(touch.key);
    let outcome: DeliveryOutcome;
    try {
      const now = this.clock.now();
      outcome = await deliverTouch({ env: this.env, transports: transportsFor(this.env, () => this.clock.now()), now }, state.id, touch);
    } catch (error) {
      outcome = { kind: "failed", permanent: false, reason: `unexpected: ${String(error).slice(0, 200)}` };
    } finally {
      this.sending.delete(touch.key);
    }
    const key = touch.key;
    switch (outcome.kind) {
      case "sent":
        return this.apply({ kind: "delivery_sent", key, messageId: outcome.messageId });
      case "failed":
        return this.apply({ kind: "delivery_failed", key, permanent: outcome.permanent, reason: outcome.reason });
      case "blocked":
        return this.apply({ kind: "delivery_blocked", key, reason: outcome.reason });
      case "deferred":
        return this.apply({ kind: "delivery_deferred", key, until: outcome.until });
    }
  }

  private async alert(state: LeadState, reason: "reply" | "rep_task", message: string): Promise<void> {
    try {
      const { email } = transportsFor(this.env, () => this.clock.now());
      await alertOwner(this.env, email, state, { reason, message }, `alert-${state.id}-${state.lastSeq}`);
    } catch (error) {
      console.error(JSON.stringify({ leadId: state.id, event: "alert_failed", error: String(error) }));
    }
  }

  /** Projects state and unprojected timeline entries to D1; false when D1 failed (the object keeps the truth). */
  private async project(): Promise<boolean> {
    const state = this.load();
    if (state === null) return true;
    const entries = storage.unprojectedTimeline(this.sql);
    const review = reviewRows(state);
    const reviewSignature = JSON.stringify(review);
    const reviewChanged = reviewSignature !== (storage.readMeta(this.sql, "review") ?? "[]");
    try {
      await projectLead(this.env.DB, state, entries, reviewChanged ? review : null);
    } catch (error) {
      console.error(JSON.stringify({ leadId: state.id, event: "projection_failed", error: String(error) }));
      return false;
    }
    storage.markProjected(
      this.sql,
      entries.map((e) => e.seq),
    );
    if (reviewChanged) storage.writeMeta(this.sql, "review", reviewSignature);
    return true;
  }

  /** One alarm for many timers: set to the earliest due item, never in the past. */
  private async armAlarm(): Promise<void> {
    const earliest = storage.earliestDue(this.sql);
    if (earliest === undefined) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    await this.ctx.storage.setAlarm(Math.max(this.clock.wallTimeOf(earliest), this.clock.wallNow() + 1));
  }
}
