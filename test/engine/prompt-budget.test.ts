import { describe, expect, it } from "vitest";
import type { DraftRequest } from "../../engine/drafting/draft-types";
import { estimateTokens, PROMPT_BUDGETS } from "../../engine/drafting/prompt-budget";
import { DRAFT_INSTRUCTIONS, draftPrompt } from "../../services/ai/drafting";
import { briefPrompt } from "../../services/ai/hand-off-summary";
import type { HandOffPackage } from "../../engine/hand-off/hand-off-package";

/** A draft's prompt holds the few passages and facts that matter, within its token budget, however long the lead's history. */

const DAY = 86_400_000;
const DUE = Date.UTC(2026, 10, 20, 15, 0);

const request = (facts: DraftRequest["facts"]): DraftRequest => ({
  leadId: "l1",
  enrolmentId: "e1",
  sequenceId: "new-inquiry",
  stepId: "objection",
  intent: "objection",
  channels: ["email", "sms"],
  basis: "template",
  template: { subject: "About the cost", body: `Hi Ann,\n\n${"Most roofs we inspect last 20 years. ".repeat(30)}\n\nSam`, sms: "Hi Ann, a quick word on cost from Sam." },
  profile: { firstName: "Ann", company: "Acme", title: "Owner", source: "google" },
  facts,
  bookingUrl: "https://owner.example/book",
  dueAt: DUE,
  requestedAt: DUE - DAY,
});

describe("a draft's prompt", () => {
  it("stays under the drafting budget for a lead with a long history, keeping the template, the freshest facts, the last touch and the best passages", () => {
    const facts = [
      ...Array.from({ length: 12 }, (_, i) => ({ kind: "visit" as const, pageClass: `page-${i}`, count: i + 1, engagedMinutes: i, lastAt: DUE - (i + 1) * DAY })),
      { kind: "open" as const, count: 40, lastAt: DUE - 20 * DAY },
      { kind: "click" as const, count: 9, lastAt: DUE - DAY / 2 },
    ];
    const earlierTouches = Array.from({ length: 30 }, (_, i) => ({
      subject: `Touch ${i + 1}`,
      text: `Body of touch ${i + 1}. ${"A long paragraph of earlier words. ".repeat(45)}`,
    }));
    const passages = Array.from({ length: 8 }, (_, i) => ({
      documentId: `d${i}`,
      kind: "faq" as const,
      title: `Passage ${i + 1}`,
      text: `Passage ${i + 1} says: ${"the owner's long note. ".repeat(150)}`,
    }));
    const prompt = draftPrompt(request(facts), { earlierTouches, passages, predictedObjection: "price" });

    expect(estimateTokens(DRAFT_INSTRUCTIONS + prompt)).toBeLessThanOrEqual(PROMPT_BUDGETS.drafting.maxInputTokens);
    expect(prompt).toContain("Most roofs we inspect last 20 years.");
    expect(prompt).toContain("Template SMS:\nHi Ann, a quick word on cost from Sam.");
    // The freshest facts, four of them; the click half a day ago first.
    expect(prompt).toContain("- Clicked links in our emails 9 times");
    expect(prompt).not.toContain("Opened our emails 40 times");
    expect(prompt.match(/^- /gm)).toHaveLength(4);
    // Earlier touches by subject; only the last one is quoted, and only in part.
    expect(prompt).toContain("1. Touch 1\n");
    expect(prompt).toContain("30. Touch 30: Body of touch 30.");
    expect(prompt).not.toContain("Body of touch 29");
    // The three best passages, each cut; none beyond them.
    expect(prompt).toContain("[faq] Passage 1: Passage 1 says:");
    expect(prompt).not.toContain("Passage 4 says");
    expect(prompt).toContain("Their likely concern, from the owner's objection answers: price");
  });

  it("a short one is left whole", () => {
    const prompt = draftPrompt(request([]), { earlierTouches: [{ subject: "Got it", text: "Thanks for asking." }], passages: [] });
    expect(prompt).toContain("1. Got it: Thanks for asking.");
    expect(prompt.endsWith("…")).toBe(false);
    expect(estimateTokens(DRAFT_INSTRUCTIONS + prompt)).toBeLessThan(PROMPT_BUDGETS.drafting.maxInputTokens);
  });
});

describe("a hand-off brief's prompt", () => {
  it("stays under the summary budget for a long transcript, keeping its latest lines", () => {
    const transcript = Array.from({ length: 40 }, (_, i) => `Day ${i + 1} — replied: "${"We keep thinking about the roof and the budget. ".repeat(6)}(line ${i + 1})"`);
    const pkg = {
      leadId: "l1",
      handedOffAt: 0,
      triggers: [{ trigger: "buying_intent", reason: "the reply asks about contract terms" }],
      profile: { name: "Hana Ito", company: "Ito Roofing" },
      transcript,
    } as unknown as HandOffPackage;
    const prompt = briefPrompt(pkg);
    // The instructions are counted by the budget too: they are well under 100 tokens.
    expect(estimateTokens(prompt)).toBeLessThanOrEqual(PROMPT_BUDGETS.summary.maxInputTokens - 60);
    expect(prompt).toContain("Why the lead is hot: the reply asks about contract terms");
    expect(prompt).toContain("(line 40)");
    expect(prompt).not.toContain("(line 1)");
  });
});
