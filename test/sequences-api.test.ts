import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Sequence, SequenceInput, SequenceVersion } from "../schemas/sequence";
import { asOwner, call, makeForm, unique } from "./helpers";
import { advance, freshLead, outboxFor, settle, submission, summaryOf } from "./lead-harness";

const json = (body: unknown, method = "PUT"): RequestInit => ({ method, body: JSON.stringify(body) });

function twoSteps(id: string, secondSubject: string): Omit<SequenceInput, "id"> & { id?: string } {
  return {
    name: `Sequence ${id}`,
    window: { days: [1, 2, 3, 4, 5, 6, 7], start: "08:00", end: "20:00" },
    steps: [
      { id: "hello", intent: "acknowledge", channels: ["email"], instant: true, email: { subject: "Hello {{firstName|there}}", body: "Thanks for asking." } },
      { id: "follow", intent: "value", channels: ["email"], wait: { days: 2 }, email: { subject: secondSubject, body: "Here is more: {{siteUrl}}" } },
    ],
  };
}

describe("sequences API", () => {
  it("lists the presets, each as version 0", async () => {
    const response = await asOwner("/api/sequences");
    expect(response.status).toBe(200);
    const { sequences } = (await response.json()) as { sequences: { id: string; version: number; preset: boolean }[] };
    for (const id of ["new-inquiry", "nurture", "hot", "warm", "cold-reactivation", "post-demo", "enterprise"]) {
      expect(sequences).toContainEqual(expect.objectContaining({ id, version: 0, preset: true }));
    }
  });

  it("needs the owner token", async () => {
    expect((await call("/api/sequences")).status).toBe(401);
    expect((await call("/api/outbox")).status).toBe(401);
  });

  it("validates a document without storing it, filling defaults, or says every issue", async () => {
    const ok = await asOwner("/api/sequences/validate", json({ id: "check-me", ...twoSteps("c", "More") }, "POST"));
    expect(ok.status).toBe(200);
    const { sequence } = (await ok.json()) as { sequence: Sequence };
    expect(sequence.rules.openedSooner).toEqual({ enabled: true, keepFraction: 0.5, minHours: 12 });
    expect((await asOwner("/api/sequences/check-me")).status).toBe(404);

    const broken = twoSteps("b", "Hi {{favouriteColour}}");
    broken.steps[1] = { ...broken.steps[1]!, branches: [{ if: { signal: "opened", not: true }, then: { do: "goto", step: "nowhere" } }] };
    const bad = await asOwner("/api/sequences/validate", json({ id: "bad", ...broken }, "POST"));
    expect(bad.status).toBe(422);
    const { error } = (await bad.json()) as { error: { code: string; issues: { path: string; message: string }[] } };
    expect(error.code).toBe("invalid_json");
    const messages = error.issues.map((i) => i.message).join("\n");
    expect(messages).toContain('unknown merge field "favouriteColour"');
    expect(messages).toContain('no step "nowhere" in this sequence');
  });

  it("refuses a branch that enrols in a sequence that does not exist", async () => {
    const doc = twoSteps("x", "More");
    doc.steps[1] = { ...doc.steps[1]!, branches: [{ if: { signal: "nothing" }, then: { do: "enrol", sequence: "no-such-sequence" } }] };
    const response = await asOwner(`/api/sequences/${unique("branchy")}`, json(doc));
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unknown_sequence");
  });

  it("a put creates a new version each time; every version stays readable", async () => {
    const id = unique("versions");
    const first = await asOwner(`/api/sequences/${id}`, json(twoSteps(id, "First")));
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ id, version: 1 });
    const second = await asOwner(`/api/sequences/${id}`, json({ id, ...twoSteps(id, "Second") }));
    expect(await second.json()).toMatchObject({ id, version: 2 });
    expect(await (await asOwner(`/api/sequences/${id}`)).json()).toMatchObject({ version: 2, sequence: { steps: [{}, { email: { subject: "Second" } }] } });
    expect(await (await asOwner(`/api/sequences/${id}?version=1`)).json()).toMatchObject({ version: 1, sequence: { steps: [{}, { email: { subject: "First" } }] } });
    expect((await asOwner(`/api/sequences/${id}`, json({ id: "other", ...twoSteps(id, "x") }))).status).toBe(422);
    expect((await asOwner(`/api/sequences/${id}`, { method: "PUT", body: "{not json" })).status).toBe(400);
  });

  it("a lead keeps the version it was enrolled with when the owner edits the sequence", async () => {
    const id = unique("in-flight");
    const v1 = (await (await asOwner(`/api/sequences/${id}`, json(twoSteps(id, "Old words")))).json()) as SequenceVersion;
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`${unique("kept")}@example.com`), v1);
    await settle(stub);
    await asOwner(`/api/sequences/${id}`, json(twoSteps(id, "New words")));
    await advance(stub);
    expect((await outboxFor(leadId)).map((m) => m.subject)).toEqual(["Hello Ann", "Old words"]);
    expect((await summaryOf(stub)).enrolments[0]).toMatchObject({ sequenceId: id, version: 1 });
  });

  it("a form runs its sequence's current version, and may not name a sequence that does not exist", async () => {
    const id = unique("current");
    await asOwner(`/api/sequences/${id}`, json(twoSteps(id, "v1")));
    await asOwner(`/api/sequences/${id}`, json(twoSteps(id, "v2")));
    const form = await makeForm({ sequenceId: id });
    const post = await asOwner(`/f/${form.id}`, json({ email: `${unique("cur")}@example.com` }, "POST"));
    const { leadId } = (await post.json()) as { leadId: string };
    expect((await summaryOf(env.LEADS.getByName(leadId))).enrolments[0]).toMatchObject({ sequenceId: id, version: 2 });

    const bad = await asOwner("/api/forms", json({ id: unique("form"), name: "x", thankYouUrl: "/demo/thanks", sequenceId: "no-such-sequence" }, "POST"));
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("unknown_sequence");
  });
});

describe("enrolment and bookings through the owner API", () => {
  it("enrols a lead once; a second enrolment in the same sequence is a 409", async () => {
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`${unique("enrol")}@example.com`));
    await settle(stub);
    const first = await asOwner(`/api/leads/${leadId}/enrol`, json({ sequenceId: "warm" }, "POST"));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ enrolled: true, sequenceId: "warm", version: 0 });
    const again = await asOwner(`/api/leads/${leadId}/enrol`, json({ sequenceId: "warm" }, "POST"));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("already_enrolled");
    expect((await asOwner(`/api/leads/${leadId}/enrol`, json({ sequenceId: "nope" }, "POST"))).status).toBe(404);
    expect((await asOwner(`/api/leads/${"0".repeat(32)}/enrol`, json({ sequenceId: "warm" }, "POST"))).status).toBe(404);
    expect((await asOwner(`/api/leads/${leadId}/enrol`, json({ sequenceId: "Not A Slug" }, "POST"))).status).toBe(422);
  });

  it("a marketing sequence is a 409 with the reason for a lead without consent, and enrols one with it", async () => {
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`${unique("marketing")}@example.com`, { consent: {} }));
    await settle(stub);
    const refused = await asOwner(`/api/leads/${leadId}/enrol`, json({ sequenceId: "nurture" }, "POST"));
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: "no_marketing_consent", message: expect.stringContaining("marketing") } });
    expect((await summaryOf(stub)).timeline.find((e) => e.kind === "enrolment_refused")).toMatchObject({ sequenceId: "nurture" });

    const consenting = await freshLead();
    await consenting.stub.submitForm(submission(`${unique("marketing")}@example.com`, { consent: { email: true } }));
    await settle(consenting.stub);
    expect((await asOwner(`/api/leads/${consenting.leadId}/enrol`, json({ sequenceId: "nurture" }, "POST"))).status).toBe(200);
  });

  it("marking a lead booked completes its sequences, and nothing more is sent", async () => {
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`${unique("booked")}@example.com`), {
      id: "warm",
      version: 0,
      sequence: ((await (await asOwner("/api/sequences/warm")).json()) as SequenceVersion).sequence,
    });
    await settle(stub);
    const response = await asOwner(`/api/leads/${leadId}/booked`, json({ source: "phone call" }, "POST"));
    expect(response.status).toBe(200);
    const summary = await summaryOf(stub);
    expect(summary.status).toBe("booked");
    expect(summary.enrolments.map((e) => e.status)).toEqual(["completed"]);
    expect(summary.timeline.find((e) => e.kind === "booked")).toMatchObject({ source: "phone call" });
    expect((await asOwner(`/api/leads/${"f".repeat(32)}/booked`, json({}, "POST"))).status).toBe(404);
  });
});

describe("GET /api/outbox", () => {
  it("pages newest first with a cursor and refuses a forged one", async () => {
    const { leadId, stub } = await freshLead();
    await stub.submitForm(submission(`${unique("pages")}@example.com`), {
      id: "warm",
      version: 0,
      sequence: ((await (await asOwner("/api/sequences/warm")).json()) as SequenceVersion).sequence,
    });
    await settle(stub);
    await advance(stub);
    const first = (await (await asOwner(`/api/outbox?leadId=${leadId}&limit=1`)).json()) as { messages: { subject: string }[]; nextCursor: string };
    expect(first.messages.map((m) => m.subject)).toEqual(["A quick idea for you"]);
    const second = (await (await asOwner(`/api/outbox?leadId=${leadId}&limit=1&cursor=${encodeURIComponent(first.nextCursor)}`)).json()) as {
      messages: { subject: string }[];
      nextCursor: string | null;
    };
    expect(second.messages.map((m) => m.subject)).toEqual(["Something useful, Ann"]);
    expect(second.nextCursor).toBeNull();
    expect((await asOwner("/api/outbox?cursor=forged")).status).toBe(400);
    expect((await asOwner("/api/outbox?limit=0")).status).toBe(422);
  });
});
