// `npm run doctor`: checks a deployment's configuration against what sending needs and says
// what is missing in plain words. Without arguments it reads the local configuration
// (wrangler.toml and .dev.vars, through wrangler's platform proxy, offline); with
// `-- --url https://your-worker` it asks that deployment's GET /api/doctor (set OWNER_TOKEN).
// Exits 1 when something is missing.
import { getPlatformProxy } from "wrangler";
import { checkDeployment, type Check } from "../services/deployment-checks";
import { settingsFromVars } from "../services/deployment-settings";

function print(where: string, checks: Check[]): boolean {
  console.log(`Doctor: ${where}\n`);
  for (const check of checks) {
    const mark = check.status === "ok" ? "ok     " : check.status === "missing" ? "MISSING" : "unknown";
    console.log(`  ${mark}  ${check.what}${check.fix && check.status !== "ok" ? `\n           → ${check.fix}` : ""}`);
  }
  const missing = checks.filter((c) => c.status === "missing").length;
  console.log(missing > 0 ? `\n${missing} missing.` : "\nNothing missing.");
  return missing === 0;
}

const urlIndex = process.argv.indexOf("--url");
if (urlIndex > 0) {
  const url = process.argv[urlIndex + 1]!.replace(/\/+$/, "");
  const response = await fetch(`${url}/api/doctor`, { headers: { authorization: `Bearer ${process.env.OWNER_TOKEN ?? ""}` } });
  if (!response.ok) {
    console.error(`${url}/api/doctor answered ${response.status}: set OWNER_TOKEN to the deployment's owner token.`);
    process.exit(1);
  }
  process.exit(print(url, ((await response.json()) as { checks: Check[] }).checks) ? 0 : 1);
}
const proxy = await getPlatformProxy<Env>({ persist: false });
try {
  // The proxy's database is a fresh one: here the vars are the settings (a deployment's saved ones are checked with --url).
  const ok = print("the local configuration (wrangler.toml, .dev.vars)", await checkDeployment(proxy.env, fetch, settingsFromVars(proxy.env)));
  process.exitCode = ok ? 0 : 1;
} finally {
  await proxy.dispose();
}
