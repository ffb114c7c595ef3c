// Node side (vitest.config.ts): reads the public, labelled samples in ../shared/fixtures
// (see its README for sources and licences) and hands them to the Workers runtime, which
// has no filesystem, as a JSON binding.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..", "shared", "fixtures");

/** The `  - value` items of an isbot fixtures YAML file (a map of name → list of agents). */
function yamlListItems(path: string): string[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("  - "))
    .map((line) => line.slice(4).trim())
    .map((value) => (/^(["']).*\1$/.test(value) ? value.slice(1, -1).replace(/\\"/g, '"') : value));
}

function firstLines(path: string, count: number): string[] {
  return readFileSync(path, "utf8").split("\n").filter(Boolean).slice(0, count);
}

export function loadFixtures() {
  return {
    // omrilotan/isbot @ 344052d fixtures/ (Unlicense)
    crawlerAgents: yamlListItems(join(ROOT, "user-agents/isbot/fixtures/crawlers.yml")),
    browserAgents: yamlListItems(join(ROOT, "user-agents/isbot/fixtures/browsers.yml")),
    // lord-alfred/ipranges @ 14dd971, snapshot 2026-08 (CC0-1.0)
    appleRelayV4: firstLines(join(ROOT, "ip-ranges/apple-proxy/ipv4_merged.txt"), 5),
    appleRelayV6: firstLines(join(ROOT, "ip-ranges/apple-proxy/ipv6_merged.txt"), 5),
    microsoftV4: firstLines(join(ROOT, "ip-ranges/microsoft/ipv4_merged.txt"), 5),
    // minimaxir/big-list-of-naughty-strings @ db33ec7 blns.json (MIT)
    naughtyStrings: JSON.parse(readFileSync(join(ROOT, "naughty-strings/blns.json"), "utf8")) as string[],
  };
}
export type Fixtures = ReturnType<typeof loadFixtures>;
