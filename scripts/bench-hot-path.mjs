// The hot path over many leads: pixel, click and beacon requests spread over leads seeded
// through the engine's own form route, beside the bare route in the same workerd.
import { fixtures, load, start, summary } from "./bench-http.mjs";

/** How many leads the hot-path routes are spread over. */
const SPREAD_LEADS = Number(process.env.BENCH_SPREAD_LEADS ?? 1000);
/** The owner's own site carries the booking page here, so a click on the acknowledgement's booking link hands the snippet a ticket. */
const SPREAD_BOOKING_URL = "https://site.example/book";

/**
 * Waits until the objects have stopped writing to D1: the event log's local rows and the
 * leads' versions stay the same for 3 s, longer than a signal burst's 2 s projection window.
 */
async function quiet(db, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  let steadySince = Date.now();
  while (Date.now() < deadline) {
    const { n, v } = await db.prepare("SELECT (SELECT COUNT(*) FROM events) AS n, (SELECT COALESCE(SUM(version), 0) FROM leads) AS v").first();
    const now = `${n}/${v}`;
    if (now !== last) {
      last = now;
      steadySince = Date.now();
    } else if (Date.now() - steadySince >= 3_000) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Runs `work` over `items`, `width` at a time. */
async function inBatches(items, width, work) {
  const out = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  return out;
}

/**
 * Leads seeded through the engine's own path: each posts the form, its object answers with
 * the acknowledgement, and from that email come its real pixel and click tokens. Each
 * lead's click then links a visitor of its own (the redirect's ticket, sent by the snippet),
 * so its beacons reach its object as a visitor's do.
 */
async function spreadFixtures(url, db, formId, leads) {
  const started = performance.now();
  const leadIds = await inBatches(
    Array.from({ length: leads }, (_, i) => i),
    25,
    async (i) => {
      const response = await fetch(`${url}/f/${formId}`, {
        method: "POST",
        headers: { accept: "application/json", "content-type": "application/json" },
        body: JSON.stringify({ email: `spread-${i}@example.org`, name: `Spread ${i}` }),
      });
      return (await response.json()).leadId;
    },
  );
  const acknowledgements = new Map();
  const deadline = Date.now() + 120_000;
  while (acknowledgements.size < leads && Date.now() < deadline) {
    const { results } = await db.prepare("SELECT lead_id, html FROM outbox WHERE channel = 'email' AND html IS NOT NULL ORDER BY created_at").all();
    for (const row of results) if (!acknowledgements.has(row.lead_id)) acknowledgements.set(row.lead_id, row.html);
    if (acknowledgements.size < leads) await new Promise((r) => setTimeout(r, 250));
  }
  const tokens = leadIds
    .filter((id) => acknowledgements.has(id))
    .map((id) => {
      const html = acknowledgements.get(id);
      return { pixel: /\/o\/([A-Za-z0-9._-]+)/.exec(html)?.[0], click: /\/c\/([A-Za-z0-9._-]+)/.exec(html)?.[0] };
    })
    .filter((t) => t.pixel && t.click);
  if (tokens.length === 0) throw new Error("no seeded lead's acknowledgement carried a pixel and a tracked link");
  const visitors = (
    await inBatches(tokens, 25, async ({ click }, i) => {
      const redirect = await fetch(`${url}${click}`, { redirect: "manual" });
      const ticket = new URL(redirect.headers.get("location") ?? "http://none/").searchParams.get("fu_t");
      if (!ticket) return null;
      const visitor = `spread-visitor-${String(i).padStart(10, "0")}`;
      await fetch(`${url}/e`, {
        method: "POST",
        headers: { origin: "https://site.example", "content-type": "text/plain" },
        body: JSON.stringify({ t: "view", v: visitor, p: `seed-${i}`, u: "https://site.example/", k: ticket }),
      });
      return visitor;
    })
  ).filter(Boolean);
  await quiet(db);
  const seedMs = Math.round(performance.now() - started);
  console.log(`http: seeded ${tokens.length} leads (${visitors.length} with a linked visitor) through the form route in ${seedMs} ms`);
  return { pixels: tokens.map((t) => t.pixel), clicks: tokens.map((t) => t.click), visitors, seedMs };
}

/** autocannon options that send each request to the next lead in turn, so the load is spread over all of them. */
function spread(paths, build = (path) => ({ path })) {
  let next = 0;
  return { requests: [{ setupRequest: (request) => ({ ...request, ...build(paths[next++ % paths.length], next) }) }] };
}

/**
 * The hot path as mail clients and sites meet it: pixel, click and beacon requests spread
 * over SPREAD_LEADS leads, each read as a ratio to the bare route measured in the same
 * seeded workerd. The routes run one after the other, each after the recording the one
 * before left queued has finished.
 */
export async function hotPathSpread() {
  const began = performance.now();
  const { mf, url, db } = await start({ BOOKING_URL: SPREAD_BOOKING_URL });
  try {
    const { formId } = await fixtures(url);
    const { pixels, clicks, visitors, seedMs } = await spreadFixtures(url, db, formId, SPREAD_LEADS);
    const runs = [
      ["bare route (/healthz)", { path: "/healthz" }],
      [`open pixel, ${pixels.length.toLocaleString("en")} leads`, spread(pixels)],
      [`click redirect, ${clicks.length.toLocaleString("en")} leads`, spread(clicks)],
      [
        `snippet beacon, ${visitors.length.toLocaleString("en")} leads`,
        {
          method: "POST",
          headers: { origin: "https://site.example", "content-type": "text/plain" },
          ...spread(visitors, (visitor, n) => ({
            path: "/e",
            body: JSON.stringify({ t: "view", v: visitor, p: `spread-pv-${n}`, u: "https://site.example/pricing", ti: "Pricing" }),
          })),
        },
      ],
    ];
    const routes = [];
    for (const [name, options] of runs) {
      const { path = "/healthz", ...rest } = options;
      const r = summary(name, await load(`${url}${path}`, rest));
      routes.push(r);
      console.log(`http: ${name}: ${r.requestsPerSecond} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ""}`);
      await quiet(db);
    }
    const bare = routes[0].requestsPerSecond;
    for (const r of routes) r.ratio = Number((r.requestsPerSecond / bare).toFixed(2));
    const wallMs = Math.round(performance.now() - began);
    console.log(`http: the spread hot path took ${Math.round(wallMs / 1000)} s in all`);
    return { leads: pixels.length, linkedVisitors: visitors.length, seedMs, wallMs, routes };
  } finally {
    await mf.dispose();
  }
}
