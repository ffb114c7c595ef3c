import type { ConsentRecord, LeadId, LeadProfile, LeadStatus, Submission, TimelineEntry } from "../schemas/lead";

/**
 * The lead's engine: `(state, event, now) -> { state, effects }`. No I/O, no clock, no
 * randomness, so every rule is tested by walking simulated time in milliseconds.
 */

export interface LeadState {
  id: LeadId;
  status: LeadStatus;
  score: number;
  profile: LeadProfile;
  consent: { email?: ConsentRecord; sms?: ConsentRecord };
  createdAt: number;
  lastActivityAt: number;
  /** Bumped on every change; the D1 projection never lets an older version overwrite a newer. */
  version: number;
}

export type LeadEvent = { kind: "form_submitted"; leadId: LeadId; submission: Submission };

/** A timeline entry before the shell gives it its sequence number. */
export type NewTimelineEntry = TimelineEntry extends infer E ? (E extends TimelineEntry ? Omit<E, "seq"> : never) : never;

export type LeadEffect =
  | { kind: "append_timeline"; entry: NewTimelineEntry }
  /** Write the lead's row and new timeline entries to D1 for cross-lead views. */
  | { kind: "project" };

export interface Outcome {
  state: LeadState;
  effects: LeadEffect[];
}

/** Newer non-empty fields win; what a later form did not ask for is kept. */
export function mergeProfile(current: LeadProfile, incoming: LeadProfile): LeadProfile {
  const merged: LeadProfile = { ...current };
  for (const [field, value] of Object.entries(incoming) as [keyof LeadProfile, string | undefined][]) {
    if (value === undefined || value === "") continue;
    // Source is attribution: the form that first brought the lead in keeps the credit.
    if (field === "source" && current.source !== undefined) continue;
    merged[field] = value;
  }
  return merged;
}

function consentFrom(submission: Submission, channel: "email" | "sms", now: number): ConsentRecord | undefined {
  const granted = submission.consent[channel];
  if (granted === undefined) return undefined;
  return { granted, at: now, formId: submission.formId, ...(submission.page ? { page: submission.page } : {}) };
}

function emptyLead(id: LeadId, now: number): LeadState {
  return { id, status: "new", score: 0, profile: {}, consent: {}, createdAt: now, lastActivityAt: now, version: 0 };
}

export function applyEvent(current: LeadState | null, event: LeadEvent, now: number): Outcome {
  switch (event.kind) {
    case "form_submitted": {
      const base = current ?? emptyLead(event.leadId, now);
      const { submission } = event;
      const state: LeadState = {
        ...base,
        profile: mergeProfile(base.profile, submission.profile),
        consent: {
          email: consentFrom(submission, "email", now) ?? base.consent.email,
          sms: consentFrom(submission, "sms", now) ?? base.consent.sms,
        },
        lastActivityAt: Math.max(base.lastActivityAt, now),
        version: base.version + 1,
      };
      return {
        state,
        effects: [{ kind: "append_timeline", entry: { at: now, kind: "form_submitted", submission } }, { kind: "project" }],
      };
    }
    default:
      return assertNever(event.kind);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled lead event: ${String(value)}`);
}
