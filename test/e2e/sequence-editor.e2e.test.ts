import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { E2E_SECRETS, startEngine, type LocalEngine, launchChromium } from "./local-engine";

/**
 * Issue #20, "a sequence edited, previewed and saved", in a real browser (Debian's
 * chromium): the owner opens a sequence's editor, changes a wait and a step's words, sees
 * the preview follow the draft before anything is saved, meets an error where it is, and
 * saves a new version that the owner API returns. Screenshots land in test-results/.
 */

const SHOTS = join(import.meta.dirname, "..", "..", "test-results");

let engine: LocalEngine;
let browser: Browser;
let page: Page;
const sequenceId = `e2e-editor-${Date.now()}`;

const owner = (path: string, init: RequestInit = {}) =>
  fetch(`${engine.url}${path}`, { ...init, headers: { authorization: `Bearer ${E2E_SECRETS.OWNER_TOKEN}`, "content-type": "application/json", ...(init.headers ?? {}) } });
const current = async () =>
  (await (await owner(`/api/sequences/${sequenceId}`)).json()) as {
    version: number;
    sequence: { steps: { id: string; wait: { days: number }; email?: { subject?: string; body: string } }[] };
  };
/** What the preview says for a lead who never opens nor clicks (so no rule moves its touches). */
const silentPreview = async () => (await page.locator('#preview details[data-behaviour="Silent"]').textContent()) ?? "";

beforeAll(async () => {
  engine = await startEngine();
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
  const sequence = {
    name: "E2E editor",
    steps: [
      {
        id: "hello",
        intent: "acknowledge",
        channels: ["email"],
        instant: true,
        email: { subject: "Thanks {{firstName|there}}", body: "Hi {{firstName|there}},\n\nThanks for asking." },
      },
      { id: "value", intent: "value", channels: ["email"], wait: { days: 1 }, email: { subject: "A thought", body: "Hi {{firstName|there}},\n\nHere is how we work." } },
    ],
  };
  expect((await owner(`/api/sequences/${sequenceId}`, { method: "PUT", body: JSON.stringify(sequence) })).status).toBe(201);
  await page.goto(`${engine.url}/dashboard/login`);
  await page.fill('input[name="token"]', E2E_SECRETS.OWNER_TOKEN);
  await page.click("button");
  expect(new URL(page.url()).pathname).toBe("/dashboard");
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

describe("the sequence editor in a browser", () => {
  it("a sequence edited, previewed and saved", async () => {
    await page.goto(`${engine.url}/dashboard/sequences/${sequenceId}`);
    await page.click("text=Edit steps, copy and rules");
    // The click returns once the new page commits; its preview may still be arriving.
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe(`/dashboard/sequences/${sequenceId}/edit`);
    expect(await silentPreview()).toContain("day 1 · value · email · A thought");

    // A wait and the step's words change; the preview follows the draft as it is typed.
    await page.fill('[name="steps.1.wait.days"]', "3");
    await page.fill('[name="steps.1.email.subject"]', "How teams like yours start");
    await page.fill('[name="steps.1.email.body"]', "Hi {{firstName|there}},\n\nMost teams start with one form.");
    await page.waitForFunction(() =>
      document.querySelector('#preview details[data-behaviour="Silent"]')?.textContent?.includes("day 3 · value · email · How teams like yours start"),
    );
    expect(await page.locator("#preview").textContent()).toContain("Of your unsaved draft");
    expect(await silentPreview()).toContain("Hi Alex,\n\nMost teams start with one form.");
    expect(await current()).toMatchObject({ version: 1 });
    await page.screenshot({ path: join(SHOTS, "sequence-editor-preview.png"), fullPage: true });

    // The Preview button re-renders the page from the draft, still without saving.
    await page.locator(".bar").first().locator('button[value="preview"]').click();
    await page.waitForLoadState();
    expect(await page.inputValue('[name="steps.1.email.subject"]')).toBe("How teams like yours start");
    expect(await silentPreview()).toContain("day 3 · value · email · How teams like yours start");
    expect(await current()).toMatchObject({ version: 1 });

    // A merge field the composer does not know is refused where it was typed.
    await page.fill('[name="steps.1.email.subject"]', "For {{fristName}}");
    await page.locator(".bar").first().locator('button[value="save"]').click();
    await page.waitForLoadState();
    const error = page.locator('[data-error-for="steps.1.email.subject"]');
    expect(await error.isVisible()).toBe(true);
    expect(await error.textContent()).toContain('unknown merge field "fristName"');
    expect(await page.getAttribute('[name="steps.1.email.subject"]', "aria-invalid")).toBe("true");
    expect(await page.locator('[role="alert"]').textContent()).toContain("Not saved");
    await page.screenshot({ path: join(SHOTS, "sequence-editor-error.png"), fullPage: true });
    expect(await current()).toMatchObject({ version: 1 });

    await page.fill('[name="steps.1.email.subject"]', "How teams like yours start");
    await page.locator(".bar").first().locator('button[value="save"]').click();
    await page.waitForURL(`**/dashboard/sequences/${sequenceId}?done=saved`);
    expect(await page.locator(".flash").textContent()).toContain("Saved as a new version");
    const saved = await current();
    expect(saved.version).toBe(2);
    expect(saved.sequence.steps[1]).toMatchObject({
      id: "value",
      wait: { days: 3 },
      email: { subject: "How teams like yours start", body: "Hi {{firstName|there}},\n\nMost teams start with one form." },
    });
    expect(saved.sequence.steps[0]).toMatchObject({ id: "hello", email: { subject: "Thanks {{firstName|there}}" } });
  });

  it("fits a 390 px phone without sideways page scroll", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${engine.url}/dashboard/sequences/${sequenceId}/edit`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SHOTS, "sequence-editor-390.png"), fullPage: true });
  });
});
