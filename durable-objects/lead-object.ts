import { DurableObject } from "cloudflare:workers";
import type { LeadId, LeadSummary, Submission } from "../schemas/lead";
import type { RequestFacts } from "../schemas/tracking";
import { clockFrom, type Clock } from "../workers/clock";
import { applyEvent, DEFAULT_ENGINE_CONFIG, openedStatus, type EngineConfig, type LeadEvent, type Outcome } from "./lead-engine";
import { projectLead } from "./lead-projection";
import * as storage from "./lead-storage";

/** When D1 refuses a projection, try again after this long, doubling up to an hour. */
const PROJECTION_RETRY_MS = 30_000;
const PROJECTION_RETRY_MAX_MS = 3_600_000;

/**
 * One lead's authority: its profile, consents and timeline live here. A thin shell — it
 * loads state, asks the engine what changes, performs the effects, and projects to D1.
 */
export class LeadObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly clock: Clock;
  private readonly config: EngineConfig;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.clock = clockFrom(env);
    this.config = engineConfigFrom(env);
    ctx.blockConcurrencyWhile(async () => storage.migrate(this.sql));
  }

  /** Records a form post, merging it into the lead (created on first contact). */
  async submitForm(leadId: LeadId, submission: Submission): Promise<{ leadId: LeadId; created: boolean }> {
    const existed = storage.loadState(this.sql) !== null;
    await this.handle({ kind: "form_submitted", leadId, submission });
    return { leadId, created: !existed };
  }

  /** Records an open of one of our messages (the pixel), judged human, auto or machine. */
  async recordOpen(leadId: LeadId, open: { messageId: string; sentAt: number; facts: RequestFacts }): Promise<void> {
    await this.handle({ kind: "email_opened", leadId, ...open });
  }

  /** Records a click on a tracked link; may re-judge earlier clicks that turn out to be a scanner's burst. */
  async recordClick(
    leadId: LeadId,
    click: { messageId: string; sentAt: number; linkIndex: number; url: string; honeypot: boolean; facts: RequestFacts },
  ): Promise<void> {
    await this.handle({ kind: "link_clicked", leadId, ...click });
  }

  /** Records a page view of the lead on the owner's site (from the snippet, once identified). */
  async recordPageView(
    leadId: LeadId,
    view: { pageViewId: string; url: string; pageClass: string | null; title?: string; referrer?: string; facts: RequestFacts },
  ): Promise<void> {
    await this.handle({ kind: "page_viewed", leadId, ...view });
  }

  /** Records the engaged time of a page view when the lead leaves the page. */
  async recordPageLeft(leadId: LeadId, leave: { pageViewId: string; engagedMs: number }): Promise<void> {
    await this.handle({ kind: "page_left", leadId, ...leave });
  }

  /** Everything the owner sees about this lead, or null when nobody by this id has contacted us. */
  async summary(): Promise<LeadSummary | null> {
    const state = storage.loadState(this.sql);
    if (state === null) return null;
    const { id, status, score, profile, consent, createdAt, lastActivityAt, engagement } = state;
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
      timeline: storage.readTimeline(this.sql),
    };
  }

  /** Runs what is due: today, retrying a D1 projection that failed. */
  override async alarm(): Promise<void> {
    const now = this.clock.now();
    try {
      for (const item of storage.dueItems(this.sql, now)) {
        switch (item.kind) {
          case "project":
            if (await this.project()) storage.completeDue(this.sql, item.id);
            else storage.retryDue(this.sql, item.id, now + Math.min(PROJECTION_RETRY_MS * 2 ** (item.attempts + 1), PROJECTION_RETRY_MAX_MS));
            break;
        }
      }
    } finally {
      await this.armAlarm();
    }
  }

  private async handle(event: LeadEvent): Promise<void> {
    const now = this.clock.now();
    const outcome = applyEvent(storage.loadState(this.sql), event, now, this.config);
    await this.perform(outcome, now);
  }

  private async perform({ state, effects }: Outcome, now: number): Promise<void> {
    // No lead, or an event the engine ignored (a repeated leave): nothing to write.
    if (state === null || effects.length === 0) return;
    this.ctx.storage.transactionSync(() => {
      storage.saveState(this.sql, state);
      for (const effect of effects) {
        if (effect.kind === "append_timeline") storage.appendTimeline(this.sql, effect.entry);
        if (effect.kind === "rejudge_timeline") storage.rejudgeTimeline(this.sql, effect.seqs, effect.verdict, effect.reason);
      }
    });
    for (const effect of effects) {
      switch (effect.kind) {
        case "append_timeline":
        case "rejudge_timeline":
          break;
        case "project":
          if (!(await this.project())) {
            storage.scheduleOnce(this.sql, "project", now + PROJECTION_RETRY_MS);
            await this.armAlarm();
          }
          break;
      }
    }
  }

  /** Projects state and unprojected timeline entries to D1; false when D1 failed (the object keeps the truth). */
  private async project(): Promise<boolean> {
    const state = storage.loadState(this.sql);
    if (state === null) return true;
    const entries = storage.unprojectedTimeline(this.sql);
    try {
      await projectLead(this.env.DB, state, entries);
    } catch (error) {
      console.error(JSON.stringify({ leadId: state.id, event: "projection_failed", error: String(error) }));
      return false;
    }
    storage.markProjected(
      this.sql,
      entries.map((e) => e.seq),
    );
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

/** Deployment settings from vars; anything unset or unreadable keeps its default. */
function engineConfigFrom(env: Env): EngineConfig {
  const signals = DEFAULT_ENGINE_CONFIG.signals;
  const seconds = env.SCANNER_WINDOW_SECONDS?.trim() ? Number(env.SCANNER_WINDOW_SECONDS) : Number.NaN;
  return { ...DEFAULT_ENGINE_CONFIG, signals: { ...signals, scannerWindowMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : signals.scannerWindowMs } };
}
