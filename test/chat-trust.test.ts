import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { visitorChatName } from "../schemas/chat";
import { chatEntries, conversationsOf, hello, open, putKnowledge, setUpSite, SITE, summary, visitorSocket } from "./chat-harness";
import { makeLead, unique } from "./helpers";
import { clocks, outboxFor, settle, withClock } from "./lead-harness";

/**
 * The chat's trust boundary from a stranger's side: a browser that a form post linked to a
 * lead hears nothing said to the lead's own browser, nor the rep's answers to it; a bare
 * "stop" does what the chat answers; typing someone's address proves nothing once that
 * conversation is over; a hand-off fired by chat text counts as a chat hand-off.
 */

await setUpSite();
await putKnowledge("trust-pricing", "Plans and pricing", "pricing", "Starter costs $49 a month for one seat. Team costs $199 a month for up to ten seats.");

const quietFor = async (socket: { frames: unknown[] }, ms = 300) => {
  const before = socket.frames.length;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return socket.frames.slice(before);
};

describe("two browsers on one lead", () => {
  it("the lead's own browser is answered alone: a form-linked stranger hears neither the assistant nor the rep", async () => {
    const leadId = await makeLead();
    const lead = await visitorSocket(leadId, unique("own"), "ticket");
    const stranger = await visitorSocket(leadId, unique("stranger"), "form");
    await lead.ask(hello);
    await stranger.ask(hello);
    const strangerSaw = stranger.frames.length;
    expect(await lead.ask({ t: "say", text: "What does the Team plan cost?" })).toMatchObject({ t: "answer", from: "assistant" });
    const rep = await open(leadId, "/rep-chat");
    await rep.send({ t: "say", text: "Hi, Ann here from sales, your contract is ready" });
    expect(await lead.next()).toMatchObject({ t: "answer", from: "rep", text: "Hi, Ann here from sales, your contract is ready" });
    expect([...stranger.frames.slice(strangerSaw), ...(await quietFor(stranger))]).toEqual([]);
  });

  it("sockets are counted per browser: a stranger holding many cannot shut the lead's own out", async () => {
    const leadId = await makeLead();
    const stranger = unique("hog");
    for (let i = 0; i < 8; i++) await visitorSocket(leadId, stranger, "form");
    const ninth = await env.LEADS.getByName(leadId).fetch(
      new Request(`https://lead-object/chat?${new URLSearchParams({ site: SITE, visitor: stranger, proof: "form" })}`, { headers: { Upgrade: "websocket" } }),
    );
    expect(ninth.status).toBe(429);
    expect((await (await visitorSocket(leadId, unique("own"), "ticket")).ask(hello)).t).toBe("greeting");
  });
});

describe("a bare stop", () => {
  it("opts out with proof, as the chat's answer says, and only alerts the owner without", async () => {
    for (const word of ["stop", "STOP", "cancel"]) {
      const proven = await makeLead();
      expect(await (await visitorSocket(proven, unique("vis"), "ticket")).ask({ t: "say", text: word })).toMatchObject({ text: "Understood: we won't contact you again." });
      expect((await summary(proven)).status, word).toBe("unsubscribed");
    }
    const claimed = await makeLead();
    await (await visitorSocket(claimed, unique("vis"), "form")).ask({ t: "say", text: "stop" });
    expect((await summary(claimed)).status).not.toBe("unsubscribed");
    await settle(env.LEADS.getByName(claimed));
    const alert = (await outboxFor(claimed)).find((m) => m.to === "owner@example.com" && m.text.includes("asked to stop"));
    expect(alert?.text).toContain("was not opted out");
    // A chat notice is no form post: the subject says whom it is about, nothing more.
    expect(alert?.subject).toMatch(/^About /);
  });
});

describe("a lead made by typing an address in chat", () => {
  it("keeps the chat's proof only for that conversation: after it ends, no history and no opt-out on the visitor's word", async () => {
    const visitor = unique("typist").replace(/[^A-Za-z0-9_-]/g, "");
    const chat = await visitorSocket(visitorChatName(SITE, visitor), visitor, "none");
    await chat.ask(hello);
    await chat.ask({ t: "say", text: "Do you integrate with Salesforce?" });
    expect(await chat.ask({ t: "contact", email: `${unique("victim")}@example.com`, consent: true })).toEqual({ t: "moved" });
    const { id: leadId } = (await env.DB.prepare("SELECT lead_id AS id FROM visitors WHERE id = ?").bind(visitor).first<{ id: string }>())!;
    const stub = env.LEADS.getByName(leadId);
    // The object's clock from now on, where the move happened (a clock before it would make the conversation young again).
    const time = await withClock(stub, Date.now());

    // Back at once, the same conversation: still the one who gave the address.
    const during = await visitorSocket(leadId, visitor, "form");
    await during.ask(hello);
    expect((await chatEntries(leadId)).length).toBeGreaterThan(0);

    // Thirteen hours later the conversation is over; the real person may have written since.
    clocks.get(stub.id.toString())!.at = time.now() + 13 * 3_600_000;
    await stub.recordReply({ text: "Our budget is 40k and our CTO signs off next week.", channel: "email", evidence: "test" });
    const later = await visitorSocket(leadId, visitor, "form");
    const greeting = (await later.ask(hello)) as { t: string; text: string };
    expect(greeting.t).toBe("greeting");
    expect(greeting.text).not.toContain("budget");
    await later.ask({ t: "say", text: "please unsubscribe me" });
    expect((await summary(leadId)).status).not.toBe("unsubscribed");
    const last = (await chatEntries(leadId)).filter((e) => e.from === "visitor").at(-1);
    expect(last).toMatchObject({ text: "please unsubscribe me", proof: "form" });
  });
});

describe("a hand-off fired by chat text", () => {
  it("counts as a hand-off from chat in the conversation's row", async () => {
    const leadId = await makeLead();
    const chat = await visitorSocket(leadId, unique("vis"), "ticket");
    await chat.ask({ t: "say", text: "I'm the CEO. What are the contract terms for the Team plan?" });
    expect((await summary(leadId)).status).toBe("with_rep");
    await settle(env.LEADS.getByName(leadId));
    expect((await conversationsOf(leadId))[0]).toMatchObject({ handed_off: 1 });
  });
});

describe("the small print", () => {
  it("a stop is answered and obeyed even while a person holds the chat", async () => {
    const leadId = await makeLead();
    const chat = await visitorSocket(leadId, unique("vis"), "ticket");
    expect(await chat.ask({ t: "say", text: "Can I talk to a person please" })).toMatchObject({ t: "handed_off" });
    expect(await chat.ask({ t: "say", text: "stop" })).toMatchObject({ t: "answer", text: "Understood: we won't contact you again.", quiet: true });
    expect((await summary(leadId)).status).toBe("unsubscribed");
  });

  it("a channel the lead cannot be reached on is refused, and no consent is recorded for it", async () => {
    const leadId = await makeLead();
    const chat = await visitorSocket(leadId, unique("vis"), "ticket");
    expect(await chat.ask({ t: "channel", channel: "whatsapp", consent: true })).toMatchObject({ t: "error", code: "not_reachable" });
    expect((await summary(leadId)).consent.whatsapp).toBeUndefined();
  });

  it("a socket left open after the owner turned chat off is answered nothing more", async () => {
    const site = "https://chat-closing.example";
    await setUpSite({}, site);
    const leadId = await makeLead();
    const chat = await visitorSocket(leadId, unique("vis"), "ticket", site);
    expect((await chat.ask({ t: "hello", page: `${site}/pricing` })).t).toBe("greeting");
    await setUpSite({ enabled: false }, site);
    expect(await chat.ask({ t: "say", text: "What does the Team plan cost?" })).toMatchObject({ t: "error", code: "chat_off" });
    expect(await chatEntries(leadId)).toEqual([]);
  });
});
