import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { E2E_SECRETS, startEngine, type LocalEngine, until, ownerFetch, launchChromium } from "./local-engine";

/**
 * The dashboard's numbers survive the owner reading them, and its pages read on a phone, in
 * Debian's chromium: the outbox viewed (every message opened, its preview loaded) leaves the
 * open counts as they were; the overview and a lead page at 390 px have no sideways page
 * scroll, render in standards mode, and have a skip link and a navigation landmark.
 * Screenshots at 390 px land in test-results/.
 */

const PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
const SHOTS = join(import.meta.dirname, "..", "..", "test-results");

let engine: LocalEngine;
let browser: Browser;

const owner = (path: string, init: RequestInit = {}) => ownerFetch(engine, path, init);
const json = async <T>(path: string) => (await (await owner(path)).json()) as T;

async function loggedIn(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${engine.url}/dashboard/login`);
  await page.fill('input[name="token"]', E2E_SECRETS.OWNER_TOKEN);
  await page.click('main button[type="submit"]');
  expect(new URL(page.url()).pathname).toBe("/dashboard");
  return page;
}

interface Opens {
  human: number;
  auto: number;
  machine: number;
}
const statsOpens = async () => await json<{ opens: Opens; funnel: { opened: number } }>("/api/stats?days=30");
const leadOpens = async (leadId: string) => (await json<{ engagement: { opens: Opens } }>(`/api/leads/${leadId}`)).engagement.opens;

const leadIds: string[] = [];
let emails: { id: string; leadId: string; html: string }[] = [];

beforeAll(async () => {
  // Any open that reached the engine would count as a person's: no scanner window to hide it.
  engine = await startEngine({ SCANNER_WINDOW_SECONDS: "0" });
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  const formId = `e2e-readable-${Date.now()}`;
  expect(
    (await owner("/api/forms", { method: "POST", body: JSON.stringify({ id: formId, name: "Readable", thankYouUrl: "https://site.example/thanks", sequenceId: "new-inquiry" }) }))
      .status,
  ).toBe(201);
  for (const [i, name] of ["Ada Lovelace", "Grace Hopper", "Katherine Johnson"].entries()) {
    const posted = await fetch(`${engine.url}/f/${formId}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        email: `e2e-readable-${i}-${Date.now()}@example.com`,
        name,
        company: "A company with a rather long name, Incorporated",
        // A long unbroken word, as people paste links: it must wrap, not widen the page.
        message: `Please look at https://example.com/${"very-long-path-segment-".repeat(12)}end and call me back.`,
      }),
    });
    expect(posted.status).toBe(202);
    leadIds.push(((await posted.json()) as { leadId: string }).leadId);
  }
  emails = await until(
    "every acknowledgement in the outbox",
    async () => {
      const { messages } = await json<{ messages: { id: string; leadId: string; html: string | null }[] }>("/api/outbox?limit=50");
      const held = messages.filter((m): m is { id: string; leadId: string; html: string } => m.html !== null && leadIds.includes(m.leadId));
      return held.length >= leadIds.length && held;
    },
    60_000,
  );
  // The first lead opens its email, as a person would: the counts start above zero.
  const pixel = /src="[^"]*(\/o\/[^"]+)"/.exec(emails.find((m) => m.leadId === leadIds[0])!.html)![1]!;
  expect((await fetch(`${engine.url}${pixel}`, { headers: { "user-agent": PERSON } })).status).toBe(200);
  await until("the real open in the stats", async () => (await statsOpens()).opens.human >= 1);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

describe("numbers the owner can trust", () => {
  it("the outbox viewed with the open count unchanged", async () => {
    const before = await statsOpens();
    const perLead = await Promise.all(leadIds.map(leadOpens));
    expect(before.opens.human).toBe(1);

    const context = await browser.newContext({ userAgent: PERSON, viewport: { width: 1100, height: 900 } });
    const page = await loggedIn(context);
    const tracked: string[] = [];
    context.on("request", (request) => {
      if (/\/(o|c|u)\/[^/]+$/.test(new URL(request.url()).pathname)) tracked.push(request.url());
    });
    await page.goto(`${engine.url}/dashboard/outbox`);
    // Open every message: its preview frame loads, with the words the lead got.
    const messages = page.locator("main details");
    expect(await messages.count()).toBeGreaterThanOrEqual(leadIds.length);
    for (let i = 0; i < (await messages.count()); i++) await messages.nth(i).locator("summary").click();
    const previews = await until("every preview frame loaded", async () => {
      const frames = page.frames().filter((f) => f.url().endsWith("/preview"));
      const loaded = await Promise.all(frames.map((f) => f.evaluate(() => document.body?.textContent ?? "").catch(() => "")));
      return frames.length >= leadIds.length && loaded.every((text) => text.includes("Thanks")) && frames;
    });
    // In the frame: no image, no link a click could follow.
    for (const frame of previews) expect(await frame.evaluate(() => document.querySelectorAll("img:not([src^='data:']), a[href]").length)).toBe(0);
    await page.screenshot({ path: join(SHOTS, "outbox-viewed.png"), fullPage: true });
    // The preview document opened on its own loads nothing either.
    const alone = await context.newPage();
    await alone.goto(`${engine.url}/dashboard/outbox/${encodeURIComponent(emails[0]!.id)}/preview`);
    expect(await alone.evaluate(() => document.body.textContent)).toContain("Thanks");
    expect(await alone.evaluate(() => document.compatMode)).toBe("CSS1Compat");
    expect(tracked).toEqual([]);

    // A real open after the owner's look: once it is counted, anything the look had sent would be too.
    const pixel = /src="[^"]*(\/o\/[^"]+)"/.exec(emails.find((m) => m.leadId === leadIds[1])!.html)![1]!;
    expect((await fetch(`${engine.url}${pixel}`, { headers: { "user-agent": PERSON } })).status).toBe(200);
    const after = await until("the second real open in the stats", async () => {
      const now = await statsOpens();
      return now.opens.human > before.opens.human && now;
    });
    expect(after.opens).toEqual({ ...before.opens, human: before.opens.human + 1 });
    expect(after.funnel.opened).toBe(before.funnel.opened + 1);
    expect(await leadOpens(leadIds[0]!)).toEqual(perLead[0]);
    expect(await leadOpens(leadIds[2]!)).toEqual(perLead[2]);
    await context.close();
  });
});

describe("readable on a phone", () => {
  let phone: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    phone = await browser.newContext({ userAgent: PERSON, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
    page = await loggedIn(phone);
  });
  afterAll(async () => phone?.close());

  /** What every page must be at 390 px: standards mode, no sideways page scroll, a skip link first, one navigation landmark, a label on every field. */
  async function expectReadable(what: string) {
    expect(await page.evaluate(() => document.compatMode), what).toBe("CSS1Compat");
    expect(await page.evaluate(() => document.doctype?.name), what).toBe("html");
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth, `${what}: page width`).toBeLessThanOrEqual(innerWidth);
    expect(await page.getByRole("navigation").count(), what).toBe(1);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => [document.activeElement?.textContent, document.activeElement?.getAttribute("href")]), what).toEqual(["Skip to content", "#main"]);
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("input:not([type=hidden]), select, textarea")]
        .filter((field) => (field.labels?.length ?? 0) === 0 && !field.getAttribute("aria-label"))
        .map((field) => field.outerHTML),
    );
    expect(unlabelled, what).toEqual([]);
  }

  it("the overview at 390 px: no sideways scroll, the menu folded, the funnel's words readable", async () => {
    await page.goto(`${engine.url}/dashboard`);
    await expectReadable("overview");
    // The navigation is one Menu button until opened.
    expect(await page.locator("header .wide").isVisible()).toBe(false);
    expect(await page.getByRole("link", { name: "Leads", exact: true }).isVisible()).toBe(false);
    const sizes = await page.$$eval("[data-testid=funnel-chart] li > span:not(.funnel-bar), .axis span", (spans) =>
      spans.map((s) => Number.parseFloat(getComputedStyle(s).fontSize)),
    );
    expect(sizes.length).toBeGreaterThanOrEqual(6);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(12);
    expect(await page.$$eval("[data-testid=funnel-chart] li", (rows) => rows.map((r) => r.getAttribute("data-step")))).toEqual([
      "leads",
      "contacted",
      "opened",
      "clicked",
      "replied",
      "booked",
    ]);
    await page.screenshot({ path: join(SHOTS, "overview-390.png"), fullPage: true });
    // From the skip link, the next key reaches the Menu, and Enter opens it: no mouse needed.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Menu");
    await page.keyboard.press("Enter");
    expect(await page.getByRole("link", { name: "Leads", exact: true }).isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, "overview-390-menu.png") });
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth)).toBe(true);
    await page.getByRole("link", { name: "Leads", exact: true }).click();
    expect(new URL(page.url()).pathname).toBe("/dashboard/leads");
    await expectReadable("leads list");
    await page.screenshot({ path: join(SHOTS, "leads-390.png"), fullPage: true });
  });

  it("a lead page at 390 px: no sideways scroll, the timeline in sentences, times named in the business's zone", async () => {
    await page.goto(`${engine.url}/dashboard/leads/${leadIds[0]}`);
    await expectReadable("lead page");
    const timeline = (await page.locator('[data-testid="timeline"]').textContent())!.replace(/\s+/g, " ");
    expect(timeline).toContain("Posted the form");
    expect(timeline).toContain("Opened an email for the first time, by a person");
    expect(timeline).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} E[SD]T/);
    expect(timeline).not.toMatch(/[{}]|firstName|formPost/);
    expect(await page.textContent('[data-testid="zone"]')).toContain("America/New_York");
    // Running: Pause, and no Resume.
    expect(await page.locator("[data-action]").evaluateAll((buttons) => buttons.map((b) => b.getAttribute("data-action")))).toEqual(["pause", "complete", "booked", "hand-off"]);
    await page.screenshot({ path: join(SHOTS, "lead-390.png"), fullPage: true });
  });

  it("/dashboard/ with a trailing slash is the overview", async () => {
    await page.goto(`${engine.url}/dashboard/`);
    expect(new URL(page.url()).pathname).toBe("/dashboard");
    expect(await page.textContent("h1")).toBe("Overview");
  });
});
