/**
 * How well the inbound readers do on the labelled public fixtures (test/fixtures, sources and
 * licences in its README), per class and per part: `tuning` (what the readers may be fitted
 * to) and `heldOut` (never tuned on). Shared by `npm run eval:inbound` and the engine test
 * that guards the committed baseline.
 */
import { readMessage } from "../../engine/inbound/message";
import { messageKind, type MessageKind } from "../../engine/inbound/message-kind";
import { visibleReply } from "../../engine/inbound/visible-text";
import { isBotAgent } from "../../workers/signals/request-facts";
import type { Fixtures } from "../load-fixtures";

export type Part = "tuning" | "heldOut";
export const PARTS: Part[] = ["tuning", "heldOut"];

/** The scored classes, in the order they are printed, with the goal the issue sets (reported, not enforced). */
export const CLASSES = {
  replyExact: { title: "visible reply text, exact", goal: 0.85 },
  replyContainment: { title: "reply text containment checks", goal: null },
  bounceVsNot: { title: "bounce vs not a bounce", goal: 0.97 },
  hardSoft: { title: "hard vs soft (sisimai's labels)", goal: 0.9 },
  autoReply: { title: "auto-replies recognised", goal: 1 },
  complaint: { title: "feedback reports recognised", goal: null },
  mailClientAgents: { title: "mail-client agents not taken for bots", goal: 1 },
} as const;
export type ScoreClass = keyof typeof CLASSES;

export interface Tally {
  hit: number;
  of: number;
}
export type Scores = Record<Part, Record<ScoreClass, Tally>>;

/** A sample the reader got wrong, for `--verbose`; `heldOut` misses are never shown while tuning. */
export interface Miss {
  part: Part;
  what: ScoreClass;
  sample: string;
  detail: string;
}

const normalized = (text: string) =>
  text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.replace(/\s+$/, ""))
    .join("\n")
    .replace(/^\n+|\n+$/g, "");
const withoutWhitespace = (text: string) => text.replace(/\s+/g, "");

type Reply = Fixtures["replies"][number];

/** The visible text the production path would give for a sample in its stored format. */
async function readReply(sample: Reply): Promise<string> {
  if (sample.format === "eml") return visibleReply((await readMessage(sample.body)).text);
  if (sample.format === "html_body") return visibleReply((await readMessage(`Content-Type: text/html; charset=utf-8\r\n\r\n${sample.body}`)).text);
  return visibleReply(sample.body);
}

const empty = (): Record<ScoreClass, Tally> => Object.fromEntries(Object.keys(CLASSES).map((c) => [c, { hit: 0, of: 0 }])) as Record<ScoreClass, Tally>;

export async function inboundScores(fixtures: Fixtures, receivedAt = Date.UTC(2026, 0, 1)) {
  const scores: Scores = { tuning: empty(), heldOut: empty() };
  const misses: Miss[] = [];
  let slowest = { ms: 0, sample: "" };
  const count = (part: Part, what: ScoreClass, hit: boolean, sample: string, detail: () => string) => {
    scores[part][what].of++;
    if (hit) scores[part][what].hit++;
    else misses.push({ part, what, sample, detail: detail() });
  };
  // CPU time of this process, not wall time: other work on the machine does not count. A slow
  // first run is run twice more and the best kept, so that a garbage collection does not either.
  const timed = async <T>(sample: string, read: () => Promise<T>): Promise<T> => {
    const cpu = async () => {
      const started = process.cpuUsage();
      const result = await read();
      const used = process.cpuUsage(started);
      return { result, ms: (used.user + used.system) / 1000 };
    };
    const first = await cpu();
    let ms = first.ms;
    for (let i = 0; i < 2 && ms > 10; i++) ms = Math.min(ms, (await cpu()).ms);
    if (ms > slowest.ms) slowest = { ms, sample };
    return first.result;
  };
  // The first parse pays for compiling the parser; it is not a sample's time.
  await readMessage("Subject: warm-up\r\n\r\nwarm-up");

  for (const sample of fixtures.replies) {
    const part: Part = sample.heldOut ? "heldOut" : "tuning";
    const got = await timed(sample.file, () => readReply(sample));
    const same = sample.compare === "whitespace" ? (a: string) => withoutWhitespace(a) === withoutWhitespace(got) : (a: string) => normalized(a) === normalized(got);
    if (sample.expected_reply !== null) {
      const accepted = sample.accepted_replies?.length ? sample.accepted_replies : [sample.expected_reply];
      count(
        part,
        "replyExact",
        accepted.some(same),
        sample.file,
        () => `expected ${JSON.stringify(sample.expected_reply).slice(0, 300)}\n    got ${JSON.stringify(got).slice(0, 300)}`,
      );
    }
    const must = sample.must_contain ?? [],
      mustNot = sample.must_not_contain ?? [];
    if (must.length + mustNot.length > 0) {
      const hit = must.every((m) => got.includes(m)) && mustNot.every((m) => !got.includes(m));
      count(part, "replyContainment", hit, sample.file, () => `must ${JSON.stringify(must)} not ${JSON.stringify(mustNot)}\n    got ${JSON.stringify(got).slice(0, 300)}`);
    }
  }

  for (const sample of fixtures.bounces) {
    const part: Part = sample.heldOut ? "heldOut" : "tuning";
    let kind: MessageKind;
    try {
      kind = await timed(sample.file, async () => messageKind(await readMessage(Buffer.from(sample.base64, "base64")), receivedAt));
    } catch (error) {
      kind = { kind: "human" };
      misses.push({ part, what: "bounceVsNot", sample: sample.file, detail: `unreadable: ${String(error)}` });
    }
    const said = () => `${sample.category} ${sample.bounce_type ?? ""} (${sample.recipients[0]?.reason ?? ""}) → ${JSON.stringify(kind).slice(0, 240)}`;
    count(part, "bounceVsNot", (kind.kind === "bounce") === sample.is_bounce, sample.file, said);
    if (sample.is_bounce && kind.kind === "bounce" && (sample.bounce_type === "hard" || sample.bounce_type === "soft"))
      count(part, "hardSoft", kind.bounce.type === sample.bounce_type, sample.file, said);
    if (sample.is_auto_reply) count(part, "autoReply", kind.kind === "auto_reply", sample.file, said);
    if (sample.category === "feedback_report") count(part, "complaint", kind.kind === "complaint", sample.file, said);
  }

  for (const { agent, heldOut } of fixtures.mailClientAgents) count(heldOut ? "heldOut" : "tuning", "mailClientAgents", !isBotAgent(agent), agent, () => "flagged as a bot");

  return { scores, misses, slowest: { ms: Math.round(slowest.ms * 10) / 10, sample: slowest.sample } };
}

export const rate = (t: Tally): number | null => (t.of ? t.hit / t.of : null);

/** The classes and parts whose rate fell below the committed baseline. */
export function belowBaseline(scores: Scores, baseline: Partial<Record<Part, Partial<Record<ScoreClass, number>>>>): string[] {
  const drops: string[] = [];
  for (const part of PARTS)
    for (const [what, floor] of Object.entries(baseline[part] ?? {}) as [ScoreClass, number][]) {
      const now = rate(scores[part][what]);
      // Rates are stored rounded to three places; compare at that precision.
      if (now === null || Math.round(now * 1000) < Math.round(floor * 1000))
        drops.push(`${part} ${what}: ${now === null ? "no samples" : now.toFixed(3)} < baseline ${floor.toFixed(3)}`);
    }
  return drops;
}
