import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { FormConfig } from "../schemas/form";
import { leadIdFor } from "../services/crypto/lead-identity";
import { keepUnknownSitePost, OTHER_ORIGINS, UNKNOWN_SITE_OVERFLOW_ORIGINS, UNKNOWN_SITE_POSTS_PER_ORIGIN } from "../services/d1/unknown-site-posts";
import { asOwner, call, makeForm, OWNER_TOKEN, postJson, unique } from "./helpers";
import { outboxFor, settle, stubFor, submission, withClock } from "./lead-harness";

/** Forms, sites and the unknown-site queue: the partial-update API, who may post, and what the owner decides. */

const BASE = "http://localhost:8787";
const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const page = (path: string, cookie: string) => exports.default.fetch(new Request(`${BASE}${path}`, { redirect: "manual", headers: { accept: "text/html", cookie } }));
const submit = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  exports.default.fetch(
    new Request(`${BASE}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { accept: "text/html", "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields),
    }),
  );

async function login(): Promise<{ cookie: string; csrf: string }> {
  const response = await submit("/dashboard/login", { token: OWNER_TOKEN }, { "cf-connecting-ip": unique("ip") });
  expect(response.status).toBe(303);
  const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await page("/dashboard/forms", cookie)).text())![1]!;
  return { cookie, csrf };
}

const patch = (id: string, body: unknown) => asOwner(`/api/forms/${id}`, { method: "PATCH", body: JSON.stringify(body) });
const registerSite = async (origin: string) => expect((await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin }) })).status).toBe(200);
const newOrigin = () => `https://${unique("site")}.example`;
const queued = (email: string) =>
  env.DB.prepare("SELECT id, origin, form_id AS formId, hold FROM unknown_site_posts WHERE json_extract(submission, '$.profile.email') = ?")
    .bind(email)
    .all<{ id: string; origin: string; formId: string; hold: string | null }>();
const queuedId = async (email: string) => (await queued(email)).results[0]!.id;
const leadRow = (email: string) => env.DB.prepare("SELECT id, status FROM leads WHERE email = ?").bind(email).first<{ id: string; status: string }>();

describe("PATCH /api/forms/:id", () => {
  it("changes only the fields it names and keeps the rest as they were", async () => {
    const form = await makeForm({ defaultSource: "ads", consent: { email: { required: false, wording: "Email me" } } });
    const response = await patch(form.id, { allowedOrigins: ["https://Shop.Example"] });
    expect(response.status).toBe(200);
    const patched = (await response.json()) as FormConfig;
    expect(patched).toEqual({ ...form, allowedOrigins: ["https://shop.example"] });
    expect(await (await asOwner(`/api/forms/${form.id}`)).json()).toEqual(patched);
  });

  it("refuses with every reason a patch that is malformed, names the id, or would leave the form invalid", async () => {
    const form = await makeForm();
    const bad = await patch(form.id, { allowedOrigins: ["not an origin"], thankYouUrl: "//evil.example" });
    expect(bad.status).toBe(422);
    const { error } = (await bad.json()) as { error: { issues: { field: string }[] } };
    expect(error.issues.map((i) => i.field).sort()).toEqual(["allowedOrigins.0", "thankYouUrl"]);
    expect((await patch(form.id, { id: "other" })).status).toBe(422);
    // Valid alone, unsound with what is stored: a consent basis needs a required consent box.
    const unsound = await patch(form.id, { lawfulBasis: "consent" });
    expect(unsound.status).toBe(422);
    expect(await unsound.json()).toMatchObject({ error: { code: "unfounded_lawful_basis" } });
    expect((await patch(form.id, { sequenceId: "no-such-sequence" })).status).toBe(422);
    expect((await patch("no-such-form", { name: "x" })).status).toBe(404);
    expect(await (await asOwner(`/api/forms/${form.id}`)).json()).toEqual(form);
  });

  it("PUT stays a whole replacement: only allowedOrigins is a 422 that names the missing fields", async () => {
    const form = await makeForm();
    const response = await asOwner(`/api/forms/${form.id}`, { method: "PUT", body: JSON.stringify({ allowedOrigins: ["https://shop.example"] }) });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as { error: { issues: { field: string }[] } };
    expect(error.issues.map((i) => i.field).sort()).toEqual(["name", "thankYouUrl"]);
  });

  it("DELETE removes a form: its posts are 404 from then on", async () => {
    const form = await makeForm();
    expect((await asOwner(`/api/forms/${form.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await postJson(form.id, { email: `${unique("gone")}@example.com` })).status).toBe(404);
    expect((await asOwner(`/api/forms/${form.id}`, { method: "DELETE" })).status).toBe(404);
  });
});

describe("who may post a form", () => {
  it("a form that names no origins takes posts from every registered site, and keeps the others' for the owner", async () => {
    const site = newOrigin();
    await registerSite(site);
    const form = await makeForm();
    expect(form.allowedOrigins).toEqual([]);
    const fromSite = `${unique("site")}@example.com`;
    const accepted = await postJson(form.id, { email: fromSite }, { origin: site });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ leadId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(await leadRow(fromSite)).not.toBeNull();

    const stranger = newOrigin();
    const fromStranger = `${unique("stranger")}@example.com`;
    const kept = await postJson(form.id, { email: fromStranger }, { origin: stranger });
    expect(kept.status).toBe(202);
    expect(await kept.json()).toEqual({ received: true });
    expect(await leadRow(fromStranger)).toBeNull();
    expect((await queued(fromStranger)).results).toMatchObject([{ origin: stranger, formId: form.id }]);
  });

  it("a form that lists origins takes only those (a registered site not on the list waits), and * takes any", async () => {
    const [listed, registered] = [newOrigin(), newOrigin()];
    await registerSite(registered);
    const form = await makeForm({ allowedOrigins: [listed] });
    expect((await postJson(form.id, { email: `${unique("listed")}@example.com` }, { origin: listed })).status).toBe(202);
    const email = `${unique("unlisted")}@example.com`;
    expect(await (await postJson(form.id, { email }, { origin: registered })).json()).toEqual({ received: true });
    expect((await queued(email)).results).toHaveLength(1);
    const open = await makeForm({ allowedOrigins: ["*"] });
    expect(await (await postJson(open.id, { email: `${unique("any")}@example.com` }, { origin: newOrigin() })).json()).toMatchObject({ leadId: expect.any(String) });
  });

  it("a browser on an unknown site sees the thank-you page, never a developer error; a post that needs fixing is still refused with its reasons", async () => {
    const form = await makeForm({ thankYouUrl: "https://shop.example/thanks" });
    const origin = newOrigin();
    const email = `${unique("browser")}@example.com`;
    const thanked = await call(`/f/${form.id}`, {
      method: "POST",
      headers: { origin, accept: BROWSER_ACCEPT, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email, name: "Ann Lee" }).toString(),
    });
    expect(thanked.status).toBe(303);
    expect(thanked.headers.get("location")).toBe("https://shop.example/thanks");
    expect((await queued(email)).results).toHaveLength(1);

    const invalid = await call(`/f/${form.id}`, {
      method: "POST",
      headers: { origin, accept: BROWSER_ACCEPT, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "not-an-email" }).toString(),
    });
    expect(invalid.status).toBe(422);
    const text = await invalid.text();
    expect(text).toContain("Please check the form");
    expect(text).toContain(form.name);
    expect(text).not.toContain("allowedOrigins");
  });

  it("a post that needs fixing goes back to the form's page with the reasons when the site asks, and only to the site that posted", async () => {
    const site = newOrigin();
    await registerSite(site);
    const form = await makeForm();
    const post = (fields: Record<string, string>, referer: string) =>
      call(`/f/${form.id}`, {
        method: "POST",
        headers: { origin: site, referer, accept: BROWSER_ACCEPT, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      });
    const back = await post({ email: "nope", fu_errors: "redirect" }, `${site}/contact?plan=gold`);
    expect(back.status).toBe(303);
    const location = new URL(back.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(`${site}/contact`);
    expect(location.searchParams.get("plan")).toBe("gold");
    expect(location.searchParams.getAll("fu_error").join(" ")).toMatch(/^email: /);
    // A Referer on another site than the one that posted is not followed: the plain page instead.
    expect((await post({ email: "nope", fu_errors: "redirect" }, "https://evil.example/x")).status).toBe(422);
    // The form's own setting asks for it too.
    expect((await patch(form.id, { validationErrors: "redirect" })).status).toBe(200);
    expect((await post({ email: "nope" }, `${site}/contact`)).status).toBe(303);
  });
});

describe("the unknown-site queue", () => {
  it("nothing is sent while a post waits; approving enrols it through the form's intake, consent wording kept, and its first touch goes out", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry", consent: { email: { required: false, wording: "Yes, email me news." } } });
    const email = `${unique("approve")}@example.com`;
    const leadId = await leadIdFor(env.LEAD_ID_SECRET, { email });
    const stub = stubFor(leadId);
    await withClock(stub);
    expect(await (await postJson(form.id, { email, name: "Ann Lee", consent_email: true }, { origin: newOrigin() })).json()).toEqual({ received: true });
    expect(await stub.summary()).toBeNull();
    expect(await outboxFor(leadId)).toEqual([]);

    const { cookie, csrf } = await login();
    const queue = await (await page("/dashboard/unknown-sites", cookie)).text();
    const id = await queuedId(email);
    expect(queue).toContain(`data-post="${id}"`);
    expect(queue).toContain(email);
    const approved = await submit(`/dashboard/unknown-sites/${id}/approve`, { _csrf: csrf }, { cookie });
    expect(approved.status).toBe(303);
    expect(approved.headers.get("location")).toBe("/dashboard/unknown-sites?done=approved");
    await settle(stub);
    const lead = (await stub.summary())!;
    expect(lead.enrolments).toMatchObject([{ sequenceId: "new-inquiry", status: "active" }]);
    expect(lead.consent.email).toMatchObject({ granted: true, formId: form.id, wording: "Yes, email me news." });
    const sent = await outboxFor(leadId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channel: "email", to: email });
    // Out of the queue; a second approve finds nothing.
    expect((await queued(email)).results).toEqual([]);
    expect((await submit(`/dashboard/unknown-sites/${id}/approve`, { _csrf: csrf }, { cookie, accept: "application/json" })).status).toBe(404);
  });

  it("discarding deletes the post and creates nothing; so does discarding a whole site", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const origin = newOrigin();
    const [one, two, three] = [unique("d1"), unique("d2"), unique("d3")].map((p) => `${p}@example.com`) as [string, string, string];
    for (const email of [one, two, three]) expect((await postJson(form.id, { email }, { origin })).status).toBe(202);
    const { cookie, csrf } = await login();
    const id = await queuedId(one);
    expect((await submit(`/dashboard/unknown-sites/${id}/discard`, { _csrf: csrf }, { cookie })).status).toBe(303);
    expect((await queued(one)).results).toEqual([]);
    expect((await submit("/dashboard/unknown-sites/discard-site", { _csrf: csrf, origin }, { cookie })).status).toBe(303);
    for (const email of [one, two, three]) {
      expect((await queued(email)).results).toEqual([]);
      expect(await leadRow(email)).toBeNull();
    }
  });

  it("the queue is bounded per site: past the bound a post is not kept but counted, and the visitor is still thanked", async () => {
    const form = await makeForm();
    const origin = newOrigin();
    const statuses: number[] = [];
    for (let i = 0; i <= UNKNOWN_SITE_POSTS_PER_ORIGIN; i++) statuses.push((await postJson(form.id, { email: `${unique("flood")}@example.com` }, { origin })).status);
    expect(statuses.every((s) => s === 202)).toBe(true);
    const waiting = await env.DB.prepare("SELECT count(*) AS n FROM unknown_site_posts WHERE origin = ?").bind(origin).first<{ n: number }>();
    expect(waiting?.n).toBe(UNKNOWN_SITE_POSTS_PER_ORIGIN);
    const overflow = await env.DB.prepare("SELECT dropped FROM unknown_site_overflow WHERE origin = ?").bind(origin).first<{ dropped: number }>();
    expect(overflow?.dropped).toBe(1);
    // Another site still gets in, and the owner sees what was turned away.
    expect((await postJson(form.id, { email: `${unique("other")}@example.com` }, { origin: newOrigin() })).status).toBe(202);
    const { cookie } = await login();
    expect(await (await page("/dashboard/unknown-sites", cookie)).text()).toContain(`1 post from ${origin} turned away`);
  }, 60_000);

  it("the queue is bounded in all, whatever origins a flood makes up", async () => {
    const before = (await env.DB.prepare("SELECT count(*) AS n FROM unknown_site_posts").first<{ n: number }>())!.n;
    const keep = (origin: string) =>
      keepUnknownSitePost(env.DB, { formId: "any", origin, receivedAt: Date.now(), submission: submission(`${unique("cap")}@example.com`) }, { perOrigin: 50, total: before + 2 });
    expect(await keep(newOrigin())).toBe(true);
    expect(await keep(newOrigin())).toBe(true);
    const turnedAway = newOrigin();
    expect(await keep(turnedAway)).toBe(false);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM unknown_site_posts").first<{ n: number }>())!.n).toBe(before + 2);
    expect(await env.DB.prepare("SELECT dropped FROM unknown_site_overflow WHERE origin = ?").bind(turnedAway).first()).toEqual({ dropped: 1 });
  });

  it("what the bounds turn away is counted in a bounded table: made-up origins past its size share one row", async () => {
    const full = { perOrigin: 0, total: 0 };
    const turnAway = (origin: string) =>
      keepUnknownSitePost(env.DB, { formId: "any", origin, receivedAt: Date.now(), submission: submission(`${unique("flood")}@example.com`) }, full);
    for (let i = 0; i < UNKNOWN_SITE_OVERFLOW_ORIGINS + 20; i++) expect(await turnAway(newOrigin())).toBe(false);
    const rows = (await env.DB.prepare("SELECT count(*) AS n FROM unknown_site_overflow").first<{ n: number }>())!.n;
    expect(rows).toBeLessThanOrEqual(UNKNOWN_SITE_OVERFLOW_ORIGINS);
    expect((await env.DB.prepare("SELECT dropped FROM unknown_site_overflow WHERE origin = ?").bind(OTHER_ORIGINS).first<{ dropped: number }>())!.dropped).toBeGreaterThanOrEqual(
      20,
    );
  });

  it("approving or discarding without the session's CSRF token is refused and changes nothing", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const email = `${unique("csrf")}@example.com`;
    await postJson(form.id, { email }, { origin: newOrigin() });
    const id = await queuedId(email);
    const { cookie } = await login();
    for (const action of ["approve", "discard"]) {
      expect((await submit(`/dashboard/unknown-sites/${id}/${action}`, {}, { cookie })).status).toBe(403);
      expect((await submit(`/dashboard/unknown-sites/${id}/${action}`, { _csrf: "forged" }, { cookie })).status).toBe(403);
    }
    expect((await queued(email)).results).toHaveLength(1);
    expect(await leadRow(email)).toBeNull();
  });
});

describe("forms and sites in the dashboard", () => {
  it("creates a form with consent boxes, shows its embed code, edits and deletes it; each POST needs the CSRF token", async () => {
    const { cookie, csrf } = await login();
    const id = unique("dash");
    const fields = {
      id,
      name: "Quote request",
      thankYouUrl: "https://shop.example/thanks",
      sequenceId: "new-inquiry",
      allowedOrigins: "",
      "consent.email.shown": "yes",
      "consent.email.wording": "Email me about my quote.",
      "consent.sms.wording": "",
      lawfulBasis: "legitimate_interest",
      defaultSource: "website",
      honeypotField: "website_url",
      validationErrors: "page",
    };
    expect((await submit("/dashboard/forms", fields, { cookie })).status).toBe(403);
    expect(await (await asOwner(`/api/forms/${id}`)).status).toBe(404);
    const created = await submit("/dashboard/forms", { ...fields, _csrf: csrf }, { cookie });
    expect(created.status).toBe(303);
    expect(created.headers.get("location")).toBe(`/dashboard/forms/${id}?done=created`);
    expect(await (await asOwner(`/api/forms/${id}`)).json()).toMatchObject({
      name: "Quote request",
      allowedOrigins: [],
      consent: { email: { required: false, wording: "Email me about my quote." } },
    });

    const editor = await (await page(`/dashboard/forms/${id}`, cookie)).text();
    expect(editor).toContain(`action=&quot;http://localhost:8787/f/${id}&quot;`);
    expect(editor).toContain("Email me about my quote.");
    expect(editor).toContain('data-copy="embed-html"');
    expect(editor).toContain('data-copy="embed-fetch"');
    expect(editor).toContain("fetch(event.target.action");

    const edited = await submit(`/dashboard/forms/${id}`, { ...fields, name: "Quotes", "consent.email.required": "yes", lawfulBasis: "consent", _csrf: csrf }, { cookie });
    expect(edited.status).toBe(303);
    expect(await (await asOwner(`/api/forms/${id}`)).json()).toMatchObject({ name: "Quotes", lawfulBasis: "consent", consent: { email: { required: true } } });

    expect((await submit(`/dashboard/forms/${id}/delete`, { confirm: "yes" }, { cookie })).status).toBe(403);
    expect((await submit(`/dashboard/forms/${id}/delete`, { confirm: "yes", _csrf: csrf }, { cookie })).status).toBe(303);
    expect((await asOwner(`/api/forms/${id}`)).status).toBe(404);
  });

  it("a form that would not be valid is shown again with each reason next to its field, and nothing is saved", async () => {
    const { cookie, csrf } = await login();
    const response = await submit(
      "/dashboard/forms",
      { _csrf: csrf, id: "Bad Id", name: "", thankYouUrl: "//evil.example", allowedOrigins: "nope", lawfulBasis: "consent", sequenceId: "" },
      { cookie },
    );
    expect(response.status).toBe(422);
    const html = await response.text();
    for (const field of ["id", "name", "thankYouUrl", "allowedOrigins"]) expect(html).toContain(`data-error-for="${field}"`);
    // What was typed is kept.
    expect(html).toContain('value="Bad Id"');
    const sound = await submit("/dashboard/forms", { _csrf: csrf, id: unique("basis"), name: "x", thankYouUrl: "/thanks", lawfulBasis: "consent", sequenceId: "" }, { cookie });
    expect(sound.status).toBe(422);
    expect(await sound.text()).toContain('data-error-for="lawfulBasis"');
    const reserved = await submit(
      "/dashboard/forms",
      { _csrf: csrf, id: "new", name: "x", thankYouUrl: "/thanks", lawfulBasis: "legitimate_interest", sequenceId: "" },
      { cookie },
    );
    expect(reserved.status).toBe(422);
    expect(await reserved.text()).toContain('data-error-for="id"');
  });

  it("registers a site, edits its page rules and tests a URL against them", async () => {
    const { cookie, csrf } = await login();
    const origin = newOrigin();
    expect((await submit("/dashboard/sites", { origin: `${origin}/`, _csrf: csrf }, { cookie })).status).toBe(303);
    const listed = (await (await asOwner("/api/sites")).json()) as { sites: { origin: string; pageRules: unknown[] }[] };
    expect(listed.sites.find((s) => s.origin === origin)?.pageRules.length).toBeGreaterThan(0);
    const invalid = await submit("/dashboard/sites", { origin: "example.com", _csrf: csrf }, { cookie });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toContain('data-error-for="origin"');

    const edit = `/dashboard/sites/edit?origin=${encodeURIComponent(origin)}`;
    const saved = await submit(
      "/dashboard/sites/edit",
      { _csrf: csrf, origin, pattern_0: "/tarifs*", class_0: "pricing", pattern_1: "", class_1: "", tracking: "individual" },
      { cookie },
    );
    expect(saved.status).toBe(303);
    const tested = await (await page(`${edit}&test=${encodeURIComponent(`${origin}/tarifs/pro`)}`, cookie)).text();
    expect(tested).toContain('data-class="pricing"');
    expect(tested).toContain("is a pricing page");
    expect(await (await page(`${edit}&test=${encodeURIComponent("/pricing")}`, cookie)).text()).toContain('data-class=""');

    const bad = await submit("/dashboard/sites/edit", { _csrf: csrf, origin, pattern_0: "/x", class_0: "Not A Class", tracking: "individual" }, { cookie });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('data-error-for="pageRules.0"');
  });

  it("the overview's first-run checklist shows what is done and links to where the rest is done", async () => {
    const { cookie } = await login();
    const before = await (await page("/dashboard", cookie)).text();
    expect(before).toMatch(/data-item="form-embedded" data-done="false"/);
    // A post from a page on the owner's site: the form is embedded.
    const site = newOrigin();
    await registerSite(site);
    const form = await makeForm();
    expect((await postJson(form.id, { email: `${unique("embedded")}@example.com` }, { origin: site, referer: `${site}/contact` })).status).toBe(202);
    const html = await (await page("/dashboard", cookie)).text();
    expect(html).toContain('data-testid="first-run"');
    for (const item of ["sender", "site", "form-embedded", "test-lead", "sending-domain"]) expect(html).toContain(`data-item="${item}"`);
    // The local configuration has a sender; other tests in this file registered sites and posted forms; email stays in the outbox.
    expect(html).toMatch(/data-item="sender" data-done="true"/);
    expect(html).toMatch(/data-item="site" data-done="true"/);
    expect(html).toMatch(/data-item="test-lead" data-done="true"/);
    expect(html).toMatch(/data-item="form-embedded" data-done="true"/);
    expect(html).toMatch(/data-item="sending-domain" data-done="false"/);
    expect(html).toContain('href="/dashboard/sites"');
  });
});
