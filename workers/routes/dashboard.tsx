import { desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono, type Context } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import { handOffs, leads } from "../../schemas/d1";
import { LeadStatusSchema, type LeadId, type MessageChannel } from "../../schemas/lead";
import { EnrolmentIdSchema, ReviewDecisionSchema } from "../../schemas/review";
import { DraftingSchema, SequenceIdSchema } from "../../schemas/sequence";
import { listOutbox } from "../../services/channels/outbox";
import { clockFrom } from "../../services/clock";
import { ImportPage } from "../dashboard/import";
import { IMPORT_SCRIPT } from "../dashboard/import-script";
import { Page } from "../dashboard/layout";
import { LeadList, LeadPage } from "../dashboard/leads";
import { Overview } from "../dashboard/overview";
import { HandOffQueue, OutboxList, ReviewQueue } from "../dashboard/queues";
import { previewOf, SequenceDetail, SequenceList } from "../dashboard/sequences";
import { clearLoginFailures, clientOf, csrfToken, currentSession, endEverySession, endSession, judgeOwnerToken, startSession, validCsrf, type Session } from "../dashboard/session";
import { Install } from "../dashboard/setup";
import { AppError } from "../../services/app-error";
import { listForms } from "../../services/d1/forms";
import { decideLead, eraseLeadEverywhere, handOffLead, leadExport, leadSummary, leadSuppressions, liftLeadSuppression, markLeadBooked } from "../lead-actions";
import { leadsCsv } from "../lead-export";
import { importChunk, ImportChunkSchema } from "../lead-import";
import { listLeads } from "../../services/d1/lead-index";
import { listReview, reviewDraft } from "../review-queue";
import { currentSequence, listSequences, putSequence, stepOrders } from "../../services/d1/sequences";
import { periodOf, periodStats } from "../../services/d1/stats";
import { sendingToday } from "../../services/touch-delivery";
import { effectiveSettings } from "../../services/deployment-settings";
import { dashboardSettings } from "./dashboard-settings";
import { limitBody } from "./body-limit";
import { sequenceEditor } from "./dashboard-sequences";
import { dashboardKnowledge } from "./dashboard-knowledge";
import { leadParam, type LeadParamEnv } from "./lead-param";
import { postedForm, valid } from "./validate";
import { dashboardForms } from "./dashboard-forms";
import { dashboardChat } from "./dashboard-chat";
import { firstRunChecklist } from "../first-run";
import { FirstRun } from "../dashboard/first-run";
import { listUnknownSitePosts } from "../../services/d1/unknown-site-posts";
import { outboxPages } from "./dashboard-outbox";
import { emailTransportName } from "../../services/channels/select";

/**
 * `/dashboard`: the owner's pages, server-rendered. Every page but the login needs the
 * session cookie; every POST needs the session's CSRF token.
 */
type DashboardEnv = { Bindings: Env; Variables: { session: Session; csrf: string; zone: string } & LeadParamEnv["Variables"] };
export const dashboard = new Hono<DashboardEnv>();

/** `/dashboard/` and `/dashboard/leads/` are the pages without the slash: people type it, and links keep it. */
dashboard.get("*", async (c, next) => {
  const { pathname, search } = new URL(c.req.url);
  if (pathname.length > 1 && pathname.endsWith("/")) return c.redirect(`${pathname.replace(/\/+$/, "")}${search}`, 301);
  await next();
});

dashboard.use(
  "*",
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameSrc: ["'self'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: "no-referrer",
    // A page that sets its own policy keeps it: the outbox preview allows no fetch at all.
    overwrite: false,
  }),
);
dashboard.use("*", async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
});

const wallNow = (c: Context<DashboardEnv>) => clockFrom(c.env).wallNow();

const LoginPage = (props: { message?: string; status?: string }) => (
  <Page title="Log in">
    <h1>Follow-up engine</h1>
    {props.message && <p class={`flash ${props.status ?? ""}`}>{props.message}</p>}
    <form method="post" action="/dashboard/login">
      <label>
        Owner token
        <br />
        <input type="password" name="token" autocomplete="current-password" required maxlength={500} style="width:100%" />
      </label>
      <p>
        <button type="submit">Log in</button>
      </p>
    </form>
  </Page>
);

dashboard.get("/login", async (c) => {
  if (await currentSession(c, wallNow(c))) return c.redirect("/dashboard", 303);
  return c.html(<LoginPage />);
});

dashboard.post("/login", limitBody(8 * 1024, "The login form"), async (c) => {
  if (!c.env.OWNER_TOKEN) throw new AppError(503, "not_configured", "OWNER_TOKEN is not set on this deployment.");
  const now = wallNow(c);
  const form = await postedForm(c);
  const token = typeof form.token === "string" ? form.token : "";
  const verdict = await judgeOwnerToken(c, token, now);
  if (!verdict.ok && verdict.retryAfterS > 0) {
    c.header("retry-after", String(verdict.retryAfterS));
    return c.html(<LoginPage message={`Too many failed attempts. Try again in ${verdict.retryAfterS} s.`} status="error" />, 429);
  }
  if (!verdict.ok) return c.html(<LoginPage message="That is not the owner token." status="error" />, 401);
  await clearLoginFailures(c.env.DB, clientOf(c));
  await startSession(c, now);
  return c.redirect("/dashboard", 303);
});

const dashboardFormLimit = limitBody(320 * 1024, "A dashboard form");

/** Everything below needs a session; a POST also needs its CSRF token (form field or header). */
dashboard.use("*", async (c, next) => {
  const session = await currentSession(c, wallNow(c));
  if (!session) {
    // A socket cannot follow a redirect to the login page: it is told why instead.
    if (c.req.method === "GET" && c.req.header("upgrade")?.toLowerCase() !== "websocket") return c.redirect("/dashboard/login", 303);
    throw new AppError(401, "not_logged_in", "Log in to the dashboard first.");
  }
  if (c.req.method === "POST") {
    const type = c.req.header("content-type") ?? "";
    let fromForm: unknown;
    // The token is read before any route's own limit, so the form is bounded here first (the largest, a knowledge document, is 256 KB).
    if (/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
      await dashboardFormLimit(c, async () => {
        fromForm = (await postedForm(c))._csrf;
      });
    }
    const given = c.req.header("x-csrf-token") ?? (typeof fromForm === "string" ? fromForm : undefined);
    if (!(await validCsrf(c.env, session, given)))
      throw new AppError(403, "bad_csrf_token", "This form is stale or did not come from the dashboard. Reload the page and try again.");
  }
  c.set("session", session);
  c.set("csrf", await csrfToken(c.env, session));
  // Every page shows times in the business's zone, a setting: read once per request.
  c.set("zone", (await effectiveSettings(c.env)).values.businessTimezone);
  await next();
});

dashboard.post("/logout", async (c) => {
  await endSession(c, c.get("session"), wallNow(c));
  return c.redirect("/dashboard/login", 303);
});

/** Log out everywhere: every session, on every device (this one too), stops working at once. */
dashboard.post("/logout-everywhere", async (c) => {
  await endEverySession(c.env.DB, wallNow(c));
  await endSession(c, c.get("session"), wallNow(c));
  return c.redirect("/dashboard/login", 303);
});

dashboard.route("/", dashboardForms);
dashboard.route("/", dashboardChat);

/** What an action did, by code: the flash never echoes text from the request. */
const DONE: Record<string, string> = {
  pause: "Paused: nothing more goes out until you resume.",
  resume: "Resumed where it stopped.",
  complete: "Stopped: the lead's sequences are complete.",
  booked: "Marked booked.",
  "hand-off": "Handed to a rep.",
  erased: "The lead was erased.",
  lifted: "Suppression lifted: the address may be contacted again.",
  reviewed: "Review saved.",
  drafting: "Saved as a new version of the sequence.",
  saved: "Saved as a new version: leads already in the sequence keep theirs.",
};
const flashOf = (c: Context<DashboardEnv>) => DONE[c.req.query("done") ?? ""];

const render = (c: Context<DashboardEnv>, title: string, path: string, body: unknown, status: 200 | 404 = 200) =>
  c.html(
    <Page title={title} path={path} csrf={c.get("csrf")} flash={flashOf(c)} zone={c.get("zone")}>
      <h1>{title}</h1>
      {body as never}
    </Page>,
    status,
  );

const DAYS = [7, 30, 90, 365];
dashboard.get("/", async (c) => {
  const asked = Number(c.req.query("days"));
  const days = DAYS.includes(asked) ? asked : 30;
  const now = clockFrom(c.env).now();
  const [stats, sending, firstRun, unknownSites] = await Promise.all([
    periodStats(c.env.DB, periodOf({ days }, now)),
    effectiveSettings(c.env).then(({ values }) => sendingToday(c.env, values, now)),
    firstRunChecklist(c.env, new URL(c.req.url).origin),
    listUnknownSitePosts(c.env.DB, 1),
  ]);
  const orders = await stepOrders(
    c.env.DB,
    stats.byStep.map((r) => r.sequenceId),
  );
  return render(
    c,
    "Overview",
    "/dashboard",
    <>
      <FirstRun items={firstRun} waitingFromUnknownSites={unknownSites.total} />
      <Overview stats={stats} stepOrders={orders} days={days} sending={sending} />
    </>,
  );
});

const LeadFilterSchema = z.object({
  q: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((v) => v || undefined),
  status: z
    .union([LeadStatusSchema, z.literal("")])
    .optional()
    .transform((v) => v || undefined),
  minScore: z
    .union([z.coerce.number().int().min(0).max(1000), z.literal("")])
    .optional()
    .transform((v) => (v === "" ? undefined : v)),
  sequenceId: z
    .union([SequenceIdSchema, z.literal("")])
    .optional()
    .transform((v) => v || undefined),
  cursor: z.string().max(200).optional(),
});

dashboard.get("/leads", valid("query", LeadFilterSchema), async (c) => {
  const { cursor, ...filters } = c.req.valid("query");
  const [page, sequences] = await Promise.all([listLeads(c.env.DB, { ...filters, limit: 50, ...(cursor ? { cursor } : {}) }), listSequences(c.env.DB)]);
  return render(c, "Leads", "/dashboard/leads", <LeadList leads={page.leads} filters={filters} sequences={sequences.map((s) => s.id)} next={page.nextCursor} />);
});

dashboard.get("/leads.csv", (c) => {
  const day = new Date(clockFrom(c.env).now()).toISOString().slice(0, 10);
  return c.body(leadsCsv(c.env.DB), 200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="leads-${day}.csv"` });
});

/** Every `:leadId` below is validated once; `c.var.leadId` carries it. */
dashboard.use("/leads/:leadId/*", leadParam);
dashboard.use("/review/:leadId/*", leadParam);

dashboard.get("/leads/:leadId", async (c) => {
  const lead = await leadSummary(c.env, c.var.leadId);
  const title = lead.profile.name || lead.profile.email || lead.profile.phone || "Lead";
  return render(c, title, "/dashboard/leads", <LeadPage lead={lead} suppressions={await leadSuppressions(c.env, lead)} csrf={c.get("csrf")} />);
});

/** Undo a suppression of the lead's address: every automated one records what proved it, and the owner may disagree. */
dashboard.post("/leads/:leadId/suppressions/:channel{email|sms|whatsapp}/lift", async (c) => {
  await liftLeadSuppression(c.env, c.var.leadId, c.req.param("channel") as MessageChannel);
  return c.redirect(`/dashboard/leads/${c.var.leadId}?done=lifted`, 303);
});

dashboard.get("/leads/:leadId/export", async (c) => {
  const data = await leadExport(c.env, c.var.leadId, clockFrom(c.env).now());
  c.header("content-disposition", `attachment; filename="lead-${c.var.leadId}.json"`);
  return c.json(data);
});

/** The lead page's buttons: the same actions as the owner API, answered with the lead page and a flash. */
const LEAD_BUTTONS = {
  pause: (env: Env, id: LeadId) => decideLead(env, id, "pause"),
  resume: (env: Env, id: LeadId) => decideLead(env, id, "resume"),
  complete: (env: Env, id: LeadId) => decideLead(env, id, "complete"),
  booked: (env: Env, id: LeadId) => markLeadBooked(env, id, "owner"),
  "hand-off": (env: Env, id: LeadId) => handOffLead(env, id, "handed over from the dashboard"),
} satisfies Record<string, (env: Env, id: LeadId) => Promise<unknown>>;

dashboard.post("/leads/:leadId/:action{pause|resume|complete|booked|hand-off}", async (c) => {
  const action = c.req.param("action") as keyof typeof LEAD_BUTTONS;
  await LEAD_BUTTONS[action](c.env, c.var.leadId);
  return c.redirect(`/dashboard/leads/${c.var.leadId}?done=${action}`, 303);
});

dashboard.post("/leads/:leadId/erase", async (c) => {
  if ((await postedForm(c)).confirm !== "yes") throw new AppError(422, "not_confirmed", "Tick the box to confirm the erasure.");
  await eraseLeadEverywhere(c.env, c.var.leadId, clockFrom(c.env).now());
  return c.redirect("/dashboard/leads?done=erased", 303);
});

dashboard.get("/hand-offs", async (c) => {
  const rows = await drizzle(c.env.DB)
    .select({ handOff: handOffs, lead: { name: leads.name, email: leads.email, company: leads.company, score: leads.score } })
    .from(handOffs)
    .innerJoin(leads, eq(leads.id, handOffs.leadId))
    .where(eq(leads.status, "with_rep"))
    .orderBy(desc(handOffs.at))
    .limit(100)
    .all();
  return render(c, "Hand-offs", "/dashboard/hand-offs", <HandOffQueue rows={rows.map((r) => ({ ...r.handOff, lead: r.lead }))} />);
});

dashboard.get("/review", async (c) => {
  const { drafts, total } = await listReview(c.env.DB, 50);
  return render(c, "Review", "/dashboard/review", <ReviewQueue drafts={drafts} total={total} csrf={c.get("csrf")} />);
});

dashboard.post("/review/:leadId/:enrolmentId", async (c) => {
  const enrolmentId = EnrolmentIdSchema.safeParse(c.req.param("enrolmentId"));
  if (!enrolmentId.success) throw new AppError(404, "unknown_draft", "There is no such draft.");
  const form = await postedForm(c);
  const text = (name: string) => (typeof form[name] === "string" && (form[name] as string).trim() !== "" ? (form[name] as string).replace(/\r\n/g, "\n") : undefined);
  const decision = text("decision");
  const words = decision === "edit" ? { subject: text("subject"), body: text("body"), sms: text("sms") } : {};
  const parsed = ReviewDecisionSchema.safeParse({ stepId: text("stepId"), decision, ...Object.fromEntries(Object.entries(words).filter(([, v]) => v !== undefined)) });
  if (!parsed.success) throw new AppError(422, "invalid_review", parsed.error.issues.map((i) => i.message).join("; "));
  await reviewDraft(c.env, c.var.leadId, enrolmentId.data, parsed.data);
  return c.redirect("/dashboard/review?done=reviewed", 303);
});

dashboard.get("/outbox", valid("query", z.object({ cursor: z.string().max(200).optional() })), async (c) => {
  const { cursor } = c.req.valid("query");
  const page = await listOutbox(c.env.DB, { limit: 30, ...(cursor ? { cursor } : {}) });
  return render(c, "Outbox", "/dashboard/outbox", <OutboxList messages={page.messages} next={page.nextCursor} />);
});

dashboard.route("/outbox", outboxPages);

dashboard.get("/sequences", async (c) => render(c, "Sequences", "/dashboard/sequences", <SequenceList sequences={await listSequences(c.env.DB)} />));
dashboard.route("/", sequenceEditor);

const sequenceOf = async (c: Context<DashboardEnv>) => {
  const id = SequenceIdSchema.safeParse(c.req.param("id"));
  const sequence = id.success ? await currentSequence(c.env.DB, id.data) : undefined;
  if (!sequence) throw new AppError(404, "unknown_sequence", "There is no such sequence.");
  return sequence;
};

dashboard.get("/sequences/:id", async (c) => {
  const sequence = await sequenceOf(c);
  const stats = await periodStats(c.env.DB, periodOf({ days: 30 }, clockFrom(c.env).now()));
  return render(c, sequence.sequence.name, "/dashboard/sequences", <SequenceDetail sequence={sequence} stats={stats} preview={previewOf(sequence)} csrf={c.get("csrf")} />);
});

dashboard.post("/sequences/:id/drafting", async (c) => {
  const sequence = await sequenceOf(c);
  const form = await postedForm(c);
  const drafting = DraftingSchema.safeParse({ mode: form.mode, unreviewed: form.unreviewed });
  if (!drafting.success) throw new AppError(422, "invalid_drafting", "Choose auto, review or off, and template or hold.");
  await putSequence(c.env.DB, { ...sequence.sequence, drafting: drafting.data }, clockFrom(c.env).now());
  return c.redirect(`/dashboard/sequences/${sequence.id}?done=drafting`, 303);
});

dashboard.get("/install", async (c) => {
  const { values } = await effectiveSettings(c.env);
  const base = (values.publicUrl || new URL(c.req.url).origin).replace(/\/$/, "");
  return render(
    c,
    "Install",
    "/dashboard/install",
    <Install base={base} forms={await listForms(c.env.DB)} replyDomain={values.replyDomain || "your reply domain"} transport={emailTransportName(c.env)} />,
  );
});

dashboard.route("/settings", dashboardSettings);

dashboard.get("/import", async (c) => {
  const sequences = (await listSequences(c.env.DB)).map((s) => s.id);
  const page = render(c, "Import leads", "/dashboard/import", <ImportPage csrf={c.get("csrf")} sequences={sequences} />);
  return page;
});

dashboard.get("/import.js", (c) => c.body(IMPORT_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }));

dashboard.post("/import/rows", limitBody(1_100_000, "An import chunk", "Send the file in smaller chunks."), valid("json", ImportChunkSchema), async (c) => {
  const chunk = c.req.valid("json");
  const sequence = chunk.sequenceId ? await currentSequence(c.env.DB, chunk.sequenceId) : undefined;
  if (chunk.sequenceId && !sequence) throw new AppError(422, "unknown_sequence", `There is no sequence "${chunk.sequenceId}".`);
  return c.json(await importChunk(c.env, chunk, sequence, clockFrom(c.env).now()));
});

dashboard.route("/knowledge", dashboardKnowledge);
