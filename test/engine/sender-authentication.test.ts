import { describe, expect, it } from "vitest";
import { readMessage } from "../../engine/inbound/message";
import { parseAuthenticationResults, senderAuthentication } from "../../engine/inbound/sender-authentication";
import { reportReferences } from "../../engine/inbound/report-references";

/** The header block Email Routing put on a real message it handed a Worker (folded, with comments), and one from the sender. */
const CLOUDFLARE = [
  "Received: from mail-yw1-x112d.google.com by cloudflare-email.net (cloudflare) id GY1K for <info@example.com>",
  "ARC-Authentication-Results: i=2; mx.cloudflare.net;",
  "\tdkim=pass header.d=gmail.com header.s=20251104 header.b=L6CZ3OJ0;",
  "\tdmarc=pass header.from=gmail.com policy.dmarc=none",
  "Received-SPF: pass (mx.cloudflare.net: domain of ann@gmail.com designates 2607:f8b0::1 as permitted sender)",
  "Authentication-Results: mx.cloudflare.net;",
  "\tdkim=pass header.d=gmail.com header.s=20251104 header.b=L6CZ3OJ0;",
  "\tdmarc=pass header.from=gmail.com policy.dmarc=none;",
  "\tspf=none (mx.cloudflare.net: no SPF records found for postmaster@mail-yw1-x112d.google.com) smtp.helo=mail-yw1-x112d.google.com;",
  "\tspf=pass (mx.cloudflare.net: domain of ann@gmail.com designates 2607:f8b0::1 as permitted sender) smtp.mailfrom=ann@gmail.com",
].join("\r\n");

const message = (top: string, from = "Ann <ann@gmail.com>") => readMessage(`${top}${top ? "\r\n" : ""}From: ${from}\r\nTo: info@example.com\r\nSubject: hi\r\n\r\nhello\r\n`);

describe("sender authentication", () => {
  it("reads Email Routing's verdict as it stamps it: dmarc=pass for the From domain", async () => {
    expect(senderAuthentication(await message(CLOUDFLARE))).toEqual({ verified: true, method: "dmarc", evidence: "dmarc=pass header.from=gmail.com (mx.cloudflare.net)" });
  });

  it("reads only the topmost field, and only when the receiver wrote it", async () => {
    const forgedBelow =
      "Authentication-Results: mx.cloudflare.net; dmarc=fail header.from=gmail.com; spf=softfail smtp.mailfrom=x@evil.example\r\nAuthentication-Results: mx.cloudflare.net; dmarc=pass header.from=gmail.com";
    expect(senderAuthentication(await message(forgedBelow))).toMatchObject({ verified: false, reason: expect.stringContaining("dmarc=fail") });
    expect(senderAuthentication(await message("Authentication-Results: mx.google.com; dmarc=pass header.from=gmail.com"))).toMatchObject({
      verified: false,
      reason: expect.stringContaining("mx.google.com"),
    });
    expect(senderAuthentication(await message(""))).toEqual({ verified: false, reason: "no Authentication-Results from the receiving side" });
  });

  it("counts dmarc=pass only for the From domain it names: a bare pass a sender smuggled into another property is not proof", async () => {
    const smuggled = 'Authentication-Results: mx.cloudflare.net; spf=none smtp.mailfrom="a; dmarc=pass x"@evil.example';
    expect(senderAuthentication(await message(smuggled))).toMatchObject({ verified: false });
    expect(senderAuthentication(await message("Authentication-Results: mx.cloudflare.net; dmarc=pass header.from=evil.example"))).toMatchObject({ verified: false });
  });

  it("accepts SPF or DKIM only when aligned with the From domain", async () => {
    const spf = (mailfrom: string) => message(`Authentication-Results: mx.cloudflare.net; dkim=none; dmarc=none; spf=pass smtp.mailfrom=${mailfrom}`, "Ann <ann@example.org>");
    expect(senderAuthentication(await spf("bounce@mail.example.org"))).toMatchObject({ verified: true, method: "spf" });
    expect(senderAuthentication(await spf("x@evil.example"))).toMatchObject({ verified: false });
    const dkim = (d: string) => message(`Authentication-Results: mx.cloudflare.net; dkim=pass header.d=${d}; dmarc=none`, "Ann <ann@example.org>");
    expect(senderAuthentication(await dkim("example.org"))).toMatchObject({ verified: true, method: "dkim" });
    expect(senderAuthentication(await dkim("notexample.org"))).toMatchObject({ verified: false });
    expect(senderAuthentication(await message("Authentication-Results: mx.cloudflare.net; dmarc=pass header.from=evil.example", "Ann <ann@example.org>"))).toMatchObject({
      verified: false,
    });
  });

  it("parses methods, results and properties without comments", () => {
    const parsed = parseAuthenticationResults('mx.cloudflare.net; spf=pass (a comment; with a semicolon) smtp.mailfrom="Ann@Example.org"');
    expect(parsed.authservId).toBe("mx.cloudflare.net");
    expect(parsed.results).toMatchObject([{ method: "spf", result: "pass" }]);
    expect(parsed.results[0]!.properties.get("smtp.mailfrom")).toBe("ann@example.org");
  });
});

describe("report references", () => {
  it("finds our Message-ID, touch header and signed addresses in the returned headers", async () => {
    const leadId = "0123456789abcdef0123456789abcdef";
    const raw = [
      "From: MAILER-DAEMON@mx.example.net",
      "To: bounces@reply.example.com",
      "Subject: Undelivered",
      "MIME-Version: 1.0",
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      "",
      "--b",
      "Content-Type: message/delivery-status",
      "",
      "Final-Recipient: rfc822; ann@example.org",
      "Action: failed",
      "Status: 5.1.1",
      "",
      "--b",
      "Content-Type: text/rfc822-headers",
      "",
      `Message-ID: <e1-t1-email.${leadId}@example.com>`,
      `Reply-To: reply+${leadId}-0123456789abcdef0123@reply.example.com`,
      "X-Follow-Up-Touch: e1-t1-email",
      "",
      "--b--",
      "",
    ].join("\r\n");
    expect(reportReferences(await readMessage(raw))).toEqual({
      messageIds: [`e1-t1-email.${leadId}@example.com`],
      touchKeys: ["e1-t1-email"],
      routingAddresses: [`reply+${leadId}-0123456789abcdef0123@reply.example.com`],
    });
  });
});
