import type { ConversationListing } from "../../services/d1/conversations";
import { ListTable } from "./layout";

/**
 * The live conversations page: every site chat, newest activity first, with who the visitor
 * is (a lead, or not yet), how far it went and its last words. It is a plain page; with
 * script on it refreshes itself from `/dashboard/conversations.json` (`CONVERSATIONS_SCRIPT`).
 */

/** How long ago, in the words a person glances at. */
export function ago(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** What a conversation has done, as short words. */
export const flagsOf = (c: Pick<ConversationListing, "captured" | "handedOff" | "booked">) =>
  [c.captured ? "captured" : "", c.handedOff ? "handed off" : "", c.booked ? "booked" : ""].filter(Boolean);

/** One conversation as the list shows it, in words: the page and its JSON refresh share it. */
export function conversationLine(c: ConversationListing, now: number) {
  return {
    id: c.id,
    site: c.siteOrigin,
    leadId: c.leadId,
    who: c.leadId ? c.lead?.name || c.lead?.email || "a lead" : "visitor, not yet a lead",
    email: c.leadId ? (c.lead?.email ?? "") : "",
    messages: c.messages,
    lastText: c.lastText,
    flags: flagsOf(c),
    ago: ago(now - c.lastAt),
  };
}
export type ConversationLine = ReturnType<typeof conversationLine>;

export function ConversationList(props: { lines: ConversationLine[]; next: string | null; first: boolean }) {
  return (
    <>
      <p class="muted" id="conversations-status" aria-live="polite">
        {props.first ? "Reload the page to see new conversations." : "An older page: it does not refresh itself."}
      </p>
      <div id="conversations" data-refresh={props.first ? "/dashboard/conversations.json" : undefined}>
        <ListTable
          columns={["Last active", "Site", "Visitor", "Messages", "Last words", "What happened"]}
          rows={props.lines.map((line) => (
            <tr data-conversation={line.id}>
              <td>{line.ago}</td>
              <td>{line.site}</td>
              <td>
                {line.leadId ? <a href={`/dashboard/leads/${line.leadId}`}>{line.who}</a> : <span class="muted">{line.who}</span>}
                {line.email && line.email !== line.who && <div class="muted">{line.email}</div>}
              </td>
              <td class="n">{line.messages}</td>
              <td>{line.lastText}</td>
              <td>
                {line.flags.map((flag) => (
                  <>
                    <span class="pill">{flag}</span>{" "}
                  </>
                ))}
              </td>
            </tr>
          ))}
        />
      </div>
      {props.lines.length === 0 && props.first && (
        <p data-testid="conversations-empty">
          No conversations yet. Chat starts on a site once you turn it on: <a href="/dashboard/sites">Sites</a> → your site → Chat settings → “Chat is on”.
        </p>
      )}
      {props.next && (
        <p>
          <a href={`/dashboard/conversations?cursor=${encodeURIComponent(props.next)}`} rel="next">
            Older conversations →
          </a>
        </p>
      )}
    </>
  );
}

/**
 * Progressive enhancement: while the first page is open, fetch its rows every few seconds
 * and redraw the table. Every word goes in as text, never as markup.
 */
export const CONVERSATIONS_SCRIPT = `
const box = document.getElementById("conversations");
const status = document.getElementById("conversations-status");
if (box && box.dataset.refresh) {
  const body = box.querySelector("tbody");
  const cell = (row, text, className) => { const td = row.insertCell(); td.textContent = text; if (className) td.className = className; return td; };
  const draw = (lines) => {
    body.replaceChildren();
    for (const line of lines) {
      const row = body.insertRow();
      row.dataset.conversation = line.id;
      cell(row, line.ago);
      cell(row, line.site);
      const who = row.insertCell();
      if (line.leadId) {
        const a = document.createElement("a");
        a.href = "/dashboard/leads/" + encodeURIComponent(line.leadId);
        a.textContent = line.who;
        who.append(a);
      } else {
        const span = document.createElement("span");
        span.className = "muted";
        span.textContent = line.who;
        who.append(span);
      }
      if (line.email && line.email !== line.who) { const div = document.createElement("div"); div.className = "muted"; div.textContent = line.email; who.append(div); }
      cell(row, String(line.messages), "n");
      cell(row, line.lastText);
      const flags = row.insertCell();
      for (const flag of line.flags) { const pill = document.createElement("span"); pill.className = "pill"; pill.textContent = flag; flags.append(pill, " "); }
    }
  };
  const refresh = async () => {
    try {
      const response = await fetch(box.dataset.refresh, { headers: { accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const page = await response.json();
      draw(page.conversations);
      if (page.conversations.length > 0) document.querySelector("[data-testid=conversations-empty]")?.remove();
      status.textContent = "Refreshes by itself every 5 seconds.";
    } catch {
      status.textContent = "Could not refresh; trying again shortly.";
    }
  };
  status.textContent = "Refreshes by itself every 5 seconds.";
  setInterval(refresh, 5000);
}
`;
