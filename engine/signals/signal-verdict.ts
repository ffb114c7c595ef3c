import type { RequestFacts, Verdict } from "../../schemas/tracking";

/**
 * Is an open, click or page view a person, a privacy proxy (`auto`) or a machine? Judged
 * from what the Worker saw (user agent, network, prefetch) and what only the lead's object
 * knows (when the message went out, which other links of it were just clicked).
 */

export interface Judgement {
  verdict: Verdict;
  reason: string;
}

export interface SignalRules {
  /** Clicks sooner than this after sending are scanners: bursts start a median 43 s after send. */
  scannerWindowMs: number;
  /** Several links of one message clicked within this span are a scanner walking the message. */
  burstWindowMs: number;
  /** How many distinct links inside the burst window make a burst. */
  burstLinks: number;
  /**
   * Engaged time counted for one page view, and for all of a lead's views started within a
   * day: a beacon reports what it likes, and a person reads a page for minutes, not hours.
   */
  engagedPerViewMs: number;
  engagedPerDayMs: number;
}

export const DEFAULT_SIGNAL_RULES: SignalRules = {
  scannerWindowMs: 60_000,
  burstWindowMs: 2_000,
  burstLinks: 3,
  engagedPerViewMs: 30 * 60_000,
  engagedPerDayMs: 2 * 3_600_000,
};

const human = (reason: string): Judgement => ({ verdict: "human", reason });
const machine = (reason: string): Judgement => ({ verdict: "machine", reason });

/** Gmail fetches a message's images through its proxy when the recipient opens it. */
const GMAIL_PROXY = /GoogleImageProxy/i;
/**
 * Apple Mail Privacy Protection prefetches through Apple's relays with a bare WebKit agent:
 * no browser name, no version, nothing after "(KHTML, like Gecko)".
 */
const GENERIC_WEBKIT = /^Mozilla\/5\.0(?: \([^)]*\) AppleWebKit\/[\d.]+ \(KHTML, like Gecko\))?$/;

function fromRequest(facts: RequestFacts): Judgement | null {
  if (facts.prefetch) return machine("HEAD or prefetch request");
  return null;
}

export function judgeOpen(facts: RequestFacts): Judgement {
  const early = fromRequest(facts);
  if (early) return early;
  if (GMAIL_PROXY.test(facts.userAgent)) return human("Gmail image proxy (fetches when the recipient opens)");
  if (facts.network === "apple_relay" && GENERIC_WEBKIT.test(facts.userAgent.trim())) {
    return { verdict: "auto", reason: "Apple Mail Privacy Protection prefetch (Apple relay, generic WebKit agent)" };
  }
  if (facts.botAgent) return machine("bot user agent");
  if (facts.network !== null && facts.network !== "apple_relay") return machine(`request from ${facts.network} published ranges`);
  return human("mail client");
}

export interface ClickContext {
  at: number;
  sentAt: number;
  honeypot: boolean;
}

/** A click judged on its own; bursts across clicks are found by `findBurst`. */
export function judgeClick(facts: RequestFacts, context: ClickContext, rules: SignalRules = DEFAULT_SIGNAL_RULES): Judgement {
  const early = fromRequest(facts);
  if (early) return early;
  if (context.honeypot) return machine("hidden honeypot link (people never see it)");
  if (facts.botAgent) return machine("bot user agent");
  if (facts.network !== null && facts.network !== "apple_relay") return machine(`request from ${facts.network} published ranges (link scanners)`);
  const sinceSend = context.at - context.sentAt;
  if (sinceSend >= 0 && sinceSend < rules.scannerWindowMs) {
    return machine(`clicked ${Math.round(sinceSend / 1000)} s after send (scanners click within ${rules.scannerWindowMs / 1000} s)`);
  }
  return human("clicked by a person");
}

export function judgePageView(facts: RequestFacts): Judgement {
  const early = fromRequest(facts);
  if (early) return early;
  if (facts.botAgent) return machine("bot user agent");
  return human("browser");
}

export interface RecentClick {
  seq: number;
  messageId: string;
  linkIndex: number;
  at: number;
  honeypot: boolean;
}

/**
 * The clicks that form a burst with the newest one: the same message's clicks inside the
 * burst window, when they span enough distinct links or include the honeypot.
 */
export function findBurst<C extends RecentClick>(recent: C[], newest: C, rules: SignalRules = DEFAULT_SIGNAL_RULES): C[] {
  const around = recent.filter((c) => c.messageId === newest.messageId && Math.abs(c.at - newest.at) <= rules.burstWindowMs);
  const all = [...around, newest];
  const links = new Set(all.map((c) => c.linkIndex));
  if (links.size >= rules.burstLinks || (all.some((c) => c.honeypot) && all.length > 1)) return all;
  return [];
}
