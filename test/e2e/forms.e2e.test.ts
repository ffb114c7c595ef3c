import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { E2E_SECRETS, freePort, startEngine, type LocalEngine, until, ownerFetch, launchChromium } from "./local-engine";

/**
 * Setting up capture as an owner does, in Debian's chromium: from an empty database, the
 * overview's first-run checklist; a site registered and a form made in the dashboard, its
 * embed code (taken with the copy button) pasted into a page on another origin and sent by a
 * visitor; the fetch variant; and a post from a site nobody registered, kept and approved.
 * Screenshots land in test-results/forms-*.png.
 */

const PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
const SHOTS = join(import.meta.dirname, "..", "..", "test-results");

/** A customer's web site on its own origin: whatever HTML the test puts at a path, and a thank-you page. */
interface Site {
  origin: string;
  pages: Map<string, string>;
  server: Server;
}

async function startSite(): Promise<Site> {
  const port = await freePort();
  const pages = new Map<string, string>([["/thanks", "<!doctype html><title>Thanks</title><h1>Thank you, we will be in touch</h1>"]]);
  const server = createServer((request, response) => {
    const html = pages.get(new URL(request.url ?? "/", "http://x").pathname);
    response.writeHead(html ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
    response.end(html ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${port}`, pages, server };
}

const pageWith = (body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Contact us</title></head><body><h1>Contact us</h1>${body}</body></html>`;

let engine: LocalEngine;
let site: Site;
let stranger: Site;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const dialogs: string[] = [];

const owner = (path: string, init: RequestInit = {}) => ownerFetch(engine, path, init);
const json = async <T>(path: string) => (await (await owner(path)).json()) as T;

type Lead = { id: string; email: string | null };
const leadByEmail = async (email: string) => (await json<{ leads: Lead[] }>(`/api/leads?q=${encodeURIComponent(email)}`)).leads.find((l) => l.email === email);
const checklistItem = (id: string) => page.getAttribute(`[data-item="${id}"]`, "data-done");

/** A visitor on a customer's page fills the form in and sends it. */
async function sendForm(url: string, email: string) {
  await page.goto(url);
  await page.fill('input[name="name"]', "Dana Visitor");
  await page.fill('input[name="email"]', email);
  await page.fill('textarea[name="message"]', "Do you cover the north side?");
  await Promise.all([page.waitForURL(/\/thanks$/), page.click('button[type="submit"]')]);
  expect(await page.textContent("h1")).toContain("Thank you");
}

beforeAll(async () => {
  [engine, site, stranger] = await Promise.all([startEngine({}, { publicUrlIsEngine: true }), startSite(), startSite()]);
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  context = await browser.newContext({ userAgent: PERSON, viewport: { width: 1100, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: engine.url });
  page = await context.newPage();
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.goto(`${engine.url}/dashboard/login`);
  await page.fill('input[name="token"]', E2E_SECRETS.OWNER_TOKEN);
  await Promise.all([page.waitForURL(/\/dashboard$/), page.click("button")]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await engine?.stop();
  for (const s of [site, stranger]) s?.server.close();
});

describe("setting up capture in the dashboard", () => {
  let formId: string;

  it("the first-run checklist, from an empty database to a test lead from a form on the owner's site", async () => {
    await page.goto(`${engine.url}/dashboard`);
    expect(await checklistItem("sender")).toBe("true");
    for (const item of ["site", "form-embedded", "test-lead", "sending-domain"]) expect(await checklistItem(item), item).toBe("false");
    await page.screenshot({ path: join(SHOTS, "forms-checklist-empty.png"), fullPage: true });

    // Each item links to where it is done: the site first.
    await Promise.all([page.waitForURL(/\/dashboard\/sites$/), page.click('[data-item="site"] a')]);
    await page.getByLabel("The site's address (its origin)").fill("not a site");
    await page.click('button:has-text("Register the site")');
    expect(await page.textContent('[data-error-for="origin"]')).toContain("origin");
    await page.getByLabel("The site's address (its origin)").fill(site.origin);
    await Promise.all([page.waitForURL(/\/dashboard\/sites\/edit/), page.click('button:has-text("Register the site")')]);
    // Its page rules, with the tester.
    await page.getByLabel("A page's URL").fill(`${site.origin}/pricing/teams`);
    await page.click('button:has-text("Test the saved rules")');
    expect(await page.getAttribute('[data-testid="rule-test"]', "data-class")).toBe("pricing");

    // Then the form.
    await page.goto(`${engine.url}/dashboard`);
    await Promise.all([page.waitForURL(/\/dashboard\/forms\/new$/), page.click('[data-item="form-embedded"] a')]);
    formId = `contact-${Date.now()}`;
    await page.getByLabel("Form id").fill(formId);
    await page.getByLabel("Name", { exact: true }).fill("Contact us");
    await page.getByLabel("Thank-you page").fill(`${site.origin}/thanks`);
    await page.getByLabel("Sequence every new lead enters").selectOption("new-inquiry");
    await page.check('input[name="consent.email.shown"]');
    await page.getByLabel("Wording next to the email box").fill("Yes, email me about my project.");
    await Promise.all([page.waitForURL(new RegExp(`/dashboard/forms/${formId}\\?done=created$`)), page.click('button:has-text("Create form")')]);
    await page.screenshot({ path: join(SHOTS, "forms-editor.png"), fullPage: true });

    // The copy button hands over the embed code, and it goes into a page of the owner's site.
    await page.click('button[data-copy="embed-html"]');
    await until("the copy button's answer", async () => (await page.textContent('button[data-copy="embed-html"]')) === "Copied");
    const html = await page.evaluate(() => navigator.clipboard.readText());
    expect(html).toContain(`action="${engine.url}/f/${formId}"`);
    expect(html).toContain("Yes, email me about my project.");
    site.pages.set("/contact", pageWith(html));

    const email = `first-run-${Date.now()}@example.com`;
    await sendForm(`${site.origin}/contact`, email);
    const lead = await until("the lead", () => leadByEmail(email));
    expect(lead.id).toMatch(/^[0-9a-f]{32}$/);

    await page.goto(`${engine.url}/dashboard`);
    for (const item of ["sender", "site", "form-embedded", "test-lead"]) expect(await checklistItem(item), item).toBe("true");
    // Locally email stays in the outbox: the doctor says so, and the item says what to do.
    expect(await checklistItem("sending-domain")).toBe("false");
    await page.screenshot({ path: join(SHOTS, "forms-checklist-done.png"), fullPage: true });
  });

  it("a form's fetch code on another origin posts without leaving the page's script, and the lead gets its first touch", async () => {
    await page.goto(`${engine.url}/dashboard/forms/${formId}`);
    const code = await page.textContent("#embed-fetch");
    site.pages.set("/contact-fetch", pageWith(code!));
    const email = `fetch-${Date.now()}@example.com`;
    await sendForm(`${site.origin}/contact-fetch`, email);
    const lead = await until("the lead", () => leadByEmail(email));
    const outbox = await until("the acknowledgement", async () => {
      const { messages } = await json<{ messages: { to: string }[] }>(`/api/outbox?leadId=${lead.id}`);
      return messages.length > 0 && messages;
    });
    expect(outbox[0]!.to).toBe(email);
    expect(dialogs).toEqual([]);
  });

  it("a post from a site nobody registered thanks the visitor, waits for the owner, and is enrolled when approved", async () => {
    await page.goto(`${engine.url}/dashboard/forms/${formId}`);
    stranger.pages.set("/contact", pageWith((await page.textContent("#embed-html"))!));
    const email = `stranger-${Date.now()}@example.com`;
    await sendForm(`${stranger.origin}/contact`, email);
    expect(await page.content()).not.toContain("allowedOrigins");
    // Nothing made, nothing sent, until the owner says so.
    expect(await leadByEmail(email)).toBeUndefined();

    await page.goto(`${engine.url}/dashboard`);
    await Promise.all([page.waitForURL(/\/dashboard\/unknown-sites$/), page.click('[data-testid="unknown-site-notice"] a')]);
    const row = page.locator(`section[data-origin="${stranger.origin}"] tr`, { hasText: email });
    expect(await row.count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, "forms-unknown-sites.png"), fullPage: true });
    await Promise.all([page.waitForURL(/done=approved/), row.locator('button:has-text("Approve")').click()]);
    expect(await page.textContent(".flash")).toContain("Approved");
    expect(await page.locator(`tr`, { hasText: email }).count()).toBe(0);

    const lead = await until("the approved lead", () => leadByEmail(email));
    const summary = await json<{ enrolments: { sequenceId: string }[]; consent: { email?: { wording?: string } } }>(`/api/leads/${lead.id}`);
    expect(summary.enrolments.map((e) => e.sequenceId)).toContain("new-inquiry");
    await until("its first touch", async () => (await json<{ messages: unknown[] }>(`/api/outbox?leadId=${lead.id}`)).messages.length > 0);
  });
});
