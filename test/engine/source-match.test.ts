import { describe, expect, it } from "vitest";
import { matchSource, originKeys, type LeadOrigin } from "../../engine/sequence/source-match";
import { postOrigin } from "../../engine/lead/form-post";
import { simulate } from "../../engine/simulator";
import type { Submission } from "../../schemas/lead";
import { SequenceSchema } from "../../schemas/sequence";

/** The value email speaks to where the lead came from: its source, UTM tags, then its landing page. */

const variant = (subject: string) => ({ subject, body: subject });
const BY_SOURCE = {
  "pricing-page": variant("pricing page"),
  referral: variant("referral"),
  "google-ads": variant("google ads"),
  email: variant("email medium"),
  "spring-sale": variant("spring campaign"),
  "roof-repair": variant("roof repair"),
  "home-page": variant("home page"),
};

const cases: [string, LeadOrigin, string | undefined][] = [
  ["the form's source", { source: "referral" }, "referral"],
  ["the source wins over every UTM tag and the page", { source: "referral", utm: { utm_source: "google_ads" }, page: "https://owner.example/pricing" }, "referral"],
  ["an unknown source falls through to utm_source", { source: "newsletter-footer", utm: { utm_source: "google_ads" } }, "google ads"],
  ["utm_source, compared as a slug", { utm: { utm_source: "Google Ads" } }, "google ads"],
  ["utm_source before utm_medium", { utm: { utm_medium: "email", utm_source: "referral" } }, "referral"],
  ["utm_medium when utm_source names no variant", { utm: { utm_source: "mailchimp", utm_medium: "email" } }, "email medium"],
  ["utm_campaign after source and medium", { utm: { utm_source: "mailchimp", utm_medium: "newsletter", utm_campaign: "Spring_Sale" } }, "spring campaign"],
  ["UTM tags before the landing page", { utm: { utm_campaign: "spring-sale" }, page: "https://owner.example/pricing" }, "spring campaign"],
  ["the landing page's path as <segment>-page", { page: "https://owner.example/pricing/?plan=pro" }, "pricing page"],
  ["the deepest path segment first, as itself", { page: "https://owner.example/services/roof-repair" }, "roof repair"],
  ["an upper path segment when the deepest names none", { page: "https://owner.example/pricing/enterprise" }, "pricing page"],
  ["the site root is the home page", { page: "https://owner.example/" }, "home page"],
  ["a page that is not a URL names nothing", { page: "not a url" }, undefined],
  ["nothing known: no variant", {}, undefined],
  ["values that match no key: no variant", { source: "trade-show", utm: { utm_source: "linkedin" }, page: "https://owner.example/blog/post" }, undefined],
];

describe("the value email's variant by where the lead came from", () => {
  it.each(cases)("%s", (_name, origin, expected) => {
    expect(matchSource(BY_SOURCE, origin)?.template.subject).toBe(expected);
  });

  it("a step without variants has none to match", () => {
    expect(matchSource(undefined, { source: "referral" })).toBeUndefined();
  });

  it("lists the candidates in the documented order", () => {
    expect(originKeys({ source: "Partner", utm: { utm_campaign: "c", utm_medium: "m", utm_source: "s" }, page: "https://owner.example/a/b%20c" })).toEqual([
      "partner",
      "s",
      "m",
      "c",
      "b-c-page",
      "b-c",
      "a-page",
      "a",
    ]);
  });
});

describe("a post's origin", () => {
  const post = (extra: Partial<Submission>): Submission => ({ formId: "f", receivedAt: 0, profile: {}, consent: {}, utm: {}, custom: {}, ...extra });

  it("keeps the form's UTM fields and the page", () => {
    expect(postOrigin(post({ utm: { utm_source: "google" }, page: "https://owner.example/pricing?utm_source=bing" }))).toEqual({
      utm: { utm_source: "google" },
      page: "https://owner.example/pricing?utm_source=bing",
    });
  });

  it("takes UTM tags from the page's address when the form carried none", () => {
    expect(postOrigin(post({ page: "https://owner.example/pricing?UTM_Source=bing&utm_medium=cpc&ref=x&utm_term=" }))?.utm).toEqual({ utm_source: "bing", utm_medium: "cpc" });
  });

  it("says nothing when the post says nothing", () => {
    expect(postOrigin(post({}))).toBeUndefined();
  });
});

describe("the value email of a lead", () => {
  const DAY = 86_400_000;
  const MONDAY_10 = Date.UTC(2026, 10, 2, 15, 0);
  const sequence = {
    id: "by-origin",
    version: 1,
    sequence: SequenceSchema.parse({
      id: "by-origin",
      name: "By origin",
      steps: [{ id: "value", intent: "value", channels: ["email"], wait: { days: 1 }, email: { subject: "A general idea", body: "General." }, bySource: BY_SOURCE }],
    }),
  };
  const first: Submission = {
    formId: "f",
    receivedAt: MONDAY_10,
    profile: { email: "ann@example.com", timezone: "America/New_York" },
    consent: {},
    utm: {},
    custom: {},
    page: "https://owner.example/pricing",
  };
  const second: Submission = { ...first, receivedAt: MONDAY_10 + 3_600_000, utm: { utm_source: "referral" }, page: "https://owner.example/" };

  it("speaks to the first post's landing page, and a later post does not take the credit", () => {
    const { sent, state } = simulate({
      leadId: "00112233445566778899aabbccddee02",
      submission: first,
      sequence,
      start: MONDAY_10,
      until: MONDAY_10 + 3 * DAY,
      events: [{ at: second.receivedAt, event: { kind: "form_submitted", leadId: "00112233445566778899aabbccddee02", submission: second } }],
    });
    expect(state.origin).toEqual({ utm: {}, page: "https://owner.example/pricing" });
    expect(sent.map((s) => [s.touch.variant, s.touch.subject])).toEqual([["by_source", "pricing page"]]);
  });
});
