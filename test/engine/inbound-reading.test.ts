import { describe, expect, it } from "vitest";
import { returnDate } from "../../engine/inbound/message-kind";
import { judgeReply } from "../../engine/inbound/reply-judgement";

/** The pure parts of reading inbound mail: return dates of out-of-office replies, and reply intent. */

const RECEIVED = Date.UTC(2026, 10, 2, 15, 0); // Monday 2 November 2026

describe("out-of-office return date", () => {
  it.each([
    ["I am out of the office until November 20, 2026.", "2026-11-20"],
    ["Away until Dec 3rd with limited access to email.", "2026-12-03"],
    ["I will be back on Monday, 9 November.", "2026-11-09"],
    ["Ich bin bis zum 23.11.2026 nicht im Büro.", "2026-11-23"],
    ["Je suis absent jusqu'au 4 décembre.", "2026-12-04"],
    ["Estoy fuera de la oficina hasta el 15 de diciembre.", "2026-12-15"],
    ["Back on 2026-11-30.", "2026-11-30"],
    // A date already past this year means next year.
    ["I am on leave until January 6.", "2027-01-06"],
  ])("%s → %s", (text, expected) => {
    expect(returnDate(text, RECEIVED)).toBe(expected);
  });

  it("is null when no date is stated or the date is impossible", () => {
    expect(returnDate("I am currently out of the office.", RECEIVED)).toBeNull();
    expect(returnDate("Back on 31.02.2026.", RECEIVED)).toBeNull();
  });
});

describe("reply intent (heuristics)", () => {
  it.each([
    ["Sounds great, let's set up a call for Thursday.", "interested"],
    ["What would this cost for a 3-bedroom house?", "pricing"],
    ["Not interested, thanks.", "not_interested"],
    ["Kein Interesse.", "not_interested"],
    ["Please remove me from your list.", "unsubscribe"],
    ["Merci de me désabonner.", "unsubscribe"],
    ["Por favor, darme de baja.", "unsubscribe"],
    ["Check back next quarter, too busy right now.", "not_now"],
    ["I'm not the right person, you should talk to our facilities manager.", "wrong_person"],
    ["We already work with another vendor and are happy with our current setup.", "objection"],
    ["Do you also install skylights?", "question"],
    ["Ok.", "needs_review"],
  ])("%s → %s", (text, intent) => {
    const judgement = judgeReply(text, []);
    expect(judgement.intent).toBe(intent);
    expect(judgement.confidence >= 0.7).toBe(intent !== "needs_review");
  });

  it("names a configured competitor, whatever the intent", () => {
    expect(judgeReply("We are going with RoofCo instead.", ["RoofCo", "Shingle Bros"])).toMatchObject({ competitor: "RoofCo" });
    expect(judgeReply("We like roofcoating.", ["RoofCo"]).competitor).toBeUndefined();
  });

  it("is unsure when a decisive intent and a request disagree", () => {
    expect(judgeReply("Not now, but send me the pricing.", [])).toMatchObject({ intent: "needs_review" });
  });
});
