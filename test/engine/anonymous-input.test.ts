import { describe, expect, it } from "vitest";
import { applyEvent } from "../../engine/lead/lead-engine";
import { DEFAULT_ENGINE_CONFIG } from "../../engine/engine-config";
import type { LeadEffect, LeadEvent, LeadState } from "../../engine/lead/lead-state";
import { PERSON } from "../../engine/simulator";
import type { Submission, TimelineEntry } from "../../schemas/lead";

/**
 * Form posts and beacons are anyone's: they add to a lead and never overwrite what it
 * established, and a stream of them cannot make a lead hot (issue #17).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Monday 2 November 2026, 10:00 in New York. */
const T0 = Date.UTC(2026, 10, 2, 15, 0);
const LEAD = "aa00bb11cc22dd33ee44ff5566778899";
const SITE = "https://owner.example";

function submission(profile: Submission["profile"], extra: Partial<Submission> = {}): Submission {
  return { formId: "contact", receivedAt: T0, profile, consent: {}, utm: {}, custom: {}, ...extra };
}

/** Applies events in order; returns the lead and every timeline entry and hand-off made. */
function walk(events: [number, LeadEvent][], start: LeadState | null = null) {
  let state = start;
  const timeline: TimelineEntry[] = [];
  const handOffs: string[] = [];
  for (const [at, event] of events) {
    const outcome = applyEvent(state, event, at, DEFAULT_ENGINE_CONFIG);
    state = outcome.state;
    for (const effect of outcome.effects as LeadEffect[]) {
      if (effect.kind === "append_timeline") timeline.push(effect.entry);
      if (effect.kind === "hand_off") handOffs.push(...effect.triggers.map((t) => t.trigger));
    }
  }
  return { state: state!, timeline, handOffs };
}

const post = (s: Submission): LeadEvent => ({ kind: "form_submitted", leadId: LEAD, submission: s });
const view = (pageViewId: string, path: string, pageClass: string | null, timezone?: string): LeadEvent => ({
  kind: "page_viewed",
  pageViewId,
  url: `${SITE}${path}`,
  pageClass,
  ...(timezone ? { timezone } : {}),
  facts: PERSON,
});
const leave = (pageViewId: string, engagedMs: number): LeadEvent => ({ kind: "page_left", pageViewId, engagedMs });

const ANN = { email: "ann@example.com", name: "Ann Lee", firstName: "Ann", phone: "+12125550100", timezone: "America/New_York" };

describe("a later form post adds to the lead and never overwrites it", () => {
  it("fills empty fields, keeps the known name, phone and timezone, and records what it did not change", () => {
    const { state, timeline } = walk([
      [T0, post(submission(ANN))],
      [
        T0 + HOUR,
        post(
          submission({ email: "ANN@example.com", name: "Mallory", firstName: "Mallory", phone: "+447700900123", timezone: "Asia/Tokyo", company: "Acme" }, { message: "call me" }),
        ),
      ],
    ]);
    expect(state.profile).toEqual({ ...ANN, company: "Acme" });
    expect(state.timezone).toBe("America/New_York");
    expect(timeline.filter((e) => e.kind === "form_submitted")).toHaveLength(2);
    expect(timeline.at(-1)).toMatchObject({ kind: "change_refused", formId: "contact", fields: ["name", "firstName", "phone", "timezone"], consent: [] });
    // The message belongs to its own post, kept on the timeline.
    const second = timeline.filter((e) => e.kind === "form_submitted")[1];
    expect(second?.kind === "form_submitted" && second.submission.message).toBe("call me");
  });

  it("a post that changes nothing known records no refusal", () => {
    const { timeline } = walk([
      [T0, post(submission(ANN))],
      [T0 + HOUR, post(submission({ email: ANN.email, name: ANN.name, company: "Acme" }))],
    ]);
    expect(timeline.map((e) => e.kind)).toEqual(["form_submitted", "form_submitted"]);
  });

  it("cannot grant again an email consent the lead withdrew by unsubscribing", () => {
    const { state, timeline } = walk([
      [T0, post(submission(ANN, { consent: { email: true } }))],
      [T0 + HOUR, { kind: "unsubscribed", channel: "email", method: "one_click" }],
      [T0 + 2 * HOUR, post(submission(ANN, { consent: { email: true } }))],
    ]);
    expect(state.status).toBe("unsubscribed");
    expect(state.consent.email).toMatchObject({ granted: false, method: "one_click", at: T0 + HOUR });
    const refused = timeline.find((e) => e.kind === "change_refused");
    expect(refused).toMatchObject({ kind: "change_refused", fields: [], consent: [{ channel: "email", asked: true, kept: { granted: false, method: "one_click" } }] });
    expect(refused?.kind === "change_refused" && refused.reason).toMatch(/cannot grant it again/);
    // Instead the address is asked to confirm: the post's last entry.
    expect(timeline.at(-1)).toMatchObject({ kind: "reconsent_requested", channel: "email", formId: "contact" });
  });

  it("a re-post after an unsubscribe asks the address to confirm once per 30 days, and tells the owner each time; only a confirmation grants again", () => {
    const effectsOf = (state: LeadState, event: LeadEvent, at: number) => applyEvent(state, event, at, DEFAULT_ENGINE_CONFIG);
    const { state: unsubscribed } = walk([
      [T0, post(submission(ANN, { consent: { email: true } }))],
      [T0 + HOUR, { kind: "unsubscribed", channel: "email", method: "one_click" }],
    ]);
    const first = effectsOf(unsubscribed, post(submission(ANN)), T0 + DAY);
    expect(first.effects.filter((e) => e.kind === "send_reconsent")).toEqual([{ kind: "send_reconsent", to: ANN.email, withdrawnAt: T0 + HOUR }]);
    expect(first.effects.filter((e) => e.kind === "alert")).toHaveLength(1);
    expect(first.effects.some((e) => e.kind === "send" || e.kind === "enrol")).toBe(false);
    const again = effectsOf(first.state!, post(submission(ANN)), T0 + 30 * DAY);
    expect(again.effects.some((e) => e.kind === "send_reconsent")).toBe(false);
    // The owner still hears of it: the person may truly want an answer.
    expect(again.effects.filter((e) => e.kind === "alert")).toEqual([
      expect.objectContaining({ message: expect.stringContaining("a confirmation email already went in the last 30 days") }),
    ]);
    const afterWindow = effectsOf(again.state!, post(submission(ANN)), T0 + 31 * DAY);
    expect(afterWindow.effects.filter((e) => e.kind === "send_reconsent")).toHaveLength(1);

    const evidence = "confirmed by the address's owner via a signed link";
    const confirmed = effectsOf(afterWindow.state!, { kind: "consent_restored", channel: "email", method: "confirmed_link", evidence }, T0 + 32 * DAY);
    expect(confirmed.state).toMatchObject({ status: "completed", consent: { email: { granted: true, method: "confirmed_link", at: T0 + 32 * DAY } } });
    expect(confirmed.effects).toContainEqual({ kind: "unsuppress", channel: "email", value: ANN.email, evidence });
    // Consent given again: a later post asks nothing, and a second confirmation changes nothing.
    expect(effectsOf(confirmed.state!, post(submission(ANN)), T0 + 33 * DAY).effects.some((e) => e.kind === "send_reconsent")).toBe(false);
    expect(effectsOf(confirmed.state!, { kind: "consent_restored", channel: "email", method: "confirmed_link", evidence }, T0 + 33 * DAY).effects).toEqual([]);
  });

  it("cannot grant again an SMS consent withdrawn by STOP, nor withdraw one the lead gave", () => {
    const stopped = walk([
      [T0, post(submission(ANN, { consent: { sms: true } }))],
      [T0 + HOUR, { kind: "unsubscribed", channel: "sms", method: "sms_stop" }],
      [T0 + 2 * HOUR, post(submission(ANN, { consent: { sms: true } }))],
    ]);
    expect(stopped.state.consent.sms).toMatchObject({ granted: false, method: "sms_stop" });
    expect(stopped.timeline.at(-1)).toMatchObject({ kind: "change_refused", consent: [{ channel: "sms", asked: true }] });

    const given = walk([
      [T0, post(submission(ANN, { consent: { sms: true } }))],
      [T0 + HOUR, post(submission(ANN, { consent: { sms: false } }))],
    ]);
    expect(given.state.consent.sms).toMatchObject({ granted: true, at: T0 });
    expect(given.timeline.at(-1)).toMatchObject({ kind: "change_refused", consent: [{ channel: "sms", asked: false }] });
  });

  it("a lead whose zone nobody gave takes one from a later post; a known zone stays", () => {
    const unknown = walk([
      [T0, post(submission({ email: ANN.email }))],
      [T0 + HOUR, post(submission({ email: ANN.email, timezone: "Europe/Berlin" }))],
    ]);
    expect(unknown.state.timezone).toBe("Europe/Berlin");
    // Known from the phone's country: a post's zone does not move the quiet hours.
    const byPhone = walk([
      [T0, post(submission({ email: ANN.email, phone: ANN.phone }))],
      [T0 + HOUR, post(submission({ email: ANN.email, timezone: "Asia/Tokyo" }))],
    ]);
    expect(byPhone.state.timezone).toBe("America/New_York");
  });
});

describe("beacons are bounded", () => {
  const lead = () => walk([[T0, post(submission({ email: ANN.email }))]]).state;

  it("fifty identical beacons make one page view", () => {
    const { state, timeline } = walk(
      Array.from({ length: 50 }, (_, i) => [T0 + i * 1000, view("pv-1", "/pricing", "pricing")] as [number, LeadEvent]),
      lead(),
    );
    expect(timeline.filter((e) => e.kind === "page_viewed")).toHaveLength(1);
    expect(state.engagement.pageViews.human).toBe(1);
    expect(state.engagement.visits).toHaveLength(1);
  });

  it("engaged time counts at most 30 minutes a view and 2 hours a day, and the reported time is kept", () => {
    const views = ["a", "b", "c", "d", "e"].flatMap((id, i): [number, LeadEvent][] => [
      [T0 + i * HOUR, view(id, "/pricing", "pricing")],
      [T0 + i * HOUR + 50 * MINUTE, leave(id, 5 * HOUR)],
    ]);
    const { state, timeline } = walk(views, lead());
    expect(state.engagement.visits.map((v) => v.engagedMs)).toEqual([30, 30, 30, 30, 0].map((m) => m * MINUTE));
    expect(timeline.find((e) => e.kind === "page_left")).toMatchObject({ engagedMs: 30 * MINUTE, reportedMs: 5 * HOUR });
    // The next day has its own allowance.
    const tomorrow = walk(
      [
        [T0 + DAY + 5 * HOUR, view("f", "/pricing", "pricing")],
        [T0 + DAY + 5 * HOUR + MINUTE, leave("f", 10 * MINUTE)],
      ],
      state,
    );
    expect(tomorrow.state.engagement.visits.at(-1)?.engagedMs).toBe(10 * MINUTE);
  });

  it("a beacon sets the zone of a lead whose zone is unknown, and never moves it once known", () => {
    const first = walk([[T0 + MINUTE, view("z1", "/", null, "Asia/Tokyo")]], lead()).state;
    expect(first.timezone).toBe("Asia/Tokyo");
    expect(walk([[T0 + 2 * MINUTE, view("z2", "/", null, "Pacific/Auckland")]], first).state.timezone).toBe("Asia/Tokyo");
    const byPhone = walk([
      [T0, post(submission({ email: ANN.email, phone: ANN.phone }))],
      [T0 + MINUTE, view("z3", "/", null, "Asia/Tokyo")],
    ]).state;
    expect(byPhone.timezone).toBe("America/New_York");
  });

  it("the issue's reproduction: a post, a re-post and a day of pricing beacons with long engaged time hand nothing off", () => {
    const beacons = ["p1", "p2", "p3", "p4"].flatMap((id, i): [number, LeadEvent][] => [
      [T0 + 2 * HOUR + i * MINUTE, view(id, "/pricing", "pricing")],
      [T0 + 2 * HOUR + i * MINUTE + 30 * 1000, leave(id, 3 * HOUR)],
    ]);
    const { state, handOffs } = walk([[T0, post(submission(ANN))], [T0 + HOUR, post(submission(ANN))], ...beacons]);
    expect(handOffs).toEqual([]);
    // Form posts 25 (capped), page views 15 for the day: visits and time on pricing together.
    expect(state.score).toBe(40);
    const pages = state.scoreFactors.filter((f) => f.signal === "visit" || f.signal === "pricingTime").reduce((sum, f) => sum + f.points, 0);
    expect(pages).toBe(15);
  });

  it("beacons alone across two calendar days stay under the threshold, even with a decision-maker's title", () => {
    // 23:00 and 01:00 UTC: two days' allowances within two hours.
    const late = Date.UTC(2026, 10, 2, 23, 0);
    const burst = (from: number, prefix: string) =>
      Array.from({ length: 4 }, (_, i): [number, LeadEvent][] => [
        [from + i * MINUTE, view(`${prefix}${i}`, "/pricing", "pricing")],
        [from + i * MINUTE + 1000, leave(`${prefix}${i}`, HOUR)],
      ]).flat();
    const ceo = { ...ANN, title: "CEO" };
    const { state, handOffs } = walk([[late - HOUR, post(submission(ceo))], [late - HOUR, post(submission(ceo))], ...burst(late, "x"), ...burst(late + 2 * HOUR, "y")]);
    // A typed title adds seniority points but hands nothing off: only the person's reply names a decision-maker.
    expect(handOffs).toEqual([]);
    expect(state.score).toBeLessThan(DEFAULT_ENGINE_CONFIG.handOff.threshold);
  });

  it("pricing visits count once a day: three in a day do not fire, three days in a week do", () => {
    const sameDay = walk(
      ["a", "b", "c"].map((id, i): [number, LeadEvent] => [T0 + i * MINUTE, view(id, "/pricing", "pricing")]),
      lead(),
    );
    expect(sameDay.handOffs).toEqual([]);
    const threeDays = walk(
      ["a", "b", "c"].map((id, i): [number, LeadEvent] => [T0 + i * DAY, view(id, "/pricing", "pricing")]),
      lead(),
    );
    expect(threeDays.handOffs).toEqual(["pricing_visits"]);
  });
});
