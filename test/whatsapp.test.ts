import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Submission } from "../schemas/lead";
import { SequenceSchema, type SequenceVersion } from "../schemas/sequence";
import { twilioSignature } from "../services/crypto/twilio-signature";
import { asOwner, callAndSettle, makeForm, postJson, unique } from "./helpers";
import { get, login } from "./dashboard-session";
import { advance, freshLead, kinds, outboxFor, settle, submission, summaryOf, withEnv } from "./lead-harness";

afterEach(() => vi.restoreAllMocks());

const SID = "HXb5b62575e6e4ff6129ad7c8efe1f983e";
const SENDER = "+14155238886";

/** An instant answer on WhatsApp (with free text and its approved template), then a nudge with free text only. */
const WHATSAPP_FOLLOW_UP: SequenceVersion = {
  id: "whatsapp-follow-up",
  version: 1,
  sequence: SequenceSchema.parse({
    id: "whatsapp-follow-up",
    name: "WhatsApp follow-up",
    window: { days: [1, 2, 3, 4, 5, 6, 7], start: "08:00", end: "20:00" },
    steps: [
      {
        id: "hello",
        intent: "acknowledge",
        instant: true,
        channels: ["whatsapp"],
        whatsapp: { text: "Hi {{firstName}}, thanks for asking. What would you like to know?" },
        whatsappTemplate: { contentSid: SID, variables: { "1": "{{firstName|there}}", "2": "{{senderCompany}}" } },
      },
      { id: "nudge", intent: "value", channels: ["whatsapp"], wait: { hours: 2 }, whatsapp: { text: "Any questions, {{firstName}}?" } },
    ],
  }),
};

async function whatsappLead(phone: string, consent: Submission["consent"] = { whatsapp: true }, overrides: Partial<Env> = {}) {
  const lead = await freshLead();
  if (Object.keys(overrides).length > 0) await withEnv(lead.stub, overrides);
  const email = `${unique("wa")}@example.com`;
  await lead.stub.submitForm(
    submission(email, { profile: { email, phone, firstName: "Ann", timezone: "America/New_York" }, consent, consentWording: { whatsapp: "You may message me on WhatsApp." } }),
    WHATSAPP_FOLLOW_UP,
  );
  await settle(lead.stub);
  return lead;
}

const hook = "https://engine.example/hooks/whatsapp/twilio";
async function inbound(params: Record<string, string>, signature?: string) {
  return callAndSettle("/hooks/whatsapp/twilio", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature ?? (await twilioSignature("test-twilio-token", hook, params)) },
    body: new URLSearchParams(params),
  });
}
const fromWhatsapp = (phone: string, body: string) => ({ From: `whatsapp:${phone}`, To: `whatsapp:${SENDER}`, Body: body });
const suppressionRows = (value: string) => env.DB.prepare("SELECT channel, value, reason FROM suppressions WHERE value = ? ORDER BY channel").bind(value).all();
const whatsappRows = async (leadId: string) => (await outboxFor(leadId)).filter((m) => m.channel === "whatsapp");

describe("WhatsApp touches and the 24-hour window", () => {
  it("outside the 24-hour window a touch goes as its approved template: Twilio gets ContentSid and ContentVariables, never a Body", async () => {
    const original = globalThis.fetch;
    const requests: URLSearchParams[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const request = new Request(input, init);
      if (!request.url.startsWith("https://wa.example/")) return original(input, init);
      expect(request.url).toBe("https://wa.example/2010-04-01/Accounts/AC123/Messages.json");
      requests.push(new URLSearchParams(await request.text()));
      return Response.json({ sid: "SM-wa-1" }, { status: 201 });
    });
    const { stub } = await whatsappLead(
      "+12125550181",
      { whatsapp: true },
      {
        WHATSAPP_TRANSPORT: "twilio",
        TWILIO_ACCOUNT_SID: "AC123",
        TWILIO_API_BASE: "https://wa.example",
        TWILIO_WHATSAPP_FROM: SENDER,
      },
    );
    expect(requests).toHaveLength(1);
    const sent = Object.fromEntries(requests[0]!);
    expect(sent).toEqual({
      From: `whatsapp:${SENDER}`,
      To: "whatsapp:+12125550181",
      ContentSid: SID,
      ContentVariables: JSON.stringify({ "1": "Ann", "2": env.SENDER_COMPANY || "-" }),
    });
    const touch = (await summaryOf(stub)).timeline.find((e) => e.kind === "touch_sent");
    expect(touch).toMatchObject({ channel: "whatsapp", stepId: "hello", messageId: "SM-wa-1", template: { contentSid: SID } });
  });

  it("locally the outbox keeps the WhatsApp message, with the template it used", async () => {
    const { leadId } = await whatsappLead("+12125550182");
    const [row] = await whatsappRows(leadId);
    expect(row).toMatchObject({ channel: "whatsapp", from: `whatsapp:${SENDER}`, to: "whatsapp:+12125550182", headers: { ContentSid: SID } });
    expect(JSON.parse(row!.headers.ContentVariables!)).toMatchObject({ "1": "Ann" });
    expect(row!.text).toContain(`Approved template ${SID} with {{1}} = Ann`);
  });

  it("outside the window a step with no template is not sent, and the timeline says why", async () => {
    const { leadId, stub } = await whatsappLead("+12125550183");
    await advance(stub);
    expect((await whatsappRows(leadId)).map((m) => m.headers.ContentSid)).toEqual([SID]);
    const skipped = (await summaryOf(stub)).timeline.find((e) => e.kind === "touch_skipped");
    expect(skipped).toMatchObject({ stepId: "nudge", channel: "whatsapp" });
    expect(skipped && "reason" in skipped ? skipped.reason : "").toMatch(/outside WhatsApp's 24-hour window.*names no approved template/);
  });

  it("an ordinary WhatsApp reply pauses the automation and opens the window: once resumed, the next step goes as free text", async () => {
    const phone = "+12125550184";
    const { leadId, stub } = await whatsappLead(phone);
    const response = await inbound(fromWhatsapp(phone, "Thanks! Could you come on Tuesday?"));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<Response/>");
    let summary = await summaryOf(stub);
    expect(summary.status).toBe("replied");
    expect(summary.timeline.find((e) => e.kind === "reply_received")).toMatchObject({ channel: "whatsapp", text: "Thanks! Could you come on Tuesday?" });
    expect(summary.whatsappInboundAt).toBeTypeOf("number");
    await stub.repAction("resume");
    await advance(stub);
    const rows = await whatsappRows(leadId);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ text: "Any questions, Ann?", headers: {} });
    summary = await summaryOf(stub);
    expect(summary.timeline.filter((e) => e.kind === "touch_sent").map((e) => "template" in e && e.template !== undefined)).toEqual([true, false]);
  });

  it("no WhatsApp consent, no WhatsApp touch: consent to texts does not stand for it", async () => {
    const { leadId, stub } = await whatsappLead("+12125550185", { sms: true });
    expect(await whatsappRows(leadId)).toEqual([]);
    expect((await summaryOf(stub)).timeline.find((e) => e.kind === "touch_skipped")).toMatchObject({ channel: "whatsapp", reason: "no WhatsApp consent recorded" });
  });
});

describe("inbound WhatsApp: STOP, START, HELP", () => {
  it("STOP withdraws WhatsApp consent and suppresses the number on WhatsApp only; a later touch is not sent", async () => {
    const phone = "+12125550186";
    const { leadId, stub } = await whatsappLead(phone, { whatsapp: true, sms: true });
    const response = await inbound(fromWhatsapp(phone, "Stop"));
    expect(response.status).toBe(200);
    expect((await suppressionRows(phone)).results).toEqual([{ channel: "whatsapp", value: phone, reason: "replied STOP" }]);
    const summary = await summaryOf(stub);
    expect(summary.consent.whatsapp).toMatchObject({ granted: false, method: "whatsapp_stop" });
    expect(summary.consent.sms).toMatchObject({ granted: true });
    expect(kinds(summary)).not.toContain("reply_received");
    expect(summary.pendingTouches).toEqual([]);
    // The nudge comes due and finds no consent.
    await advance(stub);
    expect(await whatsappRows(leadId)).toHaveLength(1);
    const skipped = (await summaryOf(stub)).timeline.filter((e) => e.kind === "touch_skipped");
    expect(skipped.at(-1)).toMatchObject({ stepId: "nudge", channel: "whatsapp", reason: "no WhatsApp consent recorded" });
  });

  it("START after a STOP lifts the suppression and records WhatsApp consent again", async () => {
    const phone = "+12125550187";
    const { leadId, stub } = await whatsappLead(phone);
    await inbound(fromWhatsapp(phone, "STOP"));
    expect((await inbound(fromWhatsapp(phone, "start"))).status).toBe(200);
    expect((await suppressionRows(phone)).results).toEqual([]);
    const summary = await summaryOf(stub);
    expect(summary.consent.whatsapp).toMatchObject({ granted: true, method: "whatsapp_start" });
    expect(kinds(summary)).toContain("resubscribed");
    const { cookie } = await login();
    const page = await (await get(`/dashboard/leads/${leadId}`, cookie)).text();
    expect(page).toContain("Unsubscribed from WhatsApp by sending STOP on WhatsApp");
    expect(page).toContain("Subscribed to WhatsApp again by sending START on WhatsApp");
  });

  it("HELP is answered with who we are and how to stop, and is not a reply; a stranger's HELP gets nothing and makes no lead", async () => {
    const phone = "+12125550188";
    const { stub } = await whatsappLead(phone);
    const text = await (await inbound(fromWhatsapp(phone, "HELP"))).text();
    expect(text).toContain("<Message>");
    expect(text).toContain("Reply STOP to stop, START to resume.");
    expect(text).toContain(env.SENDER_COMPANY);
    expect(text).not.toContain("Msg & data rates");
    expect((await summaryOf(stub)).status).toBe("active");

    const stranger = "+12125550199";
    for (const body of ["HELP", "Hello, who is this?"]) {
      const response = await inbound(fromWhatsapp(stranger, body));
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("<Response/>");
    }
    const leads = await env.DB.prepare("SELECT COUNT(*) AS n FROM leads WHERE phone = ?").bind(stranger).first<{ n: number }>();
    expect(leads?.n).toBe(0);
  });

  it("a forged or missing signature is refused and changes nothing", async () => {
    const phone = "+12125550189";
    const { stub } = await whatsappLead(phone);
    expect((await inbound(fromWhatsapp(phone, "STOP"), "forged=")).status).toBe(403);
    expect((await inbound(fromWhatsapp(phone, "STOP"), "")).status).toBe(403);
    expect((await suppressionRows(phone)).results).toEqual([]);
    expect((await summaryOf(stub)).consent.whatsapp).toMatchObject({ granted: true });
  });

  it("a sender that is not a whatsapp: address is refused with the reason", async () => {
    const response = await inbound({ From: "+12125550190", Body: "STOP" });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_from" } });
  });
});

describe("WhatsApp consent from a form", () => {
  it("a form's own WhatsApp box records the consent with its wording; a required box must be ticked", async () => {
    const form = await makeForm({ consent: { whatsapp: { required: true, wording: "Yes, message me on WhatsApp." } } });
    const refused = await postJson(form.id, { email: `${unique("wa-form")}@example.com`, phone: "+12125550191" });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toContain("consent_whatsapp");
    const accepted = await postJson(form.id, { email: `${unique("wa-form")}@example.com`, phone: "+12125550191", consent_whatsapp: "yes" });
    expect(accepted.status).toBe(202);
    const { leadId } = (await accepted.json()) as { leadId: string };
    const summary = await env.LEADS.getByName(leadId).summary();
    expect(summary?.consent.whatsapp).toMatchObject({ granted: true, method: "form", wording: "Yes, message me on WhatsApp." });
    expect(summary?.consent.sms).toBeUndefined();
  });
});

describe("WhatsApp consent from the site chat", () => {
  it("consent given in chat is recorded with its words, and never overrides a STOP", async () => {
    const phone = "+12125550193";
    const { stub } = await whatsappLead(phone, { sms: true });
    expect(await stub.giveConsent("whatsapp", "Message me on WhatsApp instead", "https://site.example/pricing")).toBe(true);
    expect((await summaryOf(stub)).consent.whatsapp).toMatchObject({ granted: true, method: "chat", wording: "Message me on WhatsApp instead" });
    await inbound(fromWhatsapp(phone, "STOP"));
    await stub.giveConsent("whatsapp", "Message me on WhatsApp instead");
    expect((await summaryOf(stub)).consent.whatsapp).toMatchObject({ granted: false, method: "whatsapp_stop" });
  });
});

describe("WhatsApp in the owner's figures and on the lead page", () => {
  const whatsappFigures = async () => {
    const stats = (await (await asOwner("/api/stats?days=365")).json()) as { byChannel: { channel: string; sent: number; replied: number }[] };
    return stats.byChannel.find((r) => r.channel === "whatsapp") ?? { sent: 0, replied: 0 };
  };

  it("WhatsApp touches and replies count in the per-channel figures and read as WhatsApp on the lead's timeline", async () => {
    const before = await whatsappFigures();
    const phone = "+12125550192";
    const { leadId } = await whatsappLead(phone);
    await inbound(fromWhatsapp(phone, "Sounds good, what does it cost?"));
    const after = await whatsappFigures();
    expect(after.sent - before.sent).toBe(1);
    expect(after.replied - before.replied).toBe(1);

    const { cookie } = await login();
    const page = await (await get(`/dashboard/leads/${leadId}`, cookie)).text();
    expect(page).toContain("Sent a WhatsApp message for step “hello”, from its approved WhatsApp template (outside the 24-hour window)");
    expect(page).toContain(`Approved template ${SID}`);
    expect(page).toContain("Replied on WhatsApp");
    expect(page).toContain("The lead last wrote on WhatsApp");
    expect(page).toMatch(/<th>WhatsApp<\/th>\s*<td>Given on a form[^<]*— “You may message me on WhatsApp.”/);
  });
});
