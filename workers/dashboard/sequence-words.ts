import type { BranchAction, Condition, Intent, MergeField } from "../../schemas/sequence";
import type { RuleName } from "./sequence-form";

/** A sequence's vocabulary in the owner's words, for the editor's menus and help. */

export const MERGE_HELP: Record<MergeField, string> = {
  firstName: "the lead's first name (or the first word of its name)",
  lastName: "the lead's last name",
  name: "the lead's full name",
  company: "the lead's company",
  title: "the lead's job title",
  source: "where the lead came from (the form's source)",
  senderName: "your name, from Settings",
  senderCompany: "your company, from Settings",
  bookingUrl: "your booking link",
  siteUrl: "your site's address",
};

export const INTENT_LABELS: Record<Intent, string> = {
  acknowledge: "Acknowledge",
  value: "Something useful",
  proof: "Proof (a case study)",
  objection: "Answer the likely objection",
  booking_ask: "Ask for a booking",
  alternative: "Another way in",
  breakup: "Breakup (closing the loop)",
  nurture: "Nurture",
  insight: "An insight",
  update: "A product update",
  event: "An invitation",
  site_return: "After a site return",
  rep_task: "A task for a rep",
};

export const SIGNAL_LABELS: Record<Condition["signal"], string> = {
  opened: "opened an email",
  clicked: "clicked a link",
  visited: "visited the site",
  replied: "replied",
  engaged: "engaged (opened, clicked or visited)",
  nothing: "did nothing",
};

export const ACTION_LABELS: Record<BranchAction["do"], string> = {
  send: "send this step as written",
  skip: "skip this step",
  goto: "send another step instead",
  resend: "resend a step's email under a new subject",
  enrol: "move the lead to another sequence",
  complete: "end the sequence",
};

export const RULE_LABELS: Record<RuleName, { title: string; figures: Record<string, string> }> = {
  openedSooner: {
    title: "A human open brings the next touch sooner",
    figures: { keepFraction: "Share of the wait kept (0–1)", minHours: "Never sooner than (hours after the open)" },
  },
  clickedToBookingAsk: { title: "A human click jumps to the next booking ask", figures: { afterHours: "After (hours)" } },
  silentUsesAlternative: { title: "Silent leads get the alternative angle", figures: { afterEmails: "After this many ignored emails" } },
  peakHour: { title: "Peak-hour steps wait for the lead's most active hour", figures: { minSignals: "Once the lead has this many human signals" } },
};
