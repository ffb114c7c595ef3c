// `npm run bench`: measures, side by side in one run, and writes .bench/results.json and the
// tables in BENCHMARKS.md: first issue #23's goals, each met or not as this run measured it,
// then the details behind them. The machines are shared and noisy: compare ratios, not absolutes.
import { build } from "esbuild";
import { fork } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { pathToFileURL } from "node:url";

const benchStarted = performance.now();
mkdirSync(".bench", { recursive: true });
// Node cannot load TypeScript here: bundle the bench's TypeScript parts (and the engine they drive) first.
const bundle = async (entry) => {
  const outfile = `.bench/${entry.split("/").pop().replace(/\.ts$/, ".mjs")}`;
  await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", outfile, logLevel: "error" });
  return outfile;
};
const bundled = async (entry) => import(pathToFileURL(await bundle(entry)).href);
// The engine runs in child processes (scripts/bench-engine.mjs), which load this bundle.
await bundle("test/bench/engine-throughput.ts");
const { countOperations } = await bundled("test/bench/operation-counts.ts");
const { costPerThousandLeads, modelsOf, ASSUMED_OBJECT_ACTIVE_MS, MODEL_BEFORE } = await bundled("test/bench/lead-costs.ts");
const { goalsTable, issue23Figures, verdict } = await bundled("test/bench/goals.ts");
const { runHttp } = await import("./bench-http.mjs");
const { hotPathSpread } = await import("./bench-hot-path.mjs");
const { runChat } = await import("./bench-chat.mjs");

/** How long each part took, in seconds, and the machine's one-minute load average as each ended: a busy neighbour shows here. */
const partSeconds = {};
const loadAverages = [loadavg()[0]];
async function timed(part, measure) {
  const started = performance.now();
  try {
    return await measure();
  } finally {
    partSeconds[part] = Math.round((performance.now() - started) / 1000);
    loadAverages.push(loadavg()[0]);
  }
}

// HTTP first, while the machine is otherwise quiet.
const skipHttp = Boolean(process.env.BENCH_SKIP_HTTP);
const http = skipHttp ? null : await timed("http", runHttp);
if (http) http.hotPath = await timed("hotPath", hotPathSpread);
const chat = skipHttp ? null : await timed("chat", runChat);

/**
 * The engine's growth for 2× leads, in each of ENGINE_RUNS runs: each pair in a process of
 * its own (fresh JIT and heap, its own peak RSS), one after the other so they never share
 * the two cores.
 */
const sizes = (process.env.BENCH_LEADS ?? "10000,20000").split(",").map(Number);
const ENGINE_RUNS = Number(process.env.BENCH_ENGINE_RUNS ?? 3);
const growthPair = () =>
  new Promise((resolve, reject) => {
    const child = fork("scripts/bench-engine.mjs", [sizes.join(",")]);
    let pair;
    child.once("message", (message) => {
      pair = message;
    });
    child.once("error", reject);
    child.once("exit", (code) => (pair ? resolve(pair) : reject(new Error(`the engine run exited with ${code} before reporting`))));
  });
const pairs = await timed("engine", async () => {
  const done = [];
  for (let i = 0; i < ENGINE_RUNS; i++) {
    const pair = await growthPair();
    for (const run of pair.runs) {
      console.log(
        `engine, run ${i + 1}: ${run.leads} leads through new-inquiry (60 simulated days) in ${run.cpuMs} ms of CPU, ${run.wallMs} ms of wall time — ${run.leadsPerSecond} leads/s, ${run.touchesPerSecond} touches/s, peak RSS ${run.peakRssMb} MB`,
      );
    }
    console.log(`engine, run ${i + 1}: growth ratio for ${sizes[1] / sizes[0]}× leads = ${pair.growth} in CPU time, ${pair.wallGrowth} in wall time (target ≤ 2.2)`);
    done.push(pair);
  }
  return done;
});

const prices = JSON.parse(readFileSync("scripts/cloudflare-prices.json", "utf8"));
const operations = { local: countOperations("local"), before: countOperations("before"), now: countOperations("now") };
const cost = costPerThousandLeads(operations.now, prices, modelsOf("now"));
const costBefore = costPerThousandLeads(operations.before, prices, modelsOf("before"));
// The owner's other choice: AI_MODEL set to the 70B (the default before), for a richer voice.
const drafts70b = (task) => (task === "drafting" ? MODEL_BEFORE : modelsOf("now")(task));
const costDrafts70b = costPerThousandLeads(operations.now, prices, drafts70b);
// A lead that reads the pricing page, clicks, replies with a price question and is handed off: every task runs.
const engaged = { before: countOperations("before", "engaged"), now: countOperations("now", "engaged") };
const engagedCost = {
  before: costPerThousandLeads(engaged.before, prices, modelsOf("before")),
  now: costPerThousandLeads(engaged.now, prices, modelsOf("now")),
  drafts70b: costPerThousandLeads(engaged.now, prices, drafts70b),
};
console.log(`operations per lead: ${JSON.stringify(operations.now)}`);
console.log(`cost per 1,000 leads: platform $${cost.platform}, model $${cost.model} (before #23: $${costBefore.model}; prices checked ${cost.pricesChecked})`);

// A spread row's name carries its lead count ("open pixel, 1,000 leads"); the single-lead rows are named alone.
const ratioOf = (routes, name) => (routes.find((r) => r.route === name) ?? routes.find((r) => r.route.startsWith(`${name}, `) && r.route.endsWith(" leads")))?.ratio ?? null;
const hotPathRatios = (routes) => ({ pixel: ratioOf(routes, "open pixel"), click: ratioOf(routes, "click redirect"), beacon: ratioOf(routes, "snippet beacon") });
const figures = issue23Figures({
  speedToLead: http?.speedToLead ?? null,
  formPostRatio: http ? ratioOf(http.routes, "form post") : null,
  hotPath: http ? { leads: http.hotPath.leads, spread: hotPathRatios(http.hotPath.routes), singleLead: hotPathRatios(http.routes) } : null,
  d1RowsWritten: operations.now.d1RowsWritten,
  d1IndexEntriesWritten: operations.now.d1IndexEntriesWritten,
  objectRowsWritten: operations.now.objectRowsWritten,
  platformDollarsPerThousand: cost.platform,
  modelDollarsPerThousand: { opener: cost.model, engaged: engagedCost.now.model },
  engineGrowth: pairs.map((p) => p.growth),
  engineSizes: sizes,
});
const goals = figures.map((f) => ({ ...f, ...verdict(f) }));
const benchSeconds = Math.round((performance.now() - benchStarted) / 1000);
console.log(`goals of #23: ${goals.map((g) => `${g.figure}: ${g.met === null ? "not measured" : g.met ? "met" : "missed"}`).join("; ")}`);
console.log(
  `the bench took ${benchSeconds} s (${Object.entries(partSeconds)
    .map(([part, s]) => `${part} ${s} s`)
    .join(", ")})`,
);

const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const results = {
  date: new Date().toISOString(),
  machine,
  benchSeconds,
  partSeconds,
  loadAverages,
  goals,
  http,
  chat,
  engine: { sizes, pairs, growths: pairs.map((p) => p.growth) },
  operations,
  cost,
  costBefore,
  costDrafts70b,
  engaged,
  engagedCost,
};
writeFileSync(".bench/results.json", JSON.stringify(results, null, 2));

const minutes = (seconds) => `${(seconds / 60).toFixed(1)} min`;
const took = [
  http && `HTTP routes ${minutes(partSeconds.http)}, of which the dashboard at scale ${minutes(http.dashboard.wallMs / 1000)}`,
  http && `the hot path over ${http.hotPath.leads.toLocaleString("en")} leads ${minutes(partSeconds.hotPath)}`,
  chat && `site chat ${minutes(partSeconds.chat)}`,
  `the engine's ${pairs.length} growth run${pairs.length === 1 ? "" : "s"} ${minutes(partSeconds.engine)}`,
]
  .filter(Boolean)
  .join(", ");

const engineRows = pairs
  .flatMap((pair, i) =>
    pair.runs.map(
      (r, j) =>
        `| ${i + 1} | ${r.leads.toLocaleString("en")} | ${r.cpuMs.toLocaleString("en")} ms | ${r.wallMs.toLocaleString("en")} ms | ${r.leadsPerSecond.toLocaleString("en")} leads/s | ${r.peakRssMb} MB | ${j === 1 ? `${pair.growth} (${pair.wallGrowth})` : ""} |`,
    ),
  )
  .join("\n");

/** Every count operation-counts.ts gives per lead, in its order: a count it adds shows up without a change here. */
const COUNT_NAMES = {
  workerRequests: "Worker requests",
  objectRequests: "object requests",
  objectRowsWritten: "object rows written",
  d1RowsRead: "D1 rows read",
  d1RowsWritten: "D1 rows written",
  d1IndexEntriesWritten: "D1 index entries written",
  modelCalls: "model calls",
  modelInputTokens: "model tokens in",
  modelOutputTokens: "model tokens out",
  touchesSent: "touches",
};
const countKeys = Object.keys(operations.now).filter((k) => typeof operations.now[k] === "number");
const countName = (key) => COUNT_NAMES[key] ?? key.replace(/([A-Z])/g, " $1").toLowerCase();

const httpRows = http
  ? `| route (${http.connections} connections, ${http.durationSeconds} s each) | req/s | ratio to bare | p50 | p99 |
| --- | --- | --- | --- | --- |
${http.routes.map((r) => `| ${r.route} | ${r.requestsPerSecond.toLocaleString("en")} | ${r.ratio.toFixed(2)}× | ${r.p50Ms} ms | ${r.p99Ms} ms |`).join("\n")}

Hot path spread over ${http.hotPath.leads.toLocaleString("en")} leads (seeded through the form route in ${(http.hotPath.seedMs / 1000).toFixed(0)} s; ${http.hotPath.linkedVisitors.toLocaleString("en")} linked visitors), each request to the next lead in turn, against the bare route in the same workerd; beside it the single-lead rows above:

| route (${http.connections} connections, ${http.durationSeconds} s each) | req/s | ratio to bare | p50 | p99 | single lead, ratio (above) |
| --- | --- | --- | --- | --- | --- |
${http.hotPath.routes
  .map((r, i) => {
    const single = ["bare route (/healthz)", "open pixel", "click redirect", "snippet beacon"][i];
    const worst = http.routes.find((w) => w.route === single);
    return `| ${r.route} | ${r.requestsPerSecond.toLocaleString("en")} | ${r.ratio.toFixed(2)}× | ${r.p50Ms} ms | ${r.p99Ms} ms | ${worst ? `${worst.ratio.toFixed(2)}×` : "–"} |`;
  })
  .join("\n")}

Speed to lead, ${http.speedToLead.posts} form posts at once → first touch in the outbox: p50 ${http.speedToLead.p50Ms} ms, p99 ${http.speedToLead.p99Ms} ms; ${http.speedToLead.reached} of ${http.speedToLead.posts} reached it.

A form post's answer on an idle engine, median of ${http.postAnswers.rounds} each, alternating: plain ${http.postAnswers.plainP50Ms} ms, a CEO's (handed to a rep at once) ${http.postAnswers.decisionMakerP50Ms} ms — ratio ${http.postAnswers.ratio}.

Local D1 (one SQLite writer): ${http.d1.singleRowsPerSecond.toLocaleString("en")} event rows/s written one statement at a time, ${http.d1.batchedRowsPerSecond.toLocaleString("en")} rows/s in batches of 100.

Dashboard at ${http.dashboard.leads.toLocaleString("en")} leads, ${http.dashboard.events.toLocaleString("en")} events and ${http.dashboard.touches.toLocaleString("en")} touches of generated data (medians of 7, side by side with /healthz at ${http.dashboard.healthzMs} ms): overview for 30 days ${http.dashboard.overview30dMs} ms, for 365 days ${http.dashboard.overview365dMs} ms; \`/api/stats\` for 365 days ${http.dashboard.stats365dMs} ms; a leads search ${http.dashboard.leadsPageMs} ms.

${
  chat
    ? `Site chat: the snippet is ${chat.snippetGzipBytes.toLocaleString("en")} bytes gzipped alone (s.js), ${chat.withChatGzipBytes.toLocaleString("en")} with the chat widget (s.js + chat.js). A visitor's first answer without a model (median of ${chat.rounds}, alternating with /healthz): ${chat.firstAnswerP50Ms} ms against ${chat.bareP50Ms} ms for the bare route — ratio ${chat.ratio}.

`
    : ""
}`
  : "";
const table = `<!-- bench:start -->
Measured ${results.date.slice(0, 10)} on ${machine}, in ${minutes(benchSeconds)} (${took}); the one-minute load average was between ${Math.min(...loadAverages).toFixed(1)} and ${Math.max(...loadAverages).toFixed(1)} as the parts began and ended.

Issue #23's goals, as this run measured them ("met?" is computed from the figure and the goal):

${goalsTable(figures)}

${httpRows}The engine's growth runs, each pair in a fresh Node process (a warm-up of ${(pairs[0]?.warmUpLeads ?? 0).toLocaleString("en")} leads, then ${sizes.map((n) => n.toLocaleString("en")).join(" and ")}); the growth is judged in CPU time, wall time beside it:

| run | leads | CPU time | wall time | rate (wall) | peak RSS | growth, CPU (wall) |
| --- | --- | --- | --- | --- | --- | --- |
${engineRows}

Operations per lead over the whole of new-inquiry (60 days; the lead opens every email and never clicks or replies), counted from the engine's effects with each effect costed as the object and Worker perform it (\`test/bench/operation-counts.ts\`):

| per lead | ${countKeys.map(countName).join(" | ")} |
| --- | ${countKeys.map(() => "---").join(" | ")} |
${Object.entries(operations)
  .map(
    ([name, o]) =>
      `| ${{ local: "no model (local)", before: "Workers AI, before #23", now: "Workers AI, now" }[name]} | ${countKeys.map((k) => (o[k] ?? 0).toLocaleString("en")).join(" | ")} |`,
  )
  .join("\n")}

Model calls per lead by task, each priced with its task's model (\`scripts/cloudflare-prices.json\`, checked ${cost.pricesChecked}), for the lead above and an engaged one:

| lead, task | before #23: calls (tokens in / out) | $ per 1,000 leads | now: calls (tokens in / out), model | $ per 1,000 leads |
| --- | --- | --- | --- | --- |
${[
  ["opener", operations, { before: costBefore, now: cost }],
  ["engaged", engaged, engagedCost],
]
  .flatMap(([lead, o, c]) =>
    ["drafting", "judgement", "summary"].map((task) => {
      const used = (x) => `${x.byTask[task].calls} (${x.byTask[task].inputTokens.toLocaleString("en")} / ${x.byTask[task].outputTokens.toLocaleString("en")})`;
      return `| ${lead}, ${task} | ${used(o.before)} | $${c.before.modelByTask[task].dollars} | ${used(o.now)}, ${c.now.modelByTask[task].model.replace(/^@cf\/[^/]+\//, "")} | $${c.now.modelByTask[task].dollars} |`;
    }),
  )
  .join("\n")}

Model cost per 1,000 leads: the opener **$${costBefore.model}** before #23, **$${cost.model}** now; the engaged lead **$${engagedCost.before.model}** before, **$${engagedCost.now.model}** now. With drafts on the 70B instead (\`AI_MODEL\` set to ${costDrafts70b.modelByTask.drafting.model}, the default before the mid-size one): **$${costDrafts70b.model}** and **$${engagedCost.drafts70b.model}**.

Platform cost per 1,000 openers at list prices beyond the monthly allowances: **$${cost.platform}** (${Object.entries(cost.lines)
  .map(([k, v]) => `${k} $${v}`)
  .join(", ")}; object duration assumes ${ASSUMED_OBJECT_ACTIVE_MS} ms active per request). Email Service and SMS fees are not priced.
<!-- bench:end -->`;
let doc;
try {
  doc = readFileSync("BENCHMARKS.md", "utf8");
} catch {
  doc = "# Benchmarks\n\n`npm run bench` rewrites the table below.\n\n<!-- bench:start -->\n<!-- bench:end -->\n";
}
writeFileSync("BENCHMARKS.md", doc.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, table));
console.log("Wrote .bench/results.json and BENCHMARKS.md");
