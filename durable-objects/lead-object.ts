import { DurableObject } from "cloudflare:workers";
import type { DeliveryReport } from "../schemas/delivery-event";
import type { DraftReview, TouchDraft } from "../engine/drafting/draft-types";
import { applyEvent } from "../engine/lead/lead-engine";
import type { LeadEvent, LeadState, Reply } from "../engine/lead/lead-state";
import { isEnrolled } from "../engine/sequence/enrolment";
import { HALTED } from "../engine/lead/lead-change";
import type { RoutingVersion } from "../schemas/routing";
import { mayEnrol } from "../engine/sequence/lawful-basis";
import type { ConsentMethod, EnrolReason, LeadId, LeadSummary, MessageChannel, RepAction, Submission, TextChannel } from "../schemas/lead";
import type { SequenceVersion } from "../schemas/sequence";
import type { RequestFacts } from "../schemas/tracking";
import { DRAFT_TIMEOUT_MS } from "../services/ai/drafting";
import { languageModelFor } from "../services/ai/model";
import { clockFrom } from "../services/clock";
import { effectiveSettings, engineConfigFrom, retentionDaysFrom } from "../services/deployment-settings";
import type { Settings } from "../schemas/settings";
import { projectionDueAt, writeOutcome, type SignalBurst } from "./lead-outcome";
import { runDue, type DrainHost } from "./lead-drain";
import * as storage from "./lead-storage";
import { summarize } from "../engine/lead/lead-summary";
import type { LeadObjectSeams } from "./lead-seams";
import { CHAT_MODEL_TIMEOUT_MS } from "../services/ai/chat-answer";
import { creditBooking, type ChatHost } from "./chat-host";
import { adoptChat, type MovedChat } from "./chat-intake";
import { acceptChat, closeSocket, receiveFrame } from "./lead-chat";

const DAY = 86_400_000;

/**
 * One lead's authority: its profile, consents, timeline, enrolments and pending touches
 * live here. A thin shell — it loads state, asks the engine what changes, writes the
 * change and its effects as due rows in one transaction, and runs the rows from its one
 * alarm (lead-effects.ts performs them).
 */
export class LeadObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  readonly seams: LeadObjectSeams;
  private draining: Promise<void> | null = null;
  /** The state as last saved, kept between events: parsing it again for every open and click is most of their cost. */
  private state: LeadState | null | undefined;
  /** The alarm as this instance last set it (wall time, null: none); undefined until it sets one. A signal that moves nothing sets nothing. */
  private alarmAt: number | null | undefined;
  /** When the timeline next needs pruning, once known: it moves only when a prune runs (finding it scans the timeline). */
  private pruneAt: number | undefined;
  private readonly burst: SignalBurst = { endsAt: 0, dueAt: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.seams = {
      clock: clockFrom(env),
      env,
      languageModel: (settings, task = "drafting") => languageModelFor(this.seams.env, settings, task),
      draftTimeoutMs: DRAFT_TIMEOUT_MS,
      chatTimeoutMs: CHAT_MODEL_TIMEOUT_MS,
      drainAfterEvents: true,
      drain: () => this.drain(),
    };
    ctx.blockConcurrencyWhile(async () => storage.migrate(this.sql));
  }

  /** The site chat's sockets (lead-chat.ts): a visitor's (`/chat`) or a rep's (`/rep-chat`) WebSocket upgrade; anything else is 404. */
  override async fetch(request: Request): Promise<Response> {
    return acceptChat(this.chat, request);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await receiveFrame(this.chat, ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    closeSocket(ws, code);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    closeSocket(ws, 1011);
  }

  /** A visitor who became this lead in chat: the conversation moves here (chat-intake.ts). */
  async adoptChat(moved: MovedChat): Promise<void> {
    await adoptChat(this.chat, moved);
  }

  /** The object as its chat sees it: nothing of it is kept between frames but storage. */
  private get chat(): ChatHost {
    return {
      ctx: this.ctx,
      sql: this.sql,
      seams: this.seams,
      lead: () => this.load(),
      timeline: () => storage.readTimeline(this.sql),
      commit: (event, alongside) => this.handle(event, alongside),
      settings: () => this.settings(),
    };
  }

  /**
   * Records a form post, merging it into the lead (created on first contact), and enrols it
   * in the form's sequence. With `hold` (why the edge could not vouch for the post), that
   * enrolment waits paused for the owner instead of answering at once.
   */
  async submitForm(submission: Submission, sequence?: SequenceVersion, hold?: string, routing?: RoutingVersion): Promise<{ leadId: LeadId; created: boolean }> {
    const existed = this.load() !== null;
    const leadId = this.leadId;
    await this.handle({ kind: "form_submitted", leadId, submission, ...(sequence ? { sequence } : {}), ...(hold ? { hold } : {}), ...(routing ? { routing } : {}) });
    return { leadId, created: !existed };
  }

  /** Enrols the lead in a sequence version; refused when it already runs that sequence, automation is halted, or it is marketing without consent. */
  async enrol(sequence: SequenceVersion, reason: EnrolReason = "api"): Promise<{ enrolled: boolean; reason?: string }> {
    const before = this.load();
    if (before === null) return { enrolled: false, reason: "unknown_lead" };
    if (isEnrolled(before, sequence.id)) return { enrolled: false, reason: "already_enrolled" };
    await this.handle({ kind: "enrolled", sequence, reason });
    const after = this.load()!;
    if (isEnrolled(after, sequence.id)) return { enrolled: true };
    // A halted lead is refused for its status first, whatever the sequence's purpose.
    return { enrolled: false, reason: HALTED.includes(after.status) || mayEnrol(after, sequence.sequence) ? `lead_${after.status}` : "no_marketing_consent" };
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
  async recordBounce(bounce: { bounceType: "hard" | "soft"; address: string; status?: string; diagnostic: string; evidence?: string }): Promise<boolean> {
    if (this.load() === null) return false;
    await this.handle({ kind: "bounced", ...bounce });
    return true;
  }

  /**
   * A provider's report on a message sent to the lead (delivered, deferred, bounced,
   * complained). Repeating the same event id changes nothing. False when there is no such lead.
   */
  async recordDelivery(report: DeliveryReport): Promise<boolean> {
    if (this.load() === null) return false;
    await this.handle({ kind: "delivery_reported", report });
    return true;
  }

  /** START on SMS or WhatsApp: the lead may get messages on that channel again (a WhatsApp START also opens its 24-hour window). */
  async resubscribeByStart(channel: TextChannel): Promise<boolean> {
    if (this.load() === null) return false;
    await this.handle({ kind: "start_received", channel });
    return true;
  }

  /**
   * Consent given in the site chat, with the words the chat showed. It fills a channel the
   * lead has no answer for and never overrides one (a withdrawal stands). False when there is no such lead.
   */
  async giveConsent(channel: MessageChannel, wording?: string, page?: string): Promise<boolean> {
    if (this.load() === null) return false;
    await this.handle({ kind: "consent_given", channel, method: "chat", ...(wording ? { wording } : {}), ...(page ? { page } : {}) });
    return true;
  }

  /**
   * The lead opts out of a channel: every sequence stops before this returns, and the
   * address's suppression-list entry is a due row written in the same transaction. Null when there is no such lead. `evidence` says
   * what proved the request when the method alone does not (a verified complaint's Message-ID).
   */
  async unsubscribe(channel: MessageChannel, method: ConsentMethod, evidence?: string): Promise<{ email?: string; phone?: string } | null> {
    const state = this.load();
    if (state === null) return null;
    await this.handle({ kind: "unsubscribed", channel, method, ...(evidence ? { evidence } : {}) });
    const { email, phone } = state.profile;
    return { ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
  }

  /**
   * A withdrawn consent granted again: the owner's undo (`owner`), or the address's owner
   * confirming the signed link of a re-consent email (`confirmed_link`, with the withdrawal
   * the link was made for: a link from before a later unsubscribe undoes nothing). False
   * when nothing was withdrawn (or the link is stale); null when there is no such lead.
   */
  async restoreConsent(channel: MessageChannel, method: "owner" | "confirmed_link", evidence: string, withdrawnAt?: number): Promise<boolean | null> {
    const state = this.load();
    if (state === null) return null;
    const record = state.consent[channel];
    const withdrawn = record?.granted === false || (channel === "email" && state.status === "unsubscribed");
    if (!withdrawn) return false;
    if (withdrawnAt !== undefined && withdrawnAt !== (record?.granted === false ? record.at : 0)) return false;
    await this.handle({ kind: "consent_restored", channel, method, evidence });
    return true;
  }

  /** Everything this object holds about the lead (state, timeline, pending items), for a data export. */
  async exportData(): Promise<ReturnType<typeof storage.everything> | null> {
    const held = storage.everything(this.sql);
    return held.state === null ? null : held;
  }

  /** Erases the lead from this object, every row and the alarm, once a drain under way is done (its projection would write again after); returns the contacts the caller needs to finish the erasure in D1, or null when nothing was held. */
  async erase(): Promise<{ email?: string; phone?: string; optedOut: Record<MessageChannel, boolean> } | null> {
    await this.draining;
    const state = this.load();
    await this.ctx.storage.deleteAlarm();
    this.state = undefined;
    this.alarmAt = undefined;
    this.pruneAt = undefined;
    this.burst.endsAt = 0;
    await this.ctx.storage.deleteAll();
    // The object stays usable: a later form post from the same person starts afresh.
    storage.migrate(this.sql);
    if (state === null) return null;
    const { email, phone } = state.profile;
    // An unsubscribe stops everything, so it counts for both channels.
    const unsubscribed = state.status === "unsubscribed";
    const optedOut = {
      email: unsubscribed || state.consent.email?.granted === false,
      sms: unsubscribed || state.consent.sms?.granted === false,
      whatsapp: unsubscribed || state.consent.whatsapp?.granted === false,
    };
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

  /** Marks the lead booked: every sequence it is in completes. `endsAt`: when the meeting ends. False when there is no such lead. */
  async markBooked(source: string, endsAt?: number): Promise<boolean> {
    if (this.load() === null) return false;
    await this.handle({ kind: "booked", source, ...(endsAt !== undefined ? { endsAt } : {}) }, () => creditBooking(this.chat, this.seams.clock.now()));
    return true;
  }

  /** Records an open of one of our messages (the pixel), judged human, auto or machine. */
  async recordOpen(open: { messageId: string; sentAt: number; facts: RequestFacts }): Promise<void> {
    await this.handle({ kind: "email_opened", ...open });
  }

  /** Records a click on a tracked link; may re-judge earlier clicks that turn out to be a scanner's burst. */
  async recordClick(click: { messageId: string; sentAt: number; linkIndex: number; url: string; honeypot: boolean; facts: RequestFacts }): Promise<void> {
    await this.handle({ kind: "link_clicked", ...click });
  }

  /** Records a page view of the lead on the owner's site (from the snippet, once identified). */
  async recordPageView(view: {
    pageViewId: string;
    url: string;
    pageClass: string | null;
    title?: string;
    referrer?: string;
    timezone?: string;
    facts: RequestFacts;
  }): Promise<void> {
    await this.handle({ kind: "page_viewed", ...view });
  }

  /** Records the engaged time of a page view when the lead leaves the page. */
  async recordPageLeft(leave: { pageViewId: string; engagedMs: number }): Promise<void> {
    await this.handle({ kind: "page_left", ...leave });
  }

  /** Everything the owner sees about this lead, or null when nobody by this id has contacted us. */
  async summary(): Promise<LeadSummary | null> {
    const state = this.load();
    return state && summarize(state, storage.readTimeline(this.sql));
  }

  /** The object as its due rows see it (lead-drain.ts). */
  private get drainHost(): DrainHost {
    return { sql: this.sql, seams: this.seams, ctx: this.ctx, load: () => this.load(), apply: (event, settings, alongside) => this.apply(event, settings, alongside) };
  }

  /** The lead's id is the object's name (every stub is made with getByName). */
  private get leadId(): LeadId {
    return this.ctx.id.name as LeadId;
  }

  private load(): LeadState | null {
    if (this.state === undefined) this.state = storage.loadState(this.sql);
    return this.state;
  }

  /** Runs what is due: the engine's timers and the effects waiting in the due table. */
  override async alarm(): Promise<void> {
    // The alarm that fired is spent: the next arming sets one whatever this instance set before.
    this.alarmAt = undefined;
    await this.drain();
  }

  /** The deployment's settings as they stand now (the owner may have changed them since the last event). */
  private settings(): Promise<Settings> {
    return effectiveSettings(this.seams.env).then((effective) => effective.values);
  }

  /**
   * An event from outside: the new state and every effect it causes are committed in one
   * transaction, and the caller is answered. The effects run after, from the drain, so a
   * form post never waits on a channel, a model or a destination, and an eviction at any
   * point loses nothing: the alarm finds the rows.
   */
  private async handle(event: LeadEvent | null, alongside?: () => void): Promise<void> {
    const settings = await this.settings();
    if (event) this.apply(event, settings, alongside);
    else if (alongside) this.ctx.storage.transactionSync(alongside);
    // The drain takes its first due row (leases it, or fires a timer) before the alarm is armed, in the same commit:
    // the alarm then waits for that lease (an eviction runs the row again after it). A signal inside a burst has
    // nothing due now: no drain.
    const earliest = storage.earliestDue(this.sql);
    if (this.seams.drainAfterEvents && earliest !== undefined && earliest <= this.seams.clock.now()) this.ctx.waitUntil(this.drain(settings));
    await this.armAlarm();
  }

  /** Applies an event and writes its outcome; `alongside` runs inside the same transaction. */
  private apply(event: LeadEvent, settings: Settings, alongside?: () => void): void {
    const now = this.seams.clock.now();
    const { state, effects } = applyEvent(this.load(), event, now, engineConfigFrom(settings, this.seams.env));
    // No lead, or an event the engine ignored (a repeated leave): nothing but `alongside` to write.
    if (state === null || effects.length === 0) {
      if (alongside) this.ctx.storage.transactionSync(alongside);
      return;
    }
    this.state = undefined;
    const projectionAt = effects.some((e) => e.kind === "project") ? projectionDueAt(event, this.burst, this.seams.clock, now) : now;
    this.ctx.storage.transactionSync(() => {
      writeOutcome(this.sql, state, effects, now, projectionAt);
      alongside?.();
    });
    // Only once the transaction holds: a write that failed leaves the stored state the truth.
    this.state = state;
  }

  /**
   * One drain at a time; a drain asked for while one runs is folded into it. Never rejects:
   * what failed stays due. `settings`: those the event that asked for it just read.
   */
  private drain(settings?: Settings): Promise<void> {
    if (this.draining) return this.draining;
    this.draining = (async () => {
      try {
        const retentionMs = retentionDaysFrom(this.seams.env) * DAY;
        const next = storage.nextPruneAt(this.sql, retentionMs);
        this.pruneAt = storage.pruneTimelineDaily(this.sql, this.seams.clock.now(), retentionMs, next) ? undefined : next;
        await runDue(this.drainHost, settings ?? (await this.settings()));
      } catch (error) {
        console.error(JSON.stringify({ leadId: this.leadId, event: "drain_failed", error: String(error) }));
      } finally {
        this.draining = null;
        await this.armAlarm();
      }
    })();
    return this.draining;
  }

  /** One alarm for many due rows (and the next timeline prune): set to the earliest, never in the past, and left alone when it is already there. */
  private async armAlarm(): Promise<void> {
    this.pruneAt ??= storage.nextPruneAt(this.sql, retentionDaysFrom(this.seams.env) * DAY);
    const times = [storage.earliestDue(this.sql), this.pruneAt].filter((t): t is number => t !== undefined);
    const at = times.length === 0 ? null : Math.max(this.seams.clock.wallTimeOf(Math.min(...times)), this.seams.clock.wallNow() + 1);
    if (at === this.alarmAt) return;
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(at);
    this.alarmAt = at;
  }
}
