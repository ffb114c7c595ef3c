import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { Browser, Page, Request as PlaywrightRequest } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, ownerFetch, startEngine, until, type LocalEngine, launchChromium } from "./local-engine";

/**
 * Site chat in a real browser (Debian's chromium through playwright-core), issue #21: a
 * customer's site on its own origin runs the snippet; where the owner turned chat on, the
 * snippet loads /chat.js, which talks to the lead's object over /chat/ws.
 */

let engine: LocalEngine;
let site: Server;
let siteOrigin: string;
/** A second registered site whose owner never turned chat on. */
let plainSite: Server;
let plainOrigin: string;
/** A third, whose chat opens on a second pricing view or after two seconds on a demo page. */
let rulesSite: Server;
let rulesOrigin: string;
let browser: Browser;

const SHOTS = join(import.meta.dirname, "..", "..", "test-results");

const PRICING = "Our Team plan costs $49 per month per seat, billed yearly. The Business plan is $99 per month per seat and adds single sign-on.";

/** Headless Chromium names itself in its agent, and bot lists rightly flag that: browse as a person's Chrome. */
const PERSON = { userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36" };

/** The booking provider's signing secret for this engine: the test books as Cal.com would tell the engine. */
const CALCOM_SECRET = "chat-e2e-calcom-secret";
const json = async <T>(path: string, init: RequestInit = {}) => (await ownerFetch(engine, path, init)).json() as Promise<T>;

/** A customer's site on its own origin: every page runs the snippet. */
function serveSite(port: number): Server {
  return createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://site").pathname;
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<!doctype html><html lang="en"><head><title>${path.slice(1) || "Home"}</title>
      <script src="${engine.url}/s.js" async></script></head>
      <body><h1>${path}</h1><a id="next" href="/about">About</a></body></html>`);
  }).listen(port, "127.0.0.1");
}

beforeAll(async () => {
  const sitePort = await freePort();
  siteOrigin = `http://127.0.0.1:${sitePort}`;
  site = serveSite(sitePort);
  const plainPort = await freePort();
  plainOrigin = `http://127.0.0.1:${plainPort}`;
  plainSite = serveSite(plainPort);
  const rulesPort = await freePort();
  rulesOrigin = `http://127.0.0.1:${rulesPort}`;
  rulesSite = serveSite(rulesPort);
  // The acknowledgement's booking link goes to the site, so its tracked link carries a click ticket.
  engine = await startEngine({ BOOKING_URL: `${siteOrigin}/book`, CALCOM_WEBHOOK_SECRET: CALCOM_SECRET }, { publicUrlIsEngine: true });
  const put = await ownerFetch(engine, "/api/sites", {
    method: "PUT",
    body: JSON.stringify({
      origin: siteOrigin,
      pageRules: [
        { pattern: "/pricing*", class: "pricing" },
        { pattern: "/book*", class: "booking" },
      ],
      chat: { enabled: true, greeting: "Hi! Ask us anything.", openOn: { returningLead: true } },
    }),
  });
  expect(put.status).toBe(200);
  expect((await ownerFetch(engine, "/api/sites", { method: "PUT", body: JSON.stringify({ origin: plainOrigin }) })).status).toBe(200);
  const rules = {
    origin: rulesOrigin,
    pageRules: [
      { pattern: "/pricing*", class: "pricing" },
      { pattern: "/demo*", class: "demo" },
    ],
    chat: { enabled: true, openOn: { pricingViews: 2, secondsOnPage: { pageClass: "demo", seconds: 2 } } },
  };
  expect((await ownerFetch(engine, "/api/sites", { method: "PUT", body: JSON.stringify(rules) })).status).toBe(200);
  const knowledge = await ownerFetch(engine, "/api/knowledge/pricing", { method: "PUT", body: JSON.stringify({ title: "Pricing", kind: "pricing", text: PRICING }) });
  expect(knowledge.status).toBe(201);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  site?.close();
  plainSite?.close();
  rulesSite?.close();
  await engine?.stop();
});

/** A lead from a form post, and the tracked booking link of the acknowledgement it was sent. */
async function leadWithEmail(): Promise<{ leadId: string; email: string; link: string }> {
  const formId = `chat-e2e-${Date.now()}`;
  const email = `chat-e2e-${Date.now()}@example.com`;
  const form = await ownerFetch(engine, "/api/forms", { method: "POST", body: JSON.stringify({ id: formId, name: "Chat E2E", thankYouUrl: `${siteOrigin}/thanks` }) });
  expect(form.status).toBe(201);
  const post = await fetch(`${engine.url}/f/${formId}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ email, name: "Robin" }),
  });
  const { leadId } = (await post.json()) as { leadId: string };
  const html = await until("the acknowledgement in the outbox", async () => {
    const { messages } = await json<{ messages: { html: string | null }[] }>(`/api/outbox?leadId=${leadId}`);
    return messages.find((m) => m.html)?.html;
  });
  const link = /href="([^"]*\/c\/[^"]+)"/.exec(html)?.[1];
  expect(link).toBeTruthy();
  return { leadId, email, link: link!.replace(/&amp;/g, "&") };
}

type Timeline = { timeline: { kind: string; from?: string; text?: string; url?: string }[] };

const dialog = (page: Page) => page.getByRole("dialog", { name: "Chat with us" });
const log = (page: Page) => page.getByRole("log", { name: "Conversation" });

describe("site chat in a real browser", () => {
  it("a known lead comes back, is greeted from its history, asks about pricing, gets the grounded answer and books; the lead's timeline has the conversation", async () => {
    const { leadId, email, link } = await leadWithEmail();
    const context = await browser.newContext(PERSON);

    // The lead clicks the booking link in the email: the ticket ties this browser to the lead.
    const first = await context.newPage();
    await first.goto(link);
    expect(new URL(first.url()).pathname).toBe("/book");
    await until("the landing page on the lead's timeline", async () =>
      (await json<Timeline>(`/api/leads/${leadId}`)).timeline.some((e) => e.kind === "page_viewed" && e.url?.endsWith("/book")),
    );
    await first.close();

    // Later, a new visit: the widget opens by itself for a returning lead and greets it from what it did.
    const page = await context.newPage();
    await page.goto(`${siteOrigin}/pricing`);
    await dialog(page).waitFor({ timeout: 15_000 });
    const greeting = log(page).locator(".msg.assistant").first();
    await greeting.waitFor();
    const greetingText = (await greeting.textContent()) ?? "";
    expect(greetingText).not.toContain("Hi! Ask us anything.");
    // What the lead did last time: it looked at the booking page it landed on.
    expect(greetingText).toMatch(/^Assistant: Welcome back\. Last time you were looking at our (booking|pricing) page/);

    await page.getByRole("textbox", { name: "Your message" }).fill("How much does the Team plan cost?");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const answer = log(page).locator(".msg.assistant").nth(1);
    await answer.waitFor({ timeout: 15_000 });
    expect(await answer.textContent()).toContain("$49");
    expect(await answer.locator(".sources").textContent()).toContain("Pricing");

    // The answer offers the booking link right under it.
    const book = log(page).locator(".msg.assistant + .actions").nth(1).getByRole("link", { name: "Book a time" });
    await book.waitFor({ timeout: 15_000 });
    expect(await book.getAttribute("target")).toBe("_blank");
    expect(await book.getAttribute("rel")).toBe("noopener");
    const [booking] = await Promise.all([context.waitForEvent("page"), book.click()]);
    await booking.waitForLoadState();
    expect(new URL(booking.url()).pathname).toBe("/book");
    // The lead picks a time on the calendar page; the provider tells the engine, signed, and the booking is the chat's.
    const payload = JSON.stringify({ triggerEvent: "BOOKING_CREATED", payload: { responses: { email: { value: email } }, attendees: [{ email }] } });
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(CALCOM_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const signature = Buffer.from(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(payload))).toString("hex");
    const told = await fetch(`${engine.url}/hooks/booking/calcom`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-cal-signature-256": signature },
      body: payload,
    });
    expect(told.status).toBe(200);
    await until("the booking credited to the chat", async () => ((await json<{ chat?: { bookings: number } }>("/api/stats")).chat?.bookings ?? 0) >= 1);
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, "chat-widget.png") });

    const timeline = await until("the conversation on the lead's timeline", async () => {
      const { timeline } = await json<Timeline>(`/api/leads/${leadId}`);
      const chat = timeline.filter((e) => e.kind === "chat_message");
      return chat.some((e) => e.from === "assistant" && e.text?.includes("$49")) ? chat : null;
    });
    expect(timeline.map((e) => [e.from, e.text])).toEqual(
      expect.arrayContaining([
        ["visitor", "How much does the Team plan cost?"],
        ["assistant", expect.stringContaining("$49")],
      ]),
    );
    await context.close();
  });

  it("a visitor can open the chat, send a message and close it with the keyboard alone", async () => {
    const context = await browser.newContext(PERSON);
    const page = await context.newPage();
    await page.goto(`${siteOrigin}/about`);
    const launcher = page.getByRole("button", { name: "Chat with us", exact: true });
    await launcher.waitFor({ timeout: 15_000 });
    expect(await dialog(page).isVisible()).toBe(false); // an unknown visitor is not interrupted

    const focused = (locator: ReturnType<Page["getByRole"]>) => locator.evaluate((el) => (el.getRootNode() as ShadowRoot | Document).activeElement === el);
    for (let i = 0; i < 10 && !(await focused(launcher)); i++) await page.keyboard.press("Tab");
    expect(await focused(launcher)).toBe(true);
    await page.keyboard.press("Enter");
    await dialog(page).waitFor();
    expect(await launcher.getAttribute("aria-expanded")).toBe("true");
    const input = page.getByRole("textbox", { name: "Your message" });
    expect(await focused(input)).toBe(true); // focus moved into the panel

    await page.keyboard.type("Do you work weekends?");
    await page.keyboard.press("Enter");
    await log(page).locator(".msg.visitor", { hasText: "Do you work weekends?" }).waitFor();
    await log(page).locator(".msg.assistant").nth(1).waitFor({ timeout: 15_000 }); // greeting, then an answer

    await page.keyboard.press("Escape");
    await dialog(page).waitFor({ state: "hidden" });
    expect(await focused(launcher)).toBe(true); // focus back where it was
    expect(await launcher.getAttribute("aria-expanded")).toBe("false");
    await context.close();
  });

  it("a site without chat asks once per visit and loads no widget; under Global Privacy Control nothing is asked", async () => {
    const context = await browser.newContext(PERSON);
    const requests: PlaywrightRequest[] = [];
    context.on("request", (r) => requests.push(r));
    const asked = () => requests.filter((r) => r.url().startsWith(`${engine.url}/chat/config`));
    const widget = () => requests.filter((r) => r.url() === `${engine.url}/chat.js`);
    const page = await context.newPage();
    await page.goto(`${plainOrigin}/`);
    await until("the config request", async () => asked().length === 1);
    await page.click("#next"); // a second page of the same visit
    await page.waitForLoadState("load");
    await page.waitForTimeout(1_500);
    expect(asked()).toHaveLength(1);
    expect(widget()).toEqual([]);
    expect(await page.evaluate(() => document.querySelector("[data-follow-up=chat]"))).toBeNull();
    await context.close();

    const private_ = await browser.newContext(PERSON);
    await private_.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }));
    const quiet: PlaywrightRequest[] = [];
    private_.on("request", (r) => quiet.push(r));
    const guarded = await private_.newPage();
    await guarded.goto(`${siteOrigin}/pricing`);
    await guarded.waitForLoadState("load");
    await guarded.waitForTimeout(1_500);
    expect(quiet.filter((r) => r.url().startsWith(engine.url) && !r.url().endsWith("/s.js"))).toEqual([]);
    await private_.close();
  });

  it("opens by itself on the owner's rules, at most once per visit", async () => {
    const context = await browser.newContext(PERSON);
    const page = await context.newPage();
    const launcher = page.getByRole("button", { name: "Chat with us", exact: true });
    await page.goto(`${rulesOrigin}/pricing`);
    await launcher.waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1_000);
    expect(await dialog(page).isVisible()).toBe(false); // the first pricing view
    await page.goto(`${rulesOrigin}/pricing`);
    await dialog(page).waitFor({ timeout: 15_000 }); // the second
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-follow-up") ?? null)).toBeNull(); // it took no focus
    await page.goto(`${rulesOrigin}/demo`);
    await launcher.waitFor({ timeout: 15_000 });
    await page.waitForTimeout(3_000);
    expect(await dialog(page).isVisible()).toBe(false); // the same visit: once is enough

    const nextVisit = await context.newPage();
    await nextVisit.goto(`${rulesOrigin}/demo`);
    await dialog(nextVisit).waitFor({ timeout: 15_000 }); // two seconds on a demo page

    // The visitor asks to stop: the chat stays on its button and never opens by itself again in this browser.
    await nextVisit.getByRole("textbox", { name: "Your message" }).fill("stop");
    await nextVisit.getByRole("textbox", { name: "Your message" }).press("Enter");
    await log(nextVisit).locator(".msg.assistant", { hasText: "won't open this chat by myself again" }).waitFor({ timeout: 15_000 });
    const afterStop = await context.newPage();
    await afterStop.goto(`${rulesOrigin}/demo`);
    await afterStop.getByRole("button", { name: "Chat with us", exact: true }).waitFor({ timeout: 15_000 });
    await afterStop.waitForTimeout(4_000);
    expect(await dialog(afterStop).isVisible()).toBe(false);
    await context.close();
  });
});
