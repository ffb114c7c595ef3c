import type { SentWhatsappTemplate } from "../../schemas/lead";
import type { WhatsappTemplate } from "../../schemas/sequence";
import type { OutgoingTouch } from "../lead/lead-state";
import { renderTemplate, type MergeValues } from "./template";

/**
 * WhatsApp's customer-service window: for 24 hours after the person's last message a
 * business may write freely; outside it, a business-initiated message must be a template
 * WhatsApp approved. Free text outside the window is never sent.
 */
export const WHATSAPP_WINDOW_MS = 24 * 3_600_000;

/** How a WhatsApp touch may go now, or why it may not. */
export type WhatsappForm = { sentAs: "text" } | { sentAs: "template"; template: SentWhatsappTemplate } | { blocked: string };

/** Whether the lead's last WhatsApp message leaves the window open at `now`. */
export const insideWhatsappWindow = (lastInboundAt: number | undefined, now: number): boolean =>
  lastInboundAt !== undefined && now >= lastInboundAt && now < lastInboundAt + WHATSAPP_WINDOW_MS;

/**
 * Inside the window, the step's free text (its template where it has no text); outside, only
 * its approved template. A step with neither for the moment is blocked, with the reason.
 */
export function whatsappForm(touch: Pick<OutgoingTouch, "text" | "whatsappTemplate" | "stepId">, lastInboundAt: number | undefined, now: number): WhatsappForm {
  if (insideWhatsappWindow(lastInboundAt, now) && touch.text) return { sentAs: "text" };
  if (touch.whatsappTemplate) return { sentAs: "template", template: touch.whatsappTemplate };
  const since = lastInboundAt === undefined ? "the lead has never written on WhatsApp" : "the lead's last WhatsApp message is more than 24 hours old";
  return { blocked: `outside WhatsApp's 24-hour window (${since}) and step "${touch.stepId}" names no approved template (whatsappTemplate); free text may not go` };
}

/**
 * A template variable as WhatsApp accepts it: no line breaks, tabs or runs of spaces (Meta
 * refuses a parameter with them), never empty (refused too), bounded. Lead data stays text:
 * merge values are already plain (engine/sequence/merge-values.ts), and the variables travel
 * as JSON, which escapes them.
 */
function templateVariable(rendered: string): string {
  const flat = rendered
    .replace(/\p{Cc}+/gu, " ")
    .replace(/\s{2,}/g, " ")
    .trim()
    .slice(0, 1024);
  return flat || "-";
}

/** The step's template with each variable rendered from the lead's merge values. */
export function renderWhatsappTemplate(template: WhatsappTemplate, values: MergeValues): SentWhatsappTemplate {
  const variables = Object.fromEntries(Object.entries(template.variables).map(([n, text]) => [n, templateVariable(renderTemplate(text, values))]));
  return { contentSid: template.contentSid, variables };
}

/** What the timeline shows for a template touch: its Content SID and the values it carried. */
export function describeTemplate(template: SentWhatsappTemplate): string {
  const values = Object.entries(template.variables).map(([n, value]) => `{{${n}}} = ${value}`);
  return `Approved template ${template.contentSid}${values.length > 0 ? ` with ${values.join(", ")}` : ""}`;
}
