import type { LeadSummary, TimelineEntry } from "../../schemas/lead";
import { when } from "./layout";

/**
 * The rep's live chat on a lead's page: the conversation so far and, with script on, a
 * socket to the lead's object (`/dashboard/leads/:id/chat/ws`) that brings new messages and
 * takes the rep's answers to the visitor. Without script the page still shows the
 * transcript as of its loading, and says so.
 */

type ChatEntry = Extract<TimelineEntry, { kind: "chat_message" }>;

/** As many messages as the object replays to a rep's socket when it connects. */
const TRANSCRIPT_LENGTH = 50;

export const SPEAKER = { visitor: "Visitor", assistant: "Assistant", rep: "Rep" } as const;

const chatEntries = (lead: LeadSummary) => lead.timeline.filter((e): e is ChatEntry => e.kind === "chat_message");

/** A lead has a live chat to answer when it chatted, or a rep holds it (a visitor's next words go to the rep). */
export const hasChat = (lead: LeadSummary) => lead.status === "with_rep" || chatEntries(lead).length > 0;

export function LeadChat(props: { lead: LeadSummary }) {
  const transcript = chatEntries(props.lead).slice(-TRANSCRIPT_LENGTH);
  return (
    <section id="lead-chat" data-socket={`/dashboard/leads/${props.lead.id}/chat/ws`} aria-labelledby="lead-chat-title">
      <h2 id="lead-chat-title">Live chat</h2>
      <ol
        id="chat-transcript"
        style="list-style:none;padding:0;margin:0;background:#fff;border:1px solid #dde2e8;border-radius:8px;padding:.4rem .8rem"
        aria-live="polite"
        data-testid="chat-transcript"
      >
        {transcript.length === 0 && <li class="muted">No messages yet.</li>}
        {transcript.map((m) => (
          <li data-from={m.from}>
            <b>{`${SPEAKER[m.from]}: `}</b>
            {m.text}
            <span class="muted">{` ${when(m.at)}`}</span>
          </li>
        ))}
      </ol>
      <p class="muted" id="chat-status" role="status">
        Open this page again to see new messages.
      </p>
      <form id="chat-answer" hidden>
        <label for="chat-text">Your answer to the visitor</label>
        <div class="actions">
          <input id="chat-text" name="text" maxlength={2000} autocomplete="off" required style="flex:1;min-width:12rem" />
          <button type="submit">Send</button>
        </div>
      </form>
      <script src="/dashboard/lead-chat.js" defer />
    </section>
  );
}

/**
 * Connects the panel to the lead's object. Each (re)connection replays the last messages,
 * so the list is redrawn from the first frame; a dropped socket reconnects with growing
 * waits. Every word goes in as text, never as markup.
 */
export const LEAD_CHAT_SCRIPT = `
const panel = document.getElementById("lead-chat");
if (panel) {
  const list = document.getElementById("chat-transcript");
  const status = document.getElementById("chat-status");
  const form = document.getElementById("chat-answer");
  const box = document.getElementById("chat-text");
  const speakers = ${JSON.stringify(SPEAKER)};
  let socket;
  let wait = 1000;
  const show = (m) => {
    const item = document.createElement("li");
    item.dataset.from = m.from;
    const who = document.createElement("b");
    who.textContent = (speakers[m.from] || m.from) + ": ";
    const at = document.createElement("span");
    at.className = "muted";
    at.textContent = " " + new Date(m.at).toLocaleTimeString();
    item.append(who, document.createTextNode(m.text), at);
    list.append(item);
  };
  const connect = () => {
    const url = new URL(panel.dataset.socket, location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(url);
    let replay = true;
    socket.addEventListener("open", () => {
      wait = 1000;
      status.textContent = "Connected: new messages appear here as they come.";
      form.hidden = false;
    });
    socket.addEventListener("message", (event) => {
      let m;
      try { m = JSON.parse(event.data); } catch { return; }
      if (m.t === "message") {
        if (replay) { list.replaceChildren(); replay = false; }
        show(m);
      } else if (m.t === "error") {
        status.textContent = m.message;
      }
    });
    socket.addEventListener("close", () => {
      form.hidden = true;
      status.textContent = "Disconnected: reconnecting in " + Math.round(wait / 1000) + " s…";
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 30000);
    });
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = box.value.trim();
    if (!text || !socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ t: "say", text }));
    box.value = "";
  });
  connect();
}
`;
