import type { LeadStatus, TimelineEntry } from "../../schemas/lead";
import type { Change, Enrolment, LeadEffect, LeadState } from "./lead-state";

/**
 * The small steps every rule takes on a `Change`: number and append a timeline entry, add
 * effects, update one enrolment. Pure, like everything that uses them.
 */

/** Statuses in which nothing more is sent automatically. */
export const HALTED: LeadStatus[] = ["replied", "with_rep", "booked", "unsubscribed", "paused"];

type Draft<E> = E extends TimelineEntry ? Omit<E, "seq" | "at"> : never;
export type TimelineDraft = Draft<TimelineEntry>;

/** Appends a timeline entry, numbered by the engine so later effects can refer to it. */
export function log(change: Change, at: number, draft: TimelineDraft): Change {
  const seq = change.state.lastSeq + 1;
  const entry = { ...draft, seq, at } as TimelineEntry;
  return { state: { ...change.state, lastSeq: seq }, effects: [...change.effects, { kind: "append_timeline", entry }] };
}

export const effect = (change: Change, ...effects: LeadEffect[]): Change => ({ state: change.state, effects: [...change.effects, ...effects] });

export function updateEnrolment(change: Change, id: string, update: (e: Enrolment) => Enrolment): Change {
  return { ...change, state: { ...change.state, enrolments: change.state.enrolments.map((e) => (e.id === id ? update(e) : e)) } };
}

export const findEnrolment = (state: LeadState, id: string) => state.enrolments.find((e) => e.id === id);
