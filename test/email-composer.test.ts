import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { OutgoingTouch } from "../engine/lead/lead-state";
import { renderTemplate } from "../engine/sequence/template";
import { composeEmail, type Sender } from "../services/email-composer";
import { readRoutingAddress } from "../services/crypto/reply-address";
import { tokenKeys } from "../services/crypto/signed-token";
import { readClickToken, readOpenToken } from "../services/crypto/tracked-links";

const keys = tokenKeys(env)!;
const LEAD = "0123456789abcdef0123456789abcdef";
const SENDER: Sender = {
  name: "Sam Rivera",
  company: "Demo Home Services",
  email: "sam@example.com",
  postalAddress: "100 Example Street, Springfield",
  replyDomain: "reply.example.com",
  publicUrl: "https://engine.example",
};

function touch(overrides: Partial<OutgoingTouch> = {}): OutgoingTouch {
  return {
    key: "e2-t3-email",
    enrolmentId: "e2",
    sequenceId: "new-inquiry",
    touchId: "e2-t3",
    stepId: "value",
    intent: "value",
    channel: "email",
    to: "ann@example.com",
    subject: "Hello",
    text: "Hi Ann,\n\nRead this: https://owner.example/guide.\nOr book: https://owner.example/book?x=1&y=2",
    variant: "template",
    origin: "template",
    instant: false,
    references: [],
    ...overrides,
  };
}

describe("composing an email", () => {
  it("tracks each link to exactly its destination, with the pixel and a hidden honeypot link", async () => {
    const email = await composeEmail(keys, SENDER, new Set(["https://owner.example"]), LEAD, touch(), 1_000);
    const clickTokens = [...email.html.matchAll(/https:\/\/engine\.example\/c\/([^"]+)"/g)].map((m) => m[1]!);
    const clicks = await Promise.all(clickTokens.map((t) => readClickToken(keys, t)));
    expect(clicks.map((c) => [c?.u, c?.i, c?.h, c?.o])).toEqual([
      ["https://owner.example/guide", 0, undefined, 1],
      ["https://owner.example/book?x=1&y=2", 1, undefined, 1],
      ["https://engine.example/", 2, 1, undefined],
    ]);
    // The sentence's full stop stays outside the link.
    expect(email.text).toMatch(/Read this: https:\/\/engine\.example\/c\/\S+[^.]\./);
    const pixel = /\/o\/([^"]+)"/.exec(email.html)![1]!;
    expect(await readOpenToken(keys, pixel)).toEqual({ l: LEAD, m: "e2-t3-email", s: 1_000 });
  });

  it("threads a follow-up under the earlier messages", async () => {
    const email = await composeEmail(keys, SENDER, new Set(), LEAD, touch({ references: ["<a@x>", "<b@x>"] }), 0);
    expect(email.headers).toMatchObject({ "In-Reply-To": "<b@x>", References: "<a@x> <b@x>" });
    expect(email.messageId).toBe(`<e2-t3-email.${LEAD}@example.com>`);
    expect(await readRoutingAddress(keys, email.replyTo!)).toEqual({ purpose: "reply", leadId: LEAD });
  });

  it("no line break from lead data reaches a header, and nothing the lead typed is rendered as HTML", async () => {
    const name = "Ann\r\nBcc: victim@example.com <script>alert(1)</script>";
    const subject = renderTemplate("Hello {{firstName|there}}", { firstName: name });
    const email = await composeEmail(
      keys,
      SENDER,
      new Set(),
      LEAD,
      touch({ subject, to: "ann@example.com\r\nBcc: x@y", text: renderTemplate("Hi {{firstName}}", { firstName: name }) }),
      0,
    );
    for (const value of [email.subject, email.to, ...Object.values(email.headers)]) expect(value).not.toMatch(/[\r\n]/);
    expect(email.html).not.toContain("<script>");
    expect(email.html).toContain("&lt;script&gt;");
  });

  it("a forged or altered reply address names no lead", async () => {
    const address = (await composeEmail(keys, SENDER, new Set(), LEAD, touch(), 0)).replyTo!;
    expect(await readRoutingAddress(keys, address.replace(/-[0-9a-f]{4}/, "-0000"))).toBeNull();
    expect(await readRoutingAddress(keys, address.replace(LEAD, "f".repeat(32)))).toBeNull();
    expect(await readRoutingAddress(keys, address.toUpperCase())).toEqual({ purpose: "reply", leadId: LEAD });
  });
});
