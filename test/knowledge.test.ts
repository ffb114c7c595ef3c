import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bestPassageOf, passagesOf, retrievePassages } from "../services/d1/knowledge";
import { asOwner, call, unique } from "./helpers";

/** The owner's knowledge base: documents in, passages indexed with FTS5, the relevant ones out. */

const put = (id: string, body: unknown) => asOwner(`/api/knowledge/${id}`, { method: "PUT", body: JSON.stringify(body) });
const search = async (query: string) => (await (await asOwner(`/api/knowledge/search?${query}`)).json()) as { passages: { documentId: string; kind: string; text: string }[] };

describe("knowledge base", () => {
  it("indexes a document's passages and retrieves the ones that match, stems included", async () => {
    const id = unique("case").toLowerCase();
    const created = await put(id, {
      title: "Hillside Bakery re-roof",
      kind: "case_study",
      text: "Hillside Bakery replaced a leaking flat roof in two days without closing the shop.\n\nTheir insurer covered 80% of the cost after our inspection report.\n\nUnrelated paragraph about gutters and downspouts.",
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id, passages: 1, created: true });
    const { passages } = await search(`q=${encodeURIComponent("Does insurance cover a leak?")}`);
    expect(passages.some((p) => p.documentId === id && p.text.includes("insurer covered 80%"))).toBe(true);
    // Replacing the document replaces its passages.
    expect((await put(id, { title: "Hillside Bakery", kind: "case_study", text: "Now only about solar panels." })).status).toBe(200);
    expect((await search("q=insurer")).passages.filter((p) => p.documentId === id)).toEqual([]);
  });

  it("filters by kind, lists documents, deletes them", async () => {
    const faq = unique("faq").toLowerCase();
    const objection = unique("objection").toLowerCase();
    await put(faq, { title: "Warranty FAQ", kind: "faq", text: "Every zephyrwarranty roof comes with a 25-year warranty." });
    await put(objection, { title: "Too expensive?", kind: "objection", text: "If the zephyrwarranty price feels high: financing from 1.9% over 60 months." });
    const onlyObjections = await search("q=zephyrwarranty&kind=objection");
    expect(onlyObjections.passages.map((p) => p.documentId)).toEqual([objection]);
    const listed = (await (await asOwner("/api/knowledge")).json()) as { documents: { id: string; chunks: number }[] };
    expect(listed.documents.map((d) => d.id)).toEqual(expect.arrayContaining([faq, objection]));
    expect((await asOwner(`/api/knowledge/${faq}`, { method: "DELETE" })).status).toBe(204);
    expect((await asOwner(`/api/knowledge/${faq}`, { method: "DELETE" })).status).toBe(404);
    expect((await search("q=zephyrwarranty")).passages.map((p) => p.documentId)).toEqual([objection]);
  });

  it("keeps comparison and ROI documents, and finds a step's best passage of a kind: the matching one, else the newest document's opening", async () => {
    const older = unique("roi").toLowerCase();
    const newer = unique("roi").toLowerCase();
    const comparison = unique("vs").toLowerCase();
    expect((await put(older, { title: "Payback on a quokkaroof", kind: "roi", text: "A quokkaroof pays for itself in 7 years of saved repairs." })).status).toBe(201);
    expect((await put(newer, { title: "Energy savings", kind: "roi", text: "Insulated roofs cut heating bills by 15%.\n\nMore detail in a second paragraph." })).status).toBe(201);
    expect((await put(comparison, { title: "Us and RoofCo", kind: "comparison", text: "Unlike RoofCo, every quokkaroof job has a fixed price." })).status).toBe(201);
    expect((await search("q=quokkaroof&kind=comparison")).passages.map((p) => p.documentId)).toEqual([comparison]);
    expect(await bestPassageOf(env.DB, "roi", "what does a quokkaroof save")).toMatchObject({ documentId: older, kind: "roi" });
    // Nothing shares a word: the newest ROI document's opening passage still grounds the step.
    expect(await bestPassageOf(env.DB, "roi", "hello there")).toMatchObject({ documentId: newer, text: expect.stringContaining("cut heating bills by 15%") });
    expect(await bestPassageOf(env.DB, "pricing", "hello there")).toBeUndefined();
  });

  it("splits long text into passages of at most 800 characters, at sentence ends", () => {
    const sentence = "This sentence is exactly about roofs and repairs. ";
    const passages = passagesOf(sentence.repeat(60));
    expect(passages.length).toBeGreaterThan(2);
    for (const p of passages) {
      expect(p.length).toBeLessThanOrEqual(800);
      expect(p.endsWith(".")).toBe(true);
    }
  });

  it("reads every query as words, never as FTS syntax, and refuses bad input with a reason", async () => {
    for (const q of ['"unbalanced', "NEAR(a b", "title:secret", "*", "a OR", "'; DROP TABLE knowledge_chunks; --", ...env.TEST_FIXTURES.naughtyStrings.slice(0, 100)]) {
      const response = await asOwner(`/api/knowledge/search?q=${encodeURIComponent(q)}`);
      expect(response.status, q).toBeLessThan(500);
    }
    expect(await retrievePassages(env.DB, "!!! ??")).toEqual([]);
    expect((await put("Bad Id", { title: "x", text: "y" })).status).toBe(422);
    expect((await put("ok-id", { title: "", text: "y" })).status).toBe(422);
    expect((await put("ok-id", { title: "x", kind: "secret", text: "y" })).status).toBe(422);
    expect((await put("big", { title: "x", text: "y".repeat(300_000) })).status).toBe(413);
    expect((await call("/api/knowledge")).status).toBe(401);
  });
});
