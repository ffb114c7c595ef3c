import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { leadIdFor } from "../services/crypto/lead-identity";
import { call, makeForm, postJson, unique } from "./helpers";
import { settle, stubFor, withClock } from "./lead-harness";

const local = (path: string) => exports.default.fetch(new Request(`http://localhost:8787${path}`));

describe("demo outbox pages", () => {
  it("show what the outbox holds, with lead data escaped, only on this machine", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const email = `${unique("demo")}@example.com`;
    await withClock(stubFor(await leadIdFor(env.LEAD_ID_SECRET, { email })));
    const response = await postJson(form.id, { email, name: "<img src=x onerror=alert(1)>" });
    const { leadId } = (await response.json()) as { leadId: string };
    await settle(stubFor(leadId));

    const list = await local("/demo/outbox");
    expect(list.status).toBe(200);
    const page = await list.text();
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(page).not.toContain("<img src=x");
    const link = new RegExp(`href="(/demo/outbox/${leadId}%3A[^"]+)"`).exec(page)![1]!;
    const message = await (await local(link)).text();
    expect(message).toContain('<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="');
    expect(message).not.toMatch(/srcdoc="[^"]*<script/);

    expect((await call("/demo/outbox")).status).toBe(404);
    expect((await local("/demo/outbox/nope")).status).toBe(404);
  });
});

describe("demo page", () => {
  it("says that, with no Workers AI binding, the deterministic drafter and heuristics run", async () => {
    const page = await (await local("/demo")).text();
    expect(page).toContain("No Workers AI binding here, so the deterministic drafter runs");
  });
});
