// The HTTP half of `npm run bench`: the Worker as wrangler would deploy it, run in workerd
// through Miniflare's API (not the `wrangler dev` proxy, which measures itself), driven by
// autocannon. Every route is measured in the same run as the bare /healthz route and
// reported as a ratio to it.
import autocannon from "autocannon";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
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

async function start() {
  const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
  const worker = {
    ...workerOptions,
    name: "edge-follow-up",
    modules: true,
    scriptPath: ".bench/worker/index.js",
    modulesRoot: ".bench/worker",
    bindings: {
      ...workerOptions.bindings,
      OWNER_TOKEN,
      LEAD_ID_SECRET: "bench-lead-id-secret",
      TOKEN_SECRET: "bench-token-secret",
      PUBLIC_URL: "http://localhost",
      // Pixel and click judgements treat requests this soon after a send as scanners; the bench is all "soon".
      SCANNER_WINDOW_SECONDS: "0",
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
  const mf = new Miniflare({ workers: [worker, probe] });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const db = await mf.getD1Database("DB");
  for (const file of readdirSync("migrations").filter((f) => f.endsWith(".sql")).sort()) {
    for (const statement of readFileSync(`migrations/${file}`, "utf8").split("--> statement-breakpoint")) {
      if (statement.trim()) await db.prepare(statement).run();
    }
  }
  return { mf, url, db };
}

const owner = (url, path, init = {}) => fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${OWNER_TOKEN}`, "content-type": "application/json", ...init.headers } });

async function fixtures(url) {
  const formId = "bench";
  await owner(url, "/api/forms", { method: "POST", body: JSON.stringify({ id: formId, name: "Bench", thankYouUrl: "https://example.com/thanks", allowedOrigins: ["https://site.example"] }) });
  await owner(url, "/api/sites", { method: "PUT", body: JSON.stringify({ origin: "https://site.example", pageRules: [{ pattern: "/pricing*", class: "pricing" }] }) });
  const post = await fetch(`${url}/f/${formId}`, { method: "POST", headers: { accept: "application/json", "content-type": "application/json" }, body: JSON.stringify({ email: "seed@example.org", name: "Seed" }) });
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
    const response = await fetch(`${url}/f/${formId}`, { method: "POST", headers: { accept: "application/json", "content-type": "application/json" }, body: JSON.stringify({ email, name: `Lead ${i}` }) });
    const { leadId } = await response.json();
    started.set(leadId, t0);
  });
  await Promise.all(posts);
  const ids = [...started.keys()];
  const firstTouch = new Map();
  const deadline = Date.now() + 30_000;
  while (firstTouch.size < ids.length && Date.now() < deadline) {
    const { results } = await db.prepare(`SELECT lead_id, MIN(created_at) AS at FROM outbox WHERE lead_id IN (${ids.map(() => "?").join(",")}) GROUP BY lead_id`).bind(...ids).all();
    for (const row of results) firstTouch.set(row.lead_id, row.at);
    if (firstTouch.size < ids.length) await new Promise((r) => setTimeout(r, 20));
  }
  const waits = ids.filter((id) => firstTouch.has(id)).map((id) => firstTouch.get(id) - started.get(id)).sort((a, b) => a - b);
  const at = (q) => waits[Math.min(waits.length - 1, Math.floor(q * waits.length))];
  return { posts: ids.length, reached: waits.length, p50Ms: at(0.5), p99Ms: at(0.99) };
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

/** One fresh Miniflare per measurement: the work a route leaves queued (recording opens, projections) must not slow the next. */
async function fresh(measure) {
  const { mf, url, db } = await start();
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
  const d1 = await fresh(({ mf }) => d1Writes(mf));
  return { connections: CONNECTIONS, durationSeconds: DURATION_S, routes: results, speedToLead: speed, d1 };
}
