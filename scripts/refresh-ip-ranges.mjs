// Rebuilds workers/signals/ip-ranges.json from a checkout of the public ranges list
// (lord-alfred/ipranges layout: <owner>/ipv4_merged.txt, ipv6_merged.txt, or ipv4.txt).
//   node scripts/refresh-ip-ranges.mjs <dir> [YYYY-MM]
// <dir> is required. test/fixtures/ip-ranges is NOT a valid source: it holds only the first
// 20 lines of three lists, for tests; use a full checkout of lord-alfred/ipranges (CC0-1.0).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node scripts/refresh-ip-ranges.mjs <dir> [YYYY-MM]  (<dir>: a full checkout of lord-alfred/ipranges)");
  process.exit(2);
}
const snapshot = process.argv[3] ?? "2026-08";
// Our name for each published list, in the order a match is looked up.
const owners = { googlebot: "googlebot", bing: "bing", apple_relay: "apple-proxy", microsoft: "microsoft", google: "google" };

const read = (owner, family) => {
  for (const name of [`ipv${family}_merged.txt`, `ipv${family}.txt`]) {
    const path = join(dir, owner, name);
    if (existsSync(path))
      return readFileSync(path, "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#"));
  }
  return [];
};

const data = { source: "lord-alfred/ipranges (CC0-1.0)", snapshot, owners: {} };
for (const [ours, theirs] of Object.entries(owners)) data.owners[ours] = { v4: read(theirs, 4), v6: read(theirs, 6) };
writeFileSync("workers/signals/ip-ranges.json", JSON.stringify(data));
for (const [owner, r] of Object.entries(data.owners)) console.log(`${owner}: ${r.v4.length} IPv4, ${r.v6.length} IPv6 ranges`);
