import { createServer, type Server } from "node:http";
import type { Browser, Request as PlaywrightRequest } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenKeys } from "../../services/crypto/signed-token";
import { clickToken } from "../../services/crypto/tracked-links";
import { E2E_SECRETS, freePort, startEngine, type LocalEngine, launchChromium } from "./local-engine";

/**
 * The site snippet in a real browser (Debian's chromium through playwright-core): a
 * customer's site on its own origin loads /s.js from the engine.
 */

let engine: LocalEngine;
let site: Server;
let siteOrigin: string;
let browser: Browser;

const owner = (path: string, init: RequestInit = {}) =>
  fetch(`${engine.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${E2E_SECRETS.OWNER_TOKEN}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });

beforeAll(async () => {
  engine = await startEngine();
  const sitePort = await freePort();
  siteOrigin = `http://127.0.0.1:${sitePort}`;
  site = createServer((req, res) => {
    const path = new URL(req.url ?? "/", siteOrigin).pathname;
    const consent = path === "/ask" ? ' data-consent="ask"' : "";
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<!doctype html><html><head><title>${path === "/pricing" ? "Pricing" : "Home"}</title>
      <script src="${engine.url}/s.js"${consent} async></script></head>
      <body><h1>${path}</h1><a id="next" href="/about">About</a></body></html>`);
  }).listen(sitePort, "127.0.0.1");
  const put = await owner("/api/sites", { method: "PUT", body: JSON.stringify({ origin: siteOrigin, pageRules: [{ pattern: "/pricing*", class: "pricing" }] }) });
  expect(put.status).toBe(200);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  site?.close();
  await engine?.stop();
});

async function newLead(): Promise<string> {
  const form = await owner("/api/forms", {
    method: "POST",
    body: JSON.stringify({ id: `e2e-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`, name: "E2E", thankYouUrl: `${siteOrigin}/thanks` }),
  });
  const { id } = (await form.json()) as { id: string };
  const post = await fetch(`${engine.url}/f/${id}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ email: `e2e-${Date.now()}@example.com` }),
  });
  return ((await post.json()) as { leadId: string }).leadId;
}

type Lead = { engagement: { visits: { pageClass: string | null; engagedMs: number }[]; pageViews: { human: number } } };

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  let value = await read();
  while (!ok(value) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 250));
    value = await read();
  }
  return value;
}

/** Headless Chromium names itself in its agent, and bot lists rightly flag that: browse as a person's Chrome. */
const PERSON = { userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36" };

const beacons = (requests: PlaywrightRequest[]) => requests.filter((r) => r.url() === `${engine.url}/e` && r.method() === "POST");

describe("site snippet in a real browser", () => {
  it("a tracked click identifies the visitor; the page view and engaged time reach the lead", async () => {
    const leadId = await newLead();
    const keys = tokenKeys(E2E_SECRETS)!;
    const token = await clickToken(keys, { l: leadId, m: "e2e-msg", i: 0, u: `${siteOrigin}/pricing`, s: Date.now() - 10 * 60_000, o: 1 });
    const context = await browser.newContext(PERSON);
    const page = await context.newPage();
    const requests: PlaywrightRequest[] = [];
    page.on("request", (r) => requests.push(r));

    await page.goto(`${engine.url}/c/${token}`);
    expect(new URL(page.url()).pathname).toBe("/pricing");
    expect(
      (await until(
        async () => beacons(requests).length,
        (n) => n >= 1,
      )) >= 1,
    ).toBe(true);
    expect(page.url()).not.toContain("fu_t"); // the ticket is taken out of the address bar
    await page.waitForTimeout(1_200);
    await page.click("#next"); // leaving the page sends its engaged time

    const lead = await until(
      async () => (await (await owner(`/api/leads/${leadId}`)).json()) as Lead,
      (l) => l.engagement.visits.length >= 2 && (l.engagement.visits[0]?.engagedMs ?? 0) > 0,
    );
    expect(lead.engagement.visits[0]).toMatchObject({ pageClass: "pricing" });
    expect(lead.engagement.visits[0]!.engagedMs).toBeGreaterThanOrEqual(1_000);
    expect(lead.engagement.visits[1]).toMatchObject({ pageClass: null });
    await context.close();
  });

  it("sends nothing at all under Global Privacy Control", async () => {
    const context = await browser.newContext(PERSON);
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }));
    const page = await context.newPage();
    const requests: PlaywrightRequest[] = [];
    page.on("request", (r) => requests.push(r));
    await page.goto(`${siteOrigin}/pricing`);
    await page.waitForFunction(() => (window as unknown as { followUp?: { optedOut: boolean } }).followUp?.optedOut === true);
    await page.click("#next");
    await page.waitForTimeout(1_000);
    expect(beacons(requests)).toEqual([]);
    const stored = await page.evaluate(() => Object.keys(localStorage));
    expect(stored).toEqual([]);
    await context.close();
  });

  it("in ask-first mode sends nothing until the page calls followUp.consent()", async () => {
    const context = await browser.newContext(PERSON);
    const page = await context.newPage();
    const requests: PlaywrightRequest[] = [];
    page.on("request", (r) => requests.push(r));
    await page.goto(`${siteOrigin}/ask`);
    await page.waitForFunction(() => "followUp" in window);
    await page.waitForTimeout(500);
    expect(beacons(requests)).toEqual([]);
    await page.evaluate(() => (window as unknown as { followUp: { consent(): void } }).followUp.consent());
    await until(
      async () => beacons(requests).length,
      (n) => n >= 1,
      5_000,
    );
    expect(beacons(requests).length).toBeGreaterThanOrEqual(1);
    await context.close();
  });
});
