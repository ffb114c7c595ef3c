// Node side (vitest.config.ts): reads the public, labelled samples vendored in test/fixtures/
// (see test/fixtures/README.md for sources and licences) and hands them to the Workers
// runtime, which has no filesystem, as a JSON binding.
import { createHash } from "node:crypto";
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

/** The `user_agent_string` of every test case in a uap-core test YAML file. */
function uapAgents(path: string): string[] {
  const prefix = "  - user_agent_string: ";
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.startsWith(prefix))
    .map((line) =>
      line
        .slice(prefix.length)
        .trim()
        .replace(/^'(.*)'$/, "$1")
        .replace(/''/g, "'"),
    );
}

/** The batches of samples added for issue 22: `issue-22` (the grown sets), `issue-22b` (auto-replies and challenges from two more bounce parsers). */
const HELD_OUT_BATCHES = new Set(["issue-22", "issue-22b"]);

/**
 * The held-out part: samples of the issue 22 batches whose name hashes (SHA-256, first hex
 * digit 0–7) into the lower half. Decided for each batch before any of its samples was run
 * through the readers, and never tuned on: see test/fixtures/README.md.
 */
export const heldOut = (name: string, batch: string | undefined) => batch !== undefined && HELD_OUT_BATCHES.has(batch) && createHash("sha256").update(name).digest("hex")[0]! < "8";

function firstLines(path: string, count: number): string[] {
  return readFileSync(path, "utf8").split("\n").filter(Boolean).slice(0, count);
}

export interface ReplyLabel {
  file: string;
  format: "text_body" | "text_body_with_mime_headers" | "eml" | "html_body";
  /** `normalized` (line endings, trailing spaces, surrounding blank lines) or `whitespace` (all whitespace ignored). */
  compare: string;
  batch?: string;
  expected_reply: string | null;
  accepted_replies?: string[];
  must_contain?: string[];
  must_not_contain?: string[];
}

export interface BounceLabel {
  file: string;
  batch?: string;
  category: string;
  is_bounce: boolean;
  is_auto_reply: boolean;
  bounce_type: "hard" | "soft" | "mixed" | null;
  recipients: { reason: string }[];
}

function jsonLines<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as T);
}

/** `root` is test/fixtures; bundled copies of this file (the eval runs from .bench/) pass it. */
export function loadFixtures(root = ROOT) {
  return {
    // omrilotan/isbot @ 344052d fixtures/ (Unlicense)
    crawlerAgents: yamlListItems(join(root, "user-agents/isbot/fixtures/crawlers.yml")),
    browserAgents: yamlListItems(join(root, "user-agents/isbot/fixtures/browsers.yml")),
    // ua-parser/uap-core @ e3c5e63 tests/test_ua.yaml, the mail-client test cases (Apache-2.0)
    mailClientAgents: uapAgents(join(root, "user-agents/uap-core/mail-clients.yml")).map((agent) => ({ agent, heldOut: heldOut(agent, "issue-22") })),
    // lord-alfred/ipranges @ 14dd971, snapshot 2026-08 (CC0-1.0); vendored truncated to the first 20 lines
    appleRelayV4: firstLines(join(root, "ip-ranges/apple-proxy/ipv4_merged.txt"), 5),
    appleRelayV6: firstLines(join(root, "ip-ranges/apple-proxy/ipv6_merged.txt"), 5),
    microsoftV4: firstLines(join(root, "ip-ranges/microsoft/ipv4_merged.txt"), 5),
    // github/email_reply_parser @ 59e5859, zapier/email-reply-parser @ f67a872,
    // willdurand/EmailReplyParser @ f25f8c6, crisp-oss/email-reply-parser @ 0b3704c,
    // discourse/email_reply_trimmer @ 117fd1a (MIT); mailgun/talon @ 71d9b6e (Apache-2.0)
    replies: jsonLines<ReplyLabel>(join(root, "replies/labels.jsonl")).map((label) => ({
      ...label,
      heldOut: heldOut(label.file, label.batch),
      body: readFileSync(join(root, "replies", label.file), "utf8"),
    })),
    // sisimai/set-of-emails as bundled in sisimai/go-sisimai @ ed142de (BSD-2-Clause), cfortune/PHP-Bounce-Handler @ 2f76f2a
    // (BSD-3-Clause), rjbs/Mail-DeliveryStatus-BounceParser @ 3133a16 (Perl's terms); some bodies are not UTF-8, so bytes travel as base64
    bounces: jsonLines<BounceLabel>(join(root, "bounces/labels.jsonl")).map((label) => ({
      ...label,
      heldOut: heldOut(label.file, label.batch),
      base64: readFileSync(join(root, "bounces", label.file)).toString("base64"),
    })),
    // minimaxir/big-list-of-naughty-strings @ db33ec7 blns.json (MIT)
    naughtyStrings: JSON.parse(readFileSync(join(root, "naughty-strings/blns.json"), "utf8")) as string[],
  };
}
export type Fixtures = ReturnType<typeof loadFixtures>;
