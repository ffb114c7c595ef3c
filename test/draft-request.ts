import type { DraftRequest } from "../engine/drafting/draft-types";

/** A value step's draft request for Ann at Acme, due Monday 2 November 2026 at 10:00 in New York: the drafting tests' common case. */
export const BOOKING = "https://owner.example/book";
const DUE = Date.UTC(2026, 10, 2, 15, 0);

export const draftRequest = (overrides: Partial<DraftRequest> = {}): DraftRequest => ({
  leadId: "l1",
  enrolmentId: "e2",
  sequenceId: "s",
  stepId: "value",
  intent: "value",
  channels: ["email"],
  basis: "template",
  template: { subject: "A thought for Acme", body: "Hi Ann,\n\nMost roofs we inspect last 20 years. Our guide: https://owner.example/guide\n\nSam" },
  profile: { firstName: "Ann", company: "Acme" },
  facts: [],
  bookingUrl: BOOKING,
  dueAt: DUE,
  requestedAt: DUE - 86_400_000,
  ...overrides,
});
