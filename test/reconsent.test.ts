import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { OutboxRow } from "../schemas/d1";
import type { SequenceVersion } from "../schemas/sequence";
import { PRESETS } from "../schemas/sequence-presets";
import { tokenKeys } from "../services/crypto/signed-token";
import { reconsentToken, unsubscribeToken } from "../services/crypto/tracked-links";
import { asOwner, call, makeForm, postJson, unique } from "./helpers";
import { clocks, freshLead, kinds, outboxFor, settle, stubFor, submission, summaryOf } from "./lead-harness";

/**
 * Issue #17: re-consent after an unsubscribe is double opt-in. A re-post grants nothing but
 * sends the address one confirmation email (at most once per 30 days); only its signed link
 * grants email consent again. The owner's undo of a suppression restores the consent too.
 */

const NEW_INQUIRY: SequenceVersion = { id: "new-inquiry", version: 0, sequence: PRESETS.get("new-inquiry")! };
const WARM: SequenceVersion = { id: "warm", version: 0, sequence: PRESETS.get("warm")! };
const keys = tokenKeys(env)!;
const DAY = 86_400_000;

const suppressionOf = (value: string) => env.DB.prepare("SELECT reason FROM suppressions WHERE channel = 'email' AND value = ?").bind(value).first<{ reason: string }>();
const oneClick = (token: string) => call(`/u/${token}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
const sentTo = async (leadId: string, to: string) => (await outboxFor(leadId)).filter((m) => m.to === to);
const confirmPath = (message: OutboxRow) => new URL(/https?:\/\/\S+\/u\/\S+\/confirm/.exec(message.text)![0]).pathname;

/** A lead that ran new-inquiry (its acknowledgement sent), then unsubscribed with one click. */
async function unsubscribedLead() {
  const lead = await freshLead();
  const email = `${unique("reconsent")}@example.com`.toLowerCase();
  await lead.stub.submitForm(submission(email, { consent: { email: true } }), NEW_INQUIRY);
  await settle(lead.stub);
  expect((await oneClick(await unsubscribeToken(keys, lead.leadId))).status).toBe(200);
  await settle(lead.stub);
  expect(await suppressionOf(email)).not.toBeNull();
  return { ...lead, email, before: (await sentTo(lead.leadId, email)).length };
}

const later = (leadId: string, ms: number) => {
  clocks.get(stubFor(leadId).id.toString())!.at += ms;
};

describe("re-consent after an unsubscribe", () => {
  it("a re-post sends the address exactly one confirmation email and nothing else; another within 30 days sends none", async () => {
    const { leadId, stub, email, before } = await unsubscribedLead();
    later(leadId, DAY);
    await stub.submitForm(submission(email, { consent: { email: true } }), NEW_INQUIRY);
    await settle(stub);

    const mails = (await sentTo(leadId, email)).slice(before);
    expect(mails).toHaveLength(1);
    const [confirmation] = mails as [OutboxRow];
    expect(confirmation.subject).toBe("Confirm you want emails from Acme Roofing");
    expect(confirmation.text).toContain(env.SENDER_POSTAL_ADDRESS);
    expect(confirmPath(confirmation)).toMatch(/^\/u\/[^/]+\/confirm$/);
    // Transactional: no pixel, no tracked link, no list headers.
    expect(confirmation.html).not.toMatch(/\/o\/|\/c\//);
    expect(confirmation.headers["List-Unsubscribe"]).toBeUndefined();
    // The owner hears of the re-post.
    expect((await outboxFor(leadId)).filter((m) => m.to === env.OWNER_EMAIL && /after it unsubscribed/.test(m.text))).toHaveLength(1);

    const lead = await summaryOf(stub);
    expect(lead.status).toBe("unsubscribed");
    expect(lead.consent.email).toMatchObject({ granted: false, method: "one_click" });
    expect(lead.enrolments.filter((e) => e.status === "active")).toEqual([]);
    expect(kinds(lead).filter((k) => k === "reconsent_requested")).toHaveLength(1);
    expect(kinds(lead).slice(kinds(lead).lastIndexOf("unsubscribed"))).not.toContain("touch_sent");

    later(leadId, 28 * DAY);
    await stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(stub);
    expect((await sentTo(leadId, email)).slice(before)).toHaveLength(1);
    expect(kinds(await summaryOf(stub)).filter((k) => k === "reconsent_requested")).toHaveLength(1);

    // Past 30 days since the last one, a re-post may ask once more.
    later(leadId, 2 * DAY);
    await stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(stub);
    expect((await sentTo(leadId, email)).slice(before)).toHaveLength(2);
  });

  it("every refused re-post alerts the owner with what it asked for, at most once a day; a complainer is alerted about but never mailed", async () => {
    const lead = await freshLead();
    const email = `${unique("complainer")}@example.com`.toLowerCase();
    await lead.stub.submitForm(submission(email, { consent: { email: true } }), NEW_INQUIRY);
    await settle(lead.stub);
    await lead.stub.unsubscribe("email", "complaint", "ARF report from the mailbox provider");
    await settle(lead.stub);
    const before = (await sentTo(lead.leadId, email)).length;
    const alerts = async () =>
      (await outboxFor(lead.leadId)).filter((m) => m.to === env.OWNER_EMAIL && /was posted for this lead after it reported our email as spam/.test(m.text));

    later(lead.leadId, DAY);
    await lead.stub.submitForm(submission(email, { consent: { email: true }, message: "Please call me about a new roof" }), NEW_INQUIRY);
    await settle(lead.stub);
    const [alert] = (await alerts()) as [OutboxRow];
    expect(await alerts()).toHaveLength(1);
    expect(alert.text).toContain("Refused: the email consent it ticked and any follow-up.");
    expect(alert.text).toContain("Nothing was sent: the address reported our email as spam.");
    expect(alert.text).toContain("Please call me about a new roof");

    // A second post the same day alerts no more; one the next day alerts again. The address gets nothing, ever.
    later(lead.leadId, 2 * 3_600_000);
    await lead.stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(lead.stub);
    expect(await alerts()).toHaveLength(1);
    later(lead.leadId, DAY);
    await lead.stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(lead.stub);
    expect(await alerts()).toHaveLength(2);
    expect((await sentTo(lead.leadId, email)).length).toBe(before);
    expect(kinds(await summaryOf(lead.stub))).not.toContain("reconsent_requested");
  });

  it("a re-post within 30 days of the confirmation still alerts the owner, saying nothing more was sent", async () => {
    const { leadId, stub, email, before } = await unsubscribedLead();
    await stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(stub);
    later(leadId, 3 * DAY);
    await stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(stub);
    const alerts = (await outboxFor(leadId)).filter((m) => m.to === env.OWNER_EMAIL && /after it unsubscribed/.test(m.text));
    expect(alerts).toHaveLength(2);
    expect(alerts.some((m) => m.text.includes("a confirmation email already went in the last 30 days"))).toBe(true);
    expect((await sentTo(leadId, email)).length).toBe(before + 1);
  });

  it("the link's GET changes nothing; its POST grants email consent again and lifts the suppression, resuming nothing", async () => {
    const { leadId, stub, email, before } = await unsubscribedLead();
    await stub.submitForm(submission(email), NEW_INQUIRY);
    await settle(stub);
    const path = confirmPath((await sentTo(leadId, email))[before]!);

    const shown = await call(path);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain("Yes, email me again");
    await settle(stub);
    expect((await summaryOf(stub)).consent.email).toMatchObject({ granted: false });
    expect(await suppressionOf(email)).not.toBeNull();

    const confirmed = await call(path, { method: "POST" });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("may email you again");
    await settle(stub);
    const lead = await summaryOf(stub);
    expect(lead.consent.email).toMatchObject({ granted: true, method: "confirmed_link" });
    expect(lead.status).toBe("completed");
    expect(lead.timeline.filter((e) => e.kind === "resubscribed")).toEqual([
      expect.objectContaining({ channel: "email", method: "confirmed_link", evidence: "confirmed by the address's owner via a signed link" }),
    ]);
    expect(await suppressionOf(email)).toBeNull();
    expect(lead.enrolments.filter((e) => e.status === "active")).toEqual([]);
    expect((await sentTo(leadId, email)).length).toBe(before + 1);

    // Confirming twice changes nothing more; the owner may now enrol the lead.
    expect((await call(path, { method: "POST" })).status).toBe(200);
    expect(kinds(await summaryOf(stub)).filter((k) => k === "resubscribed")).toHaveLength(1);
    expect(await stub.enrol(WARM)).toEqual({ enrolled: true });
  });

  it("refuses a forged, altered or other-purpose token, and a link older than a later unsubscribe", async () => {
    const { leadId, stub, email, before } = await unsubscribedLead();
    const unsub = await unsubscribeToken(keys, leadId);
    const withdrawnAt = (await summaryOf(stub)).consent.email!.at;
    const good = await reconsentToken(keys, leadId, withdrawnAt);
    const [id, body, tag] = good.split(".") as [string, string, string];
    const altered = `${id}.${body}.${tag.slice(0, -2)}${tag.endsWith("AA") ? "BB" : "AA"}`;
    const otherKey = await reconsentToken({ current: { id, secret: "not-the-secret" }, previous: [] }, leadId, withdrawnAt);
    for (const bad of [unsub, altered, otherKey, "x.y.z"]) {
      expect((await call(`/u/${bad}/confirm`)).status).toBe(404);
      expect((await call(`/u/${bad}/confirm`, { method: "POST" })).status).toBe(404);
    }
    // A confirmation token is no unsubscribe link either.
    expect((await call(`/u/${good}`, { method: "POST", body: "List-Unsubscribe=One-Click" })).status).toBe(404);
    await settle(stub);
    expect((await summaryOf(stub)).consent.email).toMatchObject({ granted: false, method: "one_click" });

    // Confirmed, then unsubscribed again: the old link cannot undo the later unsubscribe.
    expect((await call(`/u/${good}/confirm`, { method: "POST" })).status).toBe(200);
    await settle(stub);
    later(leadId, DAY);
    expect((await oneClick(unsub)).status).toBe(200);
    await settle(stub);
    expect((await call(`/u/${good}/confirm`, { method: "POST" })).status).toBe(410);
    await settle(stub);
    expect((await summaryOf(stub)).consent.email).toMatchObject({ granted: false, method: "one_click" });
    expect(await suppressionOf(email)).not.toBeNull();
    expect((await sentTo(leadId, email)).length).toBe(before);
  });

  it("the owner's DELETE of a lead's address from the suppression list restores its consent", async () => {
    const form = await makeForm({ sequenceId: "new-inquiry" });
    const email = `${unique("apilift")}@example.com`.toLowerCase();
    const { leadId } = (await (await postJson(form.id, { email, consent_email: true })).json()) as { leadId: string };
    const stub = stubFor(leadId);
    await settle(stub);
    expect((await oneClick(await unsubscribeToken(keys, leadId))).status).toBe(200);
    await settle(stub);
    expect((await asOwner(`/api/suppressions/email/${encodeURIComponent(email)}`, { method: "DELETE" })).status).toBe(204);
    await settle(stub);
    const lead = await summaryOf(stub);
    expect(lead.consent.email).toMatchObject({ granted: true, method: "owner" });
    expect(lead.status).toBe("completed");
    expect(lead.timeline.find((e) => e.kind === "resubscribed")).toMatchObject({ method: "owner", evidence: "owner action" });
  });
});
