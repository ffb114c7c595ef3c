import { Hono } from "hono";
import { html } from "hono/html";
import { LeadIdSchema } from "../../schemas/lead";
import { listOutbox } from "../../services/channels/outbox";
import { clockFrom } from "../../services/clock";
import { effectiveSettings } from "../../services/deployment-settings";
import { leadObject } from "../lead-stub";

/**
 * `/demo`: a small landing page with the demo form, for trying the engine locally.
 * Served only where DEMO_PAGES is "on" (the local configuration).
 */
export const demo = new Hono<{ Bindings: Env }>();

demo.use("*", async (c, next) => {
  if (c.env.DEMO_PAGES !== "on") return c.notFound();
  await next();
});

/** The outbox pages show lead data without a login: they answer on this machine only. */
demo.use("/outbox/*", async (c, next) => {
  const host = new URL(c.req.url).hostname;
  if (host !== "localhost" && host !== "127.0.0.1") return c.notFound();
  await next();
});

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title>
<style>
  body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:2rem 1rem;color:#1d232b}
  h1{font-size:1.8rem;margin:.2rem 0} .lede{color:#4a5563}
  form{display:grid;gap:.75rem;margin-top:1.5rem;padding:1.25rem;border:1px solid #d8dde3;border-radius:8px}
  label{display:grid;gap:.25rem;font-size:.9rem} input,textarea{font:inherit;padding:.5rem;border:1px solid #b9c1ca;border-radius:6px}
  .check{display:flex;gap:.5rem;align-items:center} button{font:inherit;padding:.6rem 1rem;border:0;border-radius:6px;background:#1f6feb;color:#fff}
  .hp{position:absolute;left:-10000px}
  table{border-collapse:collapse;width:100%;font-size:.9rem} td,th{border-bottom:1px solid #e3e7eb;padding:.35rem .4rem;text-align:left;vertical-align:top}
  .muted{color:#6a7480;font-size:.85rem} iframe{width:100%;height:28rem;border:1px solid #d8dde3;border-radius:8px}
</style></head><body>${body}</body></html>`;

demo.get("/", async (c) =>
  c.html(
    page(
      "Acme Roofing — free estimate",
      `<p class="lede">Demo landing page · posts to <code>/f/demo</code></p>
<h1>Get a free roof estimate</h1>
<p>Tell us about your project and we will get back to you today.</p>
<form method="post" action="/f/demo">
  <label>Name <input name="name" autocomplete="name" required></label>
  <label>Email <input name="email" type="email" autocomplete="email"></label>
  <label>Phone <input name="phone" type="tel" autocomplete="tel"></label>
  <label>Company <input name="company" autocomplete="organization"></label>
  <label>What do you need? <textarea name="message" rows="3"></textarea></label>
  <label class="check"><input type="checkbox" name="consent_email" value="yes" checked> Email me about my estimate</label>
  <label class="check"><input type="checkbox" name="consent_sms" value="yes"> Text me about my estimate</label>
  <input type="hidden" name="timezone" id="tz">
  <label class="hp" aria-hidden="true">Leave empty <input name="website_url" tabindex="-1" autocomplete="off"></label>
  <button>Request my estimate</button>
</form>
<p><a href="/demo/pricing">See pricing</a></p>
<p class="muted">${"AI" in c.env && c.env.AI ? `Drafts come from Workers AI (${(await effectiveSettings(c.env)).values.aiModel}), reply judgements from its quicker model.` : "No Workers AI binding here, so the deterministic drafter runs: a follow-up's draft adds one line grounded in what the lead did (say, time on the pricing page), and replies are read by heuristics. Drafts wait for review at <code>GET /api/review</code>; unreviewed, the template goes out."}</p>
<script>document.getElementById("tz").value = Intl.DateTimeFormat().resolvedOptions().timeZone;</script>
<script src="/s.js" async></script>`,
    ),
  ),
);

demo.get("/pricing", (c) =>
  c.html(
    page(
      "Acme Roofing — pricing",
      `<h1>Pricing</h1><p>Inspections from $149. Full replacements quoted on site.</p><p><a href="/demo">Back</a></p><script src="/s.js" async></script>`,
    ),
  ),
);

demo.get("/thanks", (c) =>
  c.html(
    page(
      "Thank you",
      `<h1>Thank you!</h1><p>We have your request and will be in touch shortly.</p><p><a href="/demo/pricing">See pricing</a></p>
<p class="muted">Demo: watch the follow-up arrive in the <a href="/demo/outbox">outbox</a> (one day passes every few seconds).</p><script src="/s.js" async></script>`,
    ),
  ),
);

demo.get("/book", (c) =>
  c.html(
    page(
      "Acme Roofing — book a visit",
      `<h1>Book a visit</h1><p>Pick a time for a free inspection. (Demo page: nothing is booked.)</p><p><a href="/demo">Back</a></p><script src="/s.js" async></script>`,
    ),
  ),
);

const when = (at: number) => new Date(at).toISOString().replace("T", " ").slice(0, 16);

/** What the local transport holds, newest first, with each lead's next planned step. */
demo.get("/outbox", async (c) => {
  const now = clockFrom(c.env).now();
  const { messages } = await listOutbox(c.env.DB, { limit: 40 });
  const leadIds = [...new Set(messages.map((m) => m.leadId))].filter((id) => LeadIdSchema.safeParse(id).success).slice(0, 10);
  const summaries = await Promise.all(leadIds.map((id) => leadObject(c.env, id).summary()));
  const leads = summaries.flatMap((lead) =>
    lead
      ? [
          html`<tr><td>${lead.profile.name ?? lead.profile.email ?? lead.id}</td><td>${lead.status}</td><td>${lead.opened}</td><td>${
            lead.enrolments
              .filter((e) => e.next)
              .map((e) => `${e.sequenceId}: ${e.next!.stepId} at ${when(e.next!.dueAt)}`)
              .join("; ") || "—"
          }</td></tr>`,
        ]
      : [],
  );
  const rows = messages.map(
    (m) =>
      html`<tr><td>${when(m.createdAt)}</td><td>${m.channel}</td><td>${m.to}</td><td>${m.channel === "email" ? html`<a href="/demo/outbox/${encodeURIComponent(m.id)}">${m.subject}</a>` : m.text}</td></tr>`,
  );
  return c.html(
    page(
      "Demo outbox",
      `${await html`<h1>Outbox</h1>
<p class="lede">Messages the local transport kept instead of sending. Engine time now: ${when(now)} UTC. Open an email as the lead would (its pixel loads) or click its links, then come back: what comes next changes.</p>
<h2>Leads</h2><table><tr><th>Lead</th><th>Status</th><th>Opened</th><th>Next</th></tr>${leads}</table>
<h2>Messages</h2><table><tr><th>Engine time</th><th>Channel</th><th>To</th><th>Subject / text</th></tr>${rows}</table>
<p class="muted"><a href="/demo/outbox">Refresh</a></p>`}`,
    ),
  );
});

/** One email rendered as the lead's mail client would show it: opening it loads the pixel. */
demo.get("/outbox/:id", async (c) => {
  const id = c.req.param("id");
  const row = await c.env.DB.prepare("SELECT * FROM outbox WHERE id = ?")
    .bind(id)
    .first<{ subject: string | null; to: string; from: string; html: string | null; headers: string }>();
  if (!row?.html) return c.notFound();
  const headers = Object.entries(JSON.parse(row.headers) as Record<string, string>).map(([name, value]) => html`<tr><th>${name}</th><td>${value}</td></tr>`);
  // Links open in a new tab, like a mail client; the message runs in a sandbox without scripts.
  const document = row.html.replace("<body", '<head><base target="_blank"></head><body');
  return c.html(
    page(
      "Demo outbox message",
      `${await html`<p><a href="/demo/outbox">← Outbox</a></p><h1>${row.subject ?? ""}</h1>
<table><tr><th>From</th><td>${row.from}</td></tr><tr><th>To</th><td>${row.to}</td></tr>${headers}</table>
<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="${document}" title="Message"></iframe>`}`,
    ),
  );
});
