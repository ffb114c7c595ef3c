import type { TimelineEntry } from "../../schemas/lead";
import type { LeadState } from "./lead-state";

/** The lead's row as the projection writes it: its profile, status, milestones and first form post (from these entries, if there). */
export function leadRowOf(state: LeadState, entries: TimelineEntry[]) {
  const { milestones = {} } = state;
  const firstPost = entries.find((e) => e.kind === "form_submitted" && !e.submission.imported);
  return {
    id: state.id,
    email: state.profile.email ?? null,
    phone: state.profile.phone ?? null,
    name: state.profile.name ?? null,
    company: state.profile.company ?? null,
    title: state.profile.title ?? null,
    source: state.profile.source ?? "unknown",
    status: state.status,
    score: state.score,
    createdAt: state.createdAt,
    lastActivityAt: state.lastActivityAt,
    version: state.version,
    sequenceId: state.enrolments[0]?.sequenceId ?? null,
    contactedAt: milestones.contacted ?? null,
    openedAt: milestones.opened ?? null,
    clickedAt: milestones.clicked ?? null,
    repliedAt: milestones.replied ?? null,
    bookedAt: milestones.booked ?? null,
    unsubscribedAt: milestones.unsubscribed ?? null,
    bouncedAt: milestones.bounced ?? null,
    opensHuman: state.engagement.opens.human,
    opensAuto: state.engagement.opens.auto,
    opensMachine: state.engagement.opens.machine,
    formPostedAt: firstPost?.at ?? null,
  };
}
