import type { LeadEffect, Milestones, Milestone } from "./lead-state";

/**
 * The first time the lead reached each step of the funnel. Kept on the lead and projected
 * to its D1 row, so the owner's funnel is a sum over leads, not a scan of every event.
 */
/** Milestones reached by newly written entries; an earlier time is never moved. Only people count for opens and clicks. */
export function withMilestones(current: Milestones, effects: LeadEffect[]): Milestones {
  let reached = current;
  const reach = (milestone: Milestone, at: number) => {
    if (reached[milestone] === undefined) reached = { ...reached, [milestone]: at };
  };
  for (const effect of effects) {
    if (effect.kind !== "append_timeline") continue;
    const { entry } = effect;
    switch (entry.kind) {
      case "touch_sent":
        reach("contacted", entry.at);
        break;
      case "email_opened":
        if (entry.verdict === "human") reach("opened", entry.at);
        break;
      case "link_clicked":
        // A click proves the email was opened, whatever the pixel saw.
        if (entry.verdict === "human") {
          reach("opened", entry.at);
          reach("clicked", entry.at);
        }
        break;
      case "reply_received":
        reach("replied", entry.at);
        break;
      case "booked":
        reach("booked", entry.at);
        break;
      case "unsubscribed":
        reach("unsubscribed", entry.at);
        break;
      case "bounced":
        reach("bounced", entry.at);
        break;
    }
  }
  return reached;
}
