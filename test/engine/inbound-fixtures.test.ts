import { describe, expect, it } from "vitest";
import { readMessage } from "../../engine/inbound/message";
import { messageKind } from "../../engine/inbound/message-kind";
import { visibleReply } from "../../engine/inbound/visible-text";
import { loadFixtures } from "../load-fixtures";

/**
 * The pure readers of inbound mail on the public labelled fixtures in test/fixtures, read
 * straight from disk (replies: github/email_reply_parser, zapier/email-reply-parser,
 * willdurand/EmailReplyParser, crisp-oss/email-reply-parser, MIT; bounces:
 * sisimai/set-of-emails via go-sisimai, BSD-2-Clause). The same mail through `email()` is
 * in inbound.test.ts.
 */

const { replies, bounces } = loadFixtures();

describe("visible reply text", () => {
  const normalized = (text: string) => text.replace(/\r\n?/g, "\n").split("\n").map((l) => l.replace(/\s+$/, "")).join("\n").replace(/^\n+|\n+$/g, "");

  it("matches the labelled reply of at least 90% of the fixtures and every containment check", () => {
    let exact = 0, labelled = 0;
    const failedChecks: string[] = [];
    for (const sample of replies) {
      const got = normalized(visibleReply(sample.body));
      if (sample.expected_reply !== null) {
        labelled++;
        if ((sample.accepted_replies ?? [sample.expected_reply]).some((a) => normalized(a) === got)) exact++;
      }
      if (!(sample.must_contain ?? []).every((m) => got.includes(m)) || (sample.must_not_contain ?? []).some((m) => got.includes(m))) failedChecks.push(sample.file);
    }
    expect(labelled).toBeGreaterThan(100);
    expect(exact / labelled).toBeGreaterThanOrEqual(0.9);
    expect(failedChecks).toEqual([]);
  });

  it("keeps what the person wrote and drops history in clients and languages the fixtures do not show", () => {
    const cases: [string, string][] = [
      ["Ja, gerne nächste Woche.\n\nAm Mo., 2. Nov. 2026 um 10:00 Uhr schrieb Sam Rivera <sam@example.com>:\n> Hallo Ann,\n> wie geht's?", "Ja, gerne nächste Woche."],
      ["Sí, me interesa.\n\nEl lun, 2 nov 2026 a las 10:00, Sam Rivera (<sam@example.com>) escribió:\n> Hola", "Sí, me interesa."],
      ["Oui, appelez-moi.\n\nEnvoyé de mon iPhone\n\nLe 2 nov. 2026 à 10:00, Sam <sam@example.com> a écrit :\n\n> Bonjour", "Oui, appelez-moi."],
      ["Sounds good, Tuesday works.\n\n________________________________\nFrom: Sam Rivera <sam@example.com>\nSent: Monday, November 2, 2026 10:00 AM\nTo: Ann <ann@example.org>\nSubject: Your roof\n\nHi Ann", "Sounds good, Tuesday works."],
      ["Tak, chętnie.\n\nW dniu 2.11.2026 o 10:00, Sam Rivera <sam@example.com> pisze:\n> Dzień dobry", "Tak, chętnie."],
      ["Yes please.\n\n-- \nAnn Lee\nHead of Ops", "Yes please."],
      ["Quoted only below, with nothing written above.", "Quoted only below, with nothing written above."],
    ];
    for (const [body, expected] of cases) expect(visibleReply(body)).toBe(expected);
  });

  it("reads a 767 KB line of quote markers without backtracking (github's email_long_quote)", () => {
    const sample = replies.find((r) => r.file.endsWith("email_long_quote.txt"))!;
    expect(visibleReply(sample.body).startsWith("Hi folks")).toBe(true);
  });
});

describe("message kind on the fixtures", () => {
  it("detects at least 95% of labelled bounces with no false bounce, agrees on hard or soft for at least 80%, and finds every auto-reply", async () => {
    const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    let bounceHit = 0, bounceOf = 0, falseBounce = 0, typeHit = 0, typeOf = 0, autoHit = 0, autoOf = 0;
    for (const sample of bounces) {
      const kind = messageKind(await readMessage(bytes(sample.base64)), Date.UTC(2026, 0, 1));
      if (sample.is_bounce) {
        bounceOf++;
        if (kind.kind === "bounce") {
          bounceHit++;
          if (sample.bounce_type === "hard" || sample.bounce_type === "soft") {
            typeOf++;
            if (kind.bounce.type === sample.bounce_type) typeHit++;
          }
        }
      } else if (kind.kind === "bounce") falseBounce++;
      if (sample.is_auto_reply) {
        autoOf++;
        if (kind.kind === "auto_reply") autoHit++;
      }
    }
    expect(bounceHit / bounceOf).toBeGreaterThanOrEqual(0.95);
    expect(falseBounce).toBe(0);
    expect(typeHit / typeOf).toBeGreaterThanOrEqual(0.8);
    expect(autoHit).toBe(autoOf);
  });
});
