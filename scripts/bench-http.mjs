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
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;

function bundle() {
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", ".bench/worker"], { stdio: "ignore" });
}

async function start() {
  bundle();
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
  const mf = new Miniflare({ workers: [worker] });
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

export async function runHttp() {
  const { mf, url, db } = await start();
  try {
    const { formId, pixel, click } = await fixtures(url);
    const beacon = JSON.stringify({ t: "view", v: "bench-visitor-0000000000", p: "pv-[<id>]", u: "https://site.example/pricing", ti: "Pricing" });
    const routes = [
      ["bare route (/healthz)", { url: `${url}/healthz` }],
      ["open pixel", { url: `${url}${pixel}` }],
      // A token that does not verify gets the same GIF with nothing recorded: the response path alone.
      ["open pixel, response path only", { url: `${url}${pixel.slice(0, -4)}AAAA` }],
      ["click redirect", { url: `${url}${click}` }],
      ["snippet beacon", { url: `${url}/e`, method: "POST", headers: { origin: "https://site.example", "content-type": "text/plain" }, body: beacon, idReplacement: true }],
      ["form post", { url: `${url}/f/${formId}`, method: "POST", headers: { accept: "application/json", "content-type": "application/json" }, body: JSON.stringify({ email: "bench-[<id>]@example.org", name: "Bench" }), idReplacement: true }],
    ];
    const results = [];
    for (const [name, options] of routes) {
      const r = summary(name, await load(options.url, options));
      results.push(r);
      console.log(`http: ${name}: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ""}`);
    }
    const bare = results[0].requestsPerSecond;
    for (const r of results) r.ratio = Number((r.requestsPerSecond / bare).toFixed(2));
    const speed = await speedToLead(url, db, formId);
    console.log(`speed to lead (50 concurrent posts): p50 ${speed.p50Ms} ms, p99 ${speed.p99Ms} ms, ${speed.reached}/${speed.posts} reached the outbox`);
    return { connections: CONNECTIONS, durationSeconds: DURATION_S, routes: results, speedToLead: speed };
  } finally {
    await mf.dispose();
  }
}
