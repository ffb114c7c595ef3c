import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { E2E_SECRETS, startEngine, type LocalEngine, until, ownerFetch, launchChromium } from "./local-engine";

/**
 * The owner's dashboard in a real browser (Debian's chromium through playwright-core):
 * log in, read the overview against the owner API after a scripted post, open and click,
 * read the lead's timeline, approve a draft, import a CSV, and find no script injected from
 * lead-supplied text. Screenshots of the overview and a lead page land in test-results/.
 */

// minimaxir/big-list-of-naughty-strings @ db33ec7 (MIT), vendored in test/fixtures (see its README.md).
const NAUGHTY = JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "naughty-strings", "blns.json"), "utf8")) as string[];
const HOSTILE = NAUGHTY.filter((s) => /<script|onerror|javascript:|<svg|<img|<iframe/i.test(s));
const PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
const SHOTS = join(import.meta.dirname, "..", "..", "test-results");

let engine: LocalEngine;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Any alert, confirm or prompt is an injected script that ran. */
const dialogs: string[] = [];

const owner = (path: string, init: RequestInit = {}) => ownerFetch(engine, path, init);
const json = async <T>(path: string) => (await (await owner(path)).json()) as T;

let leadId: string;
let sequenceId: string;

beforeAll(async () => {
  // A click in the first minute after sending counts as a scanner's; here the script clicks at once.
  engine = await startEngine({ SCANNER_WINDOW_SECONDS: "0" });
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
  context = await browser.newContext({ userAgent: PERSON, viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });

  // A sequence whose follow-up waits for review, and a form that runs it.
  sequenceId = `e2e-review-${Date.now()}`;
  const sequence = {
    name: "E2E review",
    drafting: { mode: "review", unreviewed: "hold" },
    window: { days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "23:59" },
    steps: [
      {
        id: "hello",
        intent: "acknowledge",
        channels: ["email"],
        instant: true,
        email: { subject: "Thanks {{firstName|there}}", body: "Hi {{firstName|there}},\n\nThanks! Book a time: {{bookingUrl}}" },
      },
      { id: "value", intent: "value", channels: ["email"], wait: { days: 1 }, email: { subject: "A thought", body: "Hi {{firstName|there}},\n\nHere is how we work.\n\nSam" } },
    ],
  };
  expect((await owner(`/api/sequences/${sequenceId}`, { method: "PUT", body: JSON.stringify(sequence) })).status).toBe(201);
  const formId = `e2e-dash-${Date.now()}`;
  expect((await owner("/api/forms", { method: "POST", body: JSON.stringify({ id: formId, name: "E2E", thankYouUrl: "https://site.example/thanks", sequenceId }) })).status).toBe(
    201,
  );

  // The scripted lead: a form post with hostile text in every field a person types.
  const posted = await fetch(`${engine.url}/f/${formId}`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ email: `e2e-dash-${Date.now()}@example.com`, name: HOSTILE[0], company: HOSTILE[1], title: HOSTILE[2], message: HOSTILE.slice(3, 8).join("\n") }),
  });
  expect(posted.status).toBe(202);
  leadId = ((await posted.json()) as { leadId: string }).leadId;

  // Its acknowledgement: open it (the pixel) and click its booking link, as a person would.
  const ack = await until("the acknowledgement in the outbox", async () => (await json<{ messages: { html: string | null }[] }>(`/api/outbox?leadId=${leadId}`)).messages[0]);
  const pixel = /src="[^"]*(\/o\/[^"]+)"/.exec(ack.html!)![1]!;
  const link = /<a href="[^"]*(\/c\/[^"]+)">/.exec(ack.html!)![1]!;
  expect((await fetch(`${engine.url}${pixel}`, { headers: { "user-agent": PERSON } })).status).toBe(200);
  expect((await fetch(`${engine.url}${link}`, { headers: { "user-agent": PERSON }, redirect: "manual" })).status).toBe(302);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await engine?.stop();
});

describe("the dashboard in a browser", () => {
  it("logs in, and the overview's numbers match the owner API", async () => {
    await page.goto(`${engine.url}/dashboard`);
    expect(new URL(page.url()).pathname).toBe("/dashboard/login");
    await page.fill('input[name="token"]', "not the token");
    await page.click("button");
    expect(await page.textContent(".flash")).toContain("not the owner token");
    await page.fill('input[name="token"]', E2E_SECRETS.OWNER_TOKEN);
    await page.click("button");
    expect(new URL(page.url()).pathname).toBe("/dashboard");

    // The click reached the lead's object: wait for the projection to show it.
    await until("the click in the stats", async () => (await json<{ funnel: { clicked: number } }>("/api/stats?days=30")).funnel.clicked > 0);
    await page.reload();
    const api = await json<{ funnel: Record<string, number>; opens: Record<string, number> }>("/api/stats?days=30");
    for (const metric of ["leads", "enrolled", "contacted", "opened", "clicked", "replied", "booked"]) {
      expect(Number(await page.textContent(`[data-metric="${metric}"] b`)), metric).toBe(api.funnel[metric]);
    }
    expect(api.funnel).toMatchObject({ leads: 1, contacted: 1, opened: 1, clicked: 1 });
    await page.screenshot({ path: join(SHOTS, "dashboard-overview.png"), fullPage: true });
  });

  it("shows the lead's timeline: the post, the touch, the open and the click, with its text escaped", async () => {
    await page.goto(`${engine.url}/dashboard/leads/${leadId}`);
    const kinds = await page.$$eval('[data-testid="timeline"] tr', (rows) => rows.map((r) => r.getAttribute("data-kind")));
    expect(kinds).toEqual(expect.arrayContaining(["form_submitted", "touch_sent", "email_opened", "link_clicked"]));
    const lead = await json<{ profile: { name: string }; timeline: { kind: string; submission?: { message?: string } }[] }>(`/api/leads/${leadId}`);
    expect(await page.textContent("h1")).toBe(lead.profile.name);
    const message = lead.timeline.find((e) => e.kind === "form_submitted")!.submission!.message!;
    expect(await page.locator('[data-testid="timeline"]').textContent()).toContain(message.split("\n")[0]);
    expect(await page.evaluate(() => document.querySelectorAll("script, img, svg, iframe:not([sandbox]), [onerror], [onload]").length)).toBe(0);
    await page.screenshot({ path: join(SHOTS, "dashboard-lead.png"), fullPage: true });
  });

  it("approves a draft waiting in review", async () => {
    // The click made the deterministic drafter write the follow-up; the step holds for review.
    await until("the draft in the review queue", async () => (await json<{ drafts: { leadId: string }[] }>("/api/review")).drafts.some((d) => d.leadId === leadId));
    await page.goto(`${engine.url}/dashboard/review`);
    const card = page.locator(`[data-testid="draft"][data-lead="${leadId}"]`);
    expect(await card.locator("textarea").inputValue()).toContain("Thanks for taking a look at what I sent.");
    await card.locator('button[value="approve"]').click();
    expect(await page.textContent(".flash")).toBe("Review saved.");
    const lead = await json<{ drafts: { stepId: string; status: string }[] }>(`/api/leads/${leadId}`);
    expect(lead.drafts).toEqual([expect.objectContaining({ stepId: "value", status: "approved" })]);
  });

  it("imports a CSV of every naughty string as names and messages, reporting the rows it could not take, and renders them as text", async () => {
    const stamp = Date.now();
    const names = NAUGHTY;
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const csv = ["Email,Name,Company,Message", ...names.map((n, i) => `imp-${stamp}-${i}@example.com,${quote(n)},Acme ${i},${quote(n)}`), "not-an-email,Bad Row,Nowhere,"].join(
      "\r\n",
    );
    await page.goto(`${engine.url}/dashboard/import`);
    await page.setInputFiles('input[name="file"]', { name: "leads.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.waitForSelector("fieldset:not([hidden])");
    expect(await page.locator('select[data-field="email"] option:checked').textContent()).toBe("Email");
    expect(await page.locator('select[data-field="name"] option:checked').textContent()).toBe("Name");
    await page.click("fieldset button");
    await page.waitForFunction(() => document.getElementById("progress")?.textContent?.startsWith("Done"), undefined, { timeout: 90_000 });
    const [, read, , imported, problems] = /^Done: (\d+) of (\d+) rows processed: (\d+) imported, (\d+) rejected/.exec((await page.textContent("#progress"))!)!.map(Number);
    expect(read).toBe(names.length + 1);
    expect(imported! + problems!).toBe(read);
    // Most strings are fine names; the ones a form would refuse (too long, control characters) are reported, not lost.
    expect(imported).toBeGreaterThan(names.length * 0.9);
    // The bad address is reported by its row number.
    expect(await page.locator("#errors tbody tr").allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${names.length + 1}`))]));

    // Every page of them, and a sample of their own pages, render the strings as text.
    let listed = 0;
    let next: string | null = `${engine.url}/dashboard/leads?q=${encodeURIComponent(`imp-${stamp}`)}`;
    const leadPages: string[] = [];
    while (next) {
      await page.goto(next);
      listed += await page.locator("tbody tr").count();
      expect(await page.evaluate(() => document.querySelectorAll("script, img, svg, iframe, [onerror], [onload]").length)).toBe(0);
      leadPages.push(...(await page.$$eval("tbody a", (links) => links.slice(0, 2).map((a) => (a as HTMLAnchorElement).href))));
      next = await page.$eval('a[rel="next"]', (a) => (a as HTMLAnchorElement).href).catch(() => null);
    }
    expect(listed).toBe(imported);
    for (const url of leadPages.slice(0, 12)) {
      await page.goto(url);
      expect(await page.evaluate(() => document.querySelectorAll("script, img, svg, iframe, [onerror], [onload]").length)).toBe(0);
    }
    expect(dialogs).toEqual([]);
  }, 180_000);
});
