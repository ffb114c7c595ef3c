// Where the time goes: runs one bench scenario against the bench's Miniflare with workerd's V8
// inspector open, records a CPU profile of every isolate that matters (the Worker and its
// Durable Objects share one), saves it under .bench/ (open it in Chrome DevTools → Performance)
// and prints the top frames by self time, and by total time for our own code, mapped through
// the bundle's source map to our files.
//
//   npm run bench:profile -- speed-to-lead form-post      (pixel, click, beacon too)
//   BENCH_SECONDS=5 npm run bench:profile -- form-post     (autocannon's duration, as the bench)
//   npm run bench:profile -- --top 30 speed-to-lead
//
// Other scripts profile their own scenario with `profileRun(name, measure)`.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { createServer } from "node:net";
import { bundle, fixtures, load, speedToLead, start, summary } from "./bench-http.mjs";

const WORKER = "edge-follow-up";
const BUNDLE = ".bench/worker/index.js";
// 200 µs: a form post costs a few ms of CPU, V8's default millisecond would see it in a sample or two.
const SAMPLING_INTERVAL_US = 200;

const jsonPost = (path, body) => ({
  path,
  method: "POST",
  headers: { accept: "application/json", "content-type": "application/json" },
  body: JSON.stringify(body),
  idReplacement: true,
});

/** The bench's scenarios, each measured as `npm run bench` measures it. */
export const scenarios = {
  "speed-to-lead": ({ url, db, formId }) => speedToLead(url, db, formId),
  "form-post": async ({ url, formId }) => {
    const { path, ...options } = jsonPost(`/f/${formId}`, { email: "profile-[<id>]@example.org", name: "Profile" });
    return summary("form post", await load(`${url}${path}`, options));
  },
  pixel: async ({ url, pixel }) => summary("open pixel", await load(`${url}${pixel}`)),
  click: async ({ url, click }) => summary("click redirect", await load(`${url}${click}`)),
  beacon: async ({ url }) => {
    const options = {
      method: "POST",
      headers: { origin: "https://site.example", "content-type": "text/plain" },
      body: JSON.stringify({ t: "view", v: "profile-visitor-000000000", p: "pv-[<id>]", u: "https://site.example/pricing", ti: "Pricing" }),
      idReplacement: true,
    };
    return summary("snippet beacon", await load(`${url}/e`, options));
  },
};

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One DevTools Protocol session on a target's WebSocket. */
async function connect(webSocketDebuggerUrl) {
  const socket = new WebSocket(webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error(`cannot open the inspector at ${webSocketDebuggerUrl}`)), { once: true });
  });
  const pending = new Map();
  let nextId = 1;
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data));
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${message.error.message} (${message.error.code})`));
    else waiter.resolve(message.result);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => socket.close() };
}

/** The inspector's targets for our Worker ("core:user:<name>"): workerd lists one per isolate, queues and Miniflare's own services among them. */
async function workerTargets(inspectorPort) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const ours = targets.filter((t) => t.title === WORKER || t.title?.endsWith(`:${WORKER}`));
  if (ours.length === 0) throw new Error(`no inspector target for ${WORKER}: ${targets.map((t) => t.title).join(", ")}`);
  return ours;
}

let sourceMap;
/** Bundle position (0-based, as the profile gives it) → our source file and 1-based line. */
function original(url, lineNumber, columnNumber) {
  if (!url.endsWith("index.js")) return { file: url || "(native)", line: lineNumber + 1 };
  sourceMap ??= new SourceMap(JSON.parse(readFileSync(`${BUNDLE}.map`, "utf8")));
  const entry = sourceMap.findEntry(lineNumber, columnNumber);
  if (!entry?.originalSource) return { file: "bundle", line: lineNumber + 1 };
  return { file: entry.originalSource.replace(/^(\.\.\/)+/, "").replace(/^file:\/\/.*?\/(node_modules\/)/, "$1"), line: entry.originalLine + 1 };
}

const IDLE = new Set(["(idle)", "(program)", "(root)"]);
const isOurs = (file) => /^(workers|durable-objects|services|engine|schemas)\//.test(file);

/**
 * Self and total time per function from a V8 CPU profile. A sample's time is the gap to the next
 * sample; total time counts a function once per sample however deep it recurses.
 */
export function analyse(profile) {
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const frame = new Map();
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber, columnNumber } = n.callFrame;
    const where = original(url, lineNumber, columnNumber);
    const name = functionName || "(anonymous)";
    frame.set(n.id, { key: `${name} ${where.file}:${where.line}`, name, where: `${where.file}:${where.line}`, ours: isOurs(where.file) });
  }
  const self = new Map();
  const total = new Map();
  let profiledMs = 0;
  let idleMs = 0;
  const add = (map, f, ms) => {
    const row = map.get(f.key) ?? { function: f.name, where: f.where, ours: f.ours, ms: 0 };
    row.ms += ms;
    map.set(f.key, row);
  };
  const interval = SAMPLING_INTERVAL_US / 1000;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? interval * 1000) / 1000;
    profiledMs += ms;
    const leaf = frame.get(id);
    if (IDLE.has(leaf.name)) {
      idleMs += ms;
      return;
    }
    add(self, leaf, ms);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const f = frame.get(at);
      if (IDLE.has(f.name) || seen.has(f.key)) continue;
      seen.add(f.key);
      add(total, f, ms);
    }
  });
  const busyMs = profiledMs - idleMs;
  const rank = (map, keep) =>
    [...map.values()]
      .filter(keep)
      .sort((a, b) => b.ms - a.ms)
      .map((r) => ({ ...r, ms: Number(r.ms.toFixed(1)), percent: Number(((100 * r.ms) / busyMs).toFixed(1)) }));
  return { profiledMs: Math.round(profiledMs), busyMs: Math.round(busyMs), self: rank(self, () => true), ourTotal: rank(total, (r) => r.ours) };
}

function table(title, rows, top) {
  console.log(`  ${title}`);
  for (const r of rows.slice(0, top)) {
    console.log(`    ${r.ms.toFixed(1).padStart(9)} ms ${r.percent.toFixed(1).padStart(5)}%  ${r.function}  ${r.where}`);
  }
}

/** Profiles `measure` (given `{ mf, url, db, formId, pixel, click }`) on a fresh bench Miniflare. */
export async function profileRun(name, measure, { top = 15, bindings = {} } = {}) {
  const inspectorPort = await freePort();
  const { mf, url, db } = await start(bindings, { inspectorPort });
  try {
    const fx = { mf, url, db, ...(await fixtures(url)) };
    const sessions = [];
    for (const target of await workerTargets(inspectorPort)) {
      const session = await connect(target.webSocketDebuggerUrl);
      await session.send("Profiler.enable");
      await session.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
      await session.send("Profiler.start");
      sessions.push({ target, session });
    }
    const result = await measure(fx);
    mkdirSync(".bench", { recursive: true });
    const targets = [];
    for (const [i, { target, session }] of sessions.entries()) {
      const { profile } = await session.send("Profiler.stop");
      session.close();
      const file = `.bench/profile-${name}${sessions.length > 1 ? `-${i}` : ""}.cpuprofile`;
      writeFileSync(file, JSON.stringify(profile));
      const analysis = analyse(profile);
      targets.push({ target: target.title, file, ...analysis });
      console.log(`profile ${name} (${target.title}): ${analysis.busyMs} ms busy of ${analysis.profiledMs} ms profiled → ${file}`);
      table("self time (every frame):", analysis.self, top);
      table("total time (our code):", analysis.ourTotal, top);
    }
    return { scenario: name, result, targets };
  } finally {
    await mf.dispose();
  }
}

async function main() {
  const args = process.argv.slice(2);
  const topAt = args.indexOf("--top");
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 15;
  const names = args.length ? args : ["speed-to-lead", "form-post"];
  const unknown = names.filter((n) => !(n in scenarios));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(", ")}: choose from ${Object.keys(scenarios).join(", ")}`);
  bundle();
  for (const name of names) {
    const { result } = await profileRun(name, scenarios[name], { top });
    console.log(`${name}: ${JSON.stringify(result)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
