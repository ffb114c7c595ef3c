import type { LeadProfile, TimelineEntry } from "../../schemas/lead";
import type { LeadState } from "../lead/lead-state";
import type { ScoreFactor } from "../lead/lead-state";
import { localParts } from "../time/local-time";
import { describeObjection, statedObjection } from "./raised-objections";

/**
 * What a rep needs to walk into the call informed: who the lead is, why it is hot, what
 * it did and said (a readable transcript), its needs and top objection, and what to do
 * next. Deterministic; where a model is bound it rewrites the summary (workers/ai).
 */

export interface HandOffPackage {
  leadId: string;
  handedOffAt: number;
  triggers: { trigger: string; reason: string }[];
  profile: LeadProfile;
  timezone: string;
  score: number;
  factors: ScoreFactor[];
  transcript: string[];
  /** The latest site-chat messages (at most CHAT_TRANSCRIPT_MAX, oldest first), absent when the lead never chatted. */
  chat?: { from: "visitor" | "assistant" | "rep"; text: string; at: number }[];
  /** Written by the rules here, or by the model where one is bound (`by` says which). */
  summary: { needs: string; topObjection: string | null; by: "rules" | "model" };
  nextAction: string;
  /** Set when the package goes with a rep task (a call the cadence asks for), not a hand-off. */
  task?: string;
}

/** A rep reads the last messages of a chat, not a whole day's worth. */
export const CHAT_TRANSCRIPT_MAX = 20;

const WEEKDAY = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function when(at: number, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${WEEKDAY[p.weekday]} ${p.day} ${MONTH[p.month - 1]} ${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
}

const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max - 1)}…` : text).replace(/\s+/g, " ");

function line(entry: TimelineEntry, engagedMs: Map<string, number>): string | null {
  switch (entry.kind) {
    case "form_submitted":
      return `posted form "${entry.submission.formId}"${entry.submission.message ? `: “${clip(entry.submission.message)}”` : ""}`;
    case "touch_sent":
      return entry.channel === "email" ? `we emailed “${clip(entry.subject ?? "", 120)}” (${entry.intent})` : `we texted: “${clip(entry.text, 160)}”`;
    case "email_opened":
      return entry.verdict === "human" && entry.first ? "opened our email" : null;
    case "link_clicked":
      return entry.verdict === "human" ? `clicked ${entry.url}` : null;
    case "page_viewed": {
      if (entry.verdict !== "human") return null;
      const engaged = engagedMs.get(entry.pageViewId) ?? 0;
      return `visited ${entry.url}${entry.pageClass ? ` (${entry.pageClass})` : ""}${engaged > 0 ? ` for ${Math.round(engaged / 1000)} s` : ""}`;
    }
    case "reply_received":
      return `replied: “${clip(entry.text ?? "")}”`;
    case "booked":
      return `booked (${entry.source})`;
    case "unsubscribed":
      return `unsubscribed from ${entry.channel}`;
    case "objection_raised":
      return `raised an objection: ${describeObjection(entry)}`;
    case "handed_off":
      return `handed to a rep: ${entry.reason}`;
    case "chat_message":
      return entry.from === "visitor"
        ? `said in chat: “${clip(entry.text)}”`
        : `${entry.from === "rep" ? "the rep" : "the assistant"} answered in chat: “${clip(entry.text, 160)}”`;
    default:
      return null;
  }
}

/** What the lead wrote in the form post or reply at `seq`. */
function wordsOf(timeline: TimelineEntry[], seq: number | undefined): string | undefined {
  const entry = seq === undefined ? undefined : timeline.find((e) => e.seq === seq);
  const words = entry?.kind === "form_submitted" ? entry.submission.message : entry?.kind === "reply_received" ? entry.text : undefined;
  return words ? clip(words, 200) : undefined;
}

const NEXT_ACTIONS: Record<string, string> = {
  buying_intent: "Call today: they asked about buying. Have pricing and a start date ready.",
  booking_not_completed: "They opened the booking page but did not book: offer two concrete times by phone or email.",
  pricing_visits: "They keep coming back to pricing: call to walk them through the options.",
  competitor: "They mentioned a competitor: prepare a short comparison and call.",
  decision_maker: "A decision-maker is engaged: reach out personally and propose a meeting.",
  objection_unresolved: "The objection they raised is still open after two touches that addressed it: call and ask what is holding them back.",
  score: "Engaged right now: call while the interest is fresh.",
  manual: "Handed over by the owner: follow up personally.",
  rep_task: "The cadence asks for a call: ring them with this context.",
};

export function buildPackage(state: LeadState, timeline: TimelineEntry[], triggers: { trigger: string; reason: string }[], now: number): HandOffPackage {
  const engagedMs = new Map(state.engagement.visits.map((v) => [v.pageViewId, v.engagedMs]));
  const transcript = timeline
    .flatMap((entry) => {
      const text = line(entry, engagedMs);
      return text ? [`${when(entry.at, state.timezone)} — ${text}`] : [];
    })
    .slice(-40);
  const chat = timeline.flatMap((e) => (e.kind === "chat_message" ? [{ from: e.from, text: clip(e.text, 500), at: e.at }] : [])).slice(-CHAT_TRANSCRIPT_MAX);
  const messages = timeline.flatMap((e) => (e.kind === "form_submitted" && e.submission.message ? [e.submission.message] : []));
  const replies = timeline.flatMap((e) => (e.kind === "reply_received" && e.text ? [e.text] : []));
  const stated = [...messages, ...replies].map((t) => clip(t, 200));
  // The concern the lead raised itself (form message or reply) comes first; a lead stored before objections were recorded has its replies' judgements.
  const raised = statedObjection(state);
  const objection = raised
    ? (raised.objection ?? wordsOf(timeline, raised.from) ?? describeObjection(raised))
    : (timeline.flatMap((e) => (e.kind === "reply_received" && e.objection ? [e.objection] : [])).at(-1) ?? null);
  return {
    leadId: state.id,
    handedOffAt: now,
    triggers,
    profile: state.profile,
    timezone: state.timezone,
    score: state.score,
    factors: state.scoreFactors,
    transcript,
    ...(chat.length > 0 ? { chat } : {}),
    summary: { needs: stated.length > 0 ? stated.join(" / ") : "not stated yet", topObjection: objection, by: "rules" },
    nextAction: NEXT_ACTIONS[triggers[0]?.trigger ?? "manual"] ?? NEXT_ACTIONS.manual!,
  };
}

/** The package as plain text, for email and chat. */
export function packageText(pkg: HandOffPackage, leadUrl: string): string {
  const who = pkg.profile.name ?? pkg.profile.email ?? pkg.profile.phone ?? pkg.leadId;
  return [
    ...(pkg.task ? [`Task: ${pkg.task}`] : []),
    `${pkg.task ? "Lead" : "Hot lead"}: ${who}${pkg.profile.company ? ` (${pkg.profile.company})` : ""}${pkg.profile.title ? `, ${pkg.profile.title}` : ""}`,
    `Why: ${pkg.triggers.map((t) => t.reason).join("; ")}`,
    `Score: ${pkg.score} (${pkg.factors.map((f) => `${f.signal} ${f.points}`).join(", ") || "no signals"})`,
    `Contact: ${[pkg.profile.email, pkg.profile.phone].filter(Boolean).join(", ")} · local time zone ${pkg.timezone}`,
    `Needs: ${pkg.summary.needs}`,
    `Top objection: ${pkg.summary.topObjection ?? "none stated"}`,
    `Next: ${pkg.nextAction}`,
    "",
    ...pkg.transcript,
    ...(pkg.chat ? ["", "Chat:", ...pkg.chat.map((m) => `${m.from}: ${m.text}`)] : []),
    "",
    leadUrl,
  ].join("\n");
}
