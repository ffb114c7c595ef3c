import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { E2E_SECRETS, freePort, ownerFetch, startEngine, type LocalEngine, until, launchChromium } from "./local-engine";

/**
 * The owner's side of site chat in Debian's chromium: chat turned on for a site from the
 * dashboard, then the conversations page listing a conversation and redrawing itself when
 * another one starts, and a rep answering from the lead's page while the visitor chats on a
 * page of the site (its socket through the edge's /chat/ws). Screenshots land in
 * test-results/chat-owner-*.png.
 */

const SHOTS = join(import.meta.dirname, "..", "..", "test-results");
const SITE = "https://shop.chat-owner.example";

let engine: LocalEngine;
let site: { origin: string; server: Server };
let browser: Browser;
let page: Page;

const owner = (path: string, init: RequestInit = {}) => ownerFetch(engine, path, init);
const json = async <T>(path: string) => (await (await owner(path)).json()) as T;

/** A conversation row as the object holding the conversation writes it, straight into the engine's local D1. */
function conversationRow(row: { id: string; leadId: string | null; lastText: string; messages: number; captured?: boolean }) {
  const now = Date.now();
  const quote = (v: string) => `'${v.replaceAll("'", "''")}'`;
  const sql = `INSERT INTO conversations (id, site_origin, visitor_id, lead_id, started_at, last_at, messages, captured, last_text)
    VALUES (${quote(row.id)}, ${quote(SITE)}, ${quote(`visitor-${row.id}`)}, ${row.leadId ? quote(row.leadId) : "NULL"}, ${now - 60_000}, ${now}, ${row.messages}, ${row.captured ? 1 : 0}, ${quote(row.lastText)})`;
  const run = spawnSync("npx", ["wrangler", "d1", "execute", "DB", "--local", "--persist-to", engine.state, "--command", sql], {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`insert failed:\n${run.stderr}${run.stdout}`);
}

beforeAll(async () => {
  engine = await startEngine();
  const port = await freePort();
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pricing</title></head><body><h1>Pricing</h1></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  site = { origin: `http://127.0.0.1:${port}`, server };
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await page.goto(`${engine.url}/dashboard/login`);
  await page.getByLabel("Owner token").fill(E2E_SECRETS.OWNER_TOKEN);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${engine.url}/dashboard`);
}, 300_000);

afterAll(async () => {
  site?.server.close();
  await browser?.close();
  await engine?.stop();
});

describe("site chat from the owner's side", () => {
  it("the owner turns chat on for a site in the dashboard", async () => {
    expect((await owner("/api/sites", { method: "PUT", body: JSON.stringify({ origin: SITE }) })).status).toBe(200);
    await page.goto(`${engine.url}/dashboard/sites`);
    await page.locator(`tr[data-site="${SITE}"] a`, { hasText: "off" }).click();
    await page.waitForURL(/\/dashboard\/sites\/chat\?origin=/);
    await page.getByLabel("Chat is on").check();
    await page.getByLabel("Greeting for a visitor").fill("Hi! Ask me about our plans.");
    await page.getByLabel("A lead we already know comes back").check();
    await page.getByLabel("After some time on a page of class").selectOption("pricing");
    await page.getByLabel("Seconds on that page").fill("400000");
    await page.getByRole("button", { name: "Save chat settings" }).click();
    // A refused value comes back beside its field, what was typed kept.
    await expect.poll(() => page.locator('[data-error-for="openOn.secondsOnPage.seconds"]').textContent()).toBeTruthy();
    expect(await page.getByLabel("Greeting for a visitor").inputValue()).toBe("Hi! Ask me about our plans.");
    await page.getByLabel("Seconds on that page").fill("20");
    for (const day of ["Mon", "Tue", "Wed", "Thu", "Fri"]) await page.getByLabel(day, { exact: true }).check();
    await page.getByLabel("From", { exact: true }).fill("09:00");
    await page.getByLabel("Until", { exact: true }).fill("17:00");
    await page.getByRole("button", { name: "Save chat settings" }).click();
    await page.waitForURL(/done=saved/);
    expect(await page.locator(".flash").textContent()).toContain("Chat settings saved.");
    await page.screenshot({ path: join(SHOTS, "chat-owner-settings.png"), fullPage: true });
    const { sites } = await json<{ sites: { origin: string; chat?: { enabled: boolean; openOn: unknown; hours: unknown } }[] }>("/api/sites");
    expect(sites.find((s) => s.origin === SITE)?.chat).toMatchObject({
      enabled: true,
      openOn: { returningLead: true, pricingViews: null, secondsOnPage: { pageClass: "pricing", seconds: 20 } },
      hours: { days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00" },
    });
    // No page fits a phone's width by scrolling sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it("the conversations page lists a conversation and shows a new one without a reload", async () => {
    const formId = `chat-owner-${Date.now()}`;
    expect((await owner("/api/forms", { method: "POST", body: JSON.stringify({ id: formId, name: "Chat", thankYouUrl: `${SITE}/thanks`, sequenceId: null }) })).status).toBe(201);
    const email = `${formId}@example.com`;
    const posted = await fetch(`${engine.url}/f/${formId}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ email, name: "Robin Chat" }),
    });
    const { leadId } = (await posted.json()) as { leadId: string };
    await until("the lead in the index", async () => (await json<{ leads: { id: string }[] }>(`/api/leads?q=${encodeURIComponent(email)}`)).leads.length > 0);
    conversationRow({ id: "conv-known", leadId, lastText: "Can I talk to someone about pricing?", messages: 4, captured: true });

    await page.goto(`${engine.url}/dashboard/conversations`);
    const known = page.locator('tr[data-conversation="conv-known"]');
    expect(await known.getByRole("link", { name: "Robin Chat" }).getAttribute("href")).toBe(`/dashboard/leads/${leadId}`);
    expect(await known.textContent()).toContain("Can I talk to someone about pricing?");
    expect(await known.textContent()).toContain("captured");
    await until("the page's own refresh", async () => (await page.locator("#conversations-status").textContent())?.includes("every 5 seconds"));

    conversationRow({ id: "conv-new", leadId: null, lastText: "<img src=x onerror=alert(1)> hello?", messages: 1 });
    const fresh = page.locator('tr[data-conversation="conv-new"]');
    await fresh.waitFor({ timeout: 15_000 });
    expect(await fresh.textContent()).toContain("visitor, not yet a lead");
    expect(await fresh.textContent()).toContain("<img src=x onerror=alert(1)> hello?");
    expect(await page.locator("#conversations img").count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, "chat-owner-conversations.png"), fullPage: true });
  });

  it("a rep answers from the lead's page and the visitor's chat on the site receives it", async () => {
    expect((await owner("/api/sites", { method: "PUT", body: JSON.stringify({ origin: site.origin, chat: { enabled: true } }) })).status).toBe(200);
    // The visitor gave their email in a form on the site, with the snippet's visitor id: the engine links the two.
    const formId = `chat-rep-${Date.now()}`;
    expect(
      (await owner("/api/forms", { method: "POST", body: JSON.stringify({ id: formId, name: "Contact", thankYouUrl: `${site.origin}/thanks`, sequenceId: null }) })).status,
    ).toBe(201);
    const visitorId = `visitor${Date.now()}`;
    const posted = await fetch(`${engine.url}/f/${formId}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ email: `${formId}@example.com`, name: "Kim Visitor", fu_vid: visitorId }),
    });
    const { leadId } = (await posted.json()) as { leadId: string };

    // The visitor, on the site's pricing page, chats over the edge's socket.
    const visitor = await browser.newPage();
    await visitor.goto(`${site.origin}/pricing`);
    await visitor.evaluate(
      ({ engineUrl, v }) =>
        new Promise<void>((resolve, reject) => {
          const frames: unknown[] = [];
          Object.assign(window, { chatFrames: frames });
          const ws = new WebSocket(`${engineUrl.replace(/^http/, "ws")}/chat/ws?v=${v}`);
          ws.onmessage = (event) => frames.push(JSON.parse(event.data));
          ws.onerror = () => reject(new Error("the visitor's socket failed"));
          ws.onopen = () => {
            ws.send(JSON.stringify({ t: "hello", page: location.href, title: "Pricing" }));
            ws.send(JSON.stringify({ t: "say", text: "Can someone tell me about volume discounts?" }));
            resolve();
          };
        }),
      { engineUrl: engine.url, v: visitorId },
    );
    const visitorFrames = () => visitor.evaluate(() => (window as unknown as { chatFrames: { t: string; from?: string; text?: string }[] }).chatFrames);
    await until("the assistant's answer", async () => (await visitorFrames()).some((f) => f.t === "answer"));

    // The owner, on the lead's page, sees the conversation live and answers.
    await page.goto(`${engine.url}/dashboard/leads/${leadId}`);
    const panel = page.locator("#lead-chat");
    await until("the rep's socket", async () => (await page.locator("#chat-status").textContent())?.startsWith("Connected"));
    expect(await panel.locator("#chat-transcript").textContent()).toContain("Can someone tell me about volume discounts?");
    await page.getByLabel("Your answer to the visitor").fill("Yes: 10% off from 50 seats. Shall I send a quote?");
    await page.getByRole("button", { name: "Send" }).click();
    await until("the rep's answer in the visitor's chat", async () =>
      (await visitorFrames()).some((f) => f.t === "answer" && f.from === "rep" && f.text === "Yes: 10% off from 50 seats. Shall I send a quote?"),
    );
    await until("the rep's answer in the panel", async () => (await panel.locator('li[data-from="rep"]').count()) > 0);
    expect(await page.getByLabel("Your answer to the visitor").inputValue()).toBe("");
    await page.screenshot({ path: join(SHOTS, "chat-owner-rep.png"), fullPage: true });
    const lead = await json<{ timeline: { kind: string; from?: string; text?: string }[] }>(`/api/leads/${leadId}`);
    const said = lead.timeline.filter((e) => e.kind === "chat_message").map((e) => [e.from, e.text]);
    expect(said).toContainEqual(["visitor", "Can someone tell me about volume discounts?"]);
    expect(said).toContainEqual(["rep", "Yes: 10% off from 50 seats. Shall I send a quote?"]);
    await visitor.close();
  });
});
