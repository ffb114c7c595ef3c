import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { leadIdFor } from "../services/crypto/lead-identity";
import { asOwner, call, unique } from "./helpers";
import { deliver, dmarcPass, evidenceOf, inbound, leadWithFirstTouch, mail, replyEntry, suppressed } from "./inbound-mail";
import { advance, clocks, kinds, outboxFor, settle, stubFor, summaryOf } from "./lead-harness";

/**
 * Inbound email through the Worker's `email()` entry, with raw messages built in
 * inbound-mail.ts and the public labelled fixtures in test/fixtures (replies:
 * github/email_reply_parser, zapier/email-reply-parser, willdurand/EmailReplyParser,
 * crisp-oss/email-reply-parser, MIT; bounces: sisimai/set-of-emails via go-sisimai,
 * BSD-2-Clause). Whether mail proves itself before it acts: inbound-proof.test.ts.
 */

const { replies, bounces } = env.TEST_FIXTURES;

const inboundRows = async (leadId: string) =>
  (await env.DB.prepare("SELECT kind, disposition, detail FROM inbound_messages WHERE lead_id = ?").bind(leadId).all<{ kind: string; disposition: string; detail: string }>())
    .results;

describe("email(): human replies", () => {
  it("a reply to the routing address pauses the lead, is on its timeline with visible text and intent, and reaches the owner", async () => {
    const { leadId, stub, email, replyTo } = await leadWithFirstTouch();
    const message = await deliver(
      inbound(
        mail({
          from: `Ann <${email}>`,
          to: replyTo,
          subject: "Re: Thanks for your inquiry",
          body: "How much would a full roof replacement cost?\n\nOn Mon, Nov 2, 2026 at 10:00 AM Sam Rivera <sam@example.com> wrote:\n> Hi Ann,\n> thanks for reaching out.",
        }),
        { from: email, to: replyTo },
      ),
    );
    await settle(stub);
    const summary = await summaryOf(stub);
    // Asking for a price is buying intent: the reply pauses the lead and hands it to a rep.
    expect(summary.status).toBe("with_rep");
    expect(summary.timeline.find((e) => e.kind === "handed_off")).toMatchObject({ trigger: "buying_intent" });
    expect(await replyEntry(stub)).toMatchObject({ text: "How much would a full roof replacement cost?", intent: "pricing", channel: "email", evidence: "signed reply address" });
    expect(message.forwardedTo).toEqual([env.OWNER_EMAIL]);
    expect(await inboundRows(leadId)).toMatchObject([{ kind: "human", disposition: "applied; forwarded" }]);
    // The owner's alert says who and what, and nothing more goes to the lead.
    const alerts = (await asOwner(`/api/outbox?leadId=${leadId}&limit=50`).then((r) => r.json() as Promise<{ messages: { to: string; text: string }[] }>)).messages.filter(
      (m) => m.to === env.OWNER_EMAIL,
    );
    expect(alerts.some((a) => a.text.includes("How much would a full roof replacement cost?") && a.text.includes("pricing"))).toBe(true);
  });

  it("finds the lead from In-Reply-To when the reply comes from another, authenticated address to the plain reply domain", async () => {
    const { leadId, stub, messageId } = await leadWithFirstTouch();
    const to = `hello@${env.REPLY_DOMAIN}`;
    await deliver(
      inbound(
        mail({
          from: "assistant@other.example",
          to,
          subject: "Re: hi",
          body: "Ann asked me to book a call for Thursday.",
          headers: { "In-Reply-To": messageId, ...dmarcPass("assistant@other.example") },
        }),
        { from: "assistant@other.example", to },
      ),
    );
    await settle(stub);
    expect((await summaryOf(stub)).status).toBe("replied");
    expect(JSON.parse((await inboundRows(leadId))[0]!.detail)).toMatchObject({
      resolvedBy: "thread",
      evidence: `answers our Message-ID ${messageId}; dmarc=pass header.from=other.example (mx.cloudflare.net)`,
    });
  });

  it("finds the lead from the sender's authenticated address when the client dropped every header we set", async () => {
    const { leadId, stub, email } = await leadWithFirstTouch();
    const to = `info@${env.REPLY_DOMAIN}`;
    await deliver(inbound(mail({ from: email.toUpperCase(), to, subject: "question", body: "Do you also do gutters?", headers: dmarcPass(email) }), { from: email, to }));
    await settle(stub);
    expect(await replyEntry(stub)).toMatchObject({ intent: "question" });
    expect(JSON.parse((await inboundRows(leadId))[0]!.detail)).toMatchObject({ resolvedBy: "sender" });
  });

  it("a reply to the first of three emails is credited to that touch, on the timeline and in its step's reply count", async () => {
    const { leadId, stub, email, replyTo } = await leadWithFirstTouch();
    const emailsSent = async () => (await outboxFor(leadId)).filter((m) => m.channel === "email" && m.to === email);
    for (let step = 0; step < 10 && (await emailsSent()).length < 3; step++) await advance(stub);
    const [first, second, third] = await emailsSent();
    expect(third).toBeDefined();
    const touchOf = (message: { headers: Record<string, string> }) => message.headers["X-Follow-Up-Touch"]!;
    // The client names the first email as the message it answers, and the whole thread as References.
    const headers = { "In-Reply-To": first!.messageId, References: [first, second, third].map((m) => m!.messageId).join(" ") };
    await deliver(
      inbound(mail({ from: email, to: replyTo, subject: `Re: ${first!.subject}`, body: "Is the price in your first email still valid?", headers }), { from: email, to: replyTo }),
    );
    await settle(stub);
    const entry = (await summaryOf(stub)).timeline.find((e) => e.kind === "reply_received");
    expect(entry).toMatchObject({ messageKey: touchOf(first!), touchKey: touchOf(first!) });
    const replied = (await env.DB.prepare("SELECT id FROM touches WHERE lead_id = ? AND replied_at IS NOT NULL").bind(leadId).all<{ id: string }>()).results;
    expect(replied.map((r) => r.id)).toEqual([`${leadId}:${touchOf(first!)}`]);
  });

  it("a reply that names none of our messages is credited to the latest email", async () => {
    const { leadId, stub, email, replyTo } = await leadWithFirstTouch();
    await advance(stub);
    const latest = (await outboxFor(leadId)).filter((m) => m.channel === "email" && m.to === email).at(-1)!;
    await deliver(
      inbound(mail({ from: email, to: replyTo, subject: "A question", body: "Do you also do gutters?", headers: { "In-Reply-To": "<unknown@mail.example.net>" } }), {
        from: email,
        to: replyTo,
      }),
    );
    await settle(stub);
    const entry = (await summaryOf(stub)).timeline.find((e) => e.kind === "reply_received");
    expect(entry).toMatchObject({ touchKey: latest.headers["X-Follow-Up-Touch"] });
    expect(entry).not.toHaveProperty("messageKey");
  });

  it("a message that matches no lead is forwarded to the owner and recorded, and creates no lead", async () => {
    const from = `${unique("stranger")}@example.net`;
    const to = `sales@${env.REPLY_DOMAIN}`;
    const message = await deliver(inbound(mail({ from, to, subject: "Partnership", body: "Hello, are you open to a partnership?" }), { from, to }));
    expect(message.forwardedTo).toEqual([env.OWNER_EMAIL]);
    const row = await env.DB.prepare("SELECT kind, lead_id, disposition FROM inbound_messages WHERE from_address = ?").bind(from).first();
    expect(row).toMatchObject({ kind: "human", lead_id: null, disposition: "unmatched; forwarded" });
    expect(await summaryOf(stubFor(await leadIdFor(env.LEAD_ID_SECRET, { email: from })))).toBeNull();
  });

  it("an unsubscribe request in a reply, in German, suppresses the address and stops every sequence", async () => {
    const { stub, email, replyTo } = await leadWithFirstTouch();
    await deliver(
      inbound(
        mail({ from: email, to: replyTo, subject: "AW: Ihre Anfrage", body: "Bitte tragen Sie mich aus dem Verteiler aus, keine weiteren E-Mails.\n\nMit freundlichen Grüßen" }),
        { from: email, to: replyTo },
      ),
    );
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.status).toBe("unsubscribed");
    expect(summary.consent.email).toMatchObject({ granted: false, method: "reply" });
    expect(await suppressed("email", email)).toMatch(/unsubscribed/);
  });

  it("a reply the heuristics are unsure of is needs_review: it pauses the lead and nothing else is automatic", async () => {
    const { stub, email, replyTo } = await leadWithFirstTouch();
    await deliver(inbound(mail({ from: email, to: replyTo, subject: "Re: hi", body: "Not right now, but let's talk next week." }), { from: email, to: replyTo }));
    await settle(stub);
    expect(await replyEntry(stub)).toMatchObject({ intent: "needs_review" });
    expect((await replyEntry(stub))!.confidence).toBeLessThan(0.7);
    const summary = await summaryOf(stub);
    expect(summary.status).toBe("replied");
    expect(await runInDurableObject(stub, (_o, state) => state.storage.sql.exec("SELECT * FROM due WHERE key = 'hold-ends'").toArray())).toEqual([]);
  });

  it("'not now, until next quarter' holds the lead until the quarter starts in its zone, then its sequence resumes", async () => {
    const { leadId, stub, email, replyTo } = await leadWithFirstTouch();
    const before = (await outboxFor(leadId)).filter((m) => m.to === email).length;
    const repliedAt = clocks.get(stub.id.toString())!.at;
    await deliver(inbound(mail({ from: email, to: replyTo, subject: "Re: hi", body: "Not now, we are busy until next quarter." }), { from: email, to: replyTo }));
    await settle(stub);
    // The lead's clock reads November 2026: the next quarter starts on 1 January, midnight in New York.
    expect(await replyEntry(stub)).toMatchObject({ intent: "not_now", holdUntil: "2027-01-01" });
    expect((await summaryOf(stub)).timeline.find((e) => e.kind === "lead_held")).toMatchObject({ until: Date.UTC(2027, 0, 1, 5), reason: expect.stringContaining("2027-01-01") });
    await advance(stub);
    const after = await summaryOf(stub);
    expect(repliedAt).toBeLessThan(Date.UTC(2026, 11, 1));
    expect(clocks.get(stub.id.toString())!.at).toBeGreaterThanOrEqual(Date.UTC(2027, 0, 1, 5));
    expect(after.status).toBe("active");
    expect(kinds(after)).toContain("automation_resumed");
    // And the next touch goes out afterwards.
    for (let i = 0; i < 4 && (await outboxFor(leadId)).filter((m) => m.to === email).length === before; i++) await advance(stub);
    expect((await outboxFor(leadId)).filter((m) => m.to === email).length).toBeGreaterThan(before);
  });

  it("a mail to the unsubscribe routing address (the List-Unsubscribe mailto) unsubscribes", async () => {
    const { leadId, stub, email } = await leadWithFirstTouch();
    const first = (await outboxFor(leadId)).find((m) => m.channel === "email")!;
    const to = /mailto:([^?>]+)/.exec(first.headers["List-Unsubscribe"]!)![1]!;
    const message = await deliver(inbound(mail({ from: email, to, subject: "unsubscribe", body: "" }), { from: email, to }));
    await settle(stub);
    expect((await summaryOf(stub)).status).toBe("unsubscribed");
    expect(message.forwardedTo).toEqual([]);
    expect(await evidenceOf("email", email)).toBe("signed unsubscribe address");
  });

  it("the same message delivered twice is acted on once", async () => {
    const { stub, email, replyTo } = await leadWithFirstTouch();
    const raw = mail({ from: email, to: replyTo, subject: "Re: hi", body: "Call me tomorrow at 3." });
    await deliver(inbound(raw, { from: email, to: replyTo }));
    await deliver(inbound(raw, { from: email, to: replyTo }));
    await settle(stub);
    expect(kinds(await summaryOf(stub)).filter((k) => k === "reply_received")).toHaveLength(1);
  });

  it("fixture replies from several clients arrive on the timeline as the person's own text", async () => {
    for (const file of [
      "github_email_reply_parser/emails/email_iPhone.txt",
      "willdurand_EmailReplyParser/Fixtures/email_thread.txt",
      "willdurand_EmailReplyParser/Fixtures/email_customer_quote_header_3.txt",
      "github_email_reply_parser/emails/email_BlackBerry.txt",
    ]) {
      const sample = replies.find((r) => r.file === file)!;
      const { stub, email, replyTo } = await leadWithFirstTouch("fixture");
      await deliver(inbound(mail({ from: email, to: replyTo, subject: "Re: hi", body: sample.body }), { from: email, to: replyTo }));
      await settle(stub);
      expect((await replyEntry(stub))?.text, file).toBe(sample.expected_reply);
    }
  });

  it("an HTML-only reply is converted and its quoted history cut", async () => {
    const { stub, email, replyTo } = await leadWithFirstTouch();
    const html = `<div dir="ltr">Yes, <b>Thursday</b> at 2pm works.</div><br><div class="gmail_quote"><div>On Mon, Nov 2, 2026 Sam wrote:</div><blockquote>Hi Ann, when suits you?</blockquote></div>`;
    await deliver(inbound(mail({ from: email, to: replyTo, subject: "Re: hi", body: html, contentType: "text/html; charset=utf-8" }), { from: email, to: replyTo }));
    await settle(stub);
    expect((await replyEntry(stub))!.text).toBe("Yes, Thursday at 2pm works.");
  });
});

describe("email(): machines", () => {
  /** A delivery report; `returned` is the header block of the message it returns (none: a report anyone could forge). */
  const dsn = (recipient: string, status: string, diagnostic: string, returned?: string) =>
    `From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\nTo: bounces@${env.REPLY_DOMAIN}\nSubject: Undelivered Mail Returned to Sender\nMessage-ID: <${crypto.randomUUID()}@mx.example.org>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n--b1\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; ${recipient}\nAction: failed\nStatus: ${status}\nDiagnostic-Code: smtp; ${diagnostic}\n\n${returned ? `--b1\nContent-Type: text/rfc822-headers\n\n${returned}\n` : ""}--b1--\n`;
  const ours = (email: string, messageId: string) => `From: Sam Rivera <sam@example.com>\nTo: ${email}\nSubject: Thanks for your inquiry\nMessage-ID: ${messageId}`;

  it("a hard bounce that returns our Message-ID suppresses the address and skips the lead's email touches from then on", async () => {
    const { leadId, stub, email, messageId } = await leadWithFirstTouch("hard");
    const before = (await outboxFor(leadId)).filter((m) => m.to === email).length;
    await deliver(
      inbound(dsn(email, "5.1.1", "550 5.1.1 <x>: Recipient address rejected: User unknown", ours(email, messageId)), {
        from: "MAILER-DAEMON@mx.example.org",
        to: `bounces@${env.REPLY_DOMAIN}`,
      }),
    );
    await settle(stub);
    expect(await suppressed("email", email)).toBe("hard bounce 5.1.1");
    expect(await evidenceOf("email", email)).toBe(`returned our Message-ID ${messageId}`);
    const summary = await summaryOf(stub);
    expect(summary.timeline.find((e) => e.kind === "bounced")).toMatchObject({ bounceType: "hard", suppressed: true, evidence: `returned our Message-ID ${messageId}` });
    for (let i = 0; i < 4; i++) await advance(stub);
    expect((await outboxFor(leadId)).filter((m) => m.to === email)).toHaveLength(before);
    expect(kinds(await summaryOf(stub))).toContain("touch_skipped");
  });

  it("a fixture bounce (Postfix, 5.1.1) for the lead's address is applied as hard", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("pfx");
    const sample = bounces.find((b) => b.file.endsWith("lhost-postfix-01.eml"))!;
    // Original-Recipient is the address we sent to (Final-Recipient may be a rewritten alias);
    // the returned message, cut from the fixture, is given back the headers of ours.
    const raw = atob(sample.base64)
      .replaceAll("kijitora@example.org", email)
      .replace(/Content-Type: message\/rfc822\r?\n/, (part) => `${part}\n${ours(email, messageId)}\n\n`);
    await deliver(
      inbound(
        Uint8Array.from(raw, (c) => c.charCodeAt(0)),
        { from: "MAILER-DAEMON@p351355.pool.example.ne.jp", to: `bounces@${env.REPLY_DOMAIN}` },
      ),
    );
    await settle(stub);
    expect((await summaryOf(stub)).timeline.find((e) => e.kind === "bounced")).toMatchObject({ bounceType: "hard", status: "5.1.1", address: email });
    expect(await suppressed("email", email)).toBe("hard bounce 5.1.1");
  });

  it("soft bounces retry: one leaves email on, the third in a row suppresses", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("soft");
    const soft = () =>
      deliver(inbound(dsn(email, "4.2.2", "452 4.2.2 Mailbox full", ours(email, messageId)), { from: "MAILER-DAEMON@mx.example.org", to: `bounces@${env.REPLY_DOMAIN}` }));
    await soft();
    await settle(stub);
    expect(await suppressed("email", email)).toBeNull();
    await soft();
    await soft();
    await settle(stub);
    expect(await suppressed("email", email)).toBe("3 soft bounces");
  });

  it("a complaint (ARF feedback report) unsubscribes the lead and suppresses the address", async () => {
    const { stub, email, messageId } = await leadWithFirstTouch("arf");
    const arf = `From: feedback@isp.example\nTo: abuse@${env.REPLY_DOMAIN}\nSubject: Abuse report\nMessage-ID: <${crypto.randomUUID()}@isp.example>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary="f1"\n\n--f1\nContent-Type: text/plain\n\nThis is an abuse report.\n\n--f1\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: ISP-FBL/1.0\nVersion: 1\nOriginal-Rcpt-To: ${email}\n\n--f1\nContent-Type: text/rfc822-headers\n\nFrom: sam@example.com\nTo: ${email}\nSubject: Thanks\nMessage-ID: ${messageId}\n\n--f1--\n`;
    await deliver(inbound(arf, { from: "feedback@isp.example", to: `abuse@${env.REPLY_DOMAIN}` }));
    await settle(stub);
    expect((await summaryOf(stub)).status).toBe("unsubscribed");
    expect(await suppressed("email", email)).toMatch(/unsubscribed/);
    expect(await evidenceOf("email", email)).toBe(`complaint (abuse) that returned our Message-ID ${messageId}`);
  });

  it("an out-of-office postpones pending touches to the day after its return date and does not stop the sequence", async () => {
    const { stub, email, replyTo } = await leadWithFirstTouch("ooo");
    await deliver(
      inbound(
        mail({
          from: email,
          to: replyTo,
          subject: "Automatic reply: Thanks for your inquiry",
          body: "I am out of the office until November 20, 2026 with limited access to email.",
          headers: { "Auto-Submitted": "auto-replied" },
        }),
        { from: email, to: replyTo },
      ),
    );
    await settle(stub);
    const summary = await summaryOf(stub);
    expect(summary.status).toBe("active");
    expect(summary.timeline.find((e) => e.kind === "auto_reply_received")).toMatchObject({ returnDate: "2026-11-20" });
    const earliest = await runInDurableObject(
      stub,
      (_o, state) => state.storage.sql.exec<{ at: number }>("SELECT MIN(due_at) AS at FROM due WHERE key LIKE 'step:%' OR key LIKE 'delivery:%'").one().at,
    );
    // Midnight starting 21 November in New York (EST, UTC-5).
    expect(earliest).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 21, 5, 0));
  });

  it("an out-of-office without a date postpones by the default 7 days", async () => {
    const { stub, email, replyTo } = await leadWithFirstTouch("ooo7");
    const now = clocks.get(stub.id.toString())!.at;
    await deliver(
      inbound(mail({ from: email, to: replyTo, subject: "Abwesenheitsnotiz", body: "Ich bin derzeit nicht im Büro.", headers: { "X-Autoreply": "yes" } }), {
        from: email,
        to: replyTo,
      }),
    );
    await settle(stub);
    const earliest = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec<{ at: number }>("SELECT MIN(due_at) AS at FROM due WHERE key LIKE 'step:%'").one().at);
    expect(earliest).toBeGreaterThanOrEqual(now + 7 * 86_400_000 - 3_600_000);
    expect((await summaryOf(stub)).status).toBe("active");
  });

  it("refuses a message over the size cap with a clear reason", async () => {
    const message = await deliver(
      inbound(mail({ from: "big@example.net", to: `x@${env.REPLY_DOMAIN}`, subject: "big", body: "x".repeat(2 * 1024 * 1024 + 10) }), {
        from: "big@example.net",
        to: `x@${env.REPLY_DOMAIN}`,
      }),
    );
    expect(message.rejected).toMatch(/too large/i);
  });

  it("hostile MIME (broken boundary, huge header, unknown charset, invalid UTF-8) never throws and is never dropped", async () => {
    const to = `x@${env.REPLY_DOMAIN}`;
    const samples: (string | Uint8Array)[] = [
      `From: a@example.net\nTo: ${to}\nSubject: broken\nContent-Type: multipart/mixed; boundary="never"\n\n--other\nContent-Type: text/plain\n\nhello\n`,
      `From: a@example.net\nTo: ${to}\nX-Huge: ${"h".repeat(300_000)}\nSubject: huge\n\nhello\n`,
      `From: a@example.net\nTo: ${to}\nSubject: charset\nContent-Type: text/plain; charset=x-no-such-charset\n\nhello\n`,
      Uint8Array.from([...new TextEncoder().encode(`From: a@example.net\nTo: ${to}\nSubject: bytes\n\n`), 0xff, 0xfe, 0xc3, 0x28, 0x0a]),
      "",
    ];
    for (const raw of samples) {
      const message = await deliver(inbound(raw, { from: "a@example.net", to }));
      expect(message.rejected).toBeUndefined();
      expect(message.forwardedTo).toEqual([env.OWNER_EMAIL]);
    }
  });
});

describe("POST /api/inbound/inspect", () => {
  it("reads a message with no side effects", async () => {
    const { stub, email, replyTo } = await leadWithFirstTouch("inspect");
    const raw = mail({
      from: email,
      to: replyTo,
      subject: "Re: hi",
      body: "We already use RoofCo, not interested.\n\nOn Mon, Nov 2, 2026 at 10:00 AM Sam <sam@example.com> wrote:\n> hi",
    });
    const response = await asOwner("/api/inbound/inspect", { method: "POST", headers: { "content-type": "message/rfc822" }, body: raw });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      kind: "human",
      visibleText: "We already use RoofCo, not interested.",
      intent: "not_interested",
      senderAuthentication: { verified: false, reason: "no Authentication-Results from the receiving side" },
    });
    expect((await summaryOf(stub)).status).toBe("active");
  });

  it("shows a bounce's type, status and recipient", async () => {
    const sample = bounces.find((b) => b.file.endsWith("lhost-postfix-01.eml"))!;
    const response = await asOwner("/api/inbound/inspect", {
      method: "POST",
      headers: { "content-type": "message/rfc822" },
      body: Uint8Array.from(atob(sample.base64), (c) => c.charCodeAt(0)),
    });
    expect(await response.json()).toMatchObject({ kind: "bounce", bounce: { type: expect.stringMatching(/hard|soft/), recipient: expect.stringContaining("@") } });
  });

  it("answers bad requests with a 4xx and a reason", async () => {
    expect((await call("/api/inbound/inspect", { method: "POST", headers: { "content-type": "message/rfc822" }, body: "x" })).status).toBe(401);
    const wrongType = await asOwner("/api/inbound/inspect", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toMatchObject({ error: { code: "unsupported_media_type" } });
    expect((await asOwner("/api/inbound/inspect", { method: "POST", headers: { "content-type": "message/rfc822" }, body: "" })).status).toBe(400);
    expect((await asOwner("/api/inbound/inspect", { method: "POST", headers: { "content-type": "message/rfc822" }, body: "x".repeat(2 * 1024 * 1024 + 1) })).status).toBe(413);
  });

  it("lists what came in, newest first, filtered by kind", async () => {
    const response = await asOwner("/api/inbound?kind=bounce&limit=5");
    expect(response.status).toBe(200);
    const { messages } = (await response.json()) as { messages: { kind: string; receivedAt: number }[] };
    // The bounces delivered earlier in this file are there, and nothing else.
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((m) => m.kind === "bounce")).toBe(true);
    expect(messages.map((m) => m.receivedAt)).toEqual([...messages.map((m) => m.receivedAt)].sort((a, b) => b - a));
    expect((await asOwner("/api/inbound?kind=nonsense")).status).toBe(422);
  });
});

describe("data rights cover inbound mail", () => {
  it("export includes and erase removes the lead's inbound messages", async () => {
    const { leadId, stub, email, replyTo } = await leadWithFirstTouch("rights");
    await deliver(inbound(mail({ from: email, to: replyTo, subject: "Re: hi", body: "Please call me." }), { from: email, to: replyTo }));
    await settle(stub);
    const exported = (await (await asOwner(`/api/leads/${leadId}/export`)).json()) as { database: { inbound: unknown[] } };
    expect(exported.database.inbound).toHaveLength(1);
    expect((await asOwner(`/api/leads/${leadId}`, { method: "DELETE" })).status).toBeLessThan(300);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM inbound_messages WHERE lead_id = ? OR from_address = ?").bind(leadId, email).first<{ n: number }>())!.n).toBe(0);
  });
});
