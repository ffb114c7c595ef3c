import type { LeadSummary, TimelineEntry } from "../../schemas/lead";
import { openedStatus } from "./lead-engine";
import type { LeadState } from "./lead-state";

/** Everything the owner sees about a lead: its state as the owner API and the dashboard show it, with its timeline. */
export function summarize(state: LeadState, timeline: TimelineEntry[]): LeadSummary {
  const { id, status, score, profile, consent, createdAt, lastActivityAt, engagement, timezone } = state;
  return {
    id,
    status,
    score,
    profile,
    consent,
    ...(state.whatsappInboundAt !== undefined ? { whatsappInboundAt: state.whatsappInboundAt } : {}),
    lawfulBasis: state.lawfulBasis ?? [],
    createdAt,
    lastActivityAt,
    engagement,
    opened: openedStatus(engagement),
    timezone,
    ...(state.timezoneSource ? { timezoneSource: state.timezoneSource } : {}),
    ...(state.smsTimezones ? { smsTimezones: state.smsTimezones } : {}),
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
    timeline,
  };
}
