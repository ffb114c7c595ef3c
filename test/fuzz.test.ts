import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { tokenKeys, type TokenKeys } from "../services/crypto/signed-token";
import { clickToken } from "../services/crypto/tracked-links";
import { asOwner, call, makeForm, makeLead, OWNER_TOKEN, unique } from "./helpers";

/**
 * Fuzzing over the public routes (a fast slice in `npm test`, every string in `npm run fuzz`): every naughty string (minimaxir/
 * big-list-of-naughty-strings, MIT) in every field, plus broken bodies and tokens. The
 * promise: a clear 4xx or the normal answer, never a 5xx, and nothing echoed unescaped.
 */
const naughty = env.TEST_FIXTURES.naughtyStrings;
/** The first `n` naughty strings in the test suite's fast slice; all of them under `npm run fuzz`. */
const sample = (n: number) => (env.FUZZ_DEPTH === "full" ? naughty : naughty.slice(0, n));
const TIMEOUT_MS = env.FUZZ_DEPTH === "full" ? 600_000 : 30_000;
const keys = tokenKeys(env) as TokenKeys;

function noServerError(response: Response, what: string) {
  expect(response.status, `${what} → ${response.status}`).toBeLessThan(500);
}

describe("fuzz: form posts", () => {
  it("every naughty string in every known field answers 202, 303 or a 4xx with a reason", async () => {
    const form = await makeForm();
    const fields = ["email", "phone", "name", "company", "title", "message", "timezone", "consent_sms", "source", "utm_source", "custom_field"];
    for (let i = 0; i < naughty.length; i++) {
      const value = naughty[i]!;
      const field = fields[i % fields.length]!;
      const base: Record<string, string> = field === "email" ? {} : { email: `fuzz-${i}@example.com` };
      const json = await call(`/f/${form.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ ...base, [field]: value }),
      });
      noServerError(json, `json ${field}=${JSON.stringify(value)}`);
      if (json.status >= 400) expect(((await json.json()) as { error: { message: string } }).error.message).toBeTruthy();
      const html = await call(`/f/${form.id}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
        body: new URLSearchParams({ ...base, [field]: value }).toString(),
      });
      noServerError(html, `form ${field}=${JSON.stringify(value)}`);
      if (html.status === 422) expect(await html.text()).not.toMatch(/<script>alert|<img src=x onerror/i);
    }
  }, 60_000);

  it("a naughty name is stored as text and served back as JSON, never as markup", async () => {
    const form = await makeForm();
    const name = "<script>alert(123)</script>";
    const { leadId } = (await (await call(`/f/${form.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ email: `${unique("x")}@example.com`, name }),
    })).json()) as { leadId: string };
    const response = await asOwner(`/api/leads/${leadId}`);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(((await response.json()) as { profile: { name: string } }).profile.name).toBe(name);
  });

  it("wrong content types, invalid UTF-8, truncated multipart and huge headers get 4xx", async () => {
    const form = await makeForm();
    const cases: [string, RequestInit][] = [
      ["xml", { method: "POST", headers: { "content-type": "application/xml" }, body: "<lead/>" }],
      ["no type", { method: "POST", body: "email=a@example.com" }],
      ["invalid utf-8 json", { method: "POST", headers: { "content-type": "application/json" }, body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) }],
      ["invalid utf-8 form", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new Uint8Array([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x3d, 0xff, 0xc3]) }],
      ["json array", { method: "POST", headers: { "content-type": "application/json" }, body: "[1,2]" }],
      ["multipart without boundary", { method: "POST", headers: { "content-type": "multipart/form-data" }, body: "email=a@example.com" }],
      ["huge header", { method: "POST", headers: { "content-type": "application/json", "x-pad": "a".repeat(16_000) }, body: "{}" }],
    ];
    for (const [what, init] of cases) {
      const response = await call(`/f/${form.id}`, init);
      noServerError(response, what);
      expect(response.status, what).toBeGreaterThanOrEqual(400);
    }
  });
});

describe("fuzz: tokens and beacons", () => {
  it("naughty and truncated tokens get the GIF or a 404, never a redirect or a 5xx", async () => {
    const real = await clickToken(keys, { l: await makeLead(), m: "m", i: 0, u: "https://site.example/", s: 0 });
    const tokens = [...sample(200).map(encodeURIComponent), real.slice(0, 10), real.slice(0, -1), `${real}.extra`, "..", "%00"];
    for (const token of tokens) {
      const open = await call(`/o/${token}`);
      noServerError(open, `open ${token}`);
      if (open.status === 200) expect(open.headers.get("content-type")).toBe("image/gif");
      const click = await call(`/c/${token}`);
      noServerError(click, `click ${token}`);
      expect(click.headers.get("location"), `click ${token}`).toBeNull();
    }
  }, TIMEOUT_MS);

  it("naughty unsubscribe tokens and bodies get a 404 or 413 with a reason, never a 5xx", async () => {
    for (const token of [...sample(120).map(encodeURIComponent), "..", "%00"]) {
      const page = await call(`/u/${token}`);
      noServerError(page, `unsubscribe page ${token}`);
      const post = await call(`/u/${token}`, { method: "POST", body: "List-Unsubscribe=One-Click" });
      noServerError(post, `unsubscribe ${token}`);
      expect(post.status, token).toBe(404);
    }
  }, TIMEOUT_MS);

  it("naughty suppression entries and CSV lines get a 2xx or a 4xx with a reason", async () => {
    for (const value of sample(120)) {
      const response = await asOwner("/api/suppressions", { method: "POST", body: JSON.stringify({ value, reason: value }) });
      noServerError(response, `suppression ${JSON.stringify(value)}`);
    }
    const csv = sample(300).map((v) => `"${v.replace(/"/g, '""')}",${v}`).join("\n");
    noServerError(await asOwner("/api/suppressions/import", { method: "POST", headers: { "content-type": "text/csv" }, body: csv }), "csv import");
  }, TIMEOUT_MS);

  it("naughty provider webhooks get a 4xx with a reason, never a 5xx", async () => {
    for (const value of sample(100)) {
      // Header values must be printable ASCII to be sent at all; the body takes the rest.
      const printable = /^[\x20-\x7e]*$/.test(value) ? value.slice(0, 200) : "not-a-signature";
      const headers = { "x-cal-signature-256": printable, "calendly-webhook-signature": `t=${printable},v1=${printable}`, "x-twilio-signature": printable };
      for (const path of ["/hooks/booking/calcom", "/hooks/booking/calendly", "/hooks/sms/twilio"]) {
        const response = await call(path, { method: "POST", headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body: value });
        noServerError(response, `${path} ${JSON.stringify(value)}`);
        expect(response.status, path).toBeGreaterThanOrEqual(400);
      }
    }
  }, TIMEOUT_MS);

  it("naughty subjects, senders and bodies of inbound mail are read, never a 5xx", async () => {
    for (const value of naughty) {
      const oneLine = value.replace(/[\r\n]+/g, " ");
      const raw = `From: "${oneLine}" <a@example.net>\r\nTo: r@reply.example.com\r\nSubject: ${oneLine}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${value}\r\n> quoted\r\n`;
      const response = await asOwner("/api/inbound/inspect", { method: "POST", headers: { "content-type": "message/rfc822" }, body: raw });
      noServerError(response, `inbound ${JSON.stringify(value)}`);
      expect([200, 422], JSON.stringify(value)).toContain(response.status);
    }
  }, TIMEOUT_MS);

  it("naughty beacons from a configured site get 204 or a 4xx", async () => {
    const origin = `https://${unique("fuzz")}.example`;
    await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin }) });
    for (const value of sample(150)) {
      for (const body of [value, JSON.stringify({ v: value, p: value, t: "view", u: value, ti: value, k: value })]) {
        const response = await call("/e", { method: "POST", headers: { origin, "content-type": "text/plain" }, body });
        noServerError(response, `beacon ${JSON.stringify(value)}`);
      }
    }
  }, TIMEOUT_MS);
});

describe("fuzz: owner routes added with drafting and the dashboard", () => {
  it("naughty reviews, stats periods, logins and import chunks get a 4xx with a reason, never a 5xx", async () => {
    const lead = "0".repeat(32);
    const login = await call("/dashboard/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": unique("fuzz-ip") }, body: "token=x" });
    expect(login.status).toBe(401);
    const good = await call("/dashboard/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": unique("fuzz-ip") }, body: `token=${OWNER_TOKEN}` });
    const cookie = good.headers.get("set-cookie")!.split(";")[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await call("/dashboard/import", { headers: { cookie } })).text())![1]!;
    for (const value of sample(60)) {
      const review = await asOwner(`/api/review/${lead}/e2`, { method: "POST", body: JSON.stringify({ stepId: value, decision: "edit", body: value, subject: value }) });
      noServerError(review, `review ${JSON.stringify(value)}`);
      expect(review.status).toBeGreaterThanOrEqual(400);
      noServerError(await asOwner(`/api/stats?from=${encodeURIComponent(value)}&days=${encodeURIComponent(value)}`), `stats ${JSON.stringify(value)}`);
      noServerError(await asOwner(`/api/leads?q=${encodeURIComponent(value)}`), `leads q ${JSON.stringify(value)}`);
      noServerError(await call(`/dashboard/leads?q=${encodeURIComponent(value)}&status=${encodeURIComponent(value)}`, { headers: { cookie, accept: "text/html" } }), `dashboard leads ${JSON.stringify(value)}`);
      const dashboardLogin = await call("/dashboard/login", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": unique("fuzz-ip") }, body: new URLSearchParams({ token: value }) });
      expect(dashboardLogin.status, `login ${JSON.stringify(value)}`).toBe(401);
      const chunk = await call("/dashboard/import/rows", {
        method: "POST",
        headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
        body: JSON.stringify({ csv: `${value},${value}\n"${value}`, header: ["email", value], mapping: { email: "email", name: value }, firstRow: 1 }),
      });
      noServerError(chunk, `import ${JSON.stringify(value)}`);
    }
  }, TIMEOUT_MS);
});
