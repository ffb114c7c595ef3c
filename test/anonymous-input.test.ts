import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LeadSummary } from "../schemas/lead";
import { tokenKeys } from "../services/crypto/signed-token";
import { clickTicket, unsubscribeToken } from "../services/crypto/tracked-links";
import { twilioSignature } from "../services/crypto/twilio-signature";
import { asOwner, call, callAndSettle, leadSummary, makeForm, postJson, unique } from "./helpers";
import { settle, stubFor } from "./lead-harness";

/**
 * Issue #17, through the public surface: form posts and beacons are anyone's, so a re-post
 * adds to a lead and never overwrites it, and beacons are bounded.
 */

const keys = tokenKeys(env)!;
const SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

const summary = async (leadId: string) => (await leadSummary(leadId)) as LeadSummary;
const leadIdOf = async (response: Response) => {
  if (response.status !== 202) throw new Error(`${response.status} ${await response.clone().text()}`);
  return ((await response.json()) as { leadId: string }).leadId;
};
const visitorId = (prefix: string) => unique(prefix).replace(/[^A-Za-z0-9_-]/g, "");

/** A configured site with a pricing page, and a form that accepts posts from it. */
async function siteWithForm(): Promise<{ origin: string; formId: string }> {
  const origin = `https://${unique("shop")}.example`;
  expect((await asOwner("/api/sites", { method: "PUT", body: JSON.stringify({ origin, pageRules: [{ pattern: "/pricing*", class: "pricing" }] }) })).status).toBe(200);
  const form = await makeForm({ allowedOrigins: [origin], thankYouUrl: `${origin}/thanks` });
  return { origin, formId: form.id };
}

/** A browser on the site posting the form, with the snippet's visitor id. */
const postFromSite = (origin: string, formId: string, fields: Record<string, string>) =>
  callAndSettle(`/f/${formId}`, {
    method: "POST",
    headers: { origin, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(fields).toString(),
  });

const beacon = (origin: string, body: object) =>
  callAndSettle("/e", { method: "POST", headers: { origin, "content-type": "text/plain;charset=UTF-8", "user-agent": SAFARI }, body: JSON.stringify(body) });

const visitorRow = (id: string) => env.DB.prepare("SELECT lead_id AS leadId FROM visitors WHERE id = ?").bind(id).first<{ leadId: string }>();

describe("a re-post adds to the lead and never overwrites it", () => {
  it("a re-post after a one-click unsubscribe cannot grant email consent again, and says so on the timeline", async () => {
    const form = await makeForm();
    const email = `${unique("unsub")}@example.com`;
    const leadId = await leadIdOf(await postJson(form.id, { email, name: "Uma Stone", consent_email: true }));
    const token = await unsubscribeToken(keys, leadId);
    const unsubscribed = await call(`/u/${token}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(unsubscribed.status).toBe(200);

    await leadIdOf(await postJson(form.id, { email, name: "Uma Stone", consent_email: true }));
    const lead = await summary(leadId);
    expect(lead.status).toBe("unsubscribed");
    expect(lead.consent.email).toMatchObject({ granted: false, method: "one_click" });
    const refused = lead.timeline.find((e) => e.kind === "change_refused");
    expect(refused).toMatchObject({ consent: [{ channel: "email", asked: true, kept: { granted: false } }] });
    expect(refused?.kind === "change_refused" && refused.reason).toMatch(/cannot grant it again/);
    expect(lead.timeline.filter((e) => e.kind === "form_submitted")).toHaveLength(2);
  });

  it("a re-post after SMS STOP cannot grant texts again, nor change the phone, timezone or name", async () => {
    const form = await makeForm();
    const email = `${unique("stop")}@example.com`;
    const phone = "+12125550187";
    const leadId = await leadIdOf(await postJson(form.id, { email, name: "Sam Reed", phone, timezone: "America/Chicago", consent_sms: true }));
    await settle(stubFor(leadId));
    const params = { From: phone, To: "+15005550006", Body: "STOP" };
    const stop = await callAndSettle("/hooks/sms/twilio", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": await twilioSignature("test-twilio-token", "https://engine.example/hooks/sms/twilio", params),
      },
      body: new URLSearchParams(params),
    });
    expect(stop.status).toBe(200);
    expect((await summary(leadId)).consent.sms).toMatchObject({ granted: false, method: "sms_stop" });

    await leadIdOf(await postJson(form.id, { email, name: "Mallory Kay", phone: "+44 20 7946 0958", timezone: "Asia/Tokyo", consent_sms: true, message: "text me" }));
    const lead = await summary(leadId);
    expect(lead.consent.sms).toMatchObject({ granted: false, method: "sms_stop" });
    expect(lead.profile).toMatchObject({ name: "Sam Reed", phone, timezone: "America/Chicago" });
    expect(lead.timezone).toBe("America/Chicago");
    expect(lead.timeline.find((e) => e.kind === "change_refused")).toMatchObject({
      fields: expect.arrayContaining(["name", "phone", "timezone"]),
      consent: [{ channel: "sms", asked: true }],
    });
    // The post itself is kept, with its message.
    expect(lead.timeline.filter((e) => e.kind === "form_submitted").map((e) => e.kind === "form_submitted" && e.submission.message)).toContain("text me");
  });

  it("an attacker's re-post with their own visitor id does not link their browser; a signed click ticket still can", async () => {
    const { origin, formId } = await siteWithForm();
    const email = `${unique("vic")}@example.com`;
    const victim = visitorId("victim");
    const attacker = visitorId("attacker");
    const leadId = await leadIdOf(await postFromSite(origin, formId, { email, fu_vid: victim }));
    expect(await visitorRow(victim)).toEqual({ leadId });

    await leadIdOf(await postFromSite(origin, formId, { email, fu_vid: attacker }));
    expect(await visitorRow(attacker)).toBeNull();
    expect(await visitorRow(victim)).toEqual({ leadId });
    await beacon(origin, { v: attacker, p: "attack-1", t: "view", u: `${origin}/pricing` });
    expect((await summary(leadId)).engagement.pageViews.human).toBe(0);

    // A ticket from a link we mailed to the lead proves the browser is theirs.
    await beacon(origin, { v: attacker, p: "ticketed-1", t: "view", u: `${origin}/pricing`, k: await clickTicket(keys, leadId) });
    expect(await visitorRow(attacker)).toEqual({ leadId });
    expect((await summary(leadId)).engagement.pageViews.human).toBe(1);
  });
});

describe("beacons are bounded", () => {
  /** A lead whose browser the form post linked, as the snippet does. */
  async function trackedLead() {
    const { origin, formId } = await siteWithForm();
    const visitor = visitorId("reader");
    const email = `${unique("reader")}@example.com`;
    const leadId = await leadIdOf(await postFromSite(origin, formId, { email, fu_vid: visitor }));
    return { origin, formId, visitor, email, leadId };
  }

  it("fifty identical beacons make one page view", async () => {
    const { origin, visitor, leadId } = await trackedLead();
    for (let i = 0; i < 50; i++) expect((await beacon(origin, { v: visitor, p: "same-view", t: "view", u: `${origin}/pricing` })).status).toBe(204);
    const lead = await summary(leadId);
    expect(lead.timeline.filter((e) => e.kind === "page_viewed")).toHaveLength(1);
    expect(lead.engagement.pageViews.human).toBe(1);
  });

  it("a beacon for another site's page is refused with its reason and records nothing", async () => {
    const { origin, visitor, leadId } = await trackedLead();
    const response = await beacon(origin, { v: visitor, p: "foreign-1", t: "view", u: "https://elsewhere.example/pricing" });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { code: "page_not_on_site", message: expect.stringContaining(origin) } });
    expect((await summary(leadId)).engagement.pageViews).toEqual({ human: 0, auto: 0, machine: 0 });
  });

  it("the issue's reproduction: a re-post and four pricing beacons with hours of engaged time cannot force a hand-off", async () => {
    const { origin, formId, visitor, email, leadId } = await trackedLead();
    await leadIdOf(await postFromSite(origin, formId, { email, fu_vid: visitor }));
    for (const p of ["pv-a", "pv-b", "pv-c", "pv-d"]) {
      await beacon(origin, { v: visitor, p, t: "view", u: `${origin}/pricing` });
      await beacon(origin, { v: visitor, p, t: "leave", u: `${origin}/pricing`, e: 3 * 3_600_000 });
    }
    const lead = await summary(leadId);
    expect(lead.engagement.pageViews.human).toBe(4);
    expect(lead.handOffs).toEqual([]);
    expect(lead.status).not.toBe("with_rep");
    expect(lead.score).toBeLessThan(75);
    const fromPages = lead.scoreFactors.filter((f) => f.signal === "visit" || f.signal === "pricingTime").reduce((sum, f) => sum + f.points, 0);
    // One UTC day's allowance (two, should the test straddle midnight).
    expect(fromPages).toBeLessThanOrEqual(30);
    expect(lead.timeline.filter((e) => e.kind === "page_left").every((e) => e.kind === "page_left" && e.engagedMs <= 30 * 60_000)).toBe(true);
  });
});
