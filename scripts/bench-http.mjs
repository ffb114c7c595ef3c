// The HTTP half of `npm run bench`: the Worker as wrangler would deploy it, run in workerd
// through Miniflare's API (not the `wrangler dev` proxy, which measures itself), driven by
// autocannon. Every route is measured in the same run as the bare /healthz route and
// reported as a ratio to it.
import autocannon from "autocannon";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

const OWNER_TOKEN = "bench-owner-token";

const D1_PROBE = `export default {
  async fetch(request, env) {
    const rows = Number(new URL(request.url).searchParams.get("rows") ?? 2000);
    const insert = (i, tag) => env.DB.prepare("INSERT INTO events (id, lead_id, kind, at, data) VALUES (?, ?, 'page_viewed', ?, '{}')").bind("probe-" + tag + "-" + i, "lead-" + (i % 100), Date.now());
    let started = performance.now();
    for (let i = 0; i < rows; i++) await insert(i, "single").run();
    const singleMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < rows; i += 100) await env.DB.batch(Array.from({ length: 100 }, (_, j) => insert(i + j, "batch")));
    const batchMs = performance.now() - started;
    return Response.json({ rows, singleMs, batchMs });
  },
};`;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;

function bundle() {
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", ".bench/worker"], { stdio: "ignore" });
}

/** `shared` takes Miniflare's instance options (the profiler passes `inspectorPort`). */
async function start(extraBindings = {}, shared = {}) {
  // The script is bundled already: no module rules (Miniflare 5 cannot carry them over).
  const { modulesRules: _rules, ...workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml").workerOptions;
  const worker = {
    ...workerOptions,
    name: "edge-follow-up",
    modules: true,
    scriptPath: ".bench/worker/index.js",
    modulesRoot: ".bench/worker",
    // The load comes from one client, one visitor and one form: the abuse limits would answer
    // 429 to nearly all of it. The bench measures what each request costs, so it lifts them
    // (the limiter is still asked, as in production).
    ratelimits: Object.fromEntries(Object.entries(workerOptions.ratelimits ?? {}).map(([name, limiter]) => [name, { ...limiter, simple: { limit: 1_000_000_000, period: 60 } }])),
    bindings: {
      ...workerOptions.bindings,
      OWNER_TOKEN,
      LEAD_ID_SECRET: "bench-lead-id-secret",
      TOKEN_SECRET: "bench-token-secret",
      PUBLIC_URL: "http://localhost",
      // Pixel and click judgements treat requests this soon after a send as scanners; the bench is all "soon".
      SCANNER_WINDOW_SECONDS: "0",
      // One sending address answers every bench lead, all at example.org: warm-up and the
      // per-domain cap on instant answers would hold most of them to the next day. The bench's
      // address counts as already warm (no warm-up), with a cap it never meets.
      SENDER_DAILY_CAP: "1000000",
      WARMUP_DAYS: "0",
      INSTANT_PER_DOMAIN_DAILY_CAP: "1000000",
      ...extraBindings,
    },
  };
  // A second worker on the same D1 database measures it from inside workerd (through the
  // Node proxy every statement would pay a round trip that production never does).
  const probe = {
    name: "d1-probe",
    modules: true,
    compatibilityDate: workerOptions.compatibilityDate,
    d1Databases: workerOptions.d1Databases,
    routes: ["d1-probe/*"],
    script: D1_PROBE,
  };
  // Miniflare 5 takes its own configuration shape; wrangler still hands out the v4 one.
  const mf = new Miniflare(convertV4MiniflareOptions({ ...shared, workers: [worker, probe] }));
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const db = await mf.getD1Database("DB");
  for (const file of readdirSync("migrations")
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const statement of readFileSync(`migrations/${file}`, "utf8").split("--> statement-breakpoint")) {
      if (statement.trim()) await db.prepare(statement).run();
    }
  }
  return { mf, url, db };
}

const owner = (url, path, init = {}) =>
  fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${OWNER_TOKEN}`, "content-type": "application/json", ...init.headers } });

async function fixtures(url) {
  const formId = "bench";
  await owner(url, "/api/forms", {
    method: "POST",
    body: JSON.stringify({ id: formId, name: "Bench", thankYouUrl: "https://example.com/thanks", allowedOrigins: ["https://site.example"] }),
  });
  await owner(url, "/api/sites", { method: "PUT", body: JSON.stringify({ origin: "https://site.example", pageRules: [{ pattern: "/pricing*", class: "pricing" }] }) });
  const post = await fetch(`${url}/f/${formId}`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({ email: "seed@example.org", name: "Seed" }),
  });
  const { leadId } = await post.json();
  // The acknowledgement carries a real pixel and real tracked links.
  let html = "";
  for (let i = 0; i < 50 && !html; i++) {
    const { messages } = await (await owner(url, `/api/outbox?leadId=${leadId}`)).json();
    html = messages.find((m) => m.channel === "email")?.html ?? "";
    if (!html) await new Promise((r) => setTimeout(r, 100));
  }
  const pixel = /\/o\/([A-Za-z0-9._-]+)/.exec(html)?.[0];
  const click = /\/c\/([A-Za-z0-9._-]+)/.exec(html)?.[0];
  if (!pixel || !click) throw new Error("the seed lead's acknowledgement has no pixel or tracked link");
  return { formId, pixel, click };
}
export { bundle, dashboardAtScale, start, fixtures, speedToLead, load, summary };

function load(url, options) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, ...options }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

const summary = (name, r) => ({ route: name, requestsPerSecond: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors });

/** Form post → the first touch in the outbox, for 50 posts at once: the time a lead waits for us. */
async function speedToLead(url, db, formId) {
  const started = new Map();
  const posts = Array.from({ length: 50 }, async (_, i) => {
    const email = `speed-${i}-${Date.now()}@example.org`;
    const t0 = Date.now();
    const response = await fetch(`${url}/f/${formId}`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({ email, name: `Lead ${i}` }),
    });
    const { leadId } = await response.json();
    started.set(leadId, t0);
  });
  await Promise.all(posts);
  const ids = [...started.keys()];
  const firstTouch = new Map();
  const deadline = Date.now() + 30_000;
  while (firstTouch.size < ids.length && Date.now() < deadline) {
    const { results } = await db
      .prepare(`SELECT lead_id, MIN(created_at) AS at FROM outbox WHERE lead_id IN (${ids.map(() => "?").join(",")}) GROUP BY lead_id`)
      .bind(...ids)
      .all();
    for (const row of results) firstTouch.set(row.lead_id, row.at);
    if (firstTouch.size < ids.length) await new Promise((r) => setTimeout(r, 20));
  }
  const waits = ids
    .filter((id) => firstTouch.has(id))
    .map((id) => firstTouch.get(id) - started.get(id))
    .sort((a, b) => a - b);
  const at = (q) => waits[Math.min(waits.length - 1, Math.floor(q * waits.length))];
  return { posts: ids.length, reached: waits.length, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/**
 * How long a form post waits for its answer when the engine is otherwise idle: plain posts
 * and a CEO's (which hands the lead to a rep at once), alternating, one at a time, each
 * followed by a pause for the work it left behind. The rep's webhook (a server on loopback)
 * takes a second to answer; the hand-off runs after the answer, so the two should answer alike.
 */
async function postAnswerTimes(url, formId, rounds = 15) {
  const times = { plain: [], decisionMaker: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [kind, title] of [
      ["plain", undefined],
      ["decisionMaker", "CEO"],
    ]) {
      const t0 = performance.now();
      const response = await fetch(`${url}/f/${formId}`, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json" },
        body: JSON.stringify({ email: `answer-${kind}-${i}-${Date.now()}@example.org`, name: "Bench", ...(title ? { title } : {}) }),
      });
      await response.arrayBuffer();
      times[kind].push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  const median = (xs) => Number([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1));
  const plain = median(times.plain);
  const decisionMaker = median(times.decisionMaker);
  return { rounds, plainP50Ms: plain, decisionMakerP50Ms: decisionMaker, ratio: Number((decisionMaker / plain).toFixed(2)) };
}

/**
 * D1 is one SQLite writer per database: how many projected event rows it takes per second,
 * written one statement at a time (as each object projects) and in batches of 100.
 */
async function d1Writes(mf) {
  const response = await mf.dispatchFetch("http://d1-probe/?rows=2000");
  const { rows, singleMs, batchMs } = await response.json();
  const single = Math.round(rows / (singleMs / 1000));
  const batched = Math.round(rows / (batchMs / 1000));
  console.log(`d1: ${single} rows/s one statement at a time, ${batched} rows/s in batches of 100`);
  return { rows, singleRowsPerSecond: single, batchedRowsPerSecond: batched };
}

/**
 * The dashboard's overview over generated data: 100,000 leads over a year, 1,000,000 events
 * and 400,000 touches, written by SQL inside workerd. Timed against /healthz in the same run
 * (median of several loads each), for the last 30 days and for the whole year.
 */
async function dashboardAtScale(url, db, sizes = { leads: 100_000, events: 1_000_000, touchesPerLead: 4 }) {
  const now = Date.now();
  const year = 365 * 86_400_000;
  const series = (n) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n}) `;
  const started = performance.now();
  await db
    .prepare(
      `INSERT INTO leads (id, email, name, company, source, status, score, created_at, last_activity_at, version, sequence_id,
         contacted_at, opened_at, clicked_at, replied_at, booked_at, unsubscribed_at, bounced_at, opens_human, opens_auto, opens_machine)
       ${series(sizes.leads)}
       SELECT printf('%032x', i), 'lead' || i || '@example.org', 'Lead ' || i, 'Company ' || (i % 5000), 'website',
         CASE WHEN i % 13 = 0 THEN 'replied' WHEN i % 29 = 0 THEN 'booked' ELSE 'active' END, i % 100,
         ${now} - (i * ${year}) / ${sizes.leads}, ${now} - (i * ${year}) / ${sizes.leads} + 3600000, 1,
         CASE i % 3 WHEN 0 THEN 'new-inquiry' WHEN 1 THEN 'warm' ELSE 'nurture' END,
         ${now} - (i * ${year}) / ${sizes.leads} + 1000,
         CASE WHEN i % 2 = 0 THEN ${now} - (i * ${year}) / ${sizes.leads} + 7200000 END,
         CASE WHEN i % 5 = 0 THEN ${now} - (i * ${year}) / ${sizes.leads} + 9000000 END,
         CASE WHEN i % 13 = 0 THEN ${now} - (i * ${year}) / ${sizes.leads} + 86400000 END,
         CASE WHEN i % 29 = 0 THEN ${now} - (i * ${year}) / ${sizes.leads} + 172800000 END,
         CASE WHEN i % 97 = 0 THEN ${now} - (i * ${year}) / ${sizes.leads} + 172800000 END,
         CASE WHEN i % 211 = 0 THEN ${now} - (i * ${year}) / ${sizes.leads} + 60000 END,
         i % 4, i % 3, i % 2
       FROM n`,
    )
    .run();
  await db
    .prepare(
      `INSERT INTO events (id, lead_id, kind, at, data) ${series(sizes.events)}
       SELECT printf('%032x', 1 + i % ${sizes.leads}) || ':' || (i / ${sizes.leads}), printf('%032x', 1 + i % ${sizes.leads}),
         CASE i % 4 WHEN 0 THEN 'touch_sent' WHEN 1 THEN 'email_opened' WHEN 2 THEN 'page_viewed' ELSE 'link_clicked' END,
         ${now} - ((i % ${sizes.leads}) * ${year}) / ${sizes.leads} + (i / ${sizes.leads}) * 3600000, '{}'
       FROM n`,
    )
    .run();
  const touches = sizes.leads * sizes.touchesPerLead;
  await db
    .prepare(
      `INSERT INTO touches (id, lead_id, sequence_id, step_id, channel, origin, drafted_by, sent_at, opened_at, clicked_at, replied_at) ${series(touches)}
       SELECT printf('%032x', 1 + i % ${sizes.leads}) || ':e1-t' || (i / ${sizes.leads}) || '-email', printf('%032x', 1 + i % ${sizes.leads}),
         CASE (1 + i % ${sizes.leads}) % 3 WHEN 0 THEN 'new-inquiry' WHEN 1 THEN 'warm' ELSE 'nurture' END,
         CASE i / ${sizes.leads} WHEN 0 THEN 'acknowledge' WHEN 1 THEN 'value' WHEN 2 THEN 'proof' ELSE 'booking' END,
         CASE WHEN i % 10 = 0 THEN 'sms' ELSE 'email' END,
         CASE WHEN i % 7 = 0 THEN 'ai_draft' WHEN i % 31 = 0 THEN 'edited_draft' ELSE 'template' END,
         CASE WHEN i % 7 = 0 THEN 'model' END,
         ${now} - ((i % ${sizes.leads}) * ${year}) / ${sizes.leads} + (i / ${sizes.leads}) * 86400000,
         CASE WHEN i % 2 = 0 THEN ${now} - ((i % ${sizes.leads}) * ${year}) / ${sizes.leads} + (i / ${sizes.leads}) * 86400000 + 3600000 END,
         CASE WHEN i % 9 = 0 THEN ${now} - ((i % ${sizes.leads}) * ${year}) / ${sizes.leads} + (i / ${sizes.leads}) * 86400000 + 7200000 END,
         CASE WHEN i % 41 = 0 THEN ${now} - ((i % ${sizes.leads}) * ${year}) / ${sizes.leads} + (i / ${sizes.leads}) * 86400000 + 9000000 END
       FROM n`,
    )
    .run();
  await db.prepare("ANALYZE").run();
  const generatedMs = Math.round(performance.now() - started);
  const login = await fetch(`${url}/dashboard/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `token=${OWNER_TOKEN}`,
  });
  const cookie = login.headers.get("set-cookie")?.split(";")[0];
  if (login.status !== 303 || !cookie) throw new Error(`dashboard login failed: ${login.status}`);
  const median = async (path, headers = {}) => {
    const times = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const response = await fetch(`${url}${path}`, { headers });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body.slice(0, 200)}`);
      times.push(performance.now() - t0);
    }
    return Number(times.sort((a, b) => a - b)[3].toFixed(1));
  };
  const result = {
    leads: sizes.leads,
    events: sizes.events,
    touches,
    generatedMs,
    healthzMs: await median("/healthz"),
    overview30dMs: await median("/dashboard?days=30", { cookie }),
    overview365dMs: await median("/dashboard?days=365", { cookie }),
    stats365dMs: await median("/api/stats?days=365", { authorization: `Bearer ${OWNER_TOKEN}` }),
    leadsPageMs: await median("/dashboard/leads?q=company%2042", { cookie }),
  };
  console.log(
    `dashboard at ${sizes.leads} leads / ${sizes.events} events / ${touches} touches: overview 30 d ${result.overview30dMs} ms, 365 d ${result.overview365dMs} ms, leads search ${result.leadsPageMs} ms; /healthz ${result.healthzMs} ms (medians of 7)`,
  );
  return result;
}

/** One fresh Miniflare per measurement: the work a route leaves queued (recording opens, projections) must not slow the next. */
async function fresh(measure, extraBindings) {
  const { mf, url, db } = await start(extraBindings);
  try {
    return await measure({ mf, url, db, ...(await fixtures(url)) });
  } finally {
    await mf.dispose();
  }
}

export async function runHttp() {
  bundle();
  const routes = [
    ["bare route (/healthz)", () => ({ path: "/healthz" })],
    ["open pixel", ({ pixel }) => ({ path: pixel })],
    // A token that does not verify gets the same GIF with nothing recorded: the response path alone.
    ["open pixel, response path only", ({ pixel }) => ({ path: `${pixel.slice(0, -4)}AAAA` })],
    ["click redirect", ({ click }) => ({ path: click })],
    [
      "snippet beacon",
      () => ({
        path: "/e",
        method: "POST",
        headers: { origin: "https://site.example", "content-type": "text/plain" },
        body: JSON.stringify({ t: "view", v: "bench-visitor-0000000000", p: "pv-[<id>]", u: "https://site.example/pricing", ti: "Pricing" }),
        idReplacement: true,
      }),
    ],
    [
      "form post",
      ({ formId }) => ({
        path: `/f/${formId}`,
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json" },
        body: JSON.stringify({ email: "bench-[<id>]@example.org", name: "Bench" }),
        idReplacement: true,
      }),
    ],
    [
      // A CEO's post is routed to the enterprise cadence at once: the switch and the new
      // cadence's enrolment run after the answer, so this should answer like any other post.
      "form post, decision-maker",
      ({ formId }) => ({
        path: `/f/${formId}`,
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json" },
        body: JSON.stringify({ email: "ceo-[<id>]@example.org", name: "Bench", title: "CEO" }),
        idReplacement: true,
      }),
    ],
  ];
  const results = [];
  for (const [name, options] of routes) {
    const r = await fresh(async (fx) => {
      const { path, ...rest } = options(fx);
      return summary(name, await load(`${fx.url}${path}`, rest));
    });
    results.push(r);
    console.log(`http: ${name}: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ""}`);
  }
  const bare = results[0].requestsPerSecond;
  for (const r of results) r.ratio = Number((r.requestsPerSecond / bare).toFixed(2));
  const speed = await fresh(({ url, db, formId }) => speedToLead(url, db, formId));
  console.log(`speed to lead (50 concurrent posts): p50 ${speed.p50Ms} ms, p99 ${speed.p99Ms} ms, ${speed.reached}/${speed.posts} reached the outbox`);
  const answers = await withSlowWebhook((bindings) => fresh(({ url, formId }) => postAnswerTimes(url, formId), bindings));
  console.log(
    `form post answer, idle engine (median of ${answers.rounds}): plain ${answers.plainP50Ms} ms, decision-maker ${answers.decisionMakerP50Ms} ms, ratio ${answers.ratio}`,
  );
  const d1 = await fresh(({ mf }) => d1Writes(mf));
  const dashboardStarted = performance.now();
  const dashboard = await fresh(({ url, db }) => dashboardAtScale(url, db));
  dashboard.wallMs = Math.round(performance.now() - dashboardStarted);
  return { connections: CONNECTIONS, durationSeconds: DURATION_S, routes: results, speedToLead: speed, postAnswers: answers, d1, dashboard };
}

/** For one-off runs: `node -e 'import("./scripts/bench-http.mjs").then((m) => m.runPostAnswers()).then(console.log)'`. */
export async function runPostAnswers() {
  bundle();
  return withSlowWebhook((bindings) => fresh(({ url, formId }) => postAnswerTimes(url, formId), bindings));
}

/** A hand-off webhook on loopback that answers after a second, as a busy CRM might. */
async function withSlowWebhook(measure) {
  const server = createServer((request, response) => {
    request.resume();
    setTimeout(() => response.end("ok"), 1_000);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await measure({ HANDOFF_WEBHOOK_URL: `http://127.0.0.1:${server.address().port}/hand-off`, HANDOFF_WEBHOOK_SECRET: "bench-webhook-secret" });
  } finally {
    server.close();
  }
}
