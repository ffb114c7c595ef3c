import { describe, expect, it } from "vitest";
import { readMessage } from "../../engine/inbound/message";
import { messageKind, type MessageKind } from "../../engine/inbound/message-kind";

/**
 * Delivery reports the reader missed or mistyped on mail it had never seen (issue 22), on
 * samples written here (not the fixtures): failures without a status code typed by their
 * words as sisimai maps its reasons, and reports that are not failures at all.
 */

const RECEIVED = Date.UTC(2026, 10, 2);
const kindOf = async (raw: string): Promise<MessageKind> => messageKind(await readMessage(raw), RECEIVED);

const daemonReport = (subject: string, body: string, from = "Mail Delivery System <mailer-daemon@mx.example.org>") =>
  `From: ${from}\r\nTo: bounces@reply.example.com\r\nSubject: ${subject}\r\nMessage-ID: <r1@mx.example.org>\r\n\r\n${body}\r\n`;

const dsn = (action: string, status: string, diagnostic: string, subject = "Delivery Status Notification") =>
  `From: MAILER-DAEMON@mx.example.org\r\nTo: bounces@reply.example.com\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nA report about your message.\r\n\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; sam@example.org\r\nAction: ${action}\r\nStatus: ${status}\r\n${diagnostic ? `Diagnostic-Code: smtp; ${diagnostic}\r\n` : ""}\r\n--b1--\r\n`;

describe("failures without a status code, typed by their words", () => {
  it.each([
    [
      "an unrouteable address (Exim)",
      daemonReport(
        "Mail delivery failed: returning message to sender",
        "A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  sam@example.org\n    Unrouteable address",
      ),
      "hard",
    ],
    ["a domain that does not exist", daemonReport("Undeliverable: Your roof", "Delivery has failed to these recipients:\n\nsam@example.invalid\nNo such domain"), "hard"],
    [
      "a name not in the directory (Domino)",
      daemonReport(
        "DELIVERY FAILURE: User Sam Rivera not listed",
        "Your message\n  Subject: Your roof\nwas not delivered to:\n  sam@example.org\nbecause:\n  User Sam Rivera (sam@example.org) not listed in Domino Directory",
        "Postmaster <postmaster@example.org>",
      ),
      "hard",
    ],
    [
      "a name the server does not recognise (Exchange 2003)",
      daemonReport(
        "Undeliverable: Your roof",
        "Your message\n  To: sam@example.org\ndid not reach the following recipient(s):\nsam@example.org on Tue, 3 Nov 2026 10:00:00 +0000\n    The recipient name is not recognized",
      ),
      "hard",
    ],
    // No status code and no sign of a refusal at RCPT: sisimai files these words under Filtered, soft.
    ["an invalid user address from a carrier's post_master (Verizon)", daemonReport("Re: Your roof", "Error: Invalid user address", "post_master@vtext.example.com"), "soft"],
    ["the same words refused at RCPT", daemonReport("Re: Your roof", ">>> RCPT To:<sam@example.org>\n<<< 550 Invalid user address", "post_master@vtext.example.com"), "hard"],
    [
      "Exchange 2003's unknown recipient, in its directory's words",
      daemonReport(
        "Undeliverable: Your roof",
        "Your message did not reach some or all of the intended recipients.\n\n      sam@example.org\n            The recipient name is not recognized",
      ),
      "hard",
    ],
    ["a full mailbox", daemonReport("Undelivered Mail Returned to Sender", "Your message could not be delivered to sam@example.org:\nthe recipient's mailbox is full."), "soft"],
    [
      "a message too large",
      daemonReport("Undelivered Mail Returned to Sender", "Your message could not be delivered to sam@example.org:\nmessage is too large for this recipient."),
      "soft",
    ],
    [
      "a content or policy refusal",
      daemonReport("Undelivered Mail Returned to Sender", "Your message could not be delivered to sam@example.org:\nrejected by the recipient's content policy."),
      "soft",
    ],
  ])("%s → %s", async (_, raw, type) => {
    const kind = await kindOf(raw);
    expect(kind.kind).toBe("bounce");
    if (kind.kind === "bounce") expect(kind.bounce.type).toBe(type);
  });

  it("reads an Exim refusal wrapped onto an indented line as one", async () => {
    const raw = daemonReport(
      "Mail delivery failed: returning message to sender",
      "A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  sam@example.org\n    SMTP error from remote mail server after RCPT TO:<sam@example.org>:\n    host mx.example.org [192.0.2.1]: 554 5.7.1 <sam@example.org>:\n    Recipient address rejected: Access denied",
    );
    expect(await kindOf(raw)).toMatchObject({
      kind: "bounce",
      bounce: { type: "hard", diagnostic: "host mx.example.org [192.0.2.1]: 554 5.7.1 <sam@example.org>: Recipient address rejected: Access denied" },
    });
  });

  it("reads a report with no bounce subject when the Return-Path is empty (KDDI)", async () => {
    const raw = `Return-Path: <>\r\nFrom: no-reply@mx.example.jp\r\nTo: bounces@reply.example.com\r\nSubject: Mail\r\n\r\nYour mail sent on: Tue, 3 Nov 2026 10:00:00 +0900\r\n     Could not be delivered to: <sam@example.jp>\r\n     As their mailbox is full.\r\n`;
    expect(await kindOf(raw)).toMatchObject({ kind: "bounce", bounce: { type: "soft" } });
  });
});

describe("coded failures, typed as sisimai maps them", () => {
  it.each([
    ["the remote code inside a relay's wrapper (a full mailbox)", dsn("failed", "5.1.0", "5.1.0 - Unknown address error 550-'5.2.2 <sam@example.org>... Mailbox Full'"), "soft"],
    ["a refusal of our sender, not of the recipient", dsn("failed", "5.1.8", "553 5.1.8 <bounces@reply.example.com>... Domain of sender address does not exist"), "soft"],
    ["a refusal of our sending IP", dsn("failed", "5.7.606", "550 5.7.606 Access denied, banned sending IP [192.0.2.1]"), "soft"],
    ["a disabled mailbox", dsn("failed", "5.2.1", "550 5.2.1 The email account that you tried to reach is disabled."), "soft"],
    ["an unknown user", dsn("failed", "5.1.1", "550 5.1.1 <sam@example.org>: Recipient address rejected: User unknown"), "hard"],
    ["a domain with no mail exchanger", dsn("failed", "5.4.4", "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)"), "hard"],
    ["an unknown user refused at RCPT under a mailbox-status code", dsn("failed", "5.2.1", "550 5.2.1 <sam@example.org>... User Unknown (in reply to RCPT TO command)"), "hard"],
    ["a temporary DNS failure, however permanent the code", dsn("failed", "5.4.4", "Name service error for name=example.org type=MX: Host not found, try again"), "soft"],
    ["the recipient's own filter, under a 5.1.1", dsn("failed", "5.1.1", "550 5.1.1 RCP-P2 Refused due to recipient preferences"), "soft"],
    ["a suspended mailbox that also says unavailable", dsn("failed", "5.0.0", "550 5.0.0 Mailbox unavailable or access denied"), "soft"],
    ["sisimai's unknown-user wording", dsn("failed", "5.0.0", "550 Sorry, no mailbox here by that name. (#5.1.1)"), "hard"],
  ])("%s → %s", async (_, raw, type) => {
    expect(await kindOf(raw)).toMatchObject({ kind: "bounce", bounce: { type } });
  });
});

describe("reports that are not bounces", () => {
  it.each([
    ["an RFC 3464 delay warning", dsn("delayed", "4.4.7", "Connection timed out", "Delivery Status Notification (Delay)"), "delayed"],
    ["a delivery-success report", dsn("delivered", "2.0.0", "250 2.0.0 OK"), "delivered"],
    [
      "Exim's delay warning, no report part",
      daemonReport(
        "Warning: message 1kXyZ-0001 delayed 24 hours",
        "This message was created automatically by mail delivery software.\nA message that you sent has not yet been delivered to one or more of its\nrecipients after more than 24 hours on the queue.\nNo action is required on your part. Delivery attempts will continue.",
      ),
      "delayed",
    ],
    [
      "sendmail's warning",
      daemonReport(
        "Warning: could not send message for past 4 hours",
        "    **      THIS IS A WARNING MESSAGE ONLY      **\n    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\nWill keep trying until message is 5 days old",
      ),
      "delayed",
    ],
  ])("%s", async (_, raw, notice) => {
    expect(await kindOf(raw)).toEqual({ kind: "delivery_notice", notice });
  });

  it.each([
    [
      "Boxbe",
      daemonReport(
        "Request to join my Guest List",
        "Hello,\nSam Rivera is using Boxbe to screen incoming email.\nClick here to be added to the Guest List.",
        "Boxbe <notifications@boxbe.com>",
      ),
    ],
    [
      "a please-whitelist request with an empty Return-Path",
      `Return-Path: <>\r\nFrom: Spam Filter <filter@example.org>\r\nTo: bounces@reply.example.com\r\nSubject: Your message is held\r\n\r\nYour message to sam@example.org was not delivered yet. Please whitelist yourself by replying to this message.\r\n`,
    ],
    [
      "Boxbe inside a delivery report (status 4.7.0)",
      `From: noreply@boxbe.com\r\nTo: bounces@reply.example.com\r\nSubject: Re: Your roof (Action Required)\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nPlease add yourself to my Boxbe Guest List so your messages will reach my inbox.\r\n\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; boxbe.com\r\n\r\nFinal-Recipient: rfc822; sam@example.org\r\nAction: failed\r\nDiagnostic-Code: X-Boxbe-Notice; Sender not pre-approved.\r\nStatus: 4.7.0\r\n\r\n--b1--\r\n`,
    ],
  ])("a challenge-response request (%s)", async (_, raw) => {
    expect(await kindOf(raw)).toEqual({ kind: "challenge" });
  });

  it.each([
    ["you're on my guest list", "Great news – you're on my guest list for the launch on 3 May. Send me the contract before then."],
    ["on my VIP guest list", "Done: you are on my VIP guest list for Friday. Let's sign there."],
  ])("a person who says %s is no challenge", async (_, body) => {
    expect(await kindOf(`From: Sam Rivera <sam@example.org>\r\nTo: reply+lead@reply.example.com\r\nSubject: Re: Your roof\r\n\r\n${body}\r\n`)).toEqual({ kind: "human" });
  });

  it("still reads a request to add yourself to a guest list as a challenge", async () => {
    const raw = `From: Sam Rivera <sam@example.org>\r\nTo: bounces@reply.example.com\r\nSubject: Re: Your roof\r\n\r\nI only read mail from people I know. Please add yourself to my guest list to reach me.\r\n`;
    expect(await kindOf(raw)).toEqual({ kind: "challenge" });
  });
});

describe("automatic replies beyond the common ones", () => {
  const reply = (subject: string, body: string, headers = "") =>
    `From: Sam Rivera <sam@example.org>\r\nTo: reply+lead@reply.example.com\r\nSubject: ${subject}\r\n${headers}\r\n${body}\r\n`;

  it.each([
    ["a Portuguese subject", reply("Resposta automática: Seu telhado", "Obrigado pela mensagem.")],
    ["a Swedish subject", reply("Automatiskt svar: Ert tak", "Tack för ditt meddelande.")],
    ["a Korean subject", reply("자동 회신: 지붕", "감사합니다.")],
    ["a Polish body", reply("Re: Państwa dach", "Dzień dobry, jestem na urlopie do 20 listopada.")],
    ["a body that promises an answer on return", reply("Re: Your roof", "Thanks for your email. I will respond when I return on Monday.")],
    ["Yahoo's X-Mail-Autoreply header", reply("Re: Your roof", "Thanks.", "X-Mail-Autoreply: yes\r\n")],
    ["FirstClass's X-FC-MachineGenerated header", reply("Re: Your roof", "Thanks.", "X-FC-MachineGenerated: true\r\n")],
    ["a bracketed subject tag", reply("[Automatyczna odpowiedź] Państwa dach", "Dziękuję za wiadomość.")],
    ["Precedence: junk with an auto-reply subject", reply("[Automatyczna odpowiedź] Państwa dach", "Dziękuję za wiadomość.", "Precedence: junk\r\n")],
    ["Precedence: bulk from the null sender", reply("Thank you for your e-mail", "We will answer soon.", "Precedence: bulk\r\nReturn-Path: <>\r\n")],
    ["the null sender RFC 3834 asks responders to use", reply("Thank you for your e-mail", "We will answer soon.", "Return-Path: <>\r\n")],
  ])("%s", async (_, raw) => {
    expect((await kindOf(raw)).kind).toBe("auto_reply");
  });

  it.each(["bulk", "junk"])("leaves a person's reply relayed with Precedence: %s (Request Tracker, a list) a person", async (precedence) => {
    const raw = reply(
      "Re: [rt.example.org #4711] Your roof",
      "Yes, we want the 20 seats. Please send the contract.",
      `Precedence: ${precedence}\r\nRT-Ticket: rt.example.org #4711\r\n`,
    );
    expect(await kindOf(raw)).toEqual({ kind: "human" });
  });

  it("leaves a person who mentions the office alone", async () => {
    expect(await kindOf(reply("Re: Your roof", "Call me at the office on Monday."))).toEqual({ kind: "human" });
  });
});
