// `npm start`: everything a fresh clone needs to run locally, offline, with no account.
// Writes .dev.vars (random secrets) when absent, applies the D1 migrations to the local
// database, seeds the demo form, then serves the Worker with a compressed clock; on a fresh
// database, three demo leads come in through the demo form.
// `npm run dev` (`--dev`): the same local engine for working on the code — real time (a wait
// of a day takes a day), no demo leads, wrangler reloading on every change.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const PORT = Number(process.env.PORT ?? 8787);
const DEV = process.argv.includes("--dev");
// 8640× turns one day into ten seconds, so a whole sequence plays out in minutes.
const CLOCK_SPEED = process.env.CLOCK_SPEED ?? (DEV ? "1" : "8640");
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "" };

const secret = () => randomBytes(32).toString("base64url");
if (!existsSync(".dev.vars")) {
  writeFileSync(".dev.vars", `# Written by npm start; git-ignored. Delete it to get new secrets.\nOWNER_TOKEN=${secret()}\nLEAD_ID_SECRET=${secret()}\nTOKEN_SECRET=${secret()}\n`);
  console.log("Wrote .dev.vars with fresh local secrets.");
}
const ownerToken = /^OWNER_TOKEN=(.*)$/m.exec(readFileSync(".dev.vars", "utf8"))?.[1]?.trim();

function wrangler(args) {
  const result = spawnSync("npx", ["wrangler", ...args], { stdio: ["ignore", "inherit", "inherit"], env: wranglerEnv });
  if (result.status !== 0) {
    console.error(`\nwrangler ${args.join(" ")} failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

wrangler(["d1", "migrations", "apply", "DB", "--local"]);
// The demo pages run the snippet, so the origins they are served from must be configured sites.
mkdirSync(".wrangler", { recursive: true });
writeFileSync(".wrangler/demo-seed.sql", readFileSync("scripts/demo-seed.sql", "utf8").replaceAll(":8787", `:${PORT}`));
wrangler(["d1", "execute", "DB", "--local", "--file", ".wrangler/demo-seed.sql"]);

const dev = spawn(
  "npx",
  [
    "wrangler",
    "dev",
    "--port",
    String(PORT),
    "--ip",
    "127.0.0.1",
    "--var",
    `CLOCK_SPEED:${CLOCK_SPEED}`,
    "--var",
    `CLOCK_EPOCH:${Date.now()}`,
    // Links in messages point at this server.
    "--var",
    `PUBLIC_URL:http://localhost:${PORT}`,
    "--var",
    `BOOKING_URL:http://localhost:${PORT}/demo/book`,
    "--var",
    `SITE_URL:http://localhost:${PORT}/demo/pricing`,
  ],
  { stdio: ["inherit", "pipe", "inherit"], env: wranglerEnv },
);

let announced = false;
dev.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (!announced && /Ready on/i.test(String(chunk))) {
    announced = true;
    const base = `http://localhost:${PORT}`;
    console.log(`
  Edge follow-up engine is running (${CLOCK_SPEED === "1" ? "real time" : `clock ${CLOCK_SPEED}× — one day every ${(86400 / Number(CLOCK_SPEED)).toFixed(0)} s`})

    Demo page     ${base}/demo
    Demo outbox   ${base}/demo/outbox   (post the demo form, then watch its sequence play out)
    Dashboard     ${base}/dashboard      (log in with the owner token)
    Owner API     ${base}/api/leads      (Authorization: Bearer <owner token>)
    Health        ${base}/healthz
    Owner token   ${ownerToken}
    AI            none bound locally: the deterministic drafter and reply heuristics run
                  (drafts wait at ${base}/api/review; unreviewed, the template goes out)

  Try:  curl -H "Authorization: Bearer ${ownerToken}" ${base}/api/leads
        curl -H "Authorization: Bearer ${ownerToken}" ${base}/api/outbox
`);
    if (!DEV) seedDemoLeads(base).catch((error) => console.error(`Demo leads not seeded: ${error}`));
  }
});

/**
 * On a fresh database, three demo leads come in through the demo form (the real route,
 * objects and sequence), so the dashboard has something to show; one of them reads its
 * acknowledgement and looks at pricing. Nothing happens when leads exist already.
 */
async function seedDemoLeads(base) {
  const owner = { authorization: `Bearer ${ownerToken}` };
  const { leads } = await (await fetch(`${base}/api/leads?limit=1`, { headers: owner })).json();
  if (leads.length > 0) return;
  const people = [
    { name: "Dana Whitfield", email: "dana@example.com", company: "Whitfield Bakery", message: "Our flat roof leaks over the ovens. Can you look this week?" },
    { name: "Luis Ortega", email: "luis@example.com", company: "Ortega Dental", message: "Quote for a full replacement, please." },
    { name: "Priya Raman", email: "priya@example.com", message: "How much is an inspection?" },
  ];
  const ids = [];
  for (const person of people) {
    const response = await fetch(`${base}/f/demo`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify({ ...person, consent_email: "yes" }),
    });
    ids.push((await response.json()).leadId);
  }
  // The first reads its acknowledgement: the pixel and a link, as a mail client would fetch them.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const { messages } = await (await fetch(`${base}/api/outbox?leadId=${ids[0]}`, { headers: owner })).json();
  const html = messages.find((m) => m.channel === "email")?.html ?? "";
  const person = { "user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15" };
  for (const path of [/\/o\/[A-Za-z0-9._-]+/.exec(html)?.[0], /<a href="[^"]*(\/c\/[A-Za-z0-9._-]+)">/.exec(html)?.[1]]) {
    if (path) await fetch(`${base}${path}`, { headers: person, redirect: "manual" });
  }
  console.log(`  Demo data: ${people.length} leads came in through the demo form; see the dashboard.\n`);
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code) => process.exit(code ?? 0));
