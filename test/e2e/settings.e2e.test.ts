import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { E2E_SECRETS, startEngine, type LocalEngine, until, ownerFetch, launchChromium } from "./local-engine";

/**
 * A setting changed in the dashboard and used by the next touch, in a real browser (Debian's
 * chromium through playwright-core): a refused value is shown next to its field, a saved
 * sender name and booking link are on the audit list and in the next message the outbox
 * holds. Screenshots of the page with the refusal, after saving, and the outbox land in
 * test-results/.
 */

const SHOTS = join(import.meta.dirname, "..", "..", "test-results");

let engine: LocalEngine;
let browser: Browser;
let page: Page;

const owner = (path: string, init: RequestInit = {}) => ownerFetch(engine, path, init);

beforeAll(async () => {
  engine = await startEngine();
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1100, height: 900 } })).newPage();
  await page.goto(`${engine.url}/dashboard/login`);
  await page.getByLabel("Owner token").fill(E2E_SECRETS.OWNER_TOKEN);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${engine.url}/dashboard`);
  // Starting wrangler dev takes minutes when the machine is busy.
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

describe("a setting changed in the dashboard", () => {
  it("a refused value is shown next to its field, and nothing is saved", async () => {
    await page.goto(`${engine.url}/dashboard/settings`);
    await page.getByLabel("Sender name").fill("Jo Park");
    await page.getByLabel("Warm-up daily limit").fill("80");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.waitForLoadState();
    const field = page.locator('[data-setting="warmupDailyLimit"]');
    await expect.poll(() => field.locator(".field-error").textContent()).toContain("a warming address sends fewer than 50 a day");
    expect(await page.getByLabel("Warm-up daily limit").getAttribute("aria-invalid")).toBe("true");
    // What was typed is kept, so the owner fixes one field, not the whole form.
    expect(await page.getByLabel("Sender name").inputValue()).toBe("Jo Park");
    await page.screenshot({ path: join(SHOTS, "settings-refused.png"), fullPage: true });
    const { changes } = (await (await owner("/api/settings/audit")).json()) as { changes: unknown[] };
    expect(changes).toEqual([]);
  });

  it("a saved sender name and booking link are on the audit list and in the next message the outbox holds", async () => {
    const booking = "https://cal.example/jo-park/estimate";
    await page.getByLabel("Warm-up daily limit").fill("49");
    await page.getByLabel("Sender name").fill("Jo Park");
    await page.getByLabel("Booking URL").fill(booking);
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.waitForURL(`${engine.url}/dashboard/settings?done=saved`);
    expect(await page.locator(".flash").textContent()).toContain("Settings saved");
    expect(await page.locator('[data-setting="senderName"]').textContent()).toContain("saved");
    expect(await page.locator('tr[data-audit="senderName"]').textContent()).toMatch(/dashboard session .*Sender name.*Sam Rivera.*Jo Park/);
    expect(await page.locator('tr[data-audit="bookingUrl"]').textContent()).toContain(booking);
    await page.screenshot({ path: join(SHOTS, "settings-saved.png"), fullPage: true });

    // A visitor posts a form that runs the new-inquiry preset: its instant answer is the next touch.
    const formId = `e2e-settings-${Date.now()}`;
    expect(
      (await owner("/api/forms", { method: "POST", body: JSON.stringify({ id: formId, name: "Estimate", thankYouUrl: "https://site.example/thanks", sequenceId: "new-inquiry" }) }))
        .status,
    ).toBe(201);
    const email = `${formId}@example.com`;
    const posted = await fetch(`${engine.url}/f/${formId}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ email, name: "Ann Lee" }),
    });
    expect(posted.status).toBe(202);
    const { leadId } = (await posted.json()) as { leadId: string };
    const message = await until("the acknowledgement in the outbox", async () => {
      const { messages } = (await (await owner(`/api/outbox?leadId=${leadId}`)).json()) as { messages: { from: string; text: string; channel: string }[] };
      return messages.find((m) => m.channel === "email");
    });
    expect(message.from).toMatch(/^Jo Park </);
    expect(message.text).toContain("\nJo Park\n");

    await page.goto(`${engine.url}/dashboard/outbox`);
    const entry = page.locator("details", { hasText: email }).first();
    await entry.locator("summary").click();
    expect(await entry.locator("table").textContent()).toContain("Jo Park <");
    // The booking link is tracked; its redirect goes to the page saved a moment ago.
    const tracked = /(\/c\/[A-Za-z0-9._-]+)/.exec(message.text)![1]!;
    const click = await fetch(`${engine.url}${tracked}`, { redirect: "manual" });
    expect(click.headers.get("location")).toBe(booking);
    await page.screenshot({ path: join(SHOTS, "settings-next-touch-outbox.png"), fullPage: true });
  });
});
