import { describe, expect, it } from "vitest";
import { asOwner, call, leadSummary, makeForm, postJson, unique } from "./helpers";
import { advance, clocks, freshLead, kinds, outboxFor, settle, submission, summaryOf } from "./lead-harness";
import { PRESET_ROUTING, type Routing } from "../schemas/routing";
import { PRESETS } from "../schemas/sequence-presets";

const preset = (id: string) => ({ id, version: 0, sequence: PRESETS.get(id)! });

describe("intent-stage routing: data the owner edits, applied per lead", () => {
  it("ships as a preset (version 0) and takes new versions through the API, each checked", async () => {
    const current = await asOwner("/api/routing");
    expect(current.status).toBe(200);
    const shipped = (await current.json()) as { version: number; routing: Routing };
    expect(shipped.routing.rules.map((r) => r.cadence)).toEqual(PRESET_ROUTING.routing.rules.map((r) => r.cadence));

    const nowhere = { rules: [{ id: "hot", if: { when: "score_at_least", score: 60 }, cadence: "no-such-cadence", reason: "x" }] };
    const refused = await asOwner("/api/routing", { method: "PUT", body: JSON.stringify(nowhere) });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("no-such-cadence");

    const malformed = await asOwner("/api/routing/validate", {
      method: "POST",
      body: JSON.stringify({ rules: [{ id: "x", if: { when: "moon_phase" }, cadence: "hot", reason: "x" }] }),
    });
    expect(malformed.status).toBe(422);

    const edited: Routing = { rules: PRESET_ROUTING.routing.rules.map((r) => (r.id === "hot" ? { ...r, if: { when: "score_at_least", score: 60 } } : r)) };
    const put = await asOwner("/api/routing", { method: "PUT", body: JSON.stringify(edited) });
    expect(put.status).toBe(201);
    const stored = (await put.json()) as { version: number };
    expect(stored.version).toBeGreaterThan(0);
    const after = (await (await asOwner("/api/routing")).json()) as { version: number; routing: Routing };
    expect(after.version).toBe(stored.version);
    expect(after.routing.rules.find((r) => r.id === "hot")!.if).toEqual({ when: "score_at_least", score: 60 });
  });

  it("needs the owner", async () => {
    expect((await call("/api/routing")).status).toBe(401);
  });

  it("a VP's form post answers from the enterprise cadence, not the generic one, and the switch is on the timeline", async () => {
    const { leadId, stub } = await freshLead();
    await stub.submitForm(
      submission(`${unique("vp")}@example.com`, { profile: { email: `${unique("vp")}@example.com`, firstName: "Vera", title: "VP Operations", timezone: "America/New_York" } }),
      preset("new-inquiry"),
      undefined,
      PRESET_ROUTING,
    );
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.enrolments.map((e) => [e.sequenceId, e.status])).toEqual([
      ["new-inquiry", "ended"],
      ["enterprise", "active"],
    ]);
    const switched = summary.timeline.find((e) => e.kind === "cadence_switched");
    expect(switched).toMatchObject({ from: "new-inquiry", to: "enterprise", rule: "enterprise" });
    expect(kinds(summary)).not.toContain("handed_off");
    // The enterprise cadence's own acknowledgement answers the post at once; nothing from the generic one went.
    const outbox = await outboxFor(leadId);
    expect(outbox.map((m) => m.subject)).toEqual(["Thanks, Vera"]);
  });

  it("the owner moving a lead to another cadence by hand ends the one it was in: one cadence at a time", async () => {
    const form = await makeForm({ sequenceId: "nurture" });
    const response = await postJson(form.id, { email: `${unique("lead")}@example.com`, consent_email: "yes" });
    const { leadId } = (await response.json()) as { leadId: string };
    const moved = await asOwner(`/api/leads/${leadId}/enrol`, { method: "POST", body: JSON.stringify({ sequenceId: "enterprise" }) });
    expect(moved.status).toBe(200);
    const summary = await leadSummary(leadId);
    expect(summary!.enrolments.filter((e) => e.status === "active" || e.status === "paused").map((e) => e.sequenceId)).toEqual(["enterprise"]);
  });

  it("a lead keeps the routing version it came in with", async () => {
    const { stub } = await freshLead();
    // Version 7 moves a lead to post-demo one idle day after its meeting; the preset waits five.
    const quick: Routing = { rules: [{ id: "post-demo", if: { when: "demo_idle", days: 1 }, cadence: "post-demo", reason: "one quiet day after the demo is enough here" }] };
    const email = `${unique("lead")}@example.com`;
    await stub.submitForm(submission(email), preset("new-inquiry"), undefined, { version: 7, routing: quick });
    await settle(stub);
    // The later post offers the preset's rules; the lead keeps version 7's.
    await stub.submitForm(submission(email), preset("new-inquiry"), undefined, PRESET_ROUTING);
    await settle(stub);
    const bookedAt = clocks.get(stub.id.toString())!.at;
    await stub.markBooked("Cal.com");
    await settle(stub);
    for (let i = 0; i < 5 && !kinds(await summaryOf(stub)).includes("cadence_switched"); i++) await advance(stub);
    const switched = (await summaryOf(stub)).timeline.find((e) => e.kind === "cadence_switched")!;
    expect(switched).toMatchObject({ rule: "post-demo", to: "post-demo", reason: "one quiet day after the demo is enough here" });
    expect(switched.at - bookedAt).toBe(86_400_000);
  });
});
