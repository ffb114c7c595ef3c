import { describe, expect, it } from "vitest";
import { visibleReply } from "../../engine/inbound/visible-text";
import baseline from "../eval/inbound-baseline.json";
import { belowBaseline, inboundScores } from "../eval/inbound-scores";
import { loadFixtures } from "../load-fixtures";

/**
 * The pure readers of inbound mail on the public labelled fixtures in test/fixtures, read
 * straight from disk (replies: github/email_reply_parser, zapier/email-reply-parser,
 * willdurand/EmailReplyParser, crisp-oss/email-reply-parser, discourse/email_reply_trimmer,
 * MIT, and mailgun/talon, Apache-2.0; bounces: sisimai/set-of-emails via go-sisimai,
 * BSD-2-Clause; mail-client agents: ua-parser/uap-core, Apache-2.0). The same mail through
 * `email()` is in inbound.test.ts.
 */

const { replies } = loadFixtures();

describe("scores on the labelled fixtures", () => {
  it("stays at or above the committed baseline (test/eval/inbound-baseline.json) on the tuning and held-out parts", async () => {
    const { scores } = await inboundScores(loadFixtures());
    expect(scores.heldOut.replyExact.of).toBeGreaterThan(30);
    expect(scores.heldOut.bounceVsNot.of).toBeGreaterThan(100);
    expect(belowBaseline(scores, baseline)).toEqual([]);
  }, 60_000);
});

describe("visible reply text", () => {
  it("keeps what the person wrote and drops history in clients and languages the fixtures do not show", () => {
    const cases: [string, string][] = [
      ["Ja, gerne nächste Woche.\n\nAm Mo., 2. Nov. 2026 um 10:00 Uhr schrieb Sam Rivera <sam@example.com>:\n> Hallo Ann,\n> wie geht's?", "Ja, gerne nächste Woche."],
      ["Sí, me interesa.\n\nEl lun, 2 nov 2026 a las 10:00, Sam Rivera (<sam@example.com>) escribió:\n> Hola", "Sí, me interesa."],
      ["Oui, appelez-moi.\n\nEnvoyé de mon iPhone\n\nLe 2 nov. 2026 à 10:00, Sam <sam@example.com> a écrit :\n\n> Bonjour", "Oui, appelez-moi."],
      [
        "Sounds good, Tuesday works.\n\n________________________________\nFrom: Sam Rivera <sam@example.com>\nSent: Monday, November 2, 2026 10:00 AM\nTo: Ann <ann@example.org>\nSubject: Your roof\n\nHi Ann",
        "Sounds good, Tuesday works.",
      ],
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
