import { describe, expect, it } from "vitest";
import type { DraftRequest } from "../../engine/drafting/draft-types";
import type { OutgoingTouch } from "../../engine/lead/lead-state";
import { simulate, type Reaction } from "../../engine/simulator";
import type { SequenceVersion } from "../../schemas/sequence";
import { PRESETS } from "../../schemas/sequence-presets";

/**
 * A drafter is asked only when a draft could say more than the template as rendered: a
 * signal worth a line since the last touch, an objection to answer, or knowledge the step
 * rests on. Otherwise the template goes as written and no draft is queued.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 2 November 2026, 10:00 in New York. */
const START = Date.UTC(2026, 10, 2, 15, 0);
const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };
/** The preset's steps that answer an objection or rest on the owner's knowledge. */
const CALLING_FOR_A_DRAFT = NEW_INQUIRY.sequence.steps.filter((s) => s.intent === "objection" || s.knowledge).map((s) => s.id);

function played(react: (touch: OutgoingTouch) => Reaction[], draftAnswer: "model" | "rules" = "model") {
  const requests: DraftRequest[] = [];
  const result = simulate({
    leadId: "0".repeat(32),
    submission: {
      formId: "f",
      receivedAt: START,
      profile: { email: "ann@example.com", firstName: "Ann", timezone: "America/New_York" },
      consent: { email: true },
      utm: {},
      custom: {},
    },
    sequence: NEW_INQUIRY,
    start: START,
    until: START + 20 * DAY,
    react: (touch) => react(touch),
    draftAnswer,
    observe: (_event, effects) => {
      for (const e of effects) if (e.kind === "draft") requests.push(e.request);
    },
  });
  return { requests, sent: result.sent.map((s) => s.touch.stepId) };
}

const opensEverything = (touch: OutgoingTouch): Reaction[] => (touch.channel === "email" ? [{ after: 3 * HOUR, kind: "open" }] : []);

describe("a draft is asked for only when it could differ from the template", () => {
  it("a lead who only opens: drafts for the steps that rest on knowledge or answer an objection, none for the rest, and an open never asks again", () => {
    expect(CALLING_FOR_A_DRAFT).toEqual(["proof", "objection"]);
    const silent = played(() => []);
    const opening = played(opensEverything);
    expect(opening.sent).toEqual(["acknowledge", "value", "proof", "objection", "booking", "alternative"]);
    expect([...new Set(opening.requests.map((r) => r.stepId))]).toEqual(CALLING_FOR_A_DRAFT);
    // Six opens add no model call.
    expect(opening.requests.map((r) => r.stepId)).toEqual(silent.requests.map((r) => r.stepId));
    expect(opening.requests).toHaveLength(2);
  });

  it("a pricing visit after a touch gets the next step drafted, and refreshes a draft already made; the step after, with nothing new, goes as its template", () => {
    const visitsAfterAcknowledgement = (touch: OutgoingTouch): Reaction[] => (touch.stepId === "acknowledge" ? [{ after: 2 * HOUR, kind: "visit", pageClass: "pricing" }] : []);
    const { requests } = played(visitsAfterAcknowledgement);
    const value = requests.filter((r) => r.stepId === "value");
    expect(value).toHaveLength(1);
    expect(value[0]!.facts).toEqual([expect.objectContaining({ kind: "visit", pageClass: "pricing", count: 1 })]);
    expect(requests.map((r) => r.stepId)).toEqual(["value", ...CALLING_FOR_A_DRAFT]);

    const visitsBeforeProof = (touch: OutgoingTouch): Reaction[] => (touch.stepId === "value" ? [{ after: 2 * HOUR, kind: "visit", pageClass: "case-study" }] : []);
    // The proof step's draft was asked for when the value email went; the visit asks again so the draft can speak to it.
    const asked = played(visitsBeforeProof).requests.map((r) => r.stepId);
    expect(asked.filter((id) => id === "proof")).toHaveLength(2);
    expect(asked.every((id) => CALLING_FOR_A_DRAFT.includes(id))).toBe(true);
  });

  it("a click asks for a draft; a visit to a page of no class does not", () => {
    const clicksValue = (touch: OutgoingTouch): Reaction[] => (touch.stepId === "value" ? [{ after: HOUR, kind: "click" }] : []);
    expect(played(clicksValue).requests.some((r) => !CALLING_FOR_A_DRAFT.includes(r.stepId))).toBe(true);
    const wanders = (touch: OutgoingTouch): Reaction[] => (touch.stepId === "acknowledge" ? [{ after: HOUR, kind: "visit", pageClass: "" }] : []);
    expect(played(wanders).requests.map((r) => r.stepId)).toEqual(CALLING_FOR_A_DRAFT);
  });

  it("the rules drafter is asked on the same grounds: a pricing visit still gets its line's draft", () => {
    const visits = (touch: OutgoingTouch): Reaction[] => (touch.stepId === "acknowledge" ? [{ after: 2 * HOUR, kind: "visit", pageClass: "pricing" }] : []);
    expect(played(visits, "rules").requests.map((r) => r.stepId)).toEqual(["value", ...CALLING_FOR_A_DRAFT]);
    expect(played(() => [], "rules").requests.map((r) => r.stepId)).toEqual(CALLING_FOR_A_DRAFT);
  });
});
