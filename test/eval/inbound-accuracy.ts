/**
 * Accuracy of the inbound reader on the labelled public fixtures vendored in test/fixtures/:
 * replies (github/email_reply_parser, zapier/email-reply-parser, willdurand/EmailReplyParser,
 * crisp-oss/email-reply-parser; MIT) and bounces (sisimai/set-of-emails; BSD-2-Clause).
 * Run by `npm run eval:inbound`; prints JSON.
 */
import { readFileSync } from "node:fs";
import { readMessage } from "../../engine/inbound/message";
import { messageKind, type MessageKind } from "../../engine/inbound/message-kind";
import { visibleReply } from "../../engine/inbound/visible-text";

// Relative to the working directory (the repo root under `npm run eval:inbound`), not to
// this file: it runs bundled from .bench/.
const FIXTURES = new URL("test/fixtures/", `file://${process.cwd()}/`);
const jsonl = <T>(path: string): T[] => readFileSync(new URL(path, FIXTURES), "utf8").trim().split("\n").map((line) => JSON.parse(line) as T);

interface ReplyLabel {
  file: string;
  expected_reply: string | null;
  accepted_replies?: string[];
  must_contain?: string[];
  must_not_contain?: string[];
}

const normalized = (text: string) => text.replace(/\r\n?/g, "\n").split("\n").map((l) => l.replace(/\s+$/, "")).join("\n").replace(/^\n+|\n+$/g, "");

export function replyAccuracy(verbose = false) {
  let exact = 0, labelled = 0, contained = 0, checked = 0, slowestMs = 0;
  const misses: string[] = [];
  for (const label of jsonl<ReplyLabel>("replies/labels.jsonl")) {
    const raw = readFileSync(new URL(`replies/${label.file}`, FIXTURES), "utf8");
    const started = performance.now();
    const got = normalized(visibleReply(raw));
    slowestMs = Math.max(slowestMs, performance.now() - started);
    let ok = true;
    if (label.expected_reply !== null) {
      labelled++;
      const hit = (label.accepted_replies ?? [label.expected_reply]).some((a) => normalized(a) === got);
      if (hit) exact++;
      ok = hit;
    }
    const must = label.must_contain ?? [], mustNot = label.must_not_contain ?? [];
    if (must.length + mustNot.length > 0) {
      checked++;
      const hit = must.every((m) => got.includes(m)) && mustNot.every((m) => !got.includes(m));
      if (hit) contained++;
      ok &&= hit;
    }
    if (!ok) misses.push(label.file);
    if (!ok && verbose) console.error(`--- ${label.file}\n${JSON.stringify(label.expected_reply ?? label.must_contain)}\n>>> ${JSON.stringify(got).slice(0, 400)}`);
  }
  return { samples: labelled + checked, exactMatch: { hit: exact, of: labelled, rate: exact / labelled }, containment: { hit: contained, of: checked, rate: contained / checked }, slowestMs: Math.round(slowestMs), misses };
}

interface BounceLabel {
  file: string;
  category: string;
  is_bounce: boolean;
  is_auto_reply: boolean;
  bounce_type: "hard" | "soft" | "mixed" | null;
  recipients: { reason: string }[];
}

export async function messageAccuracy(verbose = false) {
  const tally = { bounce: { hit: 0, of: 0, falseAlarms: 0 }, hardSoft: { hit: 0, of: 0 }, autoReply: { hit: 0, of: 0, falseAlarms: 0 }, complaint: { hit: 0, of: 0 }, unreadable: 0 };
  let slowestMs = 0;
  for (const label of jsonl<BounceLabel>("bounces/labels.jsonl")) {
    const raw = readFileSync(new URL(`bounces/${label.file}`, FIXTURES));
    const started = performance.now();
    let kind: MessageKind;
    try {
      kind = messageKind(await readMessage(new Uint8Array(raw)), Date.UTC(2026, 0, 1));
    } catch {
      tally.unreadable++;
      continue;
    }
    slowestMs = Math.max(slowestMs, performance.now() - started);
    const miss = (what: string) => verbose && console.error(`${what}\t${label.file}\t${label.bounce_type ?? label.category}\t${label.recipients[0]?.reason}\t${JSON.stringify(kind).slice(0, 200)}`);
    if (label.is_bounce) {
      tally.bounce.of++;
      if (kind.kind === "bounce") tally.bounce.hit++;
      else miss("bounce missed");
      if (kind.kind === "bounce" && (label.bounce_type === "hard" || label.bounce_type === "soft")) {
        tally.hardSoft.of++;
        if (kind.bounce.type === label.bounce_type) tally.hardSoft.hit++;
        else miss("hard/soft");
      }
    } else if (kind.kind === "bounce") {
      tally.bounce.falseAlarms++;
      miss("false bounce");
    }
    if (label.is_auto_reply) {
      tally.autoReply.of++;
      if (kind.kind === "auto_reply") tally.autoReply.hit++;
      else miss("auto-reply missed");
    } else if (kind.kind === "auto_reply") {
      tally.autoReply.falseAlarms++;
      miss("false auto-reply");
    }
    if (label.category === "feedback_report") {
      tally.complaint.of++;
      if (kind.kind === "complaint") tally.complaint.hit++;
      else miss("complaint missed");
    }
  }
  const rate = (t: { hit: number; of: number }) => ({ ...t, rate: t.of ? t.hit / t.of : null });
  return { samples: tally.bounce.of + tally.autoReply.of + tally.complaint.of, bounceDetection: rate(tally.bounce), hardSoftAgreement: rate(tally.hardSoft), autoReplyDetection: rate(tally.autoReply), complaintDetection: rate(tally.complaint), unreadable: tally.unreadable, slowestMs: Math.round(slowestMs) };
}

const verbose = process.argv.includes("--verbose");
console.log(JSON.stringify({ replies: replyAccuracy(verbose), messages: await messageAccuracy(verbose) }, null, 2));
