import { describe, expect, it } from "vitest";
import { asOwner, unique } from "./helpers";
import { dashboardLogin, getPage, postForm } from "./dashboard-client";

/** The knowledge base pages: add by pasting or uploading, the passages, a search, replace and delete; CSRF and validation. */

const searchApi = async (q: string) =>
  ((await (await asOwner(`/api/knowledge/search?q=${encodeURIComponent(q)}`)).json()) as { passages: { documentId: string; kind: string; text: string }[] }).passages;

describe("knowledge pages", () => {
  it("a pasted Markdown document is stored as plain passages, shown on its page and found by the page's search and the API", async () => {
    const { cookie, csrf } = await dashboardLogin();
    const word = unique("gutters").replace(/[^a-z]/g, "");
    const title = `Acme ${word} case study`;
    const text = `# Results\n\nAcme cleaned **${word}** on 40 roofs in a week with [our crew](https://crew.example).\n\nThey booked twice as many jobs.`;
    const added = await postForm("/dashboard/knowledge", { _csrf: csrf, title, kind: "case_study", format: "markdown", text }, { cookie });
    expect(added.status).toBe(303);
    const id = `acme-${word}-case-study`;
    expect(added.headers.get("location")).toBe(`/dashboard/knowledge/${id}?done=added`);

    const page = await (await getPage(`/dashboard/knowledge/${id}?done=added`, cookie)).text();
    expect(page).toContain("Added: its passages are below");
    // Paragraphs packed into one passage, a line each.
    expect(page).toContain(`<p style="white-space:pre-line">Results.\nAcme cleaned ${word} on 40 roofs in a week with our crew.\nThey booked twice as many jobs.</p>`);
    expect(page).not.toContain("crew.example");

    const found = await (await getPage(`/dashboard/knowledge?q=${encodeURIComponent(`how fast do you clean ${word}?`)}&kind=case_study`, cookie)).text();
    expect(found).toContain(`<article class="card" data-document="${id}">`);
    expect((await searchApi(word)).map((p) => p.documentId)).toEqual([id]);
    const listed = await (await getPage("/dashboard/knowledge", cookie)).text();
    expect(listed).toContain(`<tr data-document="${id}">`);
  });

  it("an uploaded file becomes a document titled by its name; the same title never overwrites, an explicit id replaces", async () => {
    const { cookie, csrf } = await dashboardLogin();
    const word = unique("pricing").replace(/[^a-z]/g, "");
    const upload = (text: string, extra: Record<string, string> = {}) => {
      const form = new FormData();
      form.set("_csrf", csrf);
      form.set("kind", "pricing");
      form.set("format", "text");
      for (const [k, v] of Object.entries(extra)) form.set(k, v);
      form.set("file", new File([text], `${word} plans.md`, { type: "text/markdown" }));
      return postForm("/dashboard/knowledge", form, { cookie });
    };
    const first = await upload(`Plans start at *49 dollars* a month for ${word}.`);
    expect(first.headers.get("location")).toBe(`/dashboard/knowledge/${word}-plans?done=added`);
    // Plain text is kept exactly, marks and all.
    expect(await (await getPage(`/dashboard/knowledge/${word}-plans`, cookie)).text()).toContain(`Plans start at *49 dollars* a month for ${word}.`);
    const second = await upload(`Annual plans save two months of ${word}.`);
    expect(second.headers.get("location")).toBe(`/dashboard/knowledge/${word}-plans-2?done=added`);
    const replaced = await upload(`Plans now start at 59 dollars for ${word}.`, { id: `${word}-plans` });
    expect(replaced.headers.get("location")).toBe(`/dashboard/knowledge/${word}-plans?done=replaced`);
    const passages = await searchApi(word);
    expect(passages.map((p) => p.documentId).sort()).toEqual([`${word}-plans`, `${word}-plans-2`]);
    expect(passages.find((p) => p.documentId === `${word}-plans`)?.text).toBe(`Plans now start at 59 dollars for ${word}.`);
  });

  it("a refused document comes back with the reasons beside its fields and the text kept; no token, no change", async () => {
    const { cookie, csrf } = await dashboardLogin();
    const refused = await postForm("/dashboard/knowledge", { _csrf: csrf, title: "", kind: "brochure", text: "Kept <b>text</b>", id: "Not An Id" }, { cookie });
    expect(refused.status).toBe(422);
    const page = await refused.text();
    expect(page).toContain("The document was not saved");
    expect(page).toContain('id="problem-title"');
    expect(page).toContain('id="problem-kind"');
    expect(page).toContain('id="problem-id"');
    expect(page).toContain("is lower-case letters, digits and dashes");
    expect(page).toContain("Kept &lt;b&gt;text&lt;/b&gt;</textarea>");
    const empty = await postForm("/dashboard/knowledge", { _csrf: csrf, title: "Empty", kind: "faq", text: "   " }, { cookie });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('id="problem-text"');

    const word = unique("nocsrf").replace(/[^a-z]/g, "");
    expect((await postForm("/dashboard/knowledge", { title: word, text: word }, { cookie })).status).toBe(403);
    expect((await postForm("/dashboard/knowledge", { _csrf: csrf, title: word, text: word })).status).toBe(401);
    expect(await searchApi(word)).toEqual([]);
    const badSearch = await getPage(`/dashboard/knowledge?q=x&kind=brochure`, cookie);
    expect(badSearch.status).toBe(422);
    expect(await badSearch.text()).toContain("kind:");
  });

  it("every input on the pages is labelled, and a document is deleted only when confirmed", async () => {
    const { cookie, csrf } = await dashboardLogin();
    const word = unique("faq").replace(/[^a-z]/g, "");
    await postForm("/dashboard/knowledge", { _csrf: csrf, title: `${word} faq`, kind: "faq", text: `Do you work on ${word}? Yes.` }, { cookie });
    for (const path of ["/dashboard/knowledge", `/dashboard/knowledge/${word}-faq`]) {
      const html = await (await getPage(path, cookie)).text();
      const body = html.slice(html.indexOf("<main>"));
      // Every visible control sits inside a <label>: strip labelled spans, and none is left.
      const unlabelled = body.replace(/<label>[\s\S]*?<\/label>/g, "").match(/<(input|select|textarea)(?![^>]*type="hidden")[^>]*>/g);
      expect(unlabelled, path).toBeNull();
    }
    expect((await postForm(`/dashboard/knowledge/${word}-faq/delete`, { _csrf: csrf }, { cookie })).status).toBe(422);
    const deleted = await postForm(`/dashboard/knowledge/${word}-faq/delete`, { _csrf: csrf, confirm: "yes" }, { cookie });
    expect(deleted.headers.get("location")).toBe("/dashboard/knowledge?done=deleted");
    expect(await searchApi(word)).toEqual([]);
    expect((await getPage(`/dashboard/knowledge/${word}-faq`, cookie)).status).toBe(404);
    expect((await getPage("/dashboard/knowledge/NOT..valid", cookie)).status).toBe(404);
  });
});
