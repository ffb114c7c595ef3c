// Node side (vitest.config.ts): reads the public, labelled samples vendored in test/fixtures/
// (see test/fixtures/README.md for sources and licences) and hands them to the Workers
// runtime, which has no filesystem, as a JSON binding.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "fixtures");

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

export interface ReplyLabel {
  file: string;
  expected_reply: string | null;
  accepted_replies?: string[];
  must_contain?: string[];
  must_not_contain?: string[];
}

export interface BounceLabel {
  file: string;
  category: string;
  is_bounce: boolean;
  is_auto_reply: boolean;
  bounce_type: "hard" | "soft" | "mixed" | null;
}

function jsonLines<T>(path: string): T[] {
  return readFileSync(path, "utf8").trim().split("\n").map((line) => JSON.parse(line) as T);
}

export function loadFixtures() {
  return {
    // omrilotan/isbot @ 344052d fixtures/ (Unlicense)
    crawlerAgents: yamlListItems(join(ROOT, "user-agents/isbot/fixtures/crawlers.yml")),
    browserAgents: yamlListItems(join(ROOT, "user-agents/isbot/fixtures/browsers.yml")),
    // lord-alfred/ipranges @ 14dd971, snapshot 2026-08 (CC0-1.0); vendored truncated to the first 20 lines
    appleRelayV4: firstLines(join(ROOT, "ip-ranges/apple-proxy/ipv4_merged.txt"), 5),
    appleRelayV6: firstLines(join(ROOT, "ip-ranges/apple-proxy/ipv6_merged.txt"), 5),
    microsoftV4: firstLines(join(ROOT, "ip-ranges/microsoft/ipv4_merged.txt"), 5),
    // github/email_reply_parser @ 59e5859, zapier/email-reply-parser @ f67a872,
    // willdurand/EmailReplyParser @ f25f8c6, crisp-oss/email-reply-parser @ 0b3704c (MIT)
    replies: jsonLines<ReplyLabel>(join(ROOT, "replies/labels.jsonl")).map((label) => ({ ...label, body: readFileSync(join(ROOT, "replies", label.file), "utf8") })),
    // sisimai/set-of-emails as bundled in sisimai/go-sisimai @ ed142de (BSD-2-Clause); some bodies are not UTF-8, so bytes travel as base64
    bounces: jsonLines<BounceLabel>(join(ROOT, "bounces/labels.jsonl")).map((label) => ({ ...label, base64: readFileSync(join(ROOT, "bounces", label.file)).toString("base64") })),
    // minimaxir/big-list-of-naughty-strings @ db33ec7 blns.json (MIT)
    naughtyStrings: JSON.parse(readFileSync(join(ROOT, "naughty-strings/blns.json"), "utf8")) as string[],
  };
}
export type Fixtures = ReturnType<typeof loadFixtures>;
