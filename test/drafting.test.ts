import { runInDurableObject } from "cloudflare:test";
import type { LanguageModel } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { describe, expect, it } from "vitest";
import type { LeadObject } from "../durable-objects/lead-object";
import type { ReviewRow } from "../schemas/d1";
import type { LeadSummary } from "../schemas/lead";
import { SequenceSchema, type Drafting, type SequenceVersion } from "../schemas/sequence";
import { checkDraft } from "../engine/drafting/draft-guardrails";
import { draftPrompt, draftTouch, rulesDraft } from "../services/ai/drafting";
import type { PeriodStats } from "../services/d1/stats";
import { asOwner, unique } from "./helpers";
import { BOOKING, draftRequest } from "./draft-request";
import { advance, freshLead, MONDAY_10_NY, outboxFor, settle, submission, summaryOf } from "./lead-harness";

/** Drafting with the AI SDK's mock model: guardrails, retry and fallback, the review modes, and what each touch records. */

const answer = (text: string) => ({
  content: [{ type: "text" as const, text }],
  finishReason: { unified: "stop" as const, raw: undefined },
  usage: { inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 20, text: 20, reasoning: undefined } },
  warnings: [],
});
const draftJson = (draft: { subject?: string | null; body?: string | null; sms?: string | null }) => JSON.stringify({ subject: null, body: null, sms: null, ...draft });
/** A model that gives these answers in turn (the last one again once they run out). */
const modelAnswering = (...texts: string[]) => {
  let call = 0;
  return new MockLanguageModelV4({ doGenerate: async () => answer(texts[Math.min(call++, texts.length - 1)]!) });
};
const silentModel = () =>
  new MockLanguageModelV4({ doGenerate: (options) => new Promise((_, reject) => options.abortSignal?.addEventListener("abort", () => reject(options.abortSignal?.reason))) });

const request = draftRequest;
const GOOD = {
  subject: "A thought for Acme",
  body: "Hi Ann,\n\nFor a team like Acme's, the question is how long the roof has left: most we inspect last 20 years. Our guide: https://owner.example/guide\n\nSam",
};
const pricingVisit = { kind: "visit" as const, pageClass: "pricing", count: 2, engagedMinutes: 4, lastAt: MONDAY_10_NY - 86_400_000 };

describe("guardrails", () => {
  it("pass a draft that keeps to the template's links, numbers and the lead's facts", () => {
    expect(checkDraft(GOOD, request(), [])).toEqual([]);
    const claim = { ...GOOD, body: `Hi Ann,\n\nI noticed you spent 4 minutes on our pricing page. ${GOOD.body.slice(9)}` };
    expect(checkDraft(claim, request({ facts: [pricingVisit] }), [])).toEqual([]);
  });

  it("refuse each kind of bad draft, saying why", () => {
    const problems = (draft: Parameters<typeof checkDraft>[0], r = request(), passages: Parameters<typeof checkDraft>[2] = []) => checkDraft(draft, r, passages).join(" | ");
    expect(problems({ ...GOOD, body: GOOD.body + " More.".repeat(300) })).toMatch(/email body is \d+ characters; at most 1500/);
    expect(problems({ sms: "x".repeat(321) }, request({ channels: ["sms"], template: { sms: "Hi Ann" } }))).toMatch(/SMS text is 321 characters/);
    expect(problems({ ...GOOD, body: GOOD.body.replace("Hi Ann", "Hi [First Name]") })).toMatch(/placeholder is left unfilled: "\[First Name\]"/);
    expect(problems({ ...GOOD, body: GOOD.body.replace("Hi Ann", "Hi {{firstName}}") })).toMatch(/placeholder/);
    expect(
      problems(
        { ...GOOD, body: "Hi Ann, want to talk? Reply with a time.\n\nSam" },
        request({ intent: "booking_ask", template: { subject: "Talk?", body: `Book here: ${BOOKING}` } }),
      ),
    ).toMatch(/booking ask lacks the booking link/);
    expect(problems({ ...GOOD, body: `${GOOD.body}\nA new roof is $4,500 this month.` })).toMatch(/states "4500"/);
    expect(problems({ ...GOOD, body: `${GOOD.body}\nMore at https://evil.example/x` })).toMatch(/link https:\/\/evil\.example\/x is not in the template/);
    expect(problems({ ...GOOD, body: `Hi Ann,\n\nI saw you checked our pricing page twice. ${GOOD.body.slice(9)}` })).toMatch(/claims something the lead's signals do not show/);
    // A visit is on record, but not to the page the draft names.
    expect(problems({ ...GOOD, body: `Hi Ann,\n\nYou looked at our case studies. ${GOOD.body.slice(9)}` }, request({ facts: [pricingVisit] }))).toMatch(/do not show/);
    expect(
      problems(
        { ...GOOD, body: `Hi Ann,\n\nThanks for opening my last email. You watched our webinar. ${GOOD.body.slice(9)}` },
        request({ facts: [{ kind: "open", count: 1, lastAt: 0 }] }),
      ),
    ).toMatch(/You watched our webinar/);
  });

  it("accept a number the owner's knowledge base states", () => {
    const draft = { ...GOOD, body: `${GOOD.body}\nFinancing runs over 60 months.` };
    expect(checkDraft(draft, request(), [])).not.toEqual([]);
    expect(checkDraft(draft, request(), [{ documentId: "d", kind: "objection", title: "Price", text: "Financing from 1.9% over 60 months." }])).toEqual([]);
  });
});

describe("drafting", () => {
  it("uses a good draft from the model", async () => {
    const model = modelAnswering(draftJson(GOOD));
    expect(await draftTouch(model, request(), { earlierTouches: [], passages: [] })).toEqual({ content: GOOD, by: "model", notes: [] });
    expect(model.doGenerateCalls).toHaveLength(1);
    // Each call caps what the model may write, as the bench prices it.
    expect(model.doGenerateCalls[0]!.maxOutputTokens).toBe(600);
  });

  it("retries once with the reasons when the guardrails refuse, then uses the second draft", async () => {
    const model = modelAnswering(draftJson({ ...GOOD, body: `${GOOD.body} Only $99!` }), draftJson(GOOD));
    const drafted = await draftTouch(model, request(), { earlierTouches: [], passages: [] });
    expect(drafted.content).toEqual(GOOD);
    expect(model.doGenerateCalls).toHaveLength(2);
    expect(JSON.stringify(model.doGenerateCalls[1]!.prompt)).toContain('states \\"99\\"');
  });

  it("falls back to the template after two refused drafts, a broken answer, a failure or a timeout", async () => {
    const twiceBad = modelAnswering(draftJson({ ...GOOD, body: "Hi [Name]" }));
    expect(await draftTouch(twiceBad, request(), { earlierTouches: [], passages: [] })).toMatchObject({ content: null, by: "model" });
    expect(twiceBad.doGenerateCalls).toHaveLength(2);
    expect((await draftTouch(modelAnswering("no json here"), request(), { earlierTouches: [], passages: [] })).content).toBeNull();
    const failing = new MockLanguageModelV4({ doGenerate: async () => Promise.reject(new Error("3040: capacity exceeded")) });
    expect((await draftTouch(failing, request(), { earlierTouches: [], passages: [] })).notes.join(" ")).toContain("capacity exceeded");
    const started = Date.now();
    expect((await draftTouch(silentModel(), request(), { earlierTouches: [], passages: [] }, 30)).content).toBeNull();
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("falls back to the template for each kind of guardrail failure", async () => {
    const bad = [
      { ...GOOD, body: GOOD.body + " More.".repeat(300) },
      { ...GOOD, body: GOOD.body.replace("Hi Ann", "Hi [First Name]") },
      { ...GOOD, body: `${GOOD.body}\nA new roof is $4,500.` },
      { ...GOOD, body: `${GOOD.body}\nSee https://evil.example/x` },
      { ...GOOD, body: `Hi Ann,\n\nI saw you checked our pricing page. ${GOOD.body.slice(9)}` },
    ];
    for (const draft of bad) {
      const model = modelAnswering(draftJson(draft));
      const drafted = await draftTouch(model, request(), { earlierTouches: [], passages: [] });
      expect(drafted.content, draft.body.slice(0, 60)).toBeNull();
      expect(model.doGenerateCalls).toHaveLength(2);
    }
    const booking = request({ intent: "booking_ask", template: { subject: "Talk?", body: `Hi Ann, book here: ${BOOKING}` } });
    expect(
      (await draftTouch(modelAnswering(draftJson({ subject: "Talk?", body: "Hi Ann, reply with a time." })), booking, { earlierTouches: [], passages: [] })).content,
    ).toBeNull();
  });

  it("holds the model to the step: earlier touches, facts and the owner's passages are in the prompt", async () => {
    const model = modelAnswering(draftJson(GOOD));
    await draftTouch(model, request({ facts: [pricingVisit] }), {
      earlierTouches: [{ subject: "Got your request", text: "Thanks for asking about a roof inspection." }],
      passages: [{ documentId: "d", kind: "case_study", title: "Hillside Bakery", text: "Re-roofed in two days." }],
    });
    const prompt = JSON.stringify(model.doGenerateCalls[0]!.prompt);
    for (const part of [
      "Step intent: value",
      "Most roofs we inspect last 20 years",
      "company: Acme",
      "Visited the pricing page 2 times, 4 minutes in all, last yesterday",
      "Thanks for asking about a roof inspection",
      "Hillside Bakery: Re-roofed in two days",
    ]) {
      expect(prompt).toContain(part);
    }
  });

  it("without a model the rules add one grounded line, or leave the template alone", () => {
    expect(rulesDraft(request({ facts: [pricingVisit] }))?.body).toBe(
      "Hi Ann,\n\nI noticed you spent 4 minutes on our pricing page.\n\nMost roofs we inspect last 20 years. Our guide: https://owner.example/guide\n\nSam",
    );
    expect(rulesDraft(request())).toBeNull();
  });

  it("without a model the rules weave in the passage the step rests on, after the template's opening, keeping only its sentences without links", () => {
    const passage = {
      documentId: "d1",
      kind: "case_study" as const,
      title: "Hillside Bakery.",
      text: "Hillside Bakery had 3 years left on its roof. See https://elsewhere.example/story for photos.\n\nWe fixed it in two days.",
    };
    const drafted = rulesDraft(request({ facts: [pricingVisit] }), passage);
    expect(drafted?.body).toBe(
      "Hi Ann,\n\nI noticed you spent 4 minutes on our pricing page.\n\nMost roofs we inspect last 20 years. Our guide: https://owner.example/guide\n\nHillside Bakery: Hillside Bakery had 3 years left on its roof. We fixed it in two days.\n\nSam",
    );
    expect(checkDraft(drafted!, request({ facts: [pricingVisit] }), [passage])).toEqual([]);
    // A model is told which passage the step rests on.
    expect(draftPrompt(request(), { earlierTouches: [], passages: [passage], stepPassage: passage })).toContain(
      'This step rests on the owner\'s case study "Hillside Bakery." (in the notes below)',
    );
  });
});

/**
 * A two-step sequence: an instant acknowledgement, then a value email two days later, drafted in the given mode.
 * The value step rests on the owner's comparisons (none in this file's knowledge base), so it is drafted for every lead.
 */
function sequenceWith(drafting: Partial<Drafting>, marker = "inspect"): SequenceVersion {
  const id = unique("drafted");
  const sequence = SequenceSchema.parse({
    id,
    name: "Drafted",
    drafting,
    window: { days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "23:59" },
    steps: [
      {
        id: "hello",
        intent: "acknowledge",
        channels: ["email"],
        instant: true,
        email: { subject: "Thanks {{firstName|there}}", body: "Hi {{firstName|there}},\n\nThanks for reaching out." },
      },
      {
        id: "value",
        intent: "value",
        knowledge: "comparison",
        channels: ["email"],
        wait: { days: 2 },
        email: {
          subject: "A thought for {{company|you}}",
          body: `Hi {{firstName|there}},\n\nMost roofs we ${marker} last 20 years. Our guide: https://owner.example/guide\n\nSam`,
        },
      },
    ],
  });
  return { id, version: 1, sequence };
}

const VALUE_DRAFT = {
  subject: "A thought for Acme",
  body: "Hi Ann,\n\nFor Acme the question is how long the roof has left: most last 20 years. Our guide: https://owner.example/guide\n\nSam",
};

/** A lead enrolled in the sequence with `model` bound (or none), its acknowledgement sent and the next step drafted. */
async function leadIn(sequence: SequenceVersion, model: LanguageModel | null, draftTimeoutMs?: number, message?: string) {
  const { leadId, stub } = await freshLead();
  await runInDurableObject(stub, (object: LeadObject) => {
    object.seams.languageModel = () => model;
    if (draftTimeoutMs !== undefined) object.seams.draftTimeoutMs = draftTimeoutMs;
  });
  await stub.submitForm(
    submission(`${unique("draft")}@example.com`, {
      profile: { email: `${unique("d")}@example.com`, firstName: "Ann", company: "Acme", timezone: "America/New_York" },
      ...(message ? { message } : {}),
    }),
    sequence,
  );
  await settle(stub);
  return { leadId, stub };
}

const sentValue = (summary: LeadSummary) => summary.timeline.find((e) => e.kind === "touch_sent" && e.stepId === "value");
const review = (leadId: string, body: Record<string, unknown>) => asOwner(`/api/review/${leadId}/e2`, { method: "POST", body: JSON.stringify(body) });

describe("a sequence's drafting mode", () => {
  it("auto: the draft made ahead goes out at the step's time, recorded as an AI draft", async () => {
    const model = modelAnswering(draftJson(VALUE_DRAFT));
    const { leadId, stub } = await leadIn(sequenceWith({ mode: "auto" }), model);
    expect(await stub.drafts()).toEqual([expect.objectContaining({ stepId: "value", status: "ready", by: "model", content: VALUE_DRAFT })]);
    const calls = model.doGenerateCalls.length;
    await advance(stub);
    // Sending needed no model call: the draft was made ahead.
    expect(model.doGenerateCalls).toHaveLength(calls);
    const messages = await outboxFor(leadId);
    expect(messages.map((m) => m.subject)).toEqual(["Thanks Ann", VALUE_DRAFT.subject]);
    expect(messages[1]!.text).toContain("For Acme the question is how long the roof has left");
    expect(sentValue(await summaryOf(stub))).toMatchObject({ origin: "ai_draft", draftedBy: "model" });
  });

  it("a step with nothing to say beyond its template (no knowledge, no objection, a silent lead) asks no model: the template goes out", async () => {
    const base = sequenceWith({ mode: "auto" });
    const plain = { ...base, sequence: { ...base.sequence, steps: base.sequence.steps.map(({ knowledge: _, ...s }) => s) } };
    const model = modelAnswering(draftJson(VALUE_DRAFT));
    const { leadId, stub } = await leadIn(plain, model);
    expect(await stub.drafts()).toEqual([]);
    await advance(stub);
    expect(model.doGenerateCalls).toHaveLength(0);
    expect((await outboxFor(leadId))[1]!.text).toContain("Most roofs we inspect last 20 years");
    expect(sentValue(await summaryOf(stub))).toMatchObject({ origin: "template" });
  });

  it("off: templates only, and no model is asked", async () => {
    const model = modelAnswering(draftJson(VALUE_DRAFT));
    const { leadId, stub } = await leadIn(sequenceWith({ mode: "off" }), model);
    await advance(stub);
    expect(model.doGenerateCalls).toHaveLength(0);
    expect((await outboxFor(leadId))[1]!.text).toContain("Most roofs we inspect last 20 years");
    expect(sentValue(await summaryOf(stub))).toMatchObject({ origin: "template" });
  });

  it("a model that does not answer in time costs the draft, never the touch: the template goes out on time", async () => {
    const { leadId, stub } = await leadIn(sequenceWith({ mode: "auto" }), silentModel(), 20);
    expect(await stub.drafts()).toEqual([expect.objectContaining({ stepId: "value", status: "failed" })]);
    const due = (await summaryOf(stub)).enrolments[0]!.next!.dueAt;
    await advance(stub);
    const sent = sentValue(await summaryOf(stub))!;
    expect(sent).toMatchObject({ origin: "template", at: due });
    expect((await outboxFor(leadId))[1]!.text).toContain("Most roofs we inspect");
  });

  it("review: the draft waits in the queue; approved, it goes out as the AI draft", async () => {
    const { leadId, stub } = await leadIn(sequenceWith({ mode: "review" }), modelAnswering(draftJson(VALUE_DRAFT)));
    const queue = (await (await asOwner("/api/review?limit=200")).json()) as { drafts: ReviewRow[]; total: number };
    const waiting = queue.drafts.find((d) => d.leadId === leadId)!;
    expect(waiting).toMatchObject({ enrolmentId: "e2", stepId: "value", held: false, draftedBy: "model", draft: VALUE_DRAFT });
    expect(waiting.template.body).toContain("Most roofs we inspect");

    expect((await review(leadId, { stepId: "value", decision: "approve" })).status).toBe(200);
    expect((await review(leadId, { stepId: "value", decision: "approve" })).status).toBe(409);
    await advance(stub);
    expect(sentValue(await summaryOf(stub))).toMatchObject({ origin: "ai_draft", subject: VALUE_DRAFT.subject });
    const after = (await (await asOwner("/api/review?limit=200")).json()) as { drafts: ReviewRow[] };
    expect(after.drafts.some((d) => d.leadId === leadId)).toBe(false);
  });

  it("review: an edit sends the owner's words; a reject sends the template", async () => {
    const edited = await leadIn(sequenceWith({ mode: "review" }), modelAnswering(draftJson(VALUE_DRAFT)));
    expect((await review(edited.leadId, { stepId: "value", decision: "edit", body: "Hi Ann, Sam here. Our guide: https://owner.example/guide" })).status).toBe(200);
    await advance(edited.stub);
    expect(sentValue(await summaryOf(edited.stub))).toMatchObject({ origin: "edited_draft", subject: VALUE_DRAFT.subject });
    expect((await outboxFor(edited.leadId))[1]!.text).toContain("Hi Ann, Sam here.");

    const rejected = await leadIn(sequenceWith({ mode: "review" }), modelAnswering(draftJson(VALUE_DRAFT)));
    expect((await review(rejected.leadId, { stepId: "value", decision: "reject" })).status).toBe(200);
    await advance(rejected.stub);
    expect(sentValue(await summaryOf(rejected.stub))).toMatchObject({ origin: "template", subject: "A thought for Acme" });
    expect(kindsOf(await summaryOf(rejected.stub))).toContain("draft_reviewed");
  });

  it("review: unreviewed at the due time, the template goes out (the default) or the step holds until reviewed", async () => {
    const unreviewed = await leadIn(sequenceWith({ mode: "review" }), modelAnswering(draftJson(VALUE_DRAFT)));
    await advance(unreviewed.stub);
    expect(sentValue(await summaryOf(unreviewed.stub))).toMatchObject({ origin: "template" });

    const held = await leadIn(sequenceWith({ mode: "review", unreviewed: "hold" }), modelAnswering(draftJson(VALUE_DRAFT)));
    await advance(held.stub);
    let summary = await summaryOf(held.stub);
    expect(sentValue(summary)).toBeUndefined();
    expect(summary.timeline.find((e) => e.kind === "touch_held")).toMatchObject({ stepId: "value" });
    const queue = (await (await asOwner("/api/review?limit=200")).json()) as { drafts: ReviewRow[] };
    expect(queue.drafts.find((d) => d.leadId === held.leadId)).toMatchObject({ held: true });
    // Reviewed, the held step runs at once.
    expect((await review(held.leadId, { stepId: "value", decision: "approve" })).status).toBe(200);
    await settle(held.stub);
    summary = await summaryOf(held.stub);
    expect(sentValue(summary)).toMatchObject({ origin: "ai_draft" });
  });

  it("refuses a bad review with a reason", async () => {
    const { leadId } = await leadIn(sequenceWith({ mode: "review" }), modelAnswering(draftJson(VALUE_DRAFT)));
    expect((await review(leadId, { stepId: "value", decision: "edit" })).status).toBe(422);
    expect((await review(leadId, { stepId: "value", decision: "approve", body: "sneaky" })).status).toBe(422);
    expect((await review(leadId, { stepId: "value", decision: "edit", subject: "Two\r\nlines" })).status).toBe(422);
    expect((await review(leadId, { stepId: "other", decision: "approve" })).status).toBe(409);
    expect((await review("f".repeat(32), { stepId: "value", decision: "approve" })).status).toBe(404);
    expect((await asOwner(`/api/review/${leadId}/nope`, { method: "POST", body: "{}" })).status).toBe(422);
    expect((await asOwner(`/api/review/${leadId}/e2`, { method: "POST", body: "{not json" })).status).toBeLessThan(500);
  });

  it("retrieval changes what the prompt holds: a new knowledge document reaches the next draft", async () => {
    const marker = `zq${crypto
      .randomUUID()
      .slice(0, 6)
      .replace(/[^a-z]/g, "x")}`;
    const sequence = sequenceWith({ mode: "auto" }, marker);
    const before = modelAnswering(draftJson(VALUE_DRAFT));
    await leadIn(sequence, before);
    expect(JSON.stringify(before.doGenerateCalls[0]!.prompt)).not.toContain("Hillside Bakery");

    const doc = { title: "Hillside Bakery", kind: "case_study", text: `Hillside Bakery asked us to ${marker} their roof: it had 3 years left, and we fixed it in two days.` };
    expect((await asOwner(`/api/knowledge/${unique("kb")}`, { method: "PUT", body: JSON.stringify(doc) })).status).toBe(201);
    const after = modelAnswering(draftJson(VALUE_DRAFT));
    await leadIn(sequence, after);
    expect(JSON.stringify(after.doGenerateCalls[0]!.prompt)).toContain("it had 3 years left");
  });

  it("without a model, a step resting on case studies gets a rules draft that carries the best case study; with none of its kind, the template stands", async () => {
    const marker = `zc${crypto
      .randomUUID()
      .slice(0, 6)
      .replace(/[^a-z]/g, "x")}`;
    const restingOn = (knowledge: "case_study" | "roi") => {
      const base = sequenceWith({ mode: "auto" }, marker);
      return { ...base, sequence: { ...base.sequence, steps: base.sequence.steps.map((s) => (s.id === "value" ? { ...s, knowledge } : s)) } };
    };
    const story = {
      title: "Hillside Bakery's roof",
      kind: "case_study",
      text: `Hillside Bakery asked us to ${marker} their roof. It had 3 years left, and we fixed it in two days.`,
    };
    expect((await asOwner(`/api/knowledge/${unique("cs")}`, { method: "PUT", body: JSON.stringify(story) })).status).toBe(201);

    const grounded = await leadIn(restingOn("case_study"), null);
    const paragraph = `Hillside Bakery's roof: Hillside Bakery asked us to ${marker} their roof. It had 3 years left, and we fixed it in two days.`;
    expect(await grounded.stub.drafts()).toEqual([
      expect.objectContaining({ stepId: "value", status: "ready", by: "rules", content: expect.objectContaining({ body: expect.stringContaining(paragraph) }) }),
    ]);
    await advance(grounded.stub);
    expect((await outboxFor(grounded.leadId)).at(-1)!.text).toContain(paragraph);
    expect(sentValue(await summaryOf(grounded.stub))).toMatchObject({ origin: "ai_draft", draftedBy: "rules" });

    const ungrounded = await leadIn(restingOn("roi"), null);
    expect(await ungrounded.stub.drafts()).toEqual([expect.objectContaining({ stepId: "value", status: "failed", by: "rules" })]);
    await advance(ungrounded.stub);
    const sent = (await outboxFor(ungrounded.leadId)).at(-1)!.text;
    expect(sent).toContain(`Hi Ann,\n\nMost roofs we ${marker} last 20 years.`);
    expect(sent).not.toContain("Hillside Bakery");
  });

  it("the objection step predicts the lead's concern from the objection answers", async () => {
    const marker = `zo${crypto
      .randomUUID()
      .slice(0, 6)
      .replace(/[^a-z]/g, "x")}`;
    await asOwner(`/api/knowledge/${unique("obj")}`, {
      method: "PUT",
      body: JSON.stringify({ title: "Too expensive for a small shop", kind: "objection", text: `When a ${marker} owner says it costs too much: financing over 60 months.` }),
    });
    const base = sequenceWith({ mode: "review" }, marker);
    const steps = base.sequence.steps.map((s) => (s.id === "value" ? { ...s, intent: "objection" as const } : s));
    const model = modelAnswering(draftJson(VALUE_DRAFT));
    const { stub } = await leadIn({ ...base, sequence: { ...base.sequence, steps } }, model);
    expect(JSON.stringify(model.doGenerateCalls[0]!.prompt)).toContain("Their likely concern, from the owner's objection answers: Too expensive for a small shop");
    expect(await stub.drafts()).toEqual([expect.objectContaining({ predictedObjection: "Too expensive for a small shop" })]);
  });

  it("the objection step answers the concern the lead stated in its form message, before the knowledge base's guess", async () => {
    const marker = `zs${crypto
      .randomUUID()
      .slice(0, 6)
      .replace(/[^a-z]/g, "x")}`;
    const priceTitle = `Pricing and budget ${unique("p")}`;
    const guessTitle = `The install takes too long ${unique("g")}`;
    await asOwner(`/api/knowledge/${unique("obj")}`, {
      method: "PUT",
      body: JSON.stringify({ title: guessTitle, kind: "objection", text: `When a ${marker} owner worries about the install: we finish in two days.` }),
    });
    await asOwner(`/api/knowledge/${unique("obj")}`, {
      method: "PUT",
      body: JSON.stringify({
        title: priceTitle,
        kind: "objection",
        text: "If the price feels expensive or the budget is tight, the cost can be spread: financing over 60 months.",
      }),
    });
    const base = sequenceWith({ mode: "review" }, marker);
    const objectionStep = { ...base, sequence: { ...base.sequence, steps: base.sequence.steps.map((s) => (s.id === "value" ? { ...s, intent: "objection" as const } : s)) } };
    const firstNote = (model: MockLanguageModelV4) => /The owner's notes[^\n]*\n([^\n]*)/.exec(JSON.stringify(model.doGenerateCalls[0]!.prompt).replace(/\\n/g, "\n"))?.[1];

    const guessed = modelAnswering(draftJson(VALUE_DRAFT));
    const silent = await leadIn(objectionStep, guessed);
    expect(await silent.stub.drafts()).toEqual([expect.objectContaining({ predictedObjection: guessTitle })]);
    expect(firstNote(guessed)).toMatch(new RegExp(`^\\[objection\\] ${guessTitle}:`));

    const told = modelAnswering(draftJson(VALUE_DRAFT));
    const stating = await leadIn(objectionStep, told, undefined, "Interested, but worried it will be too expensive for us.");
    expect(JSON.stringify(told.doGenerateCalls[0]!.prompt)).toContain("Their likely concern, from the owner's objection answers: price (stated by the lead)");
    expect(firstNote(told)).toMatch(new RegExp(`^\\[objection\\] ${priceTitle}:`));
    expect(await stating.stub.drafts()).toEqual([expect.objectContaining({ predictedObjection: "price (stated by the lead)" })]);
  });

  it("the owner API's stats count touches by whose words went out", async () => {
    const sequence = sequenceWith({ mode: "auto" });
    for (const model of [modelAnswering(draftJson(VALUE_DRAFT)), silentModel()]) {
      const { stub } = await leadIn(sequence, model, 20);
      await advance(stub);
    }
    const response = await asOwner(`/api/stats?from=${MONDAY_10_NY - 86_400_000}&to=${MONDAY_10_NY + 10 * 86_400_000}`);
    expect(response.status).toBe(200);
    const stats = (await response.json()) as PeriodStats;
    const value = stats.byStep.find((r) => r.sequenceId === sequence.id && r.stepId === "value")!;
    expect(value).toMatchObject({ channel: "email", sent: 2, origins: { aiDraft: 1, aiDraftByModel: 1, editedDraft: 0, template: 1 } });
    expect(stats.byStep.find((r) => r.sequenceId === sequence.id && r.stepId === "hello")).toMatchObject({ sent: 2, origins: { template: 2 } });
    expect(stats.touches.origins.aiDraft).toBeGreaterThanOrEqual(1);
  });
});

const kindsOf = (summary: LeadSummary) => summary.timeline.map((e) => e.kind);
