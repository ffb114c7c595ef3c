import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { asOwner, unique } from "./helpers";
import { deliver, dmarcPass, evidenceOf, inbound, leadWithFirstTouch, mail, replyEntry, suppressed } from "./inbound-mail";
import { kinds, settle, summaryOf } from "./lead-harness";

/**
 * Inbound mail proves itself before it acts: bounces by what they return of a message we
 * sent, replies by the receiving side's DMARC verdict. Whatever proves nothing reaches the
 * owner and changes nothing.
 */

const inboundFrom = async (from: string) =>
  (
    await env.DB.prepare("SELECT kind, lead_id, disposition, detail FROM inbound_messages WHERE from_address = ?")
      .bind(from)
      .all<{ kind: string; lead_id: string | null; disposition: string; detail: string }>()
  ).results;

describe("email(): inbound mail proves itself before it acts", () => {
  const dsn = (recipient: string, returned = "") =>
    `From: Mail Delivery System <MAILER-DAEMON@mx.forger.example>\nTo: bounces@${env.REPLY_DOMAIN}\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <${crypto.randomUUID()}@mx.forger.example>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n--b1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.forger.example\n\nFinal-Recipient: rfc822; ${recipient}\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n${returned ? `--b1\nContent-Type: text/rfc822-headers\n\n${returned}\n` : ""}--b1--\n`;
  const bounceRows = async (recipient: string) =>
    (await env.DB.prepare("SELECT kind, lead_id, disposition FROM inbound_messages WHERE json_extract(detail, '$.bounce.recipient') = ?").bind(recipient).all()).results;
  const envelope = { from: "MAILER-DAEMON@mx.forger.example", to: `bounces@${env.REPLY_DOMAIN}` };

  it("a forged bounce from a stranger suppresses no one, leaves the lead alone and is recorded unverified", async () => {
    const { stub, email } = await leadWithFirstTouch("forged");
    const stranger = `${unique("nolead")}@example.org`;
    await deliver(inbound(dsn(email), envelope));
    await deliver(inbound(dsn(stranger), envelope));
    await settle(stub);
    expect(await suppressed("email", email)).toBeNull();
    expect(await suppressed("email", stranger)).toBeNull();
    const summary = await summaryOf(stub);
    expect(kinds(summary)).not.toContain("bounced");
    expect(summary.status).toBe("active");
    expect(await bounceRows(email)).toMatchObject([{ kind: "bounce", lead_id: null, disposition: "unverified" }]);
    expect(await bounceRows(stranger)).toMatchObject([{ kind: "bounce", lead_id: null, disposition: "unverified" }]);
  });

  it("a bounce returning our Message-ID for another lead, or one we never sent, proves nothing about this address", async () => {
    const dana = await leadWithFirstTouch("dana");
    const other = await leadWithFirstTouch("other");
    await deliver(inbound(dsn(dana.email, `To: ${dana.email}\nMessage-ID: ${other.messageId}`), envelope));
    await deliver(inbound(dsn(dana.email, `To: ${dana.email}\nMessage-ID: <e1-t1-email.${dana.leadId}@invented.example>\nX-Follow-Up-Touch: nothing-we-sent`), envelope));
    await settle(dana.stub);
    expect(await suppressed("email", dana.email)).toBeNull();
    expect(kinds(await summaryOf(dana.stub))).not.toContain("bounced");
    expect((await bounceRows(dana.email)).map((r) => r.disposition)).toEqual(["unverified", "unverified"]);
  });

  it("a bounce whose returned original carries our signed Reply-To or our touch header is proof", async () => {
    const byAddress = await leadWithFirstTouch("sig");
    await deliver(inbound(dsn(byAddress.email, `To: ${byAddress.email}\nReply-To: ${byAddress.replyTo}`), envelope));
    const touchKey = /^<([^.]+)\./.exec(byAddress.messageId)![1]!;
    const byTouch = await leadWithFirstTouch("hdr");
    await deliver(inbound(dsn(byTouch.email, `To: ${byTouch.email}\nX-Follow-Up-Touch: ${touchKey}`), envelope));
    await settle(byAddress.stub);
    await settle(byTouch.stub);
    expect(await evidenceOf("email", byAddress.email)).toBe("returned our signed reply address");
    expect(await evidenceOf("email", byTouch.email)).toBe(`returned our X-Follow-Up-Touch ${touchKey}`);
    expect((await summaryOf(byTouch.stub)).timeline.find((e) => e.kind === "bounced")).toMatchObject({ bounceType: "hard", suppressed: true });
  });

  it("a spoofed From with no authentication asking to unsubscribe, or for pricing, changes nothing and reaches the owner as needs_review", async () => {
    const { stub, email } = await leadWithFirstTouch("spoof");
    const { score: scoreBefore, consent: consentBefore } = await summaryOf(stub);
    const to = `info@${env.REPLY_DOMAIN}`;
    const unsubscribe = await deliver(inbound(mail({ from: email, to, subject: "stop", body: "Please unsubscribe me." }), { from: "attacker@evil.example", to }));
    // A failing verdict from the receiving side, with a forged passing one beneath it.
    const failing =
      "Authentication-Results: mx.cloudflare.net; dkim=none; dmarc=fail header.from=example.org; spf=fail smtp.mailfrom=attacker@evil.example\nAuthentication-Results: mx.cloudflare.net; dmarc=pass header.from=example.org";
    const pricing = await deliver(
      inbound(mail({ from: email, to, subject: "pricing", body: "What's your pricing?" }).replace(/^/, `${failing}\n`), { from: "attacker@evil.example", to }),
    );
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.status).toBe("active");
    expect(summary.consent).toEqual(consentBefore);
    expect(kinds(summary)).not.toContain("reply_received");
    expect(kinds(summary)).not.toContain("handed_off");
    expect(summary.score).toBe(scoreBefore);
    expect(await suppressed("email", email)).toBeNull();
    expect(unsubscribe.forwardedTo).toEqual([env.OWNER_EMAIL]);
    expect(pricing.forwardedTo).toEqual([env.OWNER_EMAIL]);
    const rows = await inboundFrom(email);
    expect(rows.map((r) => [r.kind, r.lead_id, r.disposition])).toEqual([
      ["human", null, "needs_review; forwarded"],
      ["human", null, "needs_review; forwarded"],
    ]);
    expect(rows.map((r) => JSON.parse(r.detail))).toMatchObject([
      { resolvedBy: "sender", intent: "unsubscribe", unverified: "no Authentication-Results from the receiving side" },
      { resolvedBy: "sender", intent: "pricing", unverified: expect.stringContaining("dmarc=fail") },
    ]);
  });

  it("a thread match without authentication is needs_review too: a Message-ID is not a signature", async () => {
    const { stub, messageId } = await leadWithFirstTouch("thread");
    const to = `hello@${env.REPLY_DOMAIN}`;
    const from = `${unique("someone")}@other.example`;
    const message = await deliver(inbound(mail({ from, to, subject: "Re: hi", body: "Please unsubscribe me.", headers: { "In-Reply-To": messageId } }), { from, to }));
    await settle(stub);
    expect((await summaryOf(stub)).status).toBe("active");
    expect(message.forwardedTo).toEqual([env.OWNER_EMAIL]);
    expect(await inboundFrom(from)).toMatchObject([{ lead_id: null, disposition: "needs_review; forwarded" }]);
  });

  it("the same requests with dmarc=pass from the receiving side act, and the evidence is recorded", async () => {
    const quitter = await leadWithFirstTouch("dmarcq");
    const buyer = await leadWithFirstTouch("dmarcb");
    const to = `info@${env.REPLY_DOMAIN}`;
    await deliver(inbound(mail({ from: quitter.email, to, subject: "stop", body: "Please unsubscribe me.", headers: dmarcPass(quitter.email) }), { from: quitter.email, to }));
    await deliver(inbound(mail({ from: buyer.email, to, subject: "pricing", body: "What's your pricing?", headers: dmarcPass(buyer.email) }), { from: buyer.email, to }));
    await settle(quitter.stub);
    await settle(buyer.stub);
    const evidence = "dmarc=pass header.from=example.org (mx.cloudflare.net)";
    const quit = await summaryOf(quitter.stub);
    expect(quit.status).toBe("unsubscribed");
    expect(quit.timeline.find((e) => e.kind === "unsubscribed")).toMatchObject({ method: "reply", evidence });
    expect(await evidenceOf("email", quitter.email)).toBe(evidence);
    expect((await summaryOf(buyer.stub)).status).toBe("with_rep");
    expect(await replyEntry(buyer.stub)).toMatchObject({ intent: "pricing", evidence });
  });

  it("an owner can see what proved a suppression and undo it", async () => {
    const { email, replyTo, stub } = await leadWithFirstTouch("undo");
    await deliver(inbound(mail({ from: email, to: replyTo, subject: "Re: hi", body: "Please unsubscribe me." }), { from: email, to: replyTo }));
    await settle(stub);
    const list = (await (await asOwner("/api/suppressions?channel=email&limit=500")).json()) as { suppressions: { value: string; reason: string; evidence: string | null }[] };
    expect(list.suppressions.find((s) => s.value === email)).toMatchObject({ reason: "unsubscribed (reply)", evidence: "signed reply address" });
    expect((await asOwner(`/api/suppressions/email/${encodeURIComponent(email)}`, { method: "DELETE" })).status).toBe(204);
    expect(await suppressed("email", email)).toBeNull();
  });
});
