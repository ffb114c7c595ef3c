// The browser tests drive Debian's chromium (never a downloaded browser build). On this
// project's machines (Debian, root) a missing chromium is installed from Debian's packages;
// anywhere else this says what to install.
import { execSync } from "node:child_process";
import { existsSync } from "node:fs";

const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (existsSync(path)) process.exit(0);

const isRoot = process.getuid?.() === 0;
const hasApt = existsSync("/usr/bin/apt-get");
if (isRoot && hasApt && path === "/usr/bin/chromium") {
  console.log("Browser tests need Debian's chromium; installing it with apt-get (one time)...");
  execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium", { stdio: "inherit" });
  process.exit(0);
}
console.error(`Browser tests need Chromium at ${path}. Install Debian's package (apt-get install chromium), or set CHROMIUM_PATH.`);
process.exit(1);
