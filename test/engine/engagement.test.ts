import { describe, expect, it } from "vitest";
import { applyEvent, openedStatus } from "../../engine/lead/lead-engine";
import { DEFAULT_ENGINE_CONFIG } from "../../engine/engine-config";
import type { LeadEffect, LeadState } from "../../engine/lead/lead-state";
import type { RequestFacts } from "../../schemas/tracking";

const T0 = Date.UTC(2026, 10, 3, 14, 0);
const SECOND = 1000;
const LEAD = "fedcba9876543210fedcba9876543210";
const person: RequestFacts = { userAgent: "Mozilla/5.0 (Windows NT 10.0) Chrome/124.0", botAgent: false, network: null, prefetch: false };

function newLead(): LeadState {
  const { state } = applyEvent(
    null,
    { kind: "form_submitted", leadId: LEAD, submission: { formId: "f", receivedAt: T0, profile: { email: "a@example.com" }, consent: {}, utm: {}, custom: {} } },
    T0,
  );
  return state!;
}

/** Walks a series of clicks on one message sent at `sentAt`, returning the final state and every effect. */
function clicks(sentAt: number, list: { at: number; link: number; honeypot?: boolean }[], start = newLead()) {
  let state = start;
  const effects: LeadEffect[] = [];
  for (const c of list) {
    const outcome = applyEvent(
      state,
      { kind: "link_clicked", messageId: "m1", sentAt, linkIndex: c.link, url: `https://site.example/${c.link}`, honeypot: c.honeypot ?? false, facts: person },
      c.at,
    );
    state = outcome.state!;
    effects.push(...outcome.effects);
  }
  return { state, effects };
}

describe("clicks judged on simulated time", () => {
  it("a click two minutes after send is a person and moves last activity", () => {
    const { state } = clicks(T0, [{ at: T0 + 120 * SECOND, link: 0 }]);
    expect(state.engagement.clicks).toEqual({ human: 1, auto: 0, machine: 0 });
    expect(state.lastActivityAt).toBe(T0 + 120 * SECOND);
  });

  it("a click inside the first minute after send is a scanner and does not move last activity", () => {
    const { state } = clicks(T0, [{ at: T0 + 43 * SECOND, link: 0 }]);
    expect(state.engagement.clicks).toEqual({ human: 0, auto: 0, machine: 1 });
    expect(state.lastActivityAt).toBe(T0);
  });

  it("the scanner window is a setting: at 10 s, a click 43 s after send is a person", () => {
    const state = newLead();
    const config = { ...DEFAULT_ENGINE_CONFIG, signals: { ...DEFAULT_ENGINE_CONFIG.signals, scannerWindowMs: 10_000 } };
    const event = { kind: "link_clicked", messageId: "m1", sentAt: T0, linkIndex: 0, url: "https://s.example/", honeypot: false, facts: person } as const;
    expect(applyEvent(state, event, T0 + 43 * SECOND, config).state!.engagement.clicks.human).toBe(1);
  });

  it("five links of one message clicked within two seconds are all machine, the first ones re-judged", () => {
    const at = T0 + 10 * 60 * SECOND;
    const { state, effects } = clicks(
      T0,
      [0, 1, 2, 3, 4].map((link) => ({ at: at + link * 300, link })),
    );
    expect(state.engagement.clicks).toEqual({ human: 0, auto: 0, machine: 5 });
    const rejudged = effects.filter((e) => e.kind === "rejudge_timeline").flatMap((e) => (e.kind === "rejudge_timeline" ? e.seqs : []));
    expect(rejudged.sort()).toEqual([2, 3]); // the first two clicks (timeline seq 2 and 3; seq 1 is the form)
    expect(state.lastActivityAt).toBeGreaterThanOrEqual(at); // the first click counted until the burst showed
  });

  it("a person clicking two links a minute apart stays human", () => {
    const at = T0 + 10 * 60 * SECOND;
    const { state } = clicks(T0, [
      { at, link: 0 },
      { at: at + 60 * SECOND, link: 1 },
      { at: at + 90 * SECOND, link: 2 },
    ]);
    expect(state.engagement.clicks).toEqual({ human: 3, auto: 0, machine: 0 });
  });

  it("the honeypot link marks the clicks around it as machine, but not a person's click minutes later", () => {
    const at = T0 + 5 * 60 * SECOND;
    const { state } = clicks(T0, [
      { at, link: 0 },
      { at: at + 500, link: 7, honeypot: true },
      { at: at + 10 * 60 * SECOND, link: 0 },
    ]);
    expect(state.engagement.clicks).toEqual({ human: 1, auto: 0, machine: 2 });
  });
});

describe("opens", () => {
  it("a lead whose every open is a privacy-proxy prefetch is unknown, not opened", () => {
    let state = newLead();
    const relay: RequestFacts = { userAgent: "Mozilla/5.0", botAgent: false, network: "apple_relay", prefetch: false };
    for (const m of ["m1", "m2"]) state = applyEvent(state, { kind: "email_opened", messageId: m, sentAt: T0, facts: relay }, T0 + SECOND).state!;
    expect(state.engagement.opens).toEqual({ human: 0, auto: 2, machine: 0 });
    expect(openedStatus(state.engagement)).toBe("unknown");
    expect(openedStatus(newLead().engagement)).toBe("no");
  });

  it("only the first human open of a message is the first", () => {
    let state = newLead();
    const entries: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      const outcome = applyEvent(state, { kind: "email_opened", messageId: "m1", sentAt: T0, facts: person }, T0 + (i + 1) * 3600 * SECOND);
      state = outcome.state!;
      entries.push(...outcome.effects.filter((e) => e.kind === "append_timeline").map((e) => (e.kind === "append_timeline" ? e.entry : null)));
    }
    expect(entries).toMatchObject([{ first: true }, { first: false }]);
    expect(state.engagement.openedMessages).toEqual(["m1"]);
  });

  it("signals for a lead that never contacted us change nothing", () => {
    expect(applyEvent(null, { kind: "email_opened", messageId: "m1", sentAt: T0, facts: person }, T0)).toEqual({ state: null, effects: [] });
  });
});

describe("page views", () => {
  it("engaged time from the leave beacon lands on its view; a bot's view is not a visit", () => {
    let state = newLead();
    state = applyEvent(state, { kind: "page_viewed", pageViewId: "p1", url: "https://s.example/pricing", pageClass: "pricing", facts: person }, T0).state!;
    state = applyEvent(state, { kind: "page_viewed", pageViewId: "p2", url: "https://s.example/pricing", pageClass: "pricing", facts: { ...person, botAgent: true } }, T0).state!;
    state = applyEvent(state, { kind: "page_left", pageViewId: "p1", engagedMs: 240_000 }, T0 + 240 * SECOND).state!;
    const unchanged = applyEvent(state, { kind: "page_left", pageViewId: "p2", engagedMs: 5_000 }, T0 + 250 * SECOND);
    expect(unchanged.effects).toEqual([]);
    const repeated = applyEvent(state, { kind: "page_left", pageViewId: "p1", engagedMs: 240_000 }, T0 + 251 * SECOND);
    expect(repeated.effects).toEqual([]);
    expect(state.engagement.visits).toEqual([{ pageViewId: "p1", at: T0, pageClass: "pricing", engagedMs: 240_000 }]);
    expect(state.engagement.pageViews).toEqual({ human: 1, auto: 0, machine: 1 });
  });
});
