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

/** A 4xx that says why: JSON `{ error: { message } }`, or a page with a title and a heading. */
async function expectReason(response: Response, what: string) {
  const type = response.headers.get("content-type") ?? "";
  const text = await response.clone().text();
  if (type.includes("application/json")) {
    expect((JSON.parse(text) as { error?: { message?: string } }).error?.message, `${what}: the error's message`).toMatch(/\w/);
  } else {
    expect(type, `${what}: a 4xx is JSON or a page`).toContain("text/html");
    expect(text, `${what}: the page says why`).toMatch(/<title>[^<]*\w[^<]*<\/title>[\s\S]*<h1>[^<]*\w/);
  }
}

/** The route's normal answer (`normal`: the statuses an acceptable input gets), or a 4xx with a reason; never a 5xx. */
async function expectAnswer(response: Response, what: string, normal: number[]) {
  const { status } = response;
  if (normal.includes(status)) return;
  expect(status >= 400 && status < 500, `${what} → ${status}, not ${normal.join(" or ")} nor a 4xx`).toBe(true);
  await expectReason(response, what);
}

/** A 4xx with a reason: the input is bad, whatever it holds. */
async function expectRefusal(response: Response, what: string, statuses?: number[]) {
  if (statuses) expect(statuses, `${what} → ${response.status}`).toContain(response.status);
  await expectAnswer(response, what, []);
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
      await expectAnswer(json, `json ${field}=${JSON.stringify(value)}`, [202]);
      const html = await call(`/f/${form.id}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
        body: new URLSearchParams({ ...base, [field]: value }).toString(),
      });
      await expectAnswer(html, `form ${field}=${JSON.stringify(value)}`, [303]);
      if (html.status >= 400) expect(await html.text()).not.toMatch(/<script>alert|<img src=x onerror/i);
    }
    // Each string makes a lead with its own object and sequence: over 60 s on a busy 2-core machine.
  }, 180_000);

  it("a naughty name is stored as text and served back as JSON, never as markup", async () => {
    const form = await makeForm();
    const name = "<script>alert(123)</script>";
    const { leadId } = (await (
      await call(`/f/${form.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ email: `${unique("x")}@example.com`, name }),
      })
    ).json()) as { leadId: string };
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
      [
        "invalid utf-8 form",
        { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new Uint8Array([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x3d, 0xff, 0xc3]) },
      ],
      ["json array", { method: "POST", headers: { "content-type": "application/json" }, body: "[1,2]" }],
      ["multipart without boundary", { method: "POST", headers: { "content-type": "multipart/form-data" }, body: "email=a@example.com" }],
      ["huge header", { method: "POST", headers: { "content-type": "application/json", "x-pad": "a".repeat(16_000) }, body: "{}" }],
    ];
    for (const [what, init] of cases) await expectRefusal(await call(`/f/${form.id}`, init), what);
  });
});

describe("fuzz: tokens and beacons", () => {
  it(
    "naughty and truncated tokens get the GIF or a 404, never a redirect or a 5xx",
    async () => {
      const real = await clickToken(keys, { l: await makeLead(), m: "m", i: 0, u: "https://site.example/", s: 0 });
      const tokens = [...sample(200).map(encodeURIComponent), real.slice(0, 10), real.slice(0, -1), `${real}.extra`, "..", "%00"];
      for (const token of tokens) {
        // A path the token leaves empty or walks out of (`/o/`, `/o/..`) is nobody's pixel: 404.
        const open = await call(`/o/${token}`);
        await expectAnswer(open, `open ${token}`, [200]);
        if (open.status === 200) expect(open.headers.get("content-type")).toBe("image/gif");
        const click = await call(`/c/${token}`);
        await expectRefusal(click, `click ${token}`, [404]);
        expect(click.headers.get("location"), `click ${token}`).toBeNull();
      }
    },
    TIMEOUT_MS,
  );

  it(
    "naughty unsubscribe tokens and bodies get a 404 or 413 with a reason, never a 5xx",
    async () => {
      for (const token of [...sample(120).map(encodeURIComponent), "..", "%00"]) {
        await expectRefusal(await call(`/u/${token}`), `unsubscribe page ${token}`, [404]);
        await expectRefusal(await call(`/u/${token}`, { method: "POST", body: "List-Unsubscribe=One-Click" }), `unsubscribe ${token}`, [404]);
        await expectRefusal(await call(`/u/${token}`, { method: "POST", body: token.repeat(9000) }), `unsubscribe body ${token}`, [404, 413]);
      }
    },
    TIMEOUT_MS,
  );

  it(
    "naughty suppression entries get a 2xx or a 4xx with a reason, and a CSV of them a reason for each line it skips",
    async () => {
      for (const value of sample(120)) {
        // Added (201), already listed (200), or not an address, domain or phone (422 saying which).
        const response = await asOwner("/api/suppressions", { method: "POST", body: JSON.stringify({ value, reason: value }) });
        await expectAnswer(response, `suppression ${JSON.stringify(value)}`, [200, 201]);
      }
      // A CSV is taken line by line: lines that cannot be read are reported, never the whole import refused.
      const csv = sample(300)
        .map((v) => `"${v.replace(/"/g, '""')}",${v}`)
        .join("\n");
      const imported = await asOwner("/api/suppressions/import", { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
      expect(imported.status, "csv import").toBe(200);
      const report = (await imported.json()) as { skipped: { line: number; problem: string }[] };
      for (const line of report.skipped) expect(line.problem, `csv line ${line.line}`).toMatch(/\w/);
    },
    TIMEOUT_MS,
  );

  it(
    "naughty provider webhooks get a 4xx with a reason, never a 5xx",
    async () => {
      for (const value of sample(100)) {
        // Header values must be printable ASCII to be sent at all; the body takes the rest.
        const printable = /^[\x20-\x7e]*$/.test(value) ? value.slice(0, 200) : "not-a-signature";
        const headers = { "x-cal-signature-256": printable, "calendly-webhook-signature": `t=${printable},v1=${printable}`, "x-twilio-signature": printable };
        for (const path of ["/hooks/booking/calcom", "/hooks/booking/calendly", "/hooks/sms/twilio"]) {
          const response = await call(path, { method: "POST", headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body: value });
          await expectRefusal(response, `${path} ${JSON.stringify(value)}`);
        }
      }
    },
    TIMEOUT_MS,
  );

  it(
    "naughty subjects, senders and bodies of inbound mail are read, or refused as unreadable with a reason",
    async () => {
      for (const value of naughty) {
        const oneLine = value.replace(/[\r\n]+/g, " ");
        const raw = `From: "${oneLine}" <a@example.net>\r\nTo: r@reply.example.com\r\nSubject: ${oneLine}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${value}\r\n> quoted\r\n`;
        const response = await asOwner("/api/inbound/inspect", { method: "POST", headers: { "content-type": "message/rfc822" }, body: raw });
        await expectAnswer(response, `inbound ${JSON.stringify(value)}`, [200]);
        expect([200, 422], JSON.stringify(value)).toContain(response.status);
      }
    },
    TIMEOUT_MS,
  );

  it(
    "naughty beacons from a configured site get 204 or a 4xx with a reason",
    async () => {
      const origin = `https://${unique("fuzz")}.example`;
      await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin }) });
      for (const value of sample(150)) {
        for (const body of [value, JSON.stringify({ v: value, p: value, t: "view", u: value, ti: value, k: value })]) {
          const response = await call("/e", { method: "POST", headers: { origin, "content-type": "text/plain" }, body });
          await expectAnswer(response, `beacon ${JSON.stringify(value)}`, [204]);
        }
      }
    },
    TIMEOUT_MS,
  );
});

describe("fuzz: site chat", () => {
  it(
    "naughty visitor ids get chat's config or a 4xx with a reason; naughty frames on an open socket each get a frame back, and the socket stays open",
    async () => {
      const origin = `https://${unique("fuzzchat")}.example`;
      await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin, chat: { enabled: true, sequenceId: null } }) });
      for (const value of sample(150)) {
        const v = encodeURIComponent(value);
        await expectAnswer(await call(`/chat/config?v=${v}`, { headers: { origin } }), `config ${JSON.stringify(value)}`, [200]);
        await expectAnswer(await call(`/chat/ws?v=${v}&k=${v}`, { headers: { origin, upgrade: "websocket" } }), `socket ${JSON.stringify(value)}`, [101]);
      }
      const response = await call(`/chat/ws?v=${unique("fuzzvisitor").replace(/[^A-Za-z0-9_-]/g, "")}`, { headers: { origin, upgrade: "websocket" } });
      expect(response.status).toBe(101);
      const ws = response.webSocket!;
      const received: string[] = [];
      let closed = false;
      ws.addEventListener("message", (event) => received.push(event.data as string));
      ws.addEventListener("close", () => {
        closed = true;
      });
      ws.accept();
      const frames = sample(40).flatMap((value) => [
        value,
        JSON.stringify({ t: "say", text: value }),
        JSON.stringify({ t: "contact", email: value, phone: value, name: value, consent: true }),
        JSON.stringify({ t: value }),
      ]);
      for (const frame of frames) ws.send(frame);
      for (let i = 0; i < 100 && received.length < frames.length; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received.length, "one frame back for each frame sent").toBe(frames.length);
      for (const frame of received) expect(["answer", "error", "greeting"], frame).toContain((JSON.parse(frame) as { t: string }).t);
      expect(closed).toBe(false);
      ws.close();
    },
    TIMEOUT_MS,
  );
});

describe("fuzz: owner routes added with drafting and the dashboard", () => {
  it(
    "naughty reviews and logins get a 4xx with a reason; naughty stats periods, lead searches and import chunks the normal answer or a 4xx with a reason",
    async () => {
      const lead = "0".repeat(32);
      const login = await call("/dashboard/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": unique("fuzz-ip") },
        body: "token=x",
      });
      await expectRefusal(login, "login", [401]);
      const good = await call("/dashboard/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": unique("fuzz-ip") },
        body: `token=${OWNER_TOKEN}`,
      });
      const cookie = good.headers.get("set-cookie")!.split(";")[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await call("/dashboard/import", { headers: { cookie } })).text())![1]!;
      for (const value of sample(60)) {
        const what = JSON.stringify(value);
        // No lead has this id: whatever the draft says, the review is refused.
        const review = await asOwner(`/api/review/${lead}/e2`, { method: "POST", body: JSON.stringify({ stepId: value, decision: "edit", body: value, subject: value }) });
        await expectRefusal(review, `review ${what}`, [404, 422]);
        // A query is either a period, a search and a status the route can read (200), or a 422 naming the field.
        await expectAnswer(await asOwner(`/api/stats?from=${encodeURIComponent(value)}&days=${encodeURIComponent(value)}`), `stats ${what}`, [200]);
        await expectAnswer(await asOwner(`/api/leads?q=${encodeURIComponent(value)}`), `leads q ${what}`, [200]);
        await expectAnswer(
          await call(`/dashboard/leads?q=${encodeURIComponent(value)}&status=${encodeURIComponent(value)}`, { headers: { cookie, accept: "text/html" } }),
          `dashboard leads ${what}`,
          [200],
        );
        const dashboardLogin = await call("/dashboard/login", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "cf-connecting-ip": unique("fuzz-ip") },
          body: new URLSearchParams({ token: value }),
        });
        await expectRefusal(dashboardLogin, `login ${what}`, [401]);
        // Rows that cannot be imported are reported one by one in a 200; a chunk the schema refuses is a 422.
        const chunk = await call("/dashboard/import/rows", {
          method: "POST",
          headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
          body: JSON.stringify({ rows: [[value, value], [value]], header: ["email", value], mapping: { email: 0, name: 1 }, firstRow: 1 }),
        });
        await expectAnswer(chunk, `import ${what}`, [200]);
        if (chunk.status === 200)
          for (const row of ((await chunk.json()) as { errors: { row: number; problem: string }[] }).errors) expect(row.problem, `import ${what} row ${row.row}`).toMatch(/\w/);
      }
    },
    TIMEOUT_MS,
  );
});
