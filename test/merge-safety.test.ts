import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { leadIdFor } from "../services/crypto/lead-identity";
import { call, makeForm, postJson, unique } from "./helpers";
import { outboxFor, settle, stubFor, summaryOf, withClock } from "./lead-harness";

/**
 * A form field is written by a stranger. Posted as a first name, a phishing line with a
 * link must not reach the subject, the body or the text we send in the owner's name, and
 * must never become a tracked link that redirects to it.
 */
const PHISH = "https://evil.example/login Urgent: verify your account at";

describe("lead data is text, never markup or links", () => {
  it("a link posted as a name is kept for the owner but never merged, linked or redirected to", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const email = `${unique("phish")}@example.com`;
    await withClock(stubFor(await leadIdFor(env.LEAD_ID_SECRET, { email })));
    const response = await postJson(form.id, { email, first_name: PHISH, company: "evil.example", phone: "+1 212 555 0147", consent_sms: "on", timezone: "America/New_York" });
    expect(response.status).toBe(202);
    const { leadId } = (await response.json()) as { leadId: string };
    await settle(stubFor(leadId));

    const messages = await outboxFor(leadId);
    const ack = messages.find((m) => m.channel === "email")!;
    const sms = messages.find((m) => m.channel === "sms")!;
    expect(ack.subject).toBe("Got your request, there");
    expect(ack.text).toMatch(/^Hi there,/);
    expect(sms.text).toMatch(/^Hi there, /);
    for (const text of [ack.subject, ack.text, ack.html, sms.text]) {
      expect(text).not.toContain("evil.example");
      expect(text).not.toContain("verify your account");
    }
    // Every tracked link in the email goes somewhere the template wrote.
    const tracked = [...(ack.html ?? "").matchAll(/href="[^"]*(\/c\/[A-Za-z0-9._-]+)"/g)].map((m) => m[1]!);
    expect(tracked.length).toBeGreaterThan(0);
    for (const path of tracked) {
      const redirect = await call(path);
      expect(redirect.headers.get("location") ?? "").not.toContain("evil.example");
    }
    // The owner still sees what was typed.
    expect((await summaryOf(stubFor(leadId))).profile.firstName).toBe(PHISH);
  });
});
