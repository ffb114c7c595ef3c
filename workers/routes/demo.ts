import { Hono } from "hono";

/**
 * `/demo`: a small landing page with the demo form, for trying the engine locally.
 * Served only where DEMO_PAGES is "on" (the local configuration).
 */
export const demo = new Hono<{ Bindings: Env }>();

demo.use("*", async (c, next) => {
  if (c.env.DEMO_PAGES !== "on") return c.notFound();
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
</style></head><body>${body}</body></html>`;

demo.get("/", (c) =>
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
      `<h1>Thank you!</h1><p>We have your request and will be in touch shortly.</p><p><a href="/demo/pricing">See pricing</a></p><script src="/s.js" async></script>`,
    ),
  ),
);
