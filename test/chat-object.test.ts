import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { MockLanguageModelV4 } from "ai/test";
import { describe, expect, it } from "vitest";
import { LeadObject } from "../durable-objects/lead-object";
import { REP_WILL_ANSWER } from "../engine/chat/chat-answer";
import { CHANNEL_CONSENT_TEXT, visitorChatName, type ChatServerMessage } from "../schemas/chat";
import { makeLead, unique } from "./helpers";
import { chatEntries, conversationsOf, hello, human, open, putKnowledge, setUpSite, SITE, summary, visitorSocket, type Frame } from "./chat-harness";
import { clocks, MONDAY_10_NY, outboxFor, settle, withClock } from "./lead-harness";

/**
 * Site chat inside the objects: a known visitor's socket reaches its lead's object, state
 * survives hibernation in the sockets' attachments, answers come from the owner's knowledge
 * (with or without a model), "talk to a person" hands off with the transcript, "stop" obeys
 * the trust rule, an unknown visitor becomes a lead with the conversation kept, and a rep
 * answers live.
 */

await setUpSite();
await putKnowledge("chat-pricing", "Plans and pricing", "pricing", "Starter costs $49 a month for one seat. Team costs $199 a month for up to ten seats.");
await putKnowledge(
  "chat-integrations",
  "Integrations",
  "faq",
  "Our Salesforce integration syncs contacts and deals both ways every five minutes. Setup takes one click from the settings page.",
);

describe("a known visitor's chat", () => {
  it("reaches its lead's object over a WebSocket and goes on the lead's timeline as a human signal", async () => {
    const leadId = await makeLead();
    const chat = await visitorSocket(leadId, unique("vis"), "ticket");
    expect((await chat.ask(hello)).t).toBe("greeting");
    const answer = await chat.ask({ t: "say", text: "Does the Salesforce integration sync deals?" });
    expect(answer).toMatchObject({ t: "answer", from: "assistant", sources: [{ title: "Integrations" }] });
    expect((answer as { text: string }).text).toContain("syncs contacts and deals both ways");
    const entries = await chatEntries(leadId);
    expect(entries.map((e) => [e.from, e.proof])).toEqual([
      ["visitor", "ticket"],
      ["assistant", undefined],
    ]);
    expect(entries[0]!.siteOrigin).toBe(SITE);
    const lead = await summary(leadId);
    expect(lead.scoreFactors.find((f) => f.signal === "reply")).toBeDefined();
    chat.ws.close();
  });

  it("survives hibernation: a fresh instance answers from the socket's attachment and storage alone", async () => {
    const leadId = await makeLead();
    const visitor = unique("vis");
    const chat = await visitorSocket(leadId, visitor, "ticket");
    await chat.ask(hello);
    const stub = env.LEADS.getByName(leadId);
    // Play the eviction: a new instance of the class on the same storage, with none of the old one's fields, handles the next frame.
    await runInDurableObject(stub, async (_object, state) => {
      const [server] = state.getWebSockets("visitor");
      expect(server!.deserializeAttachment()).toMatchObject({ role: "visitor", site: SITE, visitor, proof: "ticket", page: `${SITE}/pricing` });
      const woken = new LeadObject(state, env);
      await woken.webSocketMessage(server!, JSON.stringify({ t: "say", text: "How much is the Team plan?" }));
    });
    const answer = await chat.next();
    expect(answer).toMatchObject({ t: "answer", sources: [{ title: "Plans and pricing" }] });
    expect((answer as { text: string }).text).toContain("Team costs $199 a month");
    chat.ws.close();
  });

  it("answers a bad frame with an error and keeps the socket open; floods get rate_limited without a write", async () => {
    const leadId = await makeLead();
    const chat = await visitorSocket(leadId, unique("vis"), "form");
    expect(await chat.ask("not json")).toMatchObject({ t: "error", code: "bad_frame" });
    expect(await chat.ask({ t: "say", text: "" })).toMatchObject({ t: "error", code: "invalid" });
    expect(await chat.ask({ t: "say", text: "x".repeat(2001) })).toMatchObject({ t: "error", code: "invalid" });
    await chat.ask({ t: "say", text: "Hello there" });
    expect(await chat.ask({ t: "say", text: "Hello there" })).toMatchObject({ t: "error", code: "repeated" });
    let last: Frame | undefined;
    for (let i = 0; i < 12; i++) last = await chat.ask({ t: "say", text: `question number ${i}` });
    expect(last).toMatchObject({ t: "error", code: "rate_limited" });
    expect(chat.closed()).toBe(false);
    expect((await chatEntries(leadId)).filter((e) => e.from === "visitor").length).toBeLessThan(12);
  });

  it("refuses anything but the two chat upgrades", async () => {
    const stub = env.LEADS.getByName(await makeLead());
    expect((await stub.fetch(new Request("https://lead-object/other", { headers: { Upgrade: "websocket" } }))).status).toBe(404);
    expect((await stub.fetch(new Request(`https://lead-object/chat?site=${SITE}&visitor=${unique("vis")}&proof=ticket`))).status).toBe(426);
    expect((await stub.fetch(new Request("https://lead-object/chat?site=nope&visitor=v&proof=ticket", { headers: { Upgrade: "websocket" } }))).status).toBe(400);
  });
});

describe("the return greeting", () => {
  async function leadWithHistory() {
    const leadId = await makeLead({ message: "Do you integrate with Salesforce?" });
    await env.LEADS.getByName(leadId).recordPageView({ pageViewId: unique("pv"), url: `${SITE}/pricing`, pageClass: "pricing", title: "Pricing", facts: human });
    return leadId;
  }

  it("recalls the lead's pages and question when a click ticket proves the visitor", async () => {
    const chat = await visitorSocket(await leadWithHistory(), unique("vis"), "ticket");
    const greeting = await chat.ask(hello);
    expect(greeting.t).toBe("greeting");
    expect((greeting as { text: string }).text).toBe(
      "Welcome back. Last time you were looking at our pricing page and you asked “Do you integrate with Salesforce”. Want me to walk you through it, or are you ready to book a demo?",
    );
  });

  it("says nothing of the lead's history when only a form post linked the browser", async () => {
    const chat = await visitorSocket(await leadWithHistory(), unique("vis"), "form");
    const greeting = (await chat.ask(hello)) as { text: string };
    expect(greeting.text).not.toMatch(/Salesforce|pricing|Welcome back/);
    expect(greeting.text).toBe("Hi! Ask me anything about us, or leave your email and we'll get back to you.");
  });
});

describe("answers without a model", () => {
  it("answers a pricing question from the pricing passage, naming its source", async () => {
    const chat = await visitorSocket(await makeLead(), unique("vis"), "form");
    const answer = await chat.ask({ t: "say", text: "What does it cost?" });
    expect(answer).toMatchObject({ t: "answer", from: "assistant", sources: [{ title: "Plans and pricing" }] });
    expect((answer as { text: string }).text).toBe("Plans and pricing: Starter costs $49 a month for one seat. Team costs $199 a month for up to ten seats.");
  });

  it("says so honestly when no passage answers, and offers an unknown visitor the contact form", async () => {
    const chat = await visitorSocket(visitorChatName(SITE, unique("anon")), unique("vis"), "none");
    const answer = (await chat.ask({ t: "say", text: "Is your office dog friendly on Fridays?" })) as Extract<ChatServerMessage, { t: "answer" }>;
    expect(answer.text).toContain("I'd rather not guess");
    expect(answer.actions).toEqual([{ kind: "contact", consentText: "Email me about my question. I can unsubscribe at any time." }]);
  });
});

describe("talk to a person", () => {
  it("hands the lead off with the chat transcript in the package, and the assistant goes quiet", async () => {
    const leadId = await makeLead({ name: "Chat Person" });
    const chat = await visitorSocket(leadId, unique("vis"), "ticket");
    await chat.ask({ t: "say", text: "Can Salesforce deals sync?" });
    const handed = await chat.ask({ t: "say", text: "Can I talk to a person please" });
    expect(handed).toMatchObject({ t: "handed_off" });
    expect((handed as { text: string }).text).toContain("a person");
    expect((await summary(leadId)).status).toBe("with_rep");
    const later = await chat.ask({ t: "say", text: "Are you there?" });
    expect(later).toMatchObject({ t: "handed_off", text: "A person has this conversation now and will answer here." });
    await settle(env.LEADS.getByName(leadId));
    const mail = (await outboxFor(leadId)).find((m) => m.to === "owner@example.com" && /Hot lead/.test(m.subject ?? ""));
    expect(mail?.text).toContain("Chat:\nvisitor: Can Salesforce deals sync?");
    expect(mail?.text).toContain("visitor: Can I talk to a person please");
    // No rep is watching: the owner hears that the lead is waiting.
    expect((await outboxFor(leadId)).some((m) => m.text.includes("The lead is waiting in the site chat on https://chat-site.example: “Are you there?”"))).toBe(true);
    const [row] = await conversationsOf(leadId);
    expect(row).toMatchObject({ handed_off: 1, site_origin: SITE, messages: 5 });
  });

  it("goes to the site's own hand-off address, and outside the chat's hours says when someone will answer", async () => {
    const site = "https://chat-hours.example";
    await setUpSite({ handOffEmail: "sales@chat-hours.example", hours: { days: [6, 7], start: "09:00", end: "17:00" } }, site);
    const leadId = await makeLead({ name: "Hours Person" });
    // Monday 10:00 in New York (the business's zone): a weekend team is out.
    await withClock(env.LEADS.getByName(leadId), MONDAY_10_NY);
    const chat = await visitorSocket(leadId, unique("vis"), "ticket", site);
    const handed = (await chat.ask({ t: "say", text: "I want to speak to a human" })) as { t: string; text: string };
    expect(handed.t).toBe("handed_off");
    expect(handed.text).toContain("during our hours (Sat–Sun, 09:00–17:00 America/New_York)");
    await settle(env.LEADS.getByName(leadId));
    const mails = (await outboxFor(leadId)).filter((m) => /Hot lead/.test(m.subject ?? ""));
    expect(mails.map((m) => m.to)).toEqual(["sales@chat-hours.example"]);
  });
});

describe("stop in chat", () => {
  it("opts the lead out with click-ticket proof", async () => {
    const leadId = await makeLead();
    const chat = await visitorSocket(leadId, unique("vis"), "ticket");
    // `quiet`: the widget never opens by itself again in this browser.
    expect(await chat.ask({ t: "say", text: "Please unsubscribe me" })).toMatchObject({ t: "answer", text: "Understood: we won't contact you again.", quiet: true });
    expect((await summary(leadId)).status).toBe("unsubscribed");
  });

  it("does not opt the lead out on a form post's claim, and records the request for the owner", async () => {
    const leadId = await makeLead();
    const chat = await visitorSocket(leadId, unique("vis"), "form");
    expect(await chat.ask({ t: "say", text: "stop" })).toMatchObject({ t: "answer", quiet: true });
    expect((await summary(leadId)).status).not.toBe("unsubscribed");
    const entries = await chatEntries(leadId);
    expect(entries[0]).toMatchObject({ from: "visitor", text: "stop", proof: "form" });
  });
});

describe("a person asked for in chat", () => {
  it("on a form post's claim alone is no hand-off: the lead is not paused, the owner is told and may answer in the chat", async () => {
    const leadId = await makeLead({ name: "Claimed Person" });
    const before = (await summary(leadId)).status;
    const chat = await visitorSocket(leadId, unique("vis"), "form");
    expect(await chat.ask({ t: "say", text: "Can I talk to a person please" })).toMatchObject({
      t: "answer",
      text: "I've passed your request on to the team: someone will answer you here.",
    });
    expect((await summary(leadId)).status).toBe(before);
    await settle(env.LEADS.getByName(leadId));
    const mails = await outboxFor(leadId);
    expect(mails.some((m) => /Hot lead/.test(m.subject ?? ""))).toBe(false);
    expect(mails.some((m) => m.to === "owner@example.com" && m.text.includes("asked for a person") && m.text.includes("No hand-off was made"))).toBe(true);
    expect((await conversationsOf(leadId))[0]).toMatchObject({ handed_off: 0 });
  });
});

describe("an unknown visitor", () => {
  it("who never becomes a lead leaves nothing behind once the retention period passes", async () => {
    const visitor = unique("vis").replace(/[^A-Za-z0-9_-]/g, "");
    const stub = env.LEADS.getByName(visitorChatName(SITE, visitor));
    const time = await withClock(stub, MONDAY_10_NY);
    const chat = await visitorSocket(visitorChatName(SITE, visitor), visitor, "none");
    await chat.ask(hello);
    await chat.ask({ t: "say", text: "My name is Ada, my number is 212 555 0199. What does it cost?" });
    const held = () =>
      runInDurableObject(stub, (_o, state) => ({
        messages: state.storage.sql.exec("SELECT text FROM chat_message").toArray().length,
        conversation: state.storage.sql.exec("SELECT value FROM meta WHERE key = 'chat:conversation'").toArray().length,
      }));
    expect(await held()).toEqual({ messages: 2, conversation: 1 });
    // An idle visitor: no frame comes again, only the alarm the object keeps for its prune.
    clocks.get(stub.id.toString())!.at = time.now() + 400 * 86_400_000;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await held()).toEqual({ messages: 0, conversation: 0 });
  });

  it("becomes a lead through the form intake, and the conversation moves to the lead's object", async () => {
    const visitor = unique("vis").replace(/[^A-Za-z0-9_-]/g, "");
    const name = visitorChatName(SITE, visitor);
    const chat = await visitorSocket(name, visitor, "none");
    await chat.ask(hello);
    await chat.ask({ t: "say", text: "Does the Salesforce integration sync deals?" });
    const asked = (await chat.ask({ t: "say", text: "you can reach me at me@example.com" })) as Extract<ChatServerMessage, { t: "answer" }>;
    expect(asked.actions?.[0]).toMatchObject({ kind: "contact" });
    const email = `${unique("chatlead")}@example.com`;
    expect(await chat.ask({ t: "contact", email, consent: true })).toEqual({ t: "moved" });
    const lead = await env.DB.prepare("SELECT id FROM leads WHERE email = ?").bind(email).first<{ id: string }>();
    const leadId = lead?.id ?? (await env.DB.prepare("SELECT lead_id AS id FROM visitors WHERE id = ?").bind(visitor).first<{ id: string }>())!.id;
    // The visitor is linked to the new lead, by the form's rule.
    expect(await env.DB.prepare("SELECT lead_id, proof FROM visitors WHERE id = ?").bind(visitor).first()).toEqual({ lead_id: leadId, proof: "form" });
    // The lead's timeline has the earlier messages; consent is recorded with the chat's wording.
    const moved = await chatEntries(leadId);
    expect(moved.map((e) => [e.from, e.text])).toEqual([
      ["visitor", "Does the Salesforce integration sync deals?"],
      ["assistant", expect.stringContaining("syncs contacts and deals")],
      ["visitor", "you can reach me at me@example.com"],
      ["assistant", expect.stringContaining("small form below")],
    ]);
    expect(moved[0]!.proof).toBe("chat");
    const summaryNow = await summary(leadId);
    expect(summaryNow.consent.email).toMatchObject({
      granted: true,
      method: "form",
      formId: "chat",
      wording: "Email me about my question. I can unsubscribe at any time.",
      page: `${SITE}/pricing`,
    });
    // The visitor's object keeps nothing of it.
    const left = await runInDurableObject(env.LEADS.getByName(name), (_o, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM chat_message").one().n);
    expect(left).toBe(0);
    // Reconnecting as the linked visitor (form proof), this visitor created the lead: it may see its history.
    const again = await visitorSocket(leadId, visitor, "form");
    expect(((await again.ask(hello)) as { text: string }).text).toContain("Welcome back");
    await settle(env.LEADS.getByName(leadId));
    const [row] = await conversationsOf(leadId);
    expect(row).toMatchObject({ captured: 1, visitor_id: visitor });
  });
});

describe("after capture", () => {
  it("asks once for a preferred channel and keeps it with its evidence; a booking then credits the chat", async () => {
    const visitor = unique("vis").replace(/[^A-Za-z0-9_-]/g, "");
    const chat = await visitorSocket(visitorChatName(SITE, visitor), visitor, "none");
    await chat.ask(hello);
    await chat.ask({ t: "say", text: "Do you integrate with Salesforce?" });
    expect(await chat.ask({ t: "contact", email: `${unique("chan")}@example.com`, phone: "+1 212 555 0147", consent: true })).toEqual({ t: "moved" });
    const { id: leadId } = (await env.DB.prepare("SELECT lead_id AS id FROM visitors WHERE id = ?").bind(visitor).first<{ id: string }>())!;
    const back = await visitorSocket(leadId, visitor, "form");
    const greeting = (await back.ask(hello)) as Extract<ChatServerMessage, { t: "greeting" }>;
    expect(greeting.actions).toContainEqual({ kind: "channel", options: ["email", "sms", "whatsapp"], consentText: CHANNEL_CONSENT_TEXT });
    // Asked once: the next visit does not ask again.
    const later = (await (await visitorSocket(leadId, visitor, "form")).ask(hello)) as Extract<ChatServerMessage, { t: "greeting" }>;
    expect(later.actions?.some((a) => a.kind === "channel")).toBe(false);
    expect(await back.ask({ t: "channel", channel: "sms", consent: true })).toMatchObject({ t: "answer", text: "Thanks: we'll reach you by text message from now on." });
    const stub = env.LEADS.getByName(leadId);
    const state = (await stub.exportData())!.state!;
    expect(state.preferredChannel).toMatchObject({ channel: "sms", method: "chat", siteOrigin: SITE, wording: CHANNEL_CONSENT_TEXT });
    // Stored with consent: the words shown beside the choice, for the channel chosen (the contact form's consent was for email only).
    expect(state.consent.sms).toMatchObject({ granted: true, method: "chat", wording: CHANNEL_CONSENT_TEXT, page: SITE });
    expect(state.consent.whatsapp).toBeUndefined();
    await stub.markBooked("calcom");
    await settle(stub);
    const [row] = await conversationsOf(leadId);
    expect(row).toMatchObject({ booked: 1, captured: 1 });
  });

  it("refuses a channel choice from a chat without proof", async () => {
    const chat = await visitorSocket(await makeLead(), unique("vis"), "form");
    expect(await chat.ask({ t: "channel", channel: "sms", consent: true })).toMatchObject({ t: "error", code: "not_allowed" });
  });
});

describe("a rep live", () => {
  it("gets the transcript, then live messages, and the rep's answer reaches the visitor and the timeline", async () => {
    const leadId = await makeLead();
    const chat = await visitorSocket(leadId, unique("vis"), "ticket");
    await chat.ask({ t: "say", text: "Can Salesforce deals sync?" });
    const rep = await open(leadId, "/rep-chat");
    expect(await rep.next()).toMatchObject({ t: "message", from: "visitor", text: "Can Salesforce deals sync?" });
    expect(await rep.next()).toMatchObject({ t: "message", from: "assistant" });
    chat.send({ t: "say", text: "And HubSpot?" });
    expect(await rep.next()).toMatchObject({ t: "message", from: "visitor", text: "And HubSpot?" });
    await chat.next();
    rep.send({ t: "say", text: "Hi, Sam here: HubSpot is on our roadmap." });
    expect(await chat.next()).toEqual({ t: "answer", from: "rep", text: "Hi, Sam here: HubSpot is on our roadmap." });
    expect((await chatEntries(leadId)).at(-1)).toMatchObject({ from: "rep", text: "Hi, Sam here: HubSpot is on our roadmap." });
  });

  it("once a rep has answered, the assistant stops answering in that conversation, and the rep hears the visitor", async () => {
    const leadId = await makeLead();
    const chat = await visitorSocket(leadId, unique("vis"), "ticket");
    expect(await chat.ask({ t: "say", text: "Can Salesforce deals sync?" })).toMatchObject({ t: "answer", from: "assistant" });
    const rep = await open(leadId, "/rep-chat");
    await rep.next();
    await rep.next();
    rep.send({ t: "say", text: "Hi, Sam here. Which plan are you on?" });
    expect(await chat.next()).toMatchObject({ t: "answer", from: "rep" });
    expect(await chat.ask({ t: "say", text: "The small one, thanks." })).toEqual({ t: "handed_off", text: REP_WILL_ANSWER });
    expect(await rep.next()).toMatchObject({ t: "message", from: "rep" });
    expect(await rep.next()).toMatchObject({ t: "message", from: "visitor", text: "The small one, thanks." });
    expect((await chatEntries(leadId)).filter((e) => e.from === "assistant")).toHaveLength(1);
    // The lead is not with a rep: another browser of it starts its own conversation, which the assistant answers.
    expect((await summary(leadId)).status).not.toBe("with_rep");
    const other = await visitorSocket(leadId, unique("vis"), "ticket");
    expect(await other.ask({ t: "say", text: "Can Salesforce deals sync?" })).toMatchObject({ t: "answer", from: "assistant" });
  });
});

describe("answers with a model", () => {
  const reply = (text: string) => ({
    content: [{ type: "text" as const, text }],
    finishReason: { unified: "stop" as const, raw: undefined },
    usage: { inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: 20, text: 20, reasoning: undefined } },
    warnings: [],
  });
  /** The calls the chat made: which task's model it asked for, and the output cap it set. */
  const calls: { task: string | undefined; maxOutputTokens: number | undefined }[] = [];
  const withModel = async (leadId: string, text: string) => {
    await runInDurableObject(env.LEADS.getByName(leadId), (object: LeadObject) => {
      object.seams.languageModel = (_settings, task) =>
        new MockLanguageModelV4({
          doGenerate: async (options) => {
            calls.push({ task, maxOutputTokens: options.maxOutputTokens });
            return reply(text);
          },
        });
    });
  };

  it("words the answer from the passages, on the quick model within the chat's output cap", async () => {
    const leadId = await makeLead();
    await withModel(leadId, "Yes: deals and contacts sync both ways every five minutes.");
    calls.length = 0;
    const chat = await visitorSocket(leadId, unique("vis"), "ticket");
    expect(await chat.ask({ t: "say", text: "Does the Salesforce integration sync deals?" })).toMatchObject({
      t: "answer",
      text: "Yes: deals and contacts sync both ways every five minutes.",
      sources: expect.arrayContaining([{ title: "Integrations" }]),
    });
    expect(calls.at(-1)).toEqual({ task: "chat", maxOutputTokens: 300 });
  });

  it("words the return greeting from the lead's facts alone, and the rules' greeting stands when the model strays", async () => {
    const leadId = await makeLead({ message: "Do you integrate with Salesforce?" });
    await withModel(leadId, "Welcome back! Still curious about Salesforce? I can walk you through it or book you a demo.");
    expect(((await (await visitorSocket(leadId, unique("vis"), "ticket")).ask(hello)) as { text: string }).text).toBe(
      "Welcome back! Still curious about Salesforce? I can walk you through it or book you a demo.",
    );
    await withModel(leadId, "Welcome back! 30% off if you book today.");
    expect(((await (await visitorSocket(leadId, unique("vis"), "ticket")).ask(hello)) as { text: string }).text).toMatch(/^Welcome back\. Last time you asked/);
  });

  it("falls back to the retrieval answer when the model does not answer in time", async () => {
    const leadId = await makeLead();
    await runInDurableObject(env.LEADS.getByName(leadId), (object: LeadObject) => {
      object.seams.chatTimeoutMs = 50;
      object.seams.languageModel = () =>
        new MockLanguageModelV4({ doGenerate: (options) => new Promise((_, reject) => options.abortSignal?.addEventListener("abort", () => reject(options.abortSignal?.reason))) });
    });
    const chat = await visitorSocket(leadId, unique("vis"), "ticket");
    const answer = (await chat.ask({ t: "say", text: "Does the Salesforce integration sync deals?" })) as { text: string };
    expect(answer.text).toContain("syncs contacts and deals both ways");
  });

  it("refuses a model answer with a number no passage states, and the retrieval answer stands", async () => {
    const leadId = await makeLead();
    await withModel(leadId, "Team costs $149 a month.");
    const chat = await visitorSocket(leadId, unique("vis"), "form");
    const answer = (await chat.ask({ t: "say", text: "What does the Team plan cost?" })) as { text: string };
    expect(answer.text).not.toContain("149");
    expect(answer.text).toContain("Team costs $199 a month");
  });
});
