/**
 * The site snippet served at `/s.js`: one `<script src=".../s.js" async>` tag, no
 * dependencies. It keeps a visitor id in the site's own storage, reports page views and
 * engaged time on leave, and identifies the visitor from a click ticket or a form posted
 * to this engine. Global Privacy Control and Do Not Track switch it off entirely; with
 * `data-consent="ask"` it does nothing until the page calls `followUp.consent()`. Where the
 * owner turned site chat on, it loads the widget (`/chat.js`) once the page is idle; it asks
 * `/chat/config` once per visit (docs/chat-widget.md).
 * Kept as plain ES5 so every browser runs it; keep it under 3 KB gzipped (a test checks).
 */
export const SNIPPET = `(function (w, d) {
  "use strict";
  var script = d.currentScript;
  if (!script || w.followUp) return;
  var endpoint = new URL(script.src).origin;
  var nav = w.navigator;
  var api = { consent: function () {}, optedOut: false };
  w.followUp = api;
  if (nav.globalPrivacyControl === true || nav.doNotTrack === "1" || w.doNotTrack === "1") {
    api.optedOut = true;
    return;
  }

  function get(key) { try { return w.localStorage.getItem(key); } catch (e) { return null; } }
  function put(key, value) { try { w.localStorage.setItem(key, value); } catch (e) {} }
  function id() {
    if (w.crypto && w.crypto.randomUUID) return w.crypto.randomUUID().replace(/-/g, "");
    return (Math.random().toString(36) + Date.now().toString(36)).replace("0.", "");
  }

  var started = false;
  function start() {
    if (started) return;
    started = true;
    var visitor = get("fu_vid");
    if (!visitor) { visitor = id(); put("fu_vid", visitor); }

    // A tracked link to this site carries a ticket: keep it, and take it out of the address bar.
    var here = new URL(w.location.href);
    var fresh = here.searchParams.get("fu_t");
    if (fresh) {
      put("fu_t", fresh);
      here.searchParams.delete("fu_t");
      try { w.history.replaceState(w.history.state, "", here.toString()); } catch (e) {}
    }
    var ticket = get("fu_t");
    var view = id();
    var engaged = 0;
    var since = d.visibilityState === "visible" ? Date.now() : 0;

    function send(kind, extra) {
      var body = { v: visitor, p: view, t: kind, u: here.toString() };
      if (ticket) body.k = ticket;
      for (var key in extra) body[key] = extra[key];
      var text = JSON.stringify(body);
      if (!(nav.sendBeacon && nav.sendBeacon(endpoint + "/e", text))) {
        try { w.fetch(endpoint + "/e", { method: "POST", body: text, keepalive: true, mode: "cors" }); } catch (e) {}
      }
    }
    var reported = -1;
    function pause() { if (since) { engaged += Date.now() - since; since = 0; } }
    // Hiding the tab and leaving the page both end a stretch: report each stretch once.
    function leave() { pause(); if (engaged !== reported) { reported = engaged; send("leave", { e: engaged }); } }

    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) {}
    send("view", { r: d.referrer || undefined, ti: d.title ? d.title.slice(0, 300) : undefined, z: zone });
    d.addEventListener("visibilitychange", function () {
      if (d.visibilityState === "hidden") leave();
      else since = Date.now();
    });
    w.addEventListener("pagehide", leave);

    function hidden(form, name, value) {
      var input = form.querySelector('input[name="' + name + '"]') || d.createElement("input");
      if (input.type !== "hidden" && input.value) return;
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    // A form posted to this engine tells it which visitor became which lead, and the lead's timezone.
    d.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form || !form.action || form.action.indexOf(endpoint + "/f/") !== 0) return;
      hidden(form, "fu_vid", visitor);
      if (zone) hidden(form, "timezone", zone);
    }, true);

    // Site chat: asked once per visit (the answer, on or off, is kept for the tab's session),
    // loaded only where the owner turned it on, when the page is done and idle.
    function chat() {
      var session, config;
      try { session = w.sessionStorage; config = JSON.parse(session.getItem("fu_chat") || "null"); } catch (e) { return; }
      function load(c) {
        if (!c || !c.enabled) return;
        api.chat = { endpoint: endpoint, visitor: visitor, ticket: ticket, config: c };
        var tag = d.createElement("script");
        tag.src = endpoint + "/chat.js";
        tag.async = true;
        d.head.appendChild(tag);
      }
      if (config) return load(config);
      if (!w.fetch || !w.WebSocket) return;
      w.fetch(endpoint + "/chat/config?v=" + visitor + (ticket ? "&k=" + encodeURIComponent(ticket) : ""), { mode: "cors", credentials: "omit" })
        .then(function (r) { return r.json(); })
        .then(function (c) {
          try { session.setItem("fu_chat", JSON.stringify(c)); } catch (e) {}
          load(c);
        }, function () {});
    }
    function idle() { if (w.requestIdleCallback) w.requestIdleCallback(chat, { timeout: 3000 }); else w.setTimeout(chat, 1); }
    if (d.readyState === "complete") idle(); else w.addEventListener("load", idle);
  }

  api.consent = start;
  if (script.getAttribute("data-consent") !== "ask") start();
})(window, document);
`;
