import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { E2E_SECRETS, startEngine, type LocalEngine, launchChromium } from "./local-engine";

/**
 * Setting up from the dashboard in Debian's chromium: a semicolon CSV from a CRM imported
 * with its columns guessed and progress counted in rows, and a knowledge document added and
 * found. Screenshots land in test-results/.
 */

const SHOTS = join(import.meta.dirname, "..", "..", "test-results");
let engine: LocalEngine;
let browser: Browser;
let page: Page;

const owner = async <T>(path: string) => (await (await fetch(`${engine.url}${path}`, { headers: { authorization: `Bearer ${E2E_SECRETS.OWNER_TOKEN}` } })).json()) as T;

beforeAll(async () => {
  engine = await startEngine();
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  await page.goto(`${engine.url}/dashboard/login`);
  await page.fill('input[name="token"]', E2E_SECRETS.OWNER_TOKEN);
  await page.click("button");
  expect(new URL(page.url()).pathname).toBe("/dashboard");
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

describe("set-up in the dashboard", () => {
  it("a semicolon CSV with 'E-mail Address' imported with row-based progress", async () => {
    const stamp = Date.now();
    const rows = Array.from(
      { length: 520 },
      (_, i) => `imp-${stamp}-${i}@example.com;Ann${i};Lee;"Acme; Sons";Head of Ops;"Met at the fair;\nwants a quote";+1 415 555 ${String(1000 + i).slice(-4)}`,
    );
    // Row 7: an address a form would refuse; row 8: nothing to find the lead by.
    rows[6] = "not-an-email;Bad;Row;X;;;";
    rows[7] = ";No;Contact;Y;;;";
    const csv = ['"E-mail Address";"First Name";"Last Name";"Company Name";"Job Title";"Notes";"Phone Number"', ...rows].join("\r\n");
    const requests: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Hold the second chunk until the page has been looked at mid-run.
    await page.route("**/dashboard/import/rows", async (route) => {
      requests.push(route.request().postData() ?? "");
      if (requests.length === 2) await gate;
      await route.continue();
    });

    await page.goto(`${engine.url}/dashboard/import`);
    await page.setInputFiles('input[name="file"]', { name: "crm-export.csv", mimeType: "text/csv", buffer: Buffer.from(`\uFEFF${csv}`) });
    await page.waitForSelector("fieldset:not([hidden])");
    expect(await page.textContent("#progress")).toBe("7 columns (separated by semicolons) and 520 rows found. Check the mapping, then import.");
    const mapped = async (field: string) => page.locator(`select[data-field="${field}"] option:checked`).textContent();
    expect(await mapped("email")).toBe("E-mail Address");
    expect(await mapped("first_name")).toBe("First Name");
    expect(await mapped("title")).toBe("Job Title");
    expect(await mapped("message")).toBe("Notes");
    expect(await mapped("phone")).toBe("Phone Number");
    expect(await mapped("name")).toBe("— not imported —");

    // With neither email nor phone mapped the page warns and will not start.
    await page.selectOption('select[data-field="email"]', "");
    await page.selectOption('select[data-field="phone"]', "");
    expect(await page.isVisible("#mapping-warning")).toBe(true);
    expect(await page.isDisabled("fieldset button")).toBe(true);
    await page.selectOption('select[data-field="email"]', { label: "E-mail Address" });
    await page.selectOption('select[data-field="phone"]', { label: "Phone Number" });
    expect(await page.isVisible("#mapping-warning")).toBe(false);

    await page.click("fieldset button");
    try {
      // The first answer moves the progress off its start; the second chunk is held meanwhile.
      await page.waitForFunction(() => !/^Importing…: 0 of/.test(document.getElementById("progress")?.textContent ?? "Importing…: 0 of"), undefined, { timeout: 150_000 });
      expect(await page.textContent("#progress")).toBe("Importing…: 500 of 520 rows processed: 498 imported, 2 rejected.");
      expect(await page.isDisabled("fieldset button")).toBe(true);
      expect(await page.isDisabled('input[name="file"]')).toBe(true);
      expect(await page.$eval("#progress-bar", (bar) => [(bar as HTMLProgressElement).value, (bar as HTMLProgressElement).max])).toEqual([500, 520]);
      await page.screenshot({ path: join(SHOTS, "import-running.png"), fullPage: true });
    } finally {
      release();
    }

    await page.waitForFunction(() => document.getElementById("progress")?.textContent?.startsWith("Done"), undefined, { timeout: 60_000 });
    await page.unroute("**/dashboard/import/rows");
    expect(await page.textContent("#progress")).toBe("Done: 520 of 520 rows processed: 518 imported, 2 rejected.");
    expect(await page.isDisabled("fieldset button")).toBe(false);
    expect(requests.length).toBe(2);
    const firstChunk = JSON.parse(requests[0]!) as { rows: string[][]; mapping: Record<string, number> };
    expect(firstChunk.rows).toHaveLength(500);
    expect(firstChunk.rows[0]).toEqual([`imp-${stamp}-0@example.com`, "Ann0", "Lee", "Acme; Sons", "Head of Ops", "Met at the fair;\nwants a quote", "+1 415 555 1000"]);
    expect(await page.locator("#errors tbody tr").allTextContents()).toEqual([expect.stringMatching(/^7.*is not a valid email address/), "8no email or phone"]);
    await page.screenshot({ path: join(SHOTS, "import-done.png"), fullPage: true });

    // The summary hands back the rejected rows, with their reasons, in the file's own shape.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#rejected-download")]);
    const rejected = readFileSync((await download.path())!, "utf8").split(/\r?\n/);
    expect(rejected[0]).toBe("Row;Problem;E-mail Address;First Name;Last Name;Company Name;Job Title;Notes;Phone Number");
    expect(rejected[1]).toMatch(/^7;.*is not a valid email address.*;not-an-email;Bad;Row;X;;;$/);
    expect(rejected[2]).toBe("8;no email or phone;;No;Contact;Y;;;");

    // Every imported lead carries its email, and its notes kept their line break.
    let listed = 0;
    let cursor: string | null = null;
    do {
      const page_: { leads: { email: string | null; name: string; title: string | null; phone: string | null }[]; nextCursor: string | null } = await owner(
        `/api/leads?q=imp-${stamp}&limit=200${cursor ? `&cursor=${cursor}` : ""}`,
      );
      for (const lead of page_.leads) {
        expect(lead.email).toMatch(new RegExp(`^imp-${stamp}-\\d+@example\\.com$`));
        expect(lead.title).toBe("Head of Ops");
        expect(lead.phone).toMatch(/^\+1415555\d{4}$/);
      }
      listed += page_.leads.length;
      cursor = page_.nextCursor;
    } while (cursor);
    expect(listed).toBe(518);
  }, 300_000);

  it("a knowledge document added and found", async () => {
    const word = `shingles${Date.now().toString(36).replace(/\d/g, "")}`;
    await page.goto(`${engine.url}/dashboard`);
    await page.click('nav a[href="/dashboard/knowledge"], header a[href="/dashboard/knowledge"]');
    expect(new URL(page.url()).pathname).toBe("/dashboard/knowledge");
    const form = page.locator("#document-form");
    await form.getByLabel("Title").fill(`Roof repair ${word} case study`);
    await form.getByLabel("Kind").selectOption({ label: "Case study" });
    await form.getByLabel("Paste the text").fill(`# Before and after\n\nThe Parkers' **${word}** were replaced in two days.\n\nTheir insurer paid 90% of it.`);
    await form.locator("button").click();
    expect(await page.textContent(".flash")).toContain("Added");
    expect(await page.locator('[data-testid="passages"] li').allTextContents()).toEqual([
      `Before and after.\nThe Parkers' ${word} were replaced in two days.\nTheir insurer paid 90% of it.`,
    ]);
    await page.screenshot({ path: join(SHOTS, "knowledge-document.png"), fullPage: true });

    await page.goto(`${engine.url}/dashboard/knowledge`);
    await page.getByLabel("Words a lead might write").fill(`how long does replacing ${word} take?`);
    await page.click('form[action="/dashboard/knowledge"][method="get"] button');
    const results = page.locator('[data-testid="results"] article');
    expect(await results.count()).toBe(1);
    expect(await results.first().textContent()).toContain(`The Parkers' ${word} were replaced in two days.`);
    await page.screenshot({ path: join(SHOTS, "knowledge-search.png"), fullPage: true });
    // Drafting retrieves the same passage.
    const api = await owner<{ passages: { title: string }[] }>(`/api/knowledge/search?q=${word}`);
    expect(api.passages.map((p) => p.title)).toEqual([`Roof repair ${word} case study`]);
  });
});
