// The site chat widget, served as /chat.js (bundled by scripts/build-browser.mjs). The
// snippet loads it only where the owner turned chat on, after it started (so GPC, DNT and
// ask-first consent already apply), and hands it the visitor and the site's chat config.
// Everything lives in a Shadow DOM with its own styles, so the host page's CSS cannot break
// it and it cannot break the page; the root is open so browser tests (and extensions) reach
// it as they reach page content. No request leaves for anywhere but the engine. Server and
// visitor text is only ever set with textContent.
import type { ChatAction, ChatClientMessage, ChatOpenRules, ChatServerMessage, PreferredChannel } from "../../schemas/chat";
import type { PageRule } from "../../schemas/tracking";
import { classifyPage } from "../../engine/signals/page-class";

/** What `/chat/config` answers when chat is on. */
interface ChatConfig {
  enabled: true;
  greeting: string;
  openOn: ChatOpenRules;
  known: boolean;
  consentText: string;
  pageRules: PageRule[];
}

/** What the snippet hands over on `window.followUp.chat`. */
interface ChatHandOver {
  endpoint: string;
  visitor: string;
  ticket: string | null;
  config: ChatConfig;
}

const OPENED_KEY = "fu_chat_opened";
const PRICING_VIEWS_KEY = "fu_chat_pricing_views";
/** Set when the visitor asked to stop: the widget stays available on its button and never opens by itself again. */
const QUIET_KEY = "fu_chat_quiet";
const MAX_BACKOFF_MS = 30_000;
/** Connections refused in a row before the widget stops trying for this page (the engine said no, or is unreachable). */
const MAX_FAILED_CONNECTIONS = 6;
const CHANNEL_NAMES: Record<PreferredChannel, string> = { email: "Email", sms: "Text message", whatsapp: "WhatsApp" };

const STYLE = `
:host { all: initial; }
* { box-sizing: border-box; font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.launcher, .panel { position: fixed; right: 20px; z-index: 2147483000; color: #1b1b1b; }
.launcher { bottom: 20px; border: 0; border-radius: 24px; padding: 12px 20px; background: #1d4ed8; color: #fff; font-weight: 600; cursor: pointer; box-shadow: 0 2px 10px rgba(0,0,0,.25); }
.panel { bottom: 80px; width: min(360px, calc(100vw - 40px)); max-height: min(540px, calc(100vh - 100px)); display: flex; flex-direction: column; background: #fff; border: 1px solid #c8c8c8; border-radius: 12px; box-shadow: 0 6px 24px rgba(0,0,0,.2); }
.panel[hidden] { display: none; }
header { display: flex; align-items: center; justify-content: space-between; padding: 10px 14px; border-bottom: 1px solid #e2e2e2; }
h2 { margin: 0; font-size: 16px; font-weight: 700; }
.close { border: 0; background: none; font-size: 22px; line-height: 1; padding: 4px 8px; cursor: pointer; color: #1b1b1b; }
.log { flex: 1; overflow-y: auto; padding: 12px 14px; display: flex; flex-direction: column; gap: 8px; min-height: 120px; }
.msg { margin: 0; padding: 8px 10px; border-radius: 10px; max-width: 90%; white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.visitor { align-self: flex-end; background: #1d4ed8; color: #fff; }
.msg.assistant, .msg.rep { align-self: flex-start; background: #f0f0f0; }
.msg.note { align-self: center; background: none; color: #555; font-size: 13px; text-align: center; }
.who { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.sources { display: block; margin-top: 4px; font-size: 12px; color: #555; }
.actions { display: flex; flex-direction: column; gap: 6px; align-self: stretch; }
.actions a, .actions button, .send { display: inline-block; border: 1px solid #1d4ed8; border-radius: 8px; padding: 7px 12px; background: #fff; color: #1d4ed8; font-weight: 600; text-decoration: none; cursor: pointer; text-align: center; }
.actions form { display: flex; flex-direction: column; gap: 6px; padding: 8px; border: 1px solid #e2e2e2; border-radius: 8px; }
.actions label { display: flex; flex-direction: column; gap: 2px; font-size: 13px; }
.actions label.check { flex-direction: row; align-items: flex-start; gap: 6px; }
input, textarea { border: 1px solid #8a8a8a; border-radius: 6px; padding: 6px 8px; color: #1b1b1b; background: #fff; }
.compose { display: flex; gap: 8px; padding: 10px 14px; border-top: 1px solid #e2e2e2; align-items: flex-end; }
.compose label { flex: 1; display: flex; flex-direction: column; gap: 2px; font-size: 13px; }
.compose textarea { resize: none; height: 42px; }
.send { background: #1d4ed8; color: #fff; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
`;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<Record<string, string>> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) if (value !== undefined) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function stored(storage: () => Storage, key: string): string | null {
  try {
    return storage().getItem(key);
  } catch {
    return null;
  }
}

function store(storage: () => Storage, key: string, value: string): void {
  try {
    storage().setItem(key, value);
  } catch {
    // storage refused (private mode, quota): the rule then counts this page only
  }
}

const session = () => window.sessionStorage;
const local = () => window.localStorage;

function startChat(handOver: ChatHandOver): void {
  const { endpoint, visitor, ticket, config } = handOver;
  const host = element("div", { "data-follow-up": "chat" });
  const root = host.attachShadow({ mode: "open" });
  const style = element("style", {}, STYLE);

  const launcher = element("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "fu-chat-panel", "aria-haspopup": "dialog" }, "Chat with us");
  const panel = element("div", { id: "fu-chat-panel", class: "panel", role: "dialog", "aria-labelledby": "fu-chat-title", hidden: "" });
  const header = element("header");
  const title = element("h2", { id: "fu-chat-title" }, "Chat with us");
  const close = element("button", { type: "button", class: "close", "aria-label": "Close chat" }, "×");
  header.append(title, close);
  const log = element("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  const compose = element("form", { class: "compose" });
  const inputLabel = element("label", {}, "Your message");
  // CHAT_TEXT_MAX (schemas/chat.ts), written out: importing its value would bundle zod.
  const input = element("textarea", { name: "message", maxlength: "2000", rows: "2", required: "" });
  inputLabel.append(input);
  const send = element("button", { type: "submit", class: "send" }, "Send");
  compose.append(inputLabel, send);
  panel.append(header, log, compose);
  root.append(style, launcher, panel);
  document.body.append(host);

  let socket: WebSocket | null = null;
  let backoff = 1_000;
  let failures = 0;
  let reconnectTimer: number | undefined;
  let lastGreeting = "";
  const pending: ChatClientMessage[] = [];

  function say(kind: "visitor" | "assistant" | "rep" | "note", text: string, sources?: { title: string }[]): HTMLElement {
    const message = element("p", { class: `msg ${kind}` });
    const who = { visitor: "You: ", assistant: "Assistant: ", rep: "Team: ", note: "" }[kind];
    if (who) message.append(element("span", { class: "who" }, who));
    message.append(document.createTextNode(text));
    if (sources?.length) message.append(element("span", { class: "sources" }, `From: ${sources.map((s) => s.title).join(", ")}`));
    log.append(message);
    log.scrollTop = log.scrollHeight;
    return message;
  }

  function transmit(frame: ChatClientMessage): void {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
    else {
      pending.push(frame);
      connect();
    }
  }

  function bookAction(url: string): HTMLElement {
    const safe = /^https?:\/\//i.test(url) ? url : "#";
    return element("a", { href: safe, target: "_blank", rel: "noopener" }, "Book a time");
  }

  function contactAction(consentText: string): HTMLElement {
    const form = element("form", { "aria-label": "Leave your details" });
    const emailLabel = element("label", {}, "Email");
    const email = element("input", { type: "email", name: "email", autocomplete: "email", maxlength: "254" });
    emailLabel.append(email);
    const phoneLabel = element("label", {}, "Phone (optional)");
    const phone = element("input", { type: "tel", name: "phone", autocomplete: "tel", maxlength: "40" });
    phoneLabel.append(phone);
    const consentLabel = element("label", { class: "check" });
    const consent = element("input", { type: "checkbox", name: "consent" });
    consentLabel.append(consent, element("span", {}, consentText));
    const submit = element("button", { type: "submit" }, "Send my details");
    form.append(emailLabel, phoneLabel, consentLabel, submit);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const given = { email: email.value.trim(), phone: phone.value.trim() };
      if (!given.email && !given.phone) {
        email.setCustomValidity("Give an email or a phone number.");
        email.reportValidity();
        return;
      }
      email.setCustomValidity("");
      transmit({ t: "contact", ...(given.email ? { email: given.email } : {}), ...(given.phone ? { phone: given.phone } : {}), consent: consent.checked });
      form.replaceWith(element("p", { class: "msg note" }, "Thanks, your details are sent."));
      input.focus();
    });
    return form;
  }

  function channelAction(options: PreferredChannel[], consentText: string): HTMLElement {
    const group = element("div", { role: "group", "aria-label": "How should we follow up?", class: "actions" });
    const consentLabel = element("label", { class: "check" });
    const consent = element("input", { type: "checkbox", name: "channel-consent" });
    // The engine records exactly these words as the consent for the channel chosen.
    consentLabel.append(consent, element("span", {}, consentText));
    group.append(element("span", {}, "How should we follow up?"));
    for (const channel of options) {
      const button = element("button", { type: "button" }, CHANNEL_NAMES[channel]);
      button.addEventListener("click", () => {
        transmit({ t: "channel", channel, consent: consent.checked });
        group.replaceWith(element("p", { class: "msg note" }, `We'll follow up by ${CHANNEL_NAMES[channel].toLowerCase()}.`));
        input.focus();
      });
      group.append(button);
    }
    group.append(consentLabel);
    return group;
  }

  function showActions(actions: ChatAction[] | undefined): void {
    if (!actions?.length) return;
    const box = element("div", { class: "actions" });
    for (const action of actions) {
      if (action.kind === "book") box.append(bookAction(action.url));
      else if (action.kind === "contact") box.append(contactAction(action.consentText || config.consentText));
      else if (action.kind === "channel") box.append(channelAction(action.options, action.consentText));
    }
    log.append(box);
    log.scrollTop = log.scrollHeight;
  }

  function receive(frame: ChatServerMessage): void {
    switch (frame.t) {
      case "greeting":
        // A reconnect greets again: the same words twice in a row say nothing new.
        if (frame.text === lastGreeting) return;
        lastGreeting = frame.text;
        say("assistant", frame.text);
        showActions(frame.actions);
        return;
      case "answer":
        say(frame.from, frame.text, frame.sources);
        showActions(frame.actions);
        if (frame.quiet) store(local, QUIET_KEY, "1");
        return;
      case "handed_off":
        say("note", frame.text);
        return;
      case "moved":
        // The visitor became a lead: the conversation continues in the lead's object.
        backoff = 0;
        return;
      case "error":
        say("note", frame.message);
        return;
    }
  }

  function connect(): void {
    if (socket && socket.readyState <= WebSocket.OPEN) return;
    window.clearTimeout(reconnectTimer);
    const query = new URLSearchParams({ v: visitor });
    if (ticket) query.set("k", ticket);
    const opened = new WebSocket(`${endpoint.replace(/^http/, "ws")}/chat/ws?${query}`);
    socket = opened;
    opened.addEventListener("open", () => {
      backoff = 1_000;
      failures = 0;
      opened.send(JSON.stringify({ t: "hello", page: location.href.slice(0, 2048), title: document.title.slice(0, 300) } satisfies ChatClientMessage));
      for (const frame of pending.splice(0)) opened.send(JSON.stringify(frame));
    });
    opened.addEventListener("message", (event) => {
      try {
        receive(JSON.parse(String(event.data)) as ChatServerMessage);
      } catch {
        // a frame we cannot read is skipped; the conversation goes on
      }
    });
    opened.addEventListener("close", () => {
      if (socket !== opened) return;
      socket = null;
      if (++failures > MAX_FAILED_CONNECTIONS) {
        say("note", "Chat is unavailable right now. Please try again later.");
        return;
      }
      const wait = backoff;
      backoff = Math.min(Math.max(backoff, 1_000) * 2, MAX_BACKOFF_MS);
      reconnectTimer = window.setTimeout(connect, wait);
    });
  }

  function open(proactive: boolean): void {
    store(session, OPENED_KEY, "1");
    if (!panel.hidden) return;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    connect();
    // A panel that opens by itself does not take the keyboard away from what the visitor is doing.
    if (!proactive) input.focus();
  }

  function shut(): void {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", () => (panel.hidden ? open(false) : shut()));
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      shut();
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send.click();
    }
  });
  compose.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    say("visitor", text);
    input.value = "";
    transmit({ t: "say", text });
  });

  // Opening by itself: on the owner's rules, never more than once per visit, never after the visitor asked to stop.
  const proactively = () => {
    if (stored(session, OPENED_KEY) || stored(local, QUIET_KEY)) return;
    open(true);
  };
  const rules = config.openOn;
  const pageClass = classifyPage(config.pageRules, location.href);
  let pricingViews = Number(stored(local, PRICING_VIEWS_KEY)) || 0;
  if (pageClass === "pricing") store(local, PRICING_VIEWS_KEY, String(++pricingViews));
  if (rules.returningLead && config.known) proactively();
  else if (rules.pricingViews !== null && pageClass === "pricing" && pricingViews >= rules.pricingViews) proactively();
  else if (rules.secondsOnPage && pageClass === rules.secondsOnPage.pageClass) window.setTimeout(proactively, rules.secondsOnPage.seconds * 1000);
}

const handOver = (window as unknown as { followUp?: { chat?: ChatHandOver } }).followUp?.chat;
if (handOver?.config.enabled && !document.querySelector("[data-follow-up=chat]")) {
  if (document.body) startChat(handOver);
  else document.addEventListener("DOMContentLoaded", () => startChat(handOver));
}
