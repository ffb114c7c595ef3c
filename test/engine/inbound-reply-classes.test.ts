import { describe, expect, it } from "vitest";
import { readMessage } from "../../engine/inbound/message";
import { visibleReply } from "../../engine/inbound/visible-text";

/**
 * The kinds of reply the reader missed on mail it had never seen (issue 22), each on samples
 * written here (not the fixtures, so the held-out part stays unseen): what the person wrote
 * is kept, the history under it is not.
 */

const ANSWER = "Tuesday works, call me at 10.";
const QUOTE = "> Hi Ann,\n> does Tuesday suit you?\n> Sam";

describe("quote headers", () => {
  it.each([
    ["wrapped over lines, the address broken into pieces", `${ANSWER}\n\nOn Tue, Apr 11, 2017 at 10:07 PM Sam Rivera\n<\nmailto:sam@example.com>\nwrote:\n\n${QUOTE}`],
    [
      "wrapped with blank lines between the pieces",
      `${ANSWER}\n\nOn Thu, 31 Mar 2016 at 11:16 Sam Rivera\n\n<\nmailto:Sam Rivera <sam@example.com>\n> wrote:\n\n\nEarlier text without quote marks`,
    ],
    ["led by an ISO date and time, ending in an address and a colon", `${ANSWER}\n\n2017-04-11 22:07 GMT+02:00 Sam Rivera <sam@example.com>:\n\n${QUOTE}`],
    ["led by an ISO date, without the colon", `${ANSWER}\n\n2013/7/20 Sam Rivera <sam@example.com>\n\n| Hi Ann,\n| does Tuesday suit you?`],
    ["On <date>, at <time>, <name> sent:", `${ANSWER}\n\nOn 11 Apr 2017, at 22:07, Sam Rivera sent:\n\n${QUOTE}`],
    ["a name and the verb alone, over a quote (Usenet style)", `${ANSWER}\n\nSam Rivera wrote:\n${QUOTE}`],
    ["German, the time's colon after the verb, wrapped", `${ANSWER}\n\nSam Rivera <sam@example.com> schrieb am Fr., 28.\nApr. 2017 um 11:53 Uhr:\n\n${QUOTE}`],
    ["Hungarian, the date in brackets after the verb", `${ANSWER}\n\nSam Rivera <sam@example.com> ezt írta (időpont: 2017. ápr. 11., K, 22:07):\n\n${QUOTE}`],
    ["Dutch (Apple Mail)", `${ANSWER}\n\nOp 11 apr. 2017 om 22:07 heeft Sam Rivera <sam@example.com> het volgende geschreven:\n\n${QUOTE}`],
    ["Romanian", `${ANSWER}\n\nPe 11 apr. 2017, la 22:07, Sam Rivera <sam@example.com> a scris:\n\n${QUOTE}`],
    ["Croatian", `${ANSWER}\n\nDana 11. 04. 2017. u 22:07, Sam Rivera <sam@example.com> je napisao:\n\n${QUOTE}`],
    ["Vietnamese", `${ANSWER}\n\nVào 22:07 Th 3, 11 thg 4, 2017 Sam Rivera <sam@example.com> đã viết:\n\n${QUOTE}`],
    ["Indonesian", `${ANSWER}\n\nPada tanggal 11 Apr 2017 22.07, Sam Rivera <sam@example.com> menulis:\n\n${QUOTE}`],
    ["Ukrainian", `${ANSWER}\n\n11 квіт. 2017 р. о 22:07 Sam Rivera <sam@example.com> пише:\n\n${QUOTE}`],
    ["Russian (пишет)", `${ANSWER}\n\n11.04.2017, 22:07, "Sam Rivera" <sam@example.com> пишет:\n\n${QUOTE}`],
    ["Japanese", `${ANSWER}\n\n2017年4月11日(火) 22:07 Sam Rivera <sam@example.com>:\n\n${QUOTE}`],
    ["Korean", `${ANSWER}\n\n2017년 4월 11일 (화) 오후 10:07, Sam Rivera <sam@example.com>님이 작성:\n\n${QUOTE}`],
    ["Turkish", `${ANSWER}\n\nSam Rivera <sam@example.com>, 11 Nis 2017 Sal, 22:07 tarihinde şunu yazdı:\n\n${QUOTE}`],
    ["Arabic", `${ANSWER}\n\nفي الثلاثاء، 11 أبريل 2017 10:07 م Sam Rivera <sam@example.com> كتب:\n\n${QUOTE}`],
    ["a mailing-list gateway's, without time or address", `${ANSWER}\n\nSam Rivera via Example Forum wrote:\n\nHi Ann, does Tuesday suit you?`],
    ["On <date>, <name> said:", `${ANSWER}\n\nOn 10/12/15 12:30, Sam Rivera said:\nHi Ann, does Tuesday suit you?`],
    ["On <date>, <name> sent:, without a time", `${ANSWER}\n\nOn 11 Apr 2017, Sam Rivera sent:\n\n${QUOTE}`],
    ["a forum's Posted by line", `${ANSWER}\n\nPosted by sam on 01/21/2016\n\nHi Ann, does Tuesday suit you?`],
    ["Gmail's ISO date, the address wrapped after its <", `${ANSWER}\n\n2014-10-17 11:28 GMT+03:00 Sam Rivera <\nsam@example.com>:\n\n${QUOTE}`],
    ["wrapped over four lines", `${ANSWER}\n\nOn Fri, Jul 1, 2011\nat 4:35 PM,\nSam Rivera <sam@example.com>\nwrote:\n\n${QUOTE}`],
    ["Gmail's ISO date and a name, the address wrapped away", `${ANSWER}\n\n2016-03-03 17:21 GMT+01:00 Sam Rivera\n\n${QUOTE}`],
    ["Hebrew", `${ANSWER}\n\nבתאריך יום ג׳, 11 באפר׳ 2017 ב-22:07 מאת Sam Rivera <sam@example.com>:\n\n${QUOTE}`],
  ])("%s", (_, body) => {
    expect(visibleReply(body)).toBe(ANSWER);
  });

  it("keeps the sentence an attribution follows on the same line (HTML converted)", () => {
    expect(visibleReply(`${ANSWER} On Tue, Apr 11, 2017 at 10:07 PM, Sam Rivera <sam@example.com> wrote:\n${QUOTE}`)).toBe(ANSWER);
  });

  it.each([
    [
      "a sentence ending in said, wrapped onto the next line",
      "Hi Anna,\n\nThanks for the demo on March 3. Our CTO said\nwe should move forward with 20 seats, starting in January.\n\nBest,\nTom",
    ],
    ["a sentence ending in says, with a year in it", "Hi Anna,\n\nI checked: as of 2025 the policy says\nwe can sign for two years.\n\nTom"],
    ["said and a colon over the person's own text", "Hi Anna,\nOur CTO said on 3 March:\nwe go with 20 seats."],
    ["a sentence of the person's naming a day and a time", "On Monday at 10:30, my manager said:\nwe should sign this week. Can you send the contract?"],
  ])("keeps %s (said/says make an attribution only over a quote)", (_, body) => {
    expect(visibleReply(body)).toBe(body);
  });

  it("takes a said: line over a quote for an attribution", () => {
    expect(visibleReply(`${ANSWER}\n\nSam Rivera said:\n${QUOTE}`)).toBe(ANSWER);
  });

  it("does not take a sentence that mentions writing for an attribution", () => {
    const body = "On Monday I wrote the report and sent it to Sam.\nIt is attached again.";
    expect(visibleReply(body)).toBe(body);
  });
});

describe("separators", () => {
  it.each([
    [
      "Hotmail's dash rule over a Date/Subject block",
      `${ANSWER}\n\n----------------------------------------\nDate: Thu, 26 Jun 2014 13:53:45 +0400\nSubject: Your roof\nFrom: sam@example.com\nTo: ann@example.org\n\nHi Ann`,
    ],
    [
      "Outlook's underscore rule over a From/Sent block",
      `${ANSWER}\n\n________________________________\nFrom: Sam Rivera\nSent: Tuesday, April 11, 2017 10:07 PM\nTo: Ann Lee\nSubject: Your roof\n\nHi Ann`,
    ],
    ["a header block that starts with Sent, no rule above", `${ANSWER}\n\nSent: Tuesday, April 11, 2017 10:07 PM\nFrom: Sam Rivera\nTo: Ann Lee\nSubject: Your roof\n\nHi Ann`],
    [
      "Outlook's dash rule with a blank line before the block",
      `${ANSWER}\n\n-----------------------------\n\nSent: Tuesday, April 11, 2017 10:07 PM\nFrom: Sam Rivera\nSubject: Your roof\n\nHi Ann`,
    ],
    ["a help desk's reply-above marker", `${ANSWER}\n\n##- Please type your reply above this line -##\n\nYour request (4711) has been updated.`],
    ["the same marker in German", `${ANSWER}\n\n##- Bitte geben Sie Ihre Antwort oberhalb dieser Zeile ein. -##\n\nIhre Anfrage (4711) wurde aktualisiert.`],
    ["a short rule and a Previous Replies heading", `${ANSWER}\n\n---\n\nPrevious Replies\n\nSam Rivera, Apr 11: Hi Ann, does Tuesday suit you?`],
    ["Reply Message between dashes", `${ANSWER}\n\n----- Reply message -----\nFrom: Sam <sam@example.com>\nTo: ann@example.org\n\nHi Ann`],
    ["Apple Mail's forward in French", `${ANSWER}\n\nDébut du message transféré :\n\nDe: Sam <sam@example.com>\nObjet: Toit\n\nBonjour Ann`],
    ["a dated Date/To/Subject block without a From line", `${ANSWER}\n\nDate: Thu, 12 May 2016 10:00\nTo: Ann Lee\nSubject: Your roof\n\nHi Ann`],
    [
      "a dated lead-in and a short rule over the header block",
      `${ANSWER}\n\n====\n\nMessage du : 12/12/2016 13:20\nDe : "Sam Rivera" <sam@example.com>\nA : ann@example.org\nSujet : Toit\n\nBonjour Ann`,
    ],
    ["the same heading in French", `${ANSWER}\n\n---\nRéponses précédentes\n\nSam Rivera : Bonjour Ann`],
  ])("%s", (_, body) => {
    expect(visibleReply(body)).toBe(ANSWER);
  });

  it.each([
    ["Spanish", "De: Sam Rivera\nEnviado el: martes, 11 de abril de 2017 22:07\nPara: Ann Lee\nAsunto: Su tejado"],
    ["Portuguese", "De: Sam Rivera\nEnviada em: terça-feira, 11 de abril de 2017 22:07\nPara: Ann Lee\nAssunto: Seu telhado"],
    ["Czech", "Od: Sam Rivera\nOdesláno: úterý 11. dubna 2017 22:07\nKomu: Ann Lee\nPředmět: Střecha"],
    ["Turkish", "Kimden: Sam Rivera\nGönderildi: 11 Nisan 2017 Salı 22:07\nKime: Ann Lee\nKonu: Çatınız"],
    ["Hungarian", "Feladó: Sam Rivera\nElküldve: 2017. április 11. 22:07\nCímzett: Ann Lee\nTárgy: A tető"],
    ["Romanian", "De la: Sam Rivera\nTrimis: marți, 11 aprilie 2017 22:07\nCătre: Ann Lee\nSubiect: Acoperișul"],
    ["Ukrainian", "Від: Sam Rivera\nНадіслано: 11 квітня 2017 р. 22:07\nКому: Ann Lee\nТема: Дах"],
    ["Japanese", "差出人: Sam Rivera\n送信日時: 2017年4月11日 22:07\n宛先: Ann Lee\n件名: 屋根"],
    ["French (Outlook for Mac)", "Expéditeur: Sam Rivera <sam@example.com>\nDestinataire: Ann Lee\nObjet: Toit"],
    ["Chinese (traditional)", "寄件者: Sam Rivera\n寄件日期: 2017年4月11日 22:07\n收件者: Ann Lee\n主旨: 屋頂"],
  ])("an Outlook header block in %s", (_, block) => {
    expect(visibleReply(`${ANSWER}\n\n${block}\n\nHi Ann`)).toBe(ANSWER);
  });

  it.each([
    ["Portuguese", "---------- Mensagem encaminhada ---------"],
    ["Polish", "---------- Wiadomość przekazana dalej ---------"],
    ["Hungarian", "-----Eredeti üzenet-----"],
    ["Danish", "-----Oprindelig meddelelse-----"],
    ["Korean", "-----원본 메시지-----"],
  ])("a forwarded or original-message marker in %s", (_, marker) => {
    expect(visibleReply(`${ANSWER}\n\n${marker}\nHi Ann`)).toBe(ANSWER);
  });

  it("keeps a rule the person drew in their own text", () => {
    const body = "Two options:\n\n---\n\nA: Tuesday\nB: Friday";
    expect(visibleReply(body)).toBe(body);
  });
});

describe("mobile signatures", () => {
  it.each([
    "Sent via mobile",
    "(Sent from mobile device)",
    "From my iPhone 6",
    "Sam from mobile",
    "Sent from my Samsung Galaxy smartphone.",
    "Envoyé à partir de Outlook pour iOS<https://aka.ms/o0ukef>",
    "Diese Nachricht wurde von meinem Android-Mobiltelefon mit K-9 Mail gesendet.",
    "Odesláno z iPhonu",
    "從我的 iPhone 傳送",
    "发自我的iPhone",
    "iPhoneから送信",
  ])("%s", (line) => {
    expect(visibleReply(`${ANSWER}\n\n${line}`)).toBe(ANSWER);
  });

  it("keeps a sentence that starts like one", () => {
    const body = "From my side all is settled.\nSent by courier on Monday, as agreed.";
    expect(visibleReply(body)).toBe(body);
  });

  it.each([
    ["From my phone, a sentence that goes on", "From my phone it works fine\nbut on desktop I get an error 500"],
    ["Sent via, a sentence that goes on", "Sent via the portal last week but no answer\nso please call me on 555 1234"],
    ["a bare From my phone with the person's text under it", "Yes, go ahead.\n\nFrom my phone\nbut call me first"],
  ])("keeps %s", (_, body) => {
    expect(visibleReply(body)).toBe(body);
  });

  it.each([
    ["Sent via Superhuman", `${ANSWER}\n\nSent via Superhuman`],
    ["From my Android phone", `${ANSWER}\n\nFrom my Android phone`],
    ["Sent via BlackBerry from T-Mobile", `${ANSWER}\n\nSent via BlackBerry from T-Mobile`],
    ["From my iPhone over a quote", `${ANSWER}\n\nFrom my iPhone\n\n${QUOTE}`],
    ["Sent via Superhuman over an attribution", `${ANSWER}\n\nSent via Superhuman\n\nOn Tue, Apr 11, 2017 at 10:07 PM Sam Rivera <sam@example.com> wrote:\n${QUOTE}`],
  ])("cuts a short device line that ends with the device or app (%s)", (_, body) => {
    expect(visibleReply(body)).toBe(ANSWER);
  });
});

describe("forwards", () => {
  it("reads a forward without a comment as what it forwards, without its header block", () => {
    const body =
      "---------- Forwarded message ----------\nFrom: Sam <sam@example.com>\nDate: Thu, Jan 28, 2016 at 4:00 PM\nSubject: A subject that\nspans two lines\nTo: ann@example.org\n\n\nCan you quote the roof?\n";
    expect(visibleReply(body)).toBe("Can you quote the roof?");
  });

  it("keeps only the comment of a forward with one", () => {
    expect(visibleReply(`${ANSWER}\n\n---------- Forwarded message ----------\nFrom: Sam <sam@example.com>\n\nCan you quote the roof?`)).toBe(ANSWER);
  });
});

describe("bottom-posting", () => {
  it.each([
    ["a quote, then the answer", `${QUOTE}\n${ANSWER}`],
    ["an attribution and a quote, then the answer", `On Tue, Apr 11, 2017 at 10:07 PM Sam Rivera <sam@example.com> wrote:\n${QUOTE}\n\n${ANSWER}`],
    ["the answer under the quote, signed", `${QUOTE}\n\n${ANSWER}\n\n-- \nAnn Lee`],
    [
      "a quoted line the client wrapped, its tail without the marker",
      `${ANSWER}\n\nOn Tue, Apr 11, 2017 at 10:07 PM Sam Rivera <sam@example.com> wrote:\n> Hi Ann, we would like the whole roof done before the winter comes, if you\ncan.\n> Sam`,
    ],
  ])("%s", (_, body) => {
    expect(visibleReply(body)).toBe(ANSWER);
  });

  it("keeps answers written between quotes, without the quotes", () => {
    expect(visibleReply("> Does Tuesday suit you?\nYes.\n\n> Morning or afternoon?\nMorning.")).toBe("Yes.\n\nMorning.");
  });

  it("leaves no paragraph break where a quote was cut from under a line", () => {
    expect(visibleReply(`Hi Sam,\nOn Tue, Apr 11, 2017 at 10:07 PM Sam Rivera <sam@example.com> wrote:\n${QUOTE}\n\n${ANSWER}`)).toBe(`Hi Sam,\n${ANSWER}`);
  });

  it.each([
    [
      "a number under a long question",
      "> How many seats would your team need for the rollout next quarter, roughly?\n50 seats, maybe 60 by spring.\n> And when would you like to start?\nIn January.",
      "50 seats, maybe 60 by spring.\nIn January.",
    ],
    [
      "a lower-case answer under a long question",
      "> Would you like to go ahead with the twenty seats we talked about on the call?\nyes, go ahead\n> And when would you like to start?\nIn January.",
      "yes, go ahead\nIn January.",
    ],
    [
      "a capitalised answer under a long quoted line",
      "> We could start the rollout with the first team in the week after the holidays\nPlease do\n> and add the second team a month later\nAgreed.",
      "Please do\nAgreed.",
    ],
  ])("keeps an answer squeezed between a long quoted line and the next (%s)", (_, body, answer) => {
    expect(visibleReply(body)).toBe(answer);
  });

  it("keeps a short answer squeezed between quotes", () => {
    expect(visibleReply("> Does Tuesday suit you?\nYes.\n> Morning or afternoon?\n\nMorning.")).toContain("Yes.");
  });
});

describe("noise", () => {
  it("drops invisible tracking characters left after the text", () => {
    expect(visibleReply(`${ANSWER}\n\n\u1427\n`)).toBe(ANSWER);
    expect(visibleReply(`${ANSWER}\u200B\u1427`)).toBe(ANSWER);
  });

  it("keeps a zero-width joiner inside an emoji", () => {
    expect(visibleReply("Thanks 👨‍👩‍👧")).toBe("Thanks 👨‍👩‍👧");
  });

  it("reads the headers of a raw message that starts with a blank line", async () => {
    const message = await readMessage(`\r\n\r\nFrom: Sam Rivera <sam@example.com>\r\nTo: ann@example.org\r\nSubject: Your roof\r\n\r\n${ANSWER}\r\n`);
    expect(message.from).toBe("sam@example.com");
    expect(message.subject).toBe("Your roof");
    expect(visibleReply(message.text)).toBe(ANSWER);
  });
});

describe("HTML replies", () => {
  const html = (body: string) => readMessage(`From: sam@example.com\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>${body}</body></html>`);

  it("cuts at an <hr> over a From/Sent block", async () => {
    const message = await html(
      `<div>${ANSWER}</div><hr><b>From:</b> Sam Rivera &lt;sam@example.com&gt;<br><b>Sent:</b> Tuesday<br><b>To:</b> Ann<br><b>Subject:</b> Roof<br><p>Hi Ann</p>`,
    );
    expect(visibleReply(message.text)).toBe(ANSWER);
  });

  it("cuts at Outlook's bordered <div> over the header block", async () => {
    const message = await html(
      `<div><p>${ANSWER}</p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p><b>From:</b> Sam Rivera<br><b>Sent:</b> Tuesday<br><b>Subject:</b> Roof</p></div><p>Hi Ann</p></div>`,
    );
    expect(visibleReply(message.text)).toBe(ANSWER);
  });

  it("cuts at Windows Mail's top-bordered <div>", async () => {
    const message = await html(
      `<div>${ANSWER}</div><div style="padding-top: 5px; border-top-color: rgb(229, 229, 229); border-top-width: 1px; border-top-style: solid;"><b>From:</b> Sam<br><b>Sent:</b> Tuesday</div><div>Hi Ann</div>`,
    );
    expect(visibleReply(message.text)).toBe(ANSWER);
  });

  it("cuts at Zimbra's divider", async () => {
    const message = await html(`<div>${ANSWER}</div><hr id="zwchr" data-marker="__DIVIDER__"><div><b>From: </b>Sam<br><b>Sent: </b>Tuesday</div><div>Hi Ann</div>`);
    expect(visibleReply(message.text)).toBe(ANSWER);
  });

  it("cuts at Outlook for Mac's OLK_SRC_BODY_SECTION", async () => {
    const message = await html(`<div>${ANSWER}</div><span id="OLK_SRC_BODY_SECTION"><div><span>From: </span>Sam<br><span>Date: </span>Tuesday<br></div><div>Hi Ann</div></span>`);
    expect(visibleReply(message.text)).toBe(ANSWER);
  });
});
