import { describe, expect, it } from "vitest";
import type { InboundMessage } from "../../engine/inbound/message";
import { messageKind } from "../../engine/inbound/message-kind";
import { visibleReply } from "../../engine/inbound/visible-text";

/**
 * Inbound mail is written by strangers: no message may make the readers slow. Each input
 * below aims at one of their patterns or loops (attribution chains, wrapped addresses, rules
 * over header blocks, long runs the tail patterns scan) at the size the reader is handed
 * (64 K characters of body). The budget is 50 ms per message of the process's own CPU time
 * (not wall time, so that other work on a busy machine does not count), best of three runs
 * after one that warms the compiled code;
 * anything quadratic takes seconds.
 */

const BUDGET_MS = 50;
const SIZE = 64 * 1024;
const fill = (unit: string) => unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);

function bestOfThree(run: () => unknown): number {
  // A first run compiles the readers' hot loops; a long-lived Worker has done that long before.
  run();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const started = process.cpuUsage();
    run();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const HOSTILE_BODIES: [string, string][] = [
  ["attribution lines, each answered under a quote", fill("On Tue, Apr 11, 2017 at 10:07 PM Sam <sam@example.com> wrote:\n> q\nx\n")],
  ["attribution lines with nothing between them", fill("On Tue, Apr 11, 2017 at 10:07 PM Sam wrote:\n")],
  ["wrapped-address pieces without an end", fill("On Thu, 31 Mar 2016 at 11:16 Sam\n\n<\nmailto:sam@example.com\n\n")],
  ["the verb over and over on one matchable line", fill(`${"wrote ".repeat(60)}\n`)],
  ["header lines without a block", fill("From: Sam\nDate: x\n")],
  ["rules over header lines", fill("----------------------------------------\nDate: x\n\n")],
  ["short rules without a heading", fill("---\n\n")],
  ["a run of spaces ending in a letter", `${" ".repeat(SIZE)}x`],
  ["a run of invisible characters", `${"\u200B".repeat(SIZE)}x`],
  ["quote markers on one line", ">".repeat(SIZE)],
  ["blank lines", "\n".repeat(SIZE)],
  ["help-desk markers", fill("## Please type your reply above this line ##\n")],
  ["ISO dates without an address", fill("2017-04-11 22:07 Sam Rivera <sam\n")],
];

describe("hostile replies", () => {
  it.each(HOSTILE_BODIES)("%s: read under 50 ms", (_, body) => {
    expect(bestOfThree(() => visibleReply(body))).toBeLessThan(BUDGET_MS);
  });
});

const message = (text: string, report = ""): InboundMessage => ({
  from: "mailer-daemon@mx.example.org",
  fromName: "Mail Delivery System",
  to: ["bounces@reply.example.com"],
  subject: "Undelivered Mail Returned to Sender",
  messageId: null,
  threadIds: [],
  inReplyTo: null,
  headers: new Map([["return-path", "<>"]]),
  contentType: "multipart/report; report-type=delivery-status",
  text,
  fromHtml: false,
  reportParts: report ? [{ mimeType: "message/delivery-status", text: report }] : [],
});

describe("hostile delivery reports", () => {
  it.each([
    ["status codes everywhere", message(fill("550 5.1.1 550-5.2.2 "))],
    ["address-like runs", message(fill("a@b.c"))],
    ["report fields without end", message("x", fill("Final-Recipient: rfc822; x@example.com\nAction: delayed\n"))],
    ["report blocks of one field each", message("x", fill("Action: failed\n\n"))],
    ["a diagnostic of relay wrappers", message("x", `Final-Recipient: rfc822; x@example.com\nAction: failed\nDiagnostic-Code: ${fill("5.1.0 - Unknown address error 550-'")}`)],
    ["delay words without a report", message(fill("will be retried has been delayed "))],
  ])("%s: read under 50 ms", (_, hostile) => {
    expect(bestOfThree(() => messageKind(hostile, Date.UTC(2026, 0, 1)))).toBeLessThan(BUDGET_MS);
  });
});
