import { Hono, type Context } from "hono";
import { FormConfigSchema, FormIdSchema, type FormConfig } from "../../schemas/form";
import { SiteSchema, type PageRule } from "../../schemas/tracking";
import { AppError, issuesOf, type FieldIssue } from "../../services/app-error";
import { clockFrom } from "../../services/clock";
import { effectiveSettings } from "../../services/deployment-settings";
import { createForm, deleteForm, findForm, listForms, putForm } from "../../services/d1/forms";
import { listSequences } from "../../services/d1/sequences";
import { classifyPage, listSites, putSite } from "../../services/d1/sites";
import { discardUnknownSite, listUnknownSitePosts, UNKNOWN_SITE_POSTS_PER_ORIGIN, UNKNOWN_SITE_POSTS_TOTAL } from "../../services/d1/unknown-site-posts";
import { COPY_SCRIPT, DeleteForm, draftFromFields, draftOf, EmbedCode, FormEditor, FormList, formOfDraft, NEW_FORM, type FormDraft } from "../dashboard/forms";
import { Page } from "../dashboard/layout";
import type { Session } from "../dashboard/session";
import { SiteEditor, SiteList } from "../dashboard/sites";
import { UnknownSiteQueue } from "../dashboard/unknown-sites";
import { formProblems } from "../form-soundness";
import { approveUnknownSitePost, discardUnknownSitePost } from "../unknown-site-queue";
import { postedForm } from "./validate";

/**
 * `/dashboard/forms`, `/dashboard/sites` and `/dashboard/unknown-sites`: setting up capture
 * without the API. Mounted after the dashboard's session and CSRF guard, so every page needs
 * a session and every POST its CSRF token. Each editor validates with the API's own schemas
 * and answers a mistake with the page again, the reason next to its field (422).
 */
type FormsEnv = { Bindings: Env; Variables: { session: Session; csrf: string; zone: string } };
export const dashboardForms = new Hono<FormsEnv>();

/** What an action did, by code: the flash never echoes text from the request. */
const DONE: Record<string, string> = {
  created: "Form created. Put it on your site with the code below.",
  saved: "Saved.",
  deleted: "The form was deleted.",
  registered: "Site registered: its beacons and form posts are accepted now.",
  rules: "Page rules saved.",
  approved: "Approved: the lead is in, and its sequence has started.",
  discarded: "Discarded.",
};

const render = (c: Context<FormsEnv>, title: string, path: string, body: unknown, status: 200 | 404 | 422 = 200) =>
  c.html(
    <Page title={title} path={path} csrf={c.get("csrf")} flash={DONE[c.req.query("done") ?? ""]} zone={c.get("zone")}>
      <h1>{title}</h1>
      {body as never}
      <script src="/dashboard/copy.js" defer />
    </Page>,
    status,
  );

/** Where the embed code and snippet point: the public URL in effect (Settings), else this request's origin. */
const publicBase = async (c: Context<FormsEnv>) => ((await effectiveSettings(c.env)).values.publicUrl || new URL(c.req.url).origin).replace(/\/$/, "");
const sequenceIds = async (db: D1Database) => (await listSequences(db)).map((s) => s.id);

dashboardForms.get("/copy.js", (c) => c.body(COPY_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }));

dashboardForms.get("/forms", async (c) => {
  const [forms, queue] = await Promise.all([listForms(c.env.DB), listUnknownSitePosts(c.env.DB, 1)]);
  return render(c, "Forms", "/dashboard/forms", <FormList forms={forms} waiting={queue.total} />);
});

const editor = async (c: Context<FormsEnv>, draft: FormDraft, isNew: boolean, issues: FieldIssue[] = [], stored?: FormConfig) =>
  render(
    c,
    isNew ? "New form" : (stored?.name ?? draft.name),
    "/dashboard/forms",
    <>
      <FormEditor draft={draft} isNew={isNew} sequences={await sequenceIds(c.env.DB)} issues={issues} csrf={c.get("csrf")} />
      {stored && <EmbedCode form={stored} base={await publicBase(c)} />}
      {stored && <DeleteForm form={stored} csrf={c.get("csrf")} />}
    </>,
    issues.length > 0 ? 422 : 200,
  );

dashboardForms.get("/forms/new", (c) => editor(c, NEW_FORM, true));

/** The editor's fields as a form the API would accept, or every reason it would not, by field. */
async function judgeDraft(db: D1Database, draft: FormDraft, stored?: FormConfig): Promise<{ form: FormConfig } | { issues: FieldIssue[] }> {
  const parsed = FormConfigSchema.safeParse(formOfDraft(draft, stored));
  if (!parsed.success) return { issues: issuesOf(parsed.error) };
  const problems = await formProblems(db, parsed.data);
  return problems.length > 0 ? { issues: problems } : { form: parsed.data };
}

dashboardForms.post("/forms", async (c) => {
  const posted = await postedForm(c);
  const draft = draftFromFields(posted, typeof posted.id === "string" ? posted.id.trim() : "");
  const verdict = await judgeDraft(c.env.DB, draft);
  if ("issues" in verdict) return editor(c, draft, true, verdict.issues);
  // "new" would hide behind the new-form page's own address.
  if (verdict.form.id === "new" || (await findForm(c.env.DB, verdict.form.id))) {
    return editor(c, draft, true, [{ field: "id", message: `A form with id "${verdict.form.id}" exists already, or the id is reserved: choose another id.` }]);
  }
  await createForm(c.env.DB, verdict.form, clockFrom(c.env).now());
  return c.redirect(`/dashboard/forms/${verdict.form.id}?done=created`, 303);
});

const storedForm = async (c: Context<FormsEnv>) => {
  const id = FormIdSchema.safeParse(c.req.param("id"));
  const form = id.success ? await findForm(c.env.DB, id.data) : undefined;
  if (!form) throw new AppError(404, "unknown_form", "There is no such form.");
  return form;
};

dashboardForms.get("/forms/:id", async (c) => {
  const form = await storedForm(c);
  return editor(c, draftOf(form), false, [], form);
});

dashboardForms.post("/forms/:id", async (c) => {
  const stored = await storedForm(c);
  const draft = draftFromFields(await postedForm(c), stored.id);
  const verdict = await judgeDraft(c.env.DB, draft, stored);
  if ("issues" in verdict) return editor(c, draft, false, verdict.issues, stored);
  await putForm(c.env.DB, verdict.form, clockFrom(c.env).now());
  return c.redirect(`/dashboard/forms/${stored.id}?done=saved`, 303);
});

dashboardForms.post("/forms/:id/delete", async (c) => {
  const form = await storedForm(c);
  if ((await postedForm(c)).confirm !== "yes") throw new AppError(422, "not_confirmed", "Tick the box to confirm the deletion.");
  await deleteForm(c.env.DB, form.id);
  return c.redirect("/dashboard/forms?done=deleted", 303);
});

const sitesPage = async (c: Context<FormsEnv>, origin = "", issues: FieldIssue[] = []) =>
  render(
    c,
    "Sites",
    "/dashboard/sites",
    <SiteList sites={await listSites(c.env.DB)} base={await publicBase(c)} origin={origin} issues={issues} csrf={c.get("csrf")} />,
    issues.length > 0 ? 422 : 200,
  );

dashboardForms.get("/sites", (c) => sitesPage(c));

/** Registers a site with the usual page rules; one already registered keeps its rules. */
dashboardForms.post("/sites", async (c) => {
  const given = (await postedForm(c)).origin;
  const origin = typeof given === "string" ? given.trim().replace(/\/+$/, "") : "";
  const parsed = SiteSchema.safeParse({ origin });
  if (!parsed.success) return sitesPage(c, origin, issuesOf(parsed.error));
  const existing = (await listSites(c.env.DB)).find((s) => s.origin === parsed.data.origin);
  if (!existing) await putSite(c.env.DB, parsed.data, clockFrom(c.env).now());
  return c.redirect(`/dashboard/sites/edit?origin=${encodeURIComponent(parsed.data.origin)}&done=registered`, 303);
});

/** The registered site of that origin, or a 404 (the chat settings read it too). */
export const storedSite = async (c: { env: Env }, origin: unknown) => {
  const site = typeof origin === "string" ? (await listSites(c.env.DB)).find((s) => s.origin === origin.toLowerCase()) : undefined;
  if (!site) throw new AppError(404, "unknown_site", "There is no such site: register it first.");
  return site;
};

dashboardForms.get("/sites/edit", async (c) => {
  const site = await storedSite(c, c.req.query("origin"));
  const testUrl = c.req.query("test")?.trim().slice(0, 2048) ?? "";
  // A path alone is read on the site itself.
  const tested = testUrl ? classifyPage(site.pageRules, URL.canParse(testUrl, site.origin) ? new URL(testUrl, site.origin).toString() : testUrl) : undefined;
  return render(c, site.origin, "/dashboard/sites", <SiteEditor site={site} rules={site.pageRules} issues={[]} testUrl={testUrl} testedClass={tested} csrf={c.get("csrf")} />);
});

dashboardForms.post("/sites/edit", async (c) => {
  const posted = await postedForm(c);
  const site = await storedSite(c, posted.origin);
  const field = (name: string) => (typeof posted[name] === "string" ? (posted[name] as string).trim() : "");
  // Rows left blank are no rule; the rest keep their order, which is their priority.
  const rules: PageRule[] = [];
  for (let i = 0; i < 400 && (`pattern_${i}` in posted || `class_${i}` in posted); i++) {
    if (field(`pattern_${i}`) || field(`class_${i}`)) rules.push({ pattern: field(`pattern_${i}`), class: field(`class_${i}`) });
  }
  const parsed = SiteSchema.safeParse({ origin: site.origin, pageRules: rules, tracking: field("tracking") });
  if (!parsed.success) {
    const editorSite = { ...site, tracking: field("tracking") === "aggregate" ? ("aggregate" as const) : ("individual" as const) };
    return render(
      c,
      site.origin,
      "/dashboard/sites",
      <SiteEditor site={editorSite} rules={rules} issues={issuesOf(parsed.error)} testUrl="" testedClass={undefined} csrf={c.get("csrf")} />,
      422,
    );
  }
  await putSite(c.env.DB, parsed.data, clockFrom(c.env).now());
  return c.redirect(`/dashboard/sites/edit?origin=${encodeURIComponent(site.origin)}&done=rules`, 303);
});

dashboardForms.get("/unknown-sites", async (c) => {
  const queue = await listUnknownSitePosts(c.env.DB);
  return render(
    c,
    "From unknown sites",
    "/dashboard/forms",
    <UnknownSiteQueue {...queue} perOrigin={UNKNOWN_SITE_POSTS_PER_ORIGIN} capacity={UNKNOWN_SITE_POSTS_TOTAL} csrf={c.get("csrf")} />,
  );
});

const postId = (c: Context<FormsEnv>) => {
  const id = c.req.param("id") ?? "";
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new AppError(404, "unknown_post", "There is no such post.");
  return id;
};

dashboardForms.post("/unknown-sites/:id/approve", async (c) => {
  await approveUnknownSitePost(c.env, postId(c));
  return c.redirect("/dashboard/unknown-sites?done=approved", 303);
});

dashboardForms.post("/unknown-sites/:id/discard", async (c) => {
  await discardUnknownSitePost(c.env, postId(c));
  return c.redirect("/dashboard/unknown-sites?done=discarded", 303);
});

dashboardForms.post("/unknown-sites/discard-site", async (c) => {
  const origin = (await postedForm(c)).origin;
  if (typeof origin !== "string" || origin === "") throw new AppError(422, "no_origin", "Name the site whose posts to discard.");
  await discardUnknownSite(c.env.DB, origin.toLowerCase());
  return c.redirect("/dashboard/unknown-sites?done=discarded", 303);
});
